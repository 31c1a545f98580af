"""Which characters may stand in text that reaches a header, a letter or a terminal.

One rule for every field (names, addresses, notes, campaign texts): refuse what could break a
header or a terminal, or disguise an address; accept everything people write with.
"""

from __future__ import annotations

import unicodedata

from complainer.errors import UsageProblem
from complainer.i18n import N_, _

# Bidi embeddings, overrides and isolates (Unicode UAX #9): they reorder the text around them, so a
# name or a note could make an address or a sentence read as something it is not ("Trojan Source",
# CVE-2021-42574). The marks LRM, RLM and ALM only set the direction of a neutral character and
# stay allowed, as do ZWJ (emoji sequences such as 🏳️‍🌈), ZWNJ (Persian) and the soft hyphen.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def describe_char(ch: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE', or 'U+000A (a control character)' for unnamed ones."""
    name = unicodedata.name(ch, "")
    if not name:
        kind = {"Cc": N_("a control character"), "Cs": N_("a lone surrogate: not UTF-8 text")}
        unnamed = N_("an unnamed character")
        name = "(" + _(kind.get(unicodedata.category(ch), unnamed)) + ")"
    return f"U+{ord(ch):04X} {name}"


def is_dangerous(ch: str) -> bool:
    """Whether the character `ch` could break a header or a terminal line, or disguise text.

    C0 and C1 controls and DEL (a line break forges a header, ESC drives a terminal), the line and
    paragraph separators U+2028 and U+2029, lone surrogates (bytes that were not UTF-8) and the
    bidi controls in BIDI_CONTROLS.
    """
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") or ch in BIDI_CONTROLS


def dangerous_char(text: str, allowed: str = "") -> tuple[int, str] | None:
    """(1-based position, character) of the first character that could break or disguise text.

    Refused: C0 and C1 controls and DEL (a line break forges a header, ESC drives a terminal),
    the line and paragraph separators U+2028 and U+2029, lone surrogates (bytes that were not UTF-8)
    and the bidi controls in BIDI_CONTROLS. Everything else, including the format characters that
    ordinary writing uses (ZWJ, ZWNJ, soft hyphen, LRM, RLM, emoji tags), is text. `allowed` lists
    characters to let through (line breaks and tabs in a note).
    """
    if is_plain(text, allowed):
        return None
    for i, ch in enumerate(text, 1):
        if ch in allowed:
            continue
        if is_dangerous(ch):
            return i, ch
    return None


def is_plain(text: str, allowed: str = "") -> bool:
    """True when `text` has no character `is_dangerous` refuses outside `allowed`, found by
    `str.isprintable` in one pass over the text (not a call per character): every refused
    character is one it calls unprintable (Unicode categories Cc, Zl, Zp and Cs; the bidi
    controls are Cf). False may still be a text with no refused character (a no-break space, a
    soft hyphen and other separators and format characters are unprintable too): `dangerous_char`
    then looks character by character."""
    for ch in allowed:
        if ch in text:
            text = text.replace(ch, "")
    return text.isprintable()


def refuse_dangerous(text: str, what: str, allowed: str = "") -> None:
    """Raise UsageProblem naming the character and where, if `text` has a dangerous one."""
    found = dangerous_char(text, allowed)
    if found is not None:
        pos, ch = found
        raise UsageProblem(
            _(
                "{what} contains {character} at character {position}, which could break or"
                " disguise the letter; remove it"
            ).format(what=what, character=describe_char(ch), position=pos)
        )
