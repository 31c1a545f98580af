"""The batch's similarity figures (issue 14, item 5): each letter's figure in the report is the
Jaccard similarity of word 5-grams with its nearest neighbour in the batch, the summary's median
and maximum are those of the figures, and a run gives the same figures in every process."""

from __future__ import annotations

import csv
import re
import statistics
import subprocess
from pathlib import Path

import numpy as np
from conftest import LETTER_DATE, complainer_exe
from hypothesis import given, settings
from hypothesis import strategies as st

from complainer.campaigns.registry import open_registry
from complainer.flows.batch import Maker
from complainer.letter.request import DraftValues
from complainer.letter.variety import COPY_THRESHOLD, SimilarityIndex, jaccard, shingles

SUMMARY = re.compile(r"median (\d\.\d\d), max (\d\.\d\d)(?: \(rows (\d+) and (\d+)\))?")


def signers(path: Path, n: int) -> Path:
    places = [("DE", "Berlin"), ("FR", "Lyon"), ("PL", "Kraków"), ("IT", "Torino"), ("SE", "Malmö")]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "country", "city"])
        for i in range(n):
            country, city = places[i % len(places)]
            out.writerow([f"Signer Number {i}", country, city])
    return path


def batch_in_process(folder: Path, rows: int, hash_seed: str, env: dict[str, str]) -> str:
    """Runs `complainer batch` on `rows` signers in `folder` under PYTHONHASHSEED=`hash_seed`;
    its stderr."""
    folder.mkdir()
    signers(folder / "signers.csv", rows)
    done = subprocess.run(
        [complainer_exe(), "batch", "signers.csv", "--out-dir", "out", "--format", "text",
         "--date", LETTER_DATE],
        cwd=folder, env={**env, "PYTHONHASHSEED": hash_seed}, capture_output=True, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    return done.stderr.decode()


def test_the_figures_are_the_nearest_neighbours_and_the_same_in_every_process(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    rows = 150
    first = batch_in_process(tmp_path / "a", rows, "1", clean_env)
    second = batch_in_process(tmp_path / "b", rows, "2023", clean_env)
    # Python salts str hashes per process: nothing the figures come from may depend on that.
    report = (tmp_path / "a" / "out" / "report.csv").read_bytes()
    assert report == (tmp_path / "b" / "out" / "report.csv").read_bytes()
    [summary] = [line for line in first.splitlines() if "5-grams" in line]
    assert summary in second.splitlines()

    with (tmp_path / "a" / "out" / "report.csv").open(encoding="utf-8") as fh:
        report_rows = list(csv.DictReader(fh))
    figures = {int(r["row"]): float(r["similarity"]) for r in report_rows}
    assert sorted(figures) == list(range(1, rows + 1))
    sets = {
        int(r["row"]): shingles((tmp_path / "a" / r["output"]).read_text(encoding="utf-8"))
        for r in report_rows
    }
    exact = {
        row: max(jaccard(mine, theirs) for other, theirs in sets.items() if other != row)
        for row, mine in sets.items()
    }
    for row, figure in figures.items():
        # The exact Jaccard with a neighbour found: never above the nearest (but for rounding to
        # two places), and below it only where MinHash ranked another candidate first.
        assert exact[row] - 0.06 <= figure <= exact[row] + 0.005, (row, figure, exact[row])
    assert statistics.median(figures.values()) >= statistics.median(exact.values()) - 0.02
    found = SUMMARY.search(summary)
    assert found, summary
    assert float(found[2]) == max(figures.values())
    assert abs(float(found[1]) - statistics.median(figures.values())) <= 0.01
    assert found[3] and figures[int(found[3])] == figures[int(found[4])] == max(figures.values())


def test_every_letter_gets_its_final_figure_once_in_order_whatever_the_window() -> None:
    """Letters leave the window as later ones come; each figure is returned once, in the order
    the letters were added, and is the largest over the neighbours measured before and after."""
    common = "we write to ask the ministry to protect the rights of every person in the country"
    bodies = [f"{common} {' '.join(['again'] * (i % 5))} signed writer {i}" for i in range(20)]
    for window in (4, 7, 50):
        index = SimilarityIndex(window=window)
        settled = [pair for i, body in enumerate(bodies) for pair in index.add(i, body)]
        settled += index.finish()
        assert [key for key, _ in settled] == list(range(20))
        figures = [figure for _, figure in settled]
        assert all(figure is not None and figure > 0 for figure in figures)
        summary = index.summary()
        assert summary.maximum == max(f for f in figures if f is not None)
    alone = SimilarityIndex()
    assert alone.add("only", "a letter with nobody to compare it with") == []
    assert alone.finish() == [("only", None)]


def test_a_small_batchs_figures_are_exactly_the_all_pairs_nearest_neighbours() -> None:
    """In-process, unrounded: on a batch small enough that every letter is compared with every
    other (below the copy threshold each is ranked against the whole window, and the window
    holds them all), each figure, the median and the maximum are those of exact Jaccard over
    all pairs, computed from the whole letters' 5-gram sets with Python's sets."""
    registry = open_registry(None)
    campaign = registry.load(registry.default_id())
    maker = Maker(campaign, seed=5)
    places = [("DE", "Berlin"), ("FR", "Lyon"), ("PL", "Kraków"), ("KZ", "Almaty")]
    bodies = []
    for i in range(SimilarityIndex().scanned + 1):
        country, city = places[i % len(places)]
        values = DraftValues(name=f"Signer Number {i}", country=country, city=city,
                             lang=("en", "ru")[i % 2], date=LETTER_DATE)  # fmt: skip
        bodies.append(maker.letter(values).body)
    sets = [shingles(body) for body in bodies]
    exact = [max(jaccard(a, b) for j, b in enumerate(sets) if j != i) for i, a in enumerate(sets)]
    assert max(exact) < COPY_THRESHOLD  # so every pair is measured, not only LSH's candidates
    index = SimilarityIndex()
    settled = [pair for i, body in enumerate(bodies) for pair in index.add(i, body)]
    settled += index.finish()
    assert settled == list(enumerate(exact))
    summary = index.summary()
    assert summary.maximum == max(exact)
    # The median comes from a histogram of thousandths (constant memory): the middle figure's.
    assert summary.median == statistics.median(round(x * 1000) for x in exact) / 1000


# 5-grams as `_measure` sees them: sorted distinct uint32. Values that differ only above the low
# 16 bits share a slot of its lookup table, the case it must settle by comparing directly.
gram_sets = st.lists(
    st.sets(
        st.one_of(st.integers(0, 40), st.integers(0, 40).map(lambda v: (v << 16) | 7)),
        max_size=60,
    ),
    min_size=2,
    max_size=18,
)


# Sets of integers, not untrusted text: CI's 10,000 examples would add nothing but time.
@settings(max_examples=300)
@given(gram_sets)
def test_the_exact_counts_are_those_of_python_sets(sets: list[set[int]]) -> None:
    """`_measure`: each candidate's figure is |A ∩ B| / |A ∪ B| from Python's sets (0.0 for two
    empty sets), whatever slots of the lookup table the 5-grams share and whichever others are
    measured with it (`add` measures two groups in one pass), and `_unload` leaves the table
    empty for the next letter; `_raise` gives the largest and raises each one's own figure."""
    index = SimilarityIndex(window=len(sets))
    empty = index._table.copy()
    for slot, values in enumerate(sets[1:]):
        index._shingles[slot] = np.array(sorted(values), dtype=np.uint32)
    mine = sets[0]
    ordered = np.array(sorted(mine), dtype=np.uint32)
    slots = list(range(len(sets) - 1))
    crowded = index._load(ordered)
    sims = index._measure(ordered, crowded, slots)
    figures = [jaccard(mine, theirs) for theirs in sets[1:]]
    assert sims == figures
    assert index._measure(ordered, crowded, slots[::-1]) == figures[::-1]
    apart = index._measure(ordered, crowded, slots[::2]) + index._measure(
        ordered, crowded, slots[1::2]
    )
    assert apart == figures[::2] + figures[1::2]
    index._unload(ordered)
    best, best_slot = index._raise(sims, slots)
    assert best == max(figures)
    assert figures[best_slot] == best
    assert index._nearest[: len(slots)] == figures  # each raised to its figure
    assert np.array_equal(index._table, empty)


# Letters as a batch makes them: paragraphs of a few repeated words, joined by the punctuation
# `_stretch` cuts at (and its near misses: ",\n", ")," "(("), so that the same words run across
# every kind of cut, piece and paragraph break, and a paragraph comes back with one piece changed.
_words = st.sampled_from(["I", "Signer", "7", "am", "writing", "the", "the", "Law", "Қазақстан"])
_joins = st.sampled_from([" ", ", ", " (", ") ", "), ", ". ", "\n", ",\n", "((", "-", ""])
_paragraph = st.lists(st.tuples(_words, _joins), max_size=14).map(
    lambda pairs: "".join(word + join for word, join in pairs)
)


@settings(max_examples=300)
@given(st.lists(st.lists(_paragraph, min_size=1, max_size=6), min_size=1, max_size=5), _words)
def test_a_letters_sketch_from_cached_pieces_is_the_whole_letters(
    letters: list[list[str]], writer: str
) -> None:
    """`SimilarityIndex.sketch`: the 5-grams put together from paragraphs and their pieces
    (each cached) are exactly `shingles` of the whole text, and the MinHash is rensa's of that
    set, when the same paragraphs come again with a writer's word changed or added."""
    import rensa

    from complainer.letter.variety import MINHASH_SEED, NUM_PERM

    index = SimilarityIndex(window=4)
    texts = ["\n\n".join(paragraphs) for paragraphs in letters]
    texts += [text.replace("Signer", writer) for text in texts]
    texts += [f"{writer}, {text}" for text in texts]
    for text in texts:
        grams, minhash = index.sketch(text)
        whole = sorted(shingles(text))
        assert grams.tolist() == whole
        reference = rensa.RMinHash(NUM_PERM, MINHASH_SEED)
        reference.update([value.to_bytes(4, "little") for value in whole])
        assert minhash.digest() == reference.digest()


# Signatures over a few values, so that many permutations agree; NUM_PERM wide, as rensa's are.
_signature = st.lists(st.integers(0, 3), min_size=64, max_size=64)


@settings(max_examples=200)
@given(st.lists(_signature, min_size=1, max_size=40), _signature)
def test_the_agreement_counts_are_those_of_comparing_each_permutation(
    window: list[list[int]], digest: list[int]
) -> None:
    """`_agreement`: for each letter in the window (a column of the signature matrix), the
    number of permutations on which its signature equals the letter's, as counted one by one
    in Python, for the whole window and for a chosen few (as `_likeliest` asks)."""
    index = SimilarityIndex(window=len(window))
    for slot, signature in enumerate(window):
        index._digests[:, slot] = signature
    probe = np.array(digest, dtype=np.uint32)
    counts = [sum(a == b for a, b in zip(s, digest, strict=True)) for s in window]
    assert index._agreement(index._digests[:, : len(window)], probe).tolist() == counts
    chosen = list(range(len(window)))[::-2]
    assert index._agreement(index._digests[:, chosen], probe).tolist() == [
        counts[i] for i in chosen
    ]
