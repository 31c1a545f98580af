"""Immutable records (a letter, a request, a writer, a campaign's parts) that cost next to
nothing to define.

A frozen dataclass writes and compiles its methods (`__init__`, `__eq__`, `__hash__`,
`__setattr__`, ...) when its class is defined, and a `typing.NamedTuple` checks the annotation
of every field: 0.1-1 ms a class, paid at import by every run for each record it loads (about
thirty on the way to a letter, 4 ms of `complainer draft`). A Record's methods are written once,
here, and read the class's field names, so that defining one costs what any class costs
(10-20 us). Making an instance costs about 1 us, twice a NamedTuple's: a record that a letter
makes many of (one per point, citation, layout block or header field) stays a NamedTuple, so
that a batch of letters does not pay for what start-up saves.

    class Block(Record):
        name: str
        text: str = ""

Fields are the class's own annotations in order (after those of a Record it extends), a value
in the class body is the field's default, and a field without a default may not follow one
with a default. An instance compares equal to another of the same class with equal fields,
hashes as the tuple of its fields, and cannot be changed; `_replace(**changes)` makes a copy
with some fields changed (as NamedTuple's does), `_asdict()` gives the fields as a dict. Type
checkers see a frozen dataclass (PEP 681 `dataclass_transform`): the constructor's arguments
are checked, and assigning to a field is an error.
"""

from __future__ import annotations

import operator
import sys
from typing import TYPE_CHECKING, Any, ClassVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - the interpreter the tests run on is newer
    from typing_extensions import dataclass_transform

if TYPE_CHECKING:
    from typing_extensions import Self


@dataclass_transform(eq_default=True, frozen_default=True)
class Record:
    """The base of an immutable record; see the module's docstring."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _field_set: ClassVar[frozenset[str]] = frozenset()
    _required: ClassVar[frozenset[str]] = frozenset()
    # An instance -> its fields' values, a tuple in field order (operator.attrgetter).
    _getter: ClassVar[Any] = staticmethod(lambda record: ())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 (not evaluated)
        own = [
            name
            for name, kind in annotations.items()
            if not str(kind).startswith(("ClassVar", "typing.ClassVar"))
        ]
        fields = (*cls._fields, *(name for name in own if name not in cls._fields))
        # A default stays in the class: an instance holds only the values it was given.
        required = [name for name in fields if not hasattr(cls, name)]
        if required and fields.index(required[-1]) >= len(required):
            raise TypeError(f"{cls.__name__}: a field without a default follows one with")
        cls._fields = fields
        cls._field_set = frozenset(fields)
        cls._required = frozenset(required)
        if len(fields) > 1:
            cls._getter = operator.attrgetter(*fields)
        else:  # attrgetter of one name gives the value itself, not a tuple
            cls._getter = staticmethod(lambda record: tuple(getattr(record, f) for f in fields))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = self.__dict__
        if args:
            if len(args) > len(self._fields):
                raise TypeError(
                    f"{type(self).__name__}() takes {len(self._fields)} arguments"
                    f" but {len(args)} were given"
                )
            given.update(zip(self._fields, args))  # noqa: B905 (fewer args: the rest by name)
            if kwargs and not given.keys().isdisjoint(kwargs):
                raise TypeError(
                    f"{type(self).__name__}() got {sorted(given.keys() & kwargs)} twice"
                )
        if kwargs:
            if not self._field_set.issuperset(kwargs):
                unknown = sorted(kwargs.keys() - self._field_set)
                raise TypeError(f"{type(self).__name__}() got an unexpected argument {unknown}")
            given.update(kwargs)
        if not self._required <= given.keys():
            missing = sorted(self._required - given.keys())
            raise TypeError(f"{type(self).__name__}() is missing {missing}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot assign to {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(_values(self) == _values(other))

    def __hash__(self) -> int:
        return hash(_values(self))

    def __repr__(self) -> str:
        values = _values(self)
        fields = ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, values, strict=True))
        return f"{type(self).__name__}({fields})"

    def _replace(self, **changes: Any) -> Self:
        """A copy with the fields named in `changes` changed (TypeError for a name that is not
        a field)."""
        if not self._field_set.issuperset(changes):
            unknown = sorted(changes.keys() - self._field_set)
            raise TypeError(f"{type(self).__name__} has no field {unknown}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    def _asdict(self) -> dict[str, Any]:
        """The fields and their values, in field order."""
        return dict(zip(self._fields, _values(self), strict=True))


def _values(record: Record) -> tuple[Any, ...]:
    values: tuple[Any, ...] = record._getter(record)
    return values
