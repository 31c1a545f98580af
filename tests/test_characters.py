"""The one rule for which characters text may hold (complainer.characters), and its fast path:
`is_plain` answers for a whole text with `str.isprintable`, so it must never call a text plain
that holds a character `is_dangerous` refuses, whatever the text and the allowed characters."""

from __future__ import annotations

import sys

from hypothesis import example, given
from hypothesis import strategies as st

from complainer.characters import BIDI_CONTROLS, dangerous_char, is_dangerous, is_plain


def walked(text: str, allowed: str) -> tuple[int, str] | None:
    """The first refused character found one character at a time (the rule as written)."""
    for i, ch in enumerate(text, 1):
        if ch not in allowed and is_dangerous(ch):
            return i, ch
    return None


# Every kind of character, refused ones and their neighbours made likely.
CHARACTERS = st.one_of(
    st.characters(codec=None),
    st.sampled_from(sorted(BIDI_CONTROLS)),
    st.sampled_from(["\n", "\r", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ud800"]),
    st.sampled_from(["\u00a0", "\u00ad", "\u200d", "\u200e", "\u061c", "\ue000", "\U000e0001"]),
)


@given(st.text(CHARACTERS, max_size=60), st.sampled_from(["", "\n\t", "\n\r\t", "\x1b"]))
@example("Anna\u202eSchmidt", "")
@example("line\nbreak", "\n\t")
@example("\u2028", "\n\t")
def test_the_fast_path_finds_what_the_walk_finds(text: str, allowed: str) -> None:
    assert dangerous_char(text, allowed) == walked(text, allowed)
    if is_plain(text, allowed):
        assert walked(text, allowed) is None


def test_every_refused_character_is_unprintable() -> None:
    """What `is_plain` rests on, checked over all of Unicode for this Python's database."""
    refused = [chr(c) for c in range(sys.maxunicode + 1) if is_dangerous(chr(c))]
    assert len(refused) > 60  # C0, DEL, C1, separators, surrogates, bidi controls
    assert [ch for ch in refused if ch.isprintable()] == []
