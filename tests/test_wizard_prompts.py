"""Every question of the wizard, in this process: the escape words, what menus say, the pickers.

The pty tests (test_wizard.py) drive the installed command end to end; here each question is
called with typed answers fed to `input()`, so that every question can be tried with every
escape word. A static check makes sure no question reads a line any other way than through
`terminal.prompts.ask`, so the list below cannot miss one.
"""

from __future__ import annotations

import ast
import builtins
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from complainer import i18n
from complainer.campaigns.model import Campaign
from complainer.campaigns.registry import open_registry
from complainer.flows import wizard
from complainer.letter import request
from complainer.terminal import picker, questions
from complainer.terminal.prompts import BackRequested, QuitRequested, ask, confirm, type_lines

SRC = Path(__file__).resolve().parent.parent / "src" / "complainer"
DAY = dt.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    i18n.set_language("en")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    yield
    i18n.set_language(None)


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return open_registry().load("kz-propaganda-law-2025")


def typing(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """Feed `answers` to input(), one per call; end of input after them (typer.Abort)."""
    left = list(answers)
    fed: list[str] = []

    def fake_input(prompt: str = "") -> str:
        if not left:
            raise EOFError
        fed.append(left[0])
        return left.pop(0)

    monkeypatch.setattr(builtins, "input", fake_input)
    return fed


def questions_of(campaign: Campaign) -> dict[str, Callable[[], Any]]:
    """Every question the wizard asks, by name: each reads its answer through prompts.ask."""
    return {
        "name": questions.name,
        "country": questions.country,
        "country candidates": lambda: questions._choose_country("Germny"),
        "address": questions.address,
        "iin": questions.iin,
        "email": questions.email,
        "city": lambda: questions.optional("city", "City"),
        "recipient": questions.recipient,
        "note": lambda: questions.note(""),
        "letter": lambda: questions.target(campaign, "en", "DE"),
        "language": lambda: questions.language(campaign, ("kk", "ru"), "kk"),
        "arguments": lambda: picker.choose(campaign, "argument", None, DAY),
        "recommendations": lambda: picker.choose(campaign, "recommendation", None, DAY),
        "replace?": lambda: confirm("Replace it?", default=False),
        "save to": lambda: wizard._ask_path("letter.eml", force=False),
    }


def test_no_question_reads_a_line_except_through_ask() -> None:
    """input(), typer.prompt and click.prompt appear only in prompts.ask: every question then
    takes the same escape words, and the parametrized tests below cover them all."""
    offenders = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in {"input", "prompt"} and path.name != "prompts.py":
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("typed", ["q", "Q", " quit ", "й", "выход", "шығу"])
@pytest.mark.parametrize(
    "question",
    ["name", "country", "country candidates", "address", "iin", "email", "city", "recipient",
     "note", "letter", "language", "arguments", "recommendations", "replace?", "save to"],
)  # fmt: skip
def test_every_question_takes_q_as_quit(
    monkeypatch: pytest.MonkeyPatch, campaign: Campaign, question: str, typed: str
) -> None:
    typing(monkeypatch, typed)
    with pytest.raises(QuitRequested):
        questions_of(campaign)[question]()
    assert not Path(typed.strip()).exists()


def test_q_after_the_first_line_of_a_note_is_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines after the first are free text (a line may be "b" or "q"); only Enter ends them."""
    typing(monkeypatch, "q", "b", "")
    assert type_lines("First line") == "First line\nq\nb"


def test_b_goes_back_only_where_a_question_offers_it(monkeypatch: pytest.MonkeyPatch) -> None:
    typing(monkeypatch, "b")
    with pytest.raises(BackRequested):
        ask("Where", back=True)
    typing(monkeypatch, "b")
    assert ask("Where") == "b"


@pytest.mark.parametrize("typed", ["s", "S", "p", "q", "save", "quit"])
def test_a_file_name_prompt_never_takes_a_menu_word(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    typing(monkeypatch, typed, "b")
    try:
        assert wizard._ask_path("letter.eml", force=False) is None  # b: back to the menu
    except QuitRequested:
        assert typed.strip().casefold() in {"q", "quit"}
    else:
        assert "is a choice of the menu, not a file name" in capsys.readouterr().err
    assert list(Path().iterdir()) == []


def test_the_save_prompt_says_how_to_cancel(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typing(monkeypatch, "")
    assert wizard._ask_path("letter.eml", force=False) == (Path("letter.eml"), False)
    assert "Save to (b: back; q: quit) [letter.eml]:" in capsys.readouterr().err


# Each menu, the answer Enter gives, and a prompt that says so.
MENUS = {
    "letter": ("ministry", "Letter (number or id) (Enter: 1; q: quit)"),
    "language": ("kk", "Language (number, code or name) (Enter: kk; q: quit)"),
    "arguments": (None, "Toggle (Enter: keep the ticks shown; q: quit)"),
    "country candidates": (None, "Number (Enter: none of these; q: quit)"),
}


@pytest.mark.parametrize("menu", list(MENUS))
def test_each_menu_says_what_enter_does_and_hints_on_a_bad_answer(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    campaign: Campaign,
    menu: str,
) -> None:
    expected, prompt = MENUS[menu]
    bad = [] if menu == "country candidates" else ["zzz"]  # a name there is looked up instead
    typing(monkeypatch, *bad, "")
    result = questions_of(campaign)[menu]()
    err = capsys.readouterr().err
    assert prompt in err
    if expected is not None:
        assert result == expected
    if bad:
        # What the bad answer got, up to the prompt asked again: a hint naming Enter and q.
        hint = " ".join(err.split(prompt)[1].split())
        assert "Enter" in hint and ("q: quit" in hint or "q quits" in hint), hint
    if menu != "country candidates":
        assert "(Enter)" in err or menu == "arguments"  # the default is marked in the list


def session(campaign: Campaign) -> wizard.Session:
    values = request.DraftValues(name="Anna Schmidt", country="DE", lang="en", date="2026-11-29")
    letter = request.build_letter(values, campaign)
    return wizard.Session(campaign, values, DAY, letter, 2000)


@pytest.mark.parametrize("typed", ["q", "й", "quit"])
def test_the_action_menu_quits_on_q(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    campaign: Campaign,
    typed: str,
) -> None:
    typing(monkeypatch, "zzz", typed)
    assert wizard._menu(session(campaign)) == "done"
    err = capsys.readouterr().err
    # stdout is not a terminal here, so Enter prints the letter (as `draft > file` wants).
    assert "Choice (Enter: p; q: quit):" in err
    assert "Type one of the letters" in err and "(Enter: p)" in err
    assert "Nothing was saved." in err


def test_the_recommendations_picker_explains_ticking_and_the_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], campaign: Campaign
) -> None:
    suggested = [p.id for p in campaign.points("recommendation") if p.default]
    typing(monkeypatch, "")
    assert picker.choose(campaign, "recommendation", None, DAY) == suggested
    err = " ".join(capsys.readouterr().err.split())
    assert "The letter asks the authorities to carry out each ticked recommendation" in err
    items = picker.items_for(campaign, "recommendation", DAY)
    numbers = [str(n) for n, i in enumerate(items, 1) if i.id in suggested and not i.outdated]
    if numbers:
        assert f"The campaign suggests: {', '.join(numbers)}." in err
    else:
        assert "None is ticked at first" in err


def test_the_arguments_picker_names_the_suggested_ones(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], campaign: Campaign
) -> None:
    items = picker.items_for(campaign, "argument", DAY)
    defaults = {p.id for p in campaign.points("argument") if p.default}
    numbers = [str(n) for n, i in enumerate(items, 1) if i.id in defaults and not i.outdated]
    typing(monkeypatch, "")
    picker.choose(campaign, "argument", None, DAY)
    err = " ".join(capsys.readouterr().err.split())
    assert "Each ticked argument becomes a paragraph" in err
    assert f"The campaign suggests: {', '.join(numbers)}." in err


@pytest.mark.parametrize("width", [40, 80, 120])
def test_a_cut_title_in_the_picker_ends_in_an_ellipsis(width: int) -> None:
    """A title wider than the terminal is cut with "…", never silently; a short one is whole."""
    from rich.console import Console

    from complainer.terminal import picker

    long = " ".join(f"word{n}" for n in range(60))
    items = [picker.Item(f"p{n}", t, "s", "c", "") for n, t in enumerate([long, "Short title"])]
    out = Console(width=width, record=True, color_system=None)
    out.print(picker.table(items, {"p0"}))
    lines = [line.rstrip() for line in out.export_text().splitlines()]
    assert lines[0].startswith("[x] 1. word0 ") and lines[0].endswith("…")
    assert len(lines[0]) <= width
    assert lines[1] == "[ ] 2. Short title"
