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
    # Offline: say what still works here and what does not.
    "platform_unavailable": Message(
        "暂时连不上政务服务平台：打印证明、查询和缴费现在都办不了，请稍后再试。办事指南仍可查看。",
        "The government platform cannot be reached: certificates, queries and payments "
        "must wait; try again later. Service guides still work.",
    ),
    "no_records_query": Message(
        "没有查到您的这类记录。如有疑问，请到窗口咨询或按“呼叫工作人员”。",
        "No records of this kind were found for you. Ask at a counter or press “Call staff”.",
    ),
    "application_not_found": Message(
        "没有找到这个办件编号，请核对回执上的编号后重新输入。",
        "No application has this reference. Check the number on your receipt and try again.",
    ),
    "bad_reference": Message(
        "办件编号应为 2 个字母加 14 位数字（如 TB20261118000417），请核对后重新输入。",
        "A reference is 2 letters and 14 digits (e.g. TB20261118000417). Check it and try again.",
    ),
    "no_applications": Message(
        "没有查到您名下的办件。如有回执，请按“输入办件编号”查询。",
        "No applications were found in your name. If you have a receipt, enter its reference.",
    ),
    "payment_expired": Message(
        "付款码已过期，本次没有扣款。请按“重新生成付款码”再试。",
        "The payment code has expired and nothing was charged. "
        "Press “New payment code” to try again.",
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
