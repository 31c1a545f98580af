"""The longest letter a campaign can make, found exactly rather than sampled.

A letter draws each phrasing slot (`compose.phrasing_slots`: subject, each paragraph, each
argument and recommendation) independently, and its layout sets the rendered phrasings one after
another, so a letter's length is a fixed part plus one term per slot. The longest letter for a
selection is therefore the one with the longest rendered phrasing in every slot: this module
finds that phrasing per slot by composing the letter with each variant forced through
`Request.phrasings` (as `batch`'s spreading does, so layout, joins and date gates are the real
ones), then composes the letter with all of them and measures it. With `k` variants in each of
`s` slots that is about `s * k` letters instead of `k ** s`.

It does so on every check day (a date gate can lengthen a phrasing or change the default set),
for each target and language, with the fullest sample writer, with and without a postal address
(a formal appeal's closing changes when it lacks one). The default selection must fit
`compose.one_page` (a fault: `draft` would tell a writer who chose nothing that the letter is
more than a page). Every argument and recommendation chosen is measured as well, on the check's
own date only, and reported as advice, as `check` treats other chosen selections: `draft` warns
that writer, and fewer points keep the letter to one page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence

from complainer.campaigns.model import POINT_KINDS, Campaign
from complainer.campaigns.sandbox import TemplateOverLimit
from complainer.errors import ComplainerError
from complainer.letter.compose import (
    EmptyLetter,
    Letter,
    Request,
    compose,
    one_page,
    phrasing_slots,
)
from complainer.letter.writer import Writer

# check's fullest sample writer (every detail, long name and organisation), with a postal address
# (a complete formal appeal, signed) and without one (the closing that asks for no reply).
_FULL = Writer(
    "Maria-Anna Musterfrau-Beispiel", "DE", "Frankfurt am Main",
    "Amnesty International Deutschland e.V.", "maria@example.org",
)  # fmt: skip
LENGTH_WRITERS = (
    (_FULL._replace(address=("Musterstraße 1", "10115 Berlin")), True),
    (_FULL, False),
)  # fmt: skip
_SAMPLE_TO = ("office@example.org", "Jane Doe")


@dataclasses.dataclass(frozen=True)
class Longest:
    """The longest letter of one selection: its length, date, and the slots' longest phrasings
    (slot, variant index, characters that variant adds over the slot's shortest), longest first."""

    length: int
    day: dt.date
    phrasings: tuple[tuple[str, int, int], ...]


def longest_letter(
    campaign: Campaign,
    writer: Writer,
    request: Request,
) -> tuple[Letter, tuple[tuple[str, int, int], ...]] | None:
    """The longest letter `request` can be (the longest phrasing of every slot) and, per slot,
    its longest variant and how much longer it is than the slot's first, longest first.

    `known` (slot -> (variant, extra)) carries what earlier calls found for the same language,
    target, date, writer and selection (a layout may print a slot only for some selections). None when the selection makes no letter (EmptyLetter). Raises
    ComplainerError as `compose`.
    """
    try:
        slots = phrasing_slots(campaign, request)
        base = dict.fromkeys(slots, 0)
        first = compose(campaign, writer, request._replace(phrasings=base))
    except EmptyLetter:
        return None
    known: dict[str, tuple[int, int]] = {}
    for slot, count in slots.items():
        lengths = [len(first.body)]
        for i in range(1, count):
            forced = request._replace(phrasings={**base, slot: i})
            lengths.append(len(compose(campaign, writer, forced).body))
        best = max(range(count), key=lengths.__getitem__)
        known[slot] = (best, lengths[best] - lengths[0])
    choice = {slot: known[slot][0] for slot in slots}
    letter = compose(campaign, writer, request._replace(phrasings=choice))
    spread = sorted(((s, *known[s]) for s in slots), key=lambda s: -s[2])
    return letter, tuple(spread)


def _selections(campaign: Campaign) -> dict[str, tuple[list[str] | None, list[str] | None]]:
    every = [[p.id for p in campaign.points(kind)] for kind in POINT_KINDS]
    return {"default": (None, None), "every": (every[0], every[1])}


def longest_letters(
    campaign: Campaign, days: Sequence[dt.date], today: dt.date
) -> Iterator[tuple[str, str, str, Longest]]:
    """(selection "default" or "every", target, language, the longest letter): the default
    selection over `days`, every point (advice only, and the costliest) on `today`."""
    for tid, target in campaign.targets.items():
        to = _SAMPLE_TO if target.recipient is None else (None, None)
        for code in campaign.languages:
            writers = LENGTH_WRITERS if target.appeal is not None else LENGTH_WRITERS[1:]
            for name, (args, recs) in _selections(campaign).items():
                worst: Longest | None = None
                for day in days if name == "default" else [today]:
                    for writer, signed in writers:
                        request = Request(
                            language=code, date=day, target=tid, arguments=args,
                            recommendations=recs, to_email=to[0], to_name=to[1], signed=signed,
                        )  # fmt: skip
                        found = longest_letter(campaign, writer, request)
                        if found is None:
                            continue
                        letter, spread = found
                        if worst is None or len(letter.body) > worst.length:
                            worst = Longest(len(letter.body), day, spread)
                if worst is not None:
                    yield name, tid, code, worst


def length_problems(
    campaign: Campaign, days: Sequence[dt.date], today: dt.date
) -> tuple[list[str], list[str]]:
    """(problems, advice): a default letter that can run over one page is a problem; a letter
    with every point chosen that can, advice. Each names the phrasings that add the most."""
    problems: list[str] = []
    advice: list[str] = []
    try:
        found = list(longest_letters(campaign, days, today))
    except TemplateOverLimit:
        raise  # check_folder stops the campaign there
    except ComplainerError:
        return problems, advice  # the rendering rules report why the letter cannot be made
    over_every: list[tuple[int, int, str, Longest]] = []
    for name, tid, code, worst in found:
        limit = one_page(campaign, tid)
        if worst.length <= limit:
            continue
        where = campaign.template_path(code, tid)
        if name == "default":
            problems.append(
                f"{where}: the default letter can run to {worst.length} characters (dated"
                f" {worst.day.isoformat()}, the longest phrasing of every slot), over one page"
                f" ({limit}); shorten the longest phrasings: {_longest(worst)}"
            )
        else:
            over_every.append((worst.length - limit, limit, str(where), worst))
    if over_every:
        # One line for the campaign: choosing every point is the writer's call, and `draft`
        # already warns that writer; the author learns how far over the longest goes.
        _excess, limit, place, worst = max(over_every, key=lambda o: o[0])
        advice.append(
            f"{place}: a letter with every argument and recommendation chosen can run to"
            f" {worst.length} characters, over one page ({limit}); {len(over_every)} of the"
            f" campaign's letters (target and language) can run over; `draft` warns such writers. Longest"
            f" phrasings: {_longest(worst)}"
        )
    return problems, advice


def _longest(worst: Longest) -> str:
    return ", ".join(
        f"{slot} phrasing {i + 1} (+{extra})" for slot, i, extra in worst.phrasings[:4] if extra
    )
