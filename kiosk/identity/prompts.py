"""What the camera screen says while it looks at a resident, keyed by a stable code."""

from __future__ import annotations

import enum

from kiosk.runtime.messages import Message


class Prompt(enum.StrEnum):
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    TOO_SMALL = "too_small"
    BLURRY = "blurry"
    TOO_DARK = "too_dark"
    OVEREXPOSED = "overexposed"
    NOT_FACING = "not_facing"
    HEAD_TILTED = "head_tilted"
    BLINK = "blink"
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"
    CHECKING = "checking"
    LIVENESS_FAILED = "liveness_failed"


PROMPTS: dict[Prompt, Message] = {
    Prompt.NO_FACE: Message("请正对摄像头", "Please face the camera"),
    Prompt.SEVERAL_FACES: Message("请一人操作，其他人请离开画面", "One person at a time, please"),
    Prompt.TOO_SMALL: Message("请靠近一些", "Please come a little closer"),
    Prompt.BLURRY: Message("请保持不动", "Please hold still"),
    Prompt.TOO_DARK: Message("光线太暗", "It is too dark"),
    Prompt.OVEREXPOSED: Message("光线太强，请避开强光", "Too bright: please avoid the glare"),
    Prompt.NOT_FACING: Message("请正对摄像头", "Please face the camera"),
    Prompt.HEAD_TILTED: Message("请平视摄像头", "Please look straight at the camera"),
    Prompt.BLINK: Message("请眨眨眼", "Please blink"),
    Prompt.TURN_LEFT: Message("请向左转头", "Please turn your head to the left"),
    Prompt.TURN_RIGHT: Message("请向右转头", "Please turn your head to the right"),
    Prompt.CHECKING: Message("正在核验，请稍候", "Checking, please wait"),
    Prompt.LIVENESS_FAILED: Message(
        "未能完成活体检测。可重试，或改用社保卡密码、电子身份码，或呼叫工作人员。",
        "The live check did not pass. Try again, or use your social-security card PIN, "
        "your e-ID code, or call staff.",
    ),
}
