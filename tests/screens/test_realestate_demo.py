"""不动产登记信息查询 through the real widgets (``kiosk demo --journey realestate``): the
card, the properties on the records screen one a page with their mortgage and seizure,
the masked holder, a printed query receipt, the evaluation and a wiped visit."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.screens.conftest import DemoRun
from tests.screens.test_journeys_demo import FULL_ZXY, MASKED_ZXY, check_common

pytestmark = pytest.mark.ui


def test_properties_one_a_page_then_printed(realestate_run: DemoRun) -> None:
    check_common(realestate_run, {"identify", "records", "evaluate"})
    assert "不动产登记信息查询" in realestate_run.texts("service_start")
    flat = realestate_run.texts("realestate")
    for text in (
        "不动产登记信息",
        "第 1/2 页",
        f"张*英  {MASKED_ZXY}",
        "京（2016）朝阳区不动产权第0031527号",
        "北京市朝阳区和平街十一区12号楼3单元502",
        "78.45 平方米 · 住宅",
        "2016-04-18",
        "抵押：中国工商银行北京朝阳支行，2016-04-18 至 2036-04-17",
    ):
        assert text in flat, text
    assert "张秀英" not in flat and FULL_ZXY not in flat
    garage = realestate_run.texts("realestate_page2")
    assert "第 2/2 页" in garage and "13.20 平方米 · 车库" in garage
    assert "查封：北京市朝阳区人民法院，2026-03-10 至 2029-03-09" in garage
    assert "已打印，请取走凭条" in realestate_run.texts("realestate_printed")
    with Image.open(realestate_run.out / "receipt.png") as image:
        assert image.height > 500  # two properties, six lines each


def test_nothing_personal_is_left(realestate_run: DemoRun) -> None:
    realestate_run.assert_no_personal_data_left()
