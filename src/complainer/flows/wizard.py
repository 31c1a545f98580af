"""The interactive `complainer draft`: questions, a preview, then what to do with the letter.

Everything here talks on stderr (console.err); stdout receives only the letter, and only when the person
chooses to print it, so `complainer draft > letter.txt` works while it asks. Ctrl-C or end of input
at any question raises typer.Abort (see terminal.prompts), which cli.app.main reports as "Cancelled." (exit 130);
nothing is written before the person picks "save".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from complainer import formats
from complainer.campaigns.citing import source_title
from complainer.campaigns.model import Campaign
from complainer.delivery import mailclient, webmail
from complainer.delivery.files import write_private
from complainer.errors import ComplainerError, UsageProblem
from complainer.i18n import N_, _
from complainer.i18n import language as ui_language
from complainer.letter import request
from complainer.letter.compose import Letter
from complainer.letter.locales import long_date
from complainer.terminal import console, picker, questions
from complainer.terminal.prompts import (
    BackRequested,
    QuitRequested,
    ask,
    confirm,
    menu_hint,
    say,
    sentence,
)
from complainer.terminal.tables import days_left, live_deadline


@dataclass
class Session:
    """One run of the wizard: what the actions work with."""

    campaign: Campaign
    values: request.DraftValues
    day: dt.date
    letter: Letter
    mailto_limit: int


# What an action asks for next: leave the wizard, go back to the choices, show the menu again,
# or compose and preview the letter again (its language changed).
Next = Literal["done", "edit", "menu", "preview"]


@dataclass(frozen=True)
class Action:
    key: str  # one letter, typed at the menu
    label: str  # marked with N_, translated when shown
    run: Callable[[Session], Next]


def _print(session: Session) -> Next:
    fmt = formats.format_for(session.values.fmt, None)
    sys.stdout.buffer.write(formats.render(session.letter, fmt))
    sys.stdout.flush()
    if not sys.stdout.isatty():
        say(_("The letter went to standard output."))
    return "done"


def _save_format(path: Path, fmt: str | None) -> str:
    """The format of a file saved at `path`: the rule `draft --out` follows (formats.format_for:
    the extension decides, none = text, an unknown one is refused unless --format is given)."""
    return formats.format_for(fmt, str(path))


def _save(session: Session) -> Next:
    letter, values = session.letter, session.values
    if values.out and _save_format(Path(values.out), values.fmt) == "pdf":
        return _save_pdf(session, attach=False)  # --out letter.pdf: the PDF to print and sign
    if values.out:
        # --out was given (and checked before the first question): not asked for again.
        chosen: tuple[Path, bool] | None = (Path(values.out).expanduser(), values.force)
    else:
        # --format without --out: the name proposed carries that format's extension.
        fmt = formats.format_for(values.fmt, None) if values.fmt else "eml"
        stem = f"complaint-{letter.campaign}-{letter.language}"
        chosen = _ask_path(stem + formats.extension_for(fmt), values.force)
    while chosen is not None:
        path, force = chosen
        try:
            fmt = _save_format(path, values.fmt)
            # A PDF is printed and signed by hand: composed as signed, as "save it as a PDF" does.
            source = _build(values, session.campaign, signed=True) if fmt == "pdf" else letter
            write_private(path, formats.render(source, fmt), force=force)
        except ComplainerError as exc:
            say(sentence(exc))
            chosen = _ask_path(str(path), values.force)
            continue
        if fmt == "eml":
            saved = _(
                "Saved to {path} (only you can read it). Open it in your mail client to send it."
            )
        else:
            saved = _("Saved to {path} (only you can read it).")
        say(saved.format(path=path))
        return "done"
    return "menu"


def _menu_words() -> set[str]:
    """What the menu takes as a choice: its keys and the first word of each label, folded."""
    words = {a.key for a in ACTIONS}
    words.update(_(a.label).split()[0].casefold() for a in ACTIONS)
    return words


def _ask_path(proposed: str, force: bool) -> tuple[Path, bool] | None:
    """A path to write to (and whether to replace it); None to go back to the menu (b).

    A menu word ("s", "q", "save", …) is never taken as a file name: a person who types one
    thinks they are still at the menu. q quits the wizard (terminal.prompts.QuitRequested).
    """
    question = _("Save to (b: back; q: quit)")
    while True:
        try:
            answer = ask(question, default=proposed, back=True)
        except BackRequested:
            return None
        # A bare number ("9") is a menu choice typed one question too late, not a file name.
        if answer.casefold() in _menu_words() or answer.strip().isdigit():
            say(
                _(
                    '"{answer}" is a choice of the menu, not a file name: type a name such as '
                    "letter.eml, b to go back to the menu, or q to quit."
                ).format(answer=answer)
            )
            continue
        path = Path(answer).expanduser()
        if path.is_dir():
            say(_("{path} is a folder; give a file name.").format(path=path))
            continue
        if not path.parent.is_dir():
            say(
                _("The folder {folder} does not exist; choose another path.").format(
                    folder=path.parent
                )
            )
            continue
        if path.exists() and not force:
            if not confirm(
                _("{path} already exists. Replace it?").format(path=path), default=False
            ):
                continue
            return path, True
        return path, force


def _save_pdf(session: Session, attach: bool) -> Next:
    """The letter as a PDF (to print and sign), or an .eml draft with that PDF attached."""
    values = session.values
    # A PDF to print and sign is signed as delivered; a PDF straight into an e-mail is not,
    # unless it carries a signature image.
    signed = values.signature_image is not None or not attach
    letter = _build(values, session.campaign, signed=signed)
    for warning in letter.warnings:
        console.warn_wrapped(warning)
    pdf = formats.render(letter, "pdf")
    suffix = "eml" if attach else "pdf"
    chosen: tuple[Path, bool] | None
    if values.out and Path(values.out).suffix.lower() == f".{suffix}":
        # --out names a file of this kind (checked before the first question): not asked again.
        chosen = (Path(values.out).expanduser(), values.force)
    else:
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
        say(sentence(exc))
        return "menu"
    if attach:
        say(
            _(
                "Saved to {path}, with the letter attached as a PDF. Open it in your mail client."
            ).format(path=path)
        )
    elif letter.signature_image is None:
        say(
            _(
                "Saved to {path}. Print it, sign it on the line above your name, then post it."
            ).format(path=path)
        )
    else:
        say(_("Saved to {path}, with your signature image above your name.").format(path=path))
    return "done"


def _edit(session: Session) -> Next:
    return "edit"


def _quit(session: Session) -> Next:
    say(_("Nothing was saved."))
    return "done"


def _change_address(session: Session) -> Next:
    """The postal address asked again (a formal appeal's warning asks for one); the preview is
    shown again with it, every other choice kept. Enter at once leaves the letter without one."""
    values = session.values
    values.address = questions.address()
    if values.address:
        values.city = ""  # the address holds the city
    return "preview"


def _change_language(session: Session) -> Next:
    """Another language for the letter, keeping every other choice; the preview is shown again."""
    campaign, values = session.campaign, session.values
    target = campaign.targets[values.target or campaign.default_target]
    reads = campaign.reads(target.id)
    try:
        values.lang = questions.language(campaign, reads, session.letter.language, back=True)
    except BackRequested:
        return "menu"
    return "preview"


def _translation_hint(code: str) -> str:
    return _('"t" in the menu below')


def _build(values: request.DraftValues, campaign: Campaign, signed: bool = False) -> Letter:
    """`request.build_letter`, its warnings pointing to this menu's actions, not to options."""
    return request.build_letter(values, campaign, signed, translation_hint=_translation_hint)


def _notes_language(note: str, letter: Letter, languages: Sequence[str]) -> str | None:
    """The campaign's language the note is written in, when the letter is not: the one told
    (Russian or Kazakh), else the only other language in the note's script (English for a Latin
    note in a Russian letter, whatever language the note is really in); None when unsure."""
    from complainer.letter.locales import language_name
    from complainer.letter.scripts import first_script, note_mismatch

    found = note_mismatch(note, letter.body.replace(note, ""))
    if found is None:
        return None
    if found.language is not None:
        return found.language if found.language in languages else None
    same_script = [
        code
        for code in languages
        if code != letter.language and first_script(language_name(code, code)) == found.script
    ]
    return same_script[0] if len(same_script) == 1 else None


def _change_translation(session: Session) -> Next:
    """Add, change or remove a translation of the letter below it (--with-translation); the
    preview is shown again. Proposed: the current translation, else the note's language when
    the campaign has it."""
    campaign, values, letter = session.campaign, session.values, session.letter
    if len(campaign.languages) < 2:
        say(_("This campaign's letter exists in one language only."))
        return "menu"
    default = values.with_translation
    if default is None and values.note:
        default = _notes_language(values.note, letter, campaign.languages)
    target = campaign.targets[values.target or campaign.default_target]
    try:
        values.with_translation = questions.translation(
            campaign, campaign.reads(target.id), letter.language, default
        )
    except BackRequested:
        return "menu"
    return "preview"


def _webmail(session: Session) -> Next:
    webmail.copy_into_webmail(session.letter)
    return "done"


# The action menu, in the order shown. This is the place to add a way to deliver the letter:
# the delivery code adds "open in your mail client" with register_action(Action("m", ..., run)),
# where `run` gets the Session (the composed letter and the answers) and returns a Next.
ACTIONS: list[Action] = [
    Action("w", N_("copy it into webmail (Gmail, Outlook, Yandex…), step by step"), _webmail),
    Action("p", N_("print the letter to standard output"), _print),
    Action("s", N_("save it as an .eml draft for your mail client"), _save),
    Action("l", N_("change the letter's language"), _change_language),
    Action("t", N_("append a translation of the letter (or remove it)"), _change_translation),
    Action("d", N_("add or change your postal address"), _change_address),
    Action("e", N_("edit the choices again (arguments, recommendations, note)"), _edit),
    Action("q", N_("quit without saving"), _quit),
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


register_action(Action("m", N_("open it in your mail client"), _open_in_mail_client), before="s")
register_action(
    Action("f", N_("save it as a PDF (A4) to print and sign"), lambda s: _save_pdf(s, attach=False))
)
register_action(
    Action(
        "a",
        N_("save an .eml draft with the letter attached as a PDF"),
        lambda s: _save_pdf(s, True),
    )
)


def _menu(session: Session) -> Next:
    # Redirected stdout means the person ran `complainer draft > file`: printing is what they want.
    default = "p" if not sys.stdout.isatty() else "s"
    while True:
        say()
        say(_("What now?"), style="bold")
        for a in ACTIONS:
            enter = "  " + _("(Enter)") if a.key == default else ""
            say(f"  {a.key}  {_(a.label)}{enter}")
        try:
            answer = ask(_("Choice") + " " + menu_hint(default)).casefold() or default
        except QuitRequested:
            answer = "q"  # the menu's own quit: "Nothing was saved."
        action = next((a for a in ACTIONS if answer in (a.key, _(a.label).split()[0])), None)
        if action is None:
            say(
                _("Type one of the letters {keys} (Enter: {default}).").format(
                    keys=", ".join(a.key for a in ACTIONS), default=default
                )
            )
            continue
        result = action.run(session)
        if result != "menu":
            return result


def _header(campaign: Campaign, day: dt.date) -> None:
    ui = ui_language()
    texts = campaign.lang(ui).campaign()
    rows = [(_("Campaign"), f"{texts.text('title')} ({campaign.id})")]
    if campaign.status == "closed" and campaign.outcome:
        status = _("closed on {date}").format(date=long_date(campaign.outcome.date, ui))
    elif campaign.status == "closed":
        status = _("closed")
    else:
        status = _("open")
    deadline = live_deadline(campaign)
    if deadline:
        when = days_left(campaign, day)
        status += "; " + _("deadline {date} ({when})").format(
            date=long_date(deadline, ui), when=when
        )
    elif campaign.status != "closed":
        status += "; " + _("no deadline")
    rows.append((_("Status"), status))
    if campaign.status == "closed":
        rows.append((_("Outcome"), texts.text("status_note")))
        if campaign.alternative:
            rows.append((_("Instead"), f"complainer draft --campaign {campaign.alternative}"))
    rows.append((_("Privacy"), _("Nothing is sent or stored unless you choose to at the end.")))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column()
    for label, value in rows:
        grid.add_row(f"{label}:", Text(value))
    console.err.print(Rule("complainer draft", style="none"))
    console.err.print(grid)
    say(_("Answer a few questions; q quits at any question, and so does Ctrl-C."))


def _ask_writer(values: request.DraftValues, campaign: Campaign) -> None:
    """Who writes, in an order that puts what a writer needs to know before what they give.

    The country comes first: a writer in Kazakhstan or Russia reads the safety note before any
    identifying detail (name, address, IIN, email, city). The letter and its language come next,
    so that the name is asked knowing what it signs; the city is not asked when the postal
    address (which holds it) was given.
    """
    if not (values.country or "").strip():
        values.country = questions.country()
    else:
        # Given as a flag: still say which country it was taken to be.
        say(
            _("Your country: {country}").format(
                country=questions.country_label(values.country or "")
            )
        )
    if values.country in questions.SAFETY_NOTE_COUNTRIES:
        questions.safety_note(values.country or "")
    if values.target is None:
        values.target = questions.target(campaign, ui_language(), values.country or "")
    target = campaign.targets[values.target]
    reads = campaign.reads(target.id)
    if not values.lang:
        # A recipient who reads the writer's language gets the letter in it, so they can read it.
        default = request.default_language(campaign, target.id, ui_language())
        values.lang = questions.language(campaign, reads, default)
    appeal = target.appeal is not None
    if appeal and values.country == "KZ":
        questions.kazakhstan_note()
    if not (values.name or "").strip():
        values.name = questions.name()
    if appeal and values.address is None:
        values.address = questions.address()
    if appeal and values.country == "KZ" and values.iin is None:
        values.iin = questions.iin()
    if values.email is None:
        values.email = questions.email()
    # A postal address holds the city: asking for it again would ask for what was given.
    if values.address and values.city is None:
        values.city = ""
    if values.city is None and values.organisation is None:
        say()
        say(_("Your city and organisation, if you want them in the letter."))
    elif values.organisation is None:
        say()
        say(_("Your organisation, if you want it in the letter."))
    if values.city is None:
        values.city = questions.optional(_("city"), _("City"))
    if values.organisation is None:
        values.organisation = questions.optional(_("organisation"), _("Organisation"))
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


def _grid(rows: list[tuple[str, str]]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column()
    for label, value in rows:
        grid.add_row(f"{label}:" if label else "", Text(value))
    return grid


def reading_copy(values: request.DraftValues, campaign: Campaign, letter: Letter) -> Letter | None:
    """The same letter in the interface language, when the letter is in another one.

    Same answers and the same seed: each phrasing variant of a text has its counterpart at the
    same position in every language, so the copy says what the letter says. None when the
    letter is already in the interface language or the campaign is not written in it.
    """
    ui = ui_language()
    if letter.language == ui or ui not in campaign.languages:
        return None
    return _build(
        dataclasses.replace(values, lang=ui, seed=letter.seed, with_translation=None), campaign
    )


def preview_rows(campaign: Campaign, letter: Letter) -> list[tuple[str, str]]:
    """The preview's header rows (label, value) in the interface language: recipient, where its
    address comes from (the source's title in the interface language where the campaign has
    it), sender, subject, language."""
    ui = ui_language()
    r = letter.recipient
    rows = [(_("To"), f"{r.name} <{r.email}>" if r.name else r.email)]
    if r.source:
        # Where the address comes from, so the writer can judge it before sending.
        note = campaign.lang(ui).recipient(campaign.targets[letter.target].recipient or "")
        rows.append(
            ("", _("address from: {source}").format(source=source_title(campaign, r.source, ui)))
        )
        if note.email_note != "-":
            rows.append(("", note.email_note))
    if letter.writer.email:
        rows.append((_("From"), f"{letter.writer.name} <{letter.writer.email}>"))
    rows.append((_("Subject"), letter.subject))
    rows.append((_("Language"), questions.language_label(letter.language)))
    return rows


def _preview(campaign: Campaign, letter: Letter, copy: Letter | None) -> None:
    rows = preview_rows(campaign, letter)
    say()
    console.err.print(Rule(_("Preview"), style="none"))
    console.err.print(_grid(rows))
    console.err.print(Rule(style="none"))
    console.err.print(Text(letter.body.rstrip("\n")))
    console.err.print(Rule(style="none"))
    if copy is not None:
        mark = _("Reading copy in {language}: for you to read, it is not sent").format(
            language=questions.language_label(copy.language)
        )
        say()
        console.err.print(Rule(mark, style="none"))
        console.err.print(_grid([(_("Subject"), copy.subject)]))
        console.err.print(Rule(style="none"))
        console.err.print(Text(copy.body.rstrip("\n")))
        console.err.print(Rule(_("End of the reading copy"), style="none"))
        say(
            _(
                'The letter itself is in {language}. To send it in another language, choose "l" below.'
            ).format(language=questions.language_label(letter.language))
        )
    for warning in letter.warnings:
        console.warn_wrapped(warning)


def _compose(values: request.DraftValues, campaign: Campaign) -> Letter | None:
    """The letter, or None (having said why) when the choices cannot make one, such as none."""
    try:
        return _build(values, campaign)
    except UsageProblem as exc:
        say()
        say(sentence(exc), style="bold")
        return None


def run(values: request.DraftValues, campaign: Campaign, mailto_limit: int) -> request.DraftValues:
    """Ask what is missing, show the letter, do what the person chooses; the final answers.

    q at any question ends the wizard here, with nothing saved (exit 0).
    """
    day = request.letter_date(values.date, campaign)
    # Flags are not asked again, so check them first: a bad one fails before any question.
    request.normalise(values, campaign)
    _header(campaign, day)
    try:
        return _run(values, campaign, day, mailto_limit)
    except QuitRequested:
        say(_("Nothing was saved."))
        return values


def _run(
    values: request.DraftValues, campaign: Campaign, day: dt.date, mailto_limit: int
) -> request.DraftValues:
    _ask_writer(values, campaign)
    again = False
    while True:
        _ask_choices(values, campaign, day, again)
        again = True
        letter = _compose(values, campaign)
        if letter is None:
            continue
        while True:
            _preview(campaign, letter, reading_copy(values, campaign, letter))
            result = _menu(Session(campaign, values, day, letter, mailto_limit))
            if result == "done":
                return values
            if result != "preview":
                break
            letter = _build(values, campaign)
