"""Notes, warnings and errors on stderr: written without rich when rich would write plain text,
and then byte for byte what rich writes (terminal/console.py)."""

from __future__ import annotations

import io

import pytest
from conftest import LETTER_DATE, Runner, stderr_of
from hypothesis import example, given
from hypothesis import strategies as st
from rich.console import Console

from complainer.terminal import console

LABELS = [("bold", "Note:"), ("bold yellow", "Warning:"), ("bold red", "complainer: error:")]


def rich_line(style: str, label: str, message: str) -> str:
    """What the rich console of terminal/console.py writes to a file or pipe."""
    out = io.StringIO()
    made = Console(file=out, highlight=False, soft_wrap=False, _environ={})
    made.print(console._markup(style, label, message), soft_wrap=True)
    return out.getvalue()


@given(st.text(), st.sampled_from(LABELS))
@example("a [bold]b[/bold] c :smile: d\\", LABELS[1])
@example("tab\there\rand\x07bell", LABELS[0])
@example("C:\\Users\\anna\\letter.eml [1]", LABELS[2])
@example("under art. 63 (--address; --format pdf): the Ministry", LABELS[1])
def test_the_plain_line_is_the_line_rich_writes(message: str, label: tuple[str, str]) -> None:
    style, name = label
    line = f"{name} {message}"
    if console._NEEDS_RICH.search(line):
        return  # rich writes these itself
    assert line + "\n" == rich_line(style, name, message)


def test_a_warning_is_the_same_with_and_without_rich(run: Runner) -> None:
    # The default letter warns (a formal appeal without a signature). TTY_COMPATIBLE=0 tells rich
    # the same (not a terminal) but makes complainer leave the writing to rich.
    args = [
        "draft",
        "--name",
        "Anna Schmidt",
        "--country",
        "DE",
        "--no-input",
        "--date",
        LETTER_DATE,
    ]
    plain = run(*args, "--lang", "ru", "--campaign", "kz-petition-2024")
    through_rich = run(*args, "--lang", "ru", "--campaign", "kz-petition-2024",
                       env={"TTY_COMPATIBLE": "0"})  # fmt: skip
    assert plain.returncode == through_rich.returncode == 0
    assert "Warning:" in stderr_of(plain) or "Note:" in stderr_of(plain)
    assert plain.stderr == through_rich.stderr
    assert plain.stdout == through_rich.stdout


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "TTY_COMPATIBLE"])
def test_forced_colour_is_left_to_rich(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert console.writes_plain(io.StringIO())
    monkeypatch.setenv(variable, "1")
    assert not console.writes_plain(io.StringIO())
