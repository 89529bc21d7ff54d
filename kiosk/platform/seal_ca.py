"""The platform's TEST certificate chain for electronic seals (电子印章), made on first start.

Tongban Test Root CA → Tongban Test Issuing CA → one seal certificate per issuing
agency. One seal per agency, not one for the platform, because that is what a
seal is: the agency named on the certificate (出具机构) is the one that seals
it, so a verifier can check that the seal's subject is the issuer the document
and its QR token name. ECDSA P-256 throughout: keys are made in milliseconds
(a dozen agencies cost nothing at start) and signing is fast.

Everything here is for testing only: a real deployment uses seal certificates
issued by a recognised CA, with keys held in a hardware module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.platform.issuer_key import write_owner_only

ROOT_NAME = "Tongban Test Root CA"
ISSUING_NAME = "Tongban Test Issuing CA"
ROOT_YEARS, ISSUING_YEARS, SEAL_YEARS = 20, 10, 5
# RFC 9336 id-kp-documentSigning: this key seals documents and nothing else.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


@dataclass(frozen=True)
class KeyPair:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issue(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: KeyPair | None,
    years: int,
    *,
    path_length: int | None,
) -> x509.Certificate:
    """A CA certificate when ``path_length`` is given, else a seal certificate."""
    now = datetime.now(UTC)
    signer_key = issuer.key if issuer else key
    is_ca = path_length is not None
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))  # tolerate clocks a little behind
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=not is_ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if not is_ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING]),
            critical=False,
        )
    return builder.sign(signer_key, hashes.SHA256())


def _load_or_create(
    directory: Path,
    stem: str,
    subject: x509.Name,
    issuer: KeyPair | None,
    years: int,
    path_length: int | None,
) -> KeyPair:
    cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}.key"
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{key_path} is not an EC private key")
        return KeyPair(x509.load_pem_x509_certificate(cert_path.read_bytes()), key)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _issue(subject, key, issuer, years, path_length=path_length)
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Key first: a certificate on disk always has its key next to it.
    write_owner_only(key_path, pem_key)
    write_owner_only(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    return KeyPair(certificate, key)


def seal_file_stem(issuer: str) -> str:
    # Agency names are Chinese; a digest keeps file names ASCII and stable.
    return "seal-" + hashlib.sha256(issuer.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SealAuthority:
    """The test chain and the seal of every agency, loaded from (or made in) one directory."""

    root: KeyPair
    issuing: KeyPair
    seals: dict[str, KeyPair]

    @classmethod
    def load_or_create(cls, directory: Path, issuers: Iterable[str]) -> SealAuthority:
        root = _load_or_create(
            directory, "root-ca", _name(ROOT_NAME, "Tongban Test"), None, ROOT_YEARS, 1
        )
        issuing = _load_or_create(
            directory, "issuing-ca", _name(ISSUING_NAME, "Tongban Test"), root, ISSUING_YEARS, 0
        )
        seals = {
            issuer: _load_or_create(
                directory, seal_file_stem(issuer), _name(issuer, issuer), issuing, SEAL_YEARS, None
            )
            for issuer in sorted(set(issuers))
        }
        return cls(root=root, issuing=issuing, seals=seals)

    def seal_for(self, issuer: str) -> KeyPair:
        try:
            return self.seals[issuer]
        except KeyError as exc:
            raise KeyError(f"no seal certificate for issuer {issuer!r}") from exc

    def root_pem(self) -> str:
        return self.root.certificate_pem()
