"""The resident journeys, chosen by the catalogue item's ``journey``.

Each module holds one journey's view-model (what its screens drive) and its work
(run on the core's worker threads). Items whose journey is not here (intake,
verify, info today) keep the "本终端暂不能办理" start page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.catalog.model import CatalogItem
    from kiosk.journeys.base import Journey


def journeys() -> dict[str, tuple[type[Journey], ...]]:
    """Per catalogue ``journey``, the view-models that may serve it (the first that
    supports the item does: the records screen shows 社保/公积金 and 不动产 alike)."""
    from kiosk.journeys.certificate import CertificateJourney
    from kiosk.journeys.intake import IntakeJourney
    from kiosk.journeys.payment import PaymentJourney
    from kiosk.journeys.realestate import RealEstateJourney
    from kiosk.journeys.records import RecordsJourney
    from kiosk.journeys.status import StatusJourney

    found: dict[str, tuple[type[Journey], ...]] = {
        cls.name: (cls,) for cls in (CertificateJourney, StatusJourney, PaymentJourney)
    }
    found[RecordsJourney.name] = (RecordsJourney, RealEstateJourney)
    found[IntakeJourney.name] = (IntakeJourney,)
    from kiosk.journeys.verify import VerifyJourney

    found[VerifyJourney.name] = (VerifyJourney,)
    return found


def journey_class(item: CatalogItem) -> type[Journey] | None:
    """The journey that serves ``item`` on this terminal, or None."""
    candidates = journeys().get(str(item.journey), ())
    return next((cls for cls in candidates if cls.supports(item)), None)
