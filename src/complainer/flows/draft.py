"""The `draft` run, from given values to a delivered letter: ask or not, then print, write, open or send.

The command line only gathers the values (`DraftValues`) and how the letter is to be delivered
(`Delivery`); every decision about what happens next is made here, in one place.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from complainer import formats
from complainer.campaigns.registry import open_registry
from complainer.delivery.files import check_writable, write_private
from complainer.errors import UsageProblem
from complainer.formats.mailto import DEFAULT_LIMIT
from complainer.letter.request import DraftValues, build_letter, missing_flags, require_complete
from complainer.terminal import console

# The wizard (rich tables, prompts), the mail-client opener and SMTP sending are imported where a
# run uses them: a letter printed from a script pays for none of them.
if TYPE_CHECKING:
    from complainer.campaigns.model import Campaign
    from complainer.delivery import sending


@dataclass(frozen=True)
class Delivery:
    """Where the letter goes besides stdout or `--out` (those are in DraftValues).

    `send` holds the SMTP options when the letter is to be sent now; `mailto_limit` is the longest
    mailto: link to open, in characters.
    """

    open: bool = False
    send: sending.SendOptions | None = None
    mailto_limit: int = DEFAULT_LIMIT
    no_input: bool = False
    quiet: bool = False


def campaign_notes(campaign: Campaign) -> list[str]:
    """What a writer should know before using `campaign` (shown on stderr, in English)."""
    notes = []
    if campaign.status == "closed":
        status_note = campaign.lang("en").campaign().text("status_note")
        alt = f" (--campaign {campaign.alternative})" if campaign.alternative else ""
        notes.append(f"campaign {campaign.id} is closed{alt}. {status_note}")
    return notes


def wants_questions(values: DraftValues, no_input: bool) -> bool:
    """Whether `draft` should ask: a person at a terminal, asking allowed, something missing."""
    return not no_input and sys.stdin.isatty() and bool(missing_flags(values))


def run(values: DraftValues, delivery: Delivery, campaigns_dirs: Sequence[Path] | None) -> None:
    """Compose the letter `values` describe and deliver it as `delivery` says.

    Asks for what is missing when a person is at a terminal (the wizard), else takes everything
    from `values`. Raises UsageProblem for bad or missing values and DeliveryError when writing,
    opening or sending fails; nothing is written before the letter is complete.
    """
    if delivery.open and delivery.send is not None:
        raise UsageProblem("give either --open or --send, not both")
    fmt_name = formats.format_for(values.fmt, values.out)
    out_path = Path(values.out) if values.out and values.out != "-" else None
    if out_path is not None:
        check_writable(out_path, values.force)
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
    letter = build_letter(values, campaign)
    for warning in letter.warnings:
        console.warn(warning)
    if delivery.send is not None:
        from complainer.delivery import sending

        sending.send_letter(letter, delivery.send, no_input=delivery.no_input, quiet=delivery.quiet)
    if delivery.open or fmt_name == "mailto":
        from complainer.delivery import mailclient

        if delivery.open:
            mailclient.open_letter(letter, delivery.mailto_limit, quiet=delivery.quiet)
        if fmt_name == "mailto":
            mailclient.warn_if_long(letter, delivery.mailto_limit)
    if (delivery.open or delivery.send is not None) and values.fmt is None and values.out is None:
        return  # delivered; print only what was asked for
    data = formats.render(letter, fmt_name)
    if out_path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_private(out_path, data, force=values.force)
        if not delivery.quiet:
            console.note(f"saved {fmt_name} to {out_path}")
