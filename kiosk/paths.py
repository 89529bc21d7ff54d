"""Where the kiosk finds its packaged data (the repository's config/ folder) and fonts."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "config"
CATALOG_DIR = CONFIG_DIR / "catalog"
LOCALE_DIR = CONFIG_DIR / "locales"
MODELS_DIR = CONFIG_DIR / "models"
# The workplace's shared test data (faces, reference material) lies beside the checkout;
# only tests, benchmarks and the reference platform's demo seed use it.
SHARED_DIR = REPO_ROOT.parent / "shared"

# WenQuanYi Zen Hei (Debian fonts-wqy-zenhei): TrueType outlines, so reportlab can
# embed it and SDL_ttf renders Simplified Chinese glyphs from face 0 of the TTC.
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
