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
from complainer.i18n import _, ngettext
from complainer.letter.compose import Letter
from complainer.terminal import console


@dataclass(frozen=True)
class Handoff:
    """How the letter reached the mail client: `opened` or not, the draft saved, if any, and
    (when nothing opened) the plain-text copy and what went wrong."""

    opened: bool
    draft: Path | None = None
    text: Path | None = None
    problem: str = ""


def too_long(url: str, limit: int) -> str:
    """Why a mailto: link is not used, or "" when it fits within `limit`."""
    if len(url) <= limit:
        return ""
    return ngettext(
        "the letter is too long for a mailto: link ({length} character; the safe limit is {limit})",
        "the letter is too long for a mailto: link ({length} characters; the safe limit is {limit})",
        len(url),
    ).format(length=len(url), limit=limit)


def open_letter(
    letter: Letter,
    limit: int,
    quiet: bool = False,
    attachment: Attachment | None = None,
    explain: bool = True,
) -> Handoff:
    """Open `letter` in the mail client: a mailto: link, else an .eml draft (always a draft with
    `attachment`); when neither opens, keep the letter as files.

    With `explain` (the wizard), every failure is told as it happens and the fields to paste are
    shown; without it (--open), nothing is said about a failure: the caller reports it once.
    """
    url = mailto_url(letter)
    why = too_long(url, limit)
    if attachment is not None:
        why = _("a mailto: link cannot carry an attachment (the PDF)")
    if not why:
        opened = open_target(url)
        if opened.ok:
            if not quiet:
                console.note(
                    _(
                        "opened a new message to {address} in your mail client (with "
                        "{launcher}); check it, then send it from there"
                    ).format(address=letter.recipient.email, launcher=opened.launcher)
                )
            return Handoff(opened=True)
        if explain:
            console.warn(
                _("could not open the mailto: link: {problem}").format(problem=opened.problem)
            )
        why = _("the mailto: link did not open")
    draft = store.save(letter, to_eml(letter, attachment=attachment), store.DRAFTS)
    if not quiet:
        console.note(
            _("{why}, so it is saved as an email draft: {path}").format(why=why, path=draft)
        )
    opened = open_target(str(draft))
    if opened.ok:
        if not quiet:
            console.note(
                _(
                    "opened the draft in your mail client (with {launcher}); it is marked unsent: "
                    "check it, then send it (if it shows as a received message, use Edit as New "
                    "or Send Again)"
                ).format(launcher=opened.launcher)
            )
        return Handoff(opened=True, draft=draft)
    text = store.save(letter, to_text(letter), store.DRAFTS, suffix=".txt", beside=draft)
    if explain:
        console.warn(_("could not open the draft: {problem}").format(problem=opened.problem))
        copy_by_hand(letter, draft, text)
    return Handoff(opened=False, draft=draft, text=text, problem=opened.problem)


def nothing_opened(letter: Letter, handoff: Handoff) -> str:
    """The one line --open ends with when no mail client opened: why, where the letter is, and
    what to do instead."""
    return _(
        "could not open a mail client: {problem}. The letter is saved in {draft} and as text in "
        "{text}: open the draft with your mail client, or paste the text into your webmail "
        "(complainer draft without --open walks you through it)"
    ).format(problem=handoff.problem, draft=handoff.draft, text=handoff.text)


def copy_by_hand(letter: Letter, draft: Path, text: Path) -> None:
    """Nothing opened: where the letter is, and what to paste into a new message."""
    console.warn(
        _(
            "the letter is saved as an email draft in {draft} and as plain text in {text}; open "
            "the draft with your mail client, or paste the text into a new message (the menu's "
            "webmail choice copies each part for you):"
        ).format(draft=draft, text=text)
    )
    rows = [(_("To:"), letter.recipient.email), (_("Subject:"), letter.subject)]
    width = max(len(label) for label, _value in rows) + 1
    for label, value in rows:
        console.err.print(
            f"  {label:<{width}}{value}", markup=False, highlight=False, soft_wrap=True
        )


def warn_if_long(letter: Letter, limit: int) -> None:
    """For --format mailto: a link longer than `limit` may do nothing when clicked."""
    why = too_long(mailto_url(letter), limit)
    if why:
        console.warn(
            _("{why}; it may not open everywhere (--open saves an .eml draft instead)").format(
                why=why
            )
        )
