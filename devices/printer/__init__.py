"""Receipt printers (ESC/POS), the virtual printer that renders them, and A4 output."""

from devices.printer.errors import (
    A4PrintError,
    CoverOpen,
    MalformedStream,
    PaperOut,
    PrinterOffline,
    ReceiptTooLong,
)
from devices.printer.job import Align, Element, Feed, Qr, ReceiptJob, Rule, Size, Text
from devices.printer.profiles import PROFILES, PrinterProfile, get_profile

__all__ = [
    "PROFILES",
    "A4PrintError",
    "Align",
    "CoverOpen",
    "Element",
    "Feed",
    "MalformedStream",
    "PaperOut",
    "PrinterOffline",
    "PrinterProfile",
    "Qr",
    "ReceiptJob",
    "ReceiptTooLong",
    "Rule",
    "Size",
    "Text",
    "get_profile",
]
