"""Whole letters for the rules that need one (an abbreviation may be spelled out a paragraph
earlier): for each language, target and day, the fewest seeds that together show every phrasing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from complainer.campaigns.model import POINT_KINDS, Campaign
from complainer.errors import ComplainerError
from complainer.flows.checks.corpus import SAMPLE_WRITER
from complainer.letter.compose import Letter, Request, compose, pick

SAMPLE_TO = ("office@example.org", "Jane Doe")
_SEARCH = 500  # seeds tried; each slot has a handful of phrasings, so a few seeds cover them


def covering_seeds(campaign: Campaign, lang: str, target: str) -> list[int]:
    """Seeds whose letters, together, use every phrasing of every slot at least once (greedy)."""
    texts = campaign.texts[lang]
    t = texts.target(target)
    slots = {f"{target}.subject": len(t.subjects)}
    slots.update({f"{target}.{name}": len(o) for name, o in t.paragraphs.items()})
    for kind in POINT_KINDS:
        for p in campaign.points(kind):
            slots[f"{kind}.{p.id}"] = len(texts.point(kind, p.id).phrasings)
    missing = {(slot, i) for slot, n in slots.items() for i in range(n)}
    chosen: list[int] = []
    for seed in range(_SEARCH):
        shown = {(slot, pick(seed, slot, n)) for slot, n in slots.items()}
        if shown & missing:
            chosen.append(seed)
            missing -= shown
        if not missing:
            break
    return chosen


def full_letter(campaign: Campaign, lang: str, target: str, day: dt.date, seed: int) -> Letter:
    """The letter with every argument and recommendation valid on `day` (the most text)."""
    t = campaign.targets[target]
    to = SAMPLE_TO if t.recipient is None else (None, None)
    request = Request(
        language=lang, date=day, target=target,
        arguments=[p.id for p in campaign.arguments] if t.arguments else None,
        recommendations=[p.id for p in campaign.recommendations] if t.recommendations else None,
        seed=seed, to_email=to[0], to_name=to[1],
    )  # fmt: skip
    return compose(campaign, SAMPLE_WRITER, request)


def covering_letters(
    campaign: Campaign, days: Sequence[dt.date]
) -> Iterator[tuple[str, str, dt.date, str]]:
    """(language, target, day, body) of the covering letters; failures are reported elsewhere."""
    for lang in campaign.languages:
        for target in campaign.targets:
            seeds = covering_seeds(campaign, lang, target)
            for day in days:
                for seed in seeds:
                    try:
                        letter = full_letter(campaign, lang, target, day, seed)
                    except ComplainerError:
                        continue
                    yield lang, target, day, letter.body
