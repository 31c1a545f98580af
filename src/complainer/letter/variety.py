"""How different the letters of a batch are, and phrasing choices that make them differ.

Similarity is the Jaccard index of two letters' sets of word 5-grams ("shingles"), the measure
letter-writing platforms use to turn away copies (a pair at 0.5 or more counts as a copy).

`PhrasingSpreader` chooses each new letter's phrasing variants to be as unlike the letters already
made as the campaign allows (farthest-point selection: the fewest 5-grams shared with any letter
of its block and the block before, counted slot by slot from what two variants of a slot share,
`letter_overlap`). Independent seeds leave that to chance, and with a few hundred letters some
pairs always share most slots. What no choice can avoid is what the campaign makes every letter
share: text with one phrasing, and too few combinations of the long slots (4 arguments with 3
phrasings each make 81 argument sections, so of 100 letters two carry the same one).

`SimilarityIndex` finds each letter's nearest neighbour in the batch with MinHash and LSH
(datasketch), then measures the candidates exactly. It keeps only the last `window` letters (the
spreader two blocks), so memory stays flat on a batch of any length; the price is that a letter is
compared with the `window` letters around it, not with all of them (for a batch up to `window`
letters, all pairs).
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from complainer.campaigns.model import POINT_KINDS, Campaign
from complainer.i18n import _
from complainer.letter.compose import Request, phrasing_slots
from complainer.letter.writer import Writer

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


@dataclass(frozen=True)
class _Part:
    """One paragraph's words as `shingles` counts them: its own 5-grams (those inside it), and
    the words at each end, from which the 5-grams across its edges are made."""

    grams: frozenset[int]
    words: int
    head: tuple[str, ...]  # the first SHINGLE - 1 words
    tail: tuple[str, ...]  # the last SHINGLE - 1 words


def _part(text: str) -> _Part:
    words = _WORD.findall(text.casefold())
    grams = zip(*(words[i:] for i in range(SHINGLE)), strict=False)
    edge = SHINGLE - 1
    return _Part(frozenset(h & _MASK for h in map(hash, grams)), len(words),
                 tuple(words[:edge]), tuple(words[-edge:]) if words else ())  # fmt: skip


def jaccard(a: set[int], b: Collection[int]) -> float:
    """|A ∩ B| / |A ∪ B| (0.0 for two empty sets); `b` holds distinct values (a set, an array)."""
    union = len(a) + len(b)
    if not union:
        return 0.0
    common = len(a.intersection(b))
    return common / (union - common)


def slot_options(campaign: Campaign, request: Request) -> dict[str, Sequence[str]]:
    """Slot -> its phrasings (template source) for the phrasings the `request` letter uses."""
    texts = campaign.texts[request.language]
    target_id = request.target or campaign.default_target
    ttext = texts.target(target_id)
    options: dict[str, Sequence[str]] = {f"{target_id}.subject": ttext.subjects}
    options.update({f"{target_id}.{n}": o for n, o in ttext.paragraphs.items()})
    for kind in POINT_KINDS:
        for point in campaign.points(kind):
            options[f"{kind}.{point.id}"] = texts.point(kind, point.id).phrasings
    return {slot: options[slot] for slot in phrasing_slots(campaign, request)}


def shared_shingles(options: Mapping[str, Sequence[str]]) -> dict[str, list[list[int]]]:
    """Slot -> matrix m with m[a][b] = the word 5-grams variants a and b of that slot share.

    m[a][a] is variant a's own count: two letters that both use it share that many 5-grams
    of the slot. Measured on the template source (placeholders count as words), which is
    close enough to rank choices; the batch's reported figures are measured on the letters.
    """
    result = {}
    for slot, texts in options.items():
        sets = [shingles(text) for text in texts]
        result[slot] = [[len(a & b) for b in sets] for a in sets]
    return result


def letter_overlap(
    campaign: Campaign, writer: Writer, request: Request
) -> dict[str, list[list[int]]]:
    """`shared_shingles` of each slot's phrasings as the `request` letter shows them to `writer`.

    A slot the layout does not print (a paragraph for a case this letter is not, such as the
    closing for an appeal that lacks an address) shares nothing: spreading its choices would
    vary nothing a reader or a copy filter sees. Raises what `compose` raises.
    """
    from complainer.letter.compose import base_context, compose, renderer_for

    options = slot_options(campaign, request)
    sample = compose(campaign, writer, request)
    context = base_context(campaign, writer, sample.recipient, request.language, request.date)
    renderer = renderer_for(campaign.folder)
    origin = campaign.folder / request.language
    shown = dict(sample.phrasings)
    rendered: dict[str, list[str]] = {}
    for slot, texts in options.items():
        variants = [renderer.snippet(text, origin, context) for text in texts]
        visible = slot in shown and variants[shown[slot] % len(variants)] in sample.body
        rendered[slot] = variants if visible else [""] * len(variants)
    return shared_shingles(rendered)


class PhrasingSpreader:
    """Variant choices for one kind of letter (same campaign, language, target and points).

    Farthest-point selection over a pool of candidate choices: every letter's choice shares as
    few 5-grams as possible with every letter already chosen in its block and the block before
    (`block` letters each), where two letters share, slot by slot, `overlap[slot][a][b]`
    (see `shared_shingles`). Greedy farthest-point order guarantees that the k-th letter of a
    block is at least as far from all earlier ones as any later pick, so the closest pair of a
    block is as far apart as the pool allows. The work is done once per block with numpy
    (about 0.1 ms a letter); memory is fixed (the pool and two blocks), whatever the batch size.

    Deterministic for a given `seed`, so a re-run makes the same letters.
    """

    def __init__(
        self,
        overlap: Mapping[str, Sequence[Sequence[int]]],
        seed: int,
        block: int = 256,
        pool: int = 2048,
    ) -> None:
        import numpy as np  # numpy comes with datasketch; only a batch needs either

        self._np = np
        self.names = sorted(overlap)
        self.counts = np.array([len(overlap[s]) for s in self.names], dtype=np.int64)
        width = int(self.counts.max()) if self.names else 1
        # table[s, a, b]: 5-grams shared in slot s by a letter with variant a and one with b
        self.table = np.zeros((len(self.names), width, width), dtype=np.float64)
        for i, slot in enumerate(self.names):
            m = np.asarray(overlap[slot], dtype=np.float64)
            self.table[i, : m.shape[0], : m.shape[1]] = m
        self.rng = np.random.default_rng(seed)
        space = int(np.prod(self.counts, dtype=np.float64)) if self.names else 1
        self.block, self.pool = block, min(pool, max(space, 1))
        self.previous: np.ndarray = np.zeros((0, len(self.names)), dtype=np.int64)
        self.queue: list[dict[str, int]] = []

    def next(self) -> dict[str, int]:
        """The next letter's choices: slot -> variant index."""
        if not self.queue:
            chosen = self._plan()
            self.previous = chosen
            self.queue = [
                {n: int(v) for n, v in zip(self.names, row, strict=True)} for row in chosen[::-1]
            ]
        return self.queue.pop()

    def _onehot(self, choices: np.ndarray) -> np.ndarray:
        """choices (k x slots) -> k x (slots * width) indicator rows."""
        import numpy as np

        width = self.table.shape[2]
        rows: np.ndarray = np.zeros((len(choices), len(self.names) * width), dtype=np.float32)
        columns = np.arange(len(self.names)) * width + choices
        rows[np.arange(len(choices))[:, None], columns] = 1.0
        return rows

    def _plan(self) -> np.ndarray:
        """The next block's choices, in farthest-point order."""
        import numpy as np

        n = len(self.names)
        if not n:
            empty: np.ndarray = np.zeros((self.block, 0), dtype=np.int64)
            return empty
        if self.pool == int(np.prod(self.counts, dtype=np.float64)):
            grids = np.meshgrid(*[np.arange(c) for c in self.counts], indexing="ij")
            pool = np.stack([g.ravel() for g in grids], axis=1)
        else:
            pool = (self.rng.random((self.pool, n)) * self.counts).astype(np.int64)
        # per_slot[i, s * width + b]: what candidate i shares in slot s with a letter using b,
        # so a candidate's overlap with a letter is one dot product with its indicator row.
        per_slot = self.table[np.arange(n)[None, :], pool].reshape(len(pool), -1)
        per_slot = per_slot.astype(np.float32)
        worst = np.zeros(len(pool), dtype=np.float32)
        if len(self.previous):
            worst = (per_slot @ self._onehot(self.previous).T).max(axis=1)
        chosen: np.ndarray = np.zeros((self.block, n), dtype=np.int64)
        for k in range(self.block):
            first = k == 0 and not len(self.previous)
            pick = int(self.rng.integers(len(pool))) if first else int(np.argmin(worst))
            chosen[k] = pool[pick]
            np.maximum(worst, per_slot @ self._onehot(pool[pick : pick + 1])[0], out=worst)
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
            return _("similarity: fewer than two letters, nothing to compare")
        pair = ""
        if self.closest is not None and self.maximum > 0:
            pair = " " + _("(rows {first} and {second})").format(
                first=self.closest[0], second=self.closest[1]
            )
        verdict = "" if self.maximum < COPY_THRESHOLD else _("; some letters are near-copies")

        def figure(value: float) -> str:
            if value >= self.floor:
                return f"{value:.2f}"
            return _("below {value}").format(value=f"{self.floor:.2f}")

        if self.maximum < self.floor:
            pair = ""
        return (
            _(
                "similarity to the nearest other letter (word 5-grams, Jaccard): median {median},"
                " max {maximum}"
            ).format(median=figure(self.median), maximum=figure(self.maximum))
            + pair
            + verdict
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

        first = MinHash(num_perm=num_perm, hashfunc=_identity)
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
        self._parts: dict[str, tuple[_Part, np.ndarray | None]] = {}
        self._work, self._sketch = first, first.copy()
        self._parts_most = 2048

    def _digest(self, grams: Iterable[int]) -> np.ndarray:
        """The MinHash signature of `grams` (one reused MinHash: making one costs more than this)."""
        self._work.clear()
        self._work.update_batch(grams)
        digest: np.ndarray = self._work.hashvalues
        return digest

    def _part(self, text: str) -> tuple[_Part, np.ndarray | None]:
        """A paragraph's shingles, and their MinHash signature once the paragraph has come twice
        (a paragraph that names the writer comes once: its 5-grams join the letter's own)."""
        known = self._parts.get(text)
        if known is None:
            if len(self._parts) >= self._parts_most:
                self._parts.clear()  # bounded: the paragraphs that name a writer come and go
            known = self._parts[text] = (_part(text), None)
        elif known[1] is None and known[0].grams:
            known = self._parts[text] = (known[0], self._digest(known[0].grams))
        return known

    def sketch(self, text: str) -> tuple[set[int], np.ndarray]:
        """`shingles(text)` and its MinHash signature, put together from the letter's paragraphs.

        The letter's words are its paragraphs' words in order (a paragraph break is not part of
        a word), so its 5-grams are those inside each paragraph plus those across each break,
        made from the last four words before it and the first four after: the same set as
        `shingles(text)`, not an approximation. Its signature is the element-wise minimum of its
        parts' (a MinHash keeps each permutation's least value over the set, and the least over
        a union is the least of the least). Paragraphs repeat across a batch (most of a letter is
        the campaign's phrasings), so each is shingled and hashed once.
        """
        import numpy as np

        parts = [self._part(p) for p in text.split("\n\n")]
        if sum(part.words for part, _ in parts) < SHINGLE:
            few = shingles(text)  # fewer than five words: one "5-gram" of them all
            return few, self._digest(few)
        grams: set[int] = set()
        fresh: set[int] = set()  # 5-grams across breaks, and of paragraphs not hashed yet
        digests = []
        tail: tuple[str, ...] = ()
        for part, digest in parts:
            if not part.words:
                continue
            if tail:
                bridge = tail + part.head
                fresh.update(hash(bridge[i : i + SHINGLE]) & _MASK
                             for i in range(len(bridge) - SHINGLE + 1))  # fmt: skip
            grams.update(part.grams)
            if digest is not None:
                digests.append(digest)
            else:
                fresh.update(part.grams)
            tail = (tail + part.tail)[-(SHINGLE - 1) :]
        if fresh:
            digests.append(self._digest(fresh))
            grams.update(fresh)
        signature: np.ndarray = np.minimum.reduce(digests)
        return grams, signature

    def add(self, key: Hashable, text: str) -> float:
        """Index the letter `key`; its similarity to the nearest earlier letter in the window."""
        import numpy as np

        grams, digest = self.sketch(text)
        mh = self._sketch
        mh.hashvalues = digest  # LSH reads the signature when called, and keeps none of `mh`
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
