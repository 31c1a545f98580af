"""Commands: parse options, call the core, print. Nothing else lives here."""

from __future__ import annotations

import datetime as dt
import inspect
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer._click import exceptions as click_exceptions

from complainer import (
    __version__,
    delivery_options,
    drafting,
    listing,
    mailclient,
    sending,
    ui,
    wizard,
)
from complainer.campaign import PLURAL, POINT_KINDS
from complainer.check import check_folder
from complainer.errors import (
    EXIT_CANCELLED,
    EXIT_FAILURE,
    EXIT_USAGE,
    ComplainerError,
    UsageProblem,
)
from complainer.files import check_writable, write_private
from complainer.locales import resolve_language
from complainer.outputs.mailto import DEFAULT_LIMIT
from complainer.registry import CAMPAIGNS_DIR_ENV, Registry, open_registry
from complainer.scaffold import scaffold

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

CampaignsDir = Annotated[
    list[Path] | None,
    typer.Option(
        "--campaigns-dir",
        help=f"Also load campaign folders from PATH (repeatable; or set {CAMPAIGNS_DIR_ENV}).",
        metavar="PATH",
    ),
]


def _registry(dirs: list[Path] | None) -> Registry:
    return open_registry(dirs)


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


DRAFT_EXAMPLES = """
[bold]Examples[/bold]

  complainer draft    [dim]# answer a few questions[/dim]

  complainer draft --name "Anna Schmidt" --country DE --lang en --out letter.eml --no-input

  complainer draft --name "Анна Шмидт" --country Germany --lang ru -a iccpr-19 -a iccpr-26 > letter.txt

  complainer draft --name "Anna Schmidt" --country DE --format json | jq .subject
"""


@app.command(epilog=DRAFT_EXAMPLES)
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
        typer.Option(
            "--lang",
            "-l",
            help="Letter language: code or name (en, ru, русский, kk, қазақша). Default: the recipient's.",
        ),
    ] = None,
    campaign: Annotated[
        str | None,
        typer.Option("--campaign", "-c", help="Campaign id (see: complainer campaigns)."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target", "-t", help="Which letter of the campaign (default: to the authority)."
        ),
    ] = None,
    argument: Annotated[
        list[str] | None,
        typer.Option(
            "--argument",
            "-a",
            help="Argument id (repeatable; default: the recommended set). See: complainer arguments.",
        ),
    ] = None,
    recommendation: Annotated[
        list[str] | None,
        typer.Option(
            "--recommendation",
            "-r",
            help="Recommendation id (repeatable; default: the recommended set).",
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="A personal paragraph in your own words.")
    ] = None,
    note_file: Annotated[
        Path | None, typer.Option(help="Read the personal paragraph from a file ('-' = stdin).")
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="The letter's date, YYYY-MM-DD (default: today).")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Phrasing choice (default: derived from your name, country and the date)."
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Recipient address, for letters without a fixed one (or to override it)."
        ),
    ] = None,
    to_name: Annotated[str | None, typer.Option("--to-name", help="Recipient's name.")] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="text, eml, json or mailto (default: from --out's extension, else text).",
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", help="Write to this file instead of stdout ('-' = stdout)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never ask questions; fail if something is missing.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No notes on stderr (warnings still show).")
    ] = False,
    campaigns_dir: CampaignsDir = None,
    open_: delivery_options.Open = False,
    mailto_limit: delivery_options.MailtoLimit = DEFAULT_LIMIT,
    send_now: delivery_options.Send = False,
    smtp_host: delivery_options.SmtpHost = None,
    smtp_port: delivery_options.SmtpPort = None,
    smtp_user: delivery_options.SmtpUser = None,
    tls: delivery_options.TlsMode = delivery_options.Tls.starttls,
    cafile: delivery_options.CaFile = None,
    timeout: delivery_options.Timeout = 30.0,
    yes: delivery_options.Yes = False,
    bcc_self: delivery_options.BccSelf = False,
    no_save: delivery_options.NoSave = False,
) -> None:
    """Write a letter: asks what it needs in a terminal, or takes it all from flags."""
    values = drafting.DraftValues(
        campaign=campaign, target=target, name=name, country=country, city=city,
        organisation=organisation, email=email, lang=lang, arguments=argument,
        recommendations=recommendation, note=note, note_file=note_file, date=date, seed=seed,
        to=to, to_name=to_name, fmt=fmt, out=out, force=force,
        extra={"mailto_limit": mailto_limit},
    )  # fmt: skip
    if open_ and send_now:
        raise UsageProblem("give either --open or --send, not both")
    fmt_name = drafting.output_format(fmt, out)
    out_path = Path(out) if out and out != "-" else None
    if out_path is not None:
        check_writable(out_path, force)
    asking = wizard.wanted(values, no_input or send_now)  # sending takes its values from flags
    if not asking:
        drafting.require_complete(values)  # before loading anything: a script learns it at once
    registry = _registry(campaigns_dir)
    chosen = drafting.load_for(values, registry)
    if asking:
        wizard.run(values, chosen)
        return
    if not quiet:
        for line in drafting.campaign_notes(chosen):
            ui.note(line)
    letter = drafting.build_letter(values, chosen)
    for warning in letter.warnings:
        ui.warn(warning)
    if send_now:
        options = sending.SendOptions(
            host=smtp_host, port=smtp_port, user=smtp_user, tls=tls, cafile=cafile,
            timeout=timeout, yes=yes, bcc_self=bcc_self, save=not no_save,
        )  # fmt: skip
        sending.send_letter(letter, options, no_input=no_input, quiet=quiet)
    if open_:
        mailclient.open_letter(letter, mailto_limit, quiet=quiet)
    if fmt_name == "mailto":
        mailclient.warn_if_long(letter, mailto_limit)
    if (open_ or send_now) and fmt is None and out is None:
        return  # delivered; print only what was asked for
    data = drafting.render(letter, fmt_name)
    if out_path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_private(out_path, data, force=force)
        if not quiet:
            ui.note(f"saved {fmt_name} to {out_path}")


SEND_EXAMPLES = """
[bold]Examples[/bold]

  export COMPLAINER_SMTP_HOST=smtp.example.org COMPLAINER_SMTP_USER=anna@example.org

  complainer send --name "Anna Schmidt" --country DE --from anna@example.org --bcc-self

  complainer send --name "Anna Schmidt" --country DE --from anna@example.org --yes
"""


def send(**options: Any) -> None:
    """Send the letter over SMTP (TLS): shows it, asks to confirm, keeps a copy.

    Takes the same options as draft; --from, --smtp-host (and usually --smtp-user) are needed.
    A copy of each sent letter is kept in your data folder (sent/); a letter that fails to send is
    kept as a draft (drafts/) and the error says where.
    """
    draft(**options, send_now=True)


# `send` is `draft --send`: the same options (read from draft's signature), less those it fixes.
send.__signature__ = delivery_options.without(  # type: ignore[attr-defined]
    inspect.signature(draft, eval_str=True), "send_now", "open_", "mailto_limit"
)
app.command(epilog=SEND_EXAMPLES)(send)


@campaigns_app.callback(invoke_without_command=True)
def campaigns_list(ctx: typer.Context, campaigns_dir: CampaignsDir = None) -> None:
    """List the campaigns with their status, deadline and days left."""
    if ctx.invoked_subcommand is not None:
        return
    registry = _registry(campaigns_dir)
    loaded, broken = registry.load_all()
    for problem in broken:
        ui.warn(str(problem))
    rows = listing.campaign_rows(loaded, dt.date.today(), registry.default_id())
    listing.print_rows(
        Console(), ["campaign", "status", "deadline", "when", "title"], rows, "Campaigns"
    )


@app.command(
    epilog="[bold]Examples[/bold]\n\n  complainer arguments\n\n  complainer arguments --campaign kz-petition-2024 --lang ru"
)
def arguments(
    campaign: Annotated[str | None, typer.Option("--campaign", "-c", help="Campaign id.")] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", "-l", help="Language of titles and summaries.")
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Check validity on this date (default: today).")
    ] = None,
    campaigns_dir: CampaignsDir = None,
) -> None:
    """List a campaign's arguments and recommendations: ids, titles, citations, validity."""
    registry = _registry(campaigns_dir)
    chosen = registry.load(campaign or registry.default_id())
    code = resolve_language(lang, chosen.languages) if lang else "en"
    day = drafting.parse_date(date)
    console = Console()
    headers = ["id", "default", "title", "summary", "citations"]
    for kind in POINT_KINDS:
        title = PLURAL[kind].capitalize()
        rows = listing.point_rows(chosen, kind, code, day)
        if not console.is_terminal:
            rows = [[kind, *r] for r in rows]
        listing.print_rows(console, headers, rows, f"{title}: {chosen.id}")


@campaigns_app.command("show")
def campaigns_show(
    campaign_id: Annotated[str, typer.Argument(metavar="ID", help="Campaign id.")],
    campaigns_dir: CampaignsDir = None,
) -> None:
    """Show a campaign's background, status, recipients, targets and every source URL."""
    chosen = _registry(campaigns_dir).load(campaign_id)
    listing.show_campaign(Console(), chosen, dt.date.today())


@campaigns_app.command(
    "new",
    epilog="[bold]Example[/bold]\n\n  complainer campaigns new my-campaign --dir ~/campaigns\n\n  complainer check ~/campaigns/my-campaign",
)
def campaigns_new(
    campaign_id: Annotated[
        str, typer.Argument(metavar="ID", help="New campaign id (lower-case, hyphens).")
    ],
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to create the campaign folder.")
    ] = Path("."),
) -> None:
    """Create a campaign folder to fill in; `complainer check` says what is left."""
    folder = scaffold(campaign_id, directory)
    ui.note(f"created {folder}; fill in the TODOs, then run: complainer check {folder}")


@app.command(
    epilog="[bold]Examples[/bold]\n\n  complainer check\n\n  complainer check ~/campaigns/my-campaign",
)
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...", help="Campaign folders (default: every installed campaign)."
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Check as of this date (default: today).")
    ] = None,
    campaigns_dir: CampaignsDir = None,
) -> None:
    """Check campaign folders: every text in every language, every template rendered, one page."""
    if paths:
        folders = list(paths)
    else:
        registry = _registry(campaigns_dir)
        folders = [registry.folders[cid][0] for cid in registry.ids]
    day = drafting.parse_date(date)
    failed = 0
    for folder in folders:
        if not (folder / "campaign.toml").is_file():
            raise UsageProblem(f"{folder} is not a campaign folder (no campaign.toml)")
        report = check_folder(folder, day)
        for problem in report.problems:
            typer.echo(problem)
        verdict = "ok" if not report.problems else f"{len(report.problems)} problem(s)"
        typer.echo(f"{report.campaign}: {verdict} ({report.letters} letters rendered)")
        failed += bool(report.problems)
    if failed:
        raise typer.Exit(EXIT_FAILURE)


def main() -> None:
    """The console entry point: every failure becomes one line on stderr and an exit code."""
    try:
        result = app(standalone_mode=False, prog_name="complainer")
    except ComplainerError as exc:
        ui.error(str(exc))
        sys.exit(exc.exit_code)
    except typer.Abort:
        ui.err.print("Cancelled.")
        sys.exit(EXIT_CANCELLED)
    except click_exceptions.NoArgsIsHelpError as exc:
        # `complainer` alone: the help is already printed, and there is nothing else to say.
        sys.exit(exc.exit_code)
    except click_exceptions.ClickException as exc:
        hint = " (see --help)" if isinstance(exc, click_exceptions.UsageError) else ""
        ui.error(exc.format_message().replace("\n", " ") + hint)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        ui.err.print("Cancelled.")
        sys.exit(EXIT_CANCELLED)
    except BrokenPipeError:
        # A reader such as `head` closed the pipe: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FAILURE)
    except Exception as exc:
        if os.environ.get("COMPLAINER_DEBUG"):
            raise
        ui.error(
            f"unexpected {type(exc).__name__}: {exc} (set COMPLAINER_DEBUG=1 for details, and please report it)"
        )
        sys.exit(EXIT_FAILURE)
    if result == EXIT_CANCELLED:
        # Typer turns a Ctrl-C that arrives outside a prompt into a silent exit 130; say it.
        ui.err.print("Cancelled.")
    sys.exit(result if isinstance(result, int) else 0)


__all__ = ["EXIT_USAGE", "app", "main"]
