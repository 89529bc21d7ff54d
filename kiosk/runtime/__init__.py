"""The composition root: builds the core from settings and runs its background work."""
