"""Read a message complainer built back with Python's email parsers; refuse it if it says anything else.

Nothing is written or sent before `verify` has parsed the bytes with both `email.policy.default` and
`email.policy.compat32` and found exactly the header fields meant, each once, with exactly the
values meant, and the body meant. A difference means the header builder has a fault that hostile
input could use, so the message is refused (exit 1) rather than delivered.

A batch makes thousands of messages whose header fields are mostly the same (To, Subject, the MIME
fields) and pays for the same check in a cheaper form, `VerifiedFields`: each distinct field is
read back on its own, once, and the body is checked by decoding its own transfer encoding (its
docstring says why that is the same guarantee). The fields made anew for each letter (the
signer's From, the Message-ID) are read back only when they fall outside a small subset whose
one-line form is proved to read back as meant (`plain_field_lines`).
"""

from __future__ import annotations

import base64
import binascii
import email
import quopri
import re
from collections.abc import Sequence
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from typing import Any

from complainer.errors import ComplainerError
from complainer.formats.headers import (
    HARD_LINE_LIMIT,
    MAX_LINE,
    HeaderField,
    header_block,
    phrase_chunks,
)

_UNFOLD = re.compile(r"\r?\n(?=[ \t])")


class MessageMismatch(ComplainerError):
    """The message would not read back as complainer meant it: exit 1, nothing written or sent."""


def _unfold(value: str) -> str:
    return _UNFOLD.sub("", value)


def _decoded(raw: str) -> str:
    return str(make_header(decode_header(_unfold(raw))))


def _fail(what: str) -> MessageMismatch:
    return MessageMismatch(
        f"the email message would not read back as written ({what}); nothing was written or sent."
        " This is a fault in complainer: please report it"
    )


def parse(data: bytes, which: policy.Policy | policy.Compat32) -> Message:
    """`data` parsed with `which`; RFC 6532 header bytes are read as UTF-8, as that RFC says."""
    return email.message_from_string(data.decode("utf-8"), policy=which)


def _check_default(msg: Message, field: HeaderField) -> None:
    value = msg[field.name]
    if field.mailbox is None:
        got = str(value)
        want = field.value
    else:
        addresses: tuple[Any, ...] = getattr(value, "addresses", ())
        if len(addresses) != 1:
            raise _fail(f"{field.name}: {len(addresses)} addresses instead of 1 (policy.default)")
        if addresses[0].addr_spec != field.mailbox.addr_spec:
            raise _fail(f"{field.name}: the address differs (policy.default)")
        got = addresses[0].display_name
        chunks = phrase_chunks(field)
        # CPython (issue 128110) keeps the white space between two encoded words of a phrase,
        # which RFC 2047 section 6.2 says to drop; predict exactly that reading.
        want = " ".join(chunks) if len(chunks) > 1 else field.mailbox.display_name
    if got != want:
        raise _fail(f"{field.name} differs (policy.default)")


def _check_compat32(msg: Message, field: HeaderField) -> None:
    raw = msg[field.name]
    if not isinstance(raw, str):
        raise _fail(f"{field.name} is not text (policy.compat32)")
    if field.mailbox is None:
        got = _unfold(raw) if field.kind == "raw" else _decoded(raw)
        if got != field.value:
            raise _fail(f"{field.name} differs (policy.compat32)")
        return
    pairs = getaddresses([_unfold(raw)])
    if len(pairs) != 1:
        raise _fail(f"{field.name}: {len(pairs)} addresses instead of 1 (policy.compat32)")
    name, addr = pairs[0]
    if addr != field.mailbox.addr_spec or _decoded(name) != field.mailbox.display_name:
        raise _fail(f"{field.name} differs (policy.compat32)")


def verify_headers(data: bytes, fields: Sequence[HeaderField]) -> tuple[Message, Message]:
    """Check the header section of `data` against `fields`; the two parsed messages.

    Raises MessageMismatch when a field is missing, repeated, added or different, or a header line
    is longer than RFC 5322 allows (998 octets).
    """
    head = data.split(b"\r\n\r\n", 1)[0]
    if any(len(line) > HARD_LINE_LIMIT for line in head.split(b"\r\n")):
        raise _fail(f"a header line is longer than {HARD_LINE_LIMIT} octets")
    wanted = [f.name.lower() for f in fields]
    parsed = []
    for which in (policy.default, policy.compat32):
        try:
            msg = parse(data, which)
            names = [k.lower() for k in msg]
            if names != wanted:
                extra = sorted(set(names) - set(wanted)) or sorted(
                    n for n in set(names) if names.count(n) > 1
                )
                raise _fail(f"header fields {', '.join(extra) or 'missing'}")
            for field in fields:
                (_check_default if which is policy.default else _check_compat32)(msg, field)
        except MessageMismatch:
            raise
        except (ValueError, TypeError, LookupError, UnicodeError) as exc:
            raise _fail(f"the parser failed: {type(exc).__name__}") from None
        parsed.append(msg)
    return parsed[0], parsed[1]


def verify_text(data: bytes, fields: Sequence[HeaderField], body: str) -> None:
    """`verify_headers`, and the single text/plain body decodes to `body` with both policies."""
    modern, classic = verify_headers(data, fields)
    try:
        content = modern.get_content()  # type: ignore[attr-defined]
        payload = classic.get_payload(decode=True)
        classic_text = payload.decode("utf-8") if isinstance(payload, bytes) else None
    except (ValueError, LookupError, UnicodeError, AttributeError) as exc:
        raise _fail(f"the body does not decode: {type(exc).__name__}") from None
    if not isinstance(content, str) or content.replace("\r\n", "\n") != body:
        raise _fail("the body differs (policy.default)")
    if classic_text is None or classic_text.replace("\r\n", "\n") != body:
        raise _fail("the body differs (policy.compat32)")


def verify_attachment(
    data: bytes, fields: Sequence[HeaderField], body: str, filename: str, content: bytes
) -> None:
    """`verify_headers`, and multipart/mixed with exactly two parts: the text `body`, then a file
    named `filename` holding `content`, read the same by both policies."""
    modern, classic = verify_headers(data, fields)
    try:
        parts: list[Any] = list(modern.iter_parts())  # type: ignore[attr-defined]
        classic_parts: Any = classic.get_payload()
        if len(parts) != 2 or not isinstance(classic_parts, list) or len(classic_parts) != 2:
            raise _fail("the message does not have exactly two parts")
        text, file = parts
        if text.get_content().replace("\r\n", "\n") != body:
            raise _fail("the letter part differs (policy.default)")
        if file.get_content() != content or file.get_filename() != filename:
            raise _fail("the attached file differs (policy.default)")
        classic_text = classic_parts[0].get_payload(decode=True)
        if classic_text.decode("utf-8").replace("\r\n", "\n") != body:
            raise _fail("the letter part differs (policy.compat32)")
        classic_file = classic_parts[1]
        if (
            classic_file.get_payload(decode=True) != content
            or classic_file.get_filename() != filename
        ):
            raise _fail("the attached file differs (policy.compat32)")
    except MessageMismatch:
        raise
    except (ValueError, LookupError, UnicodeError, AttributeError, TypeError) as exc:
        raise _fail(f"the parts do not decode: {type(exc).__name__}") from None


def verify_field(field: HeaderField) -> bytes:
    """The header lines (CRLF-ended) that write `field`, read back alone with both policies.

    `verify_headers` on a message holding only this field, whose body must come back empty: a
    line of the field that a parser would read as the end of the header section (or as anything
    but a continuation of this field) fails the check. Raises MessageMismatch, and ValueError
    where `header_block` cannot write the field within 998 octets a line.
    """
    lines = header_block([field])
    for msg in verify_headers(lines + b"\r\n", [field]):
        if msg.get_payload():
            raise _fail(f"{field.name} ends the header section early")
    return lines


def verify_body(encoding: str, encoded: bytes, body: str) -> None:
    """The body of a single-part text/plain; charset=utf-8 message decodes to `body`.

    Decoded as `email.message.Message.get_payload(decode=True)` decodes it for both policies
    (quoted-printable with `quopri.decodestring`; base64 here strictly, with no character outside
    the alphabet), then as UTF-8 without replacement. Raises MessageMismatch.
    """
    try:
        if not encoded.isascii():
            raise _fail("the body is not 7-bit text")
        if encoding == "quoted-printable":
            raw = quopri.decodestring(encoded)
        elif encoding == "base64":
            raw = base64.b64decode(b"".join(encoded.splitlines()), validate=True)
        else:
            raise _fail(f"unknown transfer encoding {encoding}")
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeError) as exc:
        raise _fail(f"the body does not decode: {type(exc).__name__}") from None
    if text.replace("\r\n", "\n") != body:
        raise _fail("the body differs")


# The fast path's subset (`plain_field_lines`). "=" and "?" are left out of atext here, so that no
# value holds "=?", the start of an RFC 2047 encoded word, which CPython's policy.default looks
# for inside atoms, dot-atoms and quoted strings alike.
_PLAIN_ATEXT = r"[A-Za-z0-9!#$%&'*+/^_`{|}~-]"  # RFC 5322 section 3.2.3 atext, less "=" and "?"
_PHRASE = re.compile(rf"{_PLAIN_ATEXT}+(?: {_PLAIN_ATEXT}+)*")  # section 3.2.5 phrase of atoms
_DOT_ATOM = rf"{_PLAIN_ATEXT}+(?:\.{_PLAIN_ATEXT}+)*"  # section 3.2.3 dot-atom-text
_LDH_DOMAIN = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"  # RFC 1035 section 2.3.1 labels: ASCII LDH
_ADDR_SPEC = re.compile(rf"{_DOT_ATOM}@{_LDH_DOMAIN}")  # section 3.4.1 addr-spec, dot-atoms only
_MSG_ID = re.compile(rf"<[0-9]+(?:\.[0-9]+)*@{_LDH_DOMAIN}>")  # section 3.6.4 msg-id, make_msgid's
# Field names whose value both parsers read as an address list (policy.default: AddressHeader).
_ADDRESS_FIELDS = frozenset({"From", "To"})


def plain_field_lines(field: HeaderField) -> bytes | None:
    """The header line that writes `field`, when `field` is in a subset proved to read back as
    meant without parsing it; None otherwise (the caller then reads it back: `verify_field`).

    The subset, fields a batch makes anew for each letter:

    - From or To with a display name that is a phrase of atoms (RFC 5322 section 3.2.5: atext,
      section 3.2.3, less "=" and "?", words separated by one space) and an addr-spec that is
      a dot-atom (section 3.2.3) of that atext, "@", and an ASCII domain of letters, digits,
      hyphens and dots (RFC 1035 section 2.3.1): the name-addr `Name: phrase <addr-spec>`
      (section 3.4);
    - Message-ID with a msg-id (section 3.6.4) of digits and dots, "@" and such a domain, as
      `email.utils.make_msgid` writes it on the writer's domain;

    and only when `header_block` (the one writer) writes it as exactly that one line, within
    78 characters (no fold). Why that reads back as `verify_field` requires:

    - the line holds no CR, LF or other control character and starts with the field name and a
      colon, so the parsers (email.feedparser) read one field of that name and nothing after it
      (the empty line that follows ends the header section; the body is empty);
    - no character in it needs quoting or encoding: the value holds no "=?", so neither policy
      reads an RFC 2047 encoded word in it; no "\"", "\\", "(", "," or other special, so no quoted
      string, comment or second address; single spaces only, which both readers keep as one;
    - policy.default's AddressHeader and compat32's `getaddresses` then read the atoms of the
      phrase joined by single spaces (the display name as given) and the dot-atoms around "@"
      (the addr-spec as given); MessageIDHeader reads a msg-id of dot-atoms whole, and compat32
      keeps the raw value.

    tests/test_batch_equivalence.py checks, on any field (the header tests' hostile fragments
    included), that a field this accepts is one `verify_field` accepts, with the same bytes.
    """
    if field.kind == "mailbox":
        box = field.mailbox
        if (
            field.name not in _ADDRESS_FIELDS
            or box is None
            or not _PHRASE.fullmatch(box.display_name)
            or not _ADDR_SPEC.fullmatch(box.addr_spec)
        ):
            return None
        line = f"{field.name}: {box.display_name} <{box.addr_spec}>\r\n"
    elif field.kind == "raw" and field.name == "Message-ID" and _MSG_ID.fullmatch(field.value):
        line = f"{field.name}: {field.value}\r\n"
    else:
        return None
    if len(line) > MAX_LINE + 2:
        return None
    lines = header_block([field])
    return lines if lines == line.encode("ascii") else None


class VerifiedFields:
    """The read-back of a batch's messages, paid once per distinct header field.

    `header(fields)` returns the header section of `fields` (what `header_block` writes), each
    field having been read back on its own with both policies (`verify_field`) the first time it
    was seen; a field is the same only if its name, kind and every value are (the dataclass's
    equality), so a cached check is never reused for a different text. With `verify_body` on the
    body, this guarantees what `verify_text` does on the whole message, because the parsers
    (email.feedparser) read a header section line by line and each field on its own:

    - a line starting with a space or tab continues the field before it, a line "Name:" starts a
      field, an empty line ends the header section; nothing else decides where a field ends. A
      field that reads back alone as exactly one field, with nothing left for the body, is
      therefore read as that same field, with the same raw value, wherever it stands in a header
      section of such fields, which ends at the empty line after the last of them;
    - each field's value is then parsed by `policy.default` and `compat32` from its own raw
      value only, so the values read back are those checked alone;
    - the body after that empty line is what `get_payload(decode=True)` decodes, by the
      Content-Transfer-Encoding field, itself among the fields checked.

    Lines over 998 octets are refused per field, as `verify_headers` refuses them per message, and
    a field name that comes twice is refused outright (a reader takes the first; complainer never
    writes one twice).
    A field in the subset of `plain_field_lines` (a plain name and address, a made msg-id) is
    taken from there instead, and not kept. Memory is bounded: after `most` distinct fields the
    cache starts again.
    """

    def __init__(self, most: int = 4096) -> None:
        self._lines: dict[HeaderField, bytes] = {}
        self.most = most

    def header(self, fields: Sequence[HeaderField]) -> bytes:
        """The header section of `fields` (without the empty line after it); MessageMismatch if
        any field would not read back as meant, or a field name comes twice; ValueError as
        `header_block` raises it."""
        names = [f.name.lower() for f in fields]
        if len(set(names)) != len(names):
            raise _fail(
                f"header fields {', '.join(sorted({n for n in names if names.count(n) > 1}))} repeated"
            )
        parts = []
        for field in fields:
            lines = self._lines.get(field)
            if lines is None:
                # A field made anew for each letter (its From, its Message-ID) is not kept: it
                # would only push out the fields the letters share.
                plain = plain_field_lines(field)
                if plain is not None:
                    parts.append(plain)
                    continue
                lines = verify_field(field)
                if len(self._lines) >= self.most:
                    self._lines.clear()
                self._lines[field] = lines
            parts.append(lines)
        return b"".join(parts)
