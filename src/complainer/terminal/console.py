"""The terminal side: everything that is not the product goes to stderr."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

# Questions, previews, notes and errors; stdout carries only the letter (or JSON/.eml bytes).
err = Console(stderr=True, highlight=False, soft_wrap=False)


def note(message: str) -> None:
    err.print(f"[bold]Note:[/bold] {escape(message)}", soft_wrap=True)


def warn(message: str) -> None:
    err.print(f"[bold yellow]Warning:[/bold yellow] {escape(message)}", soft_wrap=True)


def error(message: str) -> None:
    # One plain line, readable without colour and by scripts that grep stderr.
    err.print(f"[bold red]complainer: error:[/bold red] {escape(message)}", soft_wrap=True)
