"""The wizard's questions about the writer and the letter, one function each.

Every answer is checked with the same cleaners the flags go through (letter.writer, letter.countries,
letter.locales), so a value the wizard accepts is one `build_letter` accepts; a bad answer is
explained and asked again. Nothing is ever guessed on Enter: a guess is offered as a numbered
choice, and Enter alone chooses none.
"""

from __future__ import annotations

from complainer.campaigns.model import Campaign
from complainer.errors import UsageProblem
from complainer.i18n import _
from complainer.i18n import language as ui_language
from complainer.letter.countries import candidates, lookup, not_a_country
from complainer.letter.formal import clean_address, clean_iin
from complainer.letter.locales import country_name, language_name, resolve_language
from complainer.letter.request import instead_hint
from complainer.letter.writer import clean_email, clean_name, clean_note, header_safe
from complainer.terminal.prompts import (
    ask,
    edit_text,
    has_editor,
    menu_hint,
    say,
    sentence,
    type_lines,
)


def name() -> str:
    say()
    say(_("Your full name, as you sign the letter. Officials do not consider anonymous letters."))
    while True:
        answer = ask(_("Name"))
        if not answer:
            say(_("A name is needed to sign the letter."))
            continue
        try:
            return clean_name(answer)
        except UsageProblem as exc:
            say(sentence(exc))


def country_label(code: str) -> str:
    """ "Germany (DE)", with the name in the interface language."""
    return f"{country_name(code, ui_language())} ({code})"


def _choose_country(typed: str) -> str | None:
    """The country among the candidates for `typed`; None to ask again (Enter, or no candidate)."""
    maybe = candidates(typed)
    if not maybe:
        say(not_a_country(typed))
        return None
    say(_('"{typed}" is not a name I know exactly. Did you mean one of these?').format(typed=typed))
    for n, code in enumerate(maybe, 1):
        say(f"  {n}. {country_label(code)}")
    answer = ask(_("Number") + " " + menu_hint(_("none of these")))
    if answer.isdigit() and 1 <= int(answer) <= len(maybe):
        return maybe[int(answer) - 1]
    if answer:
        return lookup(answer)
    return None


def country() -> str:
    """An ISO code from a code, a name or a common alias, in English, Russian, Kazakh, …"""
    say()
    say(_("The country you live in: a code (DE) or a name (Germany, Германия)."))
    while True:
        answer = ask(_("Country"))
        if not answer:
            say(_("A country is needed: type its name or its two-letter code."))
            continue
        code = lookup(answer) or _choose_country(answer)
        if code is None:
            say(_("Please type the country again, or its two-letter code."))
            continue
        say(_("Your country: {country}").format(country=country_label(code)), style="bold")
        return code


def kazakhstan_note() -> None:
    # facts.md, sections 4 and 8: art. 63 of the Administrative Procedural Code.
    say()
    say(
        _(
            "Note for writers in Kazakhstan: an official appeal must give your surname and name, a "
            "postal address (and your IIN, if you have one), the date and a signature; one without "
            "them may be left unconsidered."
        )
    )


# Writers for whom signing such a letter may carry a risk where they live (facts.md, sections 1
# and 8): they read the safety note before they give any identifying detail.
SAFETY_NOTE_COUNTRIES = frozenset({"KZ", "RU"})


def safety_note(country_code: str) -> None:
    """Before any identifying detail: what signing the letter means for a writer in KZ or RU."""
    say()
    lines = [
        _(
            "Before you give your name or any other detail about yourself: these letters speak "
            "up for the rights of LGBTI people, and the one to the Ministry goes, with your name "
            "and the details you give, to a state body of Kazakhstan, which keeps it on file. "
            "Think about whether that is safe for you where you live."
        )
    ]
    if country_code == "KZ":
        # facts.md, sections 1 and 8: the law signed on 30 Dec 2025 and its reported sanctions.
        lines.append(
            _(
                'In Kazakhstan, a law signed on 30 December 2025 punishes what it calls "propaganda '
                'of non-traditional sexual orientation", as reported with a fine and, for a repeat, '
                "up to 10 days of administrative arrest; proceedings start on a complaint."
            )
        )
    lines.append(
        _(
            "Only your name is needed; you can leave out everything else (without a postal "
            "address, the Ministry may leave a formal appeal unconsidered)."
        )
    )
    say(" ".join(lines), style="yellow")


def iin() -> str | None:
    """The writer's IIN (Kazakhstan's individual identification number), or None when skipped.

    Art. 63 of the Administrative Procedural Code asks for it "if the writer has one"; the rule
    that checks it is letter.formal.clean_iin, the same as for --iin.
    """
    say()
    say(
        _(
            "Your IIN (individual identification number, 12 digits), if you want it in the "
            "appeal: the Code asks for it when the writer has one. It goes only into the letter."
        )
    )
    while True:
        answer = ask(_("IIN (optional, Enter skips)"))
        if not answer:
            return None
        try:
            return clean_iin(answer, asked=True)
        except UsageProblem as exc:
            say(sentence(exc, _("Type it again, or press Enter to leave it out.")))


def address() -> list[str]:
    """The postal address, line by line; [] when skipped."""
    say()
    say(
        _(
            "Your postal address. Without it, a formal appeal to the Ministry may not be considered (art. "
            "63 of Kazakhstan's Administrative Procedural Code). It goes only into the letter; it "
            "is not stored or sent anywhere else. One line at a time; an empty line ends it (Enter "
            "at once skips)."
        )
    )
    lines: list[str] = []
    while True:
        answer = ask(_("Address line {number}").format(number=len(lines) + 1))
        if not answer:
            return lines
        try:
            lines = list(clean_address([*lines, answer]))
        except UsageProblem as exc:
            say(sentence(exc))


def target(campaign: Campaign, ui_lang: str, country: str = "") -> str:
    """Which of the campaign's letters: to the authority (the default), an MP, a journalist, …

    Targets a writer in `country` cannot use (a campaign's `not_for` and `only_for` lists) are
    not offered.
    """
    ids = [tid for tid, t in campaign.targets.items() if t.suits(country)]
    # Letters held back from this writer that another campaign offers them instead (a closed
    # campaign's MP letter -> the open campaign's letter to one's own deputy in Kazakhstan).
    elsewhere = dict.fromkeys(
        t.instead for t in campaign.targets.values() if not t.suits(country) and t.instead
    )
    for other in elsewhere:
        if other is not None:
            say(
                _(
                    "Writers in {country} can write the {target} letter of campaign {campaign} "
                    "instead: {command}"
                ).format(
                    country=country_name(country, ui_language()),
                    campaign=other[0],
                    target=other[1],
                    command=instead_hint(*other),
                )
            )
    if len(ids) == 1:
        return ids[0]
    texts = campaign.lang(ui_lang)
    say()
    say(
        _(
            "Which letter? The campaign's main letter goes to the authority; the others carry "
            "the appeal further: to your own representatives, the press, or the activists."
        )
    )
    default = str(ids.index(campaign.default_target) + 1) if campaign.default_target in ids else "1"
    for n, tid in enumerate(ids, 1):
        t = texts.target(tid)
        enter = "  " + _("(Enter)") if str(n) == default else ""
        say(f"  {n}. {t.title}: {t.summary}{enter}")
    while True:
        answer = ask(_("Letter (number or id)") + " " + menu_hint(default)) or default
        if answer.isdigit() and 1 <= int(answer) <= len(ids):
            return ids[int(answer) - 1]
        if answer in ids:
            return answer
        say(
            _("Choose a number from 1 to {count}, or one of: {ids}.").format(
                count=len(ids), ids=", ".join(ids)
            )
            + " "
            + _("Enter: {default}; q: quit.").format(default=default)
        )


def ordered_languages(campaign: Campaign, reads: tuple[str, ...]) -> list[str]:
    """The campaign's languages, those the recipient reads first (in the recipient's order)."""
    first = [code for code in reads if code in campaign.languages]
    return first + [code for code in campaign.languages if code not in first]


def language_label(code: str) -> str:
    """The language's name in the interface language ("Kazakh", «казахский», «қазақ тілі»):
    every name the interface shows is in the interface's language (the menu gives the code too,
    and takes the language's own name when typed)."""
    return language_name(code, ui_language())


def explain_languages(reads: tuple[str, ...]) -> None:
    """Why the proposed language: whom it suits, and that a reading copy follows."""
    ui = ui_language()
    if reads:
        names = ", ".join(language_name(code, ui) for code in reads)
        say(
            _(
                "The recipient reads {languages}: a letter in one of them is read most readily."
            ).format(languages=names)
        )
        if "en" not in reads:
            say(_("English is possible too, but it may have to be translated before it is read."))
    say(
        _(
            "If you choose a language you do not read, the preview also shows the letter in your "
            "language, and you can change the language there."
        )
    )


def language(campaign: Campaign, reads: tuple[str, ...], default: str, back: bool = False) -> str:
    """The letter's language, `default` on Enter; with `back`, b raises BackRequested."""
    codes = ordered_languages(campaign, reads)
    if len(codes) == 1:
        return codes[0]
    say()
    say(_("The letter's language."), style="bold")
    explain_languages(reads)
    for n, code in enumerate(codes, 1):
        mark = _("  the recipient reads it") if code in reads else ""
        enter = "  " + _("(Enter)") if code == default else ""
        say(f"  {n}. {code}  {language_label(code)}{mark}{enter}")
    question = _("Language (number, code or name)") + " " + menu_hint(default, back=back)
    return _numbered_language(codes, question, default, back)


def _numbered_language(
    codes: list[str], question: str, default: str, back: bool, also: tuple[str, ...] = ()
) -> str:
    """The answer to a numbered list of `codes`: a number, code or name; `default` on Enter, and
    each of `also` (such as "0" for none) as typed. Asked again, with the reason, until it names
    one of them."""
    while True:
        answer = ask(question, back=back) or default
        if answer == default or answer in also:
            return answer
        if answer.isdigit() and 1 <= int(answer) <= len(codes):
            return codes[int(answer) - 1]
        try:
            return resolve_language(answer, codes)
        except UsageProblem as exc:
            say(sentence(exc, _("Enter: {default}; q: quit.").format(default=default)))


def translation(
    campaign: Campaign, reads: tuple[str, ...], letter_lang: str, default: str | None
) -> str | None:
    """The language of a translation added below the letter, or None for none; `default` on
    Enter (None: none). b raises BackRequested."""
    codes = [c for c in ordered_languages(campaign, reads) if c != letter_lang]
    say()
    say(_("A translation of the whole letter, added below it."), style="bold")
    say(
        _(
            "The letter stays in {language}; the translation helps a reader who reads another "
            "language better, such as the language of your note."
        ).format(language=language_label(letter_lang))
    )
    for n, code in enumerate(codes, 1):
        enter = "  " + _("(Enter)") if code == default else ""
        say(f"  {n}. {code}  {language_label(code)}{enter}")
    none = _("no translation")
    say(f"  0. {none}" + ("  " + _("(Enter)") if default is None else ""))
    question = _("Translation (number, code or name)") + " " + menu_hint(default or "0", back=True)
    answer = _numbered_language(codes, question, default or "0", back=True, also=("0",))
    return None if answer == "0" else answer


def email() -> str:
    """The writer's address, or "" to leave it out."""
    say()
    say(_("Your email address (optional): it goes into From: so that a reply can reach you."))
    while True:
        answer = ask(_("Email (Enter skips)"))
        if not answer:
            return ""
        try:
            return clean_email(answer)
        except UsageProblem as exc:
            say(sentence(exc, _("Type it again, or press Enter to leave it out.")))


def optional(what: str, label: str) -> str:
    """A short optional field such as the city; "" when skipped. `label` is already translated."""
    while True:
        answer = ask(_("{label} (optional, Enter skips)").format(label=label))
        try:
            return header_safe(answer, what)
        except UsageProblem as exc:
            say(sentence(exc))


def recipient() -> tuple[str, str]:
    """Address and name, for a letter without a fixed recipient."""
    say()
    say(_("This letter has no fixed recipient: whom do you write to?"))
    while True:
        answer = ask(_("Recipient's email address"))
        try:
            address = clean_email(answer, _("recipient's address")) if answer else ""
        except UsageProblem as exc:
            say(sentence(exc))
            continue
        if address:
            break
    say(
        _(
            "The recipient's name, or the institution's (such as Federal Foreign Office): it "
            "decides how the letter greets them."
        )
    )
    return address, optional(_("recipient's name"), _("Recipient's name"))


def note(current: str) -> str:
    """The personal paragraph: typed at the prompt, or written in $EDITOR with `e` when one is set."""
    say()
    say(
        _(
            "A personal note: a few sentences in your own words make the letter yours, and "
            "officials read personal letters."
        )
    )
    keep = current != ""
    editor = has_editor()
    if keep:
        say(_('Enter keeps the note you wrote; type a new one, or "-" to remove it.'))
        say(_("A new note may have several lines; an empty line ends it."))
    else:
        say(_("Type it line by line; an empty line ends it. Enter alone skips the note."))
    if editor:
        say(_('Or type "e" to write it in your editor ($EDITOR).'))
    while True:
        answer = ask(_("Note"))
        if not answer:
            return current
        if keep and answer == "-":
            return ""
        if editor and answer.casefold() == "e":
            written = edit_text(current)
            if written is None:
                continue
            answer = written
        else:
            answer = type_lines(answer)
        try:
            return clean_note(answer)
        except UsageProblem as exc:
            say(sentence(exc))
