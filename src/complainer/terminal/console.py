"""The terminal side: everything that is not the product goes to stderr."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from complainer.characters import is_dangerous
from complainer.i18n import _


class ProductConsole(Console):
    """A console on stdout (tables, listings) that lets a closed pipe surface as BrokenPipeError,
    which the entry point ends quietly with one exit code (Rich alone would exit 1 itself)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def product() -> Console:
    """The console for what a command produces on stdout."""
    return ProductConsole()


# Questions, previews, notes and errors; stdout carries only the letter (or JSON/.eml bytes).
err = Console(stderr=True, highlight=False, soft_wrap=False)


def printable(message: str) -> str:
    """`message` as one printable line: what could break the line or drive the terminal is escaped.

    Control characters (C0, C1, DEL; ESC starts terminal escape sequences), line and paragraph
    separators, bidi controls and lone surrogates (argument bytes that were not UTF-8) become
    Python-style escapes (\\n, \\x1b, \\u2028, \\udcff), so an error that echoes input is still one
    line that says exactly what was given.
    """
    out = []
    for ch in message:
        if is_dangerous(ch):
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def note(message: str) -> None:
    label = escape(_("Note:"))
    err.print(f"[bold]{label}[/bold] {escape(printable(message))}", soft_wrap=True)


def warn(message: str) -> None:
    err.print(
        "[bold yellow]" + escape(_("Warning:")) + f"[/bold yellow] {escape(printable(message))}",
        soft_wrap=True,
    )


def error(message: str) -> None:
    # One plain line, readable without colour and by scripts that grep stderr: the prefix stays
    # the same in every interface language.
    err.print(
        f"[bold red]complainer: error:[/bold red] {escape(printable(message))}", soft_wrap=True
    )
