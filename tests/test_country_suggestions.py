"""Suggestions are made only when genuinely close: a country for a typo or the start of a name,
never "Albania, Malaysia, Germany" for "Atlantis"; no "Did you mean "en"?" for --ui-lang de.
Without a close match the message says the value is not known and where every code is listed."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from conftest import Runner, assert_clean_error
from hypothesis import given
from hypothesis import strategies as st

from complainer.errors import UsageProblem, unknown_choice
from complainer.letter import countries
from complainer.letter.countries import CLOSE_ENOUGH, CODES_URL, candidates, fold, resolve_country
from complainer.terminal import questions


@pytest.mark.parametrize("typed", ["Atlantis", "Narnia", "Mordor", "Xyzzy", "El Dorado"])
def test_nothing_close_means_no_suggestion(typed: str) -> None:
    assert candidates(typed) == []
    with pytest.raises(UsageProblem) as info:
        resolve_country(typed)
    message = str(info.value)
    assert "not a country complainer knows" in message and CODES_URL in message
    assert "did you mean" not in message.casefold()


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Germny", "DE"), ("Frnace", "FR"), ("Holand", "NL"), ("Russ", "RU"), ("Казахстн", "KZ"),
     ("Untied States", "US")],
)  # fmt: skip
def test_a_typo_or_the_start_of_a_name_is_suggested(typed: str, code: str) -> None:
    assert candidates(typed)[0] == code
    with pytest.raises(UsageProblem, match="did you mean"):
        resolve_country(typed)


def _close(typed: str, code: str) -> bool:
    wanted = fold(typed)
    names = [k for k, c in countries._index().items() if c == code and len(k) > 3]
    return any(
        difflib.SequenceMatcher(None, wanted, k).ratio() >= CLOSE_ENOUGH
        or (len(wanted) >= 3 and (k.startswith(wanted) or f" {wanted}" in k))
        for k in names
    )


@given(st.text(max_size=20))
def test_every_suggestion_is_genuinely_close(typed: str) -> None:
    for code in candidates(typed):
        assert _close(typed, code), (typed, code)


def test_the_wizard_says_the_country_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert questions._choose_country("Atlantis") is None
    err = " ".join(capsys.readouterr().err.split())
    assert "not a country complainer knows" in err and "Albania" not in err


def test_unknown_choice_suggests_only_close_ones() -> None:
    assert "Did you mean" not in unknown_choice("interface language", "de", ["en", "ru", "kk"])
    assert 'Did you mean "ministry"' in unknown_choice("target", "ministy", ["ministry", "mp"])


def test_ui_lang_de_lists_the_interface_languages(run: Runner) -> None:
    line = assert_clean_error(run("--ui-lang", "de", "draft"), 2, '"de"', "en, ru, kk")
    assert "Did you mean" not in line


@given(st.text(st.characters(codec="ascii", categories=["Lu", "Ll"]), min_size=1, max_size=12))
def test_a_code_or_one_word_folds_as_any_name_does(word: str) -> None:
    """`fold` takes a short cut for ASCII letters only: the result is what the general rules
    give the same word with spacing around it (which takes the general way)."""
    assert fold(word) == fold(f" {word} ") == fold(f"({word}).")


def test_codes_are_looked_up_in_the_short_index_as_in_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A code is looked up in the index's short keys (its own cache entry): they are exactly the
    whole index's keys of that length, whether both come from the cache or are built anew."""
    from complainer import cache

    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    for _ in range(2):  # built and stored, then read back from the cache
        countries._index.cache_clear()
        countries._short_index.cache_clear()
        short = countries._short_index()
        whole = countries._index()
        assert short == {k: v for k, v in whole.items() if len(k) <= countries.SHORT_KEY}
    assert len(short) > 400 and short["de"] == "DE" and short["deu"] == "DE"
    for code in countries.country_codes():
        assert countries.lookup(code) == code and countries.lookup(code.lower()) == code
