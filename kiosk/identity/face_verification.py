"""1:1 face verification: quality → liveness → embedding of the best live frame → match.

Privacy (人脸识别技术应用安全管理办法, GB/T 41819): frames are held in memory
only, the one best frame is copied and its buffer zeroed after the decision,
embeddings too; nothing is written to disk or logged. The reference photo is
fetched only after liveness has passed (GB/T 38671: a failed liveness check
stops processing).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from devices.face.geometry import mean_eye_aspect_ratio
from devices.face.model import FaceBox, FaceEngine, Landmarks
from devices.face.quality import QualityIssue, QualityLimits, QualityReport, assess
from kiosk.config.settings import FaceSettings
from kiosk.identity.engines import threshold_for
from kiosk.identity.liveness import (
    LivenessProgress,
    LivenessSession,
    LivenessState,
    TurnDirection,
)
from kiosk.identity.prompts import Prompt

ReferenceImage = bytes | np.ndarray | Callable[[], bytes]


class DecisionReason(enum.StrEnum):
    DIFFERENT_PERSON = "different_person"
    LIVENESS_FAILED = "liveness_failed"
    NO_USABLE_PROBE = "no_usable_probe"
    REFERENCE_UNUSABLE = "reference_unusable"


@dataclass(frozen=True, kw_only=True)
class FaceDecision:
    match: bool
    score: float  # the engine's distance; lower is more alike; NaN when nothing was compared
    threshold: float
    engine: str
    reason: str | None = None

    @property
    def decided(self) -> bool:
        """True when two faces were compared (match or not), false when verification stopped."""
        return self.reason is None or self.reason == DecisionReason.DIFFERENT_PERSON


@dataclass(frozen=True, kw_only=True)
class FrameAnalysis:
    box: FaceBox | None
    landmarks: Landmarks | None
    quality: QualityReport | None
    issue: QualityIssue | None


def analyse(
    frame: np.ndarray, engine: FaceEngine, limits: QualityLimits, *, largest: bool = False
) -> FrameAnalysis:
    """Detect, landmark and assess one frame. ``largest`` picks the biggest of several faces
    (reference photos); otherwise several faces are an issue (someone behind the resident)."""
    boxes = engine.detect(frame)
    if not boxes:
        return FrameAnalysis(box=None, landmarks=None, quality=None, issue=QualityIssue.NO_FACE)
    if len(boxes) > 1 and not largest:
        return FrameAnalysis(
            box=None, landmarks=None, quality=None, issue=QualityIssue.SEVERAL_FACES
        )
    box = max(boxes, key=lambda b: b.area)
    landmarks = engine.landmarks(frame, box)
    quality = assess(frame, box, landmarks, limits)
    issue = quality.issues[0] if quality.issues else None
    return FrameAnalysis(box=box, landmarks=landmarks, quality=quality, issue=issue)


def quality_limits(settings: FaceSettings) -> QualityLimits:
    return QualityLimits(**settings.quality.model_dump())


def verify(
    reference: ReferenceImage,
    probe_frames: Iterable[np.ndarray],
    engine: FaceEngine,
    settings: FaceSettings,
    *,
    challenge: TurnDirection | None = None,
    clock: Callable[[], float] = time.monotonic,
    on_progress: Callable[[LivenessProgress], None] | None = None,
) -> FaceDecision:
    """Live verification: the frames must show a blink and the challenged head turn.

    ``on_progress`` (optional) sees each frame's liveness progress (state, prompt), for
    a screen that shows and says the prompt; it runs on the calling (worker) thread."""
    limits = quality_limits(settings)
    session = LivenessSession(settings.liveness, challenge, clock)
    best: _BestFrame | None = None
    last_issue: QualityIssue | None = None
    threshold = threshold_for(settings)
    try:  # the private best-frame copy is wiped however this ends, camera errors included
        for frame in probe_frames:
            analysis = analyse(frame, engine, limits)
            # The match frame comes from the frontal phase; turn frames are off-axis by design.
            frontal = session.awaiting_blink
            absent = Prompt(analysis.issue) if analysis.issue else Prompt.NO_FACE
            progress = session.observe(analysis.landmarks, absent)
            if on_progress is not None:
                on_progress(progress)
            quality, landmarks, box = analysis.quality, analysis.landmarks, analysis.box
            if frontal and not progress.eyes_closed and quality and landmarks and box:
                if quality.ok:
                    rank = _rank(quality, landmarks)
                    if best is None or rank > best.rank:
                        if best is not None:
                            best.wipe()
                        best = _BestFrame(frame.copy(), box, landmarks, rank)
                else:
                    last_issue = analysis.issue
            if progress.state is not LivenessState.IN_PROGRESS:
                break
        if session.state is not LivenessState.PASSED:
            return _stopped(DecisionReason.LIVENESS_FAILED, threshold, engine)
        if best is None:
            detail = f"{DecisionReason.NO_USABLE_PROBE}:{last_issue or QualityIssue.NO_FACE}"
            return _stopped(detail, threshold, engine)
        return _match(reference, best.frame, best.box, best.landmarks, engine, settings)
    finally:
        if best is not None:
            best.wipe()


def verify_still(
    reference: ReferenceImage, probe: np.ndarray, engine: FaceEngine, settings: FaceSettings
) -> FaceDecision:
    """One probe image, no liveness: for technicians and calibration, never for residents."""
    analysis = analyse(probe, engine, quality_limits(settings), largest=True)
    if analysis.box is None or analysis.landmarks is None:
        detail = f"{DecisionReason.NO_USABLE_PROBE}:{analysis.issue}"
        return _stopped(detail, threshold_for(settings), engine)
    return _match(reference, probe, analysis.box, analysis.landmarks, engine, settings)


def decode_image(data: bytes) -> np.ndarray | None:
    """JPEG/PNG bytes → BGR array, in memory."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    return image if image is not None and image.size else None


def _match(
    reference: ReferenceImage,
    frame: np.ndarray,
    box: FaceBox,
    landmarks: Landmarks,
    engine: FaceEngine,
    settings: FaceSettings,
) -> FaceDecision:
    threshold = threshold_for(settings)
    reference_frame = _reference_frame(reference)
    if reference_frame is None:
        return _stopped(DecisionReason.REFERENCE_UNUSABLE, threshold, engine)
    found = analyse(reference_frame, engine, quality_limits(settings), largest=True)
    if found.box is None or found.landmarks is None:
        return _stopped(DecisionReason.REFERENCE_UNUSABLE, threshold, engine)
    reference_embedding = engine.embed(reference_frame, found.box, found.landmarks)
    probe_embedding = engine.embed(frame, box, landmarks)
    try:
        score = engine.distance(reference_embedding, probe_embedding)
    finally:
        reference_embedding.fill(0)
        probe_embedding.fill(0)
        if reference_frame is not reference:
            reference_frame.fill(0)
    matched = score <= threshold
    return FaceDecision(
        match=matched,
        score=round(score, 4),
        threshold=threshold,
        engine=engine.name,
        reason=None if matched else DecisionReason.DIFFERENT_PERSON,
    )


def _reference_frame(reference: ReferenceImage) -> np.ndarray | None:
    if isinstance(reference, np.ndarray):
        return reference
    data = reference() if callable(reference) else reference
    return decode_image(data)


def _rank(quality: QualityReport, landmarks: Landmarks) -> float:
    """Sharp, eyes open and facing the camera: the frame most like the ID photo."""
    facing = 1.0 / (1.0 + (quality.yaw_deg / 10) ** 2 + (quality.pitch_deg / 10) ** 2)
    return quality.sharpness * mean_eye_aspect_ratio(landmarks) * facing


def _stopped(reason: str, threshold: float, engine: FaceEngine) -> FaceDecision:
    return FaceDecision(
        match=False, score=float("nan"), threshold=threshold, engine=engine.name, reason=reason
    )


@dataclass
class _BestFrame:
    """Our own copy of the best frame so far, zeroed as soon as it is replaced or used."""

    frame: np.ndarray
    box: FaceBox
    landmarks: Landmarks
    rank: float

    def wipe(self) -> None:
        self.frame.fill(0)
