"""Messages whose grammar depends on a value: counts go through ngettext (Russian has three plural
forms, and the form after "длиннее"/"больше" is the genitive), and no article stands before a
word that is filled in (\"a eml file\")."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from complainer import i18n

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "complainer"
POT = SRC / "locale" / "complainer.pot"
# A number placeholder followed by a counted noun: the number decides the noun's form.
COUNTED = re.compile(
    r"\{(n|count|limit|length|total|pending|done|left|size|seconds|minutes|days)\} "
    r"(characters?|lines?|days?|hours?|minutes?|seconds?|letters?|signers?|rows?|files?|bytes?"
    r"|words?|times?|arguments?|recommendations?|campaigns?|sources?|points?)\b"
)
# "a {format} file" (a eml file); "a {% block %}" in a message about templates is literal.
ARTICLE_BEFORE_VALUE = re.compile(r"\b[Aa]n? \{(?!%)")


def messages() -> list[tuple[str, ...]]:
    with open(POT, "rb") as fh:
        return [m.id if isinstance(m.id, tuple) else (m.id,) for m in read_po(fh) if m.id]


def test_every_count_in_a_message_goes_through_ngettext() -> None:
    singular_only = [ids[0] for ids in messages() if len(ids) == 1 and COUNTED.search(ids[0])]
    assert singular_only == []


def test_no_article_stands_before_a_filled_in_word() -> None:
    assert [ids for ids in messages() if any(ARTICLE_BEFORE_VALUE.search(i) for i in ids)] == []
    # Messages outside the catalogs too (f-strings for campaign authors, error details).
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if ARTICLE_BEFORE_VALUE.search(node.value):
                    found.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.JoinedStr):
                for part, after in zip(node.values, node.values[1:], strict=False):
                    if (
                        isinstance(part, ast.Constant)
                        and isinstance(after, ast.FormattedValue)
                        and re.search(r"\b[Aa]n? $", str(part.value))
                    ):
                        found.append(f"{path.name}:{node.lineno}")
    assert found == []


def russian() -> gettext.GNUTranslations:
    with open(SRC / "locale" / "ru" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo", "rb") as fh:
        return gettext.GNUTranslations(fh)


def test_every_russian_plural_has_its_three_forms() -> None:
    """One, few, many (1, 2, 5): some may read alike ("{n} в почтовом ящике"), none is missing."""
    with open(SRC / "locale" / "ru" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", "rb") as fh:
        catalog = read_po(fh, locale="ru")
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == 3 and all(message.string), message.id


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "знак"), (2, "знака"), (4, "знака"), (5, "знаков"), (11, "знаков"), (21, "знак"),
     (22, "знака"), (5244, "знака"), (5245, "знаков"), (5211, "знаков")],
)  # fmt: skip
def test_the_long_letter_warning_counts_in_russian(n: int, word: str) -> None:
    singular = (
        "the letter runs to {length} character, more than one printed page (about {page}); "
        "fewer arguments or a shorter note keep it to one"
    )
    plural = singular.replace("{length} character,", "{length} characters,")
    text = russian().ngettext(singular, plural, n).format(length=n, page=3000)
    assert f"занимает {n} {word} " in text


@pytest.mark.parametrize(("n", "word"), [(1, "знака"), (2, "знаков"), (120, "знаков")])
def test_a_limit_after_a_comparative_takes_the_genitive(n: int, word: str) -> None:
    text = russian().ngettext(
        "{what} is longer than {limit} character", "{what} is longer than {limit} characters", n
    )
    assert text.format(what="город", limit=n) == f"город длиннее {n} {word}"


def test_no_message_counts_with_s_in_parentheses() -> None:
    """ "2 letter(s)" is how a program that skipped ngettext counts; English-only messages (check's)
    say "1 problem" and "3 problems" too."""
    found = []
    for path in SRC.rglob("*.py"):
        name = str(path.relative_to(SRC))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and re.search(r"[a-z]\(s\)", text):
                found.append(f"{name}:{node.lineno}")
    assert found == []
