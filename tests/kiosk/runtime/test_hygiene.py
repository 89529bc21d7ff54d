"""The hygiene scanner itself: it finds planted personal data in every place and encoding,
allows the masked forms, and skips only what it documents (the platform's own files)."""

from __future__ import annotations

from pathlib import Path

import structlog

from kiosk.runtime.hygiene import (
    LogCapture,
    needles,
    scan_files,
    scan_log,
    scan_objects,
)
from kiosk.session.visit import Identity

NAME = "张秀英"
FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
FOUND = needles(NAME, FULL_ID)


def test_files_in_every_encoding_and_file_names(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "u16.bin").write_bytes(b"\x00\x01" + NAME.encode("utf-16-le"))
    (tmp_path / "gb.txt").write_bytes(FULL_ID.encode("gb18030"))
    (tmp_path / "be.bin").write_bytes(NAME.encode("utf-16-be"))
    (tmp_path / f"photo-{FULL_ID}.jpg").write_bytes(b"")
    (tmp_path / "masked.txt").write_text(f"张*英 {MASKED_ID}", encoding="utf-8")
    (tmp_path / "platform").mkdir()
    (tmp_path / "platform" / "db").write_text(NAME, encoding="utf-8")  # the platform's own
    found = {(f.location, f.kind, f.encoding) for f in scan_files(tmp_path, FOUND)}
    assert found == {
        ("a/u16.bin", "name", "utf-16-le"),
        ("gb.txt", "id_number", "utf-8"),  # ASCII: the same bytes in UTF-8 and GB18030
        ("be.bin", "name", "utf-16-be"),
        (f"photo-{FULL_ID}.jpg (file name)", "id_number", "text"),
    }


def test_the_a4_spool_is_scanned(tmp_path: Path) -> None:
    # The A4 tray is emptied at the end of a visit, so it is no longer exempt.
    (tmp_path / "a4-spool").mkdir()
    (tmp_path / "a4-spool" / "job.json").write_text(f'{{"title": "{NAME}"}}', encoding="utf-8")
    found = [(f.location, f.kind) for f in scan_files(tmp_path, FOUND)]
    assert found == [("a4-spool/job.json", "name")]


def test_gb18030_name(tmp_path: Path) -> None:
    (tmp_path / "r.bin").write_bytes(b"\x1b@" + NAME.encode("gb18030"))
    assert [(f.kind, f.encoding) for f in scan_files(tmp_path, FOUND)] == [("name", "gb18030")]


def test_logs_are_captured_and_scanned() -> None:
    with LogCapture() as captured:
        structlog.get_logger("test").info("resident", holder=NAME)
    assert [f.kind for f in scan_log(captured.text, FOUND)] == ["name"]
    assert scan_log("holder=张*英 id=" + MASKED_ID, FOUND) == []


class Holder:
    def __init__(self) -> None:
        self.nested = {"rows": [("x", FULL_ID.encode("utf-16-le"))]}


def test_objects_reachable_with_their_path() -> None:
    secret = NAME

    def closure() -> str:
        return secret

    roots = {"core": {"journey": Holder(), "callbacks": [closure]}}
    found = {(f.location, f.kind) for f in scan_objects(roots, FOUND)}
    assert ("core['journey'].nested['rows'][0][1]", "id_number") in found
    assert ("core['callbacks'][0]<closure 0>", "name") in found
    skipped = roots["core"]["journey"]
    assert ("core['journey'].nested['rows'][0][1]", "id_number") not in {
        (f.location, f.kind) for f in scan_objects(roots, FOUND, skip=[skipped])
    }


def test_a_live_identity_held_anywhere_is_found() -> None:
    from kiosk.runtime.hygiene import _live_kiosk_objects

    kept = Identity(
        resident_id="r1", name=NAME, id_number=FULL_ID, id_number_masked=MASKED_ID, method="idcard"
    )
    roots = _live_kiosk_objects(("kiosk.runtime.hygiene",))
    assert any(obj is kept for obj in roots.values())
    kinds = {f.kind for f in scan_objects(roots, FOUND)}
    assert kinds == {"name", "id_number"}
