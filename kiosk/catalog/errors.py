"""Errors of the service catalogue.

CatalogError   a catalogue file is missing, unreadable or invalid (names file, item, key)
UnknownItem    (KeyError) no item has the requested code
"""

from __future__ import annotations


class CatalogError(Exception):
    """The catalogue data could not be loaded; the message names file, item and key."""

    def __init__(
        self, message: str, *, file: str = "", item: str | None = None, key: str | None = None
    ) -> None:
        super().__init__(message)
        self.file = file
        self.item = item
        self.key = key


class UnknownItem(KeyError):
    """No catalogue item has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown service item code: {self.code!r}"
