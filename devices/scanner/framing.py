"""Serial QR scanners send the decoded text, maybe a prefix, then a suffix (CR or CRLF).

Pure functions: ``ScanAssembler`` cuts the byte stream into scans and resynchronises
after noise; ``decode_scan`` turns one scan's bytes into text or a typed error.
"""

from __future__ import annotations

import unicodedata

from devices.scanner.errors import ScanGarbled, ScannerError, ScanTooLong

DEFAULT_MAX_LENGTH = 1024  # e-ID and payment codes are a few hundred bytes at most
LINE_ENDS = b"\r\n"  # either may trail or lead a scan when the suffix is the other one


class ScanAssembler:
    """Feed bytes, get complete scans (or the error that replaced one) in order.

    A run longer than ``max_length`` without a suffix is reported once as
    ``ScanTooLong`` and dropped up to the next suffix, so the next scan reads clean.
    """

    def __init__(self, suffix: bytes = b"\r", max_length: int = DEFAULT_MAX_LENGTH) -> None:
        if not suffix:
            raise ValueError("a scanner needs a suffix to cut scans")
        self.suffix = suffix
        self.max_length = max_length
        self._buffer = b""
        self._discarding = False

    def feed(self, chunk: bytes) -> list[bytes | ScannerError]:
        self._buffer += chunk
        out: list[bytes | ScannerError] = []
        while True:
            end = self._buffer.find(self.suffix)
            if end < 0:
                break
            scan, self._buffer = self._buffer[:end], self._buffer[end + len(self.suffix) :]
            if self._discarding:
                self._discarding = False
            elif len(scan) > self.max_length:
                out.append(ScanTooLong(f"scan of {len(scan)} bytes exceeds {self.max_length}"))
            else:
                out.append(scan)
        if not self._discarding and len(self._buffer) > self.max_length:
            out.append(ScanTooLong(f"no suffix within {self.max_length} bytes"))
            self._discarding = True
        if self._discarding:
            # Keep a possible partial suffix: the bytes after it are the next scan.
            self._buffer = self._buffer[-(len(self.suffix) - 1) :] if len(self.suffix) > 1 else b""
        return out


def decode_scan(raw: bytes, prefix: bytes = b"") -> str:
    """The text of one scan: UTF-8, else GB18030; prefix and stray line ends removed."""
    scan = raw.strip(LINE_ENDS)
    if prefix:
        start = scan.rfind(prefix)
        if start < 0:
            raise ScanGarbled("scan without the configured prefix")
        scan = scan[start + len(prefix) :]  # noise before the prefix is dropped
    if not scan:
        raise ScanGarbled("empty scan")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = scan.decode(encoding)
        except UnicodeDecodeError:
            continue
        if all(unicodedata.category(char)[0] != "C" for char in text):
            return text
        break  # decodes, but to control or unassigned characters: binary noise
    raise ScanGarbled(f"scan of {len(scan)} bytes is not text")
