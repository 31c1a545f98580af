"""RFC 5322 header fields from validated, structured values: the one place complainer writes a header.

Every header of every message (drafts, `--open` fallbacks, sent messages and their saved copies)
is written here, from values that were validated before (letter.writer, campaigns.model), and read
back by `formats.readback` before anything is written or sent.

The encoder never lets text be read as something it is not:

- Text that is printable ASCII, has no "=?" and only single spaces is written as it is (atoms or a
  quoted string in a display name, words in an unstructured field). Anything else is written as
  RFC 2047 encoded words built here, so no input can be read as an encoded word of its own: "=" and
  "?" inside an encoded word are themselves encoded (RFC 2047 section 4.2), and B encoding has
  neither.
- Encoded words are at most 75 characters (RFC 2047 section 2) and hold whole characters; a word of
  the text is split across two only when it does not fit into one on its own. The space between two
  words is carried inside the first encoded word, because RFC 2047 (section 6.2) tells readers to
  drop the white space between adjacent encoded words.
- Lines are folded at 78 characters, counting the field name (RFC 5322 section 2.1.1); a line that
  cannot be folded (a long address) is still never over 998.
- An address keeps its ASCII form (an IDNA A-label domain) whenever its local part is ASCII; only a
  non-ASCII local part makes the message an RFC 6532 (SMTPUTF8) one, written as raw UTF-8.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from typing import Literal, NamedTuple

MAX_LINE = 78  # RFC 5322 section 2.1.1: SHOULD
HARD_LINE_LIMIT = 998  # RFC 5322 section 2.1.1: MUST
MAX_ENCODED_WORD = 75  # RFC 2047 section 2
_EW_OVERHEAD = len("=?utf-8?b??=")

# RFC 5322 section 3.2.3 atext.
_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
# Characters RFC 2047 section 5 (3) lets a "Q"-encoded word in a phrase carry as they are; the
# same set is safe in an unstructured field.
_Q_LITERAL = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")

Kind = Literal["unstructured", "mailbox", "raw"]


class Mailbox(NamedTuple):
    """One RFC 5322 mailbox: a display name (may be empty) and an addr-spec `local@domain`.

    Build it with `mailbox()`, which puts the domain in the form to write.
    """

    display_name: str
    addr_spec: str

    @property
    def needs_smtputf8(self) -> bool:
        return not self.addr_spec.isascii()


def ascii_domain_form(addr_spec: str) -> str:
    """`addr_spec` with its domain as an IDNA A-label when the local part is ASCII.

    `a@münchen.de` -> `a@xn--mnchen-3ya.de`; `anna@xn--mnchen-3ya.de` stays as it is; `ä@b.de` keeps a
    Unicode domain (the message is RFC 6532 anyway). Raises ValueError for a domain IDNA refuses (the
    address was validated before, so that does not happen for complainer's own values).
    """
    local, _, domain = addr_spec.rpartition("@")
    if not local.isascii() or domain.isascii():
        return addr_spec
    import idna  # email-validator's own IDNA 2008 library; loaded only for a non-ASCII domain

    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError as exc:
        raise ValueError(f"the domain of {addr_spec} has no ASCII form: {exc}") from None


def mailbox(display_name: str, addr_spec: str) -> Mailbox:
    """A Mailbox whose domain is in the form to write (see `ascii_domain_form`)."""
    return Mailbox(display_name, ascii_domain_form(addr_spec))


class HeaderField(NamedTuple):
    """A header field as meant: `value` is the text a reader should get back, unfolded and decoded.

    `kind` says how it is written: "unstructured" (Subject), "mailbox" (From, To; `mailbox` set) or
    "raw" (a value complainer made itself, already in its RFC 5322 form: Date, Message-ID, MIME
    fields). A raw value must be printable ASCII.
    """

    name: str
    value: str
    kind: Kind = "raw"
    mailbox: Mailbox | None = None


def unstructured(name: str, text: str) -> HeaderField:
    return HeaderField(name, text, "unstructured")


def address(name: str, box: Mailbox) -> HeaderField:
    return HeaderField(name, box.addr_spec, "mailbox", box)


def raw(name: str, value: str) -> HeaderField:
    if not _PRINTABLE_ASCII.fullmatch(value):
        raise ValueError(f"{name}: a raw header value must be printable ASCII, got {value!r}")
    return HeaderField(name, value, "raw")


def _plain_words(text: str) -> bool:
    """Text a reader gets back exactly as written, without encoding."""
    return bool(_PRINTABLE_ASCII.fullmatch(text)) and "=?" not in text


def _q(data: bytes) -> str:
    return "".join(chr(b) if b in _Q_LITERAL else "_" if b == 0x20 else f"={b:02X}" for b in data)


def encoded_word(text: str) -> str:
    """`text` as one RFC 2047 encoded word in UTF-8, Q or B, whichever is shorter."""
    data = text.encode("utf-8")
    q = _q(data)
    b = base64.b64encode(data).decode("ascii")
    return f"=?utf-8?q?{q}?=" if len(q) <= len(b) else f"=?utf-8?b?{b}?="


def _fits(text: str, budget: int) -> bool:
    return len(encoded_word(text)) <= budget


def _split_word(word: str, budget: int, first_budget: int) -> list[str]:
    """A word too long for one encoded word, cut into pieces that each fit (whole characters)."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        limit = first_budget if not pieces else budget
        if current and not _fits(current + ch, limit):
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def encoded_chunks(text: str, first_budget: int = MAX_ENCODED_WORD) -> list[str]:
    """`text` cut into the pieces that become one encoded word each.

    Cuts fall between words (after the white space that follows a word), so the space is inside
    the earlier encoded word; a single word longer than one encoded word is cut between characters.
    The first piece's encoded word fits in `first_budget` characters, the others in 75.
    """
    chunks: list[str] = []
    current = ""
    for unit in re.findall(r"\s*\S+\s*|\s+", text):
        budget = first_budget if not chunks else MAX_ENCODED_WORD
        if _fits(current + unit, budget):
            current += unit
            continue
        if current:
            chunks.append(current)
            current = ""
            budget = MAX_ENCODED_WORD
        if _fits(unit, budget):
            current = unit
        else:
            pieces = _split_word(unit, MAX_ENCODED_WORD, budget)
            chunks.extend(pieces[:-1])
            current = pieces[-1]
    if current:
        chunks.append(current)
    return chunks


def _first_budget(name: str) -> int:
    return min(MAX_ENCODED_WORD, MAX_LINE - len(name) - 2)


def _text_tokens(name: str, text: str, phrase: bool) -> list[str]:
    """The tokens (joined by folding white space) that carry `text` in field `name`."""
    if not text:
        return []
    words = text.split(" ")
    longest = MAX_LINE - len(name) - 3
    if _plain_words(text) and all(len(w) <= longest for w in words):
        if not phrase or all(_ATEXT.fullmatch(w) for w in words):
            return words
        if '"' not in text and "\\" not in text and len(text) + 2 <= longest:
            return [f'"{text}"']  # one token: RFC 5322 quoted-string, never folded inside
    return [encoded_word(c) for c in encoded_chunks(text, _first_budget(name))]


def field_tokens(field: HeaderField) -> list[str]:
    if field.kind == "raw":
        return field.value.split(" ")
    if field.kind == "unstructured":
        return _text_tokens(field.name, field.value, phrase=False)
    assert field.mailbox is not None
    box = field.mailbox
    if not box.display_name:
        return [box.addr_spec]
    return [*_text_tokens(field.name, box.display_name, phrase=True), f"<{box.addr_spec}>"]


def fold(name: str, tokens: Sequence[str]) -> list[str]:
    """The physical lines of field `name` (without CRLF): tokens joined by spaces, folded at 78.

    A fold replaces a joining space by CRLF + space, which unfolding (RFC 5322 section 2.2.3) turns
    back into the same space. Raises ValueError if a line would exceed 998 characters.
    """
    if tokens:
        # Most fields fit on one line: then the loop below never folds (no partial line is
        # longer than the whole), and 78 characters are at most 312 octets, well within 998.
        line = f"{name}: {' '.join(tokens)}"
        if len(line) <= MAX_LINE:
            return [line]
    lines = [f"{name}:"]
    for token in tokens:
        if len(lines[-1]) + 1 + len(token) > MAX_LINE and lines[-1] != f"{name}:":
            lines.append(" " + token)
        else:
            lines[-1] += " " + token
    for line in lines:
        if len(line.encode("utf-8")) > HARD_LINE_LIMIT:
            raise ValueError(f"{name}: a header line would be longer than {HARD_LINE_LIMIT} octets")
    return lines


def encode_field(field: HeaderField) -> list[str]:
    """The physical lines that write `field` (see `fold`)."""
    return fold(field.name, field_tokens(field))


def needs_smtputf8(fields: Sequence[HeaderField]) -> bool:
    """True when an address has a non-ASCII local part: the message is RFC 6532 and needs SMTPUTF8."""
    return any(f.mailbox is not None and f.mailbox.needs_smtputf8 for f in fields)


def header_block(fields: Sequence[HeaderField]) -> bytes:
    """The header section: every field's lines, each ended by CRLF (UTF-8 only for an RFC 6532 address).

    Does not add the empty line that separates the header from the body.
    """
    lines = [line for f in fields for line in encode_field(f)]
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


def phrase_chunks(field: HeaderField) -> list[str]:
    """The decoded texts of the encoded words in `field`'s display name ([] when it has none).

    formats.readback uses it to predict how a reader that does not drop the space between encoded
    words in a phrase (CPython's policy.default, CPython issue 128110) reads the name.
    """
    if field.mailbox is None or not field.mailbox.display_name:
        return []
    name = field.mailbox.display_name
    tokens = _text_tokens(field.name, name, phrase=True)
    if not tokens or not tokens[0].startswith("=?utf-8?"):
        return []
    return encoded_chunks(name, _first_budget(field.name))
