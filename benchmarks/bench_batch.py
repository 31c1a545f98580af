"""complainer batch against mailmerge, side by side in one run: letters a second and peak memory.

For 1,000 and 10,000 signers: `complainer batch --out-dir` (.eml files) and `--mbox`, and
mailmerge's dry run over all rows on an equivalent Jinja template (the same letter with the
signer's fields as variables) and CSV. Both run as whole processes (start-up included). Needs the
`bench` extra: pip install -e '.[bench]'. Run:

    .venv/bin/python benchmarks/bench_batch.py
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from complainer.campaigns.registry import open_registry
from complainer.letter.compose import Request, compose
from complainer.letter.writer import Writer

BIN = Path(sys.executable).parent


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed")
    return seconds, usage.ru_maxrss / 1024


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
        print(f"{'rows':>6}  {'tool':<28}{'letters/s':>10}{'peak MiB':>10}")
        for n in (1_000, 10_000):
            with (work / "db.csv").open("w", newline="", encoding="utf-8") as fh:
                out = csv.writer(fh)
                out.writerow(["name", "country", "city", "email"])
                for i in range(n):
                    out.writerow([f"Signer {i}", "DE", "Berlin", f"s{i}@example.org"])
            mm = timed([str(BIN / "mailmerge"), "--template", "t.txt", "--database", "db.csv",
                        "--config", "s.conf", "--dry-run", "--no-limit", "--output-format", "raw"], work)  # fmt: skip
            runs = {
                "mailmerge --dry-run": mm,
                "complainer batch --out-dir": timed(
                    [
                        str(BIN / "complainer"),
                        "batch",
                        "db.csv",
                        "--out-dir",
                        f"out{n}",
                        "--lang",
                        "en",
                        "-q",
                    ],
                    work,
                ),
                "complainer batch --mbox": timed(
                    [
                        str(BIN / "complainer"),
                        "batch",
                        "db.csv",
                        "--mbox",
                        f"m{n}.mbox",
                        "--lang",
                        "en",
                        "-q",
                    ],
                    work,
                ),
            }
            for tool, (seconds, peak) in runs.items():
                ratio = (
                    f"  ({mm[0] / seconds:.2f}x mailmerge)" if tool != "mailmerge --dry-run" else ""
                )
                print(f"{n:>6}  {tool:<28}{n / seconds:>10.0f}{peak:>10.0f}{ratio}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
