"""Letters kept for the person: drafts and sent copies under their data folder, private to them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import platformdirs

from complainer.delivery.files import write_private
from complainer.errors import DeliveryError, UsageProblem
from complainer.i18n import _
from complainer.letter.compose import Letter

DRAFTS = "drafts"
SENT = "sent"


def data_dir() -> Path:
    """Where complainer keeps the person's letters (XDG_DATA_HOME/complainer on Linux)."""
    return Path(platformdirs.user_data_dir("complainer", appauthor=False))


def folder(kind: str) -> Path:
    path = data_dir() / kind
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise DeliveryError(
            _("cannot create the folder {path}: {problem}").format(path=path, problem=exc.strerror)
        ) from exc
    return path


def _stem(letter: Letter, now: dt.datetime) -> str:
    return f"{now:%Y-%m-%d-%H%M%S}-{letter.campaign}-{letter.target}-{letter.language}"


def save(
    letter: Letter, data: bytes, kind: str, suffix: str = ".eml", beside: Path | None = None
) -> Path:
    """Write `data` under a new name in the `kind` folder (0600); never replaces a file.

    With `beside`, the name is that file's with `suffix` (the text of a draft, say), if it is free.
    """
    base = folder(kind)
    stem = beside.stem if beside is not None else _stem(letter, dt.datetime.now())
    for n in range(1, 1000):
        path = base / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        if os.path.lexists(path):
            continue
        try:
            write_private(path, data)
        except UsageProblem:  # taken between the check and the write
            continue
        return path
    raise DeliveryError(_("cannot find a free file name in {folder}").format(folder=base))
