"""Put the letter in front of the person in their mail client: a mailto: link, else an .eml draft.

Every step is told on stderr; nothing the person wrote is lost: when neither can be opened, the
letter stays in their data folder and the recipient and subject are shown for copy and paste.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from complainer.delivery import store
from complainer.delivery.opener import open_target
from complainer.formats.eml import Attachment, to_eml
from complainer.formats.mailto import mailto_url
from complainer.formats.text import to_text
from complainer.letter.compose import Letter
from complainer.terminal import console


@dataclass(frozen=True)
class Handoff:
    """How the letter reached the mail client: `opened` or not, and the draft saved, if any."""

    opened: bool
    draft: Path | None = None


def too_long(url: str, limit: int) -> str:
    """Why a mailto: link is not used, or "" when it fits within `limit`."""
    if len(url) <= limit:
        return ""
    return (
        f"the letter is too long for a mailto: link ({len(url)} characters;"
        f" the safe limit is {limit})"
    )


def open_letter(
    letter: Letter, limit: int, quiet: bool = False, attachment: Attachment | None = None
) -> Handoff:
    """Open `letter` in the mail client; with `attachment`, always as an .eml draft."""
    url = mailto_url(letter)
    why = too_long(url, limit)
    if attachment is not None:
        why = "a mailto: link cannot carry an attachment (the PDF)"
    if not why:
        opened = open_target(url)
        if opened.ok:
            if not quiet:
                console.note(
                    f"opened a new message to {letter.recipient.email} in your mail client"
                    f" (with {opened.launcher}); check it, then send it from there"
                )
            return Handoff(opened=True)
        console.warn(f"could not open the mailto: link: {opened.problem}")
        why = "the mailto: link did not open"
    draft = store.save(letter, to_eml(letter, attachment=attachment), store.DRAFTS)
    if not quiet:
        console.note(f"{why}, so it is saved as an email draft: {draft}")
    opened = open_target(str(draft))
    if opened.ok:
        if not quiet:
            console.note(
                f"opened the draft in your mail client (with {opened.launcher}); it is marked"
                " unsent: check it, then send it (if it shows as a received message, use"
                " Edit as New or Send Again)"
            )
        return Handoff(opened=True, draft=draft)
    console.warn(f"could not open the draft: {opened.problem}")
    copy_by_hand(letter, draft)
    return Handoff(opened=False, draft=draft)


def copy_by_hand(letter: Letter, draft: Path) -> None:
    """Nothing opened: where the letter is, and what to paste into a new message."""
    text = store.save(letter, to_text(letter), store.DRAFTS, suffix=".txt", beside=draft)
    console.warn(
        f"the letter is saved as an email draft in {draft} and as plain text in {text};"
        " open the draft with your mail client, or paste the text into a new message:"
    )
    console.err.print(
        f"  To:      {letter.recipient.email}", markup=False, highlight=False, soft_wrap=True
    )
    console.err.print(f"  Subject: {letter.subject}", markup=False, highlight=False, soft_wrap=True)


def warn_if_long(letter: Letter, limit: int) -> None:
    """For --format mailto: a link longer than `limit` may do nothing when clicked."""
    why = too_long(mailto_url(letter), limit)
    if why:
        console.warn(f"{why}; it may not open everywhere (--open saves an .eml draft instead)")
