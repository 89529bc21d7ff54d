"""The outbox against a real embedded platform: idempotency, sealing, nothing in clear on disk."""

from __future__ import annotations

import base64
import stat
import uuid
from pathlib import Path

import httpx

from kiosk.outbox import EntryState, HttpTransport, Outbox
from kiosk.platform.embedded import EmbeddedPlatform
from kiosk.platform.schemas import ApplicationRequest, Delivery, DeliveryMethod, Material
from kiosk.platform.sealing import KEY_FILE, SealingKey, public_key_from, seal

NAME = "陈浩"
ID_NUMBER = "440308199901101512"
RESIDENT = "rs_3b9e52d81c60"
TERMINAL = "T-OUTBOX-01"


def application(note: str = "x") -> ApplicationRequest:
    return ApplicationRequest(
        resident_id=RESIDENT,
        item_code="residence_permit_renewal",
        item_name="居住证签注",
        form={"姓名": NAME, "身份证号": ID_NUMBER, "联系电话": "13800138000", "note": note},
        materials=[Material(name="身份证正反面", source="camera", pages=2)],
        delivery=Delivery(method=DeliveryMethod.POST, address="深圳市盐田区海山街道 1 号"),
    )


def http(platform: EmbeddedPlatform) -> httpx.Client:
    return httpx.Client(base_url=f"{platform.url}/api/v1", headers={"X-Terminal-Id": TERMINAL})


def sealed_body(platform: EmbeddedPlatform, req: ApplicationRequest) -> dict[str, str]:
    with http(platform) as client:
        key = SealingKey.model_validate(client.get("/sealing-key").json())
    box = seal(public_key_from(key), req.model_dump_json().encode())
    return {"key_id": key.key_id, "sealed_b64": base64.b64encode(box).decode()}


def test_the_platform_keeps_its_box_key_private_and_publishes_the_public_half(
    platform: EmbeddedPlatform,
) -> None:
    path = platform.data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with httpx.Client(base_url=f"{platform.url}/api/v1") as client:  # public: no terminal id
        key = SealingKey.model_validate(client.get("/sealing-key").json())
    assert len(public_key_from(key)) == 32


def test_same_key_returns_the_same_application_and_never_a_second(
    platform: EmbeddedPlatform,
) -> None:
    key = str(uuid.uuid4())
    req = application("idem")
    with http(platform) as client:
        before = len(client.get("/applications", params={"resident_id": RESIDENT}).json()["items"])
        # Two different ciphertexts of the same request (sealed boxes are randomised).
        first = client.post(
            "/applications/sealed",
            json=sealed_body(platform, req),
            headers={"Idempotency-Key": key},
        )
        second = client.post(
            "/applications/sealed",
            json=sealed_body(platform, req),
            headers={"Idempotency-Key": key},
        )
        # The same key on the clear-text endpoint is the same logical request too.
        third = client.post(
            "/applications", json=req.model_dump(mode="json"), headers={"Idempotency-Key": key}
        )
        other = client.post(
            "/applications/sealed",
            json=sealed_body(platform, application("different")),
            headers={"Idempotency-Key": key},
        )
        after = len(client.get("/applications", params={"resident_id": RESIDENT}).json()["items"])
    assert first.status_code == second.status_code == third.status_code == 201
    reference = first.json()["reference"]
    assert second.json()["reference"] == third.json()["reference"] == reference
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    assert after == before + 1


def test_a_box_for_another_key_or_altered_is_refused_permanently(
    platform: EmbeddedPlatform,
) -> None:
    body = sealed_body(platform, application())
    raw = bytearray(base64.b64decode(body["sealed_b64"]))
    raw[-1] ^= 1
    tampered = {**body, "sealed_b64": base64.b64encode(bytes(raw)).decode()}
    with http(platform) as client:
        bad = client.post(
            "/applications/sealed", json=tampered, headers={"Idempotency-Key": "k-tamper"}
        )
        wrong_key = client.post(
            "/applications/sealed",
            json={**body, "key_id": "0000000000000000"},
            headers={"Idempotency-Key": "k-wrong"},
        )
    assert bad.status_code == wrong_key.status_code == 400
    assert bad.json()["code"] == wrong_key.json()["code"] == "unsealing_failed"


def test_the_outbox_file_never_holds_the_resident_in_clear(
    platform: EmbeddedPlatform, tmp_path: Path
) -> None:
    db = tmp_path / "outbox.sqlite3"
    unreachable = HttpTransport("http://127.0.0.1:9", TERMINAL, connect_timeout=0.2)
    outbox = Outbox(db, TERMINAL, HttpTransport(platform.url, TERMINAL))
    assert outbox.ensure_sealing_key()
    outbox.transport = unreachable  # queued rows stay on disk: the worst case for privacy
    outbox.start()
    receipts = [outbox.submit(application(f"n{i}")) for i in range(3)]
    assert all(r.queued for r in receipts)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("outbox.sqlite3")]
    data = b"".join(p.read_bytes() for p in files)  # the database, its WAL and shm
    assert len(data) > 4096
    assert receipts[0].reference.encode() in data  # the file is readable: the check can fail
    for secret in (NAME, ID_NUMBER, "13800138000", "海山街道", RESIDENT):
        for encoding in ("utf-8", "utf-16-le", "gb18030"):
            assert secret.encode(encoding) not in data, (secret, encoding)
    # Back online, the same rows are delivered and the platform sees the clear request.
    outbox.transport = HttpTransport(platform.url, TERMINAL)
    outbox.retry_now()
    assert outbox.drain(20)
    entry = outbox.entry(receipts[0].reference)
    assert entry is not None and entry.state is EntryState.SENT
    with http(platform) as client:
        got = client.get(f"/applications/{entry.platform_reference}").json()
    assert got["item_name"] == "居住证签注" and got["resident_id"] == RESIDENT
    outbox.close()


def test_the_receipt_reference_finds_the_application_on_the_platform(
    platform: EmbeddedPlatform, tmp_path: Path
) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3", TERMINAL, HttpTransport(platform.url, TERMINAL))
    outbox.start()
    receipt = outbox.submit(application("by-receipt"), wait_s=20)
    assert not receipt.queued and receipt.platform_reference
    with http(platform) as client:
        by_receipt = client.get(f"/applications/{receipt.reference}")
        unknown = client.get(f"/applications/{receipt.reference[:-1]}9")
    assert by_receipt.status_code == 200
    assert by_receipt.json()["reference"] == receipt.platform_reference
    assert by_receipt.json()["kiosk_reference"] == receipt.reference
    assert unknown.status_code == 404
    outbox.close()
