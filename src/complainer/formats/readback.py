"""Read a message complainer built back with Python's email parsers; refuse it if it says anything else.

Nothing is written or sent before `verify` has parsed the bytes with both `email.policy.default` and
`email.policy.compat32` and found exactly the header fields meant, each once, with exactly the
values meant, and the body meant. A difference means the header builder has a fault that hostile
input could use, so the message is refused (exit 1) rather than delivered.
"""

from __future__ import annotations

import email
import re
from collections.abc import Sequence
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from typing import Any

from complainer.errors import ComplainerError
from complainer.formats.headers import HARD_LINE_LIMIT, HeaderField, phrase_chunks

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
