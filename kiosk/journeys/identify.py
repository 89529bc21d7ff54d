"""Identification per the identity policy: the view-model of the identify screens.

After the ID card is read, a service whose assurance needs more (certificates,
payments: card + face, card + social-security-card PIN, or the e-ID code)
continues to a **method choice**. Face is never the only way: the choice always
shows a non-face method and calling staff; declining the separate face consent
withdraws face and leaves the others (``kiosk.identity.policy``). A resident may
also start with the e-ID code (电子身份证 / 电子社保卡) instead of the card.

The face check runs on a worker: frames from the configured camera go through
``verify`` (quality, liveness, match against the reference photo: the platform's,
or the card chip's when a decoder is configured, ``kiosk.identity.chip_photo``);
the screen gets the liveness prompt, a progress fraction and small preview frames
at a modest rate, all through ``dispatch``. Frames stay in memory and are dropped
with the decision; audit records carry no image or score.

Kivy-free: the screens in ``screens/pages/identify*.py``, ``face*.py`` and
``ecode.py`` drive it through ``core.identification``.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from devices.base import DeviceError, DeviceTimeout, DeviceUnavailable
from kiosk.identity.policy import (
    Assurance,
    ConsentRecord,
    IdentityAuditRecord,
    ProofMethod,
    assurance_for,
    audit_declined,
    audit_face,
    face_consent,
    is_satisfied,
    may_capture_face,
    options_for,
)
from kiosk.identity.prompts import PROMPTS, Prompt
from kiosk.runtime.messages import Message, message_for
from kiosk.session.machine import VisitState
from kiosk.session.visit import Identity

if TYPE_CHECKING:
    import numpy as np

    from kiosk.identity.face_verification import FaceDecision
    from kiosk.identity.liveness import LivenessProgress
    from kiosk.journeys.sscard_pin import SscardPinCheck
    from kiosk.runtime.core import KioskCore

log = structlog.get_logger(__name__)

CODE_TIMEOUT_S = 60.0
PREVIEW_INTERVAL_S = 0.12  # at most ~8 preview frames a second reach the UI thread
PREVIEW_MAX_WIDTH = 480


class Stage(enum.StrEnum):
    CARD = "card"  # put the ID card on the reader (or choose the e-ID code)
    METHOD = "method"  # the card is read; choose how to prove it is you
    CONSENT = "consent"  # the separate face notice: 同意 / 不同意
    FACE = "face"  # the camera
    CODE = "code"  # scan the e-ID code
    SSCARD = "sscard"  # insert the social-security card, enter its PIN


# The screen that shows each stage (screens/routing.py reads this through the core).
SCREENS = {
    Stage.CARD: "identify",
    Stage.METHOD: "identify_method",
    Stage.CONSENT: "face_consent",
    Stage.FACE: "face",
    Stage.CODE: "ecode",
    Stage.SSCARD: "sscard_pin",
}

FACE, SSCARD, CODE, STAFF = "face", "sscard", "code", "staff"


@dataclass(frozen=True)
class MethodOption:
    key: str  # face / sscard / code / staff
    title: str
    hint: str


@dataclass(frozen=True)
class FaceProgress:
    prompt: str  # what the screen shows and says, localised
    prompt_code: str  # the liveness prompt's stable code
    fraction: float  # 0..1 for the progress bar


@dataclass(frozen=True)
class PreviewFrame:
    """A small RGB copy of a camera frame, rows bottom-up (a Kivy texture's order)."""

    width: int
    height: int
    rgb: bytes


@dataclass(frozen=True)
class StepOutcome:
    ok: bool
    message: Message | None = None


MESSAGES = {
    "different_person": Message(
        "未能确认是您本人。您可以再试一次，或改用其他方式，或呼叫工作人员。",
        "We could not confirm it is you. Try again, use another way, or call staff.",
    ),
    "no_usable_probe": Message(
        "没有拍清楚您的面部。请正对摄像头、保持不动后再试，或改用其他方式。",
        "Your face could not be seen clearly. Face the camera, keep still and try again, "
        "or use another way.",
    ),
    "reference_unusable": Message(
        "无法取得您的证件照片，不能刷脸核验。请改用其他方式，或呼叫工作人员。",
        "Your ID photo is not available, so face checking cannot be used. "
        "Use another way or call staff.",
    ),
    "camera": Message(
        "摄像头暂时无法使用。请改用其他方式，或呼叫工作人员。",
        "The camera is not available. Use another way or call staff.",
    ),
    "code_timeout": Message(
        "没有扫到二维码。请打开手机上的电子身份证或电子社保卡二维码，对准扫码口，再按“重新扫码”。",
        "Nothing was scanned. Open the e-ID or e-social-security code on your phone, "
        "hold it to the scanner and press “Scan again”.",
    ),
    "code_not_recognised": Message(
        "未能识别这个二维码。请打开电子身份证或电子社保卡的二维码后再扫。",
        "This code was not recognised. Open your e-ID or e-social-security code and scan again.",
    ),
    "code_garbled": Message(
        "没有扫清楚，请把二维码放稳后再扫一次。",
        "The code was not read clearly. Hold it still and scan again.",
    ),
    "scanner": Message(
        "扫码器暂时无法使用。请改用其他方式，或呼叫工作人员。",
        "The scanner is not available. Use another way or call staff.",
    ),
    "code_other_person": Message(
        "电子身份码与身份证不是同一个人。请使用本人的电子身份码，或呼叫工作人员。",
        "The e-ID code belongs to someone other than the ID card. Use your own code or call staff.",
    ),
}


class IdentifyFlow:
    """One resident's identification for the chosen service; lives in the visit."""

    def __init__(self, core: KioskCore) -> None:
        self.core = core
        self.stage = Stage.CARD
        self.pending: Identity | None = None  # the card's holder, until the proof is enough
        self.has_reference_photo = True
        self.chip_photo: bytes | None = None  # the card's WLT photo, for a chip-photo decoder
        self.proven: set[ProofMethod] = set()
        self.consent: ConsentRecord | None = None
        self.audit: list[IdentityAuditRecord] = []
        self._cancel = threading.Event()
        self.listening = threading.Event()  # the scanner waits for the e-ID code
        self._sscard: SscardPinCheck | None = None

    # -- policy ----------------------------------------------------------------------
    @property
    def assurance(self) -> Assurance:
        item = self.core.current_item
        return assurance_for(item) if item is not None else Assurance.NONE

    @property
    def screen(self) -> str:
        return SCREENS[self.stage]

    def card_read(
        self, identity: Identity, has_reference_photo: bool = True, chip_photo: bytes | None = None
    ) -> bool:
        """The ID card was read and resolved: True when that is enough for the service,
        else the flow moves on to the method choice (and the identity waits here).
        ``chip_photo`` (the card's WLT photo) is kept only when a decoder is configured."""
        self.proven.add(ProofMethod.ID_CARD)
        if is_satisfied(self.assurance, self.proven):
            return True
        self.pending = identity
        decoder = bool(self.core.settings.face.chip_photo_decoder)
        self.chip_photo = chip_photo if decoder else None
        self.has_reference_photo = has_reference_photo or self.chip_photo is not None
        self._go(Stage.METHOD)
        return False

    def methods(self) -> list[MethodOption]:
        """What the method choice offers: face only while not declined (and the platform
        has the resident's photo), the PIN only with a PC/SC reader configured (and found),
        always calling staff."""
        t = self.t
        offered = options_for(self.assurance, self.consent).combinations
        wanted = {method for combination in offered for method in combination}
        options: list[MethodOption] = []
        if ProofMethod.FACE in wanted and self.has_reference_photo:
            options.append(
                MethodOption(FACE, t("刷脸核验"), t("看着摄像头，眨眨眼、转转头，约 10 秒"))
            )
        services = self.core.services
        reader = services is not None and services.sscard is not None
        if ProofMethod.SOCIAL_SECURITY_PIN in wanted and reader:
            options.append(MethodOption(SSCARD, t("社保卡+密码"), t("插入社保卡，输入密码")))
        if ProofMethod.E_ID in wanted:
            options.append(
                MethodOption(
                    CODE, t("扫码（电子身份证/电子社保卡）"), t("打开手机上的二维码，对准扫码口")
                )
            )
        options.append(MethodOption(STAFF, t("呼叫工作人员"), t("工作人员会来帮您核验")))
        return options

    def choose_method(self, key: str) -> None:
        if key == FACE:
            self._go(Stage.FACE if may_capture_face(self.consent) else Stage.CONSENT)
        elif key == CODE:
            self._go(Stage.CODE)
        elif key == SSCARD:
            self._go(Stage.SSCARD)
        elif key != STAFF:
            raise ValueError(f"method {key!r} is not offered here")

    def use_code_instead(self) -> None:
        """From the card page: identify with the e-ID code alone."""
        self.core.cancel_identify()
        self._go(Stage.CODE)

    def back(self) -> None:
        """One page back: to the method choice once the card is read, else to the card."""
        self.cancel()
        self._go(Stage.METHOD if self.pending is not None else Stage.CARD)

    @property
    def sscard(self) -> SscardPinCheck:
        """社保卡 + 密码 (``kiosk/journeys/sscard_pin.py``; imported on first use: pyscard)."""
        if self._sscard is None:
            from kiosk.journeys.sscard_pin import SscardPinCheck

            self._sscard = SscardPinCheck(self)
        return self._sscard

    # -- face ------------------------------------------------------------------------
    def answer_consent(self, granted: bool) -> None:
        """The separate answer to the face notice. Declining shows the other ways."""
        settings = self.core.settings
        item = self.core.current_item
        now = datetime.now()
        self.consent = face_consent(granted, settings.terminal.terminal_id, now)
        if granted:
            self._go(Stage.FACE)
            return
        self.record(
            audit_declined(
                terminal_id=settings.terminal.terminal_id,
                item_code=item.code if item else "",
                at=now,
            )
        )
        self._go(Stage.METHOD)

    @property
    def consent_rows(self) -> list[tuple[str, str]]:
        t = self.t
        return [
            (t("采集什么"), t("您的面部画面（摄像头拍摄的几秒视频）")),
            (t("为什么"), t("与您身份证上的照片比对，确认是您本人在办理")),
            (t("怎么保存"), t("画面只在本机内存中处理，不存盘、不上传，核验结束立即删除")),
            (t("不同意也可以"), t("可以改用社保卡、电子身份码，或请工作人员帮您核验")),
        ]

    def start_face(
        self,
        on_progress: Callable[[FaceProgress], None],
        on_preview: Callable[[PreviewFrame], None],
        on_done: Callable[[StepOutcome], None],
    ) -> None:
        """Open the camera and verify on a worker; callbacks on the UI thread."""
        if not may_capture_face(self.consent):
            raise RuntimeError("no face capture without the resident's consent")
        pending = self.pending
        if pending is None:
            raise RuntimeError("face verification needs the ID card read first")
        from kiosk.identity.liveness import random_challenge

        self._cancel.set()
        self._cancel = cancel = threading.Event()
        core = self.core
        challenge = random_challenge()
        language = core.language

        def post(fn: Callable[[], None]) -> None:
            core.post(lambda: None if cancel.is_set() else fn())

        shown: list[tuple[str, float]] = []

        def progress(p: LivenessProgress) -> None:
            view = face_progress(p, language)
            key = (view.prompt_code, view.fraction)
            if not shown or shown[-1] != key:  # only changes cross to the UI thread
                shown.append(key)
                post(lambda: on_progress(view))

        chip_photo = self.chip_photo

        def run() -> FaceDecision:
            from kiosk.identity.chip_photo import reference_photo
            from kiosk.identity.face_verification import verify

            services = core.require_services()
            engine = services.face_engine()
            try:
                camera = services.open_face_camera(challenge)
            except (DeviceError, OSError, ValueError) as exc:
                raise CameraProblem(str(exc)) from exc
            try:
                return verify(
                    reference_photo(
                        services.platform, pending.resident_id, chip_photo, core.settings.face
                    ),
                    _frames(camera, cancel, lambda f: post(lambda: on_preview(f))),
                    engine,
                    core.settings.face,
                    challenge=challenge,
                    on_progress=progress,
                )
            finally:
                camera.close()

        def done(decision: FaceDecision) -> None:
            if cancel.is_set():
                return
            self.record(
                audit_face(
                    matched=decision.match,
                    reason=decision.reason,
                    terminal_id=core.settings.terminal.terminal_id,
                    item_code=core.visit.item_code or "",
                    at=datetime.now(),
                )
            )
            core.audit("identity_verified", method="face", ok=bool(decision.match))
            if decision.match:
                self.proven.add(ProofMethod.FACE)
                on_done(StepOutcome(True))
                self.complete(pending)
                return
            on_done(StepOutcome(False, decision_message(decision.reason)))

        def failed(exc: BaseException) -> None:
            if cancel.is_set():
                return
            if isinstance(exc, CameraProblem):
                on_done(StepOutcome(False, MESSAGES["camera"]))
            elif getattr(exc, "code", None) == "no_reference_photo":
                self.has_reference_photo = False
                on_done(StepOutcome(False, MESSAGES["reference_unusable"]))
            else:
                on_done(StepOutcome(False, message_for(exc)))

        core.submit(run, done, failed)

    def cancel(self) -> None:
        """Stop the camera, the scan or the card watch (leaving the page, the visit ending)."""
        self._cancel.set()
        if self._sscard is not None:
            self._sscard.stop()

    # -- e-ID code -----------------------------------------------------------------------
    def scan_code(self, on_done: Callable[[StepOutcome], None]) -> None:
        """Wait for the e-ID code on the scanner and resolve it on the platform."""
        self._cancel.set()
        self._cancel = cancel = threading.Event()
        core = self.core
        pending = self.pending
        self.listening = listening = threading.Event()

        def run() -> Identity:
            services = core.require_services()
            code = services.read_code_when_scanned(cancel, CODE_TIMEOUT_S, listening)
            resolved = services.platform.resolve_code(code)
            return Identity(
                resident_id=resolved.resident_id,
                name=resolved.name,
                id_number="",  # the code does not carry the full number
                id_number_masked=resolved.id_number_masked,
                method="ecode",
            )

        def done(identity: Identity) -> None:
            if cancel.is_set():
                return
            if pending is not None and identity.resident_id != pending.resident_id:
                core.audit("identity_verified", method="ecode", ok=False)
                on_done(StepOutcome(False, MESSAGES["code_other_person"]))
                return
            core.audit("identity_verified", method="ecode", ok=True)
            self.proven.add(ProofMethod.E_ID)
            on_done(StepOutcome(True))
            if pending is not None:  # the card was read: keep its full identity
                identity = pending
            self.complete(identity)

        def failed(exc: BaseException) -> None:
            if not cancel.is_set():
                on_done(StepOutcome(False, code_message(exc)))

        core.submit(run, done, failed)

    def simulate_code(self, code: str) -> None:
        """Simulated devices only: hold an e-ID code to the emulated scanner."""
        services = self.core.services
        if services is not None and services.simulators.qr_scanner is not None:
            services.simulators.scan_code(code)

    # -- plumbing --------------------------------------------------------------------
    @property
    def t(self) -> Callable[[str], str]:
        return self.core.t

    def complete(self, identity: Identity) -> None:
        core = self.core
        if core.state is not VisitState.IDENTIFY:
            return
        self.pending = None
        core.visit.identity = identity
        core.machine.set_state(VisitState.STEPS)
        journey = core.journey
        if journey is not None:
            journey.on_identified()

    def _go(self, stage: Stage) -> None:
        if stage is not Stage.FACE:
            self._cancel.set()
        self.stage = stage
        self.core.refresh_screen()

    def record(self, record: IdentityAuditRecord) -> None:
        self.audit.append(record)
        log.info("identity_audit", **record.to_json())


class CameraProblem(Exception):
    reason = "camera"


def face_progress(progress: LivenessProgress, language: str) -> FaceProgress:
    if progress.turned:
        fraction = 0.9
    elif progress.blinked:
        fraction = 0.55
    elif progress.prompt is Prompt.BLINK:
        fraction = 0.2
    else:
        fraction = 0.05
    return FaceProgress(
        prompt=PROMPTS[progress.prompt].text(language).split("\n")[0],
        prompt_code=str(progress.prompt),
        fraction=fraction,
    )


def decision_message(reason: str | None) -> Message:
    code = (reason or "").split(":", 1)[0]
    if code == "liveness_failed":
        return PROMPTS[Prompt.LIVENESS_FAILED]
    return MESSAGES.get(code, MESSAGES["different_person"])


def code_message(exc: BaseException) -> Message:
    from devices.scanner.errors import ScannerError

    if getattr(exc, "code", None) == "code_not_recognised":
        return MESSAGES["code_not_recognised"]
    if isinstance(exc, ScannerError):
        return MESSAGES["code_garbled"]
    if isinstance(exc, DeviceTimeout):
        return MESSAGES["code_timeout"]
    if isinstance(exc, DeviceUnavailable):
        return MESSAGES["scanner"]
    return message_for(exc)


def preview_of(frame: np.ndarray) -> PreviewFrame:
    """A small RGB copy, bottom-up; the camera frame itself is not kept."""
    import cv2
    import numpy as np

    height, width = frame.shape[:2]
    if width > PREVIEW_MAX_WIDTH:
        scale = PREVIEW_MAX_WIDTH / width
        frame = cv2.resize(frame, (PREVIEW_MAX_WIDTH, max(1, int(height * scale))))
    # Mirror it, as residents expect to see themselves.
    rgb = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)[::-1, ::-1])
    return PreviewFrame(width=rgb.shape[1], height=rgb.shape[0], rgb=rgb.tobytes())


def _frames(
    camera: object, cancel: threading.Event, on_preview: Callable[[PreviewFrame], None]
) -> Iterator[np.ndarray]:
    """The camera's frames until it stops or the page is left; a preview now and then."""
    last = 0.0
    read = camera.read  # type: ignore[attr-defined]
    while not cancel.is_set():
        try:
            frame = read()
        except DeviceError:
            return
        now = time.monotonic()
        if now - last >= PREVIEW_INTERVAL_S:
            last = now
            on_preview(preview_of(frame))
        yield frame
