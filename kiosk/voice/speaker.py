"""Offline voice guidance with espeak-ng: every prompt can be heard, repeated, cut short.

``Voice.say(text)`` starts an ``espeak-ng`` process and returns at once; a new
prompt stops the one still speaking (interruptible), ``repeat()`` says the last
prompt again, ``stop()`` kills the process, the volume is adjustable
(``louder()``/``softer()``/``set_volume``) and ``reset()`` — called at the end of
every visit — stops speech and restores the defaults, so the next resident does
not inherit the previous one's volume or language.

The text goes to espeak-ng on stdin, never on its command line (prompts may
carry a resident's name, and command lines are visible to every process).
Audio goes to the default device, or to a WAV file when ``wav_path`` is set
(tests, diagnostics). Voices: ``cmn`` (Mandarin) and ``en``.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

VOICES = {"zh_CN": "cmn", "en": "en"}
MIN_VOLUME, MAX_VOLUME, VOLUME_STEP = 10, 200, 25


class VoiceUnavailable(RuntimeError):
    """espeak-ng is not installed."""


@dataclass(frozen=True)
class VoiceSettings:
    language: str = "zh_CN"
    volume: int = 100  # espeak-ng amplitude, 0..200
    rate: int = 150  # words per minute; a little slower than espeak's 175 for elderly listeners
    wav_path: Path | None = None


class Voice:
    def __init__(self, settings: VoiceSettings | None = None, *, binary: str = "espeak-ng") -> None:
        found = shutil.which(binary)
        if found is None:
            raise VoiceUnavailable(f"{binary} not found")
        self.binary = found
        self.defaults = settings or VoiceSettings()
        self.settings = self.defaults
        self.last_text: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    # --- speaking -----------------------------------------------------------------------------

    def command(self) -> list[str]:
        s = self.settings
        voice = VOICES.get(s.language, "cmn")
        command = [self.binary, "-v", voice, "-a", str(s.volume), "-s", str(s.rate), "--stdin"]
        if s.wav_path is not None:
            command += ["-w", str(s.wav_path)]
        return command

    def say(self, text: str) -> None:
        """Speak ``text`` (cutting off anything still being said); returns at once."""
        text = text.strip()
        if not text:
            return
        with self._lock:
            self._stop_locked()
            self.last_text = text
            if self.settings.wav_path is not None:
                self.settings.wav_path.parent.mkdir(parents=True, exist_ok=True)
            process = subprocess.Popen(
                self.command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self._process = process
        threading.Thread(
            target=_feed, args=(process, text.encode("utf-8")), name="voice-feed", daemon=True
        ).start()
        log.info("voice.say", chars=len(text), language=self.settings.language)

    def repeat(self) -> bool:
        """Say the last prompt again; False when there is none."""
        if self.last_text is None:
            return False
        self.say(self.last_text)
        return True

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.kill()
        process.wait()
        log.info("voice.stopped")

    @property
    def speaking(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    def wait(self, timeout: float) -> bool:
        """Wait until the current prompt has been said; True if it finished in time."""
        process = self._process
        if process is None:
            return True
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self._process

    # --- settings -----------------------------------------------------------------------------

    def set_volume(self, volume: int) -> int:
        self.settings = replace(self.settings, volume=max(MIN_VOLUME, min(MAX_VOLUME, int(volume))))
        return self.settings.volume

    def louder(self) -> int:
        return self.set_volume(self.settings.volume + VOLUME_STEP)

    def softer(self) -> int:
        return self.set_volume(self.settings.volume - VOLUME_STEP)

    def set_language(self, language: str) -> None:
        if language not in VOICES:
            raise ValueError(f"no voice for {language!r}")
        self.settings = replace(self.settings, language=language)

    def reset(self) -> None:
        """End of a visit: silence, defaults back, nothing remembered."""
        self.stop()
        self.settings = self.defaults
        self.last_text = None


def _feed(process: subprocess.Popen[bytes], data: bytes) -> None:
    stdin = process.stdin
    if stdin is None:
        return
    try:
        stdin.write(data)
        stdin.close()
    except (BrokenPipeError, OSError, ValueError):
        pass  # stopped before it had read everything
