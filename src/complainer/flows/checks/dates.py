"""Date boundaries: every date the campaign's data mentions, so that each text is rendered on both
sides of it, and the rule that a date-gated text switches on the same dates in every language.

A boundary is the first day of a new period: the day a citation becomes valid or the day after it
expires, the day after the outcome or the deadline, the day a `date_iso` comparison in a text or
layout flips, the day after a claim stops being true, and each date of check.toml `dates`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from complainer.campaigns.checkconf import CheckSettings
from complainer.campaigns.claims import Claims
from complainer.campaigns.confine import read_confined_text
from complainer.campaigns.model import Campaign
from complainer.flows.checks.corpus import Rendered

ONE_DAY = dt.timedelta(days=1)
# `date_iso < "2025-01-23"` and the reversed `"2025-01-23" > date_iso`, in texts and layouts.
_COMPARISON = re.compile(
    r"""date_iso\s*(<=|>=|==|!=|<|>)\s*["'](\d{4}-\d{2}-\d{2})["']"""
    r"""|["'](\d{4}-\d{2}-\d{2})["']\s*(<=|>=|==|!=|<|>)\s*date_iso"""
)
_MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def gate_boundaries(sources: Iterable[str]) -> set[dt.date]:
    """First days of the periods that `date_iso` comparisons in `sources` tell apart."""
    found: set[dt.date] = set()
    for text in sources:
        for m in _COMPARISON.finditer(text):
            op, iso = (m.group(1), m.group(2)) if m.group(1) else (_MIRROR[m.group(4)], m.group(3))
            try:
                day = dt.date.fromisoformat(iso)
            except ValueError:
                continue
            # date_iso < d and >= d flip on d; <= d and > d flip the day after; == both.
            if op in ("<", ">="):
                found.add(day)
            elif op in ("<=", ">"):
                found.add(day + ONE_DAY)
            else:
                found.update((day, day + ONE_DAY))
    return found


def boundaries(campaign: Campaign, settings: CheckSettings, claims: Claims) -> list[dt.date]:
    """Every boundary the campaign's data mentions, sorted.

    Raises CampaignError for a layout that cannot be read (not UTF-8, outside the folder, ...).
    """
    found: set[dt.date] = set(settings.dates)
    for point in (*campaign.arguments, *campaign.recommendations):
        for c in point.citations:
            if c.valid_from:
                found.add(c.valid_from)
            if c.valid_until:
                found.add(c.valid_until + ONE_DAY)
    for claim in claims.claims:
        if claim.valid_from:
            found.add(claim.valid_from)
        if claim.valid_until:
            found.add(claim.valid_until + ONE_DAY)
    if campaign.outcome:
        found.add(campaign.outcome.date + ONE_DAY)
    if campaign.deadline:
        found.add(campaign.deadline + ONE_DAY)
    texts = [s for code in campaign.languages for s in _strings(campaign.texts[code].data)]
    texts += [
        read_confined_text(campaign.folder, campaign.template_path(code, tid))
        for code in campaign.languages
        for tid in campaign.targets
    ]
    found |= gate_boundaries(texts)
    return sorted(found)


def check_days(bounds: Iterable[dt.date], campaign: Campaign, today: dt.date) -> list[dt.date]:
    """The days every text is rendered on: both sides of each boundary, the deadline and today."""
    days = {today}
    if campaign.deadline:
        days.add(campaign.deadline)
    for b in bounds:
        days.update((b - ONE_DAY, b))
    return sorted(days)


def sample_days(bounds: Iterable[dt.date], campaign: Campaign, today: dt.date) -> list[dt.date]:
    """One day per period: the day before the first boundary, each boundary, deadline, today."""
    ordered = sorted(set(bounds))
    days = {today, *ordered}
    if ordered:
        days.add(ordered[0] - ONE_DAY)
    if campaign.deadline:
        days.add(campaign.deadline)
    return sorted(days)


def gating_problems(corpus: Iterable[Rendered]) -> Iterator[str]:
    """A text whose wording changes on different dates in different languages.

    Variant n of a paragraph says the same thing in every language, so a sentence gated on a date
    in one language must be gated on the same date in the others. For each slot (a phrasing, or
    a layout), the dates on which its rendered text differs from the day before (with the letter's
    own date masked) must be the same set in every language.
    """
    series: dict[tuple[str, ...], dict[str, list[tuple[dt.date, str]]]] = {}
    wheres: dict[tuple[tuple[str, ...], str], str] = {}
    for item in corpus:
        if item.day is None or item.masked is None:
            continue
        series.setdefault(item.slot, {}).setdefault(item.language, []).append(
            (item.day, item.masked)
        )
        wheres.setdefault((item.slot, item.language), item.where)
    for slot, by_lang in series.items():
        switches: dict[str, tuple[dt.date, ...]] = {}
        for lang, seq in by_lang.items():
            seq.sort()
            switches[lang] = tuple(
                day
                for (day, text), (_, before) in zip(seq[1:], seq, strict=False)
                if text != before
            )
        if len(set(switches.values())) > 1:
            described = "; ".join(
                f"{lang}: {', '.join(d.isoformat() for d in days) or 'never'}"
                for lang, days in switches.items()
            )
            first = next(iter(by_lang))
            yield (
                f"{wheres[(slot, first)]}: the text changes with the letter's date on different "
                f"days in different languages ({described}); gate the same sentence on the same "
                "date in every language"
            )
