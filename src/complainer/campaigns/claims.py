"""A campaign's claims of fact (`<campaign>/claims.toml`): what the letters assert, with the sources
and the confidence behind each, so that `campaigns show` can list them and `complainer check` can
refuse an unverified or out-of-date claim in letter text.

The file is optional; docs/campaign-format.md describes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from complainer.campaigns.confine import confined
from complainer.campaigns.fields import Fields
from complainer.campaigns.model import CONFIDENCES, Campaign, Source, read_source
from complainer.campaigns.tomlfile import load_toml
from complainer.errors import CampaignError
from complainer.i18n import _

CLAIMS_FILE = "claims.toml"


@dataclass(frozen=True)
class Claim:
    """One statement of fact: `markers` are how letters word it, per language (regexes)."""

    id: str
    claim: str
    confidence: str
    sources: tuple[str, ...]
    valid_from: dt.date | None
    valid_until: dt.date | None
    markers: Mapping[str, tuple[re.Pattern[str], ...]]
    origin: Path

    def true_on(self, day: dt.date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    def validity(self) -> str:
        if self.valid_from and self.valid_until:
            return _("true {start} to {end}").format(
                start=self.valid_from.isoformat(), end=self.valid_until.isoformat()
            )
        if self.valid_until:
            return _("true until {date}").format(date=self.valid_until.isoformat())
        if self.valid_from:
            return _("true from {date}").format(date=self.valid_from.isoformat())
        return ""


@dataclass(frozen=True)
class Claims:
    claims: tuple[Claim, ...]
    # Sources the claims cite that campaign.toml does not declare (claims.toml [[sources]]).
    sources: Mapping[str, Source]


def compile_pattern(
    f: Fields, key: str, pattern: str, flags: int = re.IGNORECASE
) -> re.Pattern[str]:
    """A regular expression from a data file; an invalid one fails naming the file and field."""
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise f.fail(key, f"holds an invalid regular expression {pattern!r} ({exc})") from exc


def load_claims(campaign: Campaign) -> Claims:
    """The claims of `campaign` (none when it has no claims.toml).

    Raises CampaignError naming the file and field for a malformed entry, an unknown source, a
    source id that repeats one of campaign.toml, or a verified/secondary claim without a source.
    """
    path = campaign.folder / CLAIMS_FILE
    if not path.is_file():
        return Claims((), {})
    root = Fields(load_toml(confined(campaign.folder, path)), path)
    extra: dict[str, Source] = {}
    for f in root.tables("sources"):
        source = read_source(f)
        if source.id in campaign.sources or source.id in extra:
            raise f.fail("id", f"repeats the source id {source.id!r}")
        extra[source.id] = source
    known = {**campaign.sources, **extra}
    claims: list[Claim] = []
    for f in root.tables("claims"):
        cid = f.ident("id")
        if any(c.id == cid for c in claims):
            raise f.fail("id", f"repeats {cid!r}")
        confidence = f.text("confidence")
        if confidence not in CONFIDENCES:
            raise f.fail("confidence", f"must be one of {', '.join(CONFIDENCES)}")
        sources = tuple(f.strings("sources", default=[], allow_empty=True))
        for sid in sources:
            if sid not in known:
                raise f.fail("sources", f"names {sid!r}, which is not declared in [[sources]]")
        if confidence != "unverified" and not sources:
            raise f.fail(
                "sources", f"must name at least one source for a claim marked {confidence}"
            )
        valid_from, valid_until = f.date("valid_from"), f.date("valid_until")
        if valid_from and valid_until and valid_from > valid_until:
            raise f.fail("valid_until", "is before valid_from")
        markers: dict[str, tuple[re.Pattern[str], ...]] = {}
        if f.has("markers"):
            m = f.table("markers")
            for lang in m.data:
                markers[lang] = tuple(
                    compile_pattern(m, lang, pattern) for pattern in m.strings(lang)
                )
        claims.append(
            Claim(cid, f.text("claim"), confidence, sources, valid_from, valid_until, markers, path)
        )
    return Claims(tuple(claims), extra)


def load_claims_or_none(campaign: Campaign) -> tuple[Claims, CampaignError | None]:
    """Like load_claims, but a broken file gives no claims and the error, for display."""
    try:
        return load_claims(campaign), None
    except CampaignError as exc:
        return Claims((), {}), exc
