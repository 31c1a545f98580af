"""A refused answer in the wizard reads as sentences in every interface language, and a name must
look like a name (the rule of letter.writer.clean_name, shared by the wizard and --name)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Runner, stderr_of

from complainer import i18n
from complainer.campaigns.registry import open_registry
from complainer.errors import UsageProblem
from complainer.letter.writer import clean_name
from complainer.terminal import questions
from complainer.terminal.prompts import sentence


@pytest.fixture(autouse=True)
def reset_language() -> Iterator[None]:
    yield
    i18n.set_language(None)


def typing(monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
    left = list(answers)

    def fake_input(prompt: str = "") -> str:
        if not left:
            raise EOFError
        return left.pop(0)

    monkeypatch.setattr(builtins, "input", fake_input)


def _language() -> str:
    campaign = open_registry().load("kz-propaganda-law-2025")
    return questions.language(campaign, ("ru", "kk"), "ru")


# Each: a question, the bad answer typed first, then a good one that ends the question.
BAD_ANSWERS: list[tuple[str, Callable[[], object], str, str]] = [
    ("no domain", questions.email, "anna@example", "anna@example.org"),
    ("no @", questions.email, "anna.example.org", "anna@example.org"),
    ("unknown language", _language, "5", "ru"),
    ("one-letter name", questions.name, "b", "Anna Schmidt"),
]


HINTS = ("Type it again, or press Enter to leave it out.", "Enter: {default}; q: quit.")


@pytest.mark.parametrize("ui", ["en", "ru", "kk"])
@pytest.mark.parametrize(
    ("kind", "ask", "bad", "good"), BAD_ANSWERS, ids=[b[0] for b in BAD_ANSWERS]
)
def test_a_refusal_and_its_hint_read_as_sentences(
    ui: str,
    kind: str,
    ask: Callable[[], object],
    bad: str,
    good: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    i18n.set_language(ui)
    typing(monkeypatch, bad, good)
    said: list[str] = []
    monkeypatch.setattr(questions, "say", lambda message="", style="": said.append(str(message)))
    ask()
    # The refusal is the message that quotes the typed answer, or the one said after the first ask.
    problem = [m for m in said if bad in m] or said[-1:]
    assert problem, said
    line = problem[-1]
    # A sentence may open with the quoted answer («5» тілі белгісіз); a letter opening it is a capital.
    assert line[0].isupper() or not line[0].isalpha(), line
    assert line.endswith("."), line
    # Where a hint follows the problem, a full stop ends the problem first: "... domain. Type ...".
    for hint in HINTS:
        translated = i18n._(hint).split("{")[0]
        if translated in line and not line.startswith(translated):
            assert ". " + translated in line, line


@pytest.mark.parametrize("problem", ["email address is bad", "Already a sentence.", "x"])
def test_sentence_capitalises_and_ends_with_a_stop(problem: str) -> None:
    text = sentence(problem, "Type it again.")
    assert text[0].isupper() and ". Type it again." in text


@pytest.mark.parametrize("typed", ["b", "q", "B", "й", " x ", "back", "Назад", "артқа", "menu"])
def test_a_key_or_menu_word_is_not_a_name(typed: str) -> None:
    i18n.set_language("en")
    with pytest.raises(UsageProblem, match="does not look like a name"):
        clean_name(typed)


@pytest.mark.parametrize("typed", ["Li", "Ng Wei", "Анна Шмидт", "O'Brien"])
def test_short_real_names_pass(typed: str) -> None:
    assert clean_name(typed) == typed


def test_draft_refuses_a_one_letter_name(run: Runner) -> None:
    result = run(
        "draft",
        "--campaign",
        "kz-petition-2024",
        "--name",
        "b",
        "--country",
        "DE",
        "--no-input",
        "--lang",
        "en",
        "--ui-lang",
        "en",
    )
    assert result.returncode == 2
    err = stderr_of(result)
    assert "does not look like a name" in err and "Traceback" not in err


def test_wizard_warnings_wrap_like_other_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from complainer.terminal import console

    out = io.StringIO()
    monkeypatch.setitem(console.__dict__, "err", Console(file=out, width=60, highlight=False))
    long = "a formal appeal needs a postal address and a handwritten signature " * 4
    console.warn_wrapped(long)
    lines = out.getvalue().splitlines()
    assert len(lines) > 1 and all(len(line) <= 60 for line in lines), lines
    assert " ".join(lines).split() == ["Warning:", *long.split()]
    # The wizard's preview and saves say warnings through it, never as one unwrapped line.
    source = (Path(questions.__file__).parent.parent / "flows" / "wizard.py").read_text()
    assert "console.warn(" not in source


@pytest.mark.parametrize("typed", ["9", "1", " 3 "])
def test_the_save_prompt_refuses_a_bare_number(
    typed: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from complainer.flows import wizard

    i18n.set_language("en")
    monkeypatch.chdir(tmp_path)
    typing(monkeypatch, typed, "b")
    assert wizard._ask_path("letter.eml", force=False) is None
    assert "is a choice of the menu, not a file name" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ui", ["en", "ru", "kk"])
def test_an_empty_country_says_what_is_needed(ui: str, monkeypatch: pytest.MonkeyPatch) -> None:
    i18n.set_language(ui)
    typing(monkeypatch, "", "DE")
    said: list[str] = []
    monkeypatch.setattr(questions, "say", lambda message="", style="": said.append(str(message)))
    assert questions.country() == "DE"
    assert i18n._("A country is needed: type its name or its two-letter code.") in said


def test_the_menu_adds_a_postal_address_without_starting_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from complainer import formats
    from complainer.flows import wizard
    from complainer.letter import request

    i18n.set_language("en")
    campaign = open_registry().load("kz-propaganda-law-2025")
    values = request.DraftValues(name="Anna Schmidt", country="DE", lang="en", date="2026-11-29")
    letter = request.build_letter(values, campaign)
    session = wizard.Session(campaign, values, letter.date, letter, 2000)
    typing(monkeypatch, "d", "Hauptstr. 1", "10115 Berlin", "")
    assert wizard._menu(session) == "preview"
    assert "add or change your postal address" in capsys.readouterr().err
    assert values.address == ["Hauptstr. 1", "10115 Berlin"] and values.name == "Anna Schmidt"
    rendered = formats.render(request.build_letter(values, campaign), "text").decode()
    assert "10115 Berlin" in rendered
