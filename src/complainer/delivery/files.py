"""Writing a letter to disk: atomically, private to the user, never over an existing file unasked."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from complainer.errors import DeliveryError, UsageProblem


def check_writable(path: Path, force: bool) -> None:
    """Fail before any work is done if `path` cannot be written as asked."""
    if path.is_dir():
        raise UsageProblem(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageProblem(
            f"folder {path.parent} does not exist; create it first or choose another path"
        )
    if path.exists() and not force:
        raise UsageProblem(f"{path} already exists; use --force to overwrite it")


def write_private(path: Path, data: bytes, force: bool = False, sync: bool = True) -> None:
    """Write `data` to `path` with mode 0600, all or nothing.

    The bytes go to a temporary file beside the target first; without `force` it is then linked
    into place, which fails if the name was taken meanwhile, so an existing file is never replaced.
    `sync=False` leaves flushing to disk to the caller (a batch syncs once at its end, since an
    fsync per file would cost more than making the letter).
    """
    check_writable(path, force)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise DeliveryError(f"cannot write in {path.parent}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError as exc:
                raise UsageProblem(f"{path} already exists; use --force to overwrite it") from exc
            except OSError:
                # Some file systems have no hard links; a check-then-rename race is the best left.
                if path.exists():
                    raise UsageProblem(
                        f"{path} already exists; use --force to overwrite it"
                    ) from None
                os.replace(tmp, path)
    except OSError as exc:
        raise DeliveryError(f"cannot write {path}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
