"""Technician tools (Kivy-free): device detection, device tests, ``kiosk doctor``, the
provisioning report and the technician PIN. The on-screen technician mode calls the same
functions.

    detect.py        serial ports, PC/SC readers, cameras, CUPS queues, receipt printer status
    device_tests.py  read a card on a port, print a test receipt
    doctor.py        every check as ok / warn / fail with a hint; ``run_doctor``
    report.py        the provisioning report (JSON + text) in the data dir
    pin.py           the technician PIN: scrypt-hashed, lock-out, every attempt audited
"""

from kiosk.technician.checks import Check, Status

__all__ = ["Check", "Status"]
