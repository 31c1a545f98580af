"""The terminal side: everything that is not the product goes to stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    # Questions, previews, notes and errors; stdout carries only the letter (or JSON/.eml bytes).
    err: Console


def __getattr__(name: str) -> Console:
    # `console.err` is made on first use (PEP 562): rich costs about 30 ms to import, and most
    # runs of a script print nothing on stderr.
    if name != "err":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _stderr()


def _stderr() -> Console:
    made: Console | None = globals().get("err")
    if made is None:
        from rich.console import Console

        made = globals()["err"] = Console(stderr=True, highlight=False, soft_wrap=False)
    return made


def _markup(style: str, label: str, message: str) -> str:
    from rich.markup import escape

    return f"[{style}]{label}[/{style}] {escape(message)}"


def note(message: str) -> None:
    _stderr().print(_markup("bold", "Note:", message), soft_wrap=True)


def warn(message: str) -> None:
    _stderr().print(_markup("bold yellow", "Warning:", message), soft_wrap=True)


def error(message: str) -> None:
    # One plain line, readable without colour and by scripts that grep stderr.
    _stderr().print(_markup("bold red", "complainer: error:", message), soft_wrap=True)
