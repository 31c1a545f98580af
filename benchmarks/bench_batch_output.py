"""What a batch's letter costs apart from composing it, stage by stage, against another complainer.

`complainer batch` spends most of a letter's time composing it and measuring its variety; this
measures the rest, on the same 300 composed letters (en, the default campaign; signers as in
bench_batch.py): the signer's address checked (email-validator), the whole row checked (its values
over the flags, each validated by `build_request`, with a new address in every row: the total
counts the address once, in this stage), the row's key and file name, the .eml message (built
and read back), the file written (NewFiles), the mbox entry, the report row. CPU microseconds
a letter, the minimum over BENCH_REPEAT (7) rounds (the machine is shared:
the minimum is the least disturbed round). The file stage also pays the kernel's cost of making
an inode, which on a file system without a journal grows with the files deleted in the last
minutes (ext4 skips recently deleted inodes): it moves the most from run to run. With BENCH_BASELINE_PYTHON (another checkout's venv
python), the same stages run there too, rounds alternated, side by side with the ratio:

    BENCH_BASELINE_PYTHON=/work/main/.venv/bin/python .venv/bin/python benchmarks/bench_batch_output.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LETTERS = 300
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
BASELINE = os.environ.get("BENCH_BASELINE_PYTHON")
FILE_STAGE = "file written"
ADDRESS_STAGE = "address checked"  # also in "row read and checked": counted there in the total


def worker(round_number: int) -> dict[str, float]:
    """CPU seconds a letter of each stage, in this process's complainer."""
    from complainer.campaigns.registry import open_registry
    from complainer.delivery.files import NewFiles
    from complainer.delivery.mbox import mbox_entry, with_row_id
    from complainer.flows import batch
    from complainer.formats.eml import to_eml
    from complainer.formats.readback import VerifiedFields
    from complainer.letter.request import CheckedDefaults, DraftValues, build_request
    from complainer.letter.signers import Row
    from complainer.letter.writer import clean_email

    registry = open_registry()
    campaign = registry.load(registry.default_id())
    flags = DraftValues(campaign=campaign.id, lang="en", date="2026-11-30")
    maker = batch.Maker(campaign, 1)
    rows = [Row(i, {"name": f"Signer {i}", "country": "DE", "city": "Berlin",
                    "email": f"s{i}@example.org"}) for i in range(LETTERS)]  # fmt: skip
    values = [row.values(flags) for row in rows]
    letters = [maker.letter(v) for v in values]
    verified = VerifiedFields()
    costs: dict[str, float] = {}

    def stage(name: str, work: Callable[[int], Any]) -> list[Any]:
        start = time.process_time()
        made = [work(i) for i in range(LETTERS)]
        costs[name] = (time.process_time() - start) / LETTERS
        return made

    stage(ADDRESS_STAGE, lambda i: clean_email(f"r{round_number}x{i}@example.org"))
    # The whole row: its values over the flags, each checked (a new address in every row, as
    # in a list of signers; country and city repeated).
    known = CheckedDefaults.of(flags, campaign)
    signers = [Row(i, {"name": f"Signer {i}", "country": "DE", "city": "Berlin",
                       "email": f"q{round_number}x{i}@example.org"}) for i in range(LETTERS)]  # fmt: skip
    stage("row read and checked", lambda i: build_request(signers[i].values(flags), campaign,
                                                           known=known))  # fmt: skip
    keys = stage("row key and file name", lambda i: batch.safe_stem(
        letters[i].writer.name, batch.row_key(values[i], campaign)))  # fmt: skip
    messages = stage(".eml message", lambda i: to_eml(letters[i], verified=verified))
    with tempfile.TemporaryDirectory(prefix="bench-output-") as folder:
        files = NewFiles(Path(folder))
        stage(FILE_STAGE, lambda i: files.write(f"{keys[i]}.eml", messages[i]))
        files.close()
        stage("mbox entry", lambda i: mbox_entry(with_row_id(messages[i], str(keys[i]))))
        report = batch._Report(Path(folder) / "report.csv")

        def report_row(i: int) -> None:
            outcome = batch.Outcome(i, letters[i].writer.name, "written", output=f"{keys[i]}.eml")
            report.add(outcome, awaiting_similarity=True)
            report.settle([(i, 0.25)])

        stage("report row", report_row)
        report.close()
    return costs


def run_worker(python: str, round_number: int) -> dict[str, float]:
    out = subprocess.run([python, __file__, "--worker", str(round_number)], check=True,
                         capture_output=True, text=True)  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    tools = {"this": sys.executable, **({"baseline": BASELINE} if BASELINE else {})}
    rounds: dict[str, list[dict[str, float]]] = {tool: [] for tool in tools}
    for n in range(REPEAT):
        # Alternated, and each first in turn: a busy spell hits both alike, and so does the
        # file system's cost of making files just after the other run's were removed.
        for tool, python in sorted(tools.items(), reverse=n % 2 == 1):
            rounds[tool].append(run_worker(python, n))
    best = {t: {s: min(r[s] for r in runs) for s in runs[0]} for t, runs in rounds.items()}
    # The file stage is the kernel's more than complainer's (see above): shown, not in the total.
    stages = [s for s in best["this"] if s != FILE_STAGE] + ["total", FILE_STAGE]
    for costs in best.values():
        costs["total"] = sum(c for s, c in costs.items() if s not in (FILE_STAGE, ADDRESS_STAGE))
    print(
        f"{'CPU us a letter':<24}{'this':>10}"
        + (f"{'baseline':>10}{'this/baseline':>15}" if BASELINE else "")
    )
    for name in stages:
        line = f"{name:<24}{best['this'][name] * 1e6:>10.1f}"
        if BASELINE:
            base = best["baseline"][name]
            line += f"{base * 1e6:>10.1f}{best['this'][name] / base:>15.2f}"
        print(line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(int(sys.argv[2]))))
    else:
        main()
