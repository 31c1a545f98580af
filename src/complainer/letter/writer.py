"""The writer's details, validated: everything here may end up in a mail header."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import NamedTuple

from complainer.characters import refuse_dangerous
from complainer.errors import UsageProblem
from complainer.i18n import N_, _, ngettext
from complainer.letter.countries import resolve_country
from complainer.letter.formal import clean_address, clean_iin
from complainer.letter.locales import country_name

# Characters people paste along with an address: zero-width spaces, BOMs, bidi marks. An
# override (U+202D, U+202E) is refused rather than dropped: it shows the address as another one.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202c"))
MAX_FIELD = 200
_SPACE_RUNS = re.compile(r"\s*[ \t]\s*")
MAX_NOTE = 4000


def header_safe(value: str, what: str) -> str:
    """`value` stripped, or a UsageProblem if it could break or disguise a header or a line.

    Encoded-word syntax (=?...?=) is ordinary text here: formats.headers encodes any value that
    holds "=?", so no value can be read as an encoded word (RFC 2047) whatever its spelling.
    """
    value = value.strip()
    refuse_dangerous(value, what)
    # A run of white space holding a space or tab becomes one space: readers of a display name
    # do that anyway (CPython's policy.default strips all white space after a space), so the
    # header would otherwise not read back as written. A lone no-break space stays.
    value = _SPACE_RUNS.sub(" ", value)
    if len(value) > MAX_FIELD:
        raise UsageProblem(
            ngettext(
                "{what} is longer than {limit} character",
                "{what} is longer than {limit} characters",
                MAX_FIELD,
            ).format(what=what, limit=MAX_FIELD)
        )
    return value


# The words the wizard's prompts read as commands (q, back, quit, ...), in every interface language.
_COMMAND_WORDS = frozenset(
    {"back", "quit", "exit", "menu", "help", "назад", "выход", "меню", "артқа", "шығу", "мәзір"}
)


def clean_name(value: str, what: str = "") -> str:
    what = what or _("name")
    name = header_safe(value, what)
    if not name:
        raise UsageProblem(_("{what} is empty; give it with --name").format(what=what))
    # A letter signed "b" or "q" is not signed: one letter, or a word the prompts read as a
    # command, is a key pressed at the wrong question rather than a name. Two letters (Li, Ng)
    # are real names, so the shortest name accepted has two.
    if len(name) < 2 or name.casefold() in _COMMAND_WORDS:
        raise UsageProblem(
            _('{what} "{value}" does not look like a name: give your full name').format(
                what=what, value=name
            )
        )
    return name


# email_validator explains a refusal in English sentences of its own; a supporter reading Russian or
# Kazakh gets the tool's sentence for the kind of fault instead (first match wins, so the specific
# "before/after the @-sign" kinds come before the general ones).
_EMAIL_PROBLEMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("must have an @-sign", "small commercial at"), N_("it has no @ sign")),
    (("something before the @-sign",), N_("there is nothing before the @ sign")),
    (("something after the @-sign",), N_("there is nothing after the @ sign")),
    (("too long",), N_("it is too long")),
    (
        ("two periods in a row", "period and a hyphen", "two dashes"),
        N_("it has two dots, or a dot and a hyphen, next to each other"),
    ),
    (
        ("should have a period", "top-level domain", "special-use or reserved"),
        N_("the part after the @ sign is not an Internet domain"),
    ),
    (("open angle bracket",), N_("it has an angle bracket (< or >) without its pair")),
    (
        ("after the @-sign", "bracket"),
        N_("the part after the @ sign has characters a mail domain cannot have"),
    ),
)
_EMAIL_PROBLEM_OTHER = N_("it has characters or a form an e-mail address cannot have")


def email_problem(detail: str) -> str:
    """The tool's own sentence, in the interface language, for an `email_validator` refusal whose
    English message is `detail`."""
    low = detail.casefold()
    for needles, sentence in _EMAIL_PROBLEMS:
        if any(n.casefold() in low for n in needles):
            return _(sentence)
    return _(_EMAIL_PROBLEM_OTHER)


def clean_email(value: str, what: str = "") -> str:
    """A syntactically valid address (no DNS look-up: the tool stays off the network).

    A domain typed in ASCII (an IDNA A-label such as xn--mnchen-3ya.de) stays ASCII; a domain typed
    in Unicode is kept in Unicode for display, and formats.headers writes its ASCII form.
    """
    what = what or _("email address")
    raw = value.translate(_INVISIBLE).strip()
    if raw.lower().startswith("mailto:"):
        raw = raw[len("mailto:") :]
    raw = raw.strip().strip(";,").strip()
    if raw.startswith("<") and raw.endswith(">"):
        # An address pasted as "<anna@example.org>": only a matching pair is taken off, so a
        # stray bracket stays in the address and makes it invalid.
        raw = raw[1:-1].strip()
    header_safe(raw, what)
    name, bracket, address = raw.rpartition("<")
    if bracket and name.strip() and address.endswith(">"):
        # "Anna <anna@example.org>", pasted from a mail program: the name has its own option.
        raise UsageProblem(
            _('{what} "{value}": give the address alone, such as {address}').format(
                what=what, value=raw, address=address[:-1].strip()
            )
        )
    if "=?" in raw:
        # An addr-spec cannot be encoded, and parsers (CPython's policy.default among them) read
        # "=?...?=" in it as an RFC 2047 encoded word: refused, though RFC 5321 would allow it.
        raise UsageProblem(
            _('{what} "{value}" contains "=?", which mail software reads as encoding').format(
                what=what, value=raw
            )
        )
    from email_validator import EmailNotValidError  # slow to import: only here

    try:
        return _normal_form(raw)
    except EmailNotValidError as exc:
        raise UsageProblem(
            _('{what} "{value}" is not valid: {problem}').format(
                what=what, value=raw, problem=email_problem(str(exc))
            )
        ) from exc


@functools.lru_cache(maxsize=1024)
def _normal_form(raw: str) -> str:
    """`raw` as email-validator normalises it (see `clean_email`); EmailNotValidError if invalid.

    Kept for the last 1,024 addresses: a batch's rows often repeat one (a `to` column, --to),
    and the check, a pure function of the address, costs more than composing a paragraph.
    """
    from email_validator import validate_email

    result = validate_email(raw, check_deliverability=False)
    typed_domain = raw.rpartition("@")[2]
    if typed_domain.isascii() and result.ascii_domain:
        return f"{result.local_part}@{result.ascii_domain}"
    return str(result.normalized)


def clean_note(value: str) -> str:
    """The personal paragraph: any text without dangerous characters (see `characters.dangerous_char`).

    A leading byte order mark (a file saved as "UTF-8 with BOM") is dropped; CRLF and CR line
    ends become LF.
    """
    text = value.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").strip()
    refuse_dangerous(text, _("the personal note"), allowed="\n\t")
    if len(text) > MAX_NOTE:
        raise UsageProblem(
            ngettext(
                "the personal note is longer than {limit} character; shorten it",
                "the personal note is longer than {limit} characters; shorten it",
                MAX_NOTE,
            ).format(limit=MAX_NOTE)
        )
    return text


class Writer(NamedTuple):
    name: str
    country_code: str
    city: str = ""
    organisation: str = ""
    email: str = ""
    address: tuple[str, ...] = ()  # postal address lines, as given (the country may be left out)
    iin: str = ""  # Kazakhstan's individual identification number, checked; "" when not given

    @classmethod
    def build(
        cls,
        name: str,
        country: str,
        city: str | None = None,
        organisation: str | None = None,
        email: str | None = None,
        address: Sequence[str] = (),
        iin: str | None = None,
    ) -> Writer:
        return cls(
            name=clean_name(name),
            country_code=resolve_country(country),
            city=header_safe(city or "", _("city")),
            organisation=header_safe(organisation or "", _("organisation")),
            email=clean_email(email) if email and email.strip() else "",
            address=clean_address(address),
            iin=clean_iin(iin) if iin and iin.strip() else "",
        )

    def postal_address(self, lang: str) -> list[str]:
        """The address lines with the country named last in `lang`, unless a line already names it."""
        if not self.address:
            return []
        names = {
            self.country_code.casefold(),
            country_name(self.country_code, lang).casefold(),
            country_name(self.country_code, "en").casefold(),
        }
        last = self.address[-1].casefold()
        if any(last == n or last.endswith((f" {n}", f",{n}")) for n in names):
            return list(self.address)
        return [*self.address, country_name(self.country_code, lang)]

    def context(self, lang: str) -> dict[str, str | list[str]]:
        """The writer as templates see it, with the country named in the letter's language."""
        country = country_name(self.country_code, lang)
        return {
            "name": self.name,
            "country": country,
            "country_code": self.country_code,
            "city": self.city,
            "organisation": self.organisation,
            "email": self.email,
            "place": f"{self.city}, {country}" if self.city else country,
            "address": self.postal_address(lang),
            "iin": self.iin,
        }
