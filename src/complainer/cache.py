"""A cache of work derived from campaign files (parsed TOML, compiled templates), to start faster.

Each entry is found by, and must carry, a key made of what it was derived from (the file's bytes
or the template's source), the source code of the module that derives it, complainer's version
and the Python version; an entry whose key does not match is ignored, so an edited file, changed
code (even under the same version number), an upgrade or a damaged entry only costs the work the
cache would have saved. Only campaign content goes in here, never what a person writes.

The folder is the user's cache folder (platformdirs: ~/.cache/complainer on Linux), or
COMPLAINER_CACHE_DIR; COMPLAINER_NO_CACHE=1 turns the cache off. A cache that cannot be read or
written is silently not used: it is never a reason for a run to fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from complainer import __version__

CACHE_DIR_ENV = "COMPLAINER_CACHE_DIR"
NO_CACHE_ENV = "COMPLAINER_NO_CACHE"
_FORMAT = b"complainer-cache-1\n"
# Entries of one kind kept at most; past that, the older half goes (edited campaign files and
# upgrades leave entries nothing will ask for again).
MAX_ENTRIES = 4000


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    folder = _folder()
    return None if folder is None else Path(folder)


_SETTINGS = (NO_CACHE_ENV, CACHE_DIR_ENV, "XDG_CACHE_HOME", "HOME", "LOCALAPPDATA")


def _folder() -> str | None:
    """`cache_dir()` as a string: a letter reads some thirty entries, each asking."""
    get = os.environ.get
    return _cache_dir(tuple([get(name, "") for name in _SETTINGS]))


@functools.cache
def _cache_dir(environment: tuple[str, ...]) -> str | None:
    # Keyed by the variables that decide it, as a run asks about a dozen times.
    no_cache, override = environment[0].strip(), environment[1].strip()
    if no_cache not in ("", "0"):
        return None
    if override:
        return os.fspath(Path(override))
    # Imported here: only runs that read or write the cache pay for platformdirs.
    import platformdirs

    return os.fspath(Path(platformdirs.user_cache_dir("complainer", appauthor=False)))


@functools.cache
def _code_of(module_file: str) -> bytes | None:
    """The SHA-256 of the module's code: hashed once, not again for each of a run's entries."""
    try:
        return hashlib.sha256(Path(module_file).read_bytes()).digest()
    except OSError:
        return None


def _key(kind: str, source: bytes, made_by: str | tuple[str, ...]) -> bytes | None:
    """The entry's key, or None when a deriving module's code cannot be read (no caching)."""
    digest = _key_start(kind, made_by, __version__, sys.version)
    if digest is None:
        return None
    digest = digest.copy()
    digest.update(len(source).to_bytes(8, "big"))
    digest.update(source)
    return digest.digest()


@functools.cache
def _key_start(
    kind: str, made_by: str | tuple[str, ...], version: str, python: str
) -> hashlib._Hash | None:
    """The SHA-256 of what comes before the source in a key (each part after its length): made
    once per kind and deriving code, and copied for each entry."""
    codes: list[bytes] = []
    for module in (made_by,) if isinstance(made_by, str) else made_by:
        code = _code_of(module)
        if code is None:
            return None
        codes.append(code)
    digest = hashlib.sha256()
    for part in (kind.encode(), version.encode(), python.encode(), *codes):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest


@functools.cache
def release_of(package: str) -> bytes | None:
    """What identifies an installed library, read without importing it: the path, the time and
    the bytes of its __init__.py (which names its version; reinstalling changes the time).
    None when it cannot be found or read (then nothing derived from it is cached)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    init = Path(spec.origin)
    try:
        stamp = init.stat().st_mtime_ns
        return b"%s\0%d\0%s" % (str(init).encode(), stamp, init.read_bytes())
    except OSError:
        return None


def remembered_true(kind: str, facts: bytes, *, made_by: str, library: str) -> bool:
    """Whether `check` was already found true for `facts` by this code and this `library`."""
    release = release_of(library)
    return release is not None and load(kind, release + b"\0" + facts, made_by=made_by) is True


def remember_true(kind: str, facts: bytes, *, made_by: str, library: str) -> None:
    """Note that a check of `facts` by `library` came out true (see remembered_true)."""
    release = release_of(library)
    if release is not None:
        store(kind, release + b"\0" + facts, True, made_by=made_by)


def _entry(kind: str, key: bytes) -> str | None:
    folder = _folder()
    return None if folder is None else os.path.join(folder, kind, key.hex() + ".pickle")


# The only classes an entry may hold besides builtins: what TOML's dates and times are made of.
_PLAIN_CLASSES = {
    ("datetime", "date"): dt.date,
    ("datetime", "datetime"): dt.datetime,
    ("datetime", "time"): dt.time,
    ("datetime", "timedelta"): dt.timedelta,
    ("datetime", "timezone"): dt.timezone,
}


class _DataOnly(pickle.Unpickler):
    """Rebuilds plain data and refuses every other class: an entry is data, never code."""

    def find_class(self, module: str, name: str) -> Any:
        found = _PLAIN_CLASSES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
        return found


def load(kind: str, source: bytes, *, made_by: str | tuple[str, ...]) -> Any | None:
    """The value stored for `source` under `kind` by the module at `made_by` (its __file__; or
    the modules, when several derive it), or None if there is none that matches."""
    key = _key(kind, source, made_by)
    path = _entry(kind, key) if key is not None else None
    if key is None or path is None:
        return None
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError:
        return None
    header = _FORMAT + key
    if not blob.startswith(header):
        return None
    try:
        return _DataOnly(io.BytesIO(blob[len(header) :])).load()
    except Exception:  # a damaged entry is a miss, never a failure
        return None


def store(kind: str, source: bytes, value: Any, *, made_by: str | tuple[str, ...]) -> None:
    """Keep `value` (plain data: dicts, lists, str, bytes, numbers, dates) as derived from
    `source` by the module at `made_by` (its __file__; or the modules, when several derive it)."""
    key = _key(kind, source, made_by)
    entry = _entry(kind, key) if key is not None else None
    if key is None or entry is None:
        return
    path = Path(entry)
    try:
        blob = _FORMAT + key + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written aside and renamed: a reader sees a whole entry or none (several runs at once).
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if key[0] == 0:  # about one store in 256: pruning reads the whole folder
            _prune(path.parent)
    except (OSError, pickle.PicklingError):
        return


def _prune(folder: Path) -> None:
    """Keep `folder` to MAX_ENTRIES entries, removing the least recently written first."""
    entries = [e for e in os.scandir(folder) if e.name.endswith(".pickle")]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for entry in entries[: len(entries) - MAX_ENTRIES // 2]:
        with contextlib.suppress(OSError):  # another run may have removed it already
            os.unlink(entry.path)
