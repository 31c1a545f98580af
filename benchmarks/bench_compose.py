"""Speed and memory figures for complainer, as ratios within one run (machines here are noisy).

Prints: campaign load and compose time in-process, and, for the installed command, start-up and a
full `draft` against a bare `python -c pass`, with the peak memory of each. Run:

    .venv/bin/python benchmarks/bench_compose.py
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from complainer.campaigns.registry import open_registry
from complainer.letter.compose import Request, compose
from complainer.letter.writer import Writer

ROUNDS = 5


def timed(fn, rounds: int = ROUNDS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child(cmd: list[str]) -> tuple[float, float]:
    """Median wall time (s) and peak RSS (MiB) of a command."""
    times, peaks = [], []
    for _ in range(ROUNDS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    registry = open_registry()
    load = {cid: timed(lambda cid=cid: registry.load(cid)) for cid in registry.ids}
    for cid, seconds in load.items():
        print(f"load {cid}: {seconds * 1000:.1f} ms")
    campaign = registry.load(registry.default_id())
    writer = Writer("Anna Schmidt", "DE", "Berlin", "", "anna@example.org")
    day = dt.date(2026, 11, 29)
    n = 200

    def many() -> None:
        for seed in range(n):
            compose(campaign, writer, Request(language="ru", date=day, seed=seed))

    per_letter = timed(many, 3) / n
    print(f"compose ({campaign.id}, ru): {per_letter * 1000:.2f} ms per letter")

    exe = str(Path(sys.executable).parent / "complainer")
    base_t, base_m = child([sys.executable, "-c", "pass"])
    ver_t, ver_m = child([exe, "--version"])
    draft_t, draft_m = child(
        [exe, "draft", "--name", "Anna Schmidt", "--country", "DE", "--no-input", "-q"]
    )
    print(f"python -c pass: {base_t * 1000:.0f} ms, {base_m:.0f} MiB")
    print(
        f"complainer --version: {ver_t * 1000:.0f} ms ({ver_t / base_t:.1f}x python), {ver_m:.0f} MiB"
    )
    print(
        f"complainer draft: {draft_t * 1000:.0f} ms ({draft_t / base_t:.1f}x python), {draft_m:.0f} MiB"
    )


if __name__ == "__main__":
    main()
