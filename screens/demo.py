"""A scripted resident journey through the real widgets: ``python -m screens.demo``.

Run by ``kiosk demo`` in a child process (one Kivy app per interpreter) on a
display (``kiosk demo`` starts Xvfb when there is none). The script taps widgets
with real touch events, so the UI is what is exercised; it writes a screenshot
per screen, the receipt image, the certificate PDF and ``journey.json`` (the
visible texts of every screen), and exits 0, or 1 with the reason.

The idle time-out runs on a manual clock that the script moves forward, so the
warning and the time-out are shown without waiting minutes.

Journeys (``--journey``): ``certificate`` (with the idle warning once), ``status``
(办件查询 by reference typed on the key grid, timeline, status receipt),
``records`` (社保 records, two pages, printed), ``realestate`` (不动产登记信息 on the
records screen, a property a page, printed), ``payment`` (QR code, paid through
the reference platform's ``simulate-paid``, receipt). Every journey ends with the
evaluation. Other scenarios: ``idle`` (warning, then time-out: the visit and its
identity are gone) and ``looks`` (English, 长辈模式, a failed print).

With ``KIOSK_LATENCY_FILE`` set, every tap that changes the screen writes one
line to that file: the milliseconds from the dispatched touch to the first frame
drawn after the screen changed (bench/ui_bench.py reads them). ``journey.json``
holds ``frames``: the frames drawn over the journey and its seconds, and Kivy's
main-loop rate (``Clock.get_fps``) at each screen switch (the bench reports both).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE_CARD = "zhang_xiuying"
SAMPLE_SSCARD = "张秀英 社保卡"  # the same resident's social-security card (PIN 123456)
ITEM_CODE = "SI-PARTICIPATION-CERT"
OVERALL_DEADLINE_S = 240.0
SCENARIOS = ("journey", "idle", "looks")
JOURNEYS = ("certificate", "status", "records", "payment", "verify", "intake", "realestate")
# How the resident proves who they are when the service needs more than the card:
# card + e-ID code at the method choice, card + face (declining once first), e-ID code only.
IDENTITIES = ("card-code", "face", "code", "sscard_pin")
LATENCY_ENV = "KIOSK_LATENCY_FILE"
STATUS_REFERENCE = "TB20261118000417"  # 张秀英's 多地联办 application


class ManualClock:
    """The idle timer's clock: it stands still unless the script moves it forward, so a
    slow (loaded) machine never runs into a time-out the script did not ask for."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Wait:
    what: str
    until: Callable[[], bool]
    timeout: float = 30.0


@dataclass
class Pause:
    seconds: float


Step = Wait | Pause
Script = Generator[Step, None, None]


class DemoFailed(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m screens.demo")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--scenario", choices=SCENARIOS, default="journey")
    parser.add_argument("--journey", choices=JOURNEYS, default="certificate")
    parser.add_argument("--identity", choices=IDENTITIES, default="card-code")
    parser.add_argument("--elder", action="store_true", help="长辈模式, voice prompts to DIR/voice")
    args = parser.parse_args(argv)

    from kiosk.config.loader import load_settings

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    try:
        settings = load_settings(site_file=args.site, data_dir=data_dir).settings
        if args.elder:
            from kiosk.config.settings import VoiceOutputSettings

            voice = VoiceOutputSettings(output="wav", wav_dir=out.resolve() / "voice")
            settings = settings.model_copy(update={"voice": voice})
        if args.identity == "sscard_pin":  # the sample 社保卡 behind a private pcscd + vpcd
            from kiosk.config.settings import SocialSecurityCardSettings

            sscard = SocialSecurityCardSettings(reader="virtual")
            devices = settings.devices.model_copy(update={"sscard": sscard})
            settings = settings.model_copy(update={"devices": devices})
        from screens.bootstrap import configure_kivy

        configure_kivy(settings.ui, data_dir / "kivy", fullscreen=False)
        demo = Demo(settings, out, args.scenario, args.journey)
        demo.identity = args.identity
        demo.elder = args.elder
        return demo.run()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


class Demo:
    def __init__(
        self, settings: Any, out: Path, scenario: str, journey_name: str = "certificate"
    ) -> None:
        from kivy.clock import Clock

        from kiosk.runtime.core import KioskCore
        from kiosk.session.idle import IdleTimer
        from screens.app import KioskApp, ui_dispatch

        self.settings = settings
        self.out = out
        self.identity = "card-code"
        self.elder = False
        self.scenario = scenario
        self.journey_name = journey_name
        self.clock = ManualClock()
        self._latency_file = os.environ.get(LATENCY_ENV)
        self._latencies: list[tuple[float, str]] = []
        self._pending_tap: tuple[float, str] | None = None
        # Frames drawn over the journey, and the main loop's rate at each screen switch.
        self._flips = 0
        self._frames_since = self._last_flip = 0.0
        self._shown = ""
        self._switch_fps: list[float] = []

        def make_core(s: Any) -> KioskCore:
            core = KioskCore(s, dispatch=ui_dispatch)
            core.idle = IdleTimer(s.session.idle_timeout_s, s.session.warning_s, clock=self.clock)
            return core

        self.app = KioskApp(settings, core_factory=make_core)
        self.screens: list[dict[str, Any]] = []
        self.extra: dict[str, Any] = {}
        self.failure: str | None = None
        self._count = 0
        self._shot_dir = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
        self._script: Iterator[Step] = iter(())
        self._step: Step | None = None
        self._step_started = 0.0
        self._started = 0.0
        self._Clock = Clock

    # -- running -------------------------------------------------------------
    def run(self) -> int:
        journeys = {
            "certificate": self.journey,
            "status": self.status_journey,
            "records": self.records_journey,
            "payment": self.payment_journey,
            "verify": self.verify_journey,
            "intake": self.intake_journey,
            "realestate": self.realestate_journey,
        }
        scripts = {"journey": journeys[self.journey_name], "idle": self.idle, "looks": self.looks}
        self._script = scripts[self.scenario]()
        self._started = time.monotonic()
        self._Clock.schedule_once(self._begin, 0.5)
        try:
            self.app.run()
        finally:
            shutil.rmtree(self._shot_dir, ignore_errors=True)
        self.write_journey()
        if self._latency_file:
            with open(self._latency_file, "a", encoding="utf-8") as out:
                out.writelines(f"{ms:.3f}\t{what}\n" for ms, what in self._latencies)
        if self.failure:
            print(f"kiosk demo: FAILED: {self.failure}", file=sys.stderr)
            return 1
        print(f"kiosk demo: {len(self.screens)} screens written to {self.out}")
        return 0

    def _begin(self, _dt: float) -> None:
        from kivy.core.window import Window

        from kiosk.runtime.hygiene import LogCapture

        # The visit's log output, for the hygiene check at the end of the journey.
        self._logs = LogCapture().__enter__()
        Window.bind(on_flip=self._flipped)
        self._frames_since = time.perf_counter()
        self._advance()
        self._Clock.schedule_interval(self._poll, 0.05)

    def _advance(self) -> None:
        try:
            self._step = next(self._script)
        except StopIteration:
            self._step = None
            self.app.stop()
            return
        except Exception as exc:
            self._fail(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
            return
        self._step_started = time.monotonic()

    def _poll(self, _dt: float) -> bool:
        step = self._step
        if step is None:
            return False
        now = time.monotonic()
        if now - self._started > OVERALL_DEADLINE_S:
            self._fail(f"the whole demo took longer than {OVERALL_DEADLINE_S:.0f} s")
            return False
        if isinstance(step, Pause):
            done = now - self._step_started >= step.seconds
        else:
            try:
                done = step.until()
            except Exception as exc:
                self._fail(f"while waiting for {step.what}: {type(exc).__name__}: {exc}")
                return False
            if not done and now - self._step_started > step.timeout:
                self._fail(
                    f"timed out after {step.timeout:.0f} s waiting for {step.what}"
                    f" (screen: {self.manager.current}, state: {self.core.state})"
                )
                return False
        if done:
            self._advance()
        return self._step is not None

    def _flipped(self, *_: Any) -> None:
        """A frame was drawn: count it; if a tap changed the screen, that tap's latency
        is done."""
        self._flips += 1
        self._last_flip = time.perf_counter()
        if self.manager.current != self._shown:
            self._shown = self.manager.current
            self._switch_fps.append(self._Clock.get_fps())
        pending = self._pending_tap
        if pending is None:
            return
        started, screen = pending
        if self.manager.current != screen:
            elapsed = (time.perf_counter() - started) * 1000
            self._latencies.append((elapsed, f"{screen}→{self.manager.current}"))
            self._pending_tap = None
        elif time.perf_counter() - started > 5:
            self._pending_tap = None  # the tap did not change the screen

    def _fail(self, reason: str) -> None:
        self.failure = reason
        self._step = None
        self.app.stop()

    # -- helpers -------------------------------------------------------------
    @property
    def core(self) -> Any:
        return self.app.core

    @property
    def manager(self) -> Any:
        return self.app.manager

    @property
    def nav(self) -> Any:
        return self.app.nav

    def screen(self, name: str) -> Any:
        return self.manager.get_screen(name)

    def kiosk_up(self) -> Wait:
        """The services are up and every screen is built (the app builds them one per
        frame after the first): a resident walking up finds it so."""

        def up() -> bool:
            return bool(self.app.ui and self.app.ui.ready and self.manager.all_built)

        return Wait("the kiosk to be up", up, 90)

    def on_screen(self, name: str) -> Wait:
        def shown() -> bool:
            manager = self.manager
            return bool(manager.current == name and not manager.transition.is_active)

        return Wait(f"the {name} screen", shown)

    def settle(self) -> Pause:
        return Pause(0.5)

    def tap(self, widget: Any, measure: bool = True) -> None:
        """A real touch (down + up) at the widget's centre, through the window.

        ``measure=False``: the next screen waits for work on a worker (reading the
        card, printing, the platform), so the tap's latency is not the UI's."""
        from kivy.base import EventLoop

        if widget.disabled:
            raise DemoFailed(f"cannot tap disabled {widget!r} ({getattr(widget, 'text', '')})")
        x, y = widget.to_window(*widget.center)
        touch = _Touch(x, y)
        self._pending_tap = (time.perf_counter(), self.manager.current) if measure else None
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)

    def find(self, root: Any, text: str) -> Any:
        """The visible button (or tile) whose text is ``text``."""
        for widget in root.walk(restrict=True):
            label = getattr(widget, "text", None)
            if label == text and hasattr(widget, "trigger_action") and _visible(widget):
                return widget
        raise DemoFailed(f"no visible button {text!r} on {getattr(root, 'name', root)!r}")

    def shoot(self, name: str) -> None:
        from kivy.core.window import Window

        self._count += 1
        target = self.out / f"{self._count:02d}-{name}.png"
        shot = Window.screenshot(name=str(self._shot_dir / "shot.png"))
        if not shot:
            raise DemoFailed("the window could not be captured")
        shutil.move(shot, target)
        self.screens.append(
            {
                "name": name,
                "screen": self.manager.current,
                "file": target.name,
                "texts": visible_texts(self.manager.current_screen, Window),
                "widgets": measure_widgets(self.manager.current_screen, Window),
            }
        )

    def write_journey(self) -> None:
        data = {
            "scenario": self.scenario,
            "journey": self.journey_name,
            "rss_kib": _rss_kib(),
            "frames": {
                "drawn": self._flips,
                "seconds": round(self._last_flip - self._frames_since, 3),
                "loop_fps_at_switches": [round(f, 1) for f in self._switch_fps],
            },
            "ok": self.failure is None,
            "failure": self.failure,
            "screens": self.screens,
            **self.extra,
        }
        (self.out / "journey.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
        )

    # -- the scripts ---------------------------------------------------------
    def _open_item(self, code: str) -> Script:
        """attract → home (paging until the tile shows) → tile → start page → 开始办理."""
        yield self.kiosk_up()
        yield self.on_screen("attract")
        yield self.settle()
        self.shoot("attract")
        self.tap(self.screen("attract"))

        yield self.on_screen("home")
        home = self.screen("home")
        if self.elder:
            yield from self._elder_on()
        yield self.settle()
        self.shoot("home")
        while True:
            tiles = [t for t in home.ids.grid.children if getattr(t, "code", "") == code]
            if tiles:
                break
            if home.page + 1 >= home.pages:
                raise DemoFailed(f"no {code} tile on any page of the home screen")
            self.tap(self.find(home, self.core.t("下一页")))
            yield self.settle()
        self.tap(tiles[0])

        yield self.on_screen("service_start")
        yield self.settle()
        self.shoot("service_start")
        start = self.screen("service_start")
        self.tap(self.find(start, self.core.t("开始办理")))

    def _elder_on(self) -> Script:
        """长辈模式, one tap on the home screen."""
        self.tap(self.find(self.screen("home"), self.core.t("长辈模式")))
        yield Wait("elder mode", lambda: bool(self.app.ui and self.app.ui.elder_mode))

    def _to_steps_with_card(self, code: str = ITEM_CODE, next_screen: str = "steps") -> Script:
        """attract → home → tile → start page → identify (sample card) → steps."""
        yield from self._open_item(code)
        yield from self._identify(next_screen)

    def _identify(self, next_screen: str = "steps") -> Script:
        yield self.on_screen("identify")
        identify = self.screen("identify")
        yield Wait(
            "the simulated card buttons",
            lambda: any(b.text == SAMPLE_CARD for b in identify.ids.sim_buttons.children),
        )
        yield self.settle()
        self.shoot("identify")
        if self.identity == "code":  # the e-ID code instead of the card
            self.tap(self.find(identify, self.core.t("改用电子身份码")))
            yield from self._scan_eid()
        else:
            self.tap(self.find(identify, SAMPLE_CARD), measure=False)
            yield Wait(
                "the card to be read",
                lambda: (
                    self.core.visit.identity is not None
                    or self.manager.current == "identify_method"
                ),
                60,
            )
            if self.core.visit.identity is None:  # the service needs a second proof
                yield from self._second_proof()
        yield Wait("the identity", lambda: self.core.visit.identity is not None, 90)
        yield self.on_screen(next_screen)
        yield self.settle()

    def _second_proof(self) -> Script:
        """The method choice after the card: the e-ID code, or face (declined once first)."""
        yield self.on_screen("identify_method")
        yield self.settle()
        self.shoot("identify_method")
        method = self.screen("identify_method")
        if self.identity == "sscard_pin":
            self.tap(self._method_button(method, "sscard"))
            yield from self._sscard_pin()
            return
        if self.identity != "face":
            self.tap(self._method_button(method, "code"))
            yield from self._scan_eid()
            return
        # Decline the face notice once: face is withdrawn and the other ways remain.
        self.tap(self._method_button(method, "face"))
        yield self.on_screen("face_consent")
        yield self.settle()
        self.shoot("face_consent")
        self.tap(self.find(self.screen("face_consent"), self.core.t("不同意，用其他方式")))
        yield self.on_screen("identify_method")
        yield self.settle()
        self.shoot("methods_after_decline")
        self.extra["methods_after_decline"] = [
            getattr(b, "method", "") for b in method.ids.methods.children
        ]
        # Start the service again (a new notice), agree, and look at the camera.
        self.tap(self.find(method, self.core.t("返回")))
        yield self.on_screen("service_start")
        self.tap(self.find(self.screen("service_start"), self.core.t("开始办理")))
        # The card still lies on the reader: it may be read again before the card page
        # has even been drawn (as on a real terminal).
        yield Wait(
            "the card page or the method choice",
            lambda: self.manager.current in ("identify", "identify_method"),
        )
        if self.manager.current == "identify":
            self.tap(self.find(self.screen("identify"), SAMPLE_CARD), measure=False)
        yield self.on_screen("identify_method")
        yield self.settle()
        self.tap(self._method_button(self.screen("identify_method"), "face"))
        yield self.on_screen("face_consent")
        self.tap(self.find(self.screen("face_consent"), self.core.t("同意，开始刷脸")))
        yield self.on_screen("face")
        face = self.screen("face")
        yield Wait("the camera preview", lambda: face.frames_shown >= 3, 60)
        self.shoot("face_preview")
        yield Wait("the face decision", lambda: bool(face.passed or face.failed), 90)
        if face.failed:
            raise DemoFailed(f"face verification failed: {face.error}")
        yield Pause(0.2)
        self.shoot("face_passed")
        self.extra["face_audit"] = [r.to_json() for r in self.core.identification.audit]

    def _sscard_pin(self) -> Script:
        """社保卡 + 密码: insert the sample card, a wrong PIN first (tries left), then 123456."""
        yield self.on_screen("sscard_pin")
        page = self.screen("sscard_pin")
        yield self.settle()
        self.shoot("sscard_insert")
        self.tap(self.find(page, f"插入 {SAMPLE_SSCARD}"), measure=False)
        yield Wait("the PIN pad", lambda: page.stage == "pin", 60)
        for pin in ("111111", "123456"):
            for count, key in enumerate([*pin, self.core.t("确认")], start=1):
                self.tap(self.find(page.ids.keyboard, key), measure=False)
                yield Pause(0.05)
                if count == 3 and pin == "111111":
                    yield self.settle()
                    self.shoot("sscard_pin_typing")  # dots only, never the digits
            if pin == "111111":
                yield Wait("the wrong PIN message", lambda: "再试" in page.error, 60)
                yield self.settle()
                self.shoot("sscard_wrong_pin")
        yield Wait("the PIN check", lambda: page.stage == "passed", 60)
        self.shoot("sscard_passed")
        self.extra["sscard_audit"] = [r.to_json() for r in self.core.identification.audit]

    def _method_button(self, screen: Any, key: str) -> Any:
        for button in screen.ids.methods.children:
            if getattr(button, "method", "") == key:
                return button
        raise DemoFailed(f"no {key!r} method on the method choice")

    def _scan_eid(self) -> Script:
        yield self.on_screen("ecode")
        ecode = self.screen("ecode")
        yield Wait("the scanner", lambda: self.core.identification.listening.is_set(), 30)
        yield self.settle()
        self.shoot("ecode")
        self.tap(self.find(ecode, "张秀英 电子身份码"), measure=False)

    def _louder_twice(self) -> Script:
        """音量 + twice in the header: each heard at once (the prompt again, louder)."""
        voice = self.nav.voice
        if voice is None or voice.voice is None:
            raise DemoFailed("no voice guidance (espeak-ng) for the volume buttons")
        default = voice.volume
        for _ in range(2):

            def said_again(before: int = len(voice.spoken)) -> bool:
                return len(voice.spoken) > before

            self.tap(self.find(self.manager.current_screen, "＋"))
            yield Wait("the prompt at the new volume", said_again)
        self.extra["volume"] = {"default": default, "raised": voice.volume}
        yield self.settle()
        self.shoot("volume_raised")

    def _idle_warning(self) -> Script:
        """Move the idle clock into the warning period: the overlay with 继续办理."""
        overlay = self.nav.idle_overlay
        session = self.settings.session
        timeout = session.elder_idle_timeout_s if self.elder else session.idle_timeout_s
        self.clock.advance(timeout - session.warning_s + 1)
        self.core.tick()
        yield Wait("the idle warning", lambda: bool(overlay.is_open))
        yield self.settle()
        self.shoot("idle_warning")

    def journey(self) -> Script:
        yield from self._to_steps_with_card()
        self.shoot("steps")
        if self.elder:  # 再听一遍: the step's prompt again, as its own WAV file
            voice = self.nav.voice
            said = len(voice.spoken) if voice is not None else 0
            self.tap(self.find(self.screen("steps"), self.core.t("再听一遍")))
            yield Wait("the repeated prompt", lambda: voice is None or len(voice.spoken) > said)
            yield from self._louder_twice()

        overlay = self.nav.idle_overlay
        yield from self._idle_warning()
        self.tap(self.find(overlay, self.core.t("继续办理")))
        yield Wait("the idle warning to close", lambda: not overlay.is_open)
        yield self.settle()

        steps = self.screen("steps")
        self.tap(self.find(steps, self.core.certificate_options()[0].label))

        yield self.on_screen("confirm")
        yield self.settle()
        self.shoot("confirm")
        confirm = self.screen("confirm")
        self.tap(self.find(confirm, self.core.t("确认打印")), measure=False)
        yield Pause(0.25)
        self.shoot("confirm_printing")

        yield Wait(
            "the certificate to be printed",
            lambda: self.nav.result_view is not None and not confirm.busy,
            90,
        )
        view = self.nav.result_view
        if not view.ok:
            message = view.message.text("zh_CN") if view.message else "no message"
            raise DemoFailed(f"printing failed: {message}")
        yield self.on_screen("result")
        yield self.settle()
        self.shoot("result")
        self._collect_documents(view)
        result = self.screen("result")
        self.tap(self.find(result, self.core.t("评价本次服务")))

        yield from self._evaluate_and_leave()

    def _evaluate_and_leave(self) -> Script:
        """好差评 (every journey ends here), then back to the attract screen."""
        yield self.on_screen("evaluate")
        yield self.settle()
        self.shoot("evaluate")
        evaluate = self.screen("evaluate")
        self.tap(self.find(evaluate, self.core.t("非常满意")), measure=False)
        yield Wait("the thank-you", lambda: bool(evaluate.thanked))
        yield Pause(0.3)
        self.shoot("evaluate_thanks")

        yield Wait("the visit to end", lambda: self.core.state == "attract", 20)
        yield self.on_screen("attract")
        yield self.settle()
        self.shoot("attract_again")
        self.extra["after"] = self._visit_facts()
        self._check_hygiene()

    def _check_hygiene(self) -> None:
        """After the visit: is the resident's name or ID number left anywhere (data dir,
        the visit's logs, objects still held)? Written to hygiene.json next to
        journey.json. (It walks the heap on the UI thread, between visits: demo only.)"""
        from devices.idcard.samples import SAMPLES
        from kiosk.runtime.hygiene import check_visit

        card = SAMPLES[SAMPLE_CARD]
        logs = getattr(self, "_logs", None)
        findings = check_visit(
            self.core,
            name=card.name,
            id_number=card.id_number,
            log_text=logs.text if logs is not None else "",
            extra_skip=[self],  # the demo script itself knows the sample card
        )
        (self.out / "hygiene.json").write_text(
            json.dumps(
                {"checked": True, "findings": [f.to_json() for f in findings]},
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )

    def status_journey(self) -> Script:
        """办件查询: type the reference on the key grid, see the timeline, print, evaluate."""
        yield from self._open_item("STATUS-QUERY")
        yield self.on_screen("status")
        yield self.settle()
        self.shoot("status_choose")
        status = self.screen("status")
        self.tap(self.find(status, self.core.t("输入回执上的办件编号")))
        yield Wait("the key grid", lambda: status.mode == "keypad")
        # The field starts with "TB"; type the 14 digits, one real tap per key.
        for digit in STATUS_REFERENCE[2:]:
            self.tap(self.find(status, digit))
            yield Pause(0.05)
        yield Wait("the reference typed", lambda: status.entered == STATUS_REFERENCE)
        yield self.settle()
        self.shoot("status_keypad")
        self.tap(self.find(status, self.core.t("查询")), measure=False)

        yield self.on_screen("status_detail")
        yield self.settle()
        self.shoot("status_detail")
        detail = self.screen("status_detail")

        def on_page(page: int) -> Wait:
            return Wait(f"timeline page {page + 1}", lambda: detail.page == page)

        while detail.page + 1 < detail.pages:  # 长辈模式: the timeline a page at a time
            turned = on_page(detail.page + 1)
            self.tap(self.find(detail, self.core.t("下一页")))
            yield turned
            yield self.settle()
            self.shoot(f"status_detail_page{detail.page + 1}")
        self.tap(self.find(detail, self.core.t("打印查询回执")))
        yield Wait("the status receipt", lambda: bool(detail.printed), 30)
        yield self.settle()
        self.shoot("status_printed")
        self._copy_receipt(detail.receipt_source)
        self.extra["reference"] = STATUS_REFERENCE
        self.tap(self.find(detail, self.core.t("评价本次服务")))
        yield from self._evaluate_and_leave()

    def records_journey(self) -> Script:
        """社保 records: identify, summary and rows, the next page, print, evaluate."""
        yield from self._to_steps_with_card("SI-RECORDS", "records")
        records = self.screen("records")
        yield Wait("the records", lambda: bool(records.loaded), 30)
        yield self.settle()
        self.shoot("records")
        self.tap(self.find(records, self.core.t("下一页")))
        yield Wait("page 2", lambda: records.page == 1)
        yield self.settle()
        self.shoot("records_page2")
        self.tap(self.find(records, self.core.t("打印查询单")))
        yield Wait("the records receipt", lambda: bool(records.printed), 30)
        yield self.settle()
        self.shoot("records_printed")
        receipts = self.core.services.simulators.printer.receipts
        self._copy_receipt(str(receipts[-1]) if receipts else "")
        self.tap(self.find(records, self.core.t("评价本次服务")))
        yield from self._evaluate_and_leave()

    def realestate_journey(self) -> Script:
        """不动产登记信息查询 on the records screen: a property a page, print, evaluate."""
        yield from self._to_steps_with_card("REALESTATE-QUERY", "records")
        records = self.screen("records")
        yield Wait("the real estate", lambda: bool(records.loaded), 30)
        yield self.settle()
        self.shoot("realestate")
        self.tap(self.find(records, self.core.t("下一页")))
        yield Wait("page 2", lambda: records.page == 1)
        yield self.settle()
        self.shoot("realestate_page2")
        self.tap(self.find(records, self.core.t("打印查询单")))
        yield Wait("the query receipt", lambda: bool(records.printed), 30)
        yield self.settle()
        self.shoot("realestate_printed")
        receipts = self.core.services.simulators.printer.receipts
        self._copy_receipt(str(receipts[-1]) if receipts else "")
        self.tap(self.find(records, self.core.t("评价本次服务")))
        yield from self._evaluate_and_leave()

    def payment_journey(self) -> Script:
        """缴费: choose, check, QR code, paid (simulate-paid stands for the phone), receipt."""
        yield from self._to_steps_with_card("SI-CONTRIBUTION-PAY", "payment")
        self.shoot("payment_options")
        payment = self.screen("payment")
        option = self.core.journey.options()[1]
        self.tap(self.find(payment, option.label))
        yield self.on_screen("confirm")
        yield self.settle()
        self.shoot("confirm")
        confirm = self.screen("confirm")
        self.tap(self.find(confirm, self.core.t("确认并生成付款码")), measure=False)

        yield self.on_screen("payment_result")
        result = self.screen("payment_result")
        yield Wait(
            "the QR code", lambda: result.qr_texture is not None and result.phase == "pending"
        )
        yield self.settle()
        self.shoot("payment_qr")
        order = self.core.journey.order
        self.extra["order"] = {"order_id": order.order_id, "qr_text": order.qr_text}
        # The resident pays on the phone: the reference platform's simulate-paid,
        # called off the UI thread like any other HTTP request.
        platform = self.core.services.platform
        threading.Thread(target=platform.simulate_paid, args=(order.order_id,)).start()
        yield Wait("the payment", lambda: result.phase == "paid", 30)
        yield self.settle()
        self.shoot("payment_paid")
        self._copy_receipt(result.receipt_source)
        self.extra["reference"] = order.order_id
        self.tap(self.find(result, self.core.t("评价本次服务")))
        yield from self._evaluate_and_leave()

    def verify_journey(self) -> Script:
        """证明真伪核验, found through the guide (搜索事项): a genuine certificate's code,
        then a changed one, then evaluate."""
        yield from self._open_via_guide()
        for tampered, name in ((False, "verify_genuine"), (True, "verify_tampered")):
            yield self.on_screen("verify")
            verify = self.screen("verify")
            yield Wait("the scanner", lambda: self.core.journey.listening.is_set(), 30)
            yield self.settle()
            self.shoot("verify_scan")
            label = "被改动过的证明" if tampered else "新出具的示范证明"
            self.tap(self.find(verify, label), measure=False)
            yield self.on_screen("verify_result")
            yield self.settle()
            self.shoot(name)
            result = self.screen("verify_result")
            self.extra[name] = {"valid": bool(result.valid), "headline": result.headline}
            if not tampered:
                self.tap(self.find(result, self.core.t("再核验一份")))
        self.tap(self.find(self.screen("verify_result"), self.core.t("评价本次服务")))
        yield from self._evaluate_and_leave()

    def intake_journey(self) -> Script:
        """Application intake (screens/pages/intake_demo.py): questions, materials,
        告知承诺, delivery, check, submission through the outbox, cover sheet."""
        from screens.pages.intake_demo import script

        yield from script(self)

    def _open_via_guide(self) -> Script:
        """Home → 搜索事项 → pinyin 社保 (candidates), then the letters "cert" → the item."""
        yield self.kiosk_up()
        yield self.on_screen("attract")
        self.tap(self.screen("attract"))
        yield self.on_screen("home")
        if self.elder:
            yield from self._elder_on()
        yield self.settle()
        self.shoot("home")
        self.tap(self.find(self.screen("home"), self.core.t("搜索事项")))
        yield self.on_screen("guide")
        guide = self.screen("guide")
        keyboard = guide.ids.keyboard
        yield self.settle()
        self.shoot("guide")
        self.tap(self.find(guide, self.core.t("点这里输入：如 社保、sbjf")))
        yield Wait("the keyboard", lambda: bool(guide.typing))
        for letter in "shebao":
            self.tap(self.find(keyboard, letter))
            yield Pause(0.05)
        yield Wait("the pinyin candidates", lambda: "社保" in keyboard.candidates, 30)
        self.tap(self.find(keyboard, "社保"))
        yield Wait("社保 typed", lambda: guide.query == "社保")
        yield self.settle()
        self.shoot("guide_pinyin")
        for _ in "社保":
            self.tap(self.find(keyboard, self.core.t("删除")))
            yield Pause(0.05)
        self.tap(self.find(keyboard, self.core.t("中 / 英：中")))
        for letter in "cert":
            self.tap(self.find(keyboard, letter))
            yield Pause(0.05)
        yield Wait("cert typed", lambda: guide.query == "cert")
        self.tap(self.find(keyboard, self.core.t("确认")))
        yield Wait("the results", lambda: not guide.typing)
        yield self.settle()
        self.shoot("guide_results")
        self.tap(self.find(guide, self.core.item_name(self.core.catalog.get("CERT-VERIFY"))))
        yield self.on_screen("service_start")
        yield self.settle()
        self.shoot("service_start")
        self.tap(self.find(self.screen("service_start"), self.core.t("开始办理")))

    def _copy_receipt(self, source: str) -> None:
        if not source or not Path(source).exists():
            raise DemoFailed("no receipt image was printed")
        shutil.copyfile(source, self.out / "receipt.png")

    def idle(self) -> Script:
        yield from self._to_steps_with_card()
        self.shoot("steps")
        self.extra["before"] = self._visit_facts()
        yield from self._idle_warning()
        # Nobody touches the screen: let the time run out.
        self.clock.advance(self.settings.session.warning_s + 1)
        self.core.tick()
        yield self.on_screen("attract")
        yield Wait("the idle warning to close", lambda: not self.nav.idle_overlay.is_open)
        yield self.settle()
        self.shoot("attract_after_timeout")
        self.extra["after"] = self._visit_facts()

    def looks(self) -> Script:
        """English, 长辈模式 and the call-staff notice, for people to look at."""
        yield self.kiosk_up()
        yield self.on_screen("attract")
        self.tap(self.screen("attract"))
        yield self.on_screen("home")
        home = self.screen("home")
        self.tap(self.find(home, "English"))
        yield Wait("English", lambda: self.core.language == "en")
        yield self.settle()
        self.shoot("home_english")
        self.tap(self.find(home, "中文"))
        yield Wait("Chinese", lambda: self.core.language == "zh_CN")
        self.tap(self.find(home, self.core.t("长辈模式")))
        yield Wait("elder mode", lambda: bool(self.app.ui and self.app.ui.elder_mode))
        yield self.settle()
        self.shoot("home_elder")
        self.tap(self.find(home, self.core.t("呼叫工作人员")))
        yield Wait("the staff notice", lambda: bool(self.nav.notice.is_open))
        yield self.settle()
        self.shoot("call_staff")
        self.tap(self.find(self.nav.notice, self.core.t("好的")))
        yield Wait("the notice to close", lambda: not self.nav.notice.is_open)
        tiles = [t for t in home.ids.grid.children if getattr(t, "code", "") == ITEM_CODE]
        self.tap(tiles[0])
        yield self.on_screen("service_start")
        yield self.settle()
        self.shoot("service_start_elder")
        self.tap(self.find(self.screen("service_start"), self.core.t("开始办理")))
        yield self.on_screen("identify")
        yield self.settle()
        self.shoot("identify_elder")
        identify = self.screen("identify")
        yield Wait(
            "the simulated card buttons",
            lambda: any(b.text == SAMPLE_CARD for b in identify.ids.sim_buttons.children),
        )
        self.tap(self.find(identify, SAMPLE_CARD), measure=False)
        yield self.on_screen("steps")
        self.tap(self.find(self.screen("steps"), self.core.certificate_options()[0].label))
        yield self.on_screen("confirm")
        # The platform goes away: printing fails and the failure view shows.
        if self.core.services.platform_process is not None:
            self.core.services.platform_process.stop()
        self.tap(self.find(self.screen("confirm"), self.core.t("确认打印")))
        yield Wait("the failure view", lambda: bool(self.screen("result").failed), 60)
        yield self.on_screen("result")
        yield self.settle()
        self.shoot("print_failed")
        self.core.end_visit("demo")
        yield self.on_screen("attract")

    # -- evidence ------------------------------------------------------------
    def _visit_facts(self) -> dict[str, Any]:
        visit = self.core.visit
        return {
            "state": str(self.core.state),
            "screen": self.manager.current,
            "identity": None if visit.identity is None else "present",
            "item_code": visit.item_code,
            "reference": visit.reference,
            "idle_overlay_open": bool(self.nav.idle_overlay.is_open),
            "elder_mode": bool(self.app.ui and self.app.ui.elder_mode),
            "voice_volume": None if self.nav.voice is None else self.nav.voice.volume,
            "voice_last_text": None
            if self.nav.voice is None or self.nav.voice.voice is None
            else self.nav.voice.voice.last_text,
        }

    def _collect_documents(self, view: Any) -> None:
        if view.receipt_png is None or not Path(view.receipt_png).exists():
            raise DemoFailed("the result has no receipt image")
        shutil.copyfile(view.receipt_png, self.out / "receipt.png")
        spool = self.settings.terminal.data_dir / "a4-spool"
        pdfs = sorted(spool.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
        if not pdfs:
            raise DemoFailed(f"no certificate PDF in {spool}")
        shutil.copyfile(pdfs[-1], self.out / "certificate.pdf")
        self.extra["reference"] = view.reference


def _rss_kib() -> int:
    """The process's resident memory (VmRSS), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _visible(widget: Any) -> bool:
    while widget is not None:
        if getattr(widget, "opacity", 1) <= 0:
            return False
        parent = widget.parent
        if parent is widget:
            break
        widget = parent
    return True


def visible_texts(screen: Any, window: Any) -> list[str]:
    """The texts a resident can see: labels (and buttons) on the screen and open overlays."""
    from kivy.uix.label import Label
    from kivy.uix.modalview import ModalView

    roots = [screen] + [w for w in window.children if isinstance(w, ModalView)]
    texts: list[str] = []
    for root in roots:
        for widget in root.walk(restrict=True):
            if isinstance(widget, Label) and widget.text.strip() and _visible(widget):
                texts.append(widget.text)
    return texts


def measure_widgets(screen: Any, window: Any) -> list[dict[str, Any]]:
    """Every visible text and button with its box in screenshot pixels (top-left origin),
    its font size, rendered texture size and colour: tests/screens/test_elder_mode.py
    checks these against the screenshot's pixels. The simulated-devices panel is marked."""
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    found: list[dict[str, Any]] = []
    panel = screen.ids.get("sim_panel")
    panel = getattr(panel, "__self__", panel)  # ids hold weak proxies
    sim_panels = {id(panel)} if panel is not None else set()
    for widget in screen.walk(restrict=True):
        is_button = isinstance(widget, ButtonBehavior)
        is_text = isinstance(widget, Label) and bool(widget.text.strip())
        if not (is_button or is_text) or not _visible(widget) or widget.disabled:
            continue
        if widget.width <= 1 or widget.height <= 1:
            continue
        x, y = widget.to_window(widget.x, widget.y)
        sim = clipped = False
        parent = widget.parent
        while parent is not None and parent is not screen:
            if id(parent) in sim_panels:
                sim = True
            if isinstance(parent, ScrollView):  # only part of its content is in view
                vx, vy = parent.to_window(parent.x, parent.y)
                inside = vx - 1 <= x and vy - 1 <= y
                inside = inside and x + widget.width <= vx + parent.width + 1
                clipped = clipped or not (inside and y + widget.height <= vy + parent.height + 1)
            parent = parent.parent
        entry: dict[str, Any] = {
            "kind": "button" if is_button else "label",
            "box": [
                round(x),
                round(window.height - y - widget.height),
                round(widget.width),
                round(widget.height),
            ],
            "sim": sim,
            "clipped": clipped,
        }
        if is_text:
            entry.update(
                text=widget.text,
                font_size=float(widget.font_size),
                texture_size=[round(v) for v in widget.texture_size],
                color=[round(float(c), 4) for c in widget.color],
                halign=widget.halign,
                valign=widget.valign,
            )
        found.append(entry)
    return found


def _touch_class() -> type:
    from kivy.input.motionevent import MotionEvent

    class Touch(MotionEvent):
        def __init__(self, x: float, y: float) -> None:
            from kivy.base import EventLoop

            win = EventLoop.window
            super().__init__(
                "demo",
                1,
                {"x": x / (win.width - 1.0), "y": y / (win.height - 1.0)},
                is_touch=True,
                type_id="touch",
            )
            self.profile = ["pos"]

        def depack(self, args: dict[str, float]) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)

    return Touch


def _Touch(x: float, y: float) -> Any:
    return _touch_class()(x, y)


if __name__ == "__main__":
    sys.exit(main())
