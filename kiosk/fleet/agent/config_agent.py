"""The kiosk's configuration agent: fetch, verify, stage, apply between visits, roll back.

Files in ``DATA_DIR/bundle/``: ``current.yaml`` (the loader's bundle layer) with
``current.json`` (the signed bundle it came from), ``staged.*`` (verified, waiting
for a session boundary), ``last-good.*`` (what ``rollback`` restores) and
``agent-state.json`` (the last version that failed its health check, so it is
never staged again).

``run`` is a loop a thread can own: long-poll the bundle, heartbeat when due,
back off exponentially with jitter on failure (honouring Retry-After), and say
goodbye on a clean stop.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import requests
import structlog
import yaml

from kiosk.config.loader import BUNDLE_FILE, ConfigError, bundle_version, load_settings
from kiosk.config.settings import Settings
from kiosk.fleet import protocol
from kiosk.fleet.agent.heartbeat import HeartbeatError, HeartbeatReporter
from kiosk.fleet.agent.identity import Identity
from kiosk.fleet.agent.transport import SignedClient
from kiosk.fleet.overlay import OverlayError, validate_overlay

log = structlog.get_logger(__name__)

HealthCheck = Callable[[Settings], bool]


class AgentError(Exception):
    """The ops server could not be reached or answered with an error."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ConfigAgent:
    def __init__(
        self,
        data_dir: Path,
        on_staged: Callable[[int], None] | None = None,
        *,
        health_check: HealthCheck | None = None,
        inventory: Callable[[], dict[str, Any]] | None = None,
        wait_s: float = 20.0,
        max_backoff_s: float = 300.0,
        session: requests.Session | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.identity = Identity.load(data_dir)
        self._client = SignedClient(self.identity, session)
        self._reporter = HeartbeatReporter(self._client)
        self._on_staged = on_staged
        self._health_check = health_check
        self._inventory = inventory
        self._wait_s = wait_s
        self._max_backoff_s = max_backoff_s
        self._bundle_dir = (data_dir / BUNDLE_FILE).parent
        self._etag: str | None = None
        self._lock = threading.Lock()  # poll (agent thread) vs apply (kiosk's end of visit)
        self.last_refusal: str | None = None

    # --- versions -------------------------------------------------------------

    def _file(self, name: str) -> Path:
        return self._bundle_dir / name

    def _version_of(self, stem: str) -> int | None:
        try:
            return int(json.loads(self._file(f"{stem}.json").read_text())["payload"]["version"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @property
    def current_version(self) -> int | None:
        return bundle_version(self.data_dir)

    @property
    def failed_version(self) -> int | None:
        try:
            value = json.loads(self._file("agent-state.json").read_text())["failed_version"]
        except (OSError, ValueError, KeyError):
            return None
        return int(value) if value is not None else None

    def _newest_known(self) -> int:
        known = (self.current_version, self._version_of("staged"), self.failed_version)
        return max((v for v in known if v is not None), default=0)

    # --- fetch and stage --------------------------------------------------------

    def poll_once(self, wait_s: float = 0.0) -> int | None:
        """Fetch the offered bundle; the version staged, or None (nothing new or refused)."""
        headers = {"If-None-Match": self._etag} if self._etag else {}
        path = f"/api/v1/kiosks/{self.identity.kiosk_id}/bundle"
        try:
            response = self._client.request(
                "GET",
                path + (f"?wait={wait_s:g}" if wait_s else ""),
                headers=headers,
                timeout_s=wait_s + 10.0,
            )
        except requests.RequestException as exc:
            raise AgentError(f"cannot reach the ops server: {exc.__class__.__name__}") from exc
        if response.status_code in (204, 304):
            self._etag = response.headers.get("ETag", self._etag)
            return None
        if response.status_code != 200:
            retry = response.headers.get("Retry-After")
            raise AgentError(
                f"bundle fetch failed ({response.status_code})",
                float(retry) if retry and retry.isdigit() else None,
            )
        # Remember the ETag even when we refuse the bundle: fetch it again only if it changes.
        self._etag = response.headers.get("ETag")
        try:
            return self.stage(response.json())
        except (protocol.BundleError, OverlayError, ValueError) as exc:
            self.last_refusal = str(exc)
            log.warning("fleet.bundle_refused", reason=str(exc))
            return None

    def stage(self, document: dict[str, Any]) -> int:
        """Verify ``document`` and write it to ``staged``; raises BundleError if refused.

        A key set the bundle carries must be endorsed by a pinned key; if it is newer than
        the pins it replaces them, but only once the bundle it came with is accepted.
        """
        payload, pinned, serial = protocol.verify_bundle_and_keys(
            document, self.identity.signing_keys, self.identity.key_set_serial
        )
        version, target = payload.get("version"), payload.get("target") or {}
        if not isinstance(version, int):
            raise protocol.BundleError("bundle has no version")
        mine = {("group", self.identity.group), ("kiosk", self.identity.kiosk_id)}
        if (target.get("kind"), target.get("id")) not in mine:
            raise protocol.BundleError(f"bundle {version} is addressed to someone else")
        if float(payload.get("expires_at", 0)) <= time.time():
            raise protocol.BundleError(f"bundle {version} has expired")
        newest = self._newest_known()
        if version <= newest:
            raise protocol.BundleError(f"bundle {version} is not newer than {newest}")
        overlay = validate_overlay(payload.get("overlay"))
        with self._lock:
            self._bundle_dir.mkdir(parents=True, exist_ok=True)
            _atomic_write(self._file("staged.yaml"), _yaml(overlay))
            _atomic_write(self._file("staged.json"), json.dumps(document, ensure_ascii=False))
        if serial != self.identity.key_set_serial:
            self.identity = self.identity.pin(self.data_dir, pinned, serial)
            log.info("fleet.keys_pinned", keys=sorted(pinned), serial=serial)
        self.last_refusal = None
        log.info("fleet.bundle_staged", version=version)
        if self._on_staged is not None:
            self._on_staged(version)
        return version

    # --- apply at a session boundary -------------------------------------------

    def apply_staged(self) -> int | None:
        """Make the staged bundle current (call between visits, never during one).

        Returns the version now applied, or None when nothing was staged or the
        new bundle failed its health check and was rolled back.
        """
        with self._lock:
            version = self._version_of("staged")
            if version is None:
                return None
            if self._file("current.json").exists():
                for ext in ("yaml", "json"):
                    os.replace(self._file(f"current.{ext}"), self._file(f"last-good.{ext}"))
            for ext in ("yaml", "json"):
                os.replace(self._file(f"staged.{ext}"), self._file(f"current.{ext}"))
            healthy = self._healthy()
            if not healthy:
                log.warning("fleet.bundle_unhealthy", version=version)
                self._rollback_locked()
                _atomic_write(
                    self._file("agent-state.json"), json.dumps({"failed_version": version})
                )
        log.info("fleet.bundle_applied" if healthy else "fleet.bundle_rolled_back", version=version)
        self._report_quietly()
        return version if healthy else None

    def _healthy(self) -> bool:
        try:
            settings = load_settings(data_dir=self.data_dir).settings
        except ConfigError:
            return False
        try:
            return self._health_check(settings) if self._health_check else True
        except Exception:  # the caller's check failing in any way is a failed check
            log.exception("fleet.health_check_raised")
            return False

    def rollback(self) -> int | None:
        """Restore the last good bundle (or none); the version now current."""
        with self._lock:
            self._rollback_locked()
        return self.current_version

    def _rollback_locked(self) -> None:
        for ext in ("yaml", "json"):
            last_good = self._file(f"last-good.{ext}")
            if last_good.exists():
                os.replace(last_good, self._file(f"current.{ext}"))
            else:
                self._file(f"current.{ext}").unlink(missing_ok=True)

    # --- reporting ----------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """Heartbeat: the applied and failed versions, the pinned signing keys, app version
        and inventory."""
        report: dict[str, Any] = {
            "app_version": package_version("tongban-kiosk"),
            "config_version": self.current_version,
            "failed_version": self.failed_version,
            **(self._inventory() if self._inventory else {}),
            protocol.PINNED_KEYS_FIELD: protocol.pinned_key_ids(self.identity.signing_keys),
        }
        return self._reporter.send(report)

    def _report_quietly(self) -> None:
        try:
            self.report()
        except (HeartbeatError, requests.RequestException) as exc:
            log.warning("fleet.report_failed", error=str(exc))  # the next heartbeat retries

    def run(self, stop_event: threading.Event) -> None:
        failures = 0
        next_heartbeat = 0.0
        while not stop_event.is_set():
            try:
                if time.monotonic() >= next_heartbeat:
                    self.report()
                    # Jitter spreads a fleet that restarted together (Salt's thundering herd).
                    next_heartbeat = time.monotonic() + self._reporter.interval_s * random.uniform(
                        0.9, 1.1
                    )
                self.poll_once(wait_s=min(self._wait_s, self._reporter.interval_s))
                failures = 0
            except (AgentError, HeartbeatError, requests.RequestException) as exc:
                failures += 1
                delay = min(self._max_backoff_s, 2.0 * 2**failures) * random.uniform(0.5, 1.0)
                retry_after = getattr(exc, "retry_after_s", None)
                delay = max(delay, retry_after or 0.0)
                log.warning("fleet.agent_backoff", error=str(exc), seconds=round(delay, 1))
                stop_event.wait(delay)
        try:
            self._reporter.going_offline()
        except requests.RequestException as exc:
            log.warning("fleet.goodbye_failed", error=exc.__class__.__name__)


def _yaml(overlay: dict[str, Any]) -> str:
    header = "# Written by the fleet agent from a signed bundle; see current.json.\n"
    return header + yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
