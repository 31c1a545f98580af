"""The help screens: words people read, in the interface language, at any width.

Typer labels an option without a metavar with its Python type (`<str>`, `<list[str]>`, `<bool>`);
`tidy` gives every parameter of every command a metavar a person understands (a flag none, a
choice its choices, a value its name) before the command line runs, so no command can forget one.

Help is written in the interface language (complainer.i18n): every help text, metavar and panel
title is declared in English with `N_()` and translated from the catalog by `localise`, which the
commands' context (`HelpContext`) runs only when help is shown, so a run that writes a letter pays
nothing for it. Click's and Typer's own words (the usage prefix, the section headings, the help
option's text, the default, environment-variable and required notes) are not taken from their
English: the formatter and `localise` write them from our catalog too.

On a narrow terminal (under NARROW columns) Rich's option table cuts the option names short, so
help is then written plainly: each option on its own line, its text below it, wrapped to the width.
"""

from __future__ import annotations

import enum
import re
import shutil
import weakref
from collections.abc import Sequence

import typer
from typer._click import core as click_core
from typer._click import formatting
from typer.core import TyperArgument, TyperGroup, TyperOption

from complainer.i18n import N_, _

NARROW = 60
# Metavars by parameter name where the name alone would not say what is wanted.
METAVARS = {
    "name": N_("NAME"),
    "email": N_("EMAIL"),
    "to": N_("EMAIL"),
    "to_name": N_("NAME"),
    "to_kind": "person|institution",
    "lang": N_("LANG"),
    "ui_lang": "en|ru|kk",
    "with_translation": N_("LANG"),
    "country": N_("COUNTRY"),
    "campaign": "ID",
    "target": "ID",
    "argument": "ID",
    "recommendation": "ID",
    "note": N_("TEXT"),
    "note_file": N_("FILE"),
    "date": N_("YYYY-MM-DD"),
    "seed": "N",
    "out": N_("FILE"),
    "directory": N_("DIR"),
    "city": N_("CITY"),
    "organisation": N_("NAME"),
    "out_dir": N_("DIR"),
    "mbox": N_("FILE"),
    "report": N_("FILE"),
}
# The words Click and Typer write into help themselves, in English: said again from our catalog.
PANEL_TITLES = {"argument": N_("Arguments"), "option": N_("Options"), "command": N_("Commands")}
USAGE_PREFIX = N_("Usage: ")
OPTIONS_METAVAR = N_("[OPTIONS]")
SUBCOMMAND_METAVAR = N_("COMMAND [ARGS]...")
FRAMEWORK_HELP = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)
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


def _argument_usage(param: TyperArgument) -> None:
    """Typer shows an argument's Python type beside its name, and a required one in braces
    ({ID}); the metavar alone says it, the usual way: ID, [PATH]..."""
    metavar = param.metavar or ""
    usage = metavar if param.required else f"[{metavar}]"
    usage = usage if param.nargs == 1 or usage.endswith("...") else f"{usage}..."
    setattr(param, "display_type_rich", lambda ctx: None)  # noqa: B010
    setattr(param, "_usage_display_name", lambda usage=usage: usage)  # noqa: B010


def tidy(command: click_core.Command, narrow: bool) -> None:
    """Give every parameter of `command` and its subcommands a readable metavar, and the context
    that shows help in the interface language (stacked on a narrow terminal)."""
    command.context_class = NarrowHelpContext if narrow else HelpContext
    ctx = click_core.Context(command)
    help_option = command.get_help_option(ctx)
    params = [*command.params, *([help_option] if help_option is not None else [])]
    for param in params:
        if param.metavar is None:
            param.metavar = _metavar(param, ctx)
        if isinstance(param, TyperArgument):
            _argument_usage(param)
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            tidy(sub, narrow)


def _range_words(param: click_core.Parameter) -> str | None:
    """A number range in words ("1 to 65535"), not as "[1<=x<=65535]"."""
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is None and high is None:
        return None
    setattr(param, "_get_number_range_help_str", lambda: None)  # noqa: B010
    if low is not None and high is not None:
        return _("{low} to {high}").format(low=low, high=high)
    if low is not None:
        return _("at least {low}").format(low=low)
    return _("at most {high}").format(high=high)


def _shown_default(param: click_core.Parameter) -> str | None:
    """The default an option's help names, as it is typed (an enum by its value), or None."""
    if not isinstance(param, TyperOption) or param.is_flag or not param.show_default:
        return None
    value = param.default
    if value is None or callable(value) or value in ((), []):
        return None
    return str(value.value if isinstance(value, enum.Enum) else value)


def _localise_param(param: click_core.Parameter, ctx: click_core.Context, plain: bool) -> None:
    from rich.markup import escape  # help only: Rich draws it anyway
    from rich.text import Text

    if param.metavar:
        param.metavar = _(param.metavar)
        if isinstance(param, TyperArgument):
            _argument_usage(param)
    help_text = getattr(param, "help", None)
    parts = [_(help_text)] if help_text else []
    words = _range_words(param)
    if words and (not parts or words not in parts[0]):
        parts.append(f"({words})")
    # Click's and Typer's notes, written here in the interface language instead of theirs.
    notes = []
    envvar = getattr(param, "envvar", None)
    if isinstance(param, TyperOption) and param.show_envvar and isinstance(envvar, str):
        notes.append(_("[env var: {name}]").format(name=envvar))
        param.show_envvar = False
    default = _shown_default(param)
    if default is not None:
        notes.append(_("[default: {value}]").format(value=default))
    if isinstance(param, TyperOption):
        param.show_default = False
    if param.required:
        notes.append(_("[required]"))
        # Shown only on the help screen, which ends the run: nothing is parsed after it.
        param.required = False
    parts += [escape(n) for n in notes]
    text = " ".join(parts)
    setattr(param, "help", Text.from_markup(text).plain if plain else text)  # noqa: B010
    if isinstance(param, TyperOption | TyperArgument):
        kind = "argument" if isinstance(param, TyperArgument) else "option"
        param.rich_help_panel = _(param.rich_help_panel or PANEL_TITLES[kind])


_localised: weakref.WeakSet[click_core.Command] = weakref.WeakSet()


def localise(command: click_core.Command, ctx: click_core.Context) -> None:
    """Put `command`'s help (and, for a group, the lines that list its commands) into the
    interface language; plain text instead of Rich markup on a narrow terminal. Once per command."""
    if command in _localised:
        return
    _localised.add(command)
    from rich.text import Text

    plain = isinstance(ctx, NarrowHelpContext)
    command.options_metavar = _(OPTIONS_METAVAR)
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = _(SUBCOMMAND_METAVAR)
    if plain and hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    for attr in ("help", "short_help", "epilog"):
        text = getattr(command, attr, None)
        if text:
            text = _(text)
            setattr(command, attr, Text.from_markup(text).plain if plain else text)
    if plain and command.epilog:
        # Click re-wraps every paragraph to the width; "\b" on a paragraph's first line keeps an
        # example or a sample file line by line, as it must be typed.
        command.epilog = "\n\n".join(
            f"\b\n{p}" if is_verbatim(p) else p for p in epilog_paragraphs(command.epilog)
        )
    help_option = command.get_help_option(ctx)
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        _localise_param(param, ctx, plain)
    if isinstance(command, TyperGroup):
        # Asked for by name: the root group loads its commands on demand (cli.app.Commands).
        listed = (command.get_command(ctx, name) for name in command.list_commands(ctx))
        for sub in (s for s in listed if s is not None):
            for attr in ("help", "short_help"):
                text = getattr(sub, attr, None)
                if text:
                    text = _(text)
                    setattr(sub, attr, Text.from_markup(text).plain if plain else text)
            if hasattr(sub, "rich_help_panel"):
                sub.rich_help_panel = _(sub.rich_help_panel or PANEL_TITLES["command"])


class HelpFormatter(formatting.HelpFormatter):
    """Click's formatter with its own words (the usage prefix, section headings) from our catalog."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        start = len(self.buffer)
        super().write_usage(prog, args, _(USAGE_PREFIX) if prefix is None else prefix)
        # Click ends a usage line that wraps after the command with a space, which a longer
        # translated prefix ("Использование: ") can push past a narrow terminal's width.
        written = "".join(self.buffer[start:])
        del self.buffer[start:]
        self.write("\n".join(line.rstrip() for line in written.split("\n")))

    def write_heading(self, heading: str) -> None:
        super().write_heading(_(heading))


class StackedFormatter(HelpFormatter):
    """The formatter with definition lists stacked: the term, then its text indented below.

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


def epilog_paragraphs(epilog: str) -> list[str]:
    """An epilog's paragraphs (blank-line separated), without the blank lines around it."""
    return [p for p in epilog.strip("\n").split("\n\n") if p.strip()]


def is_verbatim(paragraph: str) -> bool:
    """Whether an epilog paragraph is an example or a sample (every line indented): its lines are
    shown as written, never re-wrapped, even when they are wider than the terminal."""
    return all(line.startswith("  ") for line in paragraph.split("\n"))


def _print_rich_epilog(epilog: str) -> None:
    """The epilog as Typer prints it (Rich markup, one blank line around, one space in), except
    that an example or a sample keeps its lines: on a terminal narrower than a line, the line runs
    on (the terminal breaks it where it must) instead of being broken between words."""
    from rich.text import Text
    from typer import rich_utils

    console = rich_utils._get_rich_console()
    console.print()
    for n, paragraph in enumerate(epilog_paragraphs(epilog)):
        if n:
            console.print()
        if is_verbatim(paragraph):
            for line in paragraph.split("\n"):
                text = Text.from_markup(" " + line)
                console.print(text, no_wrap=True, overflow="ignore", crop=False)
        else:
            text = Text.from_markup(paragraph.replace("\n", " "))
            text.pad_left(1)
            console.print(text)
    console.print()


class HelpContext(click_core.Context):
    """A command's context that shows its help in the interface language."""

    formatter_class = HelpFormatter

    def get_help(self) -> str:
        localise(self.command, self)
        command, epilog = self.command, self.command.epilog
        if not epilog or getattr(command, "rich_markup_mode", None) is None:
            return super().get_help()
        # Typer's Rich help joins an epilog's lines and wraps them: printed here instead.
        command.epilog = None
        try:
            shown = super().get_help()
        finally:
            command.epilog = epilog
        _print_rich_epilog(epilog)
        return shown


class NarrowHelpContext(HelpContext):
    """The same on a narrow terminal: plain text, stacked."""

    formatter_class = StackedFormatter


def is_narrow() -> bool:
    """Whether the terminal is too narrow for Rich's option tables (COLUMNS counts)."""
    return shutil.get_terminal_size().columns < NARROW


def command_for(app: typer.Typer) -> click_core.Command:
    """The app's click command, tidied for the terminal's width (COLUMNS counts); commands that
    load on demand (cli.app.Commands) are tidied as they load."""
    command = typer.main.get_command(app)
    tidy(command, is_narrow())
    return command
