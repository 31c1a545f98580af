"""The Typer application, its root callback, and the entry point that turns failures into exit codes.

The commands register themselves on `app` from their own modules (see complainer.cli).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from typer._click import exceptions as click_exceptions

from complainer import __version__
from complainer.errors import EXIT_CANCELLED, EXIT_FAILURE, ComplainerError
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


def main() -> None:
    """The console entry point: every failure becomes one line on stderr and an exit code."""
    try:
        result = app(standalone_mode=False, prog_name="complainer")
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
