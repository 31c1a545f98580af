"""`complainer batch`: its options, and a call to the batch run (complainer.flows.batch)."""

from __future__ import annotations

from typing import Annotated

import typer

from complainer.cli import options
from complainer.cli.app import command_app
from complainer.flows.batch_settings import DEFAULT_RATE
from complainer.i18n import N_

BATCH_EXAMPLES = N_("""
[bold]Examples[/bold]

  complainer batch signers.csv --out-dir letters/        [dim]# one .eml per signer, and letters/report.csv[/dim]

  complainer batch signers.csv --mbox letters.mbox --lang en   [dim]# one mailbox to import as drafts[/dim]

  complainer batch signers.jsonl --send --smtp-host smtp.example.org --smtp-user org@example.org

[bold]signers.csv[/bold]

  name,country,city,email,note
  Anna Schmidt,DE,Berlin,anna@example.org,
  Jonas Berg,SE,,,"I visited Almaty in 2023."
""")

app = command_app()


@app.command(
    help=N_(
        "Make one letter per signer of a list, each phrased differently: files, one mailbox, or"
        " sent.\n\nBad rows are reported (row, column, reason) and skipped; a CSV report lists"
        " every row. Re-running the same command resumes. Exit 0 when every row succeeded, 1 when"
        " any failed."
    ),
    epilog=BATCH_EXAMPLES,
)
def batch(
    signers: Annotated[
        str,
        typer.Argument(
            metavar=N_("SIGNERS"),
            help=N_(
                "CSV with a header row, or JSON Lines, one signer a row ('-' = stdin). Columns:"
                " name, country, city, organisation, email, address (lines separated by ';'), lang,"
                " target, to, to_name, note, arguments, recommendations, date. With --send, each"
                " letter goes from its signer's email; a row without one is skipped."
            ),
        ),
    ],
    out_dir: Annotated[
        str | None,  # as given: an empty value must reach folder_option, not become "."
        typer.Option(
            "--out-dir",
            "-d",
            metavar=N_("DIR"),
            help=N_(
                "Write one file per signer into this folder (made if missing; its parent must"
                " exist)."
            ),
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="eml|text|json|pdf",
            help=N_("File format for --out-dir: eml, text, json or pdf."),
        ),
    ] = "eml",
    mbox: Annotated[
        str | None,
        typer.Option(
            "--mbox",
            metavar=N_("FILE"),
            help=N_("Write every letter into one mailbox file (import as drafts)."),
        ),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            metavar=N_("FILE"),
            help=N_(
                "The CSV report of every row (default: report.csv in --out-dir, even with"
                " --mbox; else NAME.report.csv beside the mailbox NAME.mbox or the journal)."
            ),
        ),
    ] = None,
    campaign: Annotated[
        str | None,
        typer.Option("--campaign", "-c", help=N_("Campaign id (see: complainer campaigns).")),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", "-t", help=N_("Which letter, for rows that do not say.")),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", "-l", help=N_("Letter language, for rows that do not say.")),
    ] = None,
    argument: Annotated[
        list[str] | None,
        typer.Option(
            "--argument", "-a", help=N_("Argument id (repeatable), for rows that do not say.")
        ),
    ] = None,
    recommendation: Annotated[
        list[str] | None,
        typer.Option(
            "--recommendation",
            "-r",
            help=N_("Recommendation id (repeatable), for rows that do not say."),
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help=N_("The letters' date, YYYY-MM-DD (default: today)."))
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help=N_("Recipient address, for rows that do not say."))
    ] = None,
    to_name: Annotated[str | None, typer.Option("--to-name", help=N_("Recipient's name."))] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help=N_("Phrasing choice for the batch (default: from the campaign and file name).")
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help=N_(
                "Make an existing --mbox again, and replace a --mbox or --report file that"
                " batch did not make."
            ),
        ),
    ] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help=N_("Never ask questions."))] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help=N_("No progress or notes on stderr (row problems still show).")
        ),
    ] = False,
    campaigns_dir: options.CampaignsDir = None,
    send_now: options.Send = False,
    rate: Annotated[
        float,
        typer.Option(
            "--rate",
            metavar=N_("PER_MINUTE"),
            help=N_("With --send: at most this many messages a minute."),
            rich_help_panel=options.SENDING,
        ),
    ] = DEFAULT_RATE,
    journal: Annotated[
        str | None,
        typer.Option(
            "--journal",
            metavar=N_("FILE"),
            help=N_(
                "With --send: the record of what was sent, for resuming (default: SIGNERS.sent.jsonl)."
            ),
            rich_help_panel=options.SENDING,
        ),
    ] = None,
    resend_uncertain: Annotated[
        bool,
        typer.Option(
            "--resend-uncertain",
            help=N_(
                "With --send: send again the letters an interrupted run may or may not have sent."
            ),
            rich_help_panel=options.SENDING,
        ),
    ] = False,
    smtp_host: options.SmtpHost = None,
    smtp_port: options.SmtpPort = None,
    smtp_user: options.SmtpUser = None,
    tls: options.TlsMode = options.Tls.starttls,
    cafile: options.CaFile = None,
    timeout: options.Timeout = 30.0,
    yes: options.Yes = False,
    bcc_self: Annotated[
        bool,
        typer.Option(
            "--bcc-self",
            help=N_(
                "With --send: also deliver a copy of each letter to its signer's own address,"
                " its From: (the recipient does not see it)."
            ),
            rich_help_panel=options.SENDING,
        ),
    ] = False,
) -> None:
    """`complainer batch` (its help is the command's `help`, translated where it is shown)."""
    # Imported here, not at the top: `--help` imports every command's module and needs none of it.
    from complainer.delivery.files import file_option, folder_option
    from complainer.delivery.sending import SendOptions
    from complainer.flows.batch import BatchOptions, run
    from complainer.letter.request import DraftValues

    defaults = DraftValues(
        campaign=campaign, target=target, lang=lang, arguments=argument,
        recommendations=recommendation, date=date, to=to, to_name=to_name,
    )  # fmt: skip
    send = SendOptions(
        host=smtp_host, port=smtp_port, user=smtp_user, tls=tls, cafile=cafile,
        timeout=timeout, yes=yes, bcc_self=bcc_self, save=False,
    )  # fmt: skip
    code = run(
        BatchOptions(
            signers=signers, defaults=defaults, fmt=fmt,
            out_dir=None if out_dir is None else folder_option(out_dir, "--out-dir"),
            mbox=None if mbox is None else file_option(mbox, "--mbox"),
            send=send if send_now else None, rate=rate,
            report=None if report is None else file_option(report, "--report"),
            journal=None if journal is None else file_option(journal, "--journal"),
            resend_uncertain=resend_uncertain, force=force, seed=seed, no_input=no_input,
            quiet=quiet,
        ),
        campaigns_dir,
    )  # fmt: skip
    if code:
        raise typer.Exit(code)
