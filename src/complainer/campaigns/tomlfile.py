"""Reading TOML on every supported Python."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from complainer import cache
from complainer.errors import CampaignError


def load_toml(path: Path) -> dict[str, Any]:
    """The TOML file at `path` as a dict; raises CampaignError if it cannot be read or parsed.

    Parsing is pure Python and the slowest step of loading a campaign, so the result is kept in
    the cache (complainer.cache), keyed by the file's bytes.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CampaignError(f"{path}: cannot be read ({exc.strerror})") from exc
    cached = cache.load("toml", raw)
    if isinstance(cached, dict):
        return cached
    # The parser is imported on a cache miss only.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode())
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"{path}: not valid TOML ({exc})") from exc
    cache.store("toml", raw, data)
    return data
