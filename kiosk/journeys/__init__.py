"""Resident journeys: the work behind each service, run on worker threads."""
