"""Keeping a campaign inside its folder: campaign folders are untrusted, whoever wrote them.

Every file a campaign is read from goes through `confined`: its real path (symbolic links and ".."
resolved) must lie inside the campaign folder's real path, and it must be a regular file of a
bounded size, so that a campaign can neither read `/etc/passwd` through a link nor block on a FIFO
or `/dev/zero`.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from complainer import cache
from complainer.errors import CampaignError
from complainer.paths import read_regular_file

MAX_FILE_BYTES = 1_000_000  # a campaign text or template; the built-in ones are under 40 kB
# BCP 47 (RFC 5646) language tags of the shape campaigns use: language, optional script, optional
# region ("en", "kk", "sr-Latn", "pt-BR", "es-419"). Babel must also know the language.
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?")


def confined(folder: Path, path: Path, directory: bool = False) -> Path:
    """The real path of `path`, which must be a regular file (or a folder) inside `folder`.

    Raises CampaignError naming `path` when it leaves the folder, is missing, is of another kind
    (a device, a FIFO, a socket) or is larger than MAX_FILE_BYTES.
    """
    root = folder.resolve()
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise CampaignError(f"{path}: does not exist") from None
    except (OSError, RuntimeError) as exc:  # a loop of links
        raise CampaignError(f"{path}: cannot be resolved ({exc})") from None
    if real != root and root not in real.parents:
        raise CampaignError(
            f"{path}: leads outside the campaign folder {folder} (a symbolic link or '..');"
            " a campaign may only use its own files"
        )
    try:
        info = os.stat(real)
    except OSError as exc:
        raise CampaignError(f"{path}: cannot be read ({exc.strerror})") from None
    if directory:
        if not stat.S_ISDIR(info.st_mode):
            raise CampaignError(f"{path}: is not a folder")
        return real
    if not stat.S_ISREG(info.st_mode):
        raise CampaignError(f"{path}: is not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise CampaignError(f"{path}: is larger than {MAX_FILE_BYTES:,} bytes")
    return real


def read_confined_text(folder: Path, path: Path) -> str:
    """The UTF-8 text of the campaign file `path` (a template), checked by `confined` first.

    At most MAX_FILE_BYTES + 1 bytes are read, from a regular file only, even if the file was
    swapped since it was checked. Raises CampaignError naming `path` when it is not UTF-8 text or
    cannot be read, as for any other broken campaign file.
    """
    real = confined(folder, path)
    try:
        raw = read_regular_file(real, MAX_FILE_BYTES)
        if len(raw) > MAX_FILE_BYTES:
            raise CampaignError(f"{path}: is larger than {MAX_FILE_BYTES:,} bytes")
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignError(f"{path}: cannot be read as UTF-8 text ({exc})") from None


def is_language_tag(code: str) -> bool:
    """True for a BCP 47 tag of the shape above whose language Babel (CLDR) knows."""
    if not _LANGUAGE_TAG.fullmatch(code):
        return False
    # A tag Babel knew is remembered (keyed by the tag and Babel's release): loading a campaign
    # need not import Babel.
    if cache.remembered_true("language-tag", code.encode(), made_by=__file__, library="babel"):
        return True
    from babel import Locale, UnknownLocaleError  # slow to import: only when a campaign loads

    try:
        Locale.parse(code, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    cache.remember_true("language-tag", code.encode(), made_by=__file__, library="babel")
    return True
