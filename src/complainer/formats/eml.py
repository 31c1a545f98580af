"""The letter as an RFC 5322 message (.eml draft): what a mail client opens or an SMTP server takes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email import charset as email_charset
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.utils import format_datetime, formataddr, make_msgid
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: a format need not load the composer
    from complainer.letter.compose import Letter

# Python's modern folder (policy.default/SMTP) turns the space at a fold between two RFC 2047
# encoded words into folding white space, which RFC 2047 (6.2) tells readers to drop: a Russian
# subject arrives as "30декабря". The classic Header encoder keeps spaces inside the encoded
# words, so ASCII-address messages are built with it. Messages with a non-ASCII address need
# RFC 6532 UTF-8 headers, which have no encoded words at all, so the modern API is safe there.
_CRLF_CLASSIC = policy.compat32.clone(linesep="\r\n")


@dataclass(frozen=True)
class Attachment:
    """A file sent with the letter: its name (any script), its bytes and its MIME type."""

    filename: str
    data: bytes
    maintype: str = "application"
    subtype: str = "pdf"


def _attachment_part(attachment: Attachment) -> MIMEApplication:
    part = MIMEApplication(attachment.data, attachment.subtype)  # base64
    if attachment.maintype != "application":
        part.replace_header("Content-Type", f"{attachment.maintype}/{attachment.subtype}")
    # A non-ASCII name goes out as an RFC 2231 parameter (filename*=utf-8''...).
    name: str | tuple[str, str, str] = attachment.filename
    if not attachment.filename.isascii():
        name = ("utf-8", "", attachment.filename)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def _needs_smtputf8(*emails: str) -> bool:
    return any(not e.isascii() for e in emails if e)


def header_date(day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """Now, for a letter dated today; noon local time on the letter's date otherwise."""
    now = now or dt.datetime.now().astimezone()
    if day == now.date():
        return now
    return dt.datetime.combine(day, dt.time(12, 0)).astimezone()


def _message_id(letter: Letter) -> str:
    domain = letter.writer.email.rpartition("@")[2] if letter.writer.email.isascii() else ""
    # An explicit domain keeps make_msgid from looking up this host's name (no network use).
    return make_msgid(domain=domain or "complainer.invalid")


def _text(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


def _mailbox(name: str, email: str) -> str | Header:
    if name.isascii():
        return formataddr((name, email))  # quotes a name with commas or other specials
    # Header splits a long name into encoded words of at most 75 characters (RFC 2047).
    header = Header(name, "utf-8")
    header.append(f" <{email}>", "us-ascii")
    return header


def _set(msg: Message, name: str, value: str | Header) -> None:
    # The classic API takes Header objects, though typeshed declares str only.
    msg[name] = value  # type: ignore[assignment]


def _classic(
    letter: Letter, unsent: bool, now: dt.datetime | None, attachment: Attachment | None = None
) -> Message:
    cs = email_charset.Charset("utf-8")
    # Quoted-printable keeps a mostly-Latin letter readable in the raw file; base64 is shorter
    # for Cyrillic.
    latin = sum(ch.isascii() for ch in letter.body) > 0.8 * len(letter.body)
    cs.body_encoding = email_charset.QP if latin else email_charset.BASE64
    msg = Message()
    if letter.writer.email:
        _set(msg, "From", _mailbox(letter.writer.name, letter.writer.email))
    _set(msg, "To", _mailbox(letter.recipient.name, letter.recipient.email))
    _set(msg, "Subject", _text(letter.subject))
    msg["Date"] = format_datetime(header_date(letter.date, now))
    msg["Message-ID"] = _message_id(letter)
    msg["Content-Language"] = letter.language
    if unsent:
        # Outlook and Thunderbird open a message with this header as a draft ready to send.
        msg["X-Unsent"] = "1"
    if attachment is None:
        msg.set_payload(letter.body, cs)  # adds MIME-Version, Content-Type, -Transfer-Encoding
        return msg
    # multipart/mixed: the letter as its first part, in its language, then the file.
    text = Message()
    text.set_payload(letter.body, cs)
    del text["MIME-Version"]
    text["Content-Language"] = letter.language
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = "multipart/mixed"
    msg.attach(text)
    attached = _attachment_part(attachment)
    del attached["MIME-Version"]
    msg.attach(attached)
    return msg


def _address(name: str, email: str) -> Address:
    local, _, domain = email.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def _utf8(
    letter: Letter, unsent: bool, now: dt.datetime | None, attachment: Attachment | None = None
) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTPUTF8)
    if letter.writer.email:
        msg["From"] = _address(letter.writer.name, letter.writer.email)
    msg["To"] = _address(letter.recipient.name, letter.recipient.email)
    msg["Subject"] = letter.subject
    msg["Date"] = format_datetime(header_date(letter.date, now))
    msg["Message-ID"] = _message_id(letter)
    if unsent:
        msg["X-Unsent"] = "1"
    msg.set_content(letter.body, charset="utf-8")
    # After set_content, which replaces every Content-* header.
    msg["Content-Language"] = letter.language
    if attachment is not None:
        # RFC 6532 headers: the file name goes out as UTF-8, as the addresses do.
        msg.add_attachment(
            attachment.data,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    return msg


def build_message(
    letter: Letter,
    unsent: bool = True,
    now: dt.datetime | None = None,
    attachment: Attachment | None = None,
) -> Message:
    """The message; with `attachment`, multipart/mixed: the text letter, then the file."""
    if _needs_smtputf8(letter.recipient.email, letter.writer.email):
        return _utf8(letter, unsent, now, attachment)
    return _classic(letter, unsent, now, attachment)


def message_bytes(msg: Message) -> bytes:
    """The message with CRLF line ends, as RFC 5322 and mail clients expect."""
    if isinstance(msg, EmailMessage):
        return msg.as_bytes()
    return msg.as_bytes(policy=_CRLF_CLASSIC)


def to_eml(
    letter: Letter,
    unsent: bool = True,
    now: dt.datetime | None = None,
    attachment: Attachment | None = None,
) -> bytes:
    return message_bytes(build_message(letter, unsent=unsent, now=now, attachment=attachment))
