"""A list of signers (CSV with a header row, or JSON Lines) -> one `DraftValues` per row, streamed.

Columns are the `draft` options' names (name, country, city, organisation, email, lang, target,
to, to_name, note, arguments, recommendations, date, and address where the letter has one);
spelling is forgiving (case, spaces and dashes: "To Name", "to-name"). Several arguments or
recommendations go in one cell, separated by ";", "," or spaces (a JSON list in JSON Lines).
Rows are numbered from 1, the first signer (a CSV's header row is not counted).
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import functools
import io
import itertools
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from complainer.errors import UsageProblem
from complainer.i18n import _, format_number, ngettext
from complainer.letter.request import DraftValues

# Column -> DraftValues field; the synonyms are those the draft options accept.
_COLUMNS = {
    "name": "name",
    "country": "country",
    "city": "city",
    "organisation": "organisation",
    "organization": "organisation",
    "email": "email",
    "from": "email",
    "lang": "lang",
    "language": "lang",
    "target": "target",
    "to": "to",
    "to_name": "to_name",
    "note": "note",
    "arguments": "arguments",
    "argument": "arguments",
    "recommendations": "recommendations",
    "recommendation": "recommendations",
    "date": "date",
    "address": "address",
}
LIST_FIELDS = ("arguments", "recommendations")
# Fields of several lines (the postal address): a JSON list, or one cell with its lines separated
# by line breaks (a quoted CSV cell) or by ";".
LINE_FIELDS = ("address",)
_LINE_SPLIT = re.compile(r"\r\n|[\r\n;]")
_LIST_SPLIT = re.compile(r"[;,\s]+")
_FIELDS = {f.name for f in dataclasses.fields(DraftValues)}


def known_columns() -> list[str]:
    """The column names a signers file may use (those whose draft option exists)."""
    return sorted(c for c, f in _COLUMNS.items() if f in _FIELDS)


@functools.lru_cache(maxsize=256)  # asked for every cell of every row; a list has a few columns
def column_field(column: str) -> str | None:
    """The DraftValues field a column fills, or None for an unknown column."""
    key = re.sub(r"[\s-]+", "_", column.strip().lower())
    found = _COLUMNS.get(key)
    return found if found in _FIELDS else None


@dataclass(frozen=True)
class Row:
    """One signer: its number, the values given (column -> text) and the problem, if unreadable."""

    number: int
    cells: dict[str, Any]
    problem: tuple[str, str] | None = None  # (column, reason)

    def values(self, defaults: DraftValues) -> DraftValues:
        """`defaults` (from flags) with this row's non-empty cells on top: a new DraftValues
        whose other values are the defaults' own objects, as `dataclasses.replace` makes it
        (a shallow copy with the cells set: DraftValues has no `__post_init__` and no field
        outside `__init__`, so the same, at half the cost)."""
        given: dict[str, Any] = {}
        for column, value in self.cells.items():
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
        values = copy.copy(defaults)
        for field, value in given.items():
            setattr(values, field, value)
        return values


MAX_SIGNER_LINE = 1_000_000  # characters: a signer's row is a few hundred


class _BoundedLines(io.TextIOWrapper):
    """UTF-8 text read a line at a time, no line longer than MAX_SIGNER_LINE characters.

    A plain text stream reads a line whole however long it is, so a file without line ends
    (/dev/zero, a 3 GB blob) would be read into memory; here it is refused at the bound.
    """

    def __init__(self, raw: IO[bytes], source: str) -> None:
        super().__init__(raw, encoding="utf-8-sig", newline="")
        self.source = source

    # typeshed gives TextIOWrapper the bytes-returning signatures of _IOBase.
    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]
        bound = MAX_SIGNER_LINE + 1 if size is None or size < 0 else min(size, MAX_SIGNER_LINE + 1)
        line = super().readline(bound)
        if len(line) > MAX_SIGNER_LINE:
            raise UsageProblem(
                ngettext(
                    "signers file {file} has a line longer than {limit} character",
                    "signers file {file} has a line longer than {limit} characters",
                    MAX_SIGNER_LINE,
                ).format(file=self.source, limit=format_number(MAX_SIGNER_LINE))
            )
        return line

    def __next__(self) -> str:  # type: ignore[override]
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def open_text(source: str) -> IO[str]:
    """The signers file (or stdin for "-") as UTF-8 text; a BOM from a spreadsheet is skipped.

    It is streamed (a pipe or `<(...)` is fine), with every line bounded (see `_BoundedLines`).
    """
    if source == "-":
        return _BoundedLines(sys.stdin.buffer, "-")
    try:
        return _BoundedLines(open(source, "rb"), source)
    except FileNotFoundError:
        raise UsageProblem(_("signers file {file} does not exist").format(file=source)) from None
    except IsADirectoryError:
        raise UsageProblem(
            _("signers file {file} is a folder; give a CSV or JSON Lines file").format(file=source)
        ) from None
    except OSError as exc:
        raise UsageProblem(
            _("signers file {file} cannot be read: {problem}").format(
                file=source, problem=exc.strerror
            )
        ) from None


def is_json_lines(source: str, first_line: str) -> bool:
    suffix = Path(source).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return True
    if suffix in (".csv", ".tsv", ".txt"):
        return False
    return first_line.lstrip().startswith("{")


def read_rows(stream: IO[str], source: str) -> Iterator[Row]:
    """See `_read_rows`; the header is read and checked now, before the first row is asked for."""
    rows = _read_rows(stream, source)
    first = next(rows, None)
    return itertools.chain([] if first is None else [first], rows)


def _read_rows(stream: IO[str], source: str) -> Iterator[Row]:
    """The rows of `stream`, one at a time (constant memory).

    Raises UsageProblem before the first row for a CSV header naming unknown or repeated columns,
    or without a name column. A JSON line that is not an object, or that names an unknown field,
    becomes a Row with a problem; the rows after it are still read.
    """
    try:
        first = stream.readline()
    except UnicodeDecodeError:
        raise UsageProblem(_("signers file {file} is not UTF-8 text").format(file=source)) from None
    while first and not first.strip():
        first = stream.readline()
    if not first:
        raise UsageProblem(_("signers file {file} is empty").format(file=source))
    if is_json_lines(source, first):
        yield from _json_rows(first, stream, source)
    else:
        yield from _csv_rows(first, stream, source)


def _check_header(columns: list[str], source: str) -> None:
    unknown = [c for c in columns if column_field(c) is None]
    if unknown:
        listed = ", ".join(f'"{c}"' for c in unknown)
        raise UsageProblem(
            ngettext(
                "signers file {file}: unknown column {columns}; known: {known}",
                "signers file {file}: unknown columns {columns}; known: {known}",
                len(unknown),
            ).format(file=source, columns=listed, known=", ".join(known_columns()))
        )
    fields = [column_field(c) for c in columns]
    repeated = sorted({c for c, f in zip(columns, fields, strict=True) if fields.count(f) > 1})
    if repeated:
        raise UsageProblem(
            _("signers file {file}: columns {columns} fill the same value; keep one").format(
                file=source, columns=", ".join(repeated)
            )
        )
    if "name" not in fields:
        raise UsageProblem(_('signers file {file} has no "name" column').format(file=source))


def _csv_rows(first: str, stream: IO[str], source: str) -> Iterator[Row]:
    # Spreadsheets in many locales save with ";" (or tab); the header row says which.
    delimiter = max(",;\t", key=lambda d: (first.count(d), d == ","))
    dialect = "excel-tab" if delimiter == "\t" else "excel"
    header = next(csv.reader([first], dialect, delimiter=delimiter))
    columns = [c.strip() for c in header]
    _check_header(columns, source)
    reader = csv.reader(stream, dialect, delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise UsageProblem(
                _("signers file {file} is not UTF-8 text").format(file=source)
            ) from None
        except csv.Error as exc:
            number += 1
            yield Row(number, {}, ("", _("unreadable CSV ({problem})").format(problem=exc)))
            continue
        if not any(c.strip() for c in cells):
            continue  # blank lines between signers are not rows
        number += 1
        if len(cells) != len(columns):
            yield _misaligned(number, cells, columns, delimiter)
            continue
        yield Row(number, dict(zip(columns, cells, strict=True)))


def _misaligned(number: int, cells: list[str], columns: list[str], delimiter: str) -> Row:
    """A row whose cells do not match the header's columns one to one: refused, since which
    cell belongs to which column cannot be known (an unquoted delimiter inside a value moves
    every cell after it: a recommendation would become an address line). The name is kept for
    the report when it is the first column (the cells before any shift are still in place)."""
    names = ", ".join(columns)
    reason = _(
        '{cells} but {columns} ({names}); a value holding "{delimiter}" goes in quotes'
    ).format(
        cells=ngettext("{n} cell", "{n} cells", len(cells)).format(n=len(cells)),
        columns=ngettext("{n} column", "{n} columns", len(columns)).format(n=len(columns)),
        names=names,
        delimiter=delimiter.replace("\t", "\\t"),
    )
    known = {"name": cells[0]} if cells and column_field(columns[0]) == "name" else {}
    return Row(number, known, ("", reason))


def _json_rows(first: str, stream: IO[str], source: str) -> Iterator[Row]:
    number = 0
    line: str | None = first
    while line is not None:
        if line.strip():
            number += 1
            yield _json_row(number, line)
        try:
            line = stream.readline() or None
        except UnicodeDecodeError:
            raise UsageProblem(
                _("signers file {file} is not UTF-8 text").format(file=source)
            ) from None


def _json_row(number: int, line: str) -> Row:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Row(
            number,
            {},
            (
                "",
                _("not valid JSON ({problem}, column {column})").format(
                    problem=exc.msg, column=exc.colno
                ),
            ),
        )
    if not isinstance(obj, dict):
        return Row(number, {}, ("", _("not a JSON object")))
    unknown = [k for k in obj if column_field(str(k)) is None]
    if unknown:
        return Row(
            number,
            {},
            (
                str(unknown[0]),
                _("unknown field; known: {known}").format(known=", ".join(known_columns())),
            ),
        )
    cells: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, list) and column_field(key) in (*LIST_FIELDS, *LINE_FIELDS):
            cells[key] = [str(v) for v in value]
        elif isinstance(value, (dict, list)):
            return Row(number, {}, (key, _("must be text")))
        else:
            cells[key] = None if value is None else str(value)
    return Row(number, cells)
