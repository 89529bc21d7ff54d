"""Loading catalogue files: good data loads, bad data names file, item and key."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kiosk import paths, safe_yaml
from kiosk.catalog import CatalogError, load_catalog


def _real_items(file: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((paths.CATALOG_DIR / file).read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = data["items"]
    return items


def _item(code: str) -> dict[str, Any]:
    for file in sorted(p.name for p in paths.CATALOG_DIR.glob("*.yaml")):
        for raw in _real_items(file):
            if raw["code"] == code:
                return copy.deepcopy(raw)
    raise AssertionError(code)


def _write(directory: Path, name: str, items: list[Any]) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump({"items": items}, allow_unicode=True), encoding="utf-8")
    return path


def test_real_catalogue_loads_with_the_c_loader() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 27
    if yaml.__with_libyaml__:  # no anchor or alias in the packaged files (kiosk/safe_yaml.py)
        assert safe_yaml._FAST is yaml.CSafeLoader


def test_items_of_several_files_are_combined(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [_item("KS22-03")])
    _write(tmp_path, "b.yaml", [_item("STATUS-QUERY"), _item("KS22-14")])
    catalog = load_catalog(tmp_path)
    assert [item.code for item in catalog] == ["KS22-03", "STATUS-QUERY", "KS22-14"]


_DELETE = object()


def _set(raw: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    target: Any = raw
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return raw


# (item, key path to change, new value, text the error must contain)
BROKEN = [
    ("KS22-03", "fees.amount_yuan", "free", "item KS22-03: fees.amount_yuan: "),
    ("KS22-03", "fees.amount_yuan", -1, "fees.amount_yuan: Input should be greater than"),
    ("KS22-03", "materials.0.form", "scan", "item KS22-03: materials[0].form: Input should be"),
    ("KS22-14", "item_type", "licence", "item KS22-14: item_type: Input should be"),
    ("KS22-14", "regions", [440300], "regions[0]: Input should be a valid string"),
    ("KS22-14", "regions", ["4403"], "regions[0]: String should match pattern"),
    ("KS22-14", "handling_modes", [], "handling_modes: Tuple should have at least 1 item"),
    ("KS22-14", "legal_basis", _DELETE, "item KS22-14: legal_basis: Field required"),
    ("KS22-14", "colour", "red", "item KS22-14: colour: Extra inputs are not permitted"),
    ("KS22-14", "visits_required", 2, "visits_required: Input should be 0 or 1"),
    ("KS22-14", "certificate_type", _DELETE, "certificate_type is required exactly when"),
    ("KS22-14", "site_types", ["bank", "bank"], "site_types must not repeat"),
    ("KS22-21", "promised_time_limit_days", 31, "must not exceed legal_time_limit_days"),
    ("STATUS-QUERY", "certificate_type", "tax_payment", "certificate_type is required exactly"),
    ("STATUS-QUERY", "name", "  ", "item STATUS-QUERY: name: String should have at least"),
    ("STATUS-QUERY", "cross_province_2022", 23, "cross_province_2022: Input should be less"),
]


@pytest.mark.parametrize(("code", "key", "value", "expected"), BROKEN)
def test_bad_item_error_names_file_item_and_key(
    tmp_path: Path, code: str, key: str, value: Any, expected: str
) -> None:
    _write(tmp_path, "good.yaml", [_item("KS22-01")])
    _write(tmp_path, "local.yaml", [_item("KS22-02"), _set(_item(code), key, value)])
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    message = str(caught.value)
    assert message.startswith("local.yaml: ")
    assert expected in message
    assert caught.value.file == "local.yaml"
    assert caught.value.item == code


def test_item_without_code_is_named_by_position(tmp_path: Path) -> None:
    _write(tmp_path, "local.yaml", [_item("KS22-01"), _set(_item("KS22-02"), "code", _DELETE)])
    with pytest.raises(CatalogError, match=r"^local\.yaml: item #2: code: Field required"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("items: [\n  {code: KS22-01\n", r"^bad\.yaml: line \d+: invalid YAML"),
        ("- just\n- a list\n", r"^bad\.yaml: items: expected a mapping with an 'items' list"),
        ("items: 3\n", r"^bad\.yaml: items: expected a mapping"),
        ("", r"^bad\.yaml: items: expected a mapping"),
        ("items:\n  - just text\n", r"^bad\.yaml: item #1: expected a mapping"),
    ],
)
def test_malformed_file_is_named(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=expected):
        load_catalog(tmp_path)


def test_non_utf8_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_bytes("items: []\n# 社保".encode("gbk"))
    with pytest.raises(CatalogError, match=r"^bad\.yaml: cannot read"):
        load_catalog(tmp_path)


def test_duplicate_code_across_files_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [_item("KS22-14")])
    _write(tmp_path, "b.yaml", [_item("KS22-01"), _item("KS22-14")])
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == "b.yaml: item KS22-14: code: duplicate, already defined in a.yaml"
    assert caught.value.key == "code"


def test_duplicate_code_in_one_file_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [_item("KS22-14"), _item("KS22-14")])
    with pytest.raises(CatalogError, match=r"already defined in a\.yaml$"):
        load_catalog(tmp_path)


def test_missing_or_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="catalogue folder not found"):
        load_catalog(tmp_path / "absent")
    (tmp_path / "notes.txt").write_text("not a catalogue", encoding="utf-8")
    with pytest.raises(CatalogError, match="no catalogue files"):
        load_catalog(tmp_path)


def test_loading_does_not_import_pypinyin() -> None:
    # pypinyin costs time on the kiosk's cold start; only the first search may import it.
    code = (
        "import sys\n"
        "from kiosk.catalog import load_catalog\n"
        "catalog = load_catalog()\n"
        "assert 'pypinyin' not in sys.modules, 'imported by load'\n"
        "catalog.search('gjj')\n"
        "assert 'pypinyin' in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=paths.REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
