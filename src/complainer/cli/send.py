"""`complainer send`: `draft --send` under its own name, with draft's options less those it fixes."""

from __future__ import annotations

import inspect
from typing import Any

from complainer.cli import options
from complainer.cli.app import command_app
from complainer.cli.draft import draft
from complainer.i18n import N_

SEND_HELP = N_(
    "Send the letter over SMTP (TLS): shows it, asks to confirm, keeps a copy.\n\n"
    "Takes the same options as draft; --from, --smtp-host (and usually --smtp-user) are needed."
    " A copy of each sent letter is kept in your data folder (sent/); a letter that fails to send"
    " is kept as a draft (drafts/) and the error says where."
)
SEND_EXAMPLES = N_("""
[bold]Examples[/bold]

  export COMPLAINER_SMTP_HOST=smtp.example.org COMPLAINER_SMTP_USER=anna@example.org

  complainer send --name "Anna Schmidt" --country DE --from anna@example.org --bcc-self

  complainer send --name "Anna Schmidt" --country DE --from anna@example.org --yes
""")


def send(**options: Any) -> None:
    """`complainer send`: `draft` with send_now (its help is SEND_HELP)."""
    draft(**options, send_now=True)


app = command_app()

# `send` is `draft --send`: the same options (read from draft's signature), less those it fixes.
send.__signature__ = options.without(  # type: ignore[attr-defined]
    inspect.signature(draft, eval_str=True), "send_now", "open_", "mailto_limit"
)
app.command(help=SEND_HELP, epilog=SEND_EXAMPLES)(send)
