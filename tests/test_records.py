"""complainer.records: immutable records that behave as frozen dataclasses do (fields, defaults,
equality, hashing, copies with changes), without compiling methods when a class is defined."""

from __future__ import annotations

import copy
import pickle
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complainer.letter.compose import Recipient
from complainer.records import Record


class Page(Record):
    number: int
    title: str
    lines: tuple[str, ...] = ()
    note: str | None = None
    KIND: ClassVar[str] = "page"  # a class constant, not a field


class NumberedPage(Page):
    label: str = "p."


def test_fields_and_defaults() -> None:
    assert Page._fields == ("number", "title", "lines", "note")
    assert NumberedPage._fields == ("number", "title", "lines", "note", "label")
    page = Page(1, "One", note="n")
    assert (page.number, page.title, page.lines, page.note) == (1, "One", (), "n")
    assert page == Page(note="n", title="One", number=1)
    assert page._asdict() == {"number": 1, "title": "One", "lines": (), "note": "n"}
    assert repr(page) == "Page(number=1, title='One', lines=(), note='n')"
    assert NumberedPage(2, "Two").label == "p."


def test_constructor_refuses_what_a_dataclass_refuses() -> None:
    with pytest.raises(TypeError, match="missing"):
        Page(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected"):
        Page(1, "One", colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="twice"):
        Page(1, "One", number=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 4 arguments"):
        Page(1, "One", (), None, "extra")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="without a default follows"):

        class Broken(Record):
            first: int = 0
            second: int


def test_immutable_and_copied_with_changes() -> None:
    page = Page(1, "One")
    with pytest.raises(AttributeError):
        page.title = "Two"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del page.title  # type: ignore[misc]
    changed = page._replace(title="Two", lines=("a",))
    assert (changed, page) == (Page(1, "Two", ("a",)), Page(1, "One"))
    assert type(changed) is Page
    with pytest.raises(TypeError, match="no field"):
        page._replace(colour="red")
    assert copy.copy(page) == page == copy.deepcopy(page)
    assert pickle.loads(pickle.dumps(page)) == page


def test_equality_is_by_class_and_fields() -> None:
    assert Page(1, "One") != Page(2, "One")
    assert Page(1, "One") != NumberedPage(1, "One")
    assert Page(1, "One") != (1, "One", (), None)  # not a tuple
    assert Recipient("A", "a@example.org", ()) == Recipient(
        name="A", email="a@example.org", address=()
    )


@given(
    number=st.integers(),
    title=st.text(),
    lines=st.lists(st.text(), max_size=3).map(tuple),
    note=st.none() | st.text(),
    by_name=st.booleans(),
)
def test_equal_records_hash_alike_however_made(
    number: int, title: str, lines: tuple[str, ...], note: str | None, by_name: bool
) -> None:
    """Hash and equality follow the fields, not the order or the way they were given, and a
    default left out is the same as the default given."""
    made = (
        Page(note=note, lines=lines, title=title, number=number)
        if by_name
        else Page(number, title, lines, note)
    )
    full = Page(number, title, lines, note)
    assert made == full and hash(made) == hash(full)
    assert made._replace() == full
    if not lines and note is None:
        assert Page(number, title) == full and hash(Page(number, title)) == hash(full)
