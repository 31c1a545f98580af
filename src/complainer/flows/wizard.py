"""The interactive `complainer draft`: questions, a preview, then what to do with the letter.

Everything here talks on stderr (console.err); stdout receives only the letter, and only when the person
chooses to print it, so `complainer draft > letter.txt` works while it asks. Ctrl-C or end of input
at any question raises typer.Abort (see terminal.prompts), which cli.app.main reports as "Cancelled." (exit 130);
nothing is written before the person picks "save".
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from complainer import formats
from complainer.campaigns.model import Campaign
from complainer.delivery import mailclient
from complainer.delivery.files import write_private
from complainer.errors import ComplainerError
from complainer.letter import request
from complainer.letter.compose import Letter
from complainer.letter.locales import language_name, long_date
from complainer.terminal import console, picker, questions
from complainer.terminal.prompts import ask, confirm, say
from complainer.terminal.tables import days_left

UI_LANG = picker.UI_LANG


@dataclass
class Session:
    """One run of the wizard: what the actions work with."""

    campaign: Campaign
    values: request.DraftValues
    day: dt.date
    letter: Letter
    mailto_limit: int


# What an action asks for next: leave the wizard, go back to the choices, or show the menu again.
Next = Literal["done", "edit", "menu"]


@dataclass(frozen=True)
class Action:
    key: str  # one letter, typed at the menu
    label: str
    run: Callable[[Session], Next]


def _print(session: Session) -> Next:
    fmt = formats.format_for(session.values.fmt, None)
    sys.stdout.buffer.write(formats.render(session.letter, fmt))
    sys.stdout.flush()
    if not sys.stdout.isatty():
        say("The letter went to standard output.")
    return "done"


def _save_format(path: Path, fmt: str | None) -> str:
    """--format if given; else the extension decides (.txt, .json), and anything else is .eml."""
    if fmt is not None:
        return fmt
    return {".txt": "text", ".json": "json"}.get(path.suffix.lower(), "eml")


def _save(session: Session) -> Next:
    letter, values = session.letter, session.values
    proposed = values.out or f"complaint-{letter.campaign}-{letter.language}.eml"
    while True:
        path = Path(ask("Save to", default=proposed)).expanduser()
        if path.is_dir():
            say(f"{path} is a folder; give a file name.")
            continue
        if not path.parent.is_dir():
            say(f"The folder {path.parent} does not exist; choose another path.")
            continue
        force = values.force
        if path.exists() and not force:
            if not confirm(f"{path} already exists. Replace it?", default=False):
                continue
            force = True
        data = formats.render(letter, _save_format(path, values.fmt))
        try:
            write_private(path, data, force=force)
        except ComplainerError as exc:
            say(f"{exc}.")
            continue
        say(f"Saved to {path} (only you can read it). Open it in your mail client to send it.")
        return "done"


def _ask_path(proposed: str, force: bool) -> tuple[Path, bool] | None:
    """A path to write to (and whether to replace it); None to go back to the menu."""
    while True:
        path = Path(ask("Save to", default=proposed)).expanduser()
        if path.is_dir():
            say(f"{path} is a folder; give a file name.")
            continue
        if not path.parent.is_dir():
            say(f"The folder {path.parent} does not exist; choose another path.")
            continue
        if path.exists() and not force:
            if not confirm(f"{path} already exists. Replace it?", default=False):
                return None
            force = True
        return path, force


def _save_pdf(session: Session, attach: bool) -> Next:
    """The letter as a PDF (to print and sign), or an .eml draft with that PDF attached."""
    values = session.values
    # A PDF to print and sign is signed as delivered; a PDF straight into an e-mail is not,
    # unless it carries a signature image.
    signed = values.signature_image is not None or not attach
    letter = request.build_letter(values, session.campaign, signed=signed)
    for warning in letter.warnings:
        console.warn(warning)
    pdf = formats.render(letter, "pdf")
    suffix = "eml" if attach else "pdf"
    chosen = _ask_path(f"complaint-{letter.campaign}-{letter.language}.{suffix}", values.force)
    if chosen is None:
        return "menu"
    path, force = chosen
    data = pdf
    if attach:
        from complainer.formats.eml import Attachment, to_eml
        from complainer.formats.pdf import attachment_name

        data = to_eml(letter, attachment=Attachment(attachment_name(letter), pdf))
    try:
        write_private(path, data, force=force)
    except ComplainerError as exc:
        say(f"{exc}.")
        return "menu"
    if attach:
        say(f"Saved to {path}, with the letter attached as a PDF. Open it in your mail client.")
    elif letter.signature_image is None:
        say(f"Saved to {path}. Print it, sign it on the line above your name, then post it.")
    else:
        say(f"Saved to {path}, with your signature image above your name.")
    return "done"


def _edit(session: Session) -> Next:
    return "edit"


def _quit(session: Session) -> Next:
    say("Nothing was saved.")
    return "done"


# The action menu, in the order shown. This is the place to add a way to deliver the letter:
# the delivery code adds "open in your mail client" with register_action(Action("m", ..., run)),
# where `run` gets the Session (the composed letter and the answers) and returns a Next.
ACTIONS: list[Action] = [
    Action("p", "print the letter to standard output", _print),
    Action("s", "save it as an .eml draft for your mail client", _save),
    Action("e", "edit the choices again (arguments, recommendations, note)", _edit),
    Action("q", "quit without saving", _quit),
]


def register_action(action: Action, before: str = "e") -> None:
    """Add `action` to the menu, shown before the action with key `before` (else at the end)."""
    if any(a.key == action.key for a in ACTIONS):
        raise ValueError(f"action key {action.key!r} is taken")
    keys = [a.key for a in ACTIONS]
    ACTIONS.insert(keys.index(before) if before in keys else len(ACTIONS), action)


def _open_in_mail_client(session: Session) -> Next:
    """A mailto: link, or an .eml draft when it is too long or does not open (see mailclient)."""
    handoff = mailclient.open_letter(session.letter, session.mailto_limit)
    return "done" if handoff.opened else "menu"  # not opened: the draft is kept; print or save


register_action(Action("m", "open it in your mail client", _open_in_mail_client))
register_action(
    Action("f", "save it as a PDF (A4) to print and sign", lambda s: _save_pdf(s, attach=False))
)
register_action(
    Action(
        "a", "save an .eml draft with the letter attached as a PDF", lambda s: _save_pdf(s, True)
    )
)


def _menu(session: Session) -> Next:
    # Redirected stdout means the person ran `complainer draft > file`: printing is what they want.
    default = "p" if not sys.stdout.isatty() else "s"
    while True:
        say()
        say("What now?", style="bold")
        for a in ACTIONS:
            say(f"  {a.key}  {a.label}")
        answer = ask("Choice", default=default).casefold()
        action = next((a for a in ACTIONS if answer in (a.key, a.label.split()[0])), None)
        if action is None:
            say(f"Type one of: {', '.join(a.key for a in ACTIONS)}.")
            continue
        result = action.run(session)
        if result != "menu":
            return result


def _header(campaign: Campaign, day: dt.date) -> None:
    texts = campaign.lang(UI_LANG).campaign()
    rows = [("Campaign", f"{texts.text('title')} ({campaign.id})")]
    status: str = campaign.status
    if campaign.status == "closed" and campaign.outcome:
        status += f" on {long_date(campaign.outcome.date, UI_LANG)}"
    if campaign.deadline:
        when = days_left(campaign, day)
        status += f"; deadline {long_date(campaign.deadline, UI_LANG)} ({when})"
    else:
        status += "; no deadline"
    rows.append(("Status", status))
    if campaign.status == "closed":
        rows.append(("Outcome", texts.text("status_note")))
        if campaign.alternative:
            rows.append(("Instead", f"complainer draft --campaign {campaign.alternative}"))
    rows.append(("Privacy", "Nothing is sent or stored unless you choose to at the end."))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column()
    for label, value in rows:
        grid.add_row(f"{label}:", Text(value))
    console.err.print(Rule("complainer draft", style="none"))
    console.err.print(grid)
    say("Answer a few questions; Ctrl-C stops at any time.")


def _ask_writer(values: request.DraftValues, campaign: Campaign) -> None:
    if not (values.name or "").strip():
        values.name = questions.name()
    if not (values.country or "").strip():
        values.country = questions.country()
    if values.country == "KZ":
        questions.kazakhstan_note()
    if values.target is None:
        values.target = questions.target(campaign, UI_LANG)
    target = campaign.targets[values.target]
    reads = campaign.recipients[target.recipient].reads if target.recipient else ()
    if not values.lang:
        default = request.default_language(campaign, target.id)
        values.lang = questions.language(campaign, reads, default)
    if target.appeal is not None and values.address is None:
        if values.country in ("KZ", "RU"):
            questions.address_risk_note(values.country)
        values.address = questions.address()
    if values.email is None:
        values.email = questions.email()
    if values.city is None or values.organisation is None:
        say()
        say("Your city and organisation, if you want them in the letter.")
    if values.city is None:
        values.city = questions.optional("city", "City")
    if values.organisation is None:
        values.organisation = questions.optional("organisation", "Organisation")
    if target.recipient is None and not values.to:
        values.to, values.to_name = questions.recipient()


def _ask_choices(
    values: request.DraftValues, campaign: Campaign, day: dt.date, again: bool
) -> None:
    """Arguments, recommendations, note; on the first pass, those given as flags are skipped."""
    target = campaign.targets[values.target or campaign.default_target]
    if target.arguments and (again or values.arguments is None):
        values.arguments = picker.choose(campaign, "argument", values.arguments, day)
    if target.recommendations and (again or values.recommendations is None):
        values.recommendations = picker.choose(
            campaign, "recommendation", values.recommendations, day
        )
    if values.note_file is None and (again or values.note is None):
        values.note = questions.note(values.note or "")


def _preview(campaign: Campaign, letter: Letter) -> None:
    r = letter.recipient
    rows = [("To", f"{r.name} <{r.email}>" if r.name else r.email)]
    if r.source:
        # Where the address comes from, so the writer can judge it before sending.
        note = campaign.lang(UI_LANG).recipient(campaign.targets[letter.target].recipient or "")
        rows.append(("", f"address from: {campaign.sources[r.source].title}"))
        if note.email_note != "-":
            rows.append(("", note.email_note))
    if letter.writer.email:
        rows.append(("From", f"{letter.writer.name} <{letter.writer.email}>"))
    rows.append(("Subject", letter.subject))
    rows.append(("Language", f"{letter.language} ({language_name(letter.language)})"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column()
    for label, value in rows:
        grid.add_row(f"{label}:" if label else "", Text(value))
    say()
    console.err.print(Rule("Preview", style="none"))
    console.err.print(grid)
    console.err.print(Rule(style="none"))
    console.err.print(Text(letter.body.rstrip("\n")))
    console.err.print(Rule(style="none"))
    for warning in letter.warnings:
        console.warn(warning)


def run(values: request.DraftValues, campaign: Campaign, mailto_limit: int) -> request.DraftValues:
    """Ask what is missing, show the letter, do what the person chooses; the final answers."""
    day = request.parse_date(values.date)
    # Flags are not asked again, so check them first: a bad one fails before any question.
    request.normalise(values, campaign)
    _header(campaign, day)
    _ask_writer(values, campaign)
    again = False
    while True:
        _ask_choices(values, campaign, day, again)
        letter = request.build_letter(values, campaign)
        _preview(campaign, letter)
        if _menu(Session(campaign, values, day, letter, mailto_limit)) == "done":
            return values
        again = True
