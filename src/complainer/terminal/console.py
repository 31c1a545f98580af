"""The terminal side: everything that is not the product goes to stderr."""

from __future__ import annotations

import builtins
import functools
import os
import re
import sys
from typing import TYPE_CHECKING, TextIO

from complainer.characters import is_dangerous, is_plain
from complainer.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console

    # Questions, previews, notes and errors; stdout carries only the letter (or JSON/.eml bytes).
    err: Console


def __getattr__(name: str) -> Console:
    # `console.err` is made on first use (PEP 562): rich costs about 30 ms to import, and most
    # runs of a script print nothing on stderr that needs it.
    if name != "err":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _stderr()


def _stderr() -> Console:
    made: Console | None = globals().get("err")
    if made is None:
        from rich.console import Console

        made = globals()["err"] = Console(stderr=True, highlight=False, soft_wrap=False)
    return made


@functools.cache
def _product_console_class() -> type[Console]:
    from rich.console import Console

    class ProductConsole(Console):
        """A console on stdout (tables, listings) that lets a closed pipe surface as
        BrokenPipeError, which the entry point ends quietly with one exit code (Rich alone would
        exit 1 itself)."""

        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return ProductConsole


def product() -> Console:
    """The console for what a command produces on stdout."""
    return _product_console_class()()


def printable(message: str) -> str:
    """`message` as one printable line: what could break the line or drive the terminal is escaped.

    Control characters (C0, C1, DEL; ESC starts terminal escape sequences), line and paragraph
    separators, bidi controls and lone surrogates (argument bytes that were not UTF-8) become
    Python-style escapes (\\n, \\x1b, \\u2028, \\udcff), so an error that echoes input is still one
    line that says exactly what was given.
    """
    if is_plain(message):
        return message
    out = []
    for ch in message:
        if is_dangerous(ch):
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _markup(style: str, label: str, message: str) -> str:
    from rich.markup import escape

    return f"[{style}]{escape(label)}[/{style}] {escape(message)}"


# What rich would change in a line written to a file or pipe: control characters (it strips some
# and expands tabs), markup brackets and backslashes, and :emoji: codes.
_NEEDS_RICH = re.compile(r"[\x00-\x1f\x7f\[\\]|:\S*?:")


def writes_plain(stream: TextIO) -> bool:
    """Whether rich would write to `stream` as plain text: not a terminal, nothing forcing colour.

    Mirrors rich's Console.is_terminal, conservatively: any variable rich reads to decide, a
    notebook or Windows, and the answer is False (let rich decide and write).
    """
    if os.name == "nt" or hasattr(builtins, "get_ipython"):
        return False
    environ = os.environ
    if environ.get("TTY_COMPATIBLE") or "FORCE_COLOR" in environ:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:
        return False


def _say(style: str, label: str, message: str) -> None:
    message = printable(message)
    line = f"{label} {message}"
    # Once rich's console is in use (the wizard), it writes everything, in order.
    if "err" not in globals() and writes_plain(sys.stderr) and not _NEEDS_RICH.search(line):
        # The very line rich would write (tests/test_console.py compares them), without the
        # 20 ms of importing rich for it: most letters come with a warning.
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        return
    _stderr().print(_markup(style, label, message), soft_wrap=True)


# Marked for extraction here, looked up when said (N_: the catalog holds them, _ translates).
_NOTE, _WARNING = N_("Note:"), N_("Warning:")


def note(message: str) -> None:
    _say("bold", _(_NOTE), message)


_WARNING_STYLE = "bold yellow"


def warn(message: str) -> None:
    _say(_WARNING_STYLE, _(_WARNING), message)


def warn_wrapped(message: str) -> None:
    """A warning wrapped to the terminal's width like the wizard's other messages (warn keeps
    one line, for scripts that grep stderr)."""
    _stderr().print(_markup(_WARNING_STYLE, _(_WARNING), printable(message)), soft_wrap=False)


def error(message: str) -> None:
    # One plain line, readable without colour and by scripts that grep stderr: the prefix stays
    # the same in every interface language.
    _say("bold red", "complainer: error:", message)
