"""Chinese-first translation: resident-facing strings are written in Chinese in the
code and translated through gettext catalogues in ``config/locales`` (Babel).
"""

from __future__ import annotations

import gettext
from pathlib import Path

from kiosk.paths import LOCALE_DIR

DOMAIN = "kiosk"
LANGUAGES = ("zh_CN", "en")


def _compile_if_stale(locale_dir: Path, language: str) -> None:
    po = locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as src:
            catalog = read_po(src, locale=language)
        with mo.open("wb") as dst:
            write_mo(dst, catalog)


class Translator:
    def __init__(self, language: str = "zh_CN", locale_dir: Path = LOCALE_DIR) -> None:
        self._locale_dir = locale_dir
        self._catalogs: dict[str, gettext.NullTranslations] = {}
        self.language = language
        self.set_language(language)

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        if language not in self._catalogs:
            if language == "zh_CN":
                self._catalogs[language] = gettext.NullTranslations()
            else:
                _compile_if_stale(self._locale_dir, language)
                self._catalogs[language] = gettext.translation(
                    DOMAIN, self._locale_dir, languages=[language], fallback=True
                )
        self.language = language

    def __call__(self, message: str) -> str:
        return self._catalogs[self.language].gettext(message)


def _(message: str) -> str:
    """Mark a string for extraction; translation happens where it is shown."""
    return message
