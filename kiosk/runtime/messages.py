"""What a resident reads when something goes wrong: plain Chinese with English,
always saying what to do next. Errors are translated here, at one boundary.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.en if language == "en" else f"{self.zh}\n{self.en}"


class NotReady(Exception):
    reason = "not_ready"


_CALL_STAFF_ZH = "如需帮助，请按“呼叫工作人员”。"
_CALL_STAFF_EN = "For help, press “Call staff”."

# Keyed by a device error's ``reason`` or a platform error's ``code``.
_MESSAGES: dict[str, Message] = {
    "no_card": Message(
        "没有检测到身份证，请把身份证平放在感应区。",
        "No ID card found. Place your ID card flat on the reader.",
    ),
    "timeout": Message(
        "读卡超时，请取回身份证后重新放置。", "Reading timed out. Take the card and place it again."
    ),
    "unavailable": Message(
        "读卡器暂时无法使用。" + _CALL_STAFF_ZH,
        "The card reader is not available. " + _CALL_STAFF_EN,
    ),
    "read_failed": Message(
        "读卡失败，请不要移动身份证，重新放置后再试。",
        "The card could not be read. Place it again and keep it still.",
    ),
    "unsupported_card": Message(
        "暂不支持这种证件，请使用居民身份证或其他证件办理方式。",
        "This card type is not supported. Use a resident ID card.",
    ),
    "invalid_id_number": Message(
        "证件信息校验未通过。" + _CALL_STAFF_ZH,
        "The card's data failed its check. " + _CALL_STAFF_EN,
    ),
    "resident_not_found": Message(
        "平台上没有找到您的信息。" + _CALL_STAFF_ZH,
        "Your record was not found on the platform. " + _CALL_STAFF_EN,
    ),
    "identity_mismatch": Message(
        "证件信息与平台记录不一致。" + _CALL_STAFF_ZH,
        "The card does not match the platform's record. " + _CALL_STAFF_EN,
    ),
    "no_records": Message(
        "没有查到可出具证明的记录，请到窗口咨询。",
        "No records were found for this certificate. Please ask at a counter.",
    ),
    "platform_unavailable": Message(
        "暂时无法连接政务服务平台，请稍后再试。" + _CALL_STAFF_ZH,
        "The government platform cannot be reached now. Try again later. " + _CALL_STAFF_EN,
    ),
    "not_ready": Message(
        "终端正在启动，请稍候再试。", "The terminal is starting. Please wait a moment."
    ),
    "paper_out": Message(
        "凭条打印机缺纸，凭条已显示在屏幕上，请用手机拍照保存。",
        "The receipt printer is out of paper. The receipt is shown on screen: take a photo of it.",
    ),
}
_FALLBACK = Message(
    "出现了问题，您的信息没有丢失。请重试，或按“呼叫工作人员”。",
    "Something went wrong; nothing you entered is lost. Try again or press “Call staff”.",
)


def message_for(exc: BaseException) -> Message:
    for key in (getattr(exc, "code", None), getattr(exc, "reason", None)):
        if isinstance(key, str) and key in _MESSAGES:
            return _MESSAGES[key]
    if type(exc).__name__ == "PlatformUnavailable":
        return _MESSAGES["platform_unavailable"]
    return _FALLBACK


def message(key: str) -> Message:
    return _MESSAGES[key]
