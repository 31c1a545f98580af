"""The `draft` run, from given values to a delivered letter: ask or not, then print, write, open or send.

The command line only gathers the values (`DraftValues`) and how the letter is to be delivered
(`Delivery`); every decision about what happens next is made here, in one place.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from complainer import formats
from complainer.campaigns.registry import open_registry
from complainer.delivery.files import check_writable, file_option, write_private
from complainer.errors import DeliveryError, StdoutFailed, UsageProblem
from complainer.formats.mailto import DEFAULT_LIMIT
from complainer.i18n import _
from complainer.i18n import language as ui_language
from complainer.letter.request import DraftValues, build_letter, missing_flags, require_complete
from complainer.terminal import console

# The wizard (rich tables, prompts), the mail-client opener, SMTP sending, PDF signing and
# attachments are imported where a run uses them: a letter printed from a script pays for none.
if TYPE_CHECKING:
    from complainer.campaigns.model import Campaign
    from complainer.delivery import sending
    from complainer.delivery.signing import Signer
    from complainer.letter.compose import Letter


class Delivery(NamedTuple):
    """Where the letter goes besides stdout or `--out` (those are in DraftValues).

    `send` holds the SMTP options when the letter is to be sent now; `mailto_limit` is the longest
    mailto: link to open, in characters.
    """

    open: bool = False
    send: sending.SendOptions | None = None
    mailto_limit: int = DEFAULT_LIMIT
    no_input: bool = False
    quiet: bool = False
    attach_pdf: bool = False  # the e-mail (.eml, --open, --send) carries the PDF
    sign_p12: Path | None = None  # sign the PDF with this PKCS#12 certificate (PAdES)


def campaign_notes(campaign: Campaign) -> list[str]:
    """What a writer should know before using `campaign` (on stderr, in the interface language)."""
    notes = []
    if campaign.status == "closed":
        status_note = campaign.lang(ui_language()).campaign().text("status_note")
        if campaign.alternative:
            notes.append(
                _("campaign {campaign} is closed (see --campaign {alternative}). {note}").format(
                    campaign=campaign.id, alternative=campaign.alternative, note=status_note
                )
            )
        else:
            notes.append(
                _("campaign {campaign} is closed. {note}").format(
                    campaign=campaign.id, note=status_note
                )
            )
    return notes


def wants_questions(values: DraftValues, no_input: bool) -> bool:
    """Whether `draft` should ask: a person at a terminal, asking allowed, something missing."""
    return not no_input and sys.stdin.isatty() and bool(missing_flags(values))


def check_pdf_options(fmt_name: str, values: DraftValues, delivery: Delivery) -> None:
    """Refuse PDF options that would do nothing, before any work (UsageProblem)."""
    emailed = delivery.attach_pdf and (
        fmt_name == "eml" or delivery.open or delivery.send is not None
    )
    if delivery.attach_pdf and not emailed:
        raise UsageProblem(
            _(
                "--attach-pdf attaches the PDF to an e-mail: use it with --format eml"
                " (or --out FILE.eml), --open or --send"
            )
        )
    pdf = fmt_name == "pdf" or delivery.attach_pdf
    for flag, given in (
        ("--signature-image", values.signature_image is not None),
        ("--sign-p12", delivery.sign_p12 is not None),
    ):
        if given and not pdf:
            raise UsageProblem(
                _(
                    "{flag} signs the PDF letter: add --format pdf (or --out FILE.pdf)"
                    " or --attach-pdf"
                ).format(flag=flag)
            )


def signed_as_delivered(fmt_name: str, values: DraftValues, delivery: Delivery) -> bool:
    """Whether the letter reaches the addressee signed: with a signature image or certificate,
    or as a PDF for the writer to print and sign (not one that goes straight into an e-mail)."""
    if values.signature_image is not None or delivery.sign_p12 is not None:
        return True
    return fmt_name == "pdf" and not (
        delivery.attach_pdf or delivery.open or delivery.send is not None
    )


def pdf_letter(letter: Letter, signer: Signer | None) -> bytes:
    """The PDF of `letter`, signed with `signer`'s certificate when there is one."""
    data = formats.render(letter, "pdf")
    if signer is None:
        return data
    from complainer.delivery.signing import sign_pdf

    return sign_pdf(data, signer)


def pdf_notes(letter: Letter, signer: Signer | None, fmt_name: str) -> list[str]:
    """What the writer should know about the PDF's signature (stderr notes)."""
    notes = []
    if signer is not None:
        notes.append(
            _("the PDF is signed electronically (PAdES) as {subject}").format(
                subject=signer.subject
            )
        )
    elif letter.signature_image is None and fmt_name == "pdf":
        notes.append(
            _(
                "the PDF has a line above your name to sign by hand: print it, sign it, then post"
                " it or send a scan (or give --signature-image PATH or --sign-p12 PATH)"
            )
        )
    return notes


def run(values: DraftValues, delivery: Delivery, campaigns_dirs: Sequence[Path] | None) -> None:
    """Compose the letter `values` describe and deliver it as `delivery` says.

    Asks for what is missing when a person is at a terminal (the wizard), else takes everything
    from `values`. Raises UsageProblem for bad or missing values and DeliveryError when writing,
    opening or sending fails; nothing is written before the letter is complete.
    """
    if delivery.open and delivery.send is not None:
        raise UsageProblem(_("give either --open or --send, not both"))
    out_path = file_option(values.out, "--out") if values.out not in (None, "-") else None
    fmt_name = formats.format_for(values.fmt, values.out)
    if out_path is not None:
        check_writable(out_path, values.force)
    check_pdf_options(fmt_name, values, delivery)
    if fmt_name in formats.BINARY and out_path is None and sys.stdout.isatty():
        raise UsageProblem(
            _(
                "the {format} format is not for the terminal: give --out letter.{extension}"
                " or redirect the output to a file"
            ).format(format=fmt_name.upper(), extension=fmt_name)
        )
    # Sending takes its values from flags.
    asking = wants_questions(values, delivery.no_input or delivery.send is not None)
    if not asking:
        require_complete(values)  # before loading anything: a script learns it at once
    registry = open_registry(campaigns_dirs)
    campaign = registry.load(values.campaign or registry.default_id())
    if asking:
        from complainer.flows import wizard

        wizard.run(values, campaign, delivery.mailto_limit)
        return
    if not delivery.quiet:
        for line in campaign_notes(campaign):
            console.note(line)
    signed = signed_as_delivered(fmt_name, values, delivery)
    letter = build_letter(values, campaign, signed=signed)
    # After the letter is known to be complete, before anything is written: the password.
    signer = None
    if delivery.sign_p12:
        from complainer.delivery.signing import open_signer

        signer = open_signer(delivery.sign_p12, delivery.no_input)
    for warning in letter.warnings:
        console.warn(warning)
    pdf = pdf_letter(letter, signer) if fmt_name == "pdf" or delivery.attach_pdf else None
    if not delivery.quiet:
        for line in pdf_notes(letter, signer, fmt_name):
            console.note(line)
    attachment = None
    if delivery.attach_pdf and pdf is not None:
        from complainer.formats.eml import Attachment
        from complainer.formats.pdf import attachment_name as pdf_attachment_name

        attachment = Attachment(pdf_attachment_name(letter), pdf)
    if delivery.send is not None:
        from complainer.delivery import sending

        sending.send_letter(
            letter,
            delivery.send,
            no_input=delivery.no_input,
            quiet=delivery.quiet,
            attachment=attachment,
        )
    if delivery.open or fmt_name == "mailto":
        from complainer.delivery import mailclient

        if delivery.open:
            handoff = mailclient.open_letter(
                letter,
                delivery.mailto_limit,
                quiet=delivery.quiet,
                attachment=attachment,
                explain=False,
            )
            if not handoff.opened:
                # README, exit codes: a delivery that failed is 1, with one line saying what to do.
                raise DeliveryError(mailclient.nothing_opened(letter, handoff))
        if fmt_name == "mailto":
            mailclient.warn_if_long(letter, delivery.mailto_limit)
    if (delivery.open or delivery.send is not None) and values.fmt is None and values.out is None:
        return  # delivered; print only what was asked for
    if fmt_name == "pdf" and pdf is not None:
        data = pdf
    elif fmt_name == "eml" and attachment is not None:
        from complainer.formats.eml import to_eml

        data = to_eml(letter, attachment=attachment)
    else:
        data = formats.render(letter, fmt_name)
    if out_path is None:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutFailed(exc) from None
    else:
        write_private(out_path, data, force=values.force)
        if not delivery.quiet:
            console.note(_("saved {format} to {path}").format(format=fmt_name, path=out_path))
