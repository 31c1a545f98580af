"""Composer.compose per letter, in-process, as a batch calls it: this checkout beside another.

Letters of the default campaign for N different writers ("Signer i", DE, Berlin, an e-mail) with
phrasings spread as a batch spreads them (PhrasingSpreader), through one Composer: CPU time per
letter. With `--compare PYTHON` (another checkout's venv python) the two run alternately, each in
a process of its own, ROUNDS times; medians and the ratio are printed side by side. Run:

    .venv/bin/python benchmarks/bench_composer.py --compare /path/to/other/venv/bin/python
    .venv/bin/python benchmarks/bench_composer.py --lang ru --letters 3000 --rounds 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time

# What runs in each process: composes `letters` letters and prints microseconds a letter.
CHILD = """
import datetime as dt, sys, time
from complainer.campaigns.registry import open_registry
from complainer.letter.compose import Composer, Request
from complainer.letter.variety import PhrasingSpreader, letter_overlap
from complainer.letter.writer import Writer

lang, count = sys.argv[1], int(sys.argv[2])
registry = open_registry()
campaign = registry.load(registry.default_id())
writers = [Writer(f"Signer {i}", "DE", "Berlin", "", f"s{i}@example.org") for i in range(count)]
request = Request(language=lang, date=dt.date(2026, 11, 30))
spreader = PhrasingSpreader(letter_overlap(campaign, writers[0], request), 1)
requests = [request._replace(phrasings=spreader.next()) for _ in range(count)]
composer = Composer(campaign)
start = time.process_time()
for writer, one in zip(writers, requests):
    composer.compose(writer, one)
print((time.process_time() - start) / count * 1e6)
"""


def per_letter(python: str, lang: str, letters: int) -> float:
    out = subprocess.run(
        [python, "-c", CHILD, lang, str(letters)], check=True, capture_output=True, text=True
    )
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", help="another checkout's venv python")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pythons = {"this checkout": sys.executable}
    if args.compare:
        pythons["compared"] = args.compare
    figures: dict[str, list[float]] = {name: [] for name in pythons}
    started = time.perf_counter()
    for _round in range(args.rounds):
        for name, python in pythons.items():
            figures[name].append(per_letter(python, args.lang, args.letters))
    print(f"Composer.compose, {args.letters} letters ({args.lang}), medians of {args.rounds}:")
    ours = statistics.median(figures["this checkout"])
    for name, values in figures.items():
        median = statistics.median(values)
        ratio = f"  {median / ours:.2f}x this checkout's time" if name != "this checkout" else ""
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {name:14} {median:7.1f} us a letter ({runs}){ratio}")
    print(f"({time.perf_counter() - started:.0f} s; {dt.datetime.now():%H:%M})")


if __name__ == "__main__":
    main()
