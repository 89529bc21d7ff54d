"""Seal a rendered certificate PDF with a PAdES B-B signature (pyHanko).

The signature is an invisible field added as an incremental update; its CMS
carries the seal certificate and the whole chain up to (and including) the
root, so a verifier needs only the root it trusts. The QR token stays: it lets
a phone check the content claims offline, while this signature protects every
byte of the file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

SEAL_FIELD = "TongbanSeal"


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


class PdfSealer:
    """Signs PDFs for one issuing agency; build once, reuse for every certificate."""

    def __init__(
        self,
        certificate: x509.Certificate,
        key: ec.EllipticCurvePrivateKey,
        chain: Sequence[x509.Certificate],
    ) -> None:
        der_key = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._signer = signers.SimpleSigner(
            signing_cert=to_asn1(certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
            cert_registry=SimpleCertificateStore.from_certs([to_asn1(c) for c in chain]),
        )

    def seal(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        metadata = signers.PdfSignatureMetadata(
            field_name=SEAL_FIELD,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location=location,
        )
        out = signers.sign_pdf(writer, metadata, signer=self._signer)
        return out.getvalue()
