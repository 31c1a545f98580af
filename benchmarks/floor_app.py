"""The framework's floor: a Typer app with `complainer draft`'s exact options that prints one line.

It has the same shape as complainer's command line (a root callback with --version, a `draft`
command with the same options: names, types, defaults, constraints, help panels; the help texts
are shorter) and imports nothing but Typer, so `benchmarks/bench_startup.py` can show what
complainer adds on top of its framework. tests/test_startup_imports.py checks that the options
stay the same as `complainer draft`'s.
Run: python benchmarks/floor_app.py draft --no-input --name "Anna Schmidt" --country DE
(`floor_app.py --gc-freeze draft ...` also freezes the objects loaded by then, as complainer
does once its command line is parsed up to the command: the floor that trick would give.)
"""

from __future__ import annotations

import enum
import gc
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="floor",
    help="The framework floor for complainer's start-up benchmark.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DELIVERY = "Delivery"
SENDING = "Sending (complainer send)"
LETTER_PDF = "Formal letter, PDF and signature"


class Tls(str, enum.Enum):
    starttls = "starttls"
    ssl = "ssl"


def _ui_language(value: str | None) -> str | None:
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo("floor 0")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    gc_freeze: Annotated[
        bool,
        typer.Option(
            "--gc-freeze", hidden=True, help="Freeze the loaded objects, as complainer does."
        ),
    ] = False,
) -> None:
    """The framework floor."""
    if gc_freeze:  # what complainer's root callback does (cli.app.root), for comparison
        gc.freeze()


@app.command()
def draft(
    name: Annotated[str | None, typer.Option(help="Your full name, as you sign.")] = None,
    country: Annotated[
        str | None, typer.Option(help="Where you live: ISO code (DE) or name (Germany).")
    ] = None,
    city: Annotated[str | None, typer.Option(help="Your city (optional).")] = None,
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", "--organization", help="Your organisation (optional)."),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", "--from", help="Your email address (goes into From:; needed to send)."
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", "-l", help="Letter language: code or name."),
    ] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", "-c", help="Campaign id.")] = None,
    target: Annotated[
        str | None, typer.Option("--target", "-t", help="Which letter of the campaign.")
    ] = None,
    argument: Annotated[
        list[str] | None, typer.Option("--argument", "-a", help="Argument id (repeatable).")
    ] = None,
    recommendation: Annotated[
        list[str] | None,
        typer.Option("--recommendation", "-r", help="Recommendation id (repeatable)."),
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="A personal paragraph in your own words.")
    ] = None,
    note_file: Annotated[
        Path | None, typer.Option(help="Read the personal paragraph from a file ('-' = stdin).")
    ] = None,
    date: Annotated[str | None, typer.Option(help="The letter's date, YYYY-MM-DD.")] = None,
    seed: Annotated[int | None, typer.Option(help="Phrasing choice.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Recipient address.")] = None,
    to_name: Annotated[str | None, typer.Option("--to-name", help="Recipient's name.")] = None,
    to_kind: Annotated[str | None, typer.Option("--to-kind", help="person or institution.")] = None,
    with_translation: Annotated[
        str | None, typer.Option("--with-translation", help="Also in this language.")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="text|eml|json|mailto|pdf", help="The format."),
    ] = None,
    out: Annotated[str | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never ask questions.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No notes on stderr.")] = False,
    campaigns_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--campaigns-dir", help="Also load campaign folders from PATH.", metavar="PATH"
        ),
    ] = None,
    open_: Annotated[
        bool, typer.Option("--open", help="Open in your mail client.", rich_help_panel=DELIVERY)
    ] = False,
    mailto_limit: Annotated[
        int,
        typer.Option(
            "--mailto-limit",
            min=1,
            metavar="N",
            envvar="COMPLAINER_MAILTO_LIMIT",
            help="Longest mailto: link to open.",
            rich_help_panel=DELIVERY,
        ),
    ] = 2000,
    send_now: Annotated[
        bool, typer.Option("--send", help="Send the letter now.", rich_help_panel=SENDING)
    ] = False,
    smtp_host: Annotated[
        str | None,
        typer.Option(
            "--smtp-host", metavar="HOST", envvar="COMPLAINER_SMTP_HOST", rich_help_panel=SENDING
        ),
    ] = None,
    smtp_port: Annotated[
        int | None,
        typer.Option(
            "--smtp-port",
            min=1,
            max=65535,
            metavar="PORT",
            envvar="COMPLAINER_SMTP_PORT",
            rich_help_panel=SENDING,
        ),
    ] = None,
    smtp_user: Annotated[
        str | None,
        typer.Option(
            "--smtp-user", metavar="USER", envvar="COMPLAINER_SMTP_USER", rich_help_panel=SENDING
        ),
    ] = None,
    tls: Annotated[
        Tls,
        typer.Option(
            "--tls", case_sensitive=False, envvar="COMPLAINER_SMTP_TLS", rich_help_panel=SENDING
        ),
    ] = Tls.starttls,
    cafile: Annotated[
        Path | None,
        typer.Option(
            "--cafile",
            exists=True,
            dir_okay=False,
            metavar="PEM",
            envvar="COMPLAINER_SMTP_CAFILE",
            rich_help_panel=SENDING,
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, metavar="SECONDS", rich_help_panel=SENDING)
    ] = 30.0,
    yes: Annotated[bool, typer.Option("--yes", "-y", rich_help_panel=SENDING)] = False,
    bcc_self: Annotated[bool, typer.Option("--bcc-self", rich_help_panel=SENDING)] = False,
    no_save: Annotated[bool, typer.Option("--no-save", rich_help_panel=SENDING)] = False,
    address: Annotated[
        list[str] | None,
        typer.Option("--address", metavar="LINE", rich_help_panel=LETTER_PDF),
    ] = None,
    iin: Annotated[
        str | None, typer.Option("--iin", metavar="DIGITS", rich_help_panel=LETTER_PDF)
    ] = None,
    signature_image: Annotated[
        Path | None,
        typer.Option("--signature-image", metavar="PATH", rich_help_panel=LETTER_PDF),
    ] = None,
    sign_p12: Annotated[
        Path | None, typer.Option("--sign-p12", metavar="PATH", rich_help_panel=LETTER_PDF)
    ] = None,
    ui_lang: Annotated[
        str | None,
        typer.Option("--ui-lang", callback=_ui_language, is_eager=True, help="en, ru or kk."),
    ] = None,
    attach_pdf: Annotated[bool, typer.Option("--attach-pdf", rich_help_panel=LETTER_PDF)] = False,
) -> None:
    """Print one line: the least a command with these options can do."""
    typer.echo(f"{name} {country} {lang} {fmt}")


if __name__ == "__main__":
    app()
