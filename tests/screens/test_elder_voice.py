"""The voice guide (screens/voice.py) with real espeak-ng, synthesised to WAV files:
one prompt per screen, repeat, a new prompt interrupts, 音量 + / −, reset restores the
volume."""

from __future__ import annotations

import array
import json
import math
import wave
from pathlib import Path
from types import SimpleNamespace

from kiosk.config.settings import VoiceOutputSettings
from screens.voice import SCREEN_PROMPTS, VoiceGuide


def seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


class FakeCore:
    """Only what the prompts read: translation and the chosen item (none)."""

    language = "zh_CN"
    current_item = None

    def t(self, text: str) -> str:
        return text


def guide(tmp_path: Path) -> VoiceGuide:
    return VoiceGuide(VoiceOutputSettings(output="wav", wav_dir=tmp_path, volume=100))


def test_every_screen_prompt_becomes_a_wav(tmp_path: Path) -> None:
    voice = guide(tmp_path)
    core = FakeCore()
    voice.screen_shown(core, "confirm", SimpleNamespace())  # type: ignore[arg-type]
    assert voice.voice is not None and voice.voice.wait(20)
    voice.screen_shown(core, "face", SimpleNamespace(spoken_text=lambda: "请眨眨眼"))  # type: ignore[arg-type]
    assert voice.voice.wait(20)
    assert voice.repeat("zh_CN")
    assert voice.voice.wait(20)
    listed = json.loads((tmp_path / "prompts.json").read_text(encoding="utf-8"))
    assert [p["screen"] for p in listed] == ["confirm", "face", "face-repeat"]
    assert listed[1]["text"] == "请眨眨眼" == listed[2]["text"]
    for prompt in listed:
        assert seconds(tmp_path / prompt["file"]) > 0.4


def test_a_new_prompt_interrupts_and_reset_restores_volume(tmp_path: Path) -> None:
    voice = guide(tmp_path)
    assert voice.voice is not None
    voice.voice.set_volume(180)
    voice.say("请核对信息，无误后按确认打印。" * 20, "zh_CN", "long")
    first = voice.voice.process
    voice.say("请选择证明的期间。", "zh_CN", "next")
    assert first is not None and first.poll() is not None  # stopped, not left talking
    voice.reset()
    assert voice.voice.settings.volume == 100 and voice.voice.last_text is None
    assert not voice.voice.speaking


def test_prompts_exist_for_the_new_screens() -> None:
    for name in ("identify_method", "face_consent", "ecode", "verify", "guide"):
        assert SCREEN_PROMPTS[name](FakeCore()).strip()  # type: ignore[arg-type]


def rms(path: Path) -> float:
    with wave.open(str(path)) as wav:
        frames = wav.readframes(wav.getnframes())
    samples = array.array("h", frames)
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def test_volume_buttons_are_heard_and_reset_after_the_visit(tmp_path: Path) -> None:
    """音量 + / −: the prompt again at once, louder or softer in the WAV itself; the
    end of the visit restores the configured volume."""
    voice = guide(tmp_path)
    core = FakeCore()
    voice.screen_shown(core, "steps", SimpleNamespace())  # type: ignore[arg-type]
    assert voice.voice is not None and voice.voice.wait(20)
    assert voice.change_volume(+1, "zh_CN") == 125
    assert voice.voice.wait(20)
    assert voice.change_volume(-1, "zh_CN") == 100
    assert voice.change_volume(-1, "zh_CN") == 75
    assert voice.voice.wait(20)
    listed = json.loads((tmp_path / "prompts.json").read_text(encoding="utf-8"))
    assert [p["screen"] for p in listed] == ["steps"] + ["steps-volume"] * 3
    normal, louder, softer = (rms(tmp_path / listed[i]["file"]) for i in (0, 1, 3))
    assert louder > normal * 1.1 and softer < normal * 0.9
    voice.reset()
    assert voice.volume == 100
