"""An electronic signature on the PDF letter (PAdES), with the writer's PKCS#12 certificate.

pyHanko comes with the optional extra `pip install 'complainer[sign]'` and is imported only
here, when `--sign-p12` is given. The password comes from COMPLAINER_P12_PASSWORD or a hidden
prompt on the terminal, never from a flag; it is not stored. Every problem (no pyHanko, an
unreadable file, a wrong password, a certificate out of its validity period) is one clear line,
raised before anything is written: signing happens in memory.
"""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from complainer.errors import UsageProblem
from complainer.i18n import N_, _
from complainer.paths import read_regular_file

PASSWORD_ENV = "COMPLAINER_P12_PASSWORD"
SIGNATURE_FIELD = "Signature"
INSTALL_HINT = N_("signing needs the [sign] extra: pip install 'complainer[sign]'")


@dataclass(frozen=True)
class Signer:
    """A loaded certificate and key, ready to sign (`pyhanko` is a pyHanko SimpleSigner)."""

    path: Path
    subject: str
    pyhanko: Any


def p12_password(path: Path, can_ask: bool) -> bytes:
    """The PKCS#12 password: from PASSWORD_ENV, else asked (hidden); UsageProblem if neither."""
    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password.encode("utf-8")
    if not can_ask:
        raise UsageProblem(
            _("no password for {user}: set {envvar}, or run in a terminal to be asked").format(
                user=path, envvar=PASSWORD_ENV
            )
        )
    try:
        return getpass.getpass(
            _("Password for the certificate {name}: ").format(name=path.name)
        ).encode("utf-8")
    except EOFError:
        raise typer.Abort() from None


MAX_P12_FILE = 1_000_000  # bytes: a PKCS#12 file with a key and its chain is a few kilobytes


def load_signer(path: Path, password: bytes, now: dt.datetime | None = None) -> Signer:
    """The certificate and key in the PKCS#12 file `path`, checked to be usable `now`.

    At most MAX_P12_FILE + 1 bytes are read, from a regular file only.
    Raises UsageProblem for a missing extra, an unreadable, non-regular or too large file, a wrong password or a file
    that is not PKCS#12, and a certificate not valid now (expired or not yet valid).
    """
    try:
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
            pkcs12,
        )
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore
    except ImportError:
        raise UsageProblem(_(INSTALL_HINT)) from None
    try:
        data = read_regular_file(path, MAX_P12_FILE)
        if len(data) > MAX_P12_FILE:
            raise OSError(
                errno.EFBIG, _("larger than {limit} MB").format(limit=MAX_P12_FILE // 1_000_000)
            )
    except FileNotFoundError:
        raise UsageProblem(_("certificate file {path} does not exist").format(path=path)) from None
    except IsADirectoryError:
        raise UsageProblem(_("certificate file {path} is a folder").format(path=path)) from None
    except OSError as exc:
        raise UsageProblem(
            _("certificate file {path} cannot be read: {problem}").format(
                path=path, problem=exc.strerror
            )
        ) from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except ValueError:
        raise UsageProblem(
            _("cannot open {path}: wrong password, or not a PKCS#12 (.p12/.pfx) file").format(
                path=path
            )
        ) from None
    if key is None or cert is None:
        raise UsageProblem(_("{path} holds no certificate with its private key").format(path=path))
    now = now or dt.datetime.now(dt.timezone.utc)
    if cert.not_valid_after_utc < now:
        raise UsageProblem(
            _("the certificate in {path} expired on {date}").format(
                path=path, date=cert.not_valid_after_utc.date().isoformat()
            )
        )
    if cert.not_valid_before_utc > now:
        raise UsageProblem(
            _("the certificate in {path} is valid only from {date}").format(
                path=path, date=cert.not_valid_before_utc.date().isoformat()
            )
        )
    der_key = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    chain = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in extra]
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )
    return Signer(path, cert.subject.rfc4514_string(), signer)


def open_signer(path: Path, no_input: bool) -> Signer:
    """Ask for the password if needed and load the certificate (see `load_signer`)."""
    try:
        import pyhanko  # noqa: F401  (fail on the missing extra before asking a password)
    except ImportError:
        raise UsageProblem(_(INSTALL_HINT)) from None
    can_ask = not no_input and sys.stdin.isatty()
    return load_signer(path, p12_password(path, can_ask))


def sign_pdf(pdf: bytes, signer: Signer) -> bytes:
    """`pdf` with a PAdES signature (ETSI.CAdES.detached, SHA-256) in a new invisible field."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    out = signers.sign_pdf(writer, meta, signer=signer.pyhanko)
    return bytes(out.getvalue())
