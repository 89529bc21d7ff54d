"""Offline voice guidance (espeak-ng)."""

from kiosk.voice.speaker import Voice, VoiceSettings, VoiceUnavailable

__all__ = ["Voice", "VoiceSettings", "VoiceUnavailable"]
