"""Errors the platform client raises; foreign exceptions never leave the client.

PlatformError            base: .code (machine), .message (中文), .message_en
├── PlatformUnavailable  cannot connect, timed out, or 5xx after retries
├── NotFound             404 with the server's code (resident_not_found, no_records …)
└── Rejected             any other 4xx with the server's code (identity_mismatch …)
"""

from __future__ import annotations


class PlatformError(Exception):
    def __init__(self, code: str, message: str, message_en: str, *, status: int | None = None):
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.status = status


class PlatformUnavailable(PlatformError):
    def __init__(self, message_en: str, *, status: int | None = None) -> None:
        super().__init__(
            "platform_unavailable",
            "暂时无法连接政务服务平台，请稍后再试，或到人工窗口办理。",
            message_en,
            status=status,
        )


class NotFound(PlatformError):
    pass


class Rejected(PlatformError):
    pass
