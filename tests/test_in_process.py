"""The in-process runner (`cli`, conftest) gives exactly what the installed command gives.

Many tests run their input variations in-process; this is what makes that a fair stand-in: for a
spread of command lines (letters in each format and language, listings, usage errors, bad input),
the exit code, stdout and stderr are byte for byte those of `complainer` in a subprocess.
"""

from __future__ import annotations

import re

import pytest
from conftest import LETTER_DATE, Runner

WRITER = ["--name", "Anna Schmidt", "--country", "DE", "--no-input", "--date", LETTER_DATE]
COMMAND_LINES = [
    ["draft", "--campaign", "kz-petition-2024", *WRITER, "--lang", "ru"],
    ["draft", *WRITER, "--format", "eml", "--email", "anna@example.org"],
    ["draft", *WRITER, "--lang", "en", "--format", "json", "-a", "iccpr-19"],
    ["draft", *WRITER, "--lang", "kk", "--format", "mailto", "--mailto-limit", "100"],
    ["draft", "--name", "Anna", "--country", "Germnay", "--no-input"],
    ["draft", *WRITER, "--email", "anna@@example.org"],
    ["draft", "--no-input"],
    ["draft", "--bogus"],
    ["draft", *WRITER, "--mailto-limit", "0"],
    ["campaigns"],
    ["campaigns", "show", "kz-petition-2024"],
    ["arguments", "--campaign", "kz-petition-2024", "--date", LETTER_DATE],
    ["--version"],
]
# An .eml's Date: and Message-ID: are made when it is written, so they differ between any two runs.
WHEN_WRITTEN = re.compile(rb"(?m)^(?:Date|Message-ID): .*\r\n")


@pytest.mark.parametrize("args", COMMAND_LINES, ids=" ".join)
def test_in_process_is_the_installed_command(run: Runner, cli: Runner, args: list[str]) -> None:
    installed, in_process = run(*args), cli(*args)
    assert in_process.returncode == installed.returncode
    assert WHEN_WRITTEN.sub(b"", in_process.stdout) == WHEN_WRITTEN.sub(b"", installed.stdout)
    assert in_process.stderr == installed.stderr
