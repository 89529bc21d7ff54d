"""The platform's test seal chain on disk, and the trust it publishes over a real socket."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import requests
from cryptography import x509
from cryptography.x509.oid import NameOID

from kiosk.documents.trust import Trust
from kiosk.documents.verify import Failure, verify_pdf
from kiosk.platform.client import PlatformClient
from kiosk.platform.embedded import EmbeddedPlatform
from kiosk.platform.seal_ca import DOCUMENT_SIGNING, SealAuthority, seal_file_stem

ISSUERS = ["北京市社会保险事业管理中心", "国家税务总局深圳市税务局"]


def common_name(name: x509.Name) -> str:
    return str(name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def test_chain_is_root_then_issuing_ca_then_one_seal_per_agency(tmp_path: Path) -> None:
    authority = SealAuthority.load_or_create(tmp_path, ISSUERS)
    root, issuing = authority.root.certificate, authority.issuing.certificate
    assert common_name(root.subject) == "Tongban Test Root CA" == common_name(root.issuer)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert issuing.issuer == root.subject
    issuing.verify_directly_issued_by(root)
    for issuer in ISSUERS:
        seal = authority.seal_for(issuer).certificate
        seal.verify_directly_issued_by(issuing)
        assert common_name(seal.subject) == issuer
        assert not seal.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        usage = seal.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert DOCUMENT_SIGNING in usage


def test_keys_are_owner_only_and_a_restart_reuses_them(tmp_path: Path) -> None:
    first = SealAuthority.load_or_create(tmp_path, ISSUERS)
    keys = sorted(tmp_path.glob("*.key"))
    assert len(keys) == 2 + len(ISSUERS)
    assert all(stat.S_IMODE(k.stat().st_mode) == 0o600 for k in keys)
    assert (tmp_path / f"{seal_file_stem(ISSUERS[0])}.pem").exists()
    again = SealAuthority.load_or_create(tmp_path, [*ISSUERS, "杭州住房公积金管理中心"])
    assert again.root.certificate == first.root.certificate
    assert again.seal_for(ISSUERS[1]).certificate == first.seal_for(ISSUERS[1]).certificate
    again.seal_for("杭州住房公积金管理中心").certificate.verify_directly_issued_by(
        first.issuing.certificate
    )


def test_trust_endpoint_serves_the_root_and_token_key(platform: EmbeddedPlatform) -> None:
    response = requests.get(f"{platform.url}/api/v1/trust", timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"root_ca_pem", "token_keys_pem"}
    root_on_disk = (platform.data_dir / "seal" / "root-ca.pem").read_text()
    assert body["root_ca_pem"] == root_on_disk
    issuer_key = requests.get(f"{platform.url}/api/v1/issuer-key", timeout=5).json()
    assert body["token_keys_pem"] == [issuer_key["public_key_pem"]]


def test_issued_certificate_is_sealed_by_its_agency_and_verifies(
    client: PlatformClient, platform: EmbeddedPlatform
) -> None:
    chen = client.resolve_identity("440308199901101512", "陈浩").resident_id
    cert = client.issue_certificate(chen, "tax_payment", idempotency_key=str(uuid.uuid4()))
    pdf = client.certificate_pdf(cert.serial)
    result = verify_pdf(pdf, Trust.from_platform(platform.url))
    assert result.valid, result.reason
    assert (result.serial, result.issuer) == (cert.serial, "国家税务总局深圳市税务局")
    assert result.holder_masked == cert.holder_masked


def test_another_platforms_trust_refuses_this_platforms_certificates(
    client: PlatformClient, tmp_path: Path
) -> None:
    zhang = client.resolve_identity("11010519491231002X", "张秀英").resident_id
    cert = client.issue_certificate(
        zhang, "social_insurance_participation", idempotency_key=str(uuid.uuid4())
    )
    stranger = SealAuthority.load_or_create(tmp_path, [])
    trust = Trust(root_ca=stranger.root.certificate, token_keys=[])
    result = verify_pdf(client.certificate_pdf(cert.serial), trust)
    assert result.failure is Failure.UNTRUSTED_SEAL
