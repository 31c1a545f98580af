"""The batch's similarity work (letter.variety.SimilarityIndex) alone: microseconds a letter.

`complainer batch` measures every letter against the letters around it (issue 14, item 5); this
times that part by itself, on the letters the batch makes of the benchmark's signers (as
bench_batch.py: name, country, city, e-mail; phrasings spread by the batch's Maker). The letters
are made once, then each interpreter runs `SimilarityIndex.add` over all of them, alternated
BENCH_REPEAT times; the table gives the median CPU microseconds a letter and a digest of every
letter's figure, so a change can be shown to keep the figures while it cuts the time.

    .venv/bin/python benchmarks/bench_similarity.py
    BENCH_BASELINE=/work/main/.venv/bin/complainer BENCH_ROWS=3000 \\
        .venv/bin/python benchmarks/bench_similarity.py

BENCH_BASELINE is another install's `complainer`: its interpreter (the same folder) runs the same
letters with its own letter.variety, side by side.
"""

from __future__ import annotations

import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from complainer.campaigns.registry import open_registry
from complainer.flows.batch import Maker
from complainer.letter.request import DraftValues

ROWS = int(os.environ.get("BENCH_ROWS", "3000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
BASELINE = os.environ.get("BENCH_BASELINE")

# Run in each interpreter: CPU seconds of `add` over the letters, and a digest of the figures.
TIMED = """
import hashlib, pickle, sys, time
from complainer.letter.variety import SimilarityIndex
bodies = pickle.loads(open(sys.argv[1], "rb").read())
index = SimilarityIndex()
figures = []
start = time.process_time()
for number, body in enumerate(bodies):
    figures += index.add(number, body)
figures += index.finish()
seconds = time.process_time() - start
summary = index.summary()
digest = hashlib.sha256(repr((figures, summary)).encode()).hexdigest()[:16]
print(seconds, digest)
"""


def main() -> None:
    registry = open_registry()
    campaign = registry.load(registry.default_id())
    maker = Maker(campaign, seed=1)
    bodies = []
    for i in range(ROWS):
        values = DraftValues(name=f"Signer {i}", country="DE", city="Berlin",
                             email=f"s{i}@example.org", lang="en")  # fmt: skip
        bodies.append(maker.letter(values).body)
    pythons = {"this complainer": sys.executable}
    if BASELINE:
        pythons["baseline"] = str(Path(BASELINE).parent / "python")
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as work:
        letters = Path(work) / "letters.pickle"
        letters.write_bytes(pickle.dumps(bodies))
        seconds: dict[str, list[float]] = {name: [] for name in pythons}
        digests: dict[str, str] = {}
        for _ in range(REPEAT):  # alternated, so that a busy spell hits both alike
            for name, python in pythons.items():
                done = subprocess.run([python, "-c", TIMED, str(letters)], capture_output=True,
                                      text=True, check=True)  # fmt: skip
                cpu, digests[name] = done.stdout.split()
                seconds[name].append(float(cpu))
    print(f"{ROWS:,} letters, median of {REPEAT} runs (CPU time of SimilarityIndex.add)")
    print(f"{'':<18}{'us/letter':>10}  figures")
    first = statistics.median(seconds["this complainer"])
    for name, runs in seconds.items():
        median = statistics.median(runs)
        ratio = "" if name == "this complainer" else f"  {median / first:.2f}x this one's time"
        print(f"{name:<18}{median / ROWS * 1e6:>10.1f}  {digests[name]}{ratio}")
    if BASELINE:
        same = digests["baseline"] == digests["this complainer"]
        print("figures identical" if same else "FIGURES DIFFER")


if __name__ == "__main__":
    main()
