"""Hand a finished message to an SMTP server over TLS: STARTTLS (default) or implicit TLS.

Every failure becomes an SmtpFailure whose message says, in one line, what went wrong.
The password is only ever passed to `login`; it never appears in a message.
"""

from __future__ import annotations

import base64
import errno
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from complainer.delivery.tls import DEFAULT_PORTS as DEFAULT_PORTS
from complainer.delivery.tls import Tls as Tls
from complainer.i18n import _, ngettext
from complainer.paths import read_regular_file

# The EHLO name: an address literal rather than this machine's name, which smtplib would look up
# (socket.getfqdn) and send; a submission server accepts it once the client has logged in.
EHLO_NAME = "[127.0.0.1]"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: Tls = Tls.starttls
    user: str | None = None
    timeout: float = 30.0
    cafile: Path | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


class SmtpFailure(Exception):
    """Sending did not happen; the message says what failed."""


MAX_CA_FILE = 10_000_000  # bytes: the whole Mozilla CA bundle is about 250 kB


def tls_context(cafile: Path | None) -> ssl.SSLContext:
    """The system's CA bundle, or only `cafile` when one is given (a private server, a test).

    `cafile` holds PEM certificates (or one DER certificate) in a regular file of at most
    MAX_CA_FILE bytes; it is read here within that bound rather than by OpenSSL, which would
    read a FIFO or /dev/zero without end. Raises SmtpFailure naming the file.
    """
    try:
        if cafile is None:
            return ssl.create_default_context()
        raw = read_regular_file(cafile, MAX_CA_FILE)
        if len(raw) > MAX_CA_FILE:
            raise OSError(
                errno.EFBIG, _("larger than {limit} MB").format(limit=MAX_CA_FILE // 1_000_000)
            )
        try:
            cadata: str | bytes = raw.decode("ascii")  # PEM
        except UnicodeDecodeError:
            cadata = raw  # DER
        return ssl.create_default_context(cadata=cadata)
    except OSError as exc:  # ssl.SSLError is an OSError too
        problem = exc.strerror or str(exc)
        raise SmtpFailure(
            _("cannot read the CA file {path}: {problem}").format(path=cafile, problem=problem)
        ) from exc


def _says(code: int, text: bytes | str) -> str:
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    said = " ".join(f"{code} {raw}".split())
    return said if len(said) <= 200 else said[:197] + "..."


def _timed_out(s: SmtpSettings) -> str:
    return ngettext(
        "the mail server {server} did not answer within {seconds} second (--timeout)",
        "the mail server {server} did not answer within {seconds} seconds (--timeout)",
        int(s.timeout) if s.timeout == int(s.timeout) else 2,
    ).format(server=s.where, seconds=f"{s.timeout:g}")


def _connect(s: SmtpSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    if s.tls is Tls.ssl:
        return smtplib.SMTP_SSL(
            s.host, s.port, local_hostname=EHLO_NAME, timeout=s.timeout, context=context
        )
    smtp = smtplib.SMTP(s.host, s.port, local_hostname=EHLO_NAME, timeout=s.timeout)
    try:
        smtp.ehlo()
        if not smtp.has_extn("starttls"):
            raise SmtpFailure(
                _(
                    "the mail server {server} does not offer STARTTLS, so nothing was sent"
                    " unencrypted; if it uses implicit TLS, try --tls ssl (usually port 465)"
                ).format(server=s.where)
            )
        smtp.starttls(context=context)
        smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _mail_options(
    smtp: smtplib.SMTP, s: SmtpSettings, addresses: list[str], data: bytes
) -> list[str]:
    if not all(a.isascii() for a in addresses):
        if not smtp.has_extn("smtputf8"):
            raise SmtpFailure(
                _("the mail server {server} cannot take non-ASCII addresses (no SMTPUTF8)").format(
                    server=s.where
                )
            )
        return ["SMTPUTF8", "BODY=8BITMIME"]
    if not data.isascii():
        if not smtp.has_extn("8bitmime"):
            raise SmtpFailure(
                _("the mail server {server} cannot take 8-bit text (no 8BITMIME)").format(
                    server=s.where
                )
            )
        return ["BODY=8BITMIME"]
    return []


def _login(smtp: smtplib.SMTP, s: SmtpSettings, password: str) -> None:
    """Log in; a non-ASCII user name or password goes as UTF-8 in AUTH PLAIN (RFC 4616).

    smtplib encodes credentials as ASCII only. PLAIN is defined on UTF-8, so it carries any
    password; CRAM-MD5 and LOGIN have no agreed encoding, so they are not used for one.
    """
    user = s.user or ""
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise SmtpFailure(
            _(
                "the mail server {server} offers no login (AUTH PLAIN) that can carry a"
                " non-ASCII user name or password"
            ).format(server=s.where)
        )
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, said = smtp.docmd("AUTH", f"PLAIN {token}")
    if code == 235:
        return
    raise smtplib.SMTPAuthenticationError(code, said)


def _session(
    s: SmtpSettings,
    password: str | None,
    sender: str,
    recipients: list[str],
    data: bytes,
    on_accepted: Callable[[], None] | None,
) -> dict[str, tuple[int, bytes]]:
    smtp = _connect(s, tls_context(s.cafile))
    try:
        if s.user:
            try:
                _login(smtp, s, password or "")
            except smtplib.SMTPAuthenticationError as exc:
                raise SmtpFailure(
                    _("the mail server {server} refused the login as {user}: {said}").format(
                        server=s.where, user=s.user, said=_says(exc.smtp_code, exc.smtp_error)
                    )
                ) from None
            except smtplib.SMTPNotSupportedError:
                raise SmtpFailure(
                    _(
                        "the mail server {server} does not offer a login (AUTH);"
                        " leave out --smtp-user"
                    ).format(server=s.where)
                ) from None
        options = _mail_options(smtp, s, [sender, *recipients], data)
        refused = smtp.sendmail(sender, recipients, data, mail_options=options)
        if on_accepted is not None:
            on_accepted()  # before QUIT: the server has the message now
    except BaseException:
        smtp.close()
        raise
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()  # the letter was accepted; a rude goodbye does not matter
    return refused


def send(
    s: SmtpSettings,
    password: str | None,
    sender: str,
    recipients: list[str],
    data: bytes,
    on_accepted: Callable[[], None] | None = None,
) -> dict[str, tuple[int, bytes]]:
    """Deliver `data` from `sender` to `recipients`; the recipients refused (if some were accepted).

    `on_accepted` is called as soon as the server has accepted the message (its reply to DATA),
    before the session ends: a batch records the letter as sent there.
    """
    try:
        return _session(s, password, sender, recipients, data, on_accepted)
    except SmtpFailure:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        said = "; ".join(f"{a}: {_says(c, m)}" for a, (c, m) in exc.recipients.items())
        raise SmtpFailure(
            _("the mail server {server} refused the recipient ({said})").format(
                server=s.where, said=said
            )
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        raise SmtpFailure(
            _("the mail server {server} refused the sender {sender}: {said}").format(
                server=s.where, sender=sender, said=_says(exc.smtp_code, exc.smtp_error)
            )
        ) from None
    except smtplib.SMTPDataError as exc:
        raise SmtpFailure(
            _("the mail server {server} refused the letter: {said}").format(
                server=s.where, said=_says(exc.smtp_code, exc.smtp_error)
            )
        ) from None
    except smtplib.SMTPConnectError as exc:
        raise SmtpFailure(
            _("the mail server {server} turned the connection away: {said}").format(
                server=s.where, said=_says(exc.smtp_code, exc.smtp_error)
            )
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise SmtpFailure(
            _("the mail server {server} said: {said}").format(
                server=s.where, said=_says(exc.smtp_code, exc.smtp_error)
            )
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib reports a read timeout this way
            raise SmtpFailure(_timed_out(s)) from None
        raise SmtpFailure(
            _("the mail server {server} closed the connection ({reason})").format(
                server=s.where, reason=exc or _("no reason given")
            )
        ) from None
    except smtplib.SMTPException as exc:
        raise SmtpFailure(
            _("sending through {server} failed: {problem}").format(server=s.where, problem=exc)
        ) from None
    except UnicodeError:
        # Never the exception's text: it would quote the character and where it is.
        raise SmtpFailure(
            _("sending through {server} failed: a value could not be encoded for SMTP").format(
                server=s.where
            )
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise SmtpFailure(
            _(
                "TLS with {server} failed: its certificate is not trusted ({problem});"
                " for a server with its own CA, give the CA file with --cafile"
            ).format(server=s.where, problem=exc.verify_message)
        ) from None
    except ssl.SSLError as exc:
        raise SmtpFailure(
            _(
                "TLS with {server} failed ({problem}); check --tls: STARTTLS is usually"
                " port 587, implicit TLS (ssl) port 465"
            ).format(server=s.where, problem=exc.reason or exc)
        ) from None
    except socket.gaierror as exc:
        raise SmtpFailure(
            _("cannot find the mail server {server}: {problem}").format(
                server=s.host, problem=exc.strerror
            )
        ) from None
    except ConnectionRefusedError:
        raise SmtpFailure(
            _("cannot connect to the mail server {server}: connection refused").format(
                server=s.where
            )
        ) from None
    except TimeoutError:
        raise SmtpFailure(_timed_out(s)) from None
    except OSError as exc:
        raise SmtpFailure(
            _("cannot talk to the mail server {server}: {problem}").format(
                server=s.where, problem=exc.strerror or exc
            )
        ) from None
