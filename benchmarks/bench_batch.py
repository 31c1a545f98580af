"""complainer batch against mailmerge, side by side in one run: letters a second and peak memory.

For 1,000 and 10,000 signers: `complainer batch --out-dir` (text files and .eml files) and
`--mbox`, and mailmerge's dry run over all rows on an equivalent Jinja template (the same letter
with the signer's fields as variables) and CSV. All run as whole processes (start-up included),
medians of BENCH_REPEAT (3) alternated runs; letters a second by wall time and by CPU time, peak
RSS, and the ratio to mailmerge by CPU time (the machine is shared). With two row counts, a last
table gives each tool's rate per extra letter (CPU seconds between the smallest and the largest
count: start-up left out), and its ratio to mailmerge's. Needs the `bench` extra:
pip install -e '.[bench]'. Run:

    .venv/bin/python benchmarks/bench_batch.py
    BENCH_ROWS=1000 BENCH_REPEAT=5 .venv/bin/python benchmarks/bench_batch.py

BENCH_BASELINE=/path/to/other/.venv/bin/complainer adds that complainer's .eml and --mbox runs
to the same table (alternated with the others), to measure a change before and after in one run.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from complainer.campaigns.registry import open_registry
from complainer.letter.compose import Request, compose
from complainer.letter.writer import Writer

BIN = Path(sys.executable).parent
ROWS = tuple(int(n) for n in os.environ.get("BENCH_ROWS", "1000,10000").split(","))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))  # medians of this many alternated runs
BASELINE = os.environ.get("BENCH_BASELINE")  # another complainer to run side by side


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one process.

    CPU time is the fairer figure on a shared machine: wall time also counts waiting for a core.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    registry = open_registry()
    campaign = registry.load(registry.default_id())
    letter = compose(campaign, Writer("Anna Schmidt", "DE", "Berlin", "", "anna@example.org"),
                     Request(language="en", date=dt.date(2026, 11, 29), seed=1))  # fmt: skip
    body = letter.body.replace("Anna Schmidt", "{{name}}").replace("Berlin", "{{city}}")
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        (work / "t.txt").write_text(
            f"TO: {letter.recipient.name} <{letter.recipient.email}>\nFROM: {{{{name}}}} <{{{{email}}}}>\n"
            f"SUBJECT: {letter.subject}\n\n{body}", encoding="utf-8")  # fmt: skip
        (work / "s.conf").write_text(
            "[smtp_server]\nhost = 127.0.0.1\nport = 25\nsecurity = Never\n"
        )
        print(f"{'rows':>6}  {'tool':<28}{'letters/s':>10}{'CPU':>8}{'peak MiB':>10}  ratio (CPU)")
        print(f"{'':>6}  {'':<28}{'(wall)':>10}{'/s':>8}")
        cpu_by_rows: dict[int, dict[str, float]] = {}
        for n in ROWS:
            with (work / "db.csv").open("w", newline="", encoding="utf-8") as fh:
                out = csv.writer(fh)
                out.writerow(["name", "country", "city", "email"])
                for i in range(n):
                    out.writerow([f"Signer {i}", "DE", "Berlin", f"s{i}@example.org"])
            complainer = [str(BIN / "complainer"), "batch", "db.csv", "--lang", "en", "-q"]
            commands = {
                "mailmerge --dry-run": [str(BIN / "mailmerge"), "--template", "t.txt",
                                        "--database", "db.csv", "--config", "s.conf", "--dry-run",
                                        "--no-limit", "--output-format", "raw"],
                "complainer batch text files": [*complainer, "--out-dir", "out", "--format",
                                                "text"],
                "complainer batch .eml files": [*complainer, "--out-dir", "out"],
                "complainer batch --mbox": [*complainer, "--mbox", "m.mbox"],
            }  # fmt: skip
            if BASELINE:
                other = [BASELINE, *complainer[1:]]
                commands["baseline .eml files"] = [*other, "--out-dir", "out"]
                commands["baseline --mbox"] = [*other, "--mbox", "m.mbox"]
            results: dict[str, list[tuple[float, float, float]]] = {t: [] for t in commands}
            for k in range(REPEAT):  # alternated, so that a busy spell hits every tool alike
                for tool, cmd in commands.items():
                    # Each run writes somewhere new, and nothing is deleted until the end: on
                    # ext4 without a journal, making a file right after thousands were deleted
                    # costs the kernel hundreds of microseconds (it skips recently deleted
                    # inodes one by one), which would be charged to whichever tool runs next.
                    run = work / f"run-{n}-{k}-{list(commands).index(tool)}"
                    run.mkdir()
                    for name in ("db.csv", "t.txt", "s.conf"):
                        shutil.copyfile(work / name, run / name)
                    results[tool].append(timed(cmd, run))
            medians = {
                t: tuple(statistics.median(r[k] for r in runs) for k in range(3))
                for t, runs in results.items()
            }
            base_cpu = medians["mailmerge --dry-run"][1]
            for tool, (wall, cpu, peak) in medians.items():
                ratio = "" if tool.startswith("mailmerge") else f"  {base_cpu / cpu:.2f}x mailmerge"
                print(f"{n:>6}  {tool:<28}{n / wall:>10.0f}{n / cpu:>8.0f}{peak:>10.0f}{ratio}")
            cpu_by_rows[n] = {t: m[1] for t, m in medians.items()}
        if len(cpu_by_rows) > 1:
            low, high = min(cpu_by_rows), max(cpu_by_rows)
            extra = {t: (high - low) / (cpu_by_rows[high][t] - cpu_by_rows[low][t])
                     for t in cpu_by_rows[high]}  # fmt: skip
            print(f"\nper extra letter, {low:,} to {high:,} rows (start-up left out):")
            base = extra["mailmerge --dry-run"]
            for tool, rate in extra.items():
                ratio = "" if tool.startswith("mailmerge") else f"  {rate / base:.2f}x mailmerge"
                print(f"{'':>6}  {tool:<28}{'':>10}{rate:>8.0f}{'':>10}{ratio}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
