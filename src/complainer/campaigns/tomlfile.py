"""Reading TOML on every supported Python, within bounds (campaign files are untrusted)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from complainer import cache
from complainer.errors import CampaignError

MAX_TOML_BYTES = 1_000_000


def load_toml(path: Path) -> dict[str, Any]:
    """The table in `path`; CampaignError naming the file if it is not valid, too big or too deep.

    A table nested thousands deep makes the TOML parser recurse past Python's limit; that is reported
    as a broken file like any other, so one bad campaign does not break the others. Parsing is pure
    Python and the slowest step of loading a campaign, so the result is kept in the cache
    (complainer.cache), keyed by the file's bytes.
    """
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise CampaignError(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(raw) > MAX_TOML_BYTES:
        raise CampaignError(f"{path}: is larger than {MAX_TOML_BYTES:,} bytes")
    cached = cache.load("toml", raw, made_by=__file__)
    if isinstance(cached, dict):
        return cached
    # The parser is imported on a cache miss only.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CampaignError(f"{path}: not valid TOML (not UTF-8 text)") from None
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"{path}: not valid TOML ({exc})") from exc
    except RecursionError:
        raise CampaignError(
            f"{path}: not valid TOML (tables or arrays nested too deeply)"
        ) from None
    cache.store("toml", raw, data, made_by=__file__)
    return data
