"""Digests of 300 letters, to show a refactoring changed no letter: run before and after, then diff.

Both campaigns, all five original targets, en/ru/kk, text/json/eml, six seeds for text and two for
the others, rendered in-process through the command line (Typer's test runner); `.eml` digests
leave out Date and Message-ID, which differ on every run.

    .venv/bin/python benchmarks/letter_digests.py before.tsv   # on the old code
    .venv/bin/python benchmarks/letter_digests.py after.tsv    # on the new code
    diff before.tsv after.tsv && echo identical
"""

from __future__ import annotations

import hashlib
import itertools
import re
import sys

from typer.testing import CliRunner

from complainer.cli import app

CAMPAIGNS = {"kz-propaganda-law-2025": "2026-11-30", "kz-petition-2024": "2024-08-01"}
TARGETS = ("ministry", "mp", "foreign-ministry", "journalist", "activists")


def main(out: str) -> None:
    runner = CliRunner()
    rows = []
    for (campaign, day), target, lang, fmt in itertools.product(
        CAMPAIGNS.items(), TARGETS, ("en", "ru", "kk"), ("text", "json", "eml")
    ):
        for seed in range(6 if fmt == "text" else 2):
            args = [
                "draft", "--no-input", "-c", campaign, "-t", target, "--name", "Anna Schmidt",
                "--country", ("DE", "KZ", "France")[seed % 3], "--lang", lang, "--date", day,
                "--seed", str(seed * 7919), "--format", fmt, "--city", "Köln" if seed % 2 else "",
                "--email", "anna@example.org", "--note", "Мой личный абзац." if seed % 2 else "",
            ]  # fmt: skip
            if target != "ministry":
                args += ["--to", "x@example.org", "--to-name", "Jane Doe"]
            result = runner.invoke(app, args)
            data = result.stdout_bytes
            if fmt == "eml":
                data = re.sub(rb"(?m)^(Date|Message-ID): .*\r?\n", b"", data)
            rows.append(f"{' '.join(args)}\t{result.exit_code}\t{hashlib.sha256(data).hexdigest()}")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    print(f"{len(rows)} letters -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
