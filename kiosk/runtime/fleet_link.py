"""The fleet agent inside the kiosk: a ``ConfigAgent`` thread, bundles applied between visits.

When the data dir holds a provisioned identity (``DATA_DIR/fleet/identity.json``,
written by ``kiosk provision``), :meth:`FleetLink.attach` starts the agent's loop
on a thread of its own (long poll, heartbeats, back-off; stopped with the core).

A bundle the agent stages is **applied only at a session boundary**: when the
visit returns to the attract screen, or at once when it is staged while the
kiosk stands idle on the attract screen. Never during a visit. Applying
(``apply_staged``: file moves and a report to the ops server) and reloading the
settings run on the core's worker pool; the new settings reach the core on the
UI thread (``KioskCore.apply_settings``), and only if the kiosk is still
between visits, otherwise they wait for the next boundary. If the reloaded
settings do not load, the bundle is rolled back.

Kivy-free. Callbacks from the core (``CoreListener``) arrive on the UI thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from kiosk.config.loader import ConfigError, load_settings
from kiosk.config.settings import Settings
from kiosk.fleet import IDENTITY_FILE
from kiosk.runtime.core import CoreListener
from kiosk.session.machine import VisitState

if TYPE_CHECKING:
    from kiosk.fleet.agent.config_agent import ConfigAgent
    from kiosk.runtime.core import KioskCore

log = structlog.get_logger(__name__)


def is_provisioned(data_dir: Path) -> bool:
    return (Path(data_dir) / IDENTITY_FILE).exists()


class FleetLink(CoreListener):
    def __init__(
        self,
        core: KioskCore,
        data_dir: Path,
        *,
        site_file: Path | None = None,
        wait_s: float = 20.0,
    ) -> None:
        from kiosk.fleet.agent.config_agent import ConfigAgent

        self.core = core
        self.data_dir = Path(data_dir)
        self.site_file = site_file
        self.agent: ConfigAgent = ConfigAgent(
            self.data_dir,
            on_staged=self._staged,
            health_check=self._settings_load,
            wait_s=wait_s,
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._applying = False  # UI thread only
        self._again = False  # a boundary came while applying: look once more after
        self._waiting: Settings | None = None  # applied on disk, for the next boundary
        self.applied: list[int] = []  # versions applied (for tests and logs)

    @classmethod
    def attach(
        cls, core: KioskCore, *, site_file: Path | None = None, wait_s: float = 20.0
    ) -> FleetLink | None:
        """Start the agent for ``core`` when its data dir is provisioned; None otherwise."""
        data_dir = core.settings.terminal.data_dir
        if not is_provisioned(data_dir):
            return None
        link = cls(core, data_dir, site_file=site_file, wait_s=wait_s)
        core.add_listener(link)
        link.start()
        return link

    # -- the agent thread ------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.agent.run, args=(self._stop,), name="fleet-agent", daemon=True
        )
        self._thread.start()
        log.info("fleet.link_started", kiosk_id=self.agent.identity.kiosk_id)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _staged(self, version: int) -> None:
        """Agent thread: a verified bundle waits. Apply it now if no visit is running."""
        log.info("fleet.bundle_waiting", version=version)
        if not self._stop.is_set():
            self.core.post(self._if_between_visits)

    def _settings_load(self, _settings: Settings) -> bool:
        """The health check: the full configuration (site file included) loads."""
        try:
            load_settings(site_file=self.site_file, data_dir=self.data_dir)
        except ConfigError:
            return False
        return True

    # -- CoreListener (UI thread) ------------------------------------------------------
    def on_state(self, old: VisitState, new: VisitState) -> None:
        if new is VisitState.ATTRACT and old is not VisitState.ATTRACT:
            self.session_boundary()

    def on_stop(self) -> None:
        self.stop(timeout=0)  # the thread says goodbye to the server on its own

    def _if_between_visits(self) -> None:
        if self.core.state is VisitState.ATTRACT:
            self.session_boundary()

    # -- applying (UI thread → worker → UI thread) --------------------------------------
    def session_boundary(self) -> None:
        """The visit is over (or none is running): apply what is staged."""
        if self._stop.is_set():
            return
        if self._waiting is not None:
            settings, self._waiting = self._waiting, None
            self.core.apply_settings(settings)
        if self._applying:
            self._again = True
            return
        self._applying = True
        self.core.submit(self._apply_on_worker, self._applied, self._apply_failed)

    def _apply_on_worker(self) -> Settings | None:
        version = self.agent.apply_staged()
        if version is None:
            return None
        try:
            settings = load_settings(site_file=self.site_file, data_dir=self.data_dir).settings
        except ConfigError as exc:
            log.warning("fleet.reload_failed", version=version, error=str(exc).splitlines()[0])
            self.agent.rollback()
            return None
        self.applied.append(version)
        log.info("fleet.settings_reloaded", version=version)
        return settings

    def _applied(self, settings: Settings | None) -> None:
        self._applying = False
        if settings is not None:
            if self.core.state is VisitState.ATTRACT:
                self.core.apply_settings(settings)
            else:  # a resident began a visit meanwhile: wait for its end
                self._waiting = settings
        if self._again:
            self._again = False
            self._if_between_visits()

    def _apply_failed(self, exc: BaseException) -> None:
        self._applying = False
        log.warning("fleet.apply_failed", error=type(exc).__name__)
