"""Real espeak-ng: synthesised to WAV files and measured with sox and ``wave``."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import wave
from pathlib import Path

from kiosk.voice import Voice, VoiceSettings

PROMPT = "请把身份证放在感应区上"


def duration_s(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def rms(path: Path) -> float:
    if shutil.which("sox") is None:
        import numpy as np

        with wave.open(str(path)) as wav:
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        return float(np.sqrt(np.mean((samples / 32768.0) ** 2)))
    stat = subprocess.run(
        ["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True
    ).stderr
    match = re.search(r"RMS\s+amplitude:\s+([0-9.]+)", stat)
    assert match, stat
    return float(match.group(1))


def spoken(tmp_path: Path, text: str, **settings: object) -> Path:
    wav = tmp_path / "out.wav"
    voice = Voice(VoiceSettings(wav_path=wav, **settings))  # type: ignore[arg-type]
    voice.say(text)
    assert voice.wait(30)
    assert voice.process is not None and voice.process.returncode == 0
    return wav


def test_chinese_prompt_is_audible_and_about_as_long_as_speech(tmp_path: Path) -> None:
    wav = spoken(tmp_path, PROMPT)
    seconds = duration_s(wav)
    assert 0.15 * len(PROMPT) < seconds < 1.0 * len(PROMPT)  # 0.15–1 s per character
    assert rms(wav) > 0.02


def test_english_voice_and_volume(tmp_path: Path) -> None:
    quiet = rms(
        spoken(tmp_path / "q", "Please place your ID card on the reader.", language="en", volume=40)
    )
    loud = rms(
        spoken(
            tmp_path / "l", "Please place your ID card on the reader.", language="en", volume=160
        )
    )
    assert 0 < quiet < loud


def test_a_new_prompt_cuts_the_old_one_and_stop_kills_it(tmp_path: Path) -> None:
    voice = Voice(VoiceSettings(wav_path=tmp_path / "long.wav"))
    voice.say(PROMPT * 400)  # far longer than the test waits
    first = voice.process
    voice.say("请稍候")
    assert first is not None and first.returncode == -signal.SIGKILL
    second = voice.process
    voice.say(PROMPT * 400)
    third = voice.process
    assert second is not None and second.returncode is not None
    voice.stop()
    assert third is not None and third.returncode == -signal.SIGKILL
    assert not voice.speaking


def test_repeat_volume_steps_and_reset(tmp_path: Path) -> None:
    voice = Voice(VoiceSettings(wav_path=tmp_path / "r.wav"))
    assert voice.repeat() is False
    voice.say(PROMPT)
    assert voice.wait(30)
    (tmp_path / "r.wav").unlink()
    assert voice.repeat() is True
    assert voice.wait(30) and (tmp_path / "r.wav").stat().st_size > 1000
    assert voice.louder() == 125 and voice.louder() == 150
    assert voice.set_volume(999) == 200 and voice.set_volume(-5) == 10
    voice.set_language("en")
    voice.reset()
    assert voice.settings == VoiceSettings(wav_path=tmp_path / "r.wav")
    assert voice.last_text is None and voice.repeat() is False


def test_the_text_is_not_on_the_command_line(tmp_path: Path) -> None:
    voice = Voice(VoiceSettings(wav_path=tmp_path / "x.wav"))
    assert not any("张秀英" in part for part in voice.command())
    voice.say("张秀英您好")
    assert voice.process is not None and "张秀英" not in " ".join(voice.process.args)  # type: ignore[arg-type]
    assert voice.wait(30)
