"""The Typer application, its root callback, and the entry point that turns failures into exit codes.

Each command lives in its own module with its own one-command Typer app (`command_app`); the
root group (`Commands`) imports a command's module and builds its click command only when that
command is asked for (see complainer.cli).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import functools
import gc
import importlib
import os
import re
import sys
from typing import Annotated, Any, ClassVar

import typer
from typer._click import core as click_core
from typer._click import exceptions as click_exceptions
from typer._click import utils as click_utils
from typer.core import TyperGroup

from complainer import __version__, i18n
from complainer.cli import helptext
from complainer.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_CANCELLED,
    EXIT_FAILURE,
    EXIT_USAGE,
    ComplainerError,
    StdoutFailed,
    UsageProblem,
    unknown_choice,
)
from complainer.i18n import N_, _
from complainer.terminal import console


class Commands(TyperGroup):
    """The root group, whose commands are loaded on demand: Click's documented pattern for lazily
    loading subcommands (a group whose `list_commands` and `get_command` import a command's
    module when it is needed), given to Typer as the group class (`typer.Typer(cls=...)`).

    Typer builds a click command, with every option, for each command registered on an app; a
    run uses one. So each command is a one-command Typer app in its own module (MODULES maps
    the command's name to it, in the order `--help` lists them), converted with
    `typer.main.get_command` the first time it is asked for: by the command line that names it,
    by `--help` (which lists them all) or by shell completion.
    """

    MODULES: ClassVar[dict[str, str]] = {
        "arguments": "complainer.cli.arguments",
        "batch": "complainer.cli.batch",
        "check": "complainer.cli.check",
        "draft": "complainer.cli.draft",
        "send": "complainer.cli.send",
        "campaigns": "complainer.cli.campaigns",
    }

    def list_commands(self, ctx: click_core.Context) -> list[str]:
        return [*self.MODULES, *(name for name in self.commands if name not in self.MODULES)]

    def get_command(self, ctx: click_core.Context, cmd_name: str) -> click_core.Command | None:
        if cmd_name not in self.commands and cmd_name in self.MODULES:
            module = importlib.import_module(self.MODULES[cmd_name])
            command = typer.main.get_command(module.app)
            ui_lang = next(p for p in self.params if "--ui-lang" in p.opts)
            _accept_ui_lang(command, ui_lang)
            helptext.tidy(command, helptext.is_narrow())
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


def _accept_ui_lang(command: click_core.Command, option: click_core.Parameter) -> None:
    """Give `command` (and every subcommand of a group) the root's --ui-lang `option` where it
    has none.

    The README promises --ui-lang anywhere on the command line; declaring it on each command
    by hand let `batch` and `check` forget it, so every command gets it here, when it is built.
    """
    if not any("--ui-lang" in param.opts for param in command.params):
        copied = copy.copy(option)
        copied.expose_value = False  # the command's function does not take it; its callback acts
        command.params.append(copied)
    for sub in getattr(command, "commands", {}).values():
        _accept_ui_lang(sub, option)


def command_app(**settings: Any) -> typer.Typer:
    """The Typer app of one command's module: the command (or the `campaigns` group) registers on
    it, and `Commands` converts it when the command is first used."""
    return typer.Typer(add_completion=False, rich_markup_mode="rich", **settings)


app = typer.Typer(
    name="complainer",
    help=N_(
        "Compose personal, legally grounded complaint letters for human-rights campaigns, and"
        " deliver them."
    ),
    cls=Commands,
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def set_ui_language(value: str | None) -> str | None:
    """--ui-lang: the interface language from here on (an eager callback, so that even errors
    about other options are in it)."""
    if value is not None:
        code = i18n.ui_code(value)
        if code is None:
            raise UsageProblem(
                unknown_choice(_("interface language"), value, list(i18n.UI_LANGUAGES))
            )
        i18n.set_language(code)
    return value


UI_LANG_HELP = N_(
    "Language of questions, messages and help: en, ru or kk (default: from LANGUAGE,"
    " LC_ALL, LC_MESSAGES or LANG). The letter's language is --lang."
)
UiLang = Annotated[
    str | None,
    typer.Option("--ui-lang", callback=set_ui_language, is_eager=True, help=UI_LANG_HELP),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"complainer {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help=N_("Show the version and exit."),
        ),
    ] = False,
    ui_lang: UiLang = None,
) -> None:
    """The root of every command line: --version and --ui-lang (the help is the app's, above)."""
    # The command line is parsed up to the command: what is loaded by now (Typer, Click, pydantic,
    # this package) lives as long as the process. Moved out of the cyclic garbage collector's
    # sight (gc.freeze), it is not walked again by every collection that the command's imports,
    # its work and the exit set off: about a tenth of a letter's CPU time. Once per process, so
    # that a caller running the command line again (the tests) keeps its garbage collectable.
    if gc.get_freeze_count() == 0:
        gc.freeze()
    # The console entry (complainer.__main__) kept the collector off while all that loaded (it
    # made little garbage, and each collection walked all of it); it runs again from here on.
    if _COLLECTOR_HELD[0]:
        _COLLECTOR_HELD[0] = False
        gc.enable()


# Typer's own wording for bad values (from its validation), and the tool's sentence for each.
_VALIDATOR_WORDING: list[tuple[str, str]] = [
    (r"Input should be a valid integer", N_("give a whole number")),
    (r"Input should be a valid number", N_("give a number")),
    (r"Input should be greater than or equal to (\S+)", N_("give {0} or more")),
    (r"Input should be greater than (\S+)", N_("give more than {0}")),
    (r"Input should be less than or equal to (\S+)", N_("give {0} or less")),
    (r"'([^']*)' is not one of (.*?)\.?$", N_('"{0}" is not one of: {1}')),
    (r"file '([^']*)' does not exist", N_("the file {0} does not exist")),
    (r"file '([^']*)' is a directory", N_("{0} is a folder, not a file")),
]


# Click's own parser messages (its `gettext` calls use the process-wide "messages" domain, which
# a library must not take over): recognised by exception type and wording, and said again in
# the tool's words from our catalog. Anything not recognised keeps Click's English.
_PARSER_WORDING: list[tuple[str, str]] = [
    (r"Option '([^']*)' requires (?:an argument|\d+ arguments)\.", N_("{0} needs a value")),
    (r"Option '([^']*)' does not take a value\.", N_("{0} does not take a value")),
    (r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)$", N_("unexpected extra argument: {0}")),
    (r"No such command '([^']*)'\.", N_('no such command "{0}"')),
]


@functools.cache
def wording(table: str) -> list[tuple[re.Pattern[str], str]]:
    """The patterns of `table` ("validator" or "parser") compiled, with their sentences: on the
    first usage error, as a run that goes well never needs them."""
    words = _VALIDATOR_WORDING if table == "validator" else _PARSER_WORDING
    return [(re.compile(pattern), sentence) for pattern, sentence in words]


def _parameter_name(param: click_core.Parameter) -> str:
    return next(
        (o for o in param.opts if o.startswith("--")),
        param.opts[0] if param.opts else str(param.name),
    )


def usage_message(exc: click_exceptions.ClickException) -> str:
    """A usage error in the tool's words: "--seed: give a whole number (see --help)"."""
    see_help = _("(see --help)")
    if isinstance(exc, click_exceptions.MissingParameter) and exc.param is not None:
        param = exc.param
        if param.param_type_name == "argument":
            return _("missing {name} (see --help)").format(
                name=_(param.metavar) if param.metavar else str(param.name).upper()
            )
        return _("missing {name} (see --help)").format(name=_parameter_name(param))
    if isinstance(exc, click_exceptions.NoSuchOption):
        message = _("no such option: {option}").format(option=exc.option_name)
        if exc.possibilities:
            message += " " + _("(did you mean: {options}?)").format(
                options=", ".join(sorted(exc.possibilities))
            )
        return f"{message} {see_help}"
    if isinstance(exc, click_exceptions.BadParameter) and exc.param is not None:
        param = exc.param
        name = _parameter_name(param)
        problem = exc.message
        for pattern, sentence in wording("validator"):
            found = pattern.search(exc.message)
            if found:
                groups = [g.replace("'", "") for g in found.groups()]
                problem = _(sentence).format(*groups)
                break
        envvar = getattr(param, "envvar", None)
        if isinstance(envvar, str) and os.environ.get(envvar):
            name = _("{option} (from {envvar})").format(option=name, envvar=envvar)
        return f"{name}: {problem} {see_help}"
    message = exc.format_message().replace("\n", " ")
    if isinstance(exc, click_exceptions.UsageError):
        for pattern, sentence in wording("parser"):
            found = pattern.search(message)
            if found:
                message = _(sentence).format(*found.groups())
                break
        return f"{message} {see_help}"
    return message


def ui_lang_in(argv: list[str]) -> str | None:
    """The interface language `--ui-lang` asks for anywhere on the command line (the last one
    counts, as in Click), or None. Read before the app is built, so that the help is in that
    language even when --help comes first; a value that is not a language is left for the
    option's own check to refuse."""
    chosen = None
    for position, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--ui-lang" and position + 1 < len(argv):
            value = argv[position + 1]
        elif arg.startswith("--ui-lang="):
            value = arg.partition("=")[2]
        else:
            continue
        chosen = i18n.ui_code(value) or chosen
    return chosen


def _stdout_is_devnull() -> bool:
    try:
        here, null = os.fstat(sys.__stdout__.fileno()), os.stat(os.devnull)  # type: ignore[union-attr]
    except (OSError, AttributeError, ValueError):
        return False
    return (here.st_dev, here.st_ino) == (null.st_dev, null.st_ino)


def _quiet_stdout() -> None:
    """A reader such as `head` closed the pipe: send what is left to /dev/null, so that the
    interpreter's last flush does not complain either."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _undecodable_argument(argv: list[str]) -> str | None:
    """Why an argument is not text: Python keeps bytes that are not UTF-8 as lone surrogates."""
    for number, arg in enumerate(argv, 1):
        for position, ch in enumerate(arg, 1):
            if "\udc80" <= ch <= "\udcff":
                return _(
                    "argument {number} is not UTF-8 text (byte {byte} at character {position});"
                    " complainer takes UTF-8 text and file names"
                ).format(number=number, byte=f"0x{ord(ch) - 0xDC00:02x}", position=position)
    return None


def _stdout_failed(exc: OSError) -> None:
    """stdout cannot be written (a full disk, /dev/full): say so once, and exit 1."""
    # Point stdout at /dev/null so that the interpreter's final flush does not fail again.
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    console.error(
        _("cannot write to standard output: {problem}").format(problem=exc.strerror or exc)
    )
    sys.exit(EXIT_FAILURE)


# Whether the console entry turned the cyclic collector off until the root callback
# (complainer.__main__.main); set back to False when the callback turns it on.
_COLLECTOR_HELD = [False]


def main(*, collector_held: bool = False) -> None:
    """The console entry point: every failure becomes one line on stderr and an exit code.

    A closed stdout (`complainer campaigns | head -1`) ends every command the same way: quietly,
    with exit code EXIT_BROKEN_PIPE. `collector_held`: the caller turned the cyclic garbage
    collector off, for the root callback to turn it back on (complainer.__main__).
    """
    _COLLECTOR_HELD[0] = collector_held
    i18n.set_language(ui_lang_in(sys.argv[1:]))
    problem = _undecodable_argument(sys.argv[1:])
    if problem:
        console.error(problem)
        sys.exit(EXIT_USAGE)
    was_devnull = _stdout_is_devnull()
    try:
        try:
            result = helptext.command_for(app).main(standalone_mode=False, prog_name="complainer")
            sys.stdout.flush()
        except SystemExit as exc:
            # Typer (wrapping stdout) and Rich's help (pointing stdout at /dev/null) each end a
            # broken pipe with exit 1 themselves; make it the same as everywhere else.
            if isinstance(sys.stdout, click_utils.PacifyFlushWrapper) or (
                _stdout_is_devnull() and not was_devnull
            ):
                raise BrokenPipeError from exc
            raise
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    except ComplainerError as exc:
        console.error(str(exc))
        sys.exit(exc.exit_code)
    except typer.Abort:
        console.err.print(_("Cancelled."))
        sys.exit(EXIT_CANCELLED)
    except click_exceptions.NoArgsIsHelpError as exc:
        # `complainer` alone: the help is already printed, and there is nothing else to say.
        sys.exit(exc.exit_code)
    except click_exceptions.ClickException as exc:
        console.error(usage_message(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        console.err.print(_("Cancelled."))
        sys.exit(EXIT_CANCELLED)
    except StdoutFailed as exc:
        _stdout_failed(exc.cause)
    except OSError as exc:
        # Files are written through delivery.files, which reports its own errors; a full disk or
        # an I/O error that gets here came from printing to stdout (`> /dev/full`).
        if exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG):
            _stdout_failed(exc)
        if os.environ.get("COMPLAINER_DEBUG"):
            raise
        console.error(
            _(
                "unexpected {kind}: {problem} (set COMPLAINER_DEBUG=1 for details, and please report it)"
            ).format(kind=type(exc).__name__, problem=exc)
        )
        sys.exit(EXIT_FAILURE)
    except Exception as exc:
        if os.environ.get("COMPLAINER_DEBUG"):
            raise
        console.error(
            _(
                "unexpected {kind}: {problem} (set COMPLAINER_DEBUG=1 for details, and please report it)"
            ).format(kind=type(exc).__name__, problem=exc)
        )
        sys.exit(EXIT_FAILURE)
    if result == EXIT_CANCELLED:
        # Typer turns a Ctrl-C that arrives outside a prompt into a silent exit 130; say it.
        console.err.print(_("Cancelled."))
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    sys.exit(result if isinstance(result, int) else 0)
