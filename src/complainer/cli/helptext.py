"""The help screens: words people read, at any width.

Typer labels an option without a metavar with its Python type (`<str>`, `<list[str]>`, `<bool>`);
`tidy` gives every parameter of every command a metavar a person understands (a flag none, a
choice its choices, a value its name) before the command line runs, so no command can forget one.
On a narrow terminal (under NARROW columns) Rich's option table cuts the option names short, so
help is then written plainly: each option on its own line, its text below it, wrapped to the width.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence

import typer
from typer._click import core as click_core
from typer._click import formatting
from typer.core import TyperArgument, TyperGroup, TyperOption

NARROW = 60
# Metavars by parameter name where the name alone would not say what is wanted.
METAVARS = {
    "name": "NAME",
    "email": "EMAIL",
    "to": "EMAIL",
    "to_name": "NAME",
    "to_kind": "person|institution",
    "lang": "LANG",
    "ui_lang": "en|ru|kk",
    "with_translation": "LANG",
    "country": "COUNTRY",
    "campaign": "ID",
    "target": "ID",
    "argument": "ID",
    "recommendation": "ID",
    "note": "TEXT",
    "note_file": "FILE",
    "date": "YYYY-MM-DD",
    "seed": "N",
    "out": "FILE",
    "directory": "DIR",
    "city": "CITY",
    "organisation": "NAME",
}
_TYPE_LABEL = re.compile(r"^<(.*)>$")


def _metavar(param: click_core.Parameter, ctx: click_core.Context) -> str:
    if isinstance(param, TyperOption) and param.is_flag:
        return ""
    if param.name in METAVARS:
        return METAVARS[param.name]
    label = _TYPE_LABEL.match(str(param.display_type(ctx)))  # type: ignore[attr-defined]
    inner = label.group(1) if label else ""
    if "|" in inner and "[" not in inner:
        return inner  # a choice: list the choices (starttls|ssl)
    return (param.name or "value").upper().replace("_", "-")


def _plain_range(param: click_core.Parameter) -> None:
    """A number range in words in the help text ("1 to 65535"), not as "[1<=x<=65535]"."""
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is None and high is None:
        return
    if low is not None and high is not None:
        words = f"{low} to {high}"
    elif low is not None:
        words = f"at least {low}"
    else:
        words = f"at most {high}"
    help_text = getattr(param, "help", None) or ""
    if words not in help_text:
        setattr(param, "help", f"{help_text} ({words})".strip())  # noqa: B010
    setattr(param, "_get_number_range_help_str", lambda: None)  # noqa: B010


def tidy(command: click_core.Command, narrow: bool) -> None:
    """Give every parameter of `command` and its subcommands a readable metavar; on a narrow
    terminal, switch the help to the plain stacked layout."""
    ctx = click_core.Context(command)
    help_option = command.get_help_option(ctx)
    params = [*command.params, *([help_option] if help_option is not None else [])]
    for param in params:
        _plain_range(param)
        if param.metavar is None:
            param.metavar = _metavar(param, ctx)
        if isinstance(param, TyperArgument):
            # Typer shows an argument's Python type beside its name, and a required one in
            # braces ({ID}); the metavar alone says it, the usual way: ID, [PATH]...
            usage = param.metavar if param.required else f"[{param.metavar}]"
            usage = usage if param.nargs == 1 or usage.endswith("...") else f"{usage}..."
            setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010
            setattr(param, "_usage_display_name", lambda usage=usage: usage)  # noqa: B010
    if narrow:
        from rich.text import Text  # only for the plain layout of a narrow terminal

        if hasattr(command, "rich_markup_mode"):
            command.rich_markup_mode = None
        for attr in ("help", "epilog"):
            text = getattr(command, attr, None)
            if text:
                setattr(command, attr, Text.from_markup(text).plain)
        for param in command.params:
            help_text = getattr(param, "help", None)
            if help_text:
                param.help = Text.from_markup(help_text).plain  # type: ignore[attr-defined]
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            tidy(sub, narrow)


class StackedFormatter(formatting.HelpFormatter):
    """Click's formatter with definition lists stacked: the term, then its text indented below.

    Click never wraps narrower than 50 columns; this one wraps to the terminal's width.
    """

    def __init__(
        self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None
    ) -> None:
        super().__init__(indent_increment, width, max_width)
        self.width = max(shutil.get_terminal_size().columns - 1, 30)

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        width = self.width or 40
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}\n")
            if text:
                indent = self.current_indent + 4
                wrapped = formatting.wrap_text(
                    text, max(width - indent, 20), preserve_paragraphs=True
                )
                for line in wrapped.splitlines():
                    self.write(f"{'':>{indent}}{line}\n" if line else "\n")


def is_narrow() -> bool:
    """Whether the terminal is too narrow for Rich's option tables (COLUMNS counts)."""
    return shutil.get_terminal_size().columns < NARROW


def command_for(app: typer.Typer) -> click_core.Command:
    """The app's click command, tidied for the terminal's width (COLUMNS counts); commands that
    load on demand (cli.app.Commands) are tidied as they load."""
    command = typer.main.get_command(app)
    narrow = is_narrow()
    if narrow:
        click_core.Context.formatter_class = StackedFormatter
    tidy(command, narrow)
    return command
