"""A personal note in another language or script than the letter is warned about, never refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import LETTER_DATE, Runner, stderr_of, stdout_of
from hypothesis import given
from hypothesis import strategies as st

from complainer import i18n
from complainer.campaigns.registry import open_registry
from complainer.letter import request
from complainer.letter.scripts import Mismatch, note_mismatch, writing

ENGLISH = "I teach history in Berlin and I care about my friends in Almaty."
RUSSIAN = "Я преподаю историю в Берлине, и мне небезразлична судьба моих друзей в Алматы."
KAZAKH = "Мен Берлинде тарихтан сабақ беремін, Алматыдағы достарымның тағдыры маған қымбат."
# The letters a campaign's texts are written in: long enough to say their writing.
LETTERS = {
    "en": "Dear Minister, I am writing to ask you to repeal the amendments of December 2025.",
    "ru": "Уважаемый министр! Прошу вас добиться отмены поправок от декабря 2025 года.",
    "kk": "Құрметті министр! Сізден 2025 жылғы желтоқсандағы түзетулердің күшін жоюды сұраймын.",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language(None)  # the next test in this worker reads the language from its env


@pytest.mark.parametrize(
    ("note", "letter", "expected"),
    [
        (ENGLISH, "ru", Mismatch("LATIN")),
        (ENGLISH, "kk", Mismatch("LATIN")),
        (RUSSIAN, "en", Mismatch("CYRILLIC")),
        (KAZAKH, "en", Mismatch("CYRILLIC", "kk")),
        (RUSSIAN, "kk", Mismatch("CYRILLIC", "ru")),
        (KAZAKH, "ru", Mismatch("CYRILLIC", "kk")),
        ("Ich unterrichte Geschichte in Berlin.", "ru", Mismatch("LATIN")),
        ("Διδάσκω ιστορία στο Βερολίνο.", "en", Mismatch("GREEK")),
        (ENGLISH, "en", None),
        (RUSSIAN, "ru", None),
        (KAZAKH, "kk", None),
        ("OK, Berlin.", "ru", None),  # too short to judge
        ("Алматы", "en", None),  # a place name is not a note in another language
        ("Я живу в Қарағанды и пишу вам по-русски, как и всё это письмо.", "ru", None),
        # Short notes: a Russian sentence in a Kazakh letter, a Kazakh one in a Russian letter.
        ("Прошу отменить этот закон.", "kk", Mismatch("CYRILLIC", "ru")),
        ("Прошу вас защитить их права.", "kk", Mismatch("CYRILLIC", "ru")),
        ("Бұл заңның күшін жойыңыз.", "ru", Mismatch("CYRILLIC", "kk")),
        ("Прошу отменить этот закон.", "ru", None),
        ("Бұл заңның күшін жойыңыз.", "kk", None),
        # A short Kazakh note without Kazakh-only letters and one borrowed word is not judged.
        ("Конституция бойынша", "kk", None),
        ("Мен де осы хатты жазамын.", "kk", None),
    ],
)
def test_the_note_writing_is_told_apart(note: str, letter: str, expected: Mismatch | None) -> None:
    assert note_mismatch(note, LETTERS[letter]) == expected


@given(st.text(), st.text())
def test_the_detector_never_fails_on_any_text(note: str, letter: str) -> None:
    found = writing(note)
    assert found is None or (found.letters > 0 and found.script)
    note_mismatch(note, letter)


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_the_detector_takes_lone_surrogates(text: str) -> None:
    # Command-line bytes that were not UTF-8 arrive as lone surrogates.
    note_mismatch(text + "\udcff", LETTERS["ru"])


@pytest.fixture(scope="module")
def campaign():  # type: ignore[no-untyped-def]
    return open_registry().load("kz-propaganda-law-2025")


def build(campaign, lang: str, note: str, translation: str | None = None):  # type: ignore[no-untyped-def]
    values = request.DraftValues(
        name="Anna Schmidt", country="DE", lang=lang, date=LETTER_DATE, note=note,
        with_translation=translation,
    )  # fmt: skip
    return request.build_letter(values, campaign)


def note_warnings(letter) -> list[str]:  # type: ignore[no-untyped-def]
    return [w for w in letter.warnings if "personal note" in w and "language" in w]


@pytest.mark.parametrize(
    ("lang", "note", "shown"),
    [("ru", ENGLISH, "Latin script"), ("en", RUSSIAN, "Cyrillic script"),
     ("kk", RUSSIAN, "note: Russian"), ("ru", KAZAKH, "note: Kazakh")],
)  # fmt: skip
def test_every_letter_with_a_note_in_other_writing_warns(
    campaign, lang: str, note: str, shown: str
) -> None:  # type: ignore[no-untyped-def]
    letter = build(campaign, lang, note)
    [warning] = note_warnings(letter)
    assert shown in warning and "--with-translation" in warning
    assert note in letter.body  # warned, not refused: the note is in the letter


@pytest.mark.parametrize(("lang", "note"), [("en", ENGLISH), ("ru", RUSSIAN), ("kk", KAZAKH)])
def test_a_note_in_the_letters_language_is_not_warned_about(campaign, lang: str, note: str) -> None:  # type: ignore[no-untyped-def]
    assert note_warnings(build(campaign, lang, note)) == []


def test_a_translation_into_the_notes_language_answers_the_warning(campaign) -> None:  # type: ignore[no-untyped-def]
    assert note_warnings(build(campaign, "kk", RUSSIAN, translation="ru")) == []
    assert len(note_warnings(build(campaign, "kk", RUSSIAN, translation="en"))) == 1


def test_draft_warns_in_the_interface_language(run: Runner) -> None:
    args = ["draft", "--name", "Anna Schmidt", "--country", "DE", "--lang", "ru", "--note",
            ENGLISH, "--date", LETTER_DATE, "--no-input"]  # fmt: skip
    result = run(*args, env={"LANGUAGE": "ru"})
    assert result.returncode == 0, stderr_of(result)
    assert ENGLISH in stdout_of(result)
    err = stderr_of(result)
    assert "личная приписка написана не на языке письма" in err and "латиница" in err
    assert "--with-translation" in err


@pytest.mark.parametrize(("lang", "note", "code"), [("kk", RUSSIAN, "ru"), ("en", RUSSIAN, "LANG")])
def test_the_warning_names_the_callers_way_to_add_a_translation(
    campaign, lang: str, note: str, code: str
) -> None:  # type: ignore[no-untyped-def]
    values = request.DraftValues(
        name="Anna Schmidt", country="DE", lang=lang, date=LETTER_DATE, note=note
    )
    letter = request.build_letter(values, campaign, translation_hint=lambda c: f"<menu {c}>")
    [warning] = note_warnings(letter)
    assert f"(<menu {code}>)" in warning and "--with-translation" not in warning


@pytest.mark.parametrize(
    ("text", "script"),
    [("English", "LATIN"), ("русский", "CYRILLIC"), ("қазақ тілі", "CYRILLIC"), ("12 ...", None)],
)
def test_a_short_names_script_is_its_first_letters(text: str, script: str | None) -> None:
    from complainer.letter.scripts import first_script

    assert first_script(text) == script
