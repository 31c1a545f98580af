"""A batch's row checks, done once where rows repeat a value, give what checking every row whole gives.

`CheckedDefaults.seen` keeps, for a batch, the canonical form of each repeated value that passed
its check (country, city, organisation, language, the recipient's address and name); `Row.values`
copies the flags instead of `dataclasses.replace`; a letter's path is joined as text. Each is
compared here with the plain path over hostile text: the same writer and request, or the same
refusal, however often a value comes back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complainer.campaigns.model import Campaign
from complainer.campaigns.registry import open_registry
from complainer.errors import UsageProblem
from complainer.flows import batch
from complainer.i18n import set_language
from complainer.letter import request as requests
from complainer.letter.countries import resolve_country
from complainer.letter.locales import resolve_language
from complainer.letter.request import CheckedDefaults, DraftValues, build_request
from complainer.letter.signers import (
    _LINE_SPLIT,
    _LIST_SPLIT,
    LINE_FIELDS,
    LIST_FIELDS,
    Row,
    column_field,
)
from complainer.letter.writer import clean_email, header_safe

CAMPAIGN = "kz-propaganda-law-2025"

# Text near the checks' edges: controls, line breaks, bidi overrides, zero-width and no-break
# spaces, encoded-word starts, long values, other scripts, and plain values rows repeat.
HOSTILE = st.one_of(
    st.sampled_from(
        ["DE", "de", "Germany", "Deutschland", "kz", "Atlantis", "", " ", "Berlin", " Köln ",
         "Алматы", "a\u202eb", "a\u200bb", "x\u00a0y", "a\r\nBcc: x@example.org", "a\nb", "a\tb",
         "=?utf-8?q?x?=", "x" * 201, "en", "EN", "ru", "Russian", "русский", "xx", "mp@example.org",
         " <MP@Example.org> ", "mailto:a@b.org", "not-an-address", "a@b", "Anna <a@b.org>",
         "a@münchen.de", "\x00", "'=1+1", "\ufeffBOM"]
    ),
    st.text(max_size=12),
    st.text(alphabet="aZ \t\r\n\x00\x7f\u0085\u200b\u202e\u2028=?@<>.ÿЖ", max_size=12),
)  # fmt: skip
MEMOISED = requests._MEMOISED


def outcome(values: DraftValues, campaign: Campaign, known: CheckedDefaults | None) -> object:
    try:
        return build_request(values, campaign, known=known)
    except UsageProblem as exc:
        return f"refused: {exc}"


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    return open_registry(None).load(CAMPAIGN)


@settings(max_examples=300, deadline=None)
@given(
    pool=st.lists(st.fixed_dictionaries({f: HOSTILE for f in MEMOISED}), min_size=1, max_size=4),
    picks=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(MEMOISED)), max_size=12),
    ui=st.sampled_from(["en", "ru", "kk"]),
)
def test_a_value_checked_once_for_the_batch_gives_what_checking_it_again_gives(
    campaign: Campaign, pool: list[dict[str, str]], picks: list[tuple[int, str]], ui: str
) -> None:
    """Rows built from a few hostile values, each coming back several times: through one batch's
    CheckedDefaults (values kept once they pass) the writer and request, or the refusal word for
    word (in the interface language of the moment), are those of a fresh check of the row."""
    known = CheckedDefaults.of(DraftValues(campaign=CAMPAIGN), campaign)
    rows = [dict(pool[0])]
    for index, field in picks:
        row = dict(rows[-1])
        row[field] = pool[index % len(pool)][field]
        rows.append(row)
    try:
        for turn, cells in enumerate(rows * 2):
            set_language(("en", "ru", "kk")[turn % 3] if ui == "kk" else ui)
            values = DraftValues(campaign=CAMPAIGN, name="Anna Schmidt", **cells)
            assert outcome(values, campaign, known) == outcome(values, campaign, None)
    finally:
        set_language("en")
    assert len(known.seen) <= requests._SEEN_MOST
    checks = uncached_checks(campaign)
    for (field, value), canonical in known.seen.items():
        assert checks[field](value) == canonical  # only values that passed are kept, as they passed


def uncached_checks(campaign: Campaign) -> dict[str, Callable[[str], object]]:
    """Each memoised value's check, called directly."""
    return {
        "country": resolve_country,
        "city": lambda v: header_safe(v, "city"),
        "organisation": lambda v: header_safe(v, "organisation"),
        "to": clean_email,
        "to_name": lambda v: header_safe(v, "--to-name"),
        "lang": lambda v: resolve_language(v, campaign.languages),
        "with_translation": lambda v: resolve_language(v, campaign.languages),
    }


def test_a_refused_value_is_not_kept(campaign: Campaign) -> None:
    known = CheckedDefaults.of(DraftValues(campaign=CAMPAIGN), campaign)
    values = DraftValues(campaign=CAMPAIGN, name="Anna Schmidt", country="DE", city="a\u202eb")
    for _ in range(2):
        with pytest.raises(UsageProblem, match="city"):
            build_request(values, campaign, known=known)
    assert ("city", "a\u202eb") not in known.seen
    assert known.seen[("country", "DE")] == "DE"


def test_the_kept_values_stay_bounded(campaign: Campaign, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(requests, "_SEEN_MOST", 3)
    known = CheckedDefaults.of(DraftValues(campaign=CAMPAIGN), campaign)
    for n in range(10):
        values = DraftValues(campaign=CAMPAIGN, name="Anna Schmidt", country="DE", city=f"C{n}")
        writer, _request = build_request(values, campaign, known=known)
        assert writer.city == f"C{n}"
        assert len(known.seen) <= 3


def replaced(row: Row, defaults: DraftValues) -> DraftValues:
    """What `Row.values` gave with dataclasses.replace (the reference, as it was written)."""
    given: dict[str, Any] = {}
    for column, value in row.cells.items():
        field = column_field(column)
        if field is None or value is None:
            continue
        if field in LIST_FIELDS or field in LINE_FIELDS:
            split = _LIST_SPLIT if field in LIST_FIELDS else _LINE_SPLIT
            items = value if isinstance(value, list) else split.split(str(value))
            ids = [str(i).strip() for i in items if str(i).strip()]
            if ids:
                given[field] = ids
        elif str(value).strip():
            given[field] = str(value)
    return dataclasses.replace(defaults, **given)


CELLS = st.dictionaries(
    st.sampled_from(["name", "Country", "city", "to-name", "note", "arguments", "address", "x"]),
    st.one_of(st.none(), HOSTILE, st.lists(HOSTILE, max_size=3)),
    max_size=6,
)


@given(cells=CELLS, lang=st.sampled_from([None, "en"]), city=st.sampled_from([None, "Berlin"]))
def test_a_rows_values_are_the_flags_replaced_by_its_cells(
    cells: dict[str, object], lang: str | None, city: str | None
) -> None:
    defaults = DraftValues(campaign=CAMPAIGN, lang=lang, city=city, address=["1 Main St"])
    row = Row(1, cells)
    made = row.values(defaults)
    assert made == replaced(row, defaults)
    assert made is not defaults and defaults == DraftValues(
        campaign=CAMPAIGN, lang=lang, city=city, address=["1 Main St"]
    )


def test_draft_values_can_be_copied_as_replace_makes_them() -> None:
    """`Row.values` relies on DraftValues having nothing `__init__` does beyond setting fields."""
    assert not hasattr(DraftValues, "__post_init__")
    assert all(f.init for f in dataclasses.fields(DraftValues))


@given(
    folder=st.text(alphabet="ab./ ~\\-", max_size=12),
    name=st.text(max_size=20),
    extension=st.sampled_from(["", ".eml", ".txt", ".json"]),
)
def test_a_letters_path_is_the_folders_path_joined_as_text(
    folder: str, name: str, extension: str
) -> None:
    """flows.batch.file_prefix: the report's path of each letter, joined as text, is the Path's."""
    stem = batch.safe_stem(name, "0123456789abcdef") + extension
    for given_folder in (folder, f"/{folder}", f"./{folder}", "."):
        path = Path(given_folder)
        assert batch.file_prefix(path) + stem == str(path / stem)
