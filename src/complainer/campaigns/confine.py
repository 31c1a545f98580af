"""Keeping a campaign inside its folder: campaign folders are untrusted, whoever wrote them.

Every file a campaign is read from goes through `confined`: its real path (symbolic links and ".."
resolved) must lie inside the campaign folder's real path, and it must be a regular file of a
bounded size, so that a campaign can neither read `/etc/passwd` through a link nor block on a FIFO
or `/dev/zero`.
"""

from __future__ import annotations

import functools
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
# Compiled on first use (re's own cache): a campaign whose tags are remembered never needs it.
_LANGUAGE_TAG = r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?"


def confined(folder: Path, path: Path, directory: bool = False) -> Path:
    """The real path of `path`, which must be a regular file (or a folder) inside `folder`.

    Raises CampaignError naming `path` when it leaves the folder, is missing, is of another kind
    (a device, a FIFO, a socket) or is larger than MAX_FILE_BYTES.
    """
    root = _real_folder(os.fspath(folder)) if folder.is_absolute() else os.path.realpath(folder)
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise CampaignError(f"{path}: does not exist") from None
    except (OSError, RuntimeError) as exc:  # a loop of links
        raise CampaignError(f"{path}: cannot be resolved ({exc})") from None
    inside = str(real)
    # Both are real paths (absolute, normalised, no links): inside the folder is below it.
    if inside != root and not inside.startswith(root.rstrip(os.sep) + os.sep):
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


@functools.lru_cache(maxsize=64)
def _real_folder(folder: str) -> str:
    """The real path of the absolute path `folder`, resolved once per process: a letter checks
    some twenty files of one campaign folder. Should the folder be moved or replaced by a link
    while the process runs, files are still held to where it was (refused if they are not there),
    never let out of it."""
    return os.path.realpath(folder)


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


@functools.lru_cache(maxsize=256)
def is_language_tag(code: str) -> bool:
    """True for a BCP 47 tag of the shape above whose language Babel (CLDR) knows (asked once per
    tag and process: a campaign names its languages, and again the languages its readers read)."""
    # A tag found to have the shape and Babel to know it is remembered (keyed by the tag, this
    # code and Babel's release): loading a campaign need not import Babel, nor compile the shape.
    if cache.remembered_true("language-tag", code.encode(), made_by=__file__, library="babel"):
        return True
    if not re.fullmatch(_LANGUAGE_TAG, code):
        return False
    from babel import Locale, UnknownLocaleError  # slow to import: only when a campaign loads

    try:
        Locale.parse(code, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    cache.remember_true("language-tag", code.encode(), made_by=__file__, library="babel")
    return True
