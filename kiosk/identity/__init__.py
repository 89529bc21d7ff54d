"""Identity: face verification with liveness, and which proofs each service needs."""
