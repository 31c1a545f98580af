"""Language and country names, and dates, in the letter's language (CLDR data through Babel)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any, TypeGuard

from complainer import cache as disk_cache
from complainer.campaigns.tomlfile import load_toml
from complainer.errors import SUGGEST_CUTOFF, CampaignError, UsageProblem
from complainer.i18n import _
from complainer.i18n import language as ui_language
from complainer.paths import content_root


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    return re.sub(r"[\s.\-_'’()]+", " ", text).strip()


@lru_cache(maxsize=1024)
def language_name(code: str, in_lang: str | None = None) -> str:
    """The name of language `code` in `in_lang` (default: in itself). Cached: a batch asks for
    the same few names for every letter, and Babel's lookup costs more than composing one."""
    from babel import Locale

    try:
        name = Locale.parse(code).get_display_name(in_lang or code)
    except (ValueError, TypeError):
        return code
    return name or code


@cache
def _language_aliases() -> dict[str, tuple[str, ...]]:
    data = load_toml(content_root() / "complainer.toml").get("language_aliases", {})
    return {k: tuple(v) for k, v in data.items() if isinstance(v, list)}


def _language_subtag(value: str) -> str:
    """The language of a BCP 47 tag or a POSIX locale name: "ru-RU", "kk-Cyrl-KZ", "ru_RU.UTF-8" -> "ru"."""
    return re.split(r"[-_.@]", value.strip(), maxsplit=1)[0]


def resolve_language(value: str, available: Sequence[str]) -> str:
    """A language code from a code, a language tag or a name ("ru", "ru-RU", "kk-Cyrl-KZ",
    "русский", "Kazakh", "қазақша", "qazaqsha"); UsageProblem naming the choices if none fits.
    """
    if value in available:  # the usual case, and every row of a batch: no names to build
        return value
    names: dict[str, str] = {}
    for code in available:
        names[_fold(code)] = code
        for alias in _language_aliases().get(code, ()):
            names[_fold(alias)] = code
        for in_lang in {*available, "en", code}:
            names[_fold(language_name(code, in_lang))] = code
    for wanted in (_fold(value), _fold(_language_subtag(value))):
        if wanted in names:
            return names[wanted]
    # Named in the interface language, as every name the interface shows.
    choices = [f"{c} ({language_name(c, ui_language())})" for c in available]
    close = difflib.get_close_matches(_fold(value), list(names), n=1, cutoff=SUGGEST_CUTOFF)
    if close:
        raise UsageProblem(
            _('unknown language "{value}". Did you mean "{guess}"? Choose from: {choices}.').format(
                value=value, guess=names[close[0]], choices=", ".join(choices)
            )
        )
    raise UsageProblem(
        _('unknown language "{value}". Choose from: {choices}.').format(
            value=value, choices=", ".join(choices)
        )
    )


@cache
def country_overrides() -> dict[str, dict[str, str]]:
    """Country names used instead of CLDR's: {language: {ISO 3166 alpha-2 code: name}}.

    Read from `templates/countries.toml` (data, so a spelling is fixed without code). Raises
    CampaignError, naming the file and the key, when an entry is not a code mapped to a name.
    """
    path = content_root() / "countries.toml"
    data = load_toml(path) if path.is_file() else {}
    result: dict[str, dict[str, str]] = {}
    for lang, table in data.items():
        if not isinstance(table, dict):
            raise CampaignError(f"{path}: field '{lang}' must be a table of country names")
        for code, name in table.items():
            if not (len(code) == 2 and code.isalpha() and code.isupper()):
                raise CampaignError(f"{path}: field '{lang}.{code}' is not an ISO 3166 code")
            if not isinstance(name, str) or not name.strip():
                raise CampaignError(f"{path}: field '{lang}.{code}' must be a non-empty name")
        result[lang] = {str(k): str(v) for k, v in table.items()}
    return result


def _babel_release() -> bytes | None:
    """What identifies the installed Babel and its CLDR data, read without importing Babel."""
    return disk_cache.release_of("babel")


@cache
def _letter_locale(lang: str) -> dict[str, Any] | None:
    """What a letter in `lang` takes from CLDR: territory names, month names, the long date format.

    The same for every writer, so kept in the cache per Babel release: a letter then loads no
    locale data (about 14 ms and 5 MB for English). None when Babel cannot say (an unknown
    language, no Babel release to key on): the callers then ask Babel, which says why.
    """
    release = _babel_release()
    if release is None:
        return None
    source = release + b"\0" + lang.encode()
    facts = disk_cache.load("letter-locale", source, made_by=__file__)
    if _is_letter_locale(facts):
        return facts
    try:
        from babel import Locale
        from babel.dates import get_month_names

        locale = Locale.parse(lang)
        months = get_month_names("wide", "format", locale)
        facts = {
            "territories": {str(k): str(v) for k, v in locale.territories.items()},
            "months": [str(months[m]) for m in range(1, 13)],
            # Babel's own parse of the pattern: "%(d)s %(MMMM)s %(y)s\u202fг." for Russian.
            "long": str(locale.date_formats["long"].format),
        }
    except Exception:
        return None
    disk_cache.store("letter-locale", source, facts, made_by=__file__)
    return facts


def _is_letter_locale(data: object) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(data, dict)
        and isinstance(data.get("territories"), dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in data["territories"].items())
        and isinstance(data.get("months"), list)
        and len(data["months"]) == 12
        and all(isinstance(m, str) for m in data["months"])
        and isinstance(data.get("long"), str)
    )


# The fields of a long date format filled from the cached facts (as Babel fills them: the day
# and the year unpadded, the month's wide name in the format context); any other field is
# left to Babel.
_DATE_FIELD = re.compile(r"%\((\w+)\)s")


def country_name(code: str, lang: str) -> str:
    """The country's name in `lang`: templates/countries.toml first, else CLDR, else the code."""
    override = country_overrides().get(lang, {}).get(code)
    if override:
        return override
    facts = _letter_locale(lang)
    if facts is not None:
        name = facts["territories"].get(code)
        return str(name) if name else code
    return _country_name_from_cldr(code, lang)


def _country_name_from_cldr(code: str, lang: str) -> str:
    from babel import Locale

    name = Locale.parse(lang).territories.get(code)
    return str(name) if name else code


def long_date(day: dt.date, lang: str) -> str:
    """The date as a formal letter in `lang` writes it: 3 August 2024, 3 августа 2024 г., 2024 жылғы 3 тамыз."""
    facts = _letter_locale(lang)
    if facts is not None:
        month = facts["months"][day.month - 1]
        if lang == "en":  # the same forms as below, from the cached names
            return f"{day.day} {month} {day.year}"
        if lang == "kk":
            return f"{day.year} жылғы {day.day} {month}"
        pattern = facts["long"]
        if set(_DATE_FIELD.findall(pattern)) <= {"d", "MMMM", "y"}:
            fields = {"d": str(day.day), "MMMM": month, "y": str(day.year)}
            return str(pattern % fields).replace("\u202f", "\u00a0")
    return _long_date_from_cldr(day, lang)


def _long_date_from_cldr(day: dt.date, lang: str) -> str:
    from babel.dates import format_date

    if lang == "en":
        # CLDR's English long form is American (August 3, 2024); letters to officials abroad
        # read better in the international day-month-year order.
        return f"{day.day} {format_date(day, 'MMMM y', locale='en')}"
    if lang == "kk":
        # Kazakh official documents write the date requisite «2024 жылғы 3 тамыз», not CLDR's
        # abbreviated «2024 ж. 3 тамыз» (Kazakh editor's review, item 27).
        return f"{day.year} жылғы {day.day} {format_date(day, 'MMMM', locale='kk')}"
    # CLDR puts a narrow no-break space before «г.»/«ж.»; many fonts and mail clients lack it,
    # while the ordinary no-break space keeps the same typography everywhere.
    return format_date(day, format="long", locale=lang).replace("\u202f", "\u00a0")
