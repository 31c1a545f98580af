"""The wizard's questions about the writer and the letter, one function each.

Every answer is checked with the same cleaners the flags go through (letter.writer, letter.locales), so a
value the wizard accepts is one `build_letter` accepts; a bad answer is explained and asked again.
"""

from __future__ import annotations

from complainer.campaigns.model import Campaign
from complainer.errors import UsageProblem
from complainer.letter.formal import clean_address
from complainer.letter.locales import country_name, language_name, resolve_country, resolve_language
from complainer.letter.locales import suggest_country as closest_country
from complainer.letter.writer import clean_email, clean_name, clean_note, header_safe
from complainer.terminal.prompts import ask, confirm, edit_text, say


def name() -> str:
    say()
    say("Your full name, as you will sign the letter. Officials do not consider anonymous letters.")
    while True:
        answer = ask("Name")
        if not answer:
            say("A name is needed to sign the letter.")
            continue
        try:
            return clean_name(answer)
        except UsageProblem as exc:
            say(f"{exc}.")


def country() -> str:
    """An ISO code, from a code or a name in English, Russian, Kazakh, …; offers the closest on a typo."""
    say()
    say("The country you live in: a code (DE) or a name (Germany, Германия).")
    while True:
        answer = ask("Country")
        if not answer:
            continue
        try:
            return resolve_country(answer)
        except UsageProblem:
            pass
        guess = closest_country(answer)
        if guess is not None:
            if confirm(f"Did you mean {country_name(guess, 'en')} ({guess})?", default=True):
                return guess
            say("Then please type it again, or give its two-letter code.")
        else:
            say(
                f'"{answer}" is not a country I know. Give a code such as DE or a name such as Germany.'
            )


def kazakhstan_note() -> None:
    # facts.md, sections 4 and 8: art. 63 of the Administrative Procedural Code.
    say()
    say(
        "Note for writers in Kazakhstan: an official appeal must give your surname and name, a "
        "postal address (and your IIN, if you have one), the date and a signature; one without "
        "them may be left unconsidered."
    )


def address_risk_note(country_code: str) -> None:
    """Before the address is asked for: what signing with it means for a writer in KZ or RU."""
    say()
    lines = [
        "Before you give your address: the letter goes, with your name and address, to a state "
        "body of Kazakhstan and stays on its files, and it speaks up for the rights of LGBT "
        "people. Think about whether that is safe for you where you live."
    ]
    if country_code == "KZ":
        # facts.md, sections 1 and 8: the law signed on 30 Dec 2025 and its reported sanctions.
        lines.append(
            'In Kazakhstan, a law signed on 30 December 2025 punishes what it calls "propaganda '
            'of non-traditional sexual orientation", as reported with a fine and, for a repeat, '
            "up to 10 days of administrative arrest; proceedings start on a complaint."
        )
    lines.append(
        "You can leave the address out (the Ministry may then leave the letter unconsidered)."
    )
    say(" ".join(lines), style="yellow")


def address() -> list[str]:
    """The postal address, line by line; [] when skipped."""
    say()
    say(
        "Your postal address. A formal appeal to the Ministry needs one to be considered (art. 63 "
        "of Kazakhstan's Administrative Procedural Code). It goes only into the letter; it is not "
        "stored or sent anywhere else. One line at a time; an empty line ends it (Enter at once "
        "skips)."
    )
    lines: list[str] = []
    while True:
        answer = ask(f"Address line {len(lines) + 1}")
        if not answer:
            return lines
        try:
            lines = list(clean_address([*lines, answer]))
        except UsageProblem as exc:
            say(f"{exc}.")


def target(campaign: Campaign, ui_lang: str) -> str:
    """Which of the campaign's letters: to the authority (the default), an MP, a journalist, …"""
    ids = list(campaign.targets)
    if len(ids) == 1:
        return ids[0]
    texts = campaign.lang(ui_lang)
    say()
    say("Which letter? The campaign's main letter goes to the authority; the others carry the")
    say("appeal further: to your own representatives, the press, or the activists.")
    for n, tid in enumerate(ids, 1):
        t = texts.target(tid)
        say(f"  {n}. {t.title}: {t.summary}")
    default = str(ids.index(campaign.default_target) + 1)
    while True:
        answer = ask("Letter (number or id)", default=default)
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            return ids[int(answer) - 1]
        if answer in ids:
            return answer
        say(f"Choose a number from 1 to {len(ids)}, or one of: {', '.join(ids)}.")


def ordered_languages(campaign: Campaign, reads: tuple[str, ...]) -> list[str]:
    """The campaign's languages, those the recipient reads first (in the recipient's order)."""
    first = [code for code in reads if code in campaign.languages]
    return first + [code for code in campaign.languages if code not in first]


def language(campaign: Campaign, reads: tuple[str, ...], default: str) -> str:
    codes = ordered_languages(campaign, reads)
    if len(codes) == 1:
        return codes[0]
    say()
    say("The letter's language. Officials read letters in their own language most readily.")
    for n, code in enumerate(codes, 1):
        native, english = language_name(code), language_name(code, "en")
        label = native if native.casefold() == english.casefold() else f"{native} ({english})"
        mark = "  the recipient reads it" if code in reads else ""
        say(f"  {n}. {code}  {label}{mark}")
    while True:
        answer = ask("Language (number, code or name)", default=default)
        if answer.isdigit() and 1 <= int(answer) <= len(codes):
            return codes[int(answer) - 1]
        try:
            return resolve_language(answer, codes)
        except UsageProblem as exc:
            say(f"{exc}")


def email() -> str:
    """The writer's address, or "" to leave it out."""
    say()
    say("Your email address (optional): it goes into From: so that a reply can reach you.")
    while True:
        answer = ask("Email (Enter skips)")
        if not answer:
            return ""
        try:
            return clean_email(answer)
        except UsageProblem as exc:
            say(f"{exc} Type it again, or press Enter to leave it out.")


def optional(what: str, label: str) -> str:
    """A short optional field such as the city; "" when skipped."""
    while True:
        answer = ask(f"{label} (optional, Enter skips)")
        try:
            return header_safe(answer, what)
        except UsageProblem as exc:
            say(f"{exc}.")


def recipient() -> tuple[str, str]:
    """Address and name, for a letter without a fixed recipient."""
    say()
    say("This letter has no fixed recipient: whom do you write to?")
    while True:
        answer = ask("Recipient's email address")
        try:
            address = clean_email(answer, "recipient's address") if answer else ""
        except UsageProblem as exc:
            say(f"{exc}")
            continue
        if address:
            break
    return address, optional("recipient's name", "Recipient's name")


def note(current: str) -> str:
    """The personal paragraph: typed on one line, or written in $EDITOR with `e`."""
    say()
    say(
        "A personal note: a few sentences in your own words make the letter yours, and officials "
        "read personal letters."
    )
    keep = current != ""
    if keep:
        say('Enter keeps the note you wrote; type a new one, "e" to edit it, or "-" to remove it.')
    else:
        say('Type it on one line, or "e" to write it in your editor ($EDITOR). Enter skips.')
    while True:
        answer = ask("Note")
        if not answer:
            return current
        if keep and answer == "-":
            return ""
        if answer.casefold() == "e":
            written = edit_text(current)
            if written is None:
                continue
            answer = written
        try:
            return clean_note(answer)
        except UsageProblem as exc:
            say(f"{exc}.")
