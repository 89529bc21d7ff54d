"""Application intake (申请受理): 跨省通办 and nearby items whose ``journey`` is ``intake``.

Driven by the item's catalogue data and its form (``config/forms/<CODE>.yaml``,
generic fallback), never by per-item code. After the start page and the card:

    details (pre-filled, read-only) → one page per form question → e-licences
    (已调用电子证照) → one page per material to photograph (or defer: 容缺受理)
    → 告知承诺 (read, sign) → delivery (→ postal address, pre-filled) → check
    your answers (修改 jumps to a page and comes back) → submit through the
    durable outbox → confirmation (reference, queued or sent, what happens
    next, receipt; cover sheet for 异地代收代办) → evaluation.

Everything personal (answers, photos, the signature) lives on this object or in
``visit.answers``: the journey is in the Visit and is wiped with it. The outbox
stores the application sealed; its local reference is the resident's number.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from devices.base import DeviceError
from kiosk.catalog.model import CatalogItem, DeliveryMethod, HandlingMode, Material
from kiosk.catalog.model import Journey as JourneyKind
from kiosk.journeys.base import Journey, print_receipt
from kiosk.journeys.certificate import STATUS_QR_PREFIX
from kiosk.journeys.intake_capture import (
    CapturedPage,
    CaptureFailed,
    capture_with,
    simulated_camera,
)
from kiosk.journeys.intake_forms import FieldDef, FormDef, add_working_days, form_for
from kiosk.masking import mask_name
from kiosk.platform import schemas
from kiosk.platform.errors import PlatformError
from kiosk.runtime.messages import Message, message_for
from kiosk.runtime.views import ResultView
from kiosk.session.machine import VisitState

if TYPE_CHECKING:
    from kiosk.outbox import Outbox
    from kiosk.runtime.core import KioskCore
    from kiosk.runtime.services import Services

log = structlog.get_logger(__name__)

SEND_WAIT_S = 2.5  # how long the worker lets the sender try before the receipt is printed
FOLLOW_WAIT_S = 1.0

# GB/T 2260 province-level codes: the first two digits of an ID number.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区", "71": "台湾省",
    "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip

# What the resident reads when a page is not complete (Chinese and English, what to do next).
PROBLEMS: dict[str, Message] = {
    "choose": Message(
        "请先选择一项，再点“继续”。", "Choose one of the answers, then press Continue."
    ),
    "required": Message(
        "这一项需要填写，请用下面的键盘输入后再点“继续”。",
        "This answer is needed: type it on the keyboard, then press Continue.",
    ),
    "phone": Message(
        "手机号码应为 1 开头的 11 位数字，请检查后重新输入。",
        "A mobile number has 11 digits and starts with 1. Check it and type it again.",
    ),
    "number": Message(
        "这一项只能输入数字，请检查后重新输入。",
        "Only digits can be entered here. Check the answer and type it again.",
    ),
    "material": Message(
        "请把材料平放在拍摄区，点“拍照”。现在没有带这份材料的，请按“呼叫工作人员”。",
        "Lay the document flat under the camera and press Take photo. "
        "If you do not have it with you, press Call staff.",
    ),
    "material_defer": Message(
        "请把材料平放在拍摄区，点“拍照”；现在没有带的，可以点“以后补交”。",
        "Lay the document under the camera and press Take photo, or press Hand in later.",
    ),
    "signature": Message(
        "请在框内用手指写下您的姓名，再点“确认签名”。",
        "Write your name in the box with your finger, then press Confirm signature.",
    ),
    "address": Message(
        "请输入邮寄地址（省、市、区、街道和门牌号），再点“继续”。",
        "Type the postal address (province, city, district, street and number), then Continue.",
    ),
    "no_camera": Message(
        "本终端暂时不能拍摄材料。请按“呼叫工作人员”，或到服务窗口提交材料。",
        "This terminal cannot photograph documents now. Press Call staff or hand them in "
        "at a counter.",
    ),
    "no_sealing_key": Message(
        "暂时连不上政务服务平台，申请还不能提交，您填写的内容没有丢失。请稍后再按“提交申请”，"
        "或按“呼叫工作人员”。",
        "The government platform cannot be reached yet, so the application cannot be "
        "submitted; nothing you entered is lost. Try Submit again shortly or press Call staff.",
    ),
}

DELIVERY_TO_PLATFORM = {
    DeliveryMethod.COLLECT: schemas.DeliveryMethod.COLLECT,
    DeliveryMethod.POST: schemas.DeliveryMethod.POST,
    DeliveryMethod.ELECTRONIC: schemas.DeliveryMethod.ELECTRONIC,
    DeliveryMethod.ON_SITE_PRINT: schemas.DeliveryMethod.ELECTRONIC,
}


@dataclass(frozen=True)
class Page:
    kind: str  # details | field | elicence | material | commitment | delivery | address
    key: str  # unique within the journey: what 修改 jumps to
    field: FieldDef | None = None
    material: int = -1  # index into item.materials


@dataclass(frozen=True)
class CheckRow:
    key: str  # the page 修改 goes to; "" when the answer cannot be changed here
    label: str
    value: str


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class IntakeResult:
    reference: str
    queued: bool
    platform_reference: str | None
    status_text: str
    rows: tuple[tuple[str, str], ...]
    next_steps: tuple[str, ...]
    receipt_png: Path | None
    receipt_on_screen: bool
    notice: Message | None
    cover_sheet: bool  # a cover sheet was printed for the originals (异地代收代办)


@dataclass
class MaterialState:
    capture: CapturedPage | None = None
    problem: CaptureFailed | None = None
    deferred: bool = False
    skipped: bool = False
    busy: bool = False


@dataclass
class _Flags:
    submitting: bool = False
    stop: threading.Event = field(default_factory=threading.Event)


class IntakeJourney(Journey):
    name = "intake"
    confirm_label = "提交申请"
    busy_label = "正在提交，请稍候…"
    failure_title = "申请未能提交"

    @classmethod
    def supports(cls, item: CatalogItem) -> bool:
        return item.journey is JourneyKind.INTAKE

    def __init__(self, core: KioskCore, item: CatalogItem) -> None:
        super().__init__(core, item)
        self.form: FormDef = form_for(item.code)
        self.index = 0
        self.returning = False  # came from the check page's 修改: continue goes back there
        self.changed = ""  # the page 修改 opened last (the check page shows its row again)
        self.materials = [MaterialState() for _ in item.materials]
        self.signature: bytes | None = None
        self.prefilled_address: str | None = None
        self.prefilled_fields: dict[str, str] = {}  # field key → value from platform records
        self.address_loaded = False  # the pre-fill look-ups (address and fields) are done
        self.result: IntakeResult | None = None
        self.camera_presses = 0
        self.today = date.today()
        self._flags = _Flags()
        if len(item.delivery_methods) == 1:
            self.visit.answers["delivery"] = item.delivery_methods[0].value
        if self.visit.identity is not None:
            self._load_address()

    # -- the pages ---------------------------------------------------------------------
    @property
    def en(self) -> bool:
        return self.core.language == "en"

    def pages(self) -> list[Page]:
        item = self.item
        pages = [Page("details", "details")]
        pages += [Page("field", f"field:{f.key}", field=f) for f in self.form.fields]
        if any(m.e_licence_reusable for m in item.materials):
            pages.append(Page("elicence", "elicence"))
        pages += [
            Page("material", f"material:{i}", material=i)
            for i, m in enumerate(item.materials)
            if not m.e_licence_reusable
        ]
        if self.form.commitment is not None:
            pages.append(Page("commitment", "commitment"))
        if len(item.delivery_methods) > 1:
            pages.append(Page("delivery", "delivery"))
        if self.visit.answers.get("delivery") == DeliveryMethod.POST.value:
            pages.append(Page("address", "address"))
        return pages

    @property
    def page(self) -> Page:
        pages = self.pages()
        return pages[min(self.index, len(pages) - 1)]

    def total_steps(self) -> int:
        """Identification, every page, the check page and the confirmation."""
        return len(self.pages()) + 3

    def step_number(self, state: VisitState | None = None) -> int:
        state = state or self.core.state
        pages = len(self.pages())
        if state is VisitState.CONFIRM:
            return pages + 2
        if state is VisitState.RESULT:
            return pages + 3
        return self.index + 2

    def step_text(self, state: VisitState | None = None) -> str:
        return self.t("第 {n} 步，共 {total} 步").format(
            n=self.step_number(state), total=self.total_steps()
        )

    # -- what a page shows ----------------------------------------------------------------
    def title(self) -> str:
        page, t = self.page, self.t
        if page.kind == "field" and page.field is not None:
            return page.field.label_en if self.en else page.field.label
        if page.kind == "material":
            return t("请拍摄：{name}").format(name=self.material_name(page.material))
        if page.kind == "commitment" and self.form.commitment is not None:
            c = self.form.commitment
            return c.title_en if self.en else c.title
        return {
            "details": t("请核对您的身份信息"),
            "elicence": t("这些材料无需提交纸质件"),
            "delivery": t("请选择办理结果的领取方式"),
            "address": t("请确认邮寄地址"),
        }[page.kind]

    def hint(self) -> str:
        page, t = self.page, self.t
        if page.kind == "field" and page.field is not None:
            f = page.field
            if self.prefilled_fields.get(f.key):
                return f.prefill_hint_en if self.en else f.prefill_hint
            return f.hint_en if self.en else f.hint
        if page.kind == "material":
            material = self.item.materials[page.material]
            text = t("请把材料平放在拍摄区，然后点“拍照”。")
            if material.may_defer:
                due = self.defer_due()
                text += "\n" + t("现在没有带的，可以容缺受理：请于 {date} 前补交。").format(
                    date=f"{due:%Y-%m-%d}"
                )
            elif not material.required:
                text += "\n" + t("这份材料不是必须的，没有可以不提交。")
            return text
        if page.kind == "commitment":
            return t("请上下滑动读完承诺内容，然后在右边的框内签名。")
        return {
            "details": t("以下信息从您的身份证读取，不能修改。"),
            "elicence": t("以下材料已从电子证照库调取，您不需要再拍摄或提交。"),
            "delivery": t("办结后，办理结果按您选择的方式送达。"),
            "address": t("地址来自您以前的办件记录，可以修改。"),
        }[page.kind]

    def detail_rows(self) -> list[tuple[str, str]]:
        identity, t = self.visit.identity, self.t
        if identity is None:
            return []
        return [(t("姓名"), mask_name(identity.name)), (t("证件号码"), identity.id_number_masked)]

    def elicence_rows(self) -> list[tuple[str, str]]:
        return [
            (self.material_name(i), self.t("已调用电子证照"))
            for i, m in enumerate(self.item.materials)
            if m.e_licence_reusable
        ]

    def commitment_text(self) -> str:
        c = self.form.commitment
        return "" if c is None else (c.text_en if self.en else c.text)

    def choices(self) -> list[Choice]:
        page = self.page
        if page.kind == "field" and page.field is not None:
            return [Choice(o.value, o.label_en if self.en else o.label) for o in page.field.options]
        if page.kind == "delivery":
            return [
                Choice(m.value, self.delivery_label(m.value)) for m in self.item.delivery_methods
            ]
        return []

    def chosen(self) -> str:
        page = self.page
        key = page.field.key if page.field is not None else page.kind
        return str(self.visit.answers.get(key, ""))

    def keyboard(self) -> tuple[str, str, int]:
        """(mode, numeric kind, max length) of the keyboard on a text page."""
        page = self.page
        if page.kind == "address":
            return ("text", "phone", 60)
        if page.field is not None and page.field.kind == "phone":
            return ("numeric", "phone", 11)
        if page.field is not None and page.field.kind == "number":
            return ("numeric", "phone", page.field.max_length)
        return ("text", "phone", page.field.max_length if page.field else 40)

    def text_value(self) -> str:
        page = self.page
        if page.kind == "address":
            stored = self.visit.answers.get("address")
            return str(stored if stored is not None else (self.prefilled_address or ""))
        if page.field is not None:
            key = page.field.key
            if key in self.visit.answers:
                return str(self.visit.answers[key])
            return self.prefilled_fields.get(key, "")
        return ""

    # -- answering ------------------------------------------------------------------------
    def choose(self, value: str) -> None:
        page = self.page
        key = page.field.key if page.field is not None else page.kind
        self.visit.answers[key] = value

    def type_text(self, text: str) -> None:
        page = self.page
        if page.kind == "address":
            self.visit.answers["address"] = text.strip()
        elif page.field is not None:
            self.visit.answers[page.field.key] = text.strip()

    def problem(self) -> Message | None:
        """What stops the current page from being complete (None: it is)."""
        page, answers = self.page, self.visit.answers
        if page.kind in ("details", "elicence"):
            return None
        if page.kind == "field" and page.field is not None:
            if page.field.kind == "choice":
                value = str(answers.get(page.field.key, "")).strip()
                return None if value else PROBLEMS["choose"]
            value = self.text_value().strip()
            if not value:
                return PROBLEMS["required"] if page.field.required else None
            if page.field.kind == "number" and not value.isdigit():
                return PROBLEMS["number"]
            if page.field.kind == "phone" and not (
                len(value) == 11 and value.isdigit() and value.startswith("1")
            ):
                return PROBLEMS["phone"]
            return None
        if page.kind == "material":
            state = self.materials[page.material]
            if state.capture is not None or state.deferred or state.skipped:
                return None
            material = self.item.materials[page.material]
            return PROBLEMS["material_defer" if material.may_defer else "material"]
        if page.kind == "commitment":
            return None if self.signature else PROBLEMS["signature"]
        if page.kind == "delivery":
            return None if answers.get("delivery") else PROBLEMS["choose"]
        if page.kind == "address":
            return None if len(self.text_value()) >= 4 else PROBLEMS["address"]
        return None

    def go_on(self) -> Message | None:
        """继续: to the next page (or back to the check page after 修改, or on to it)."""
        problem = self.problem()
        if problem is not None:
            return problem
        if self.page.kind == "address" and "address" not in self.visit.answers:
            self.visit.answers["address"] = self.text_value()
        page_field = self.page.field
        if page_field is not None and page_field.key in self.prefilled_fields:
            self.visit.answers.setdefault(page_field.key, self.text_value())
        if self.page.kind == "delivery" and self.chosen() == DeliveryMethod.POST.value:
            # The postal address is the next question, even when coming from the check page.
            self.index = [p.kind for p in self.pages()].index("address")
            return None
        if self.returning or self.index + 1 >= len(self.pages()):
            self.returning = False
            self.core.machine.set_state(VisitState.CONFIRM)
        else:
            self.index += 1
        return None

    def go_back(self) -> None:
        """返回: the previous page; from the first page, the item's start page;
        after 修改, the check page."""
        if self.returning:
            self.returning = False
            self.core.machine.set_state(VisitState.CONFIRM)
        elif self.index > 0:
            self.index -= 1
        else:
            self.core.choose(self.item.code)

    def back_from_check(self) -> None:
        """返回 on the check page: the last question again."""
        self.index = len(self.pages()) - 1
        self.returning = False
        self.core.machine.set_state(VisitState.STEPS)

    def change(self, key: str) -> None:
        """修改 on the check page: show that page; 继续 comes back to the check page."""
        keys = [p.key for p in self.pages()]
        if key not in keys:
            raise ValueError(f"no page {key!r} in this journey")
        self.index = keys.index(key)
        self.returning = True
        self.changed = key
        self.core.machine.set_state(VisitState.STEPS)

    # -- materials -------------------------------------------------------------------------
    def material_name(self, index: int) -> str:
        material = self.item.materials[index]
        return material.name_en if self.en else material.name

    def material_state(self) -> MaterialState | None:
        page = self.page
        return self.materials[page.material] if page.kind == "material" else None

    def may_defer(self) -> bool:
        page = self.page
        return page.kind == "material" and self.item.materials[page.material].may_defer

    def may_skip(self) -> bool:
        page = self.page
        if page.kind != "material":
            return False
        material = self.item.materials[page.material]
        return not material.required and not material.may_defer

    def defer_due(self) -> date:
        return add_working_days(self.today, self.form.defer_days)

    def capture(self, on_done: Callable[[MaterialState], None]) -> None:
        """拍照 / 重拍: the document camera on a worker; the page's state comes back."""
        page = self.page
        if page.kind != "material":
            raise RuntimeError("capture on a material page only")
        state = self.materials[page.material]
        if state.busy:
            return
        state.busy = True
        self.camera_presses += 1
        presses = self.camera_presses

        def work() -> CapturedPage | CaptureFailed:
            services = self.services()
            if services.simulators.idcard is None:  # a real terminal: no document camera yet
                raise DeviceError("no document camera is configured", reason="no_camera")
            return capture_with(simulated_camera(presses, seed=page.material))

        def done(result: CapturedPage | CaptureFailed) -> None:
            state.busy = False
            if isinstance(result, CapturedPage):
                state.capture, state.problem = result, None
                state.deferred = state.skipped = False
            else:
                state.problem = result
            on_done(state)

        def failed(exc: BaseException) -> None:
            state.busy = False
            state.problem = CaptureFailed(
                "no_camera", PROBLEMS["no_camera"].zh, PROBLEMS["no_camera"].en
            )
            on_done(state)

        self.run(work, done, failed)

    def capture_problem(self) -> str:
        state = self.material_state()
        if state is None or state.problem is None:
            return ""
        if state.problem.reason == "no_camera":
            return state.problem.message_en if self.en else state.problem.message
        prompt = state.problem.message_en if self.en else state.problem.message
        return self.t("没有拍清楚：{prompt}。请调整后点“重拍”。").format(prompt=prompt)

    def defer(self) -> None:
        state = self.material_state()
        if state is not None and self.may_defer():
            state.deferred, state.capture, state.problem = True, None, None

    def skip(self) -> None:
        state = self.material_state()
        if state is not None and self.may_skip():
            state.skipped, state.capture, state.problem = True, None, None

    def material_status(self, index: int) -> str:
        t, material, state = self.t, self.item.materials[index], self.materials[index]
        if material.e_licence_reusable:
            return t("已调用电子证照")
        if state.capture is not None:
            return t("已拍摄")
        if state.deferred:
            return t("容缺受理，请于 {date} 前补交").format(date=f"{self.defer_due():%Y-%m-%d}")
        if state.skipped:
            return t("不提交")
        return t("还没有拍摄")

    # -- 告知承诺 -----------------------------------------------------------------------------
    def sign(self, png: bytes) -> None:
        self.signature = png

    def clear_signature(self) -> None:
        self.signature = None

    # -- delivery ---------------------------------------------------------------------------
    def delivery_label(self, value: str) -> str:
        t = self.t
        return {
            DeliveryMethod.COLLECT.value: t("窗口领取"),
            DeliveryMethod.POST.value: t("邮寄送达"),
            DeliveryMethod.ELECTRONIC.value: t("电子送达（可在“办件查询”查看）"),
            DeliveryMethod.ON_SITE_PRINT.value: t("办结后在本终端打印"),
        }[value]

    def _load_address(self) -> None:
        """表单预填: the postal address from the resident's earlier applications, and the
        form's pre-filled fields (``prefill``) from the resident's records."""
        identity = self.visit.identity
        if identity is None or self.address_loaded:
            return
        resident_id = identity.resident_id
        wanted = {f.key: f.prefill for f in self.form.fields if f.prefill is not None}

        def fetch() -> tuple[str | None, dict[str, str]]:
            platform = self.services().platform
            localities: dict[str, str] = {}
            for source in sorted(set(wanted.values())):
                kind = source.split(".")[0]
                try:
                    localities[source] = platform.records(resident_id, kind).account.locality
                except PlatformError:  # no such record: the resident types the answer
                    continue
            fields = {key: localities[src] for key, src in wanted.items() if src in localities}
            apps = platform.applications(resident_id)
            for app in sorted(apps, key=lambda a: a.updated_at, reverse=True):
                if app.delivery.method is schemas.DeliveryMethod.POST and app.delivery.address:
                    return app.delivery.address, fields
            return None, fields

        def done(found: tuple[str | None, dict[str, str]]) -> None:
            self.address_loaded = True
            self.prefilled_address, self.prefilled_fields = found

        def failed(exc: BaseException) -> None:
            self.address_loaded = True  # the resident types it; nothing else depends on it

        self.run(fetch, done, failed)

    def on_identified(self) -> None:
        self._load_address()

    # -- the check page ---------------------------------------------------------------------
    def check_rows(self) -> list[CheckRow]:
        t, answers = self.t, self.visit.answers
        rows = [CheckRow("", t("办理事项"), self.core.item_name(self.item))]
        rows += [CheckRow("", key, value) for key, value in self.detail_rows()]
        for page in self.pages():
            if page.kind == "field" and page.field is not None:
                f = page.field
                value = str(answers.get(f.key, ""))
                if f.kind == "choice":
                    value = next(
                        (
                            (o.label_en if self.en else o.label)
                            for o in f.options
                            if o.value == value
                        ),
                        value,
                    )
                label = f.check_label_en if self.en else f.check_label
                rows.append(CheckRow(page.key, label, value or t("未填写")))
            elif page.kind == "elicence":
                for name, status in self.elicence_rows():
                    rows.append(CheckRow("", name, status))
            elif page.kind == "material":
                rows.append(
                    CheckRow(
                        page.key,
                        self.material_name(page.material),
                        self.material_status(page.material),
                    )
                )
            elif page.kind == "commitment" and self.form.commitment is not None:
                c = self.form.commitment
                signed = t("已阅读并签名") if self.signature else t("未签名")
                rows.append(CheckRow(page.key, c.title_en if self.en else c.title, signed))
            elif page.kind == "address":
                rows.append(CheckRow(page.key, t("邮寄地址"), str(answers.get("address", ""))))
        method = str(answers.get("delivery", ""))
        if method:
            key = "delivery" if len(self.item.delivery_methods) > 1 else ""
            rows.append(CheckRow(key, t("领取方式"), self.delivery_label(method)))
        return rows

    def confirm_rows(self) -> list[tuple[str, str]]:
        return [(row.label, row.value) for row in self.check_rows()]

    # -- submitting -------------------------------------------------------------------------
    @property
    def submitting(self) -> bool:
        return self._flags.submitting

    def confirm(self, on_done: Callable[[ResultView], None]) -> None:
        """提交申请: once. A second tap while the first is on its way does nothing; after
        it, the same receipt comes back (never a second submission)."""
        if self.result is not None:
            on_done(self._view(self.result))
            return
        if self._flags.submitting:
            return
        self._flags.submitting = True

        def done(result: IntakeResult) -> None:
            self._flags.submitting = False
            self.result = result
            self.visit.reference = result.reference
            if self.core.state is not VisitState.RESULT:
                self.core.machine.set_state(VisitState.RESULT)
            on_done(self._view(result))

        def failed(exc: BaseException) -> None:
            self._flags.submitting = False
            from kiosk.outbox import SealingKeyUnavailable

            problem = (
                PROBLEMS["no_sealing_key"]
                if isinstance(exc, SealingKeyUnavailable)
                else message_for(exc)
            )
            on_done(ResultView(ok=False, message=problem))

        self.run(self._submit, done, failed)

    def _view(self, result: IntakeResult) -> ResultView:
        return ResultView(
            ok=True,
            reference=result.reference,
            title=self.core.item_name(self.item),
            rows=result.rows,
            receipt_png=result.receipt_png,
            receipt_on_screen=result.receipt_on_screen,
            message=result.notice,
        )

    def request(self) -> schemas.ApplicationRequest:
        """The application as the platform receives it (sealed by the outbox)."""
        identity = self.visit.identity
        if identity is None:
            raise RuntimeError("an application needs an identity")
        answers, item = self.visit.answers, self.item
        form: dict[str, object] = {f.key: answers.get(f.key, "") for f in self.form.fields}
        form["applicant"] = {"name": identity.name, "id_number": identity.id_number}
        form["handling_mode"] = item.handling_modes[0].value
        form["receiving_site"] = self.core.settings.terminal.site_name
        form["terminal_id"] = self.core.settings.terminal.terminal_id
        form["delivery_detail"] = answers.get("delivery")
        materials: list[schemas.Material] = []
        attachments: list[dict[str, str]] = []
        deferred: list[dict[str, str]] = []
        for material, state in zip(item.materials, self.materials, strict=True):
            if material.e_licence_reusable:
                materials.append(schemas.Material(name=material.name, source="e_licence"))
            elif state.capture is not None:
                digest = hashlib.sha256(state.capture.jpeg).hexdigest()
                materials.append(
                    schemas.Material(name=material.name, source="camera", sha256=digest)
                )
                attachments.append(
                    {
                        "material": material.name,
                        "jpeg_b64": base64.b64encode(state.capture.jpeg).decode("ascii"),
                    }
                )
            elif state.deferred:
                deferred.append({"material": material.name, "due": f"{self.defer_due():%Y-%m-%d}"})
        form["attachments"] = attachments
        form["deferred"] = deferred
        if self.form.commitment is not None and self.signature is not None:
            form["commitment"] = {
                "title": self.form.commitment.title,
                "text": self.form.commitment.text,
                "signature_png_b64": base64.b64encode(self.signature).decode("ascii"),
            }
        method = DeliveryMethod(str(answers.get("delivery") or item.delivery_methods[0].value))
        address = str(answers.get("address", "")) if method is DeliveryMethod.POST else None
        return schemas.ApplicationRequest(
            resident_id=identity.resident_id,
            item_code=item.code,
            item_name=item.name,
            form=form,
            materials=materials,
            delivery=schemas.Delivery(method=DELIVERY_TO_PLATFORM[method], address=address),
        )

    def _submit(self) -> IntakeResult:
        """Worker thread: into the outbox (durable at once), a moment for the sender,
        then the receipt and (异地代收代办) the cover sheet."""
        services = self.services()
        outbox = _outbox(services)
        receipt = outbox.submit(self.request())
        entry = outbox.wait_for(receipt.reference, SEND_WAIT_S)
        from kiosk.outbox import EntryState

        sent = entry is not None and entry.state is EntryState.SENT
        services.audit_event(
            "application_queued",
            reference=receipt.reference,
            service=self.item.code,
            queued=not sent,
        )
        platform_reference = entry.platform_reference if entry is not None and sent else None
        return self._print(services, receipt.reference, not sent, platform_reference)

    def handled_home(self) -> bool:
        return HandlingMode.RECEIVED_HERE_HANDLED_HOME in self.item.handling_modes

    def handling_locality(self) -> str:
        identity = self.visit.identity
        # The division code: the first six digits, which the masked number keeps too.
        code = identity.id_number_masked[:6] if identity is not None else ""
        province = PROVINCES.get(code[:2], "户籍地")
        return f"{province}（行政区划代码 {code}）{self.item.implementing_body}"

    def _texts(self, zh: bool) -> dict[str, str]:
        """The confirmation's sentences, in Chinese (receipt, cover sheet) or the screen's
        language."""
        t = (lambda s: s) if zh else self.t
        days = self.item.promised_time_limit_days
        return {
            "time": t("当场办结") if days == 0 else t("{n} 个工作日内办结").format(n=days),
            HandlingMode.FULLY_ONLINE.value: t(
                "全程网办：申请已通过网络交给办理部门，您不需要再跑腿。"
            ),
            HandlingMode.RECEIVED_HERE_HANDLED_HOME.value: t(
                "异地代收代办：收件地受理、办理地审批。本网点收下材料后，转交您的户籍地审批。"
            ),
            HandlingMode.MULTI_LOCALITY.value: t(
                "多地联办：您只在这里申请一次，相关地方的部门协同办理。"
            ),
            HandlingMode.ON_SITE.value: t("本地办理：由本地部门审核办理。"),
            "queued": t("已受理（排队提交中）"),
            "sent": t("已提交"),
            "queued_next": t("网络恢复后终端会自动提交，您不需要再来办理。"),
            "originals": t("请把打印出的材料流转单和纸质材料原件交给工作人员，或投入材料回收箱。"),
        }

    def next_steps(self, zh: bool, queued: bool) -> list[str]:
        t = (lambda s: s) if zh else self.t
        texts = self._texts(zh)
        steps = [texts[self.item.handling_modes[0].value]]
        if zh:  # the screen shows the time limit in its heading
            steps.append(texts["time"])
        if queued:
            steps.append(texts["queued_next"])
        if self.handled_home():
            steps.append(texts["originals"])
        for index, state in enumerate(self.materials):
            if state.deferred:
                material = self.item.materials[index]
                name = material.name if zh or not self.en else material.name_en
                steps.append(
                    t("请于 {date} 前补交：{name}").format(
                        date=f"{self.defer_due():%Y-%m-%d}", name=name
                    )
                )
        method = str(self.visit.answers.get("delivery", ""))
        if method == DeliveryMethod.POST.value:
            steps.append(
                t("办结后邮寄到：{address}").format(address=self.visit.answers.get("address", ""))
            )
        elif method == DeliveryMethod.COLLECT.value:
            steps.append(t("办结后请带身份证和回执到窗口领取。"))
        else:
            steps.append(t("办结后可在“办件查询”查看结果。"))
        return steps

    def _print(
        self, services: Services, reference: str, queued: bool, platform_reference: str | None
    ) -> IntakeResult:
        """Worker thread: receipt (always) and cover sheet (received here, handled at home)."""
        settings, visit, item, t = self.core.settings, self.visit, self.item, self.t
        identity = visit.identity
        assert identity is not None
        zh = self._texts(True)
        now = datetime.now()
        cover = False
        notice: Message | None = None
        if self.handled_home():
            cover = self._print_cover_sheet(services, reference, now)
            if not cover:
                notice = Message(
                    "材料流转单没有打印出来，请把纸质材料原件交给工作人员，并告诉他们办件编号。",
                    "The cover sheet did not print: hand the originals to staff with your "
                    "reference number.",
                )
        rows = [("状态", zh["queued"] if queued else zh["sent"])]
        if platform_reference:
            rows.append(("平台办件编号", platform_reference))
        rows.append(("承诺时限", zh["time"]))
        rows.append(("办理方式", item.handling_modes[0].label.split(" ")[0]))
        receipt = self.terminal_receipt(
            "受理回执",
            reference,
            identity.id_number_masked,
            rows=rows,
            next_steps=self.next_steps(True, queued),
            issued_at=now,
            status_qr=STATUS_QR_PREFIX + reference,
        )
        png, printer_notice = print_receipt(services, settings, visit, receipt.to_job())
        texts = self._texts(False)
        status = texts["queued"] if queued else texts["sent"]
        screen_rows = [(t("办理状态"), status), (t("承诺时限"), texts["time"])]
        if platform_reference:
            screen_rows.insert(1, (t("平台办件编号"), platform_reference))
        return IntakeResult(
            reference=reference,
            queued=queued,
            platform_reference=platform_reference,
            status_text=status,
            rows=tuple(screen_rows),
            next_steps=tuple(self.next_steps(False, queued)),
            receipt_png=png,
            receipt_on_screen=printer_notice is not None,
            notice=printer_notice or notice,
            cover_sheet=cover,
        )

    def _print_cover_sheet(self, services: Services, reference: str, now: datetime) -> bool:
        from kiosk.documents.cover_sheet import CoverSheet

        identity = self.visit.identity
        assert identity is not None
        originals = tuple(
            m.name
            for m, state in zip(self.item.materials, self.materials, strict=True)
            if _paper_original(m) and state.capture is not None
        )
        deferred = tuple(
            m.name
            for m, state in zip(self.item.materials, self.materials, strict=True)
            if state.deferred
        )
        sheet = CoverSheet(
            reference=reference,
            item_name=self.item.name,
            item_code=self.item.code,
            receiving_site=self.core.settings.terminal.site_name,
            terminal_id=self.core.settings.terminal.terminal_id,
            handling_locality=self.handling_locality(),
            holder_masked=identity.id_number_masked,
            originals=originals,
            deferred=deferred,
            received_at=now,
        )
        try:
            services.a4.print_pdf(sheet.to_pdf(), f"材料流转单 {reference}")
        except DeviceError as exc:
            log.warning("cover_sheet_not_printed", reason=exc.reason)
            return False
        return True

    # -- after submitting -------------------------------------------------------------------
    def follow(self, on_sent: Callable[[IntakeResult], None]) -> None:
        """While the confirmation shows a queued application, wait (worker) for the
        outbox to deliver it; then report the platform's reference."""
        result = self.result
        if result is None or not result.queued:
            return
        stop = self._flags.stop

        def work() -> str | None:
            from kiosk.outbox import EntryState

            outbox = _outbox(self.services())
            while not stop.is_set():
                entry = outbox.wait_for(result.reference, FOLLOW_WAIT_S)
                if entry is not None and entry.state is EntryState.SENT:
                    return entry.platform_reference
            return None

        def done(platform_reference: str | None) -> None:
            if platform_reference is None or self.result is None:
                return
            t, texts = self.t, self._texts(False)
            rows = [
                (t("办理状态"), texts["sent"]),
                (t("平台办件编号"), platform_reference),
                (t("承诺时限"), texts["time"]),
            ]
            self.result = IntakeResult(
                reference=result.reference,
                queued=False,
                platform_reference=platform_reference,
                status_text=texts["sent"],
                rows=tuple(rows),
                next_steps=tuple(self.next_steps(False, False)),
                receipt_png=result.receipt_png,
                receipt_on_screen=result.receipt_on_screen,
                notice=result.notice,
                cover_sheet=result.cover_sheet,
            )
            on_sent(self.result)

        self.run(work, done, lambda exc: None)

    def close(self) -> None:
        self._flags.stop.set()
        self.materials = []
        self.signature = None
        self.prefilled_address = None
        self.prefilled_fields = {}


def _paper_original(material: Material) -> bool:
    return material.form.value == "original" and not material.e_licence_reusable


def _outbox(services: Services) -> Outbox:
    if services.outbox is None:
        raise RuntimeError("the outbox is not running")
    return services.outbox
