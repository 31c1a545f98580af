"""Help that people read (no Python type names, readable at 40 columns) and a closed pipe that
ends every command the same quiet way."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, complainer_exe, stderr_of

COMMANDS = [[], ["draft"], ["send"], ["campaigns"], ["campaigns", "show"], ["campaigns", "new"],
            ["arguments"], ["check"]]  # fmt: skip
# What Typer prints for an option without a metavar: its Python type, in angle brackets or braces.
TYPE_NAMES = re.compile(
    r"<(bool|str|int|float|path|file|list\[[^\]]*\]|[a-z]+ range)>|\{[A-Z_]+\}|[a-z]<=x|x>=|x<="
)


@pytest.mark.parametrize("columns", ["40", "100"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "complainer")
def test_help_names_no_python_types(run: Runner, command: list[str], columns: str) -> None:
    result = run(*command, "--help", env={"COLUMNS": columns})
    assert result.returncode == 0, stderr_of(result)
    text = result.stdout.decode()
    assert not TYPE_NAMES.search(text), TYPE_NAMES.search(text)


# An example command line or a sample file's line: shown whole even when wider than the terminal
# (tests/test_help_examples.py), since a line broken between words could not be typed as shown.
EXAMPLE_LINE = re.compile(r"^\s*(complainer|export) |^\s*name,country,|^\s*[^,]+,[A-Z]{2},")


def too_wide(text: str, columns: int) -> list[str]:
    """The lines of a help screen wider than `columns`, except examples and samples."""
    return [
        line for line in text.splitlines() if len(line) > columns and not EXAMPLE_LINE.match(line)
    ]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "complainer")
def test_help_fits_40_columns_with_whole_option_names(run: Runner, command: list[str]) -> None:
    result = run(*command, "--help", env={"COLUMNS": "40"})
    text = result.stdout.decode()
    assert not re.search(r"-[\w-]*…", text), "an option name was cut short"
    assert too_wide(text, 40) == []


def test_choices_are_listed(run: Runner) -> None:
    text = run("draft", "--help", env={"COLUMNS": "100"}).stdout.decode()
    assert "text|eml|json|mailto" in text
    assert "starttls|ssl" in text


def test_validator_wording_is_replaced(run: Runner) -> None:
    result = run("draft", "--seed", "abc")
    err = stderr_of(result)
    assert result.returncode == 2
    assert "--seed: give a whole number" in err
    assert "Input should be" not in err
    result = run("send", "--smtp-port", "0")
    assert "--smtp-port: give 1 or more" in stderr_of(result)


PIPED = [
    ["campaigns"],
    ["campaigns", "show", "kz-petition-2024"],
    ["arguments"],
    ["check"],
    ["draft", "--name", "Anna Schmidt", "--country", "DE", "--no-input", "--date", LETTER_DATE],
    ["draft", "--help"],
]


@pytest.mark.parametrize("command", PIPED, ids=lambda c: " ".join(c[:2]))
def test_a_closed_pipe_ends_quietly_with_one_exit_code(
    tmp_path: Path, clean_env: dict[str, str], command: list[str]
) -> None:
    # The reader closes at once; the writer finds the pipe closed on its first write.
    proc = subprocess.Popen(
        [complainer_exe(), *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, cwd=tmp_path, env=clean_env,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert code == 141, (code, err)
    assert "Traceback" not in err and "Exception ignored" not in err and "error" not in err
