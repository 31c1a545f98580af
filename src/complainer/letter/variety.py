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

`SimilarityIndex` finds each letter's nearest neighbour in the batch with MinHash and LSH from
rensa (a maintained MinHash library in Rust, with no dependencies; datasketch, the usual choice,
imports scipy, 0.4 s of every batch run), then measures the candidates exactly. It keeps only the
last `window` letters (the spreader two blocks), so memory stays flat on a batch of any length;
the price is that a letter is compared with the `window` letters around it, not with all of them
(for a batch up to `window` letters, all pairs). Every hash the figures come from is the same in
every process (`_word_ids`; rensa's hashing is fixed), and LSH candidates are ranked in key order,
so a re-run reports the same figures.
"""

from __future__ import annotations

import bisect
import functools
import re
import zlib
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from complainer.campaigns.model import POINT_KINDS, Campaign
from complainer.i18n import _, format_number
from complainer.letter.compose import Request, phrasing_slots
from complainer.letter.writer import Writer

if TYPE_CHECKING:
    import numpy as np
    from rensa import RMinHash

SHINGLE = 5
COPY_THRESHOLD = 0.5  # the goal: no letter this close to another
WINDOW = 1000
_WORD = re.compile(r"\w+")
_MASK = 0xFFFFFFFF
_WORD_IDS: dict[str, int] = {}  # word -> its CRC-32; a cache, emptied when it grows large
_WORD_IDS_MOST = 1 << 16


def _word_ids(text: str) -> list[int]:
    """The text's words (case-folded) as stable integers: their CRC-32 (UTF-8).

    Python's `hash()` of a string is salted per process (PYTHONHASHSEED), so hashing words
    directly made each run's shingles, MinHash signatures and LSH buckets, and so its reported
    figures, differ. `hash()` of a tuple of ints is not salted: 5-grams of these ids hash the
    same in every process.
    """
    ids = _WORD_IDS
    if len(ids) >= _WORD_IDS_MOST:
        ids.clear()  # bounded: signers' names and notes bring new words all along
    result = []
    for word in _WORD.findall(text.casefold()):
        known = ids.get(word)
        if known is None:
            known = ids[word] = zlib.crc32(word.encode("utf-8"))
        result.append(known)
    return result


def shingles(text: str, size: int = SHINGLE) -> set[int]:
    """The letter's word `size`-grams (case-folded), each as a 32-bit hash, the same in every
    process (see `_word_ids`)."""
    words = _word_ids(text)
    if len(words) < size:
        return {hash(tuple(words)) & _MASK} if words else set()
    grams = zip(*(words[i:] for i in range(size)), strict=False)
    return {h & _MASK for h in map(hash, grams)}


class _Part(NamedTuple):
    """A stretch of a letter's words as `shingles` counts them: its own 5-grams (those inside
    it, as uint32, a repeated one as often as it comes), and the words at each end, from which
    the 5-grams across its edges are made."""

    grams: np.ndarray
    words: int
    head: tuple[int, ...]  # the first SHINGLE - 1 words (`_word_ids`)
    tail: tuple[int, ...]  # the last SHINGLE - 1 words


def _part(words: Sequence[int]) -> _Part:
    """The `_Part` of the words `words` (`_word_ids`)."""
    import numpy as np

    grams = zip(*(words[i:] for i in range(SHINGLE)), strict=False)
    edge = SHINGLE - 1
    return _Part(np.array([h & _MASK for h in map(hash, grams)], dtype=np.uint32), len(words),
                 tuple(words[:edge]), tuple(words[-edge:]) if words else ())  # fmt: skip


# A batch's paragraphs are mostly the campaign's phrasings, so each is shingled once, and the few
# ways they meet are too. The caches are bounded and drop what was used least recently: the
# paragraphs naming a writer come once each, and must not push out the phrasings.
_STRETCHES = 4096
# A paragraph's words are found piece by piece, cut at line breaks and at the punctuation that
# sets the writer's details apart from the phrasing around them ("I, {name} ({city},
# {country}), am writing ..."), so that in a paragraph naming the writer only the pieces with
# the writer's details are new. None of these characters is part of a word (`_WORD`), so the
# pieces' words, one after another, are the paragraph's.
_CUTS = (". ", ", ", " (", ") ")


@functools.lru_cache(maxsize=_STRETCHES)
def _stretch(text: str) -> _Part:
    """A paragraph's `_Part`: its words are its pieces' (`_piece_words`), and its 5-grams are
    hashed whole (joining pieces' 5-grams costs more, piece by piece, than hashing a
    paragraph's few dozen)."""
    for cut in _CUTS:
        text = text.replace(cut, "\n")
    pieces = text.split("\n")
    if len(pieces) == 1:
        return _part(_word_ids(text))
    words: list[int] = []
    for piece in pieces:
        words += _piece_words(piece)
    return _part(words)


@functools.lru_cache(maxsize=_STRETCHES)
def _piece_words(text: str) -> tuple[int, ...]:
    """`_word_ids(text)`, cached: the words of a piece of a paragraph (`_stretch`)."""
    return tuple(_word_ids(text))


@functools.lru_cache(maxsize=_STRETCHES)
def _across(bridge: tuple[int, ...]) -> tuple[int, ...]:
    """The 5-grams of the words `bridge`: the last words before an edge and the first after."""
    return tuple(hash(bridge[i : i + SHINGLE]) & _MASK for i in range(len(bridge) - SHINGLE + 1))


def _joined(pieces: Iterable[_Part]) -> _Part:
    """The words of `pieces` one after another, as one `_Part`: the pieces' own 5-grams and those
    across each edge, made from the last four words before it and the first four after (the
    same 5-grams as the whole text's, not an approximation)."""
    import numpy as np

    grams: list[np.ndarray] = []
    across: list[int] = []
    head: tuple[int, ...] = ()
    tail: tuple[int, ...] = ()
    words = 0
    edge = SHINGLE - 1
    for part in pieces:
        if not part.words:
            continue
        if tail:
            across.extend(_across(tail + part.head))
        if len(head) < edge:
            head = (head + part.head)[:edge]
        grams.append(part.grams)
        words += part.words
        tail = (tail + part.tail)[-edge:]
    grams.append(np.array(across, dtype=np.uint32))
    return _Part(np.concatenate(grams), words, head, tail)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct `values`, sorted: `np.unique`, which since numpy 2.3 hashes them first and
    takes five times as long on a letter's few hundred 5-grams."""
    import numpy as np

    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    distinct: np.ndarray = ordered[keep]
    return distinct


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
        import numpy as np  # only a batch needs it

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
        # What every candidate shares with one letter: the sum of its columns for that letter's
        # variants (its product with the letter's indicator row, `_onehot`, without the zeros:
        # a fraction of the work). Rows of the transpose are contiguous; the sums are of whole
        # numbers, exact in float32.
        by_column = np.ascontiguousarray(per_slot.T)
        offsets = np.arange(n) * self.table.shape[2]
        worst = np.zeros(len(pool), dtype=np.float32)
        for letter in self.previous:
            np.maximum(worst, by_column[offsets + letter].sum(axis=0), out=worst)
        chosen: np.ndarray = np.zeros((self.block, n), dtype=np.int64)
        for k in range(self.block):
            first = k == 0 and not len(self.previous)
            pick = int(self.rng.integers(len(pool))) if first else int(np.argmin(worst))
            chosen[k] = pool[pick]
            np.maximum(worst, by_column[offsets + pool[pick]].sum(axis=0), out=worst)
        return chosen


# MinHash and LSH come from rensa (Rust, no dependencies, imported in about a millisecond). Not
# datasketch: importing it imports scipy (datasketch/lsh.py chooses its bands with it), about 0.4 s
# of every batch run, more than the similarity work of a thousand letters.
MINHASH_SEED = 1
LSH_THRESHOLD = 0.4
NUM_PERM = 64
# 16 bands of 4 rows: the bands datasketch's MinHashLSH chooses for threshold 0.4 and 64
# permutations (least false positive plus false negative probability, weighted equally).
LSH_BANDS = 16


@dataclass(frozen=True)
class SimilaritySummary:
    """Nearest-neighbour similarity over a batch: median and maximum, and the closest pair."""

    letters: int
    median: float
    maximum: float
    closest: tuple[Hashable, Hashable] | None

    def describe(self) -> str:
        if self.letters < 2:
            return _("similarity: fewer than two letters, nothing to compare")
        pair = ""
        if self.closest is not None and self.maximum > 0:
            pair = " " + _("(rows {first} and {second})").format(
                first=self.closest[0], second=self.closest[1]
            )
        verdict = "" if self.maximum < COPY_THRESHOLD else _("; some letters are near-copies")
        return (
            _(
                "similarity to the nearest other letter (word 5-grams, Jaccard): median {median},"
                " max {maximum}"
            ).format(median=format_number(self.median, 2), maximum=format_number(self.maximum, 2))
            + pair
            + verdict
        )


class SimilarityIndex:
    """Each letter's nearest neighbour among the `window` letters around it, found with MinHash.

    Memory: `window` letters' shingles (about 2.5 KB each as 32-bit hashes), MinHash signatures
    (256 bytes each) and LSH entries, plus a 1,001-bin histogram for the median and a 256 KB
    lookup table for exact counts (`_measure`), whatever the batch's length; the caches of
    paragraphs' 5-grams and pieces' words (`_stretch`, `_piece_words`, `_across`) are
    bounded too.
    Candidates come from rensa's LSH (`RMinHashLSH`: LSH_BANDS bands of NUM_PERM / LSH_BANDS
    rows, tuned for LSH_THRESHOLD); a letter for which LSH finds none at COPY_THRESHOLD or more
    (its nearest neighbour is less similar, or LSH missed it) is compared by MinHash estimate
    with every letter in the window instead (one vectorised pass). The `exact`
    likeliest LSH candidates (by MinHash estimate), or the `scanned` likeliest letters of the
    window, are then measured exactly, so every figure is the exact Jaccard
    similarity with the nearest neighbour found, never 0 for a letter that has one. A letter's
    figure is the largest over the letters before it and after it (within the window), so it
    is final once the letter leaves the window: `add` and `finish` return the final figures.
    """

    def __init__(
        self,
        window: int = WINDOW,
        exact: int = 3,
        scanned: int = 16,
    ) -> None:
        import numpy as np
        import rensa

        self._lsh = rensa.RMinHashLSH(LSH_THRESHOLD, NUM_PERM, LSH_BANDS)
        # Below the copy threshold, a letter's best LSH candidate is not trusted to be its
        # nearest: LSH at 0.4 with 16 bands of 4 rows catches a pair at 0.44 only about half the
        # time, so such a letter is ranked against the whole window by MinHash estimate, and a
        # near-copy (0.5 or more) is not reported as a lower figure. It costs about 70 us a letter;
        # on 1,000 letters it left 107 figures below their true nearest instead of 310.
        self.floor = COPY_THRESHOLD
        # Ring buffers over the window: slot i holds the letter keys[i], the letter numbered
        # numbers[i] in the batch (rensa's keys are integers: a letter's number modulo the
        # window is its slot).
        self._keys: list[Hashable | None] = [None] * window
        self._numbers: list[int] = [0] * window
        empty: np.ndarray = np.zeros(0, dtype=np.uint32)
        self._shingles: list[np.ndarray] = [empty] * window  # sorted
        # Column i: the MinHash signature of the letter in slot i. By permutation rather than by
        # letter, so that `_agreement` compares each permutation's row with one value.
        self._digests = np.zeros((NUM_PERM, window), dtype=np.uint32)
        # `_agreement` sums in bytes while a count (at most NUM_PERM) fits in one.
        self._count_type = np.uint8 if NUM_PERM < 256 else np.int64
        # `_measure`'s lookup table: slot i holds a 5-gram whose low bits are i, or ~i when empty
        # (which no such 5-gram equals). 256 KB, in the processor's cache.
        self._table = ~np.arange(_TABLE_MASK + 1, dtype=np.uint32)
        self._nearest: list[float] = [_NONE] * window  # _NONE: no other letter yet
        self.window, self.exact, self.scanned = window, exact, scanned
        self._bins = [0] * 1001
        self.count = 0
        self.measured = 0  # letters with a figure (all but a batch's only letter)
        self.maximum = 0.0
        self.closest: tuple[Hashable, Hashable] | None = None

    def sketch(self, text: str) -> tuple[np.ndarray, RMinHash]:
        """`shingles(text)`, sorted (uint32), put together from the letter's paragraphs, and
        its MinHash (rensa's `RMinHash` with NUM_PERM permutations and MINHASH_SEED over those
        5-grams, each as its 4 bytes, little-endian).

        The letter's words are its paragraphs' words in order (a paragraph break is not part of
        a word), so its 5-grams are those inside each paragraph plus those across each break
        (`_joined`): the same set as `shingles(text)`, not an approximation. Paragraphs repeat
        across a batch (most of a letter is the campaign's phrasings), so each is shingled once.
        """
        import numpy as np
        import rensa

        letter = _joined([_stretch(paragraph) for paragraph in text.split("\n\n")])
        ordered: np.ndarray
        if letter.words < SHINGLE:
            few = shingles(text)  # fewer than five words: one "5-gram" of them all
            ordered = np.array(sorted(few), dtype=np.uint32)
        else:
            ordered = _distinct(letter.grams)
        minhash = rensa.RMinHash(NUM_PERM, MINHASH_SEED)
        # rensa hashes str or bytes tokens: a 5-gram's 4 bytes (little-endian) are the cheapest
        # to make, and numpy makes them all at once (a 4-byte void item becomes `bytes`), a
        # quarter of the time of `int.to_bytes` for each.
        minhash.update(ordered.astype("<u4", copy=False).view("V4").tolist())
        return ordered, minhash

    def _agreement(self, signatures: np.ndarray, digest: np.ndarray) -> np.ndarray:
        """For each column of `signatures` (NUM_PERM rows), the number of permutations on which
        it equals `digest` (int64). Compared row by row with one value each, and summed down
        the columns in bytes (a count is at most NUM_PERM): about half the time of comparing
        letter by letter and summing with a product."""
        import numpy as np

        same = signatures == digest[:, None]
        agree: np.ndarray = same.sum(axis=0, dtype=self._count_type).astype(np.int64)
        return agree

    def _likeliest(self, slots: Sequence[int], agree: np.ndarray) -> list[int]:
        """The `exact` slots among `slots` whose signatures agree most with the letter's digest
        (`agree`: the agreement of every letter in the window, by slot)."""
        import numpy as np

        if len(slots) <= self.exact:
            return list(slots)
        top = np.argpartition(-agree[slots], self.exact - 1)[: self.exact]
        return [slots[int(i)] for i in top]

    def add(self, key: Hashable, text: str) -> list[tuple[Hashable, float | None]]:
        """Index the letter `key` (distinct per letter); returns the letters whose figure is now
        final (the one leaving the window, if any) as (key, similarity to its nearest
        neighbour, None for a letter with no other).

        The letters measured: the `exact` likeliest of LSH's candidates (by MinHash agreement);
        if none of them is at the copy threshold, also the `scanned` likeliest of the window.
        Both are picked from one agreement count over the window, and measured in one pass
        (`_measure`); the second group's figures are used only when the first falls short, so
        the figures are those of measuring the groups one after the other.
        """
        import numpy as np

        ordered, minhash = self.sketch(text)
        digest = np.array(minhash.digest(), dtype=np.uint32)
        filled = min(self.count, self.window)
        # Sorted: rensa does not promise an order, and the order breaks ties in `_likeliest`,
        # so a run must give the same one in every process.
        found = sorted(self._lsh.query(minhash))
        slots: list[int] = []
        others: list[int] = []
        if filled:
            # LSH's candidates are letters in the window (a letter leaving it leaves the LSH).
            agree = self._agreement(self._digests[:, :filled], digest)
            slots = self._likeliest([number % self.window for number in found], agree)
            top = np.argpartition(-agree, min(self.scanned, filled) - 1)[: self.scanned]
            chosen = set(slots)
            others = [s for s in top.tolist() if s not in chosen]
        crowded = self._load(ordered)
        try:
            sims = self._measure(ordered, crowded, slots + others)
        finally:
            self._unload(ordered)
        best, best_slot = self._raise(sims[: len(slots)], slots)
        if filled and best < self.floor:
            # LSH found nothing at its threshold: the window's likeliest by MinHash estimate.
            more, more_slot = self._raise(sims[len(slots) :], others)
            if more_slot >= 0 and (best_slot < 0 or more > best):
                best, best_slot = more, more_slot
        here = self.count % self.window
        settled = [self._retire(here)] if self.count >= self.window else []
        if best_slot >= 0 and (best > self.maximum or self.closest is None):
            self.maximum, self.closest = best, (self._keys[best_slot], key)
        self._lsh.insert(self.count, minhash)
        self._keys[here], self._numbers[here] = key, self.count
        self._shingles[here] = ordered
        self._digests[:, here] = digest
        self._nearest[here] = best if best_slot >= 0 else _NONE
        self.count += 1
        return settled

    def _load(self, ordered: np.ndarray) -> list[int]:
        """Puts the sorted distinct 5-grams `ordered` into `_measure`'s lookup table, each in
        the slot of its low bits; returns those that share a slot with another and did not
        stay (a few: 65,536 slots for a letter's ~500 5-grams). `_unload` empties it again."""
        at = ordered & _TABLE_MASK
        # `put` and `take` rather than indexing: half the time with these uint32 slots.
        self._table.put(at, ordered)
        crowded: list[int] = ordered[self._table.take(at) != ordered].tolist()
        return crowded

    def _unload(self, ordered: np.ndarray) -> None:
        at = ordered & _TABLE_MASK
        self._table.put(at, ~at)

    def _measure(
        self, ordered: np.ndarray, crowded: Sequence[int], slots: Sequence[int]
    ) -> list[float]:
        """Exact Jaccard of the sorted distinct 5-grams `ordered` (in the lookup table, with the
        `crowded` ones beside it: `_load`) with each of `slots`, in their order.

        Vectorised: every candidate's 5-grams are looked up in the table at once, and compared
        directly with the few crowded out of it, so the counts are exact. A lookup is a third of
        the time of a sorted search in `ordered`. A candidate's figure depends on it alone, not
        on the others measured with it.
        """
        import numpy as np

        if not slots:
            return []
        others = [self._shingles[s] for s in slots]
        sizes = np.array([len(o) for o in others])
        together = np.concatenate(others)
        # One spare False at the end: `reduceat` needs every start inside the array.
        found = np.zeros(len(together) + 1, dtype=bool)
        np.equal(self._table.take(together & _TABLE_MASK), together, out=found[:-1])
        for value in crowded:
            found[:-1] |= together == value
        common = np.add.reduceat(found, np.cumsum(sizes) - sizes, dtype=np.int64)
        common[sizes == 0] = 0  # `reduceat` gives an empty stretch its next element
        # |A ∪ B| is 0 only for two empty sets, whose `common` is 0: their figure is 0.0.
        sims: list[float] = (common / np.maximum(len(ordered) + sizes - common, 1)).tolist()
        return sims

    def _raise(self, sims: Sequence[float], slots: Sequence[int]) -> tuple[float, int]:
        """Raises each of `slots`' own figure to its `sims` figure where that is larger; the
        largest of `sims` (the first, on a tie) and its slot, or (-1.0, -1) for none."""
        if not slots:
            return -1.0, -1
        nearest = self._nearest
        for other, sim in zip(slots, sims, strict=True):
            if sim > nearest[other]:
                nearest[other] = sim
        best = max(sims)
        return best, slots[sims.index(best)]

    def _retire(self, slot: int) -> tuple[Hashable, float | None]:
        key = self._keys[slot]
        self._lsh.remove(self._numbers[slot])
        self._keys[slot] = None
        nearest = self._nearest[slot]
        if nearest == _NONE:
            return key, None
        self._bins[round(nearest * 1000)] += 1
        self.measured += 1
        return key, nearest

    def finish(self) -> list[tuple[Hashable, float | None]]:
        """Ends the batch: the final figures of the letters still in the window, in the order
        they were added (as `add` returns them)."""
        start = self.count % self.window if self.count >= self.window else 0
        order = [*range(start, self.window), *range(start)]
        return [self._retire(slot) for slot in order if self._keys[slot] is not None]

    def summary(self) -> SimilaritySummary:
        """The batch's figures: the median and maximum of the letters' figures (ends the batch)."""
        self.finish()
        median = _histogram_median(self._bins, self.measured)
        return SimilaritySummary(self.count, median, self.maximum, self.closest)


_NONE = -1.0
_TABLE_MASK = (1 << 16) - 1  # a letter's ~500 5-grams in 65,536 slots: a few share one


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
