"""The Typer application, its root callback, and the entry point that turns failures into exit codes.

The commands register themselves on `app` from their own modules (see complainer.cli).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Annotated

import typer
from typer._click import exceptions as click_exceptions

from complainer import __version__
from complainer.errors import (
    EXIT_CANCELLED,
    EXIT_FAILURE,
    EXIT_USAGE,
    ComplainerError,
    StdoutFailed,
)
from complainer.terminal import console

app = typer.Typer(
    name="complainer",
    help="Compose personal, legally grounded complaint letters for human-rights campaigns, and deliver them.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
campaigns_app = typer.Typer(
    help="List campaigns; show one; start a new one.", rich_markup_mode="rich"
)
app.add_typer(campaigns_app, name="campaigns")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"complainer {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Compose personal, legally grounded complaint letters for human-rights campaigns, and deliver them.

    Exit codes: 0 done, 1 failure (a broken campaign, a file or delivery problem), 2 bad usage or input,
    130 cancelled.
    """


def _undecodable_argument(argv: list[str]) -> str | None:
    """Why an argument is not text: Python keeps bytes that are not UTF-8 as lone surrogates."""
    for number, arg in enumerate(argv, 1):
        for position, ch in enumerate(arg, 1):
            if "\udc80" <= ch <= "\udcff":
                return (
                    f"argument {number} is not UTF-8 text (byte 0x{ord(ch) - 0xDC00:02x} at"
                    f" character {position}); complainer takes UTF-8 text and file names"
                )
    return None


def _stdout_failed(exc: OSError) -> None:
    """stdout cannot be written (a full disk, /dev/full): say so once, and exit 1."""
    # Point stdout at /dev/null so that the interpreter's final flush does not fail again.
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    console.error(f"cannot write to standard output: {exc.strerror or exc}")
    sys.exit(EXIT_FAILURE)


def main() -> None:
    """The console entry point: every failure becomes one line on stderr and an exit code."""
    problem = _undecodable_argument(sys.argv[1:])
    if problem:
        console.error(problem)
        sys.exit(EXIT_USAGE)
    try:
        result = app(standalone_mode=False, prog_name="complainer")
        sys.stdout.flush()
    except ComplainerError as exc:
        console.error(str(exc))
        sys.exit(exc.exit_code)
    except typer.Abort:
        console.err.print("Cancelled.")
        sys.exit(EXIT_CANCELLED)
    except click_exceptions.NoArgsIsHelpError as exc:
        # `complainer` alone: the help is already printed, and there is nothing else to say.
        sys.exit(exc.exit_code)
    except click_exceptions.ClickException as exc:
        hint = " (see --help)" if isinstance(exc, click_exceptions.UsageError) else ""
        console.error(exc.format_message().replace("\n", " ") + hint)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        console.err.print("Cancelled.")
        sys.exit(EXIT_CANCELLED)
    except BrokenPipeError:
        # A reader such as `head` closed the pipe: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FAILURE)
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
            f"unexpected {type(exc).__name__}: {exc} (set COMPLAINER_DEBUG=1 for details, and please report it)"
        )
        sys.exit(EXIT_FAILURE)
    except Exception as exc:
        if os.environ.get("COMPLAINER_DEBUG"):
            raise
        console.error(
            f"unexpected {type(exc).__name__}: {exc} (set COMPLAINER_DEBUG=1 for details, and please report it)"
        )
        sys.exit(EXIT_FAILURE)
    if result == EXIT_CANCELLED:
        # Typer turns a Ctrl-C that arrives outside a prompt into a silent exit 130; say it.
        console.err.print("Cancelled.")
    sys.exit(result if isinstance(result, int) else 0)
