"""Questions on a terminal: the question goes to stderr, the answer comes from stdin.

`typer.prompt(..., err=True)` still hands the prompt's last character to `input()`, which writes it
to stdout when stdout is not a terminal; `complainer draft > letter.txt` would then get stray
spaces in the letter. So the question is printed here, on stderr, and `input()` gets no prompt.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import typer
from rich.text import Text

from complainer.terminal import console


def ask(question: str, default: str = "") -> str:
    """One line of answer, stripped; `default` (shown in brackets) when the answer is empty.

    Ctrl-C and end of input become typer.Abort, which the CLI turns into "Cancelled." and exit 130.
    """
    shown = f" [{default}]" if default else ""
    # Text, not markup: questions quote campaign data and earlier answers, which may hold brackets.
    console.err.print(Text(f"{question}{shown}: ", style="bold"), end="")
    try:
        answer = input()
    except (EOFError, KeyboardInterrupt):
        console.err.print()  # end the prompt's line, so "Cancelled." stands on its own
        raise typer.Abort() from None
    return answer.strip() or default


def confirm(question: str, default: bool) -> bool:
    hint = "Y/n" if default else "y/N"
    while True:
        answer = ask(f"{question} ({hint})").casefold()
        if not answer:
            return default
        if answer in ("y", "yes"):
            return True
        if answer in ("n", "no"):
            return False
        console.err.print("Please answer y or n.")


def say(message: str | Text = "", style: str = "") -> None:
    """A line of explanation on stderr (plain text: nothing in it is read as markup)."""
    console.err.print(message if isinstance(message, Text) else Text(message, style=style))


def _editor() -> list[str]:
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            # "code --wait" and similar: the variable may carry arguments.
            return shlex.split(value, posix=os.name != "nt")
    if os.name == "nt":
        return ["notepad"]
    return [next((e for e in ("nano", "vi") if shutil.which(e)), "vi")]


def edit_text(initial: str) -> str | None:
    """Let the person write in their editor; the text, or None if the editor could not run.

    The temporary file is private (mkstemp creates it 0600) and removed afterwards: the note is
    personal data and should not linger in the temp folder.
    """
    fd, name = tempfile.mkstemp(prefix="complainer-note-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(initial)
        command = [*_editor(), str(path)]
        try:
            # The editor draws on the terminal; with `draft > letter.txt` it must not draw into
            # the letter, so it gets stderr (the terminal) as its stdout then.
            result = subprocess.run(command, check=False, stdout=_terminal_out())
        except OSError as exc:
            say(f"Could not start the editor {command[0]!r} ({exc.strerror}); set $EDITOR.")
            return None
        if result.returncode != 0:
            say(
                f"The editor {command[0]!r} exited with status {result.returncode}; note unchanged."
            )
            return None
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


def _terminal_out() -> int | None:
    """Where the editor draws: stdout if it is the terminal, else stderr (never a redirected file)."""
    return None if sys.stdout.isatty() else sys.stderr.fileno()
