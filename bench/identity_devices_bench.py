"""Identity devices: a social-security card read through pcscd, a QR scan over a pty at
9600 baud against its wire time, and the camera fallback's decode of a 1280×720 frame."""

from __future__ import annotations

import threading
from pathlib import Path

from bench.harness import Row, ms, timed

SCAN_BAUD = 9600
E_ID_CODE = "EID:ZXY7Q3K9M2X5"
LONG_CODE = "https://ssc.mohrss.gov.cn/qr?" + "A1b2C3d4" * 36  # ~320 bytes: an e-social-security
SCAN_FRAGMENT = 8  # bytes a USB-CDC scanner typically hands over at once


def run(work: Path) -> list[Row]:
    return [*_sscard_rows(), *_scan_rows(), *_camera_rows()]


def _sscard_rows() -> list[Row]:
    from devices.base import DeviceError
    from devices.smartcard.pcscd import pcscd_with_vpcd, wait_for_card
    from devices.smartcard.reader import PcscSocialSecurityReader
    from devices.smartcard.samples import SAMPLES
    from devices.smartcard.virtual_card import VirtualSocialSecurityCard

    what = "social-security card read end to end (pyscard → pcscd → vpcd → virtual card)"
    try:
        with pcscd_with_vpcd() as slot:
            with VirtualSocialSecurityCard(SAMPLES["chen_hao"], port=slot.port):
                wait_for_card(True, slot.reader)
                reader = PcscSocialSecurityReader(slot.reader)
                samples = timed(reader.read_card, 30)
                pin_samples = timed(lambda: reader.verify_pin(bytearray(b"123456")), 30)
            wait_for_card(False, slot.reader)
    except (DeviceError, OSError) as exc:
        return [Row(what, "not measured", note=f"pcscd unavailable: {exc}")]
    return [
        Row(
            what,
            ms(samples),
            "≤ 500 ms",
            "connect, SELECT (61xx + GET RESPONSE), 7 READ RECORDs; real cards add their I/O time",
        ),
        Row(
            "social-security card PIN check and read (社保卡 + 密码, same stack)",
            ms(pin_samples),
            "≤ 500 ms",
            "connect, SELECT, VERIFY, 7 READ RECORDs; a real card's PIN check adds its own time",
        ),
    ]


def _scan_rows() -> list[Row]:
    from devices.scanner.emulator import QrScannerEmulator
    from devices.scanner.serial_scanner import SerialQrScanner

    rows = []
    with (
        QrScannerEmulator(emulate_baud=SCAN_BAUD) as emulator,
        SerialQrScanner(emulator.port, SCAN_BAUD) as scanner,
    ):
        for label, code in (("e-ID code", E_ID_CODE), ("320-byte URL code", LONG_CODE)):

            def scan_and_read(code: str = code) -> None:
                sender = threading.Thread(
                    target=emulator.scan, args=(code,), kwargs={"fragment_size": SCAN_FRAGMENT}
                )
                sender.start()
                scanner.read_code(5.0)
                sender.join()

            samples = timed(scan_and_read, 20)
            wire_s = (len(code.encode()) + 1) * 10 / SCAN_BAUD
            median = sorted(samples)[len(samples) // 2]
            rows.append(
                Row(
                    f"QR scan over a pty at {SCAN_BAUD} baud, {label} (emulated wire time)",
                    ms(samples),
                    f"≤ 1.3 × wire time ({wire_s * 1000 * 1.3:.0f} ms)",
                    f"{median / wire_s:.2f} × the {wire_s * 1000:.1f} ms of its bytes on the wire",
                )
            )
    return rows


def _camera_rows() -> list[Row]:
    import cv2
    import numpy as np
    import qrcode

    from devices.scanner.camera_decode import decode_frame

    rng = np.random.default_rng(1)
    background = cv2.GaussianBlur(rng.integers(60, 200, (720, 1280, 3), dtype=np.uint8), (9, 9), 0)
    code = qrcode.QRCode(box_size=6, border=4)
    code.add_data(E_ID_CODE)
    image = cv2.cvtColor(np.array(code.make_image().get_image().convert("L")), cv2.COLOR_GRAY2BGR)
    side = image.shape[0]
    turn = cv2.getRotationMatrix2D((side / 2, side / 2), 20, 1.0)
    with_code = background.copy()
    with_code[300 : 300 + side, 500 : 500 + side] = cv2.warpAffine(
        image, turn, (side, side), borderValue=(255, 255, 255)
    )
    assert decode_frame(with_code) == [E_ID_CODE], "the benchmark frame must decode"
    return [
        Row(
            "camera fallback: decode a 1280×720 frame with a rotated QR code",
            ms(timed(lambda: decode_frame(with_code), 20)),
            "≤ 100 ms (10 frames/s)",
            "zxing-cpp finds it; OpenCV is not consulted",
        ),
        Row(
            "camera fallback: a 1280×720 frame without a code",
            ms(timed(lambda: decode_frame(background), 10)),
            "",
            "the worst case: zxing-cpp, then OpenCV's QRCodeDetector",
        ),
    ]
