"""Country and language resolution (letter/locales.py) against Babel's CLDR data, in-process.

What start-up takes from the cache (the country index, each letter language's CLDR facts) must
answer exactly as Babel itself would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel import Locale

from complainer.letter import countries, locales


def test_the_cached_country_index_is_the_built_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLAINER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COMPLAINER_NO_CACHE", raising=False)
    built = countries._build_index()
    countries._index.cache_clear()
    assert countries._index() == built  # builds and stores
    countries._index.cache_clear()
    assert countries._index() == built  # read back from the cache
    assert countries.resolve_country("DE") == "DE"
    assert countries.resolve_country("Германия") == "DE"


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
