"""The UI state the .kv files bind to: the site name follows the language."""

from __future__ import annotations

from screens.state import UiState


def test_english_screens_show_the_english_site_name() -> None:
    ui = UiState(language="en", site_name_zh="示范社区党群服务中心", site_name_en="Demo Centre")
    assert ui.site_name == "Demo Centre"
    ui.language = "zh_CN"
    assert ui.site_name == "示范社区党群服务中心"
    ui.language = "en"
    assert ui.site_name == "Demo Centre"


def test_without_an_english_name_the_chinese_one_shows() -> None:
    ui = UiState(language="en", site_name_zh="邮政网点")
    assert ui.site_name == "邮政网点"
    ui.site_name_en = "Post Office"  # new settings applied between visits
    assert ui.site_name == "Post Office"
    ui.site_name_en = ""
    assert ui.site_name == "邮政网点"
