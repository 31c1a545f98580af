"""`complainer draft`: its options, and a call to the draft run (complainer.flows.draft)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from complainer.cli import options
from complainer.cli.app import UiLang, command_app
from complainer.formats.mailto import DEFAULT_LIMIT
from complainer.i18n import N_

DRAFT_EXAMPLES = N_("""
[bold]Examples[/bold]

  complainer draft    [dim]# answer a few questions[/dim]

  complainer draft --name "Anna Schmidt" --country DE --lang en --out letter.eml --no-input

  complainer draft --name "Анна Шмидт" --country Germany --lang ru -a iccpr-19 -a iccpr-26 > letter.txt

  complainer draft --name "Anna Schmidt" --country DE --format json | jq .subject

  complainer draft --name "Anna Schmidt" --country DE --address "Musterstraße 1" --address "10115 Berlin" --lang ru --signature-image sig.png --out letter.pdf --no-input
""")

app = command_app()


@app.command(
    help=N_("Write a letter: asks what it needs in a terminal, or takes it all from flags."),
    epilog=DRAFT_EXAMPLES,
)
def draft(
    name: Annotated[str | None, typer.Option(help=N_("Your full name, as you sign."))] = None,
    country: Annotated[
        str | None, typer.Option(help=N_("Where you live: ISO code (DE) or name (Germany)."))
    ] = None,
    city: Annotated[str | None, typer.Option(help=N_("Your city (optional)."))] = None,
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", "--organization", help=N_("Your organisation (optional).")),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", "--from", help=N_("Your email address (goes into From:; needed to send).")
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            "-l",
            help=N_(
                "Letter language: code or name (en, ru, русский, kk, қазақша). Default: the recipient's."
            ),
        ),
    ] = None,
    campaign: Annotated[
        str | None,
        typer.Option("--campaign", "-c", help=N_("Campaign id (see: complainer campaigns).")),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target", "-t", help=N_("Which letter of the campaign (default: to the authority).")
        ),
    ] = None,
    argument: Annotated[
        list[str] | None,
        typer.Option(
            "--argument",
            "-a",
            help=N_(
                "Argument id (repeatable; default: the recommended set). See: complainer arguments."
            ),
        ),
    ] = None,
    recommendation: Annotated[
        list[str] | None,
        typer.Option(
            "--recommendation",
            "-r",
            help=N_("Recommendation id (repeatable; default: the recommended set)."),
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option(help=N_("A personal paragraph in your own words."))
    ] = None,
    note_file: Annotated[
        Path | None, typer.Option(help=N_("Read the personal paragraph from a file ('-' = stdin)."))
    ] = None,
    date: Annotated[
        str | None, typer.Option(help=N_("The letter's date, YYYY-MM-DD (default: today)."))
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help=N_("Phrasing choice (default: derived from your name, country and the date).")
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help=N_("Recipient address, for letters without a fixed one (or to override it)."),
        ),
    ] = None,
    to_name: Annotated[
        str | None,
        typer.Option("--to-name", help=N_("Recipient's name: a person's, or an institution's.")),
    ] = None,
    to_kind: Annotated[
        str | None,
        typer.Option(
            "--to-kind",
            help=N_(
                "person (greeted by name) or institution (a generic greeting). Default: from"
                " --to-name (Office, Ministry, Embassy… mean an institution)."
            ),
        ),
    ] = None,
    with_translation: Annotated[
        str | None,
        typer.Option(
            "--with-translation",
            help=N_("Append the same letter in this language too, marked as a translation."),
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="text|eml|json|mailto|pdf",
            help=N_(
                "Output format (default: from --out's extension, else text); it must agree"
                " with --out's extension."
            ),
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help=N_(
                "Write to this file instead of stdout ('-' = stdout). Its extension sets the"
                " format: .txt, .eml, .json or .pdf; a name without one is text."
            ),
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=N_("Overwrite --out if it exists."))
    ] = False,
    no_input: Annotated[
        bool,
        typer.Option("--no-input", help=N_("Never ask questions; fail if something is missing.")),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help=N_("No notes on stderr (warnings still show)."))
    ] = False,
    campaigns_dir: options.CampaignsDir = None,
    ui_lang: UiLang = None,
    open_: options.Open = False,
    mailto_limit: options.MailtoLimit = DEFAULT_LIMIT,
    send_now: options.Send = False,
    smtp_host: options.SmtpHost = None,
    smtp_port: options.SmtpPort = None,
    smtp_user: options.SmtpUser = None,
    tls: options.TlsMode = options.Tls.starttls,
    cafile: options.CaFile = None,
    timeout: options.Timeout = 30.0,
    yes: options.Yes = False,
    bcc_self: options.BccSelf = False,
    no_save: options.NoSave = False,
    address: options.Address = None,
    iin: options.Iin = None,
    signature_image: options.SignatureImage = None,
    sign_p12: options.SignP12 = None,
    attach_pdf: options.AttachPdf = False,
) -> None:
    """`complainer draft` (its help is the command's `help`, translated where it is shown)."""
    # Imported here, not at the top: `send` and `--help` import this module and need none of it.
    from complainer.flows.draft import Delivery, run
    from complainer.letter.request import DraftValues

    values = DraftValues(
        campaign=campaign, target=target, name=name, country=country, city=city,
        organisation=organisation, email=email, lang=lang, arguments=argument,
        recommendations=recommendation, note=note, note_file=note_file, date=date, seed=seed,
        to=to, to_name=to_name, to_kind=to_kind, fmt=fmt, out=out, force=force,
        with_translation=with_translation, address=address, iin=iin,
        signature_image=signature_image,
    )  # fmt: skip
    send_options = None
    if send_now:  # smtplib, ssl and the sending code only for a letter that is sent
        from complainer.delivery.sending import SendOptions

        send_options = SendOptions(
            host=smtp_host, port=smtp_port, user=smtp_user, tls=tls, cafile=cafile,
            timeout=timeout, yes=yes, bcc_self=bcc_self, save=not no_save,
        )  # fmt: skip
    delivery = Delivery(
        open=open_,
        send=send_options,
        mailto_limit=mailto_limit,
        no_input=no_input,
        quiet=quiet,
        attach_pdf=attach_pdf,
        sign_p12=sign_p12,
    )
    run(values, delivery, campaigns_dir)
