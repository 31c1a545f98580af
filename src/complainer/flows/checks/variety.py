"""Variety: can a batch of default letters stay below the copy threshold?

`complainer batch` spreads phrasing choices across its letters (letter/variety.py), but it can only
use the phrasings the campaign has. For each language this rule makes a batch of `BATCH` default
letters (default target and points, varied sample writers) exactly as `batch` would, and measures
each letter's similarity to its nearest neighbour (Jaccard of word 5-gram sets, the measure
letter-writing platforms use to reject copies at 0.5). When the largest is not below
`variety.COPY_THRESHOLD - MARGIN`, it says how many more phrasings of each slot would bring it
there: it adds hypothetical phrasings (as long as the slot's others, sharing no 5-gram with them:
real ones that share more need more) and predicts the batch's closest pair from what the chosen
phrasings share plus the 5-grams letters share outside them, with the model's error on the real
batch carried over. On test campaigns of 3 to 6 phrasings per slot, following the advice met the
goal with the number it named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Iterator, Mapping, Sequence

from complainer.campaigns.model import Campaign
from complainer.errors import ComplainerError
from complainer.letter.compose import Request, compose
from complainer.letter.variety import (
    COPY_THRESHOLD,
    PhrasingSpreader,
    jaccard,
    letter_overlap,
    shingles,
)
from complainer.letter.writer import Writer

BATCH = 100
MARGIN = 0.05  # the goal with room for other writers' names, cities and notes
MOST_EXTRA = 6  # beyond this many more per slot, the advice is "far more"
# Below this many 5-grams a letter is a note, not a letter a platform screens for copies, and
# one shared run of words moves the figure by several hundredths: such campaigns are not judged.
SHORTEST = 100
_WRITERS = tuple(
    Writer(name, country, city)
    for name, country, city in (
        ("Anna Schmidt", "DE", "Berlin"), ("Ben Martin", "FR", "Lyon"),
        ("Chloé Kowalski", "PL", "Kraków"), ("Dmitri Rossi", "IT", "Torino"),
        ("Eva García", "ES", "Sevilla"), ("Farid Jansen", "NL", "Utrecht"),
        ("Greta Nilsson", "SE", "Malmö"), ("Hugo Dupont", "BE", "Gent"),
        ("Ines Smith", "GB", "Leeds"), ("Jonas Novak", "CZ", "Brno"),
    )
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class BatchVariety:
    """A default batch in one language: its closest pair, and the extra phrasings it needs."""

    language: str
    maximum: float
    median: float
    extra_per_slot: int | None  # None: more than MOST_EXTRA; 0: the goal holds
    slots: int


def _predicted_maximum(
    overlap: Mapping[str, Sequence[Sequence[int]]], outside: float, size: float, seed: int
) -> float:
    """The closest pair of a planned batch: Jaccard from shared 5-grams I, I / (2 * size - I)."""
    import numpy as np

    spreader = PhrasingSpreader(overlap, seed, block=BATCH)
    plan = spreader._plan()
    rows = spreader._onehot(plan)
    n = len(spreader.names)
    per_slot = spreader.table[np.arange(n)[None, :], plan].reshape(len(plan), -1)
    shared = per_slot @ rows.T + outside
    np.fill_diagonal(shared, 0.0)
    return float((shared / (2 * size - shared)).max())


def _with_extra(
    overlap: Mapping[str, Sequence[Sequence[int]]], extra: int
) -> dict[str, list[list[int]]]:
    """`overlap` with `extra` more phrasings per slot, each as long as the slot's mean, sharing
    no 5-gram with any other phrasing."""
    result = {}
    for slot, m in overlap.items():
        k = len(m)
        if not any(m[i][i] for i in range(k)):
            result[slot] = [list(row) for row in m]  # not printed: more phrasings change nothing
            continue
        mean = round(statistics.fmean(m[i][i] for i in range(k))) if k else 0
        grown = [list(row) + [0] * extra for row in m]
        for j in range(extra):
            grown.append([0] * (k + extra))
            grown[k + j][k + j] = mean
        result[slot] = grown
    return result


def batch_variety(campaign: Campaign, lang: str, day: dt.date, seed: int = 1) -> BatchVariety:
    """Make a default batch of `BATCH` letters in `lang` as `batch` does and measure it.

    Raises ComplainerError if the campaign's default letter cannot be composed.
    """
    request = Request(language=lang, date=day)
    # What two letters share is what their phrasings share plus what every pair shares outside
    # them (fixed text, the joins): the latter from the real batch, as the mean over sampled
    # pairs of |A & B| minus the former.
    overlap = letter_overlap(campaign, _WRITERS[0], request)
    spreader = PhrasingSpreader(overlap, seed)  # as `batch` plans
    choices = [spreader.next() for _ in range(BATCH)]
    sets = [
        shingles(compose(campaign, _WRITERS[i % len(_WRITERS)],
                         request._replace(phrasings=c)).body)
        for i, c in enumerate(choices)
    ]  # fmt: skip
    nearest = [max(jaccard(a, b) for j, b in enumerate(sets) if j != i) for i, a in enumerate(sets)]
    maximum, median = max(nearest), statistics.median(nearest)
    goal = COPY_THRESHOLD - MARGIN
    if maximum < goal or statistics.fmean(len(s) for s in sets) < SHORTEST:
        return BatchVariety(lang, maximum, median, 0, _shown(overlap))
    table = PhrasingSpreader(overlap, seed)
    vectors = [[c[name] for name in table.names] for c in choices]
    residuals = []
    for i in range(0, BATCH, 7):
        for j in range(i + 1, BATCH, 11):
            predicted = sum(
                table.table[s, vectors[i][s], vectors[j][s]] for s in range(len(table.names))
            )
            residuals.append(len(sets[i] & sets[j]) - predicted)
    outside = max(0.0, statistics.fmean(residuals))
    size = statistics.fmean(len(s) for s in sets)
    # What the model misses on the real batch (names, cities, uneven lengths, the pair with more
    # than the mean outside the phrasings) is carried over to its predictions.
    error = max(0.0, maximum - _predicted_maximum(overlap, outside, size, seed))
    for extra in range(1, MOST_EXTRA + 1):
        if _predicted_maximum(_with_extra(overlap, extra), outside, size, seed) + error < goal:
            return BatchVariety(lang, maximum, median, extra, _shown(overlap))
    return BatchVariety(lang, maximum, median, None, _shown(overlap))


def _shown(overlap: Mapping[str, Sequence[Sequence[int]]]) -> int:
    """The slots a letter prints (a slot it does not print shares nothing, even with itself)."""
    return sum(1 for m in overlap.values() if any(m[i][i] for i in range(len(m))))


def variety_problems(campaign: Campaign, day: dt.date) -> Iterator[str]:
    """One problem per language whose default batch would hold near-copies."""
    for lang in campaign.languages:
        try:
            found = batch_variety(campaign, lang, day)
        except ComplainerError:
            continue  # the rendering rules report why the default letter cannot be made
        if not found.extra_per_slot and found.extra_per_slot is not None:
            continue
        if found.extra_per_slot is None:
            need = f"more than {MOST_EXTRA} more phrasings of each of the {found.slots} slots a letter prints"
        else:
            need = (
                f"at least {found.extra_per_slot} more"
                f" {'phrasing' if found.extra_per_slot == 1 else 'phrasings'} of each of the"
                f" {found.slots} slots a letter prints ({found.extra_per_slot * found.slots} in"
                " all), each"
                " sharing no five-word run with the others"
            )
        where = campaign.texts[lang].origin("targets", campaign.default_target, "subject")
        yield (
            f"{where}: a batch of {BATCH} default letters in {lang} has letters as similar as"
            f" {found.maximum:.2f} to their nearest neighbour (word 5-grams, Jaccard; median"
            f" {found.median:.2f}); to stay below {COPY_THRESHOLD - MARGIN:.2f} (copy threshold"
            f" {COPY_THRESHOLD} with a margin) it needs {need}, or less text shared by every letter"
        )
