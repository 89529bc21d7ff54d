"""证明真伪核验 through the real widgets (``kiosk demo --journey verify``): a certificate
freshly issued by the platform is genuine; the same token with a changed claim is not."""

from __future__ import annotations

import pytest

from tests.screens.conftest import DemoRun
from tests.screens.test_elder_mode import why

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def verify_run(verify_run: DemoRun) -> DemoRun:
    assert verify_run.returncode == 0, why(verify_run)
    return verify_run


def test_scan_page(verify_run: DemoRun) -> None:
    scan = verify_run.texts("verify_scan")
    assert "请扫描证明上的核验二维码" in scan and "正在等待扫码…" in scan
    assert "新出具的示范证明" in scan  # the simulated scanner's buttons


def test_genuine(verify_run: DemoRun) -> None:
    genuine = verify_run.texts("verify_genuine")
    assert "证明真实有效" in genuine
    for text in ("证明编号", "110105********002X", "出具机构", "出具日期", "有效期至"):
        assert text in genuine, text
    assert "原因" not in genuine
    assert verify_run.journey["verify_genuine"]["valid"] is True


def test_tampered_is_not_genuine(verify_run: DemoRun) -> None:
    tampered = verify_run.texts("verify_tampered")
    assert "证明无效，不能作为有效证明使用" in tampered
    assert "原因" in tampered and "改动" in tampered
    assert verify_run.journey["verify_tampered"]["valid"] is False


def test_ends_with_the_evaluation(verify_run: DemoRun) -> None:
    assert "非常满意" in verify_run.texts("evaluate")
    assert verify_run.journey["after"]["screen"] == "attract"


def test_the_guide_finds_items_by_pinyin_and_letters(verify_run: DemoRun) -> None:
    assert "搜索事项" in verify_run.texts("home")
    guide = verify_run.texts("guide")
    assert "本终端可办事项 · 办事指南" in guide and "点这里输入：如 社保、sbjf" in guide
    pinyin = verify_run.texts("guide_pinyin")  # typed s-h-e-b-a-o, took the candidate 社保
    assert "社保" in pinyin and "社会保险参保证明打印" in pinyin and "找到" in pinyin
    results = verify_run.texts("guide_results")  # the letters "cert": item codes
    assert "cert" in results and "证明真伪核验" in results
    # The title and the count share a line; the tiles of a row have one height.
    shot = verify_run.screens("guide_results")[0]
    title = next(w for w in shot["widgets"] if w["text"] == "本终端可办事项 · 办事指南")
    count = next(w for w in shot["widgets"] if w["text"].startswith("找到"))
    assert title["box"][1] == count["box"][1] and title["box"][0] < count["box"][0]
    tiles = [w for w in shot["widgets"] if w["kind"] == "button" and w["box"][1] > count["box"][1]]
    rows: dict[int, set[int]] = {}
    for tile in tiles:
        rows.setdefault(tile["box"][1], set()).add(tile["box"][3])
    assert len(tiles) == 6 and all(len(heights) == 1 for heights in rows.values()), rows
    # Choosing a result opens its start page: conditions, materials, time, fees.
    start = verify_run.texts("service_start")
    for text in ("证明真伪核验", "办理条件", "所需材料", "办理时限", "收费标准"):
        assert text in start, text
