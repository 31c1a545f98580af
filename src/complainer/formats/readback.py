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

A single letter whose every header field is in such a proved subset (`proved_header`: plain
names and addresses, a plain ASCII subject, the Date, complainer's own constants) is checked the
same cheaper way, without importing the parsers at all; any other message (a name or subject in
another script, a quoted or encoded word, a folded line, an attachment) is read back whole.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Sequence
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from complainer.errors import ComplainerError
from complainer.formats.headers import (
    HARD_LINE_LIMIT,
    MAX_LINE,
    HeaderField,
    header_block,
    phrase_chunks,
)

if TYPE_CHECKING:  # the parsers themselves are imported only where a message is parsed
    from email import policy
    from email.message import Message

_UNFOLD = re.compile(r"\r?\n(?=[ \t])")


class MessageMismatch(ComplainerError):
    """The message would not read back as complainer meant it: exit 1, nothing written or sent."""


def _unfold(value: str) -> str:
    return _UNFOLD.sub("", value)


def _decoded(raw: str) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(_unfold(raw))))


def _fail(what: str) -> MessageMismatch:
    return MessageMismatch(
        f"the email message would not read back as written ({what}); nothing was written or sent."
        " This is a fault in complainer: please report it"
    )


def parse(data: bytes, which: policy.Policy | policy.Compat32) -> Message:
    """`data` parsed with `which`; RFC 6532 header bytes are read as UTF-8, as that RFC says."""
    import email

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
    from email.utils import getaddresses

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
    from email import policy

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


def _plain_name_addr(field: HeaderField) -> str | None:
    """`Name: display-name <addr-spec>` (no CRLF) for a From or To mailbox whose display name is
    a phrase of atoms and whose addr-spec is a dot-atom on an ASCII LDH domain (the subset
    `plain_field_lines` describes); None for any other mailbox field."""
    box = field.mailbox
    if (
        field.name not in _ADDRESS_FIELDS
        or box is None
        or not _PHRASE.fullmatch(box.display_name)
        or not _ADDR_SPEC.fullmatch(box.addr_spec)
    ):
        return None
    return f"{field.name}: {box.display_name} <{box.addr_spec}>"


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
        name_addr = _plain_name_addr(field)
        if name_addr is None:
            return None
        line = f"{name_addr}\r\n"
    elif (
        field.kind == "raw"
        and field.mailbox is None  # with one, the read-back would check it as an address
        and field.name == "Message-ID"
        and _MSG_ID.fullmatch(field.value)
    ):
        line = f"{field.name}: {field.value}\r\n"
    else:
        return None
    if len(line) > MAX_LINE + 2:
        return None
    lines = header_block([field])
    return lines if lines == line.encode("ascii") else None


# Fields that both policies read as unstructured text (RFC 5322 section 3.6.5; policy.default's
# UnstructuredHeader, for Subject and for any name outside its registry), as a draft writes them.
_UNSTRUCTURED_FIELDS = frozenset({"Subject", "Content-Language", "X-Unsent"})
# RFC 5322 section 2.2 unstructured field body, restricted: VCHAR words (section 3.2.5) with
# single spaces between them, so no CR, LF, other control character or leading/trailing space.
_PLAIN_WORDS = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
# RFC 5322 section 3.3 date-time in exactly the form email.utils.format_datetime writes.
_FORMATTED_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"[0-2][0-9]:[0-5][0-9]:[0-6][0-9] [+-][0-9]{4}"
)
CONSTANT_FIELDS = frozenset(
    {
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
        ("Content-Transfer-Encoding", "base64"),
    }
)
"""The (name, value) of each structured field complainer writes as a constant of its own code
(formats.eml) on a single-part message: code, not input, so `proved_field_lines` takes them as
they are, and tests/test_readback_fast_path.py reads every one back in full (`verify_field`,
both policies: RFC 2045 section 4 version, section 5.1 content, section 6.1 mechanism) and
checks it gives the same bytes."""


def _unfolded_form(field: HeaderField) -> str | None:
    """`Name: value` (no CRLF) when `field`'s value is in the proved subset; else None."""
    value = field.value
    if field.kind == "mailbox":
        return _plain_name_addr(field)
    if field.mailbox is not None:  # the read-back would check it as an address: not text
        return None
    if field.name in _UNSTRUCTURED_FIELDS:
        if not _PLAIN_WORDS.fullmatch(value) or "=?" in value:
            return None
    elif field.kind != "raw":
        return None
    elif field.name == "Message-ID":
        if not _MSG_ID.fullmatch(value):
            return None
    elif field.name == "Date":
        if not _FORMATTED_DATE.fullmatch(value):
            return None
        try:
            if format_datetime(parsedate_to_datetime(value)) != value:
                return None
        except (ValueError, TypeError, OverflowError, IndexError):
            return None
    elif (field.name, value) not in CONSTANT_FIELDS:
        return None
    return f"{field.name}: {value}"


def proved_field_lines(field: HeaderField) -> bytes | None:
    """The header lines (CRLF-ended) that write `field`, when `field` is in a subset proved to
    read back as meant without parsing it; None otherwise (the caller reads it back in full).

    The subset, for a single letter (a superset of `plain_field_lines`'s, which a batch uses):

    - From or To as `plain_field_lines` takes it (a phrase of atoms without "=" and "?", a
      dot-atom addr-spec on an ASCII LDH domain), and Message-ID in make_msgid's form;
    - an unstructured field (Subject, Content-Language, X-Unsent: RFC 5322 section 3.6.5; the
      last two are fields policy.default has no structured class for, so it reads them as
      unstructured too) whose value is printable ASCII words with single spaces (section 2.2:
      no CR, LF or other control character) and no "=?";
    - Date, in the form `email.utils.format_datetime` writes (RFC 5322 section 3.3), when
      `format_datetime(parsedate_to_datetime(value))` gives the value back;
    - a field of `CONSTANT_FIELDS`, complainer's own constants, each read back in full by a test;

    and only when `header_block` writes it as `Name: value` on one line or folded (RFC 5322
    section 2.2.3) only at the spaces between words: every physical line within 998 octets
    (section 2.1.1, the limit `verify_headers` holds lines to; the writer folds at 78 where it
    can), every continuation line one space and then a word, and removing each CRLF before a
    space gives `Name: value` back. Why that reads back as `verify_field` requires:

    - no line holds a CR, LF or control character, the first starts with the field name and a
      colon, each other with one space before a word: the parsers (email.feedparser) read one
      field of that name, continued by the other lines, and nothing after it. Both policies
      unfold it (policy.default drops the CRLFs, compat32's check removes each CRLF before a
      space) to `value`, as RFC 5322 section 2.2.3 says; single spaces stay single;
    - RFC 2047 section 5 lets an encoded word stand only where it starts with "=?", and both
      readers look for one only there (policy.default's get_unstructured and address parser,
      compat32's decode_header), so without "=?" nothing is decoded: policy.default's
      UnstructuredHeader gives the value as written, compat32 the raw value;
    - a name-addr of atoms and dot-atoms reads back as `plain_field_lines` says (the phrase's
      atoms joined by single spaces, the addr-spec whole); a folded one unfolds to that line;
    - policy.default's DateHeader gives `format_datetime(parsedate_to_datetime(value))`, which
      is computed here in the same way; compat32 gives the raw value.

    tests/test_readback_fast_path.py checks with Hypothesis, on fields near the subset (the
    header tests' hostile fragments included), that what this accepts the full read-back
    (`verify_field`) accepts as the same bytes, and that an independent parse gives the value.
    """
    unfolded = _unfolded_form(field)
    if unfolded is None:
        return None
    try:
        lines = header_block([field])
    except ValueError:
        return None  # over 998 octets: the full read-back says so
    physical = lines.split(b"\r\n")
    if physical[-1] != b"" or any(len(line) > HARD_LINE_LIMIT for line in physical):
        return None
    if any(line[:1] != b" " or line[1:2] in (b"", b" ") for line in physical[1:-1]):
        return None
    if lines.replace(b"\r\n ", b" ") != f"{unfolded}\r\n".encode("ascii"):
        return None
    return lines


def proved_header(fields: Sequence[HeaderField]) -> bytes | None:
    """The header section of `fields` (what `header_block` writes, without the empty line after
    it) when every field is on a proved fast path (`proved_field_lines`) and no field name comes
    twice; None otherwise, and the caller then reads the whole message back (`verify_text`).

    With `verify_body` on the body, this guarantees what `verify_text` does on the whole message,
    for the reasons `VerifiedFields` gives: each field reads back alone as meant and a header
    section is read field by field.
    """
    names = {f.name.lower() for f in fields}
    if len(names) != len(fields):
        return None
    parts = []
    for field in fields:
        lines = proved_field_lines(field)
        if lines is None:
            return None
        parts.append(lines)
    return b"".join(parts)


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
