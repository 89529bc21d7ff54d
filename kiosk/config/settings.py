"""Typed model of the kiosk's effective configuration.

Every layer (packaged defaults, site file, pushed bundle, local overrides) is
validated against these models after merging, so a wrong value anywhere is
reported with its key and the file it came from.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class SiteType(StrEnum):
    COMMUNITY = "community"
    BANK = "bank"
    POST_OFFICE = "post_office"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TerminalSettings(_Section):
    terminal_id: str = Field(min_length=1, max_length=64)
    site_name: str = Field(min_length=1)
    # Shown in the header of English screens; empty: the Chinese name. Receipts, forms and
    # reports always use site_name.
    site_name_en: str = ""
    site_type: SiteType
    region_code: str = Field(pattern=r"^\d{6}$")
    data_dir: Path


class PlatformSettings(_Section):
    # Empty: start the embedded reference platform on 127.0.0.1.
    url: str = ""
    api_key: SecretStr = SecretStr("")
    connect_timeout_s: float = Field(default=2.0, gt=0)
    read_timeout_s: float = Field(default=8.0, gt=0)
    retries: int = Field(default=2, ge=0, le=10)
    # TLS: a CA bundle to verify the platform against (empty: the system's), and optional
    # SHA-256 pins of the server's SubjectPublicKeyInfo (hex or base64, comma-separated).
    ca_file: str = ""
    pin_sha256: str = ""


class IdCardSettings(_Section):
    # "emulator" runs the GA 467 card emulator on a pty and reads it with the real driver.
    port: str = "emulator"
    baud: int = Field(default=115200, gt=0)
    timeout_s: float = Field(default=3.0, gt=0)
    poll_interval_s: float = Field(default=0.5, gt=0)


class ReceiptPrinterSettings(_Section):
    # "virtual" starts the built-in ESC/POS sink; otherwise tcp://HOST:PORT or serial:/dev/...
    connection: str = "virtual"
    profile: Literal["58mm", "80mm"] = "80mm"


class A4PrinterSettings(_Section):
    # "spool" writes PDFs to data_dir/a4-spool; otherwise the name of a CUPS queue.
    queue: str = "spool"


class QrScannerSettings(_Section):
    # "emulator" runs the QR-scanner emulator on a pty and reads it with the real driver.
    port: str = "emulator"
    baud: int = Field(default=9600, gt=0)


class SocialSecurityCardSettings(_Section):
    # The PC/SC reader for 社保卡 + 密码: "none" (the method is not offered), "virtual"
    # (a private pcscd with vpcd and the sample cards behind it: the real driver runs),
    # "auto" (the first reader pcscd lists) or a reader's exact PC/SC name.
    reader: str = "none"


class DeviceSettings(_Section):
    health_interval_s: float = Field(default=10.0, gt=0)
    idcard: IdCardSettings = IdCardSettings()
    qr_scanner: QrScannerSettings = QrScannerSettings()
    sscard: SocialSecurityCardSettings = SocialSecurityCardSettings()
    receipt_printer: ReceiptPrinterSettings = ReceiptPrinterSettings()
    a4_printer: A4PrinterSettings = A4PrinterSettings()


class SessionSettings(_Section):
    idle_timeout_s: float = Field(default=90, ge=20)
    warning_s: float = Field(default=25, ge=20)
    elder_idle_timeout_s: float = Field(default=180, ge=20)


class UiSettings(_Section):
    language: Literal["zh_CN", "en"] = "zh_CN"
    fullscreen: bool = False
    width: int = Field(default=1280, ge=640)
    height: int = Field(default=800, ge=480)
    announcement: str = ""


class FaceQualitySettings(_Section):
    min_face_px: int = Field(default=64, ge=32)
    min_sharpness: float = Field(default=40.0, ge=0)
    min_brightness: float = Field(default=60.0, ge=0, le=255)
    max_overexposed_fraction: float = Field(default=0.25, gt=0, le=1)
    max_yaw_deg: float = Field(default=25.0, gt=0, le=90)
    max_pitch_deg: float = Field(default=25.0, gt=0, le=90)


class LivenessSettings(_Section):
    # A blink: the eye aspect ratio falls to this share of the open-eye baseline.
    blink_ratio: float = Field(default=0.75, gt=0, lt=1)
    min_closed_frames: int = Field(default=3, ge=1)
    # The head-turn challenge: yaw change (degrees) from the frontal baseline.
    turn_deg: float = Field(default=12.0, gt=0, le=60)
    max_frames: int = Field(default=150, ge=10)
    deadline_s: float = Field(default=20.0, gt=0)


class FaceCameraSettings(_Section):
    # opencv:INDEX or opencv:/dev/videoN for a real camera; playback:PATH plays images/video;
    # synthetic:PHOTO (inside the shared data folder) is the simulated resident, who blinks
    # and turns as asked (kiosk/runtime/simulation.py).
    source: str = Field(default="opencv:0", pattern=r"^(opencv|playback|synthetic):.+$")
    fps: float = Field(default=15.0, gt=0)


class OpenCvFaceSettings(_Section):
    # A relative path is taken inside the packaged config/models/ folder.
    yunet_model: Path = Path("face_detection_yunet_2023mar.onnx")
    # Empty: no SFace recogniser, so this engine detects but cannot verify.
    sface_model: Path | None = None
    # Distance = 1 − cosine; OpenCV's published cosine cut-off 0.363.
    threshold: float = Field(default=0.637, gt=0, lt=2)


class FaceSettings(_Section):
    engine: Literal["dlib", "opencv"] = "dlib"
    # dlib: Euclidean distance of ResNet embeddings; calibrated in docs/face.md.
    threshold: float = Field(default=0.51, gt=0, lt=2)
    dlib_upsample: int = Field(default=0, ge=0, le=2)
    # Padding of each aligned crop the dlib embedding averages; the threshold is calibrated
    # for these (docs/face.md): change them only together with a re-calibration.
    dlib_paddings: tuple[Annotated[float, Field(ge=0, le=1)], ...] = Field(
        default=(0.1, 0.25, 0.4), min_length=1, max_length=5
    )
    # The ID card chip's photo as the reference instead of the platform's: a command (the
    # vendor's WLT decoder, wrapped) that reads the card's 1024-byte WLT photo on stdin and
    # writes the decoded image (BMP, PNG or JPEG) on stdout. Empty: the platform's photo.
    chip_photo_decoder: tuple[str, ...] = ()
    chip_photo_timeout_s: float = Field(default=5.0, gt=0, le=30)
    opencv: OpenCvFaceSettings = OpenCvFaceSettings()
    quality: FaceQualitySettings = FaceQualitySettings()
    liveness: LivenessSettings = LivenessSettings()
    camera: FaceCameraSettings = FaceCameraSettings()


class VoiceOutputSettings(_Section):
    # Voice guidance (espeak-ng): always on in 长辈模式, on request (speaker button) otherwise.
    # output "device": the default sound device; "wav": one WAV file per prompt in wav_dir.
    output: Literal["device", "wav"] = "device"
    wav_dir: Path | None = None
    volume: int = Field(default=100, ge=10, le=200)
    rate: int = Field(default=150, ge=80, le=300)


class Settings(_Section):
    terminal: TerminalSettings
    platform: PlatformSettings = PlatformSettings()
    devices: DeviceSettings = DeviceSettings()
    session: SessionSettings = SessionSettings()
    ui: UiSettings = UiSettings()
    face: FaceSettings = FaceSettings()
    voice: VoiceOutputSettings = VoiceOutputSettings()
