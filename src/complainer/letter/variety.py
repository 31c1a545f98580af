"""How different the letters of a batch are, and phrasing choices that make them differ.

Similarity is the Jaccard index of two letters' sets of word 5-grams ("shingles"), the measure
letter-writing platforms use to turn away copies (a pair at 0.5 or more counts as a copy).

`PhrasingSpreader` chooses each new letter's phrasing variants to be as unlike the letters already
made as the campaign allows: it draws candidate choices and keeps the one whose largest weighted
overlap with the recent letters (weight = a slot's length in words) is smallest. Independent seeds
leave that to chance, and with a few hundred letters some pairs always share most slots.

`SimilarityIndex` finds each letter's nearest neighbour in the batch with MinHash and LSH
(datasketch), then measures the candidates exactly. Both keep only the last `window` letters,
so memory stays flat on a batch of any length; the price is that a letter is compared with the
`window` letters around it, not with all of them (for a batch up to `window` letters, all pairs).
"""

from __future__ import annotations

import bisect
import re
import statistics
from array import array
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from complainer.campaigns.model import POINT_KINDS, Campaign
from complainer.letter.compose import Request, phrasing_slots

if TYPE_CHECKING:
    import numpy as np

SHINGLE = 5
COPY_THRESHOLD = 0.5  # the goal: no letter this close to another
WINDOW = 1000
_WORD = re.compile(r"\w+")
_MASK = 0xFFFFFFFF


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    """The letter's word `size`-grams (case-folded), each as a 32-bit hash (valid in this process)."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {hash(tuple(words)) & _MASK} if words else set()
    grams = zip(*(words[i:] for i in range(size)), strict=False)
    return {h & _MASK for h in map(hash, grams)}


def jaccard(a: set[int], b: Collection[int]) -> float:
    """|A ∩ B| / |A ∪ B| (0.0 for two empty sets); `b` holds distinct values (a set, an array)."""
    union = len(a) + len(b)
    if not union:
        return 0.0
    common = len(a.intersection(b))
    return common / (union - common)


def slot_weights(campaign: Campaign, request: Request) -> dict[str, tuple[int, float]]:
    """Slot -> (variants, mean length in words) for the phrasings the `request` letter uses."""
    texts = campaign.texts[request.language]
    target_id = request.target or campaign.default_target
    ttext = texts.target(target_id)
    options: dict[str, Sequence[str]] = {f"{target_id}.subject": ttext.subjects}
    options.update({f"{target_id}.{n}": o for n, o in ttext.paragraphs.items()})
    for kind in POINT_KINDS:
        for point in campaign.points(kind):
            options[f"{kind}.{point.id}"] = texts.point(kind, point.id).phrasings
    return {
        slot: (count, max(1.0, statistics.fmean(len(o.split()) for o in options[slot])))
        for slot, count in phrasing_slots(campaign, request).items()
    }


class PhrasingSpreader:
    """Variant choices for one kind of letter (same campaign, language, target and points).

    Deterministic for a given `seed` and sequence of calls, so a re-run makes the same letters.
    """

    def __init__(
        self,
        slots: Mapping[str, tuple[int, float]],
        seed: int,
        window: int = 256,
        candidates: int = 48,
    ) -> None:
        import numpy as np  # numpy comes with datasketch; only a batch needs either

        self._np = np
        self.names = sorted(slots)
        self.counts = np.array([slots[s][0] for s in self.names], dtype=np.int64)
        self.weights = np.array([slots[s][1] for s in self.names], dtype=np.float64)
        self.rng = np.random.default_rng(seed)
        self.history: np.ndarray = np.zeros((window, len(self.names)), dtype=np.int8)
        self.window, self.made, self.candidates = window, 0, candidates

    def next(self) -> dict[str, int]:
        """The next letter's choices: slot -> variant index."""
        np = self._np
        draws = (self.rng.random((self.candidates, len(self.names))) * self.counts).astype(np.int8)
        filled = min(self.made, self.window)
        chosen = draws[0]
        if filled:
            past = self.history[:filled]
            overlap = (draws[:, None, :] == past[None, :, :]) @ self.weights  # candidates x past
            # Smallest worst-case overlap first; then the smallest total, to keep spreading.
            best = int(np.lexsort((overlap.sum(axis=1), overlap.max(axis=1)))[0])
            chosen = self._improve(draws[best].copy(), past)
        self.history[self.made % self.window] = chosen
        self.made += 1
        return {name: int(v) for name, v in zip(self.names, chosen, strict=True)}

    def _improve(self, chosen: np.ndarray, past: np.ndarray, moves: int = 8) -> np.ndarray:
        """Change one slot at a time while that lowers the worst (then the total) overlap."""
        np = self._np
        variants = np.arange(int(self.counts.max()))
        usable = variants[None, :] < self.counts[:, None]  # slots x variants
        # past x slots x variants: the weight a past letter shares if this slot takes that variant
        shared = (past[:, :, None] == variants[None, None, :]) * self.weights[None, :, None]
        for _ in range(moves):
            match = (past == chosen) * self.weights
            overlap = match.sum(axis=1)
            trial = overlap[:, None, None] - match[:, :, None] + shared  # past x slots x variants
            worst = np.where(usable, trial.max(axis=0), np.inf)
            total = trial.sum(axis=0)
            score = worst * 1e6 + total
            s, v = np.unravel_index(int(np.argmin(score)), score.shape)
            if score[s, v] >= overlap.max() * 1e6 + overlap.sum():
                break
            chosen[s] = v
        return chosen


@dataclass(frozen=True)
class SimilaritySummary:
    """Nearest-neighbour similarity over a batch: median and maximum, and the closest pair."""

    letters: int
    median: float
    maximum: float
    closest: tuple[Hashable, Hashable] | None
    floor: float = 0.0  # below this, the search finds no neighbour: figures read "below <floor>"

    def describe(self) -> str:
        if self.letters < 2:
            return "similarity: fewer than two letters, nothing to compare"
        pair = ""
        if self.closest is not None and self.maximum > 0:
            pair = f" (rows {self.closest[0]} and {self.closest[1]})"
        verdict = "" if self.maximum < COPY_THRESHOLD else "; some letters are near-copies"

        def figure(value: float) -> str:
            return f"{value:.2f}" if value >= self.floor else f"below {self.floor:.2f}"

        if self.maximum < self.floor:
            pair = ""
        return (
            f"similarity to the nearest other letter (word 5-grams, Jaccard): median"
            f" {figure(self.median)}, max {figure(self.maximum)}{pair}{verdict}"
        )


class SimilarityIndex:
    """Each letter's nearest neighbour among the last `window` letters, found with MinHash LSH.

    Memory: `window` letters' shingles (about 2.5 KB each as 32-bit hashes) and signatures,
    plus a 1,001-bin histogram for the median, whatever the batch's length.
    Candidates come from LSH at `threshold` (a letter whose nearest neighbour is less similar
    than that may find none and counts as 0, which only lowers the median below `threshold`);
    the `exact` most likely candidates (by MinHash estimate) are then measured exactly.
    """

    def __init__(
        self,
        window: int = WINDOW,
        threshold: float = 0.4,
        num_perm: int = 64,
        exact: int = 3,
    ) -> None:
        import numpy as np
        from datasketch import MinHash, MinHashLSH

        self._np = np
        self._minhash = MinHash
        first = MinHash(num_perm=num_perm, hashfunc=_identity)
        self._permutations = first.permutations  # drawn once, not for every letter
        self._num_perm = num_perm
        self._scheme = first.scheme
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.floor = threshold
        # Ring buffers over the window: slot i holds the letter keys[i].
        self._keys: list[Hashable | None] = [None] * window
        self._slot: dict[Hashable, int] = {}
        self._shingles: list[array[int]] = [array("I")] * window
        self._digests = np.zeros((window, num_perm), dtype=first.hashvalues.dtype)
        self._nearest: list[float] = [0.0] * window
        self.window, self.exact = window, exact
        self._bins = [0] * 1001
        self.count = 0
        self.maximum = 0.0
        self.closest: tuple[Hashable, Hashable] | None = None

    def add(self, key: Hashable, text: str) -> float:
        """Index the letter `key`; its similarity to the nearest earlier letter in the window."""
        np = self._np
        grams = shingles(text)
        mh = self._minhash(
            num_perm=self._num_perm,
            hashfunc=_identity,
            permutations=self._permutations,
            scheme=self._scheme,
        )
        mh.update_batch(grams)
        digest = mh.hashvalues
        slots = [self._slot[k] for k in self._lsh.query(mh)] if self.count else []
        if len(slots) > self.exact:
            agree = (self._digests[slots] == digest).sum(axis=1)
            top = np.argpartition(-agree, self.exact - 1)[: self.exact]
            slots = [slots[int(i)] for i in top]
        best, best_slot = 0.0, -1
        for other in slots:
            sim = jaccard(grams, self._shingles[other])
            if sim > best:
                best, best_slot = sim, other
            if sim > self._nearest[other]:
                self._nearest[other] = sim
        here = self.count % self.window
        if self.count >= self.window:
            self._retire(here)
        if best_slot >= 0 and (best > self.maximum or self.closest is None):
            self.maximum, self.closest = best, (self._keys[best_slot], key)
        self._lsh.insert(key, mh, check_duplication=False)
        self._keys[here], self._slot[key] = key, here
        self._shingles[here] = array("I", grams)
        self._digests[here] = digest
        self._nearest[here] = best
        self.count += 1
        return best

    def _retire(self, slot: int) -> None:
        key = self._keys[slot]
        self._lsh.remove(key)
        del self._slot[key]
        self._keys[slot] = None
        self._bins[round(self._nearest[slot] * 1000)] += 1

    def summary(self) -> SimilaritySummary:
        """The batch's figures (call once, at the end: it empties the window)."""
        for slot, key in enumerate(self._keys):
            if key is not None:
                self._retire(slot)
        median = _histogram_median(self._bins, self.count)
        return SimilaritySummary(self.count, median, self.maximum, self.closest, self.floor)


def _identity(value: Any) -> Any:
    return value


def _histogram_median(bins: Sequence[int], total: int) -> float:
    if not total:
        return 0.0
    cumulative = list(_accumulate(bins))
    lower = bisect.bisect_left(cumulative, (total + 1) // 2)
    upper = bisect.bisect_left(cumulative, total // 2 + 1)
    return (lower + upper) / 2000


def _accumulate(values: Iterable[int]) -> Iterable[int]:
    running = 0
    for v in values:
        running += v
        yield running
