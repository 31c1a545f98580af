"""Which country a writer means: ISO 3166 codes from what people type, in any of our languages.

CLDR (through Babel) gives every country's name in the input languages and the ISO alpha-3 codes
(USA, GBR, DEU); `templates/complainer.toml` ([country_aliases]) adds the informal names people
use ("UK", "England", "Holland", "Russian Federation", "США"). A value that matches none of these
exactly is never guessed: `resolve_country` refuses it and names the candidates, and the wizard
shows them and asks. The names a letter prints are not made here (see letter.locales).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from typing import TypeGuard

from complainer import cache as disk_cache
from complainer.campaigns.tomlfile import load_toml
from complainer.errors import UsageProblem
from complainer.i18n import _, language
from complainer.letter.locales import country_name, country_overrides
from complainer.paths import content_root

# Languages whose country names are accepted as input: the interface's and a few that
# supporters abroad are likely to type ("Deutschland", "Allemagne", "Alemania").
INPUT_LOCALES = ("en", "ru", "kk", "de", "fr", "es")
# CLDR territory codes that are not countries a writer lives in.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
MAX_CANDIDATES = 5
# How close a typed name must be to a country's name to be offered (difflib's ratio, 0-1): a
# typo ("Germny" 0.92, "Frnace" 0.83, "Holand" 0.92) passes; an unrelated word sharing a few
# letters ("Atlantis" ~ "Albania" 0.67, "Narnia" ~ "Armenia" 0.77) does not.
CLOSE_ENOUGH = 0.8
# Where a person finds every code (ISO's Online Browsing Platform, country codes).
CODES_URL = "https://www.iso.org/obp/ui/#search/code/"


def fold(text: str) -> str:
    """The form names are compared in: case, spacing, dots, hyphens and a leading "the" ignored."""
    if text.isascii() and text.isalpha():
        # A code ("DE", "deu") or a one-word name: nothing below but casefold changes it, and
        # a letter from flags then compiles no pattern here.
        return text.casefold()
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    text = re.sub(r"[\s.\-_'’()]+", " ", text).strip()
    return text[4:] if text.startswith("the ") else text


@cache
def _aliases() -> dict[str, tuple[str, ...]]:
    data = load_toml(content_root() / "complainer.toml").get("country_aliases", {})
    return {code: tuple(names) for code, names in data.items() if isinstance(names, list)}


# The keys of the index as short as a code (alpha-2, alpha-3) or shorter: what `lookup` needs
# for a code, kept in the cache apart from the whole index (a tenth of it).
SHORT_KEY = 3


@cache
def _index() -> dict[str, str]:
    """Folded name, code or alias -> ISO alpha-2 code.

    The same for every writer, it is kept in the cache (complainer.cache), keyed by Babel's
    release and the two settings files it reads: a letter then loads no locale data (the six
    input locales' names cost about 70 ms).
    """
    source = _index_source()
    if source:
        cached = disk_cache.load("country-index", source, made_by=__file__)
        if _is_index(cached):
            return cached
    index = _build_index()
    if source:
        disk_cache.store("country-index", source, index, made_by=__file__)
    return index


@cache
def _short_index() -> dict[str, str]:
    """The entries of `_index()` whose key is at most SHORT_KEY characters long: from the cache
    (an entry of their own, keyed as the whole index is), else taken from `_index()` and stored."""
    source = _index_source()
    if source:
        cached = disk_cache.load("country-index-short", source, made_by=__file__)
        if _is_index(cached):
            return cached
    short = {key: code for key, code in _index().items() if len(key) <= SHORT_KEY}
    if source:
        disk_cache.store("country-index-short", source, short, made_by=__file__)
    return short


def _index_source() -> bytes | None:
    """What the index is derived from: Babel's release and the two settings files."""
    root = content_root()
    release = disk_cache.release_of("babel")
    settings = [root / "complainer.toml", root / "countries.toml"]
    try:
        return release and release + b"\0".join(p.read_bytes() for p in settings if p.is_file())
    except OSError:
        return None


def _is_index(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _build_index() -> dict[str, str]:
    from babel import Locale
    from babel.core import get_global

    index: dict[str, str] = {}
    for loc in INPUT_LOCALES:
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                index.setdefault(fold(name), code)
                index[fold(code)] = code
    for old, new in get_global("territory_aliases").items():
        # ISO alpha-3 codes (USA, DEU); numeric codes and codes split in several are left out.
        if len(old) == 3 and old.isalpha() and len(new) == 1 and fold(new[0]) in index:
            index.setdefault(fold(old), new[0])
    # The spellings letters use (templates/countries.toml) are what a writer types most.
    for spelled in country_overrides().values():
        for code, name in spelled.items():
            index[fold(name)] = code
    for code, names in _aliases().items():
        for name in names:
            index[fold(name)] = code
    return index


def country_codes() -> list[str]:
    return sorted(set(_index().values()))


def lookup(value: str) -> str | None:
    """The code `value` names exactly (a code, a name or an alias), else None."""
    key = fold(value)
    return (_short_index() if len(key) <= SHORT_KEY else _index()).get(key)


def candidates(value: str, limit: int = MAX_CANDIDATES) -> list[str]:
    """Codes of the countries `value` may mean (closest first): for a typo (a name at least
    CLOSE_ENOUGH alike) or the start of a name or of one of its words (3 letters or more); []
    when no country is genuinely close."""
    wanted = fold(value)
    if not wanted:
        return []
    index = _index()
    names = [k for k in index if len(k) > 3]
    found: list[str] = []
    for key in difflib.get_close_matches(wanted, names, n=limit * 3, cutoff=CLOSE_ENOUGH):
        found.append(index[key])
    if len(wanted) >= 3:
        found += [index[k] for k in names if k.startswith(wanted) or f" {wanted}" in k]
    return list(dict.fromkeys(found))[:limit]


def resolve_country(value: str) -> str:
    """An ISO 3166 alpha-2 code from a code or a name; UsageProblem naming the candidates if not exact."""
    code = lookup(value)
    if code is not None:
        return code
    maybe = candidates(value)
    if maybe:
        raise UsageProblem(
            _(
                'unknown country "{value}"; did you mean {choices}? Give the code or the full name.'
            ).format(
                value=value,
                choices=", ".join(f"{country_name(c, language())} ({c})" for c in maybe),
            )
        )
    raise UsageProblem(not_a_country(value))


def not_a_country(value: str) -> str:
    """The message for a `value` no country is close to: what to give, and where codes are."""
    return _(
        '"{value}" is not a country complainer knows. Give a two-letter ISO 3166 code such as DE'
        " or a country's name such as Germany (every code: {url})."
    ).format(value=value, url=CODES_URL)
