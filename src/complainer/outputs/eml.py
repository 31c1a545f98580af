"""The letter as an RFC 5322 message (.eml draft): what a mail client opens or an SMTP server takes."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from complainer.compose import Letter

# CRLF line ends, as RFC 5322 and every mail client expect; UTF-8 headers only when an
# address itself is non-ASCII (RFC 6531), otherwise RFC 2047 encoded words.
_POLICY = policy.SMTP
_POLICY_UTF8 = policy.SMTPUTF8


def _address(name: str, email: str) -> Address:
    local, _, domain = email.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def _needs_smtputf8(*emails: str) -> bool:
    return any(not e.isascii() for e in emails if e)


def header_date(day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """Now, for a letter dated today; noon local time on the letter's date otherwise."""
    now = now or dt.datetime.now().astimezone()
    if day == now.date():
        return now
    return dt.datetime.combine(day, dt.time(12, 0)).astimezone()


def build_message(
    letter: Letter, unsent: bool = True, bcc: str | None = None, now: dt.datetime | None = None
) -> EmailMessage:
    emails = [letter.recipient.email, letter.writer.email, bcc or ""]
    msg = EmailMessage(policy=_POLICY_UTF8 if _needs_smtputf8(*emails) else _POLICY)
    if letter.writer.email:
        msg["From"] = _address(letter.writer.name, letter.writer.email)
    msg["To"] = _address(letter.recipient.name, letter.recipient.email)
    if bcc:
        msg["Bcc"] = bcc
    msg["Subject"] = letter.subject
    msg["Date"] = format_datetime(header_date(letter.date, now))
    domain = letter.writer.email.rpartition("@")[2] if letter.writer.email.isascii() else ""
    # An explicit domain keeps make_msgid from looking up this host's name (no network use).
    msg["Message-ID"] = make_msgid(domain=domain or "complainer.invalid")
    msg["Content-Language"] = letter.language
    if unsent:
        # Outlook and Thunderbird open a message with this header as a draft ready to send.
        msg["X-Unsent"] = "1"
    msg.set_content(letter.body, charset="utf-8")
    return msg


def to_eml(letter: Letter, now: dt.datetime | None = None) -> bytes:
    return build_message(letter, now=now).as_bytes()
