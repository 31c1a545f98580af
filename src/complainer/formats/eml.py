"""The letter as an RFC 5322 message (.eml draft): what a mail client opens or an SMTP server takes.

The header fields come from `formats.headers` (the one header builder) and the finished bytes are
read back by `formats.readback` before they are returned, so a message that would say anything other
than what complainer meant is refused (MessageMismatch, exit 1) before it is written or sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import quopri
import secrets
import time
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

from complainer.formats import headers
from complainer.formats.headers import HeaderField
from complainer.formats.readback import (
    MessageMismatch,
    VerifiedFields,
    proved_header,
    verify_attachment,
    verify_body,
    verify_text,
)

if TYPE_CHECKING:  # only for annotations: a format need not load the composer
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


class Attachment(NamedTuple):
    """A file sent with the letter: its name (any script), its bytes and its MIME type."""

    filename: str
    data: bytes
    maintype: str = "application"
    subtype: str = "pdf"


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
    fields += [
        _recipient_field(letter.recipient.name, letter.recipient.email),
        headers.unstructured("Subject", letter.subject),
        _date_field(now),
        headers.raw("Message-ID", message_id(letter)),
        _language_field(letter.language),
    ]
    if unsent:
        fields.append(_UNSENT)
    return fields


# Fields that are the same in every message, or in every message of a batch, are built once:
# a field is an immutable record, and building one checks its value again (headers.raw).
_UNSENT = headers.raw("X-Unsent", "1")
_MIME_VERSION = headers.raw("MIME-Version", "1.0")
_TEXT_PLAIN = headers.raw("Content-Type", 'text/plain; charset="utf-8"')
_TRANSFER_ENCODINGS = {
    name: headers.raw("Content-Transfer-Encoding", name) for name in ("quoted-printable", "base64")
}


@functools.lru_cache(maxsize=64)
def _recipient_field(name: str, email: str) -> HeaderField:
    return headers.address("To", headers.mailbox(name, email))


@functools.lru_cache(maxsize=16)
def _language_field(language: str) -> HeaderField:
    return headers.raw("Content-Language", language)


_last_date: tuple[int, HeaderField] | None = None  # (POSIX second, its Date field)


def _date_field(now: dt.datetime | None) -> HeaderField:
    """`Date:` for `now`, or for this second when `now` is None (RFC 5322 section 3.3 has no
    finer unit): a batch makes many messages a second, and formats the time once for them."""
    global _last_date
    if now is not None:
        return headers.raw("Date", format_datetime(now))
    second = int(time.time())
    if _last_date is None or _last_date[0] != second:
        moment = dt.datetime.fromtimestamp(second, dt.timezone.utc).astimezone()
        _last_date = (second, headers.raw("Date", format_datetime(moment)))
    return _last_date[1]


# Quoted-printable text of the paragraphs letters share (the campaign's phrasings), by their
# UTF-8 text: (paragraph, whether the data ends with it) -> its encoding, the paragraph's "\n\n"
# included unless it ends the data. Two generations, so that the paragraphs every letter names
# its writer in (seen once) do not push out the shared ones: a paragraph is first kept in
# _QP_NEW, and moves to _QP_KEPT when seen again. Bounded: each is cleared when it holds
# _QP_MOST, and no paragraph longer than _QP_LONGEST is kept (a few MB at most; a campaign's
# paragraphs are well under 1 KB, and a batch's letters share most of them).
_QP_KEPT: dict[tuple[bytes, bool], bytes] = {}
_QP_NEW: dict[tuple[bytes, bool], bytes] = {}
_QP_MOST = 512
_QP_LONGEST = 4096  # bytes


def quoted_printable(data: bytes) -> bytes:
    """`quopri.encodestring(data)` with each LF written as CRLF (a message's line end).

    Encoded a paragraph at a time, each paragraph that recurs (the phrasings a batch's letters
    share) only once: quoted-printable (RFC 2045 section 6.7; binascii.b2a_qp) encodes each line
    on its own, knowing only where the line starts and whether the data ends after it, so text
    cut just after a line feed encodes as the concatenation of its pieces' encodings. Data with
    a CR (for which b2a_qp looks at the first line's end to choose CRLF output) is encoded whole.
    tests/test_batch_equivalence.py checks both ways agree on any bytes.
    """
    if b"\r" in data:
        return quopri.encodestring(data).replace(b"\n", b"\r\n")
    pieces = data.split(b"\n\n")
    last = len(pieces) - 1
    out = []
    for i, piece in enumerate(pieces):
        key = (piece, i == last)
        encoded = _QP_KEPT.get(key)
        if encoded is None:
            encoded = _QP_NEW.pop(key, None)
            if encoded is not None:
                if len(_QP_KEPT) >= _QP_MOST:
                    _QP_KEPT.clear()
                _QP_KEPT[key] = encoded
            else:
                text = piece if i == last else piece + b"\n\n"
                encoded = quopri.encodestring(text).replace(b"\n", b"\r\n")
                if len(text) <= _QP_LONGEST:
                    if len(_QP_NEW) >= _QP_MOST:
                        _QP_NEW.clear()
                    _QP_NEW[key] = encoded
        out.append(encoded)
    return b"".join(out)


def text_body(text: str) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, encoded body with CRLF line ends) for UTF-8 `text`.

    Quoted-printable keeps a mostly-Latin letter readable in the raw file; base64 is shorter for
    Cyrillic. Either keeps every body line within 76 characters (RFC 2045 section 6.7, 6.8).
    """
    data = text.encode("utf-8")
    # Counted by the codec, in C: a per-character loop cost as much as composing the letter.
    latin = len(text.encode("ascii", "ignore")) > 0.8 * len(text) if text else True
    if latin:
        if b"\r" in data:  # the search for CRLF costs ten times the search for CR
            data = data.replace(b"\r\n", b"\n")
        return "quoted-printable", quoted_printable(data)
    return "base64", base64.encodebytes(data).replace(b"\n", b"\r\n")


def _text_part_fields(letter: Letter) -> tuple[list[HeaderField], bytes]:
    encoding, body = text_body(letter.body)
    return [_TEXT_PLAIN, _TRANSFER_ENCODINGS[encoding]], body


def disposition(filename: str) -> str:
    """`attachment; filename=...`: quoted when plain ASCII, else RFC 2231 UTF-8 (filename*=)."""
    plain = filename.isascii() and filename.isprintable() and not set(filename) & set('"\\')
    if plain:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename*=utf-8''{quote(filename, safe='')}"


def _with_attachment(
    letter: Letter, unsent: bool, now: dt.datetime | None, attachment: Attachment
) -> bytes:
    """multipart/mixed (RFC 2046 section 5.1.3): the letter in its language, then the file."""
    # "=_" never occurs in quoted-printable or base64 text, so the boundary cannot occur in a part.
    boundary = f"=_complainer_{secrets.token_hex(12)}"
    fields = [
        *letter_fields(letter, unsent, now),
        _MIME_VERSION,
        headers.raw("Content-Type", f'multipart/mixed; boundary="{boundary}"'),
    ]
    text_fields, text = _text_part_fields(letter)
    text_fields.append(headers.raw("Content-Language", letter.language))
    file_fields = [
        headers.raw("Content-Type", f"{attachment.maintype}/{attachment.subtype}"),
        headers.raw("Content-Transfer-Encoding", "base64"),
        headers.raw("Content-Disposition", disposition(attachment.filename)),
    ]
    encoded = base64.encodebytes(attachment.data).replace(b"\n", b"\r\n")
    delimiter = f"--{boundary}\r\n".encode("ascii")
    data = b"".join(
        [
            headers.header_block(fields),
            b"\r\n",
            delimiter,
            headers.header_block(text_fields),
            b"\r\n",
            text,
            b"\r\n",  # RFC 2046 section 5.1.1: this CRLF belongs to the delimiter, not the part
            delimiter,
            headers.header_block(file_fields),
            b"\r\n",
            encoded,
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        ]
    )
    verify_attachment(data, fields, letter.body, attachment.filename, attachment.data)
    return data


def to_eml(
    letter: Letter,
    unsent: bool = True,
    now: dt.datetime | None = None,
    attachment: Attachment | None = None,
    verified: VerifiedFields | None = None,
) -> bytes:
    """The whole message as bytes with CRLF line ends, read back and verified (see module doc).

    With `attachment`, multipart/mixed: the text letter, then the file. `verified`: a batch's
    cache of header fields already read back (readback.VerifiedFields), for a message without an
    attachment; the body is then checked by decoding it. Without it, a message whose every
    header field is on a proved fast path (readback.proved_header: plain ASCII names, addresses
    and subject, complainer's own fields) is checked the same way, any other is read back whole
    with both policies (readback.verify_text). Raises readback.MessageMismatch if the message
    would not read back exactly.
    """
    try:
        if attachment is not None:
            return _with_attachment(letter, unsent, now, attachment)
        text_fields, body = _text_part_fields(letter)
        fields = [
            *letter_fields(letter, unsent, now),
            _MIME_VERSION,
            *text_fields,
        ]
        if verified is not None:
            data = verified.header(fields) + b"\r\n" + body
            verify_body(text_fields[1].value, body, letter.body)
            return data
        proved = proved_header(fields)
        if proved is not None:
            # Every field is on a path proved to read back as meant (readback.proved_field_lines):
            # the body's own decoding is then the whole check, and no parser is imported.
            verify_body(text_fields[1].value, body, letter.body)
            return proved + b"\r\n" + body
        data = headers.header_block(fields) + b"\r\n" + body
        verify_text(data, fields, letter.body)
        return data
    except ValueError as exc:  # a header line that cannot be written within 998 octets
        raise MessageMismatch(f"the email message cannot be written: {exc}") from None


def needs_smtputf8(letter: Letter) -> bool:
    """True when the message must go out with SMTPUTF8 (a non-ASCII local part, RFC 6531)."""
    emails = [letter.recipient.email, letter.writer.email]
    return any(not e.rpartition("@")[0].isascii() for e in emails if e)
