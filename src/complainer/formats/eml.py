"""The letter as an RFC 5322 message (.eml draft): what a mail client opens or an SMTP server takes.

The header fields come from `formats.headers` (the one header builder) and the finished bytes are
read back by `formats.readback` before they are returned, so a message that would say anything other
than what complainer meant is refused (MessageMismatch, exit 1) before it is written or sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import quopri
from email.utils import format_datetime, make_msgid

from complainer.formats import headers
from complainer.formats.headers import HeaderField
from complainer.formats.readback import verify_text
from complainer.letter.compose import Letter

# The header fields a message may carry, in order; README "Email drafts" documents them.
DOCUMENTED_FIELDS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Content-Language",
    "X-Unsent",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)


def message_id(letter: Letter) -> str:
    """A new RFC 5322 msg-id on the writer's (ASCII) domain, else on complainer.invalid."""
    domain = ""
    if letter.writer.email:
        domain = headers.ascii_domain_form(letter.writer.email).rpartition("@")[2]
    # An explicit domain keeps make_msgid from looking up this host's name (no network use).
    return make_msgid(domain=domain if domain.isascii() and domain else "complainer.invalid")


def letter_fields(
    letter: Letter, unsent: bool = True, now: dt.datetime | None = None
) -> list[HeaderField]:
    """The message header fields of `letter`, before the MIME ones (which depend on the body).

    `Date:` is when the message is made (sent, for `send`), never the letter's own date, which is in
    its body (RFC 5322 section 3.6.1: the date the message was ready to be delivered). `X-Unsent: 1`
    marks a draft that Outlook and Thunderbird open ready to send.
    """
    fields = []
    if letter.writer.email:
        fields.append(
            headers.address("From", headers.mailbox(letter.writer.name, letter.writer.email))
        )
    recipient = headers.mailbox(letter.recipient.name, letter.recipient.email)
    fields += [
        headers.address("To", recipient),
        headers.unstructured("Subject", letter.subject),
        headers.raw("Date", format_datetime(now or dt.datetime.now().astimezone())),
        headers.raw("Message-ID", message_id(letter)),
        headers.raw("Content-Language", letter.language),
    ]
    if unsent:
        fields.append(headers.raw("X-Unsent", "1"))
    return fields


def text_body(text: str) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, encoded body with CRLF line ends) for UTF-8 `text`.

    Quoted-printable keeps a mostly-Latin letter readable in the raw file; base64 is shorter for
    Cyrillic. Either keeps every body line within 76 characters (RFC 2045 section 6.7, 6.8).
    """
    data = text.encode("utf-8")
    latin = sum(ch.isascii() for ch in text) > 0.8 * len(text) if text else True
    if latin:
        encoded = quopri.encodestring(data.replace(b"\r\n", b"\n"))
        return "quoted-printable", encoded.replace(b"\n", b"\r\n")
    return "base64", base64.encodebytes(data).replace(b"\n", b"\r\n")


def to_eml(letter: Letter, unsent: bool = True, now: dt.datetime | None = None) -> bytes:
    """The whole message as bytes with CRLF line ends, read back and verified (see module doc).

    Raises readback.MessageMismatch if it would not read back exactly.
    """
    encoding, body = text_body(letter.body)
    fields = [
        *letter_fields(letter, unsent, now),
        headers.raw("MIME-Version", "1.0"),
        headers.raw("Content-Type", 'text/plain; charset="utf-8"'),
        headers.raw("Content-Transfer-Encoding", encoding),
    ]
    data = headers.header_block(fields) + b"\r\n" + body
    verify_text(data, fields, letter.body)
    return data


def needs_smtputf8(letter: Letter) -> bool:
    """True when the message must go out with SMTPUTF8 (a non-ASCII local part, RFC 6531)."""
    emails = [letter.recipient.email, letter.writer.email]
    return any(not e.rpartition("@")[0].isascii() for e in emails if e)
