"""技术员模式's page: the ``kiosk doctor`` checks (on a worker) and the device tests."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.technician.checks import Check, Status
from screens import theme
from screens.pages.technician_pin import TechnicianBase
from screens.widgets import KLabel

MARKS = {Status.OK: "正常", Status.WARN: "注意", Status.FAIL: "故障"}
COLOURS = {Status.OK: theme.PRIMARY, Status.WARN: theme.TEXT, Status.FAIL: theme.ERROR}


class TechnicianScreen(TechnicianBase):
    checking = BooleanProperty(False)
    summary = StringProperty("")
    card_text = StringProperty("")
    print_text = StringProperty("")
    report_text = StringProperty("")

    def refresh(self) -> None:
        """Entering the page runs the checks (a new settings push only redraws)."""

    def activate(self) -> None:
        super().activate()
        self.card_text = self.print_text = self.report_text = ""
        self.run_checks()

    def run_checks(self) -> None:
        if self.checking:
            return
        self.checking = True
        self.summary = self.tr("正在检查…")
        self.ids.checks.clear_widgets()
        self.core.technician.run_checks(self._show_checks)

    def _show_checks(self, checks: list[Check]) -> None:
        self.checking = False
        box = self.ids.checks
        box.clear_widgets()
        counts = {status: 0 for status in Status}
        for check in checks:
            counts[check.status] += 1
            text = f"[{self.tr(MARKS[check.status])}] {check.name}  {check.summary}"
            if check.hint and check.status is not Status.OK:
                text += f"\n        → {check.hint}"
            label = KLabel(text=text, font_size=self.ui.small_px - 2, color=COLOURS[check.status])
            box.add_widget(label)
        self.summary = self.tr("正常 {ok} 项，注意 {warn} 项，故障 {fail} 项").format(
            ok=counts[Status.OK], warn=counts[Status.WARN], fail=counts[Status.FAIL]
        )

    def test_card(self) -> None:
        self.card_text = self.tr("请放置测试卡，正在读卡…")
        self.core.technician.read_card(self._card_read)

    def _card_read(self, check: Check) -> None:
        if check.status is Status.OK:
            detail = check.detail
            self.card_text = self.tr("读卡成功：{name} {number}").format(
                name=detail.get("name", ""), number=detail.get("id_number", "")
            )
        else:
            self.card_text = self.tr("读卡失败：") + check.summary

    def test_print(self) -> None:
        self.print_text = self.tr("正在打印测试凭条…")
        self.core.technician.print_test(self._printed)

    def _printed(self, check: Check) -> None:
        ok = check.status is Status.OK
        self.print_text = (self.tr("测试凭条已打印") if ok else self.tr("打印失败：")) + (
            "" if ok else check.summary
        )

    def write_report(self) -> None:
        self.report_text = self.tr("正在写入安装报告…")
        self.core.technician.write_report(self._reported)

    def _reported(self, check: Check) -> None:
        prefix = self.tr("报告已写入：") if check.status is Status.OK else self.tr("写入失败：")
        self.report_text = prefix + check.summary
