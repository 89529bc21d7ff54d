"""Device tests a technician runs on site: read a card, print a test receipt.

The card's personal data is never returned whole: the name and the ID number are masked.
"""

from __future__ import annotations

from typing import Any

from kiosk.technician.checks import Check, Status


def read_card(port: str, baud: int = 115200, timeout_s: float = 3.0) -> Check:
    """Read the card on the reader at ``port`` (a technician presents a test card)."""
    from devices.base import DeviceError
    from devices.idcard.reader import SerialIdCardReader
    from kiosk.masking import mask_id_number, mask_name

    reader = SerialIdCardReader(port, baud, timeout_s)
    try:
        card = reader.read_card()
    except DeviceError as exc:
        return Check(
            "read_card", Status.FAIL, f"{exc.reason}: {exc}",
            "place the card flat on the reader; check the reader's port and cable",
            {"port": port, "reason": exc.reason},
        )  # fmt: skip
    finally:
        reader.close()
    detail: dict[str, Any] = {
        "port": port,
        "card_type": str(card.card_type),
        "name": mask_name(card.name or ""),
        "id_number": mask_id_number(card.id_number),
        "photo": bool(getattr(card, "photo", None)),
    }
    return Check("read_card", Status.OK, f"card read: {detail['id_number']}", "", detail)


def print_test_receipt(connection: str, profile: str = "80mm") -> Check:
    """Print ``devices/printer/sample_receipt.py``'s technician receipt."""
    from devices.base import DeviceError
    from devices.printer.profiles import get_profile
    from devices.printer.receipt_printer import EscposReceiptPrinter
    from devices.printer.sample_receipt import technician_receipt

    try:
        printer = EscposReceiptPrinter(connection, get_profile(profile))
        printer.print_job(technician_receipt(get_profile(profile)))
    except ValueError as exc:
        return Check("print_test", Status.FAIL, f"bad connection: {exc}", "", {})
    except DeviceError as exc:
        return Check(
            "print_test", Status.FAIL, f"printer refused ({exc.reason}): {exc}",
            "check paper, cover and cable, then print again", {"reason": exc.reason},
        )  # fmt: skip
    return Check(
        "print_test", Status.OK, f"test receipt sent to {connection}",
        "check the printout: Chinese text, QR code and the cut", {"connection": connection},
    )  # fmt: skip
