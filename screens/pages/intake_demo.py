"""The scripted intake journey for ``kiosk demo --journey intake`` (see ``screens/demo.py``).

张秀英 applies to correct her household registration (PX-HUKOU-CORRECTION,
received here and handled at home): every question page, a refused answer, a
name typed in pinyin, a phone number on the numeric pad, a material photographed
(too dark first, then retaken), a material deferred (容缺受理), the 告知承诺
signed with real touch strokes, postal delivery with the pre-filled address,
修改 from the check page and back, a double tap on 提交申请 (one submission),
the confirmation, receipt and cover sheet, then the evaluation.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Generator
from typing import Any

ITEM = "PX-HUKOU-CORRECTION"
NAME_PINYIN = "zhangxiuying"
NAME = "张秀英"
PHONE = "13800138000"


def _demo_module(demo: Any) -> Any:
    """The module the demo runs from (``__main__`` under ``python -m screens.demo``)."""
    return sys.modules[type(demo).__module__]


def script(demo: Any) -> Generator[Any, None, None]:
    mod = _demo_module(demo)
    DemoFailed, Pause, Wait = mod.DemoFailed, mod.Pause, mod.Wait

    core = demo.core
    t = core.t
    yield from demo._to_steps_with_card(ITEM, "intake")
    screen = demo.screen("intake")
    journey = core.journey

    def page_is(kind: str) -> Any:
        return Wait(f"the {kind} page", lambda: journey.page.kind == kind and screen.is_current)

    def on(key: str) -> Any:
        return Wait(f"page {key}", lambda: journey.page.key == key and screen.is_current)

    def go_on() -> None:
        demo.tap(demo.find(screen, screen.continue_label(screen.returning)))

    # -- details (pre-filled, read-only) ---------------------------------------------------
    yield page_is("details")
    yield demo.settle()
    demo.shoot("intake_details")
    go_on()

    # -- a choice: 继续 without an answer first, then choose -------------------------------
    yield on("field:correction")
    go_on()
    yield Wait("the error", lambda: bool(screen.error))
    yield demo.settle()
    demo.shoot("intake_choice_error")
    demo.tap(demo.find(screen, t("姓名")))
    yield Wait("the chosen answer", lambda: journey.chosen() == "name")
    yield demo.settle()
    demo.shoot("intake_choice")
    go_on()

    # -- text with pinyin ------------------------------------------------------------------
    yield on("field:corrected")
    keyboard = screen.ids.keyboard
    for letter in NAME_PINYIN:
        demo.tap(demo.find(keyboard, letter))
        yield Pause(0.03)
    yield Wait("the candidates", lambda: NAME in keyboard.visible_candidates(), 20)
    yield demo.settle()
    demo.shoot("intake_pinyin")
    demo.tap(demo.find(keyboard, NAME))
    yield Wait("the name typed", lambda: keyboard.value == NAME)
    yield demo.settle()
    demo.shoot("intake_text")
    go_on()

    # -- phone on the numeric pad: one digit short is refused -------------------------------
    yield on("field:phone")
    for digit in PHONE[:-1]:
        demo.tap(demo.find(keyboard, digit))
        yield Pause(0.03)
    go_on()
    yield Wait("the phone error", lambda: bool(screen.error))
    yield demo.settle()
    demo.shoot("intake_phone_error")
    demo.tap(demo.find(keyboard, PHONE[-1]))
    yield Wait("the phone typed", lambda: keyboard.value == PHONE)
    yield demo.settle()
    demo.shoot("intake_phone")
    go_on()

    # -- e-licences ------------------------------------------------------------------------
    yield page_is("elicence")
    yield demo.settle()
    demo.shoot("intake_elicence")
    go_on()

    # -- a material: too dark first, then retaken -------------------------------------------
    yield on("material:1")
    yield demo.settle()
    demo.shoot("intake_material")
    demo.tap(demo.find(screen, t("拍照")), measure=False)
    yield Wait("the first photo", lambda: not screen.capturing and bool(screen.error), 30)
    yield demo.settle()
    demo.shoot("intake_material_rejected")
    demo.tap(demo.find(screen, t("重拍")), measure=False)
    yield Wait("the page captured", lambda: bool(screen.captured and screen.thumb), 30)
    yield demo.settle()
    demo.shoot("intake_material_captured")
    go_on()

    # -- a material the resident will bring later (容缺受理) ---------------------------------
    yield on("material:2")
    yield demo.settle()
    demo.shoot("intake_material_defer")
    demo.tap(demo.find(screen, t("现在没带，以后补交（容缺受理）")))

    # -- 告知承诺: read, sign with the finger -------------------------------------------------
    yield page_is("commitment")
    yield demo.settle()
    demo.shoot("intake_commitment")
    box = screen.ids.signature
    yield from _sign(demo, box.pad)
    yield Wait("enough ink", lambda: bool(box.can_confirm))
    yield demo.settle()
    demo.shoot("intake_signing")
    demo.tap(demo.find(box, t("确认签名")))
    yield Wait("signed", lambda: bool(screen.signed))
    yield demo.settle()
    demo.shoot("intake_signed")
    go_on()

    # -- delivery: by post, the address pre-filled from the platform -------------------------
    yield page_is("delivery")
    demo.tap(demo.find(screen, journey.delivery_label("post")))
    yield Wait("post chosen", lambda: journey.chosen() == "post")
    yield demo.settle()
    demo.shoot("intake_delivery")
    go_on()
    yield page_is("address")
    yield Wait("the pre-filled address", lambda: bool(keyboard.value))
    yield demo.settle()
    demo.shoot("intake_address")
    go_on()

    # -- check your answers; 修改 the phone and come back ------------------------------------
    check = demo.screen("intake_check")
    yield demo.on_screen("intake_check")
    yield demo.settle()
    demo.shoot("intake_check")

    def phone_rows() -> list[Any]:
        return [w for w in check.ids.rows.children if w.key == t("联系电话")]

    if check.pages > 1:  # 长辈模式: a page at a time; every page to the last, then back
        while check.page + 1 < check.pages:
            page = check.page
            demo.tap(demo.find(check, t("下一页")))
            yield Wait(f"check page {page + 2}", lambda page=page: check.page == page + 1)
            yield demo.settle()
            demo.shoot(f"intake_check_page{check.page + 1}")
        while not phone_rows() and check.page > 0:
            page = check.page
            demo.tap(demo.find(check, t("上一页")))
            yield Wait(f"check page {page}", lambda page=page: check.page == page - 1)
        yield demo.settle()
    rows = phone_rows()
    if not rows:
        raise DemoFailed("no phone row on the check page")
    if check.pages <= 1:
        check.ids.scroll.scroll_to(rows[0], padding=20, animate=False)  # the resident scrolls
        yield demo.settle()
    demo.tap(demo.find(rows[0], t("修改")))
    yield on("field:phone")
    yield demo.settle()
    demo.shoot("intake_change_phone")
    demo.tap(demo.find(keyboard, t("删除")))
    demo.tap(demo.find(keyboard, "8"))
    yield Wait("the new phone", lambda: keyboard.value == PHONE[:-1] + "8")
    go_on()
    yield demo.on_screen("intake_check")
    yield demo.settle()
    demo.shoot("intake_check_again")

    # -- 提交申请, tapped twice in quick succession ---------------------------------------------
    outbox = core.services.outbox
    rows_before = len(outbox.entries())
    button = demo.find(check, t("提交申请"))
    demo.tap(button, measure=False)
    _tap_anyway(demo, button)  # the second tap of a double tap
    yield Pause(0.2)
    demo.shoot("intake_submitting")
    yield demo.on_screen("intake_done")
    done = demo.screen("intake_done")
    yield Wait("the confirmation", lambda: bool(done.reference), 60)
    yield demo.settle()
    demo.shoot("intake_done")
    result = journey.result
    entry = outbox.entry(result.reference)
    demo.extra["intake"] = {
        "reference": result.reference,
        "queued": result.queued,
        "platform_reference": result.platform_reference,
        "outbox_new_rows": len(outbox.entries()) - rows_before,
        "outbox_state": str(entry.state) if entry else None,
        "cover_sheet": result.cover_sheet,
    }
    demo.extra["reference"] = result.reference
    demo._copy_receipt(done.receipt_source)
    spool = demo.settings.terminal.data_dir / "a4-spool"
    pdfs = sorted(spool.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
    if not pdfs:
        raise DemoFailed(f"no cover sheet in {spool}")
    shutil.copyfile(pdfs[-1], demo.out / "cover_sheet.pdf")
    demo.tap(demo.find(done, t("评价本次服务")))
    yield from demo._evaluate_and_leave()


def _tap_anyway(demo: Any, widget: Any) -> None:
    """A touch at the widget even if it is disabled (a resident's second tap)."""
    from kivy.base import EventLoop

    x, y = widget.to_window(*widget.center)
    touch = _demo_module(demo)._Touch(x, y)
    EventLoop.post_dispatch_input("begin", touch)
    EventLoop.post_dispatch_input("end", touch)


def _sign(demo: Any, pad: Any) -> Generator[Any, None, None]:
    """Two strokes of a finger across the signature pad (real touch events)."""
    from kivy.base import EventLoop

    mod = _demo_module(demo)
    Pause, _Touch = mod.Pause, mod._Touch
    for row in (0.62, 0.38):
        points = [
            (
                pad.x + pad.width * (0.12 + 0.76 * i / 24),
                pad.y + pad.height * (row + 0.1 * ((-1) ** i)),
            )
            for i in range(25)
        ]
        wx, wy = pad.to_window(*points[0])
        touch = _Touch(wx, wy)
        EventLoop.post_dispatch_input("begin", touch)
        win = EventLoop.window
        for px, py in points[1:]:
            wx, wy = pad.to_window(px, py)
            touch.move({"x": wx / (win.width - 1.0), "y": wy / (win.height - 1.0)})
            EventLoop.post_dispatch_input("update", touch)
        EventLoop.post_dispatch_input("end", touch)
        yield Pause(0.05)
