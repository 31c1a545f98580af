"""Reading TOML on every supported Python, within bounds (campaign files are untrusted)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from complainer import cache
from complainer.characters import dangerous_char, describe_char
from complainer.errors import CampaignError

MAX_TOML_BYTES = 1_000_000
# The built-in campaigns' longest line is about 1,300 characters and their deepest value 5 levels.
# The parser's time grows with the square of a dotted key's parts (a 200,000-part table header,
# 400 kB, took minutes), and code that walks the parsed data recurses, so both are bounded before
# anything else sees the file.
MAX_LINE = 20_000
MAX_DEPTH = 32
MAX_VALUES = 200_000


def load_toml(path: Path) -> dict[str, Any]:
    """The table in `path`; CampaignError naming the file if it is not valid, too big or too deep.

    A table nested thousands deep makes the TOML parser recurse past Python's limit; that is reported
    as a broken file like any other, so one bad campaign does not break the others. Parsing is pure
    Python and the slowest step of loading a campaign, so the result is kept in the cache
    (complainer.cache), keyed by the file's bytes.
    """
    return parse_toml(path, read_toml_bytes(path))


def read_toml_bytes(path: Path) -> bytes:
    """The bytes of the TOML file `path`; CampaignError naming it if it cannot be read or is
    larger than MAX_TOML_BYTES (no more than that is read)."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise CampaignError(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(raw) > MAX_TOML_BYTES:
        raise CampaignError(f"{path}: is larger than {MAX_TOML_BYTES:,} bytes")
    return raw


def parse_toml(path: Path, raw: bytes) -> dict[str, Any]:
    """The table in `raw`, the bytes read from `path` (`read_toml_bytes`), checked as
    `load_toml` says; CampaignError naming `path`."""
    cached = cache.load("toml", raw, made_by=__file__)
    if isinstance(cached, dict):
        return cached
    # The parser is imported on a cache miss only.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CampaignError(f"{path}: not valid TOML (not UTF-8 text)") from None
    _check_lines(path, text)
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"{path}: not valid TOML ({exc})") from exc
    except RecursionError:
        raise CampaignError(
            f"{path}: not valid TOML (tables or arrays nested too deeply)"
        ) from None
    _check_values(path, data)
    # Stored only once checked: a cached table is one this code has checked.
    cache.store("toml", raw, data, made_by=__file__)
    return data


def _check_lines(path: Path, text: str) -> None:
    """Refuse a line over MAX_LINE characters, or a key of more than MAX_DEPTH dotted parts."""
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            raise CampaignError(f"{path}: line {number} is longer than {MAX_LINE:,} characters")
        head = line.lstrip()
        key = head.split("]", 1)[0] if head.startswith("[") else head.partition("=")[0]
        if key.count(".") >= MAX_DEPTH:
            raise CampaignError(
                f"{path}: line {number} names a key of more than {MAX_DEPTH} dotted parts"
            )


def _check_values(path: Path, data: dict[str, Any]) -> None:
    """Refuse values nested deeper than MAX_DEPTH or more than MAX_VALUES of them, and any string
    holding a character that could drive a terminal or break a header (complainer.characters):
    campaign text reaches both. Line breaks and tabs are allowed (multi-line texts).

    Walks without recursion, so that no depth can overflow the stack here.
    """
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    seen = 0
    while stack:
        value, field, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH:
            raise CampaignError(f"{path}: values nested more than {MAX_DEPTH} levels deep")
        if seen > MAX_VALUES:
            raise CampaignError(f"{path}: holds more than {MAX_VALUES:,} values")
        if isinstance(value, str):
            found = dangerous_char(value, allowed="\n\t")
            if found is not None:
                bad = found[1]
                raise CampaignError(
                    f"{path}: field '{field}' contains {describe_char(bad)}, which could drive"
                    " a terminal or disguise the letter; remove it"
                )
        elif isinstance(value, dict):
            stack.extend(
                (v, f"{field}.{k}" if field else str(k), depth + 1) for k, v in value.items()
            )
        elif isinstance(value, list):
            stack.extend((v, f"{field}[{i + 1}]", depth + 1) for i, v in enumerate(value))
