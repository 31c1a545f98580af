"""Options that several commands share, declared once (Typer annotations): campaign folders and delivery.

Declaring an option imports nothing heavy: every command is registered on each run, so what the
declarations import is paid by `complainer --version` and by every letter.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated

import typer

from complainer.delivery.tls import Tls as Tls  # re-exported: the default of --tls
from complainer.formats.mailto import LIMIT_ENV
from complainer.i18n import N_

CampaignsDir = Annotated[
    list[Path] | None,
    typer.Option(
        "--campaigns-dir",
        help=N_(
            "Also load campaign folders from PATH (repeatable; or set COMPLAINER_CAMPAIGNS_DIR)."
        ),
        metavar=N_("PATH"),
    ),
]

DELIVERY = N_("Delivery")
SENDING = N_("Sending (complainer send)")

Open = Annotated[
    bool,
    typer.Option(
        "--open",
        help=N_(
            "Open the letter in your mail client: a mailto: link, or an .eml draft when the"
            " letter is too long for one or the link does not open. Prints nothing unless --format"
            " or --out asks for it."
        ),
        rich_help_panel=DELIVERY,
    ),
]
MailtoLimit = Annotated[
    int,
    typer.Option(
        "--mailto-limit",
        min=1,
        metavar="N",
        envvar=LIMIT_ENV,
        help=N_(
            "Longest mailto: link to open, in characters; a longer letter opens as an .eml draft."
        ),
        rich_help_panel=DELIVERY,
    ),
]
Send = Annotated[
    bool,
    typer.Option(
        "--send",
        help=N_("Send the letter now over SMTP (as: complainer send)."),
        rich_help_panel=SENDING,
    ),
]
SmtpHost = Annotated[
    str | None,
    typer.Option(
        "--smtp-host",
        metavar=N_("HOST"),
        envvar="COMPLAINER_SMTP_HOST",
        help=N_("Your mail provider's SMTP server."),
        rich_help_panel=SENDING,
    ),
]
SmtpPort = Annotated[
    int | None,
    typer.Option(
        "--smtp-port",
        min=1,
        max=65535,
        metavar=N_("PORT"),
        envvar="COMPLAINER_SMTP_PORT",
        help=N_("Default: 587 with STARTTLS, 465 with --tls ssl."),
        rich_help_panel=SENDING,
    ),
]
SmtpUser = Annotated[
    str | None,
    typer.Option(
        "--smtp-user",
        metavar=N_("USER"),
        envvar="COMPLAINER_SMTP_USER",
        help=N_(
            "Login name. The password is read from COMPLAINER_SMTP_PASSWORD or asked for"
            " (hidden); it is never a flag and never stored."
        ),
        rich_help_panel=SENDING,
    ),
]
TlsMode = Annotated[
    Tls,
    typer.Option(
        "--tls",
        case_sensitive=False,
        envvar="COMPLAINER_SMTP_TLS",
        help=N_("starttls (port 587) or ssl (implicit TLS, port 465). Never unencrypted."),
        rich_help_panel=SENDING,
    ),
]
CaFile = Annotated[
    Path | None,
    typer.Option(
        "--cafile",
        exists=True,
        dir_okay=False,
        metavar=N_("PEM"),
        envvar="COMPLAINER_SMTP_CAFILE",
        help=N_("Trust only the CA certificates in this file (default: the system's)."),
        rich_help_panel=SENDING,
    ),
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=1,
        metavar=N_("SECONDS"),
        help=N_("Give up on a server that does not answer for this long."),
        rich_help_panel=SENDING,
    ),
]
Yes = Annotated[
    bool,
    typer.Option(
        "--yes",
        "-y",
        help=N_("Send without asking to confirm (for scripts)."),
        rich_help_panel=SENDING,
    ),
]
BccSelf = Annotated[
    bool,
    typer.Option(
        "--bcc-self",
        help=N_("Also deliver a copy to your own --from address (the recipient does not see it)."),
        rich_help_panel=SENDING,
    ),
]
NoSave = Annotated[
    bool,
    typer.Option(
        "--no-save",
        help=N_(
            "Keep no copy of the sent letter (a letter that fails to send is still kept as a"
            " draft)."
        ),
        rich_help_panel=SENDING,
    ),
]


def without(signature: inspect.Signature, *names: str) -> inspect.Signature:
    """`signature` less the parameters `names` (a command that fixes them, such as `send`)."""
    kept = [p for p in signature.parameters.values() if p.name not in names]
    return signature.replace(parameters=kept)


LETTER_PDF = N_("Formal letter, PDF and signature")

Address = Annotated[
    list[str] | None,
    typer.Option(
        "--address",
        metavar=N_("LINE"),
        help=N_(
            "Your postal address, one line per --address (repeatable). It goes only into the"
            " letter; without it, a formal appeal to the Ministry may not be considered."
        ),
        rich_help_panel=LETTER_PDF,
    ),
]
Iin = Annotated[
    str | None,
    typer.Option(
        "--iin",
        metavar=N_("DIGITS"),
        help=N_(
            "Residents of Kazakhstan: your 12-digit IIN, if you want it in the letter (optional)."
        ),
        rich_help_panel=LETTER_PDF,
    ),
]
SignatureImage = Annotated[
    Path | None,
    typer.Option(
        "--signature-image",
        metavar=N_("PATH"),
        help=N_(
            "A PNG or JPEG of your handwritten signature, set above your name in the PDF."
            " Without it the PDF has a line to sign on after printing."
        ),
        rich_help_panel=LETTER_PDF,
    ),
]
SignP12 = Annotated[
    Path | None,
    typer.Option(
        "--sign-p12",
        metavar=N_("PATH"),
        help=N_(
            "Sign the PDF electronically (PAdES) with the certificate in this PKCS#12 file"
            " (needs: pip install 'complainer\\[sign]'). The password is read from"
            " COMPLAINER_P12_PASSWORD or asked for (hidden); it is never a flag."
        ),
        rich_help_panel=LETTER_PDF,
    ),
]
AttachPdf = Annotated[
    bool,
    typer.Option(
        "--attach-pdf",
        help=N_("Attach the letter as a PDF to the e-mail (.eml draft, --open, send)."),
        rich_help_panel=LETTER_PDF,
    ),
]
