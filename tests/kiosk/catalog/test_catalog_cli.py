"""``kiosk catalog`` through the real CLI entry point."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

import kiosk.catalog
from kiosk.catalog import CatalogItem, load_catalog
from kiosk.cli import main
from kiosk.commands.catalog import SITE_TYPE_CHOICES

CATALOG = load_catalog()


def test_list_json_has_every_element_of_every_item(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [item["code"] for item in items] == [item.code for item in CATALOG]
    for raw in items:
        assert set(CatalogItem.model_fields) <= set(raw)
        assert CatalogItem.model_validate(raw) == CATALOG.get(raw["code"])


def test_list_json_filtered_by_site_and_region(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["catalog", "list", "--json", "--site-type", "bank", "--region", "440308"]
    assert main(argv) == 0
    codes = {item["code"] for item in json.loads(capsys.readouterr().out)}
    assert codes == {item.code for item in CATALOG.for_site(kiosk.catalog.SiteType.BANK, "440308")}
    assert "KS22-13" in codes and "KS22-01" not in codes


def test_site_type_choices_are_the_settings_enum() -> None:
    assert tuple(kiosk.catalog.SiteType) == SITE_TYPE_CHOICES


def test_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list"]) == 0
    out = capsys.readouterr().out
    assert "KS22-14" in out and "开具税收完税证明" in out and "全程网办" in out
    assert f"{len(CATALOG)} items" in out


def test_list_rejects_a_bad_region(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["catalog", "list", "--region", "44"])
    assert caught.value.code == 2
    assert "region code must be 6 digits" in capsys.readouterr().err


def test_show_prints_every_element(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "KS22-14"]) == 0
    out = capsys.readouterr().out
    for text in [
        "开具税收完税证明",
        "Issue a tax payment certificate",
        "Legal basis",
        "《中华人民共和国税收征收管理法》",
        "公共服务 Public service",
        "全程网办 Fully online",
        "居民身份证",
        "12366",
        "第14项",
        "certificate (tax_payment)",
    ]:
        assert text in out


def test_show_json_accepts_lower_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "hf-records", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["code"] == "HF-RECORDS"


def test_show_unknown_code_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "NOPE-1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "NOPE-1" in captured.err


def test_search(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "gjj", "--json"]) == 0
    codes = [item["code"] for item in json.loads(capsys.readouterr().out)]
    assert codes == [item.code for item in CATALOG.search("gjj")]
    assert main(["catalog", "search", "完税"]) == 0
    out = capsys.readouterr().out
    assert out.index("KS22-14") < out.index("TAX-RECORD-CERT")
    assert main(["catalog", "search", "xqzv"]) == 0
    assert "no items" in capsys.readouterr().out


def test_broken_catalogue_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.yaml").write_text("items:\n  - code: X-1\n", encoding="utf-8")
    monkeypatch.setattr(kiosk.catalog, "load_catalog", functools.partial(load_catalog, tmp_path))
    assert main(["catalog", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "broken.yaml: item X-1: " in err
