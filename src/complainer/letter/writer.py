"""The writer's details, validated: everything here may end up in a mail header."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from complainer.errors import UsageProblem
from complainer.letter.formal import clean_address, clean_iin
from complainer.letter.locales import country_name, resolve_country

# RFC 2047 encoded words. Python 3.11.7 still decodes one into a real header line when it
# carries a line break (CVE-2024-6923), so none may reach a header, broken or not.
ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?]*\?=")
# Characters people paste along with an address: zero-width spaces, BOMs, bidi marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202c"))
MAX_FIELD = 200
MAX_NOTE = 4000


def _has_control(text: str, allowed: str = "") -> bool:
    return any(
        ch not in allowed and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text
    )


def header_safe(value: str, what: str) -> str:
    """`value` stripped, or a UsageProblem if it could break or forge a mail header."""
    value = value.strip()
    if _has_control(value):
        raise UsageProblem(f"{what} contains a line break or another control character; remove it")
    if ENCODED_WORD.search(value):
        raise UsageProblem(f"{what} contains encoded-word syntax (=?…?=), which is not allowed")
    if len(value) > MAX_FIELD:
        raise UsageProblem(f"{what} is longer than {MAX_FIELD} characters")
    return value


def clean_name(value: str, what: str = "name") -> str:
    name = header_safe(value, what)
    if not name:
        raise UsageProblem(f"{what} is empty; give it with --name")
    return name


def clean_email(value: str, what: str = "email address") -> str:
    """A syntactically valid address (no DNS look-up: the tool stays off the network)."""
    # email_validator compiles its Unicode patterns on import (about 30 ms): only when an
    # address is given.
    from email_validator import EmailNotValidError, validate_email

    raw = value.translate(_INVISIBLE).strip()
    if raw.lower().startswith("mailto:"):
        raw = raw[len("mailto:") :]
    raw = raw.strip().strip(";,").strip().strip("<>").strip()
    header_safe(raw, what)
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise UsageProblem(f'{what} "{raw}" is not valid: {exc}') from exc
    return str(result.normalized)


def clean_note(value: str) -> str:
    """The personal paragraph: any text, but no control characters besides line breaks and tabs."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if _has_control(text, allowed="\n\t"):
        raise UsageProblem("the personal note contains control characters; remove them")
    if len(text) > MAX_NOTE:
        raise UsageProblem(f"the personal note is longer than {MAX_NOTE} characters; shorten it")
    return text


@dataclass(frozen=True)
class Writer:
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
            city=header_safe(city or "", "city"),
            organisation=header_safe(organisation or "", "organisation"),
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
