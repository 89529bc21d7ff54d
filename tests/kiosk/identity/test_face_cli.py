from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from kiosk.paths import SHARED_DIR

FACES = SHARED_DIR / "data" / "faces"


def test_verify_prints_a_json_decision(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "face",
            "verify",
            "--reference",
            str(FACES / "Hu_Jintao/1.jpg"),
            "--probe",
            str(FACES / "Hu_Jintao/2.jpg"),
            "--json",
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["match"] is True and result["engine"] == "dlib"
    assert 0 < result["score"] <= result["threshold"]


def test_a_non_match_is_still_a_decision(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "face",
            "verify",
            "--reference",
            str(FACES / "Hu_Jintao/1.jpg"),
            "--probe",
            str(FACES / "Kim_Clijsters/1.jpg"),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.startswith("different people")


def test_no_face_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 200, 3), 128, dtype=np.uint8))
    code = main(
        ["face", "verify", "--reference", str(blank), "--probe", str(FACES / "Hu_Jintao/1.jpg")]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "no usable face in the reference image" in err


def test_help_says_there_is_no_liveness(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["face", "verify", "--help"])
    assert "NO liveness" in capsys.readouterr().out
