"""Copy the letter into a webmail page (Gmail, Outlook.com, Yandex, Mail.ru …), one field at a time.

Most supporters write from a browser, not a desktop mail client: they need the recipient, the
subject and the body, each ready to paste. Each is put on the clipboard through pyperclip (which
uses the system's own tool: pbcopy, wl-copy, xclip, xsel, the Windows clipboard); where there is
none (a server, a bare terminal), the three parts are shown and also saved in one private text
file in the person's drafts folder, to copy from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.rule import Rule
from rich.text import Text

from complainer.delivery import store
from complainer.i18n import N_, _
from complainer.letter.compose import Letter
from complainer.terminal import console
from complainer.terminal.prompts import QuitRequested, ask, say


@dataclass(frozen=True)
class Field:
    label: str  # marked with N_, translated when shown
    value: str


def fields(letter: Letter) -> list[Field]:
    """What a webmail form asks for, in its order: recipient, subject, body."""
    return [
        Field(N_("Recipient (To)"), letter.recipient.email),
        Field(N_("Subject"), letter.subject),
        Field(N_("Message"), letter.body.rstrip("\n")),
    ]


def clipboard() -> Callable[[str], None] | None:
    """A function that puts text on the system clipboard, or None where there is no clipboard."""
    try:
        import pyperclip
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    # pyperclip finds the system's tool without touching the clipboard; where there is none it
    # hands back a stand-in that raises when called.
    copy, _paste = pyperclip.determine_clipboard()
    if type(copy).__name__ == "ClipboardUnavailable":
        return None

    def put(text: str) -> None:
        try:
            copy(text)
        except pyperclip.PyperclipException as exc:
            raise ClipboardFailed(str(exc)) from exc

    return put


class ClipboardFailed(Exception):
    """The clipboard tool is there but did not take the text."""


def fallback_file(letter: Letter) -> Path:
    """The three parts in one private text file in the drafts folder (to copy from by hand)."""
    parts = [f"{_(f.label)}:\n{f.value}\n" for f in fields(letter)]
    data = ("\n".join(parts)).encode("utf-8")
    return store.save(letter, data, store.DRAFTS, suffix="-webmail.txt")


def copy_into_webmail(letter: Letter) -> bool:
    """Walk the person through pasting the letter into webmail; True when they got to the end."""
    copy = clipboard()
    say()
    say(_("Open your webmail in the browser and start a new message."), style="bold")
    saved: Path | None = None
    if copy is None:
        path = saved = fallback_file(letter)
        say(
            _(
                "There is no clipboard here that complainer can use, so select each part below "
                "and copy it yourself. All three are also in {path}."
            ).format(path=path)
        )
    for n, field in enumerate(fields(letter), 1):
        label = _(field.label)
        say()
        console.err.print(Rule(f"{n}/3  {label}", style="none"))
        # Unwrapped: the terminal wraps it, and what is copied keeps the letter's own lines.
        console.err.print(Text(field.value), soft_wrap=True)
        console.err.print(Rule(style="none"))
        if copy is not None:
            try:
                copy(field.value)
            except ClipboardFailed:
                copy = None
                saved = fallback_file(letter)
                say(
                    _("The clipboard did not take it; all three parts are in {path}.").format(
                        path=saved
                    )
                )
        if copy is not None:
            say(_("{label} is on the clipboard: paste it into the message.").format(label=label))
        else:
            say(_("Copy this into the message's field: {label}.").format(label=label))
        try:
            ask(_("Enter when done (q: stop)"))
        except QuitRequested:
            if saved is None:
                raise  # nothing was written: the wizard says so
            say(_("Stopped. The three parts stay in {path}.").format(path=saved))
            raise typer.Exit(0) from None
    say()
    say(_("Check the message in your webmail, then send it from there."))
    return True
