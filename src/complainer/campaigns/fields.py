"""Typed reading of TOML tables, with errors that name the file and the field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from complainer.errors import CampaignError

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Fields:
    """A TOML table being read: `where` is the dotted path of the table inside `path`."""

    def __init__(self, data: Mapping[str, Any], path: Path, where: str = "") -> None:
        self.data = data
        self.path = path
        self.where = where

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> CampaignError:
        return CampaignError(f"{self.path}: field '{self.name(key)}' {problem}")

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise self.fail(key, "is missing")
        return self.data[key]

    def text(self, key: str, default: str | None = None) -> str:
        if key not in self.data and default is not None:
            return default
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value

    def ident(self, key: str) -> str:
        value = self.text(key)
        if not ID_PATTERN.fullmatch(value):
            raise self.fail(key, f"must be lower-case letters, digits and hyphens (got {value!r})")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(key, "must be a TOML date such as 2024-08-03")
        return value

    def strings(
        self,
        key: str,
        default: list[str] | None = None,
        allow_empty: bool = False,
        unique: bool = False,
    ) -> list[str]:
        if key not in self.data and default is not None:
            return default
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        if not allow_empty and (not value or not all(v.strip() for v in value)):
            raise self.fail(key, "must be a list of non-empty strings")
        if unique:
            # A set written as a list (languages, readers): a repeat is a mistake, and 100,000
            # copies of one language made check render every letter 100,000 times.
            seen: set[str] = set()
            for v in value:
                if v in seen:
                    raise self.fail(key, f"repeats {v[:60]!r}")
                seen.add(v)
        return value

    def table(self, key: str) -> Fields:
        value = self.raw(key)
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a table")
        return Fields(value, self.path, self.name(key))

    def tables(self, key: str) -> list[Fields]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(key, "must be an array of tables ([[" + self.name(key) + "]])")
        return [Fields(v, self.path, f"{self.name(key)}[{i}]") for i, v in enumerate(value)]
