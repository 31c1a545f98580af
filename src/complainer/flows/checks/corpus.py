"""Every text a campaign can put in a letter, rendered on each check day, with where it comes from.

The text rules (glossary, pronouns, claims, date gating) read this corpus rather than whole letters:
each phrasing is rendered on its own, so every variant is seen (a letter shows one per paragraph)
and a finding names the file, the field and the phrasing. Each layout is rendered with the
phrasings left empty, so its own words are checked too. Titles and summaries (shown by
`campaigns show` and `arguments`) are included without a day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from complainer.campaigns.model import PLURAL, POINT_KINDS, Campaign
from complainer.errors import ComplainerError
from complainer.letter.compose import Recipient, base_context, renderer_for, select_points
from complainer.letter.writer import Writer

SAMPLE_WRITER = Writer(
    "Maria-Anna Musterfrau-Beispiel", "DE", "Frankfurt am Main",
    "Amnesty International Deutschland e.V.", "maria@example.org",
)  # fmt: skip
DATE_MASK = "{date}"
# A text that prints the letter's date changes every day; for the date-gating comparison it is
# rendered a second time with the date masked (not replaced after the fact: the text may cite
# the very day, "signed on 30 December 2025").
_USES_DATE = re.compile(r"\bdate\b(?!_)")


@dataclass(frozen=True)
class Rendered:
    """One rendered text. `slot` names it the same way in every language (for comparisons)."""

    language: str
    slot: tuple[str, ...]
    where: str
    text: str
    targets: tuple[str, ...]  # the targets whose letters carry it; () for titles and summaries
    day: dt.date | None  # None for titles and summaries
    masked: str | None = None  # text with the letter's date masked, for the date-gating rule


def _point_targets(campaign: Campaign, kind: str) -> tuple[str, ...]:
    return tuple(
        t.id
        for t in campaign.targets.values()
        if (t.arguments if kind == "argument" else t.recommendations)
    )


def render_corpus(campaign: Campaign, days: Sequence[dt.date]) -> Iterator[Rendered]:
    """Every phrasing and layout of every language on every day; titles and summaries once.

    Rendering errors are skipped here: flows/check.py reports them with the other checks.
    """
    renderer = renderer_for(campaign.folder)
    recipients = (
        Recipient("Jane Doe", "office@example.org", ("1 Main Street", "Astana")),
        Recipient("", "office@example.org", ()),
    )
    for code in campaign.languages:
        texts = campaign.texts[code]
        slots: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = []
        # A point is left out of letters dated when a citation of it is not valid, so its
        # phrasings are not rendered on those days.
        expired: dict[tuple[str, ...], set[dt.date]] = {}
        for tid in campaign.targets:
            t = texts.target(tid)
            slots.append((("targets", tid, "subject"), t.subjects, (tid,)))
            slots.extend(
                (("targets", tid, "paragraphs", name), options, (tid,))
                for name, options in t.paragraphs.items()
            )
            yield from _labels(
                code, texts.origin("targets", tid), ("targets", tid), (t.title, t.summary)
            )
        for kind in POINT_KINDS:
            targets = _point_targets(campaign, kind)
            for p in campaign.points(kind):
                pt = texts.point(kind, p.id)
                point_keys = (PLURAL[kind], p.id)
                slots.append(((*point_keys, "text"), pt.phrasings, targets))
                expired[(point_keys[0], point_keys[1], "text")] = {
                    d for d in days if p.expired_citations(d)
                }
                yield from _labels(
                    code, texts.origin(*point_keys), point_keys, (pt.title, pt.summary)
                )
        for day in days:
            context = base_context(campaign, SAMPLE_WRITER, recipients[0], code, day)
            masked_context = {**context, "date": DATE_MASK}
            for keys, options, targets in slots:
                if day in expired.get(keys, ()):
                    continue
                for i, option in enumerate(options):
                    try:
                        text = renderer.snippet(option, texts.origin(*keys), context)
                        masked = text
                        if _USES_DATE.search(option):
                            masked = renderer.snippet(option, texts.origin(*keys), masked_context)
                    except ComplainerError:
                        continue
                    where = f"{texts.origin(*keys)}: field '{'.'.join(keys)}' phrasing {i + 1}"
                    yield Rendered(
                        code, (*keys, str(i)), where, text, targets, day, masked,
                    )  # fmt: skip
            yield from _layouts(campaign, code, day, recipients)


def _labels(
    code: str, origin: object, keys: tuple[str, ...], values: tuple[str, str]
) -> Iterator[Rendered]:
    for name, value in zip(("title", "summary"), values, strict=True):
        where = f"{origin}: field '{'.'.join((*keys, name))}'"
        yield Rendered(code, (*keys, name), where, value, (), None)


def _layouts(
    campaign: Campaign, code: str, day: dt.date, recipients: Sequence[Recipient]
) -> Iterator[Rendered]:
    """Each layout with empty phrasings, with and without a named recipient."""
    renderer = renderer_for(campaign.folder)
    texts = campaign.texts[code]
    for tid, target in campaign.targets.items():
        ttext = texts.target(tid)
        for n, recipient in enumerate(recipients):
            context = base_context(campaign, SAMPLE_WRITER, recipient, code, day)
            points = {}
            asks: list[str] = []
            for kind in POINT_KINDS:
                allowed = target.arguments if kind == "argument" else target.recommendations
                chosen = select_points(campaign, kind, None, day)[0] if allowed else []
                points[PLURAL[kind]] = [
                    {"id": p.id, "title": texts.point(kind, p.id).title, "text": ""}
                    for p in chosen
                    if p.id not in target.asks
                ]
                if kind == "recommendation":
                    asks = [p.id for p in chosen if p.id in target.asks]
            context.update(
                subject="", note="", p=dict.fromkeys(ttext.names, ""), asks=asks, **points
            )
            try:
                body = renderer.layout(f"{code}/{tid}.j2", context)
                masked = renderer.layout(f"{code}/{tid}.j2", {**context, "date": DATE_MASK})
            except ComplainerError:
                continue
            yield Rendered(
                code, ("layout", tid, str(n)), str(campaign.template_path(code, tid)), body,
                (tid,), day, masked,
            )  # fmt: skip
