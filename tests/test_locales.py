"""Country and language resolution (letter/locales.py) against Babel's CLDR data, in-process.

The start-up shortcuts (an ISO code checked against one locale's codes, a name looked up one
locale at a time) must answer exactly as the index of all six input locales would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel import Locale

from complainer.errors import UsageProblem
from complainer.letter import locales


def full_index() -> dict[str, str]:
    """The index as it was built before the shortcuts: every locale's names and codes, then the
    standard spellings of templates/countries.toml."""
    index: dict[str, str] = {}
    for loc in locales.INPUT_LOCALES:
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha() and code not in locales._NOT_COUNTRIES:
                index.setdefault(locales._fold(name), code)
                index[locales._fold(code)] = code
    for names in locales.country_overrides().values():
        for code, name in names.items():
            index[locales._fold(name)] = code
    return index


def test_every_input_locale_names_the_same_territories() -> None:
    def codes(loc: str) -> set[str]:
        return {c for c in Locale.parse(loc).territories if len(c) == 2 and c.isalpha()}

    for loc in locales.INPUT_LOCALES:
        assert codes(loc) == set(locales._territory_codes()), loc


def test_every_spelling_resolves_as_the_full_index_does() -> None:
    index = full_index()
    assert locales._country_index() == index
    for spelling, code in index.items():
        assert locales.resolve_country(spelling) == code, spelling
        assert locales.resolve_country(f"  {spelling.upper()} ") == code, spelling


@pytest.mark.parametrize("value", ["Germnay", "XX", "EU", "UN", "Atlantis", "1A"])
def test_what_the_index_lacks_is_refused(value: str) -> None:
    assert locales._fold(value) not in full_index()
    with pytest.raises(UsageProblem, match="unknown country"):
        locales.resolve_country(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("ru", "ru"),
        ("KK", "kk"),
        (" en ", "en"),
        ("Russian", "ru"),
        ("қазақша", "kk"),
        ("kz", "kk"),
    ],
)
def test_languages_by_code_alias_or_name(value: str, code: str) -> None:
    assert locales.resolve_language(value, ["en", "ru", "kk"]) == code


LETTER_LANGUAGES = ("en", "ru", "kk", "de", "fr", "es")


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A private, empty complainer cache, and no in-process memory of the last one."""
    monkeypatch.setenv("COMPLAINER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COMPLAINER_NO_CACHE", raising=False)
    locales._letter_locale.cache_clear()
    yield
    locales._letter_locale.cache_clear()


@pytest.mark.parametrize("from_disk", [False, True])
def test_dates_and_country_names_from_the_cache_are_babels(
    fresh_cache: None, from_disk: bool
) -> None:
    for lang in LETTER_LANGUAGES:
        assert locales._letter_locale(lang) is not None, lang
    if from_disk:  # the second run of a process reads what the first one stored
        locales._letter_locale.cache_clear()
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=n) for n in range(6 * 366)]
    days += [dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(2100, 2, 28), dt.date(9999, 12, 31)]
    for lang in LETTER_LANGUAGES:
        for day in days:
            assert locales.long_date(day, lang) == locales._long_date_from_cldr(day, lang)
        overrides = locales.country_overrides().get(lang, {})
        for code in Locale.parse(lang).territories:
            expected = overrides.get(code) or locales._country_name_from_cldr(code, lang)
            assert locales.country_name(code, lang) == expected, (lang, code)
        assert locales.country_name("QQ", lang) == "QQ"


def test_an_unknown_language_is_babels_error(fresh_cache: None) -> None:
    assert locales._letter_locale("xx-nowhere") is None
    with pytest.raises(ValueError):
        locales.long_date(dt.date(2026, 11, 30), "xx-nowhere")
