"""The configured threshold against every genuine and impostor pair of the shared face set."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from devices.face.dlib_engine import DlibEngine
from kiosk.config.loader import load_settings
from kiosk.identity.engines import build_engine


def test_configured_threshold_accepts_every_genuine_pair_and_rejects_every_impostor(
    photo: Callable[[str, int], np.ndarray], identities: list[str]
) -> None:
    settings = load_settings().settings.face
    engine = build_engine(settings)  # the configured engine with its configured crops
    assert isinstance(engine, DlibEngine)
    threshold = settings.threshold
    embeddings: dict[tuple[str, int], np.ndarray] = {}
    for name in identities:
        for number in range(1, 6):
            image = photo(name, number)
            box = engine.detect(image)[0]
            embeddings[name, number] = engine.embed(image, box, engine.landmarks(image, box))
    genuine, impostor = [], []
    for (a, ea), (b, eb) in itertools.combinations(embeddings.items(), 2):
        (genuine if a[0] == b[0] else impostor).append(engine.distance(ea, eb))
    assert len(genuine) == 80 and len(impostor) == 700
    falsely_rejected = [round(d, 3) for d in genuine if d > threshold]
    falsely_accepted = [round(d, 3) for d in impostor if d <= threshold]
    assert falsely_rejected == []
    assert falsely_accepted == []
