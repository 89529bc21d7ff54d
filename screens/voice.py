"""Voice guidance for every screen (长辈模式, or the speaker button in normal mode).

The navigator calls :meth:`VoiceGuide.screen_shown` when a screen appears: the
screen's own ``spoken_text()`` if it has one, else the prompt from
:data:`SCREEN_PROMPTS`, is said through ``kiosk.voice.Voice`` (espeak-ng), cutting
off whatever was still being said. ``repeat`` says it again (再听一遍);
``change_volume`` is 音量 − / + (the prompt again at the new volume); ``reset`` at the
end of every visit stops speech and restores the configured volume.

Output follows the ``voice:`` settings: the default sound device, or one WAV
file per prompt in ``wav_dir`` (``NN-screen.wav``; tests and ``kiosk demo
--elder`` check them), with ``prompts.json`` listing what each file says.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from kiosk.voice import Voice, VoiceUnavailable
from kiosk.voice.speaker import VoiceSettings

if TYPE_CHECKING:
    from kiosk.config.settings import VoiceOutputSettings
    from kiosk.runtime.core import KioskCore

log = structlog.get_logger(__name__)


def _item_name(core: KioskCore) -> str:
    item = core.current_item
    return core.item_name(item) if item is not None else ""


# What each screen says when it appears (Chinese source text; English via gettext).
SCREEN_PROMPTS: dict[str, Callable[[KioskCore], str]] = {
    "home": lambda core: core.t("请选择要办理的事项。也可以按“搜索事项”查找。"),
    "service_start": lambda core: core.t("{name}。请看办理须知，准备好后按“开始办理”。").format(
        name=_item_name(core)
    ),
    "identify": lambda core: core.t("请将身份证放在读卡区。也可以按“改用电子身份码”扫码。"),
    "identify_method": lambda core: core.t(
        "读卡成功。请在屏幕上再选一种方式确认是您本人，也可以呼叫工作人员。"
    ),
    "face_consent": lambda core: core.t(
        "刷脸核验会拍摄您的面部，只用于确认本人，核验后立即删除。不同意也可以改用其他方式。"
    ),
    "face": lambda core: core.t("请正对摄像头。"),
    "ecode": lambda core: core.t("请打开手机上的电子身份证或电子社保卡二维码，对准扫码口。"),
    "sscard_pin": lambda core: core.t("请插入社保卡，再用数字键输入 6 位密码。"),
    "steps": lambda core: core.t("请选择证明的期间。"),
    "confirm": lambda core: core.t("请核对信息，无误后按“确认打印”。"),
    "result": lambda core: core.t("办理完成，请取走证明、凭条和身份证。"),
    "evaluate": lambda core: core.t("请为本次服务评价。"),
    "verify": lambda core: core.t("请把证明上的二维码对准扫码口。"),
    "verify_result": lambda core: core.t("核验结果已显示在屏幕上。"),
    "guide": lambda core: core.t("请输入要找的事项，例如“社保”，或拼音首字母。"),
    "status": lambda core: core.t("请选择查询方式。"),
    "records": lambda core: core.t("查询结果已显示在屏幕上。"),
    "payment": lambda core: core.t("请选择缴费内容。"),
    "payment_result": lambda core: core.t("请用手机扫码付款。"),
}


class VoiceGuide:
    def __init__(self, settings: VoiceOutputSettings) -> None:
        self.settings = settings
        self.wav_dir: Path | None = settings.wav_dir if settings.output == "wav" else None
        self.spoken: list[dict[str, str]] = []  # what was said (WAV output only)
        try:
            self.voice: Voice | None = Voice(
                VoiceSettings(volume=settings.volume, rate=settings.rate)
            )
        except VoiceUnavailable:
            log.warning("voice_unavailable")
            self.voice = None
        self._last_tag = ""
        self._screen_tag = ""  # the screen the last prompt belongs to

    @property
    def available(self) -> bool:
        return self.voice is not None

    def prompt_for(self, core: KioskCore, name: str, screen: Any) -> str:
        own = getattr(screen, "spoken_text", None)
        if callable(own):
            text = str(own())
            if text:
                return text
        prompt = SCREEN_PROMPTS.get(name)
        return prompt(core) if prompt is not None else ""

    def screen_shown(self, core: KioskCore, name: str, screen: Any) -> None:
        self._screen_tag = name
        self.say(self.prompt_for(core, name, screen), core.language, name)

    def say(self, text: str, language: str, tag: str) -> None:
        voice = self.voice
        if voice is None or not text.strip():
            return
        voice.set_language("en" if language == "en" else "zh_CN")
        self._last_tag = tag
        if self.wav_dir is not None:
            path = self.wav_dir / f"{len(self.spoken) + 1:02d}-{tag}.wav"
            voice.settings = replace(voice.settings, wav_path=path)
            self.spoken.append({"file": path.name, "screen": tag, "text": text})
            self.wav_dir.mkdir(parents=True, exist_ok=True)
            (self.wav_dir / "prompts.json").write_text(
                json.dumps(self.spoken, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        voice.say(text)

    def repeat(self, language: str) -> bool:
        voice = self.voice
        if voice is None or voice.last_text is None:
            return False
        self.say(voice.last_text, language, f"{self._last_tag}-repeat")
        return True

    @property
    def volume(self) -> int | None:
        return None if self.voice is None else self.voice.settings.volume

    def change_volume(self, step: int, language: str) -> int | None:
        """音量 − / +: one step softer (step < 0) or louder, heard at once: the last
        prompt again at the new volume. ``reset`` restores the configured volume."""
        voice = self.voice
        if voice is None:
            return None
        volume = voice.louder() if step > 0 else voice.softer()
        if voice.last_text is not None:
            self.say(voice.last_text, language, f"{self._screen_tag}-volume")
        return volume

    def stop(self) -> None:
        if self.voice is not None:
            self.voice.stop()

    def reset(self) -> None:
        """End of a visit: silence and the default volume and language again."""
        if self.voice is not None:
            self.voice.reset()
