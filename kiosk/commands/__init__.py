"""Sub-command modules of the ``kiosk`` CLI; each exposes ``register(subparsers)``."""
