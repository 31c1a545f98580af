"""Questions on a terminal: the question goes to stderr, the answer comes from stdin.

`typer.prompt(..., err=True)` still hands the prompt's last character to `input()`, which writes it
to stdout when stdout is not a terminal; `complainer draft > letter.txt` would then get stray
spaces in the letter. So the question is printed here, on stderr, and `input()` gets no prompt.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import typer
from rich.text import Text

from complainer.i18n import _, ngettext
from complainer.letter.request import NOTE_READ_LIMIT
from complainer.letter.writer import MAX_NOTE
from complainer.paths import read_regular_file
from complainer.terminal import console

# The escape words every question takes (the wizard's header says so once, each menu in its
# prompt): q to quit, and b to go back where a question offers it. "й" is the q key on a Russian
# or Kazakh keyboard layout, typed when the layout was not switched.
QUIT = frozenset({"q", "quit", "й", "выход", "шығу"})
BACK = frozenset({"b", "back", "назад", "артқа"})


class QuitRequested(typer.Abort):
    """The person typed q. The wizard ends without saving (exit 0); anywhere that does not
    catch it, it is a typer.Abort: "Cancelled." and exit 130."""


class BackRequested(Exception):
    """The person typed b at a question that offers going back (`ask(..., back=True)`)."""


def ask(question: str, default: str = "", *, escapes: bool = True, back: bool = False) -> str:
    """One line of answer, stripped; `default` (shown in brackets) when the answer is empty.

    With `escapes` (the default), an answer in QUIT raises QuitRequested and, with `back`, one
    in BACK raises BackRequested: no question ever takes them as its answer. `escapes=False` is
    for lines of free text after the first (a note's second line may well be "b").
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
    word = answer.strip().casefold()
    if escapes and word in QUIT:
        raise QuitRequested()
    if escapes and back and word in BACK:
        raise BackRequested()
    return answer.strip() or default


def menu_hint(enter: str, back: bool = False) -> str:
    """What a menu's prompt adds after its question: what Enter does, and the escape words."""
    hints = [_("Enter: {action}").format(action=enter)]
    if back:
        hints.append(_("b: back"))
    hints.append(_("q: quit"))
    return "(" + "; ".join(hints) + ")"


# Yes and no in every interface language, accepted whatever the interface language: a person
# may answer in the language of their keyboard layout.
YES = frozenset({"y", "yes", "д", "да", "и", "иә", "ия"})
NO = frozenset({"n", "no", "н", "нет", "ж", "жоқ"})


def confirm(question: str, default: bool) -> bool:
    hint = _("Y/n") if default else _("y/N")
    while True:
        answer = ask(f"{question} ({hint})").casefold()
        if not answer:
            return default
        if answer in YES:
            return True
        if answer in NO:
            return False
        console.err.print(_("Please answer y or n (q quits)."))


def sentence(problem: object, hint: str = "") -> str:
    """`problem` (an exception or text) as a sentence, capital first and a full stop at the end,
    followed by `hint` (already translated): a problem joined with a re-ask hint must not read
    as one run-on phrase ("...is not an Internet domain Type it again")."""
    text = str(problem).strip()
    if text:
        text = text[0].upper() + text[1:]
        if text[-1] not in ".!?…":
            text += "."
    return f"{text} {hint}".strip() if hint else text


def say(message: str | Text = "", style: str = "") -> None:
    """A line of explanation on stderr (plain text: nothing in it is read as markup)."""
    console.err.print(message if isinstance(message, Text) else Text(message, style=style))


def _editor() -> list[str] | None:
    """The person's own editor ($VISUAL, $EDITOR), or None: no editor is started unasked."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            # "code --wait" and similar: the variable may carry arguments.
            return shlex.split(value, posix=os.name != "nt")
    return None


def has_editor() -> bool:
    return _editor() is not None


def type_lines(first: str) -> str:
    """`first` and the lines typed after it, up to an empty line; joined with line breaks."""
    lines = [first]
    while True:
        line = ask("…", escapes=False)
        if not line:
            return "\n".join(lines)
        lines.append(line)


def edit_text(initial: str) -> str | None:
    """Let the person write in their editor; the text, or None if there is none or it failed.

    The temporary file is private (mkstemp creates it 0600) and removed afterwards: the note is
    personal data and should not linger in the temp folder.
    """
    editor = _editor()
    if editor is None:
        return None
    fd, name = tempfile.mkstemp(prefix="complainer-note-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(initial)
        command = [*editor, str(path)]
        try:
            # The editor draws on the terminal; with `draft > letter.txt` it must not draw into
            # the letter, so it gets stderr (the terminal) as its stdout then.
            result = subprocess.run(command, check=False, stdout=_terminal_out())
        except OSError as exc:
            say(
                _("Could not start the editor {editor} ({reason}); check $EDITOR.").format(
                    editor=command[0], reason=exc.strerror
                )
            )
            return None
        if result.returncode != 0:
            say(
                _("The editor {editor} stopped with an error; the note is unchanged.").format(
                    editor=command[0]
                )
            )
            return None
        # The editor may have saved anything there: read it within the note's bound.
        raw = read_regular_file(path, NOTE_READ_LIMIT)
        if len(raw) > NOTE_READ_LIMIT:
            say(
                ngettext(
                    "the personal note is longer than {limit} character; shorten it",
                    "the personal note is longer than {limit} characters; shorten it",
                    MAX_NOTE,
                ).format(limit=MAX_NOTE)
                + "."
            )
            return None
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        say(_("The editor saved text that is not UTF-8; the note is unchanged."))
        return None
    except OSError as exc:
        say(
            _("The note from the editor cannot be read ({reason}); the note is unchanged.").format(
                reason=exc.strerror
            )
        )
        return None
    finally:
        path.unlink(missing_ok=True)


def _terminal_out() -> int | None:
    """Where the editor draws: stdout if it is the terminal, else stderr (never a redirected file)."""
    return None if sys.stdout.isatty() else sys.stderr.fileno()
