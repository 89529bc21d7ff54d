"""The kiosk's fleet identity: its own Ed25519 key, its kiosk id, the ops URL and the
pinned bundle-signing keys, all in ``DATA_DIR/fleet/``; and ``provision`` which creates it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import safe_yaml
from kiosk.config.loader import LOCAL_FILE
from kiosk.fleet import IDENTITY_FILE, protocol

KEY_FILE = "fleet/device-key.pem"


class NotProvisioned(Exception):
    """This data directory has no fleet identity (run ``kiosk provision``)."""


class ProvisionError(Exception):
    """Enrolment was refused or the ops server could not be reached."""


@dataclass(frozen=True)
class Identity:
    kiosk_id: str
    group: str
    ops_url: str
    signing_keys: dict[str, str]  # key id → public key (base64): the pinned list
    key: Ed25519PrivateKey
    key_set_serial: int = 0  # of the key set the pins came from; only a newer one replaces them

    @classmethod
    def load(cls, data_dir: Path) -> Identity:
        try:
            stored = json.loads((data_dir / IDENTITY_FILE).read_text(encoding="utf-8"))
            key = protocol.load_private_key_pem((data_dir / KEY_FILE).read_bytes())
        except FileNotFoundError as exc:
            raise NotProvisioned(f"{data_dir} is not provisioned (run kiosk provision)") from exc
        return cls(
            kiosk_id=stored["kiosk_id"],
            group=stored["group"],
            ops_url=stored["ops_url"],
            signing_keys={k["key_id"]: k["public_key"] for k in stored["signing_keys"]},
            key=key,
            key_set_serial=int(stored.get("key_set_serial", 0)),
        )

    def pin(self, data_dir: Path, keys: dict[str, str], serial: int) -> Identity:
        """Replace the pinned keys (an endorsed key set was adopted); the new identity."""
        path = data_dir / IDENTITY_FILE
        stored = json.loads(path.read_text(encoding="utf-8"))
        stored["signing_keys"] = [{"key_id": k, "public_key": v} for k, v in keys.items()]
        stored["key_set_serial"] = serial
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        os.replace(tmp, path)
        return dataclasses.replace(self, signing_keys=dict(keys), key_set_serial=serial)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _record_site(data_dir: Path, reply: dict[str, Any]) -> None:
    """Merge the site the kiosk was enrolled as into the local layer's ``terminal`` section."""
    path = data_dir / LOCAL_FILE
    local = (safe_yaml.load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}
    terminal = local.setdefault("terminal", {})
    terminal.update(
        terminal_id=reply["kiosk_id"],
        site_type=reply["site_type"],
        site_name=reply["site_name"],
        region_code=reply["region_code"],
    )
    path.write_text(yaml.safe_dump(local, allow_unicode=True, sort_keys=False), encoding="utf-8")


def provision(
    data_dir: Path,
    ops_url: str,
    token: str,
    *,
    site_type: str,
    site_name: str,
    region_code: str,
    timeout_s: float = 10.0,
) -> Identity:
    key = Ed25519PrivateKey.generate()
    request = {
        "token": token,
        "public_key": protocol.public_key_b64(key),
        "proof": protocol.b64(key.sign(f"enrol:{token}".encode())),
        "site_type": site_type,
        "site_name": site_name,
        "region_code": region_code,
    }
    ops_url = ops_url.rstrip("/")
    try:
        response = requests.post(f"{ops_url}/api/v1/enrol", json=request, timeout=timeout_s)
    except requests.RequestException as exc:
        raise ProvisionError(f"cannot reach {ops_url}: {exc.__class__.__name__}") from exc
    if response.status_code != 201:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise ProvisionError(f"enrolment refused ({response.status_code}): {detail}")
    reply = response.json()
    _write_private(data_dir / KEY_FILE, protocol.private_key_pem(key))
    stored = {
        "kiosk_id": reply["kiosk_id"],
        "group": reply["group"],
        "ops_url": ops_url,
        "signing_keys": reply["signing_keys"],
        "key_set_serial": reply.get("key_set_serial", 0),
    }
    (data_dir / IDENTITY_FILE).write_text(json.dumps(stored, indent=2), encoding="utf-8")
    _record_site(data_dir, reply)
    return Identity.load(data_dir)
