from __future__ import annotations

import io

from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.journeys.payment import PaymentJourney, PaymentUpdate
from kiosk.runtime.views import ResultView
from screens.pages.base import KioskScreen
from screens.widgets import InfoRow


class PaymentResultScreen(KioskScreen):
    """The order's QR code while it waits; paid: the receipt; expired: try again."""

    phase = StringProperty("pending")  # pending | paid | expired | failed
    amount = StringProperty("")
    description = StringProperty("")
    order_id = StringProperty("")
    error = StringProperty("")
    notice = StringProperty("")
    receipt_source = StringProperty("")
    busy = BooleanProperty(False)
    qr_texture = ObjectProperty(None, allownone=True)

    def _journey(self) -> PaymentJourney | None:
        journey = self.core.journey
        return journey if isinstance(journey, PaymentJourney) else None

    def refresh(self) -> None:
        journey = self._journey()
        if journey is None or journey.order is None:
            return
        self.ids.rows.clear_widgets()
        order = journey.order
        self.amount = self.tr("{amount} 元").format(amount=f"{order.amount_yuan:,.2f}")
        option = journey.chosen
        self.description = option.label if option is not None else order.description
        self.order_id = order.order_id
        if journey.paid_view is not None:
            self._show_paid(journey.paid_view)
            return
        self.phase, self.error, self.notice = "pending", "", ""
        self.qr_texture = CoreImage(io.BytesIO(journey.qr_png()), ext="png").texture

    def activate(self) -> None:
        journey = self._journey()
        if journey is not None and journey.order is not None and journey.paid_view is None:
            journey.follow(self._updated)

    def _updated(self, update: PaymentUpdate) -> None:
        language = self.core.language
        if update.status == "paid" and update.result is not None:
            self._show_paid(update.result)
        else:
            self.phase = "expired" if update.status == "expired" else "failed"
            self.error = update.message.text(language) if update.message else ""

    def _show_paid(self, view: ResultView) -> None:
        self.phase = "paid"
        self.qr_texture = None
        box = self.ids.rows
        box.clear_widgets()
        for key, value in view.rows:
            box.add_widget(InfoRow(key=key, value=value, font_px=self.ui.body_px, key_width=170))
        self.receipt_source = str(view.receipt_png) if view.receipt_png else ""
        language = self.core.language
        self.notice = view.message.text(language) if view.receipt_on_screen and view.message else ""

    def renew(self) -> None:
        journey = self._journey()
        if journey is None or self.busy:
            return
        self.busy = True
        journey.renew(self._renewed)

    def _renewed(self, view: ResultView) -> None:
        self.busy = False
        if not view.ok:
            self.error = view.message.text(self.core.language) if view.message else ""
            return
        self.refresh()
        self.activate()

    def waiting_text(self, phase: str, *_bound: object) -> str:
        return self.tr("正在等待付款…") if phase == "pending" else ""

    def evaluate(self) -> None:
        self.core.go_evaluate()
        self.nav.sync()
