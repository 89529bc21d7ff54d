"""Every Chinese string the screens show has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from kiosk.i18n import Translator
from kiosk.paths import LOCALE_DIR, REPO_ROOT
from kiosk.platform.seed import REAL_ESTATE
from screens.pages.evaluate import LEVELS

PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "kiosk.po"
# tr("..."), en("..."), core.t("...") and the core's t("...") calls.
CALL = re.compile(r"""(?:\btr|\ben|\bt)\(\s*"([^"]*[\u4e00-\u9fff][^"]*)\"""")
SOURCES = [
    *sorted((REPO_ROOT / "screens").rglob("*.py")),
    *sorted((REPO_ROOT / "screens").rglob("*.kv")),
    # what the core puts on screen: rows, options, result rows
    *sorted((REPO_ROOT / "kiosk" / "runtime").rglob("*.py")),
    *sorted((REPO_ROOT / "kiosk" / "journeys").rglob("*.py")),
]


def platform_words() -> set[str]:
    """Words the platform sends that the screens translate: a property's use and its
    restrictions' kinds (the reference platform's seed data)."""
    words: set[str] = set()
    for properties in REAL_ESTATE.values():
        for estate in properties:
            words.add(estate.use)
            words.update(e.kind_label for e in estate.encumbrances)
    return words


def shown_msgids() -> set[str]:
    ids: set[str] = {label for _, label in LEVELS} | platform_words()
    for path in SOURCES:
        ids.update(CALL.findall(path.read_text(encoding="utf-8")))
    return ids


def test_catalogue_is_babel_readable_and_complete() -> None:
    with PO.open("rb") as src:
        catalog = read_po(src, locale="en")
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(i for i in shown_msgids() if not translated.get(i))
    assert not missing, f"add English for: {missing}"


def test_placeholders_survive_translation() -> None:
    with PO.open("rb") as src:
        catalog = read_po(src, locale="en")
    for message in catalog:
        if message.id:
            assert set(re.findall(r"{\w+}", message.id)) == set(
                re.findall(r"{\w+}", message.string)
            ), message.id


def test_translator_switches_language() -> None:
    t = Translator("zh_CN")
    assert t("继续办理") == "继续办理"
    t.set_language("en")
    assert t("继续办理") == "Continue"
    assert t("您还在吗？") == "Are you still there?"


def test_extraction_finds_strings() -> None:
    ids = shown_msgids()
    assert {"开始办理", "继续办理", "非常不满意", "办理时限"} <= ids
    assert {"住宅", "车库", "抵押", "查封"} <= ids  # platform words shown translated
    assert Path(PO).exists()
