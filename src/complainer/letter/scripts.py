"""Which writing a text is in, enough to notice a personal note in another language than its letter.

A note in Latin script in a Russian letter, in Cyrillic in an English one, or in Russian in a
Kazakh one is read by nobody at the other end. Telling the script needs no language model: the
Unicode name of each letter starts with its script (LATIN, CYRILLIC, GREEK, ARABIC, CJK, ...).
Kazakh and Russian share the Cyrillic script; nine letters of the Kazakh Cyrillic alphabet are not
in the Russian one (ә ғ қ ң ө ұ ү һ і), and a Kazakh text of a sentence or more has some of them,
a Russian one none. A short Russian note has too few letters for that absence to say much, so
it is judged by what Kazakh rarely has instead: э, ъ, ё and щ, ц, ь occur in Kazakh only in words
borrowed from Russian, and Russian function words (и, в, что, это, прошу ...) are not Kazakh
words; two such marks in a text without any Kazakh-only letter make it Russian. (ы is common to
both languages and says nothing.) A statistical language identifier (langdetect, fastText) would also name
Latin-script languages, but it is a large dependency for a warning that only has to say "not
the letter's writing", and it guesses on the short texts notes are.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import NamedTuple

KAZAKH_ONLY = frozenset("әғқңөұүһі")
# Below these, a text says too little to judge: a few words may be a name or a quotation.
MIN_LETTERS = 12
# A Cyrillic text this long without any Kazakh-only letter is not Kazakh.
MIN_LETTERS_NOT_KAZAKH = 40
# Share of Kazakh-only letters from which a Cyrillic text is taken for Kazakh (they are about
# one letter in six in the Kazakh texts of the built-in campaigns; a Russian text that names a
# place in Kazakh has a few).
KAZAKH_SHARE = 0.06
# Letters Kazakh has only in words taken from Russian; each one in a text is a mark of Russian.
RARE_IN_KAZAKH = frozenset("эъёщць")
# Russian words that are not Kazakh words; each occurrence is a mark of Russian.
# (Not у, о, он, от, же: they are Kazakh words too.)
RUSSIAN_WORDS = frozenset(
    {"и", "в", "во", "что", "это", "этот", "эта", "эти", "прошу", "просим", "как", "для"}
    | {"мы", "вы", "они", "она", "по", "но", "или", "бы", "из", "к", "ко", "с", "со", "об"}
    | {"при", "без", "чтобы", "который", "которые", "также", "только", "уже"}
)
# Marks of Russian from which a shorter Cyrillic text without Kazakh-only letters is not Kazakh.
MIN_RUSSIAN_MARKS = 2


class Writing(NamedTuple):
    """The script most of a text's letters are in ("LATIN", "CYRILLIC", ...), and for a Cyrillic
    text whether it is Kazakh (holds Kazakh-only letters) or is not (holds none, and is long
    enough or has marks of Russian)."""

    script: str
    letters: int
    kazakh: bool
    not_kazakh: bool


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else None


def first_script(text: str) -> str | None:
    """The script of the first letter of `text` ("LATIN", "CYRILLIC", ...), or None without
    one: for a word too short for `writing`, such as a language's own name."""
    return next((script for ch in text if (script := _script(ch)) is not None), None)


def writing(text: str) -> Writing | None:
    """The writing of `text`, or None when it has fewer than MIN_LETTERS letters or no script
    holds more than half of them (a mixed text is not judged)."""
    scripts: Counter[str] = Counter()
    kazakh = 0
    for ch in text:
        script = _script(ch)
        if script is None:
            continue
        scripts[script] += 1
        if ch.casefold() in KAZAKH_ONLY:
            kazakh += 1
    letters = sum(scripts.values())
    if letters < MIN_LETTERS:
        return None
    script, count = scripts.most_common(1)[0]
    if count * 2 <= letters:
        return None
    cyrillic = script == "CYRILLIC"
    return Writing(
        script=script,
        letters=count,
        kazakh=cyrillic and kazakh >= 2 and kazakh >= KAZAKH_SHARE * count,
        not_kazakh=cyrillic
        and kazakh == 0
        and (count >= MIN_LETTERS_NOT_KAZAKH or _russian_marks(text) >= MIN_RUSSIAN_MARKS),
    )


def _russian_marks(text: str) -> int:
    """How many letters and words of `text` Kazakh has only as borrowings from Russian."""
    folded = text.casefold()
    letters = sum(1 for ch in folded if ch in RARE_IN_KAZAKH)
    words = "".join(ch if ch.isalpha() else " " for ch in folded).split()
    return letters + sum(1 for word in words if word in RUSSIAN_WORDS)


class Mismatch(NamedTuple):
    """How a note's writing differs from its letter's: a language (`language`, "ru" or "kk")
    where that can be told, else the note's script (`script`, a Unicode script name)."""

    script: str
    language: str | None = None


def note_mismatch(note: str, letter_text: str) -> Mismatch | None:
    """How `note` is written differently from `letter_text` (the letter without the note), or
    None when they agree or either says too little to judge."""
    mine = writing(note)
    if mine is None:  # no note, or too short: the letter is not even read (batches of thousands)
        return None
    theirs = writing(letter_text)
    if theirs is None:
        return None
    if mine.script != theirs.script:
        return Mismatch(mine.script, "kk" if mine.kazakh else None)
    if mine.script != "CYRILLIC":
        return None
    if theirs.kazakh and mine.not_kazakh:
        return Mismatch(mine.script, "ru")
    if theirs.not_kazakh and mine.kazakh:
        return Mismatch(mine.script, "kk")
    return None
