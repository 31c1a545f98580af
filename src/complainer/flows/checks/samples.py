"""`complainer check --samples DIR`: one letter per target, language and date period, written to
DIR/<campaign>/<target>.<lang>.<date>.txt with an index, so that a reviewer reads a whole campaign
in one folder. Every letter uses the same seed, so variant n of each paragraph is the same in
every language, and carries every argument and recommendation valid on its date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from complainer.campaigns.model import Campaign
from complainer.delivery.files import write_private
from complainer.errors import ComplainerError, UsageProblem
from complainer.flows.checks.letters import full_letter
from complainer.formats import render

SAMPLE_SEED = 0
INDEX = "index.txt"


def sample_folder(base: Path, campaign: Campaign) -> Path:
    return base / campaign.id


def prepare(base: Path) -> None:
    """DIR may exist or not, but its parent must (as for --out); a file there is refused."""
    if base.exists() and not base.is_dir():
        raise UsageProblem(f"{base} is a file; give a folder for --samples")
    if not base.parent.is_dir():
        raise UsageProblem(
            f"folder {base.parent} does not exist; create it first or choose another path"
        )


def write_samples(
    campaign: Campaign, days: Sequence[dt.date], base: Path, force: bool
) -> list[Path]:
    """Write the samples and their index; returns the files written.

    Every letter is composed before anything is written, and without `force` an existing file
    stops the run before the first write, so a refused run leaves the folder as it was.
    Raises UsageProblem for an existing file without `force`.
    """
    folder = sample_folder(base, campaign)
    files: list[tuple[Path, bytes]] = []
    index = [f"Sample letters of {campaign.id}, seed {SAMPLE_SEED}: file, subject, notes", ""]
    for target in campaign.targets:
        for lang in campaign.languages:
            for day in days:
                path = folder / f"{target}.{lang}.{day.isoformat()}.txt"
                try:
                    letter = full_letter(campaign, lang, target, day, SAMPLE_SEED)
                except ComplainerError as exc:
                    index.append(f"{path.name}: not written: {exc}")
                    continue
                files.append((path, render(letter, "text")))
                index.append(f"{path.name}: {letter.subject}")
                index.extend(f"    note: {w}" for w in letter.warnings)
    files.append((folder / INDEX, ("\n".join(index) + "\n").encode("utf-8")))
    if not force:
        for path, _ in files:
            if path.exists():
                raise UsageProblem(f"{path} already exists; use --force to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    for path, data in files:
        write_private(path, data, force)
    return [path for path, _ in files]
