"""Writing a letter to disk: atomically, private to the user, never over an existing file unasked.

Only a regular file is ever replaced (with --force). A character device or a FIFO (`/dev/stdout`,
`/dev/null`, a named pipe) is written into, as a shell redirection would; any other kind of file,
and a symbolic link to a regular file, is refused: replacing it would replace the node or the link,
not what it stands for.

The bytes are first written to an unnamed file (Linux O_TMPFILE) that is linked into place only
when complete, so a process killed mid-write (SIGKILL) leaves nothing behind. Where O_TMPFILE is
missing, a hidden `.NAME.*.part` file is used instead, and those older than an hour (left by a
killed run) are removed on the next write beside them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import tempfile
import time
from pathlib import Path

from complainer.errors import DeliveryError, UsageProblem
from complainer.i18n import _

STALE_PART_SECONDS = 3600


def _exists(path: Path) -> UsageProblem:
    return UsageProblem(_("{path} already exists; use --force to overwrite it").format(path=path))


def is_stream(path: Path) -> bool:
    """True when `path` is (or links to) a character device or a FIFO: written into, not replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def file_option(given: str, option: str) -> Path:
    """The file an output option (`--out`, `--mbox`, `--report`, `--journal`) names, as given.

    Raises UsageProblem (exit 2) for an empty or blank value, for `-` (standard output is the
    caller's to allow, as `draft --out -` does), and for one whose last part is not a name: a
    trailing separator, `.` or `..` names a folder, and Path() would drop the separator or the
    dot and write a file in the folder's place.
    """
    if not given.strip():
        raise UsageProblem(_("{option} is empty; give a file name").format(option=option))
    if given == "-":
        raise UsageProblem(
            _("{option} cannot be standard output (-); give a file name").format(option=option)
        )
    last = given.replace(os.altsep or os.sep, os.sep).rsplit(os.sep, 1)[-1]
    if last in ("", ".", ".."):
        raise UsageProblem(
            _("{option} {path} names a folder; give a file name").format(option=option, path=given)
        )
    return Path(given)


def folder_option(given: str, option: str) -> Path:
    """The folder an output option (`batch --out-dir`, `check --samples`) names, as given.

    Raises UsageProblem (exit 2) for an empty or blank value, which Path() would read as the
    current folder (a batch would then write every letter and its report there), and for `-`,
    which names no folder.
    """
    if not given.strip():
        raise UsageProblem(_("{option} is empty; give a folder name").format(option=option))
    if given == "-":
        raise UsageProblem(
            _("{option} cannot be standard output (-); give a folder name").format(option=option)
        )
    return Path(given)


def check_writable(path: Path, force: bool) -> None:
    """Fail before any work is done if `path` cannot be written as asked (UsageProblem, exit 2)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UsageProblem(
            _("{path} cannot be checked: {problem}").format(path=path, problem=exc.strerror)
        ) from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UsageProblem(_("{path} is a folder; give a file name").format(path=path))
        if is_stream(path):
            return  # written into, like a shell's > redirection
        if stat.S_ISLNK(info.st_mode):
            raise UsageProblem(
                _(
                    "{path} is a symbolic link; give the file it points to (or --out - for stdout)"
                ).format(path=path)
            )
        if not stat.S_ISREG(info.st_mode):
            raise UsageProblem(
                _("{path} is not a regular file; complainer does not replace it").format(path=path)
            )
        if not force:
            raise _exists(path)
    if not path.parent.is_dir():
        raise UsageProblem(
            _("folder {path} does not exist; create it first or choose another path").format(
                path=path.parent
            )
        )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_stream(path: Path, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise DeliveryError(
            _("cannot write {path}: {problem}").format(path=path, problem=exc.strerror)
        ) from None


def _place(tmp: Path, path: Path, force: bool) -> None:
    """Move the complete file `tmp` to `path`: replace only a regular file, and only with `force`."""
    if force:
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG(os.lstat(path).st_mode):
                raise UsageProblem(
                    _("{path} is not a regular file; complainer does not replace it").format(
                        path=path
                    )
                )
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise _exists(path) from None
    except OSError:
        # Some file systems have no hard links; a check-then-rename race is the best left.
        if os.path.lexists(path):
            raise _exists(path) from None
        os.replace(tmp, path)


def _unnamed_file(folder: Path) -> int | None:
    """An O_TMPFILE descriptor in `folder` (mode 0600), or None where the system has none."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):  # linkat needs the /proc link
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY, 0o600)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None
        raise


def _link_unnamed(fd: int, path: Path) -> None:
    """Give the O_TMPFILE file `fd` the name `path`: linkat(2) through /proc, following the link.

    os.link uses linkat with AT_SYMLINK_FOLLOW only when given a directory descriptor.
    """
    proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(str(fd), path, src_dir_fd=proc, follow_symlinks=True)
    finally:
        os.close(proc)


def _remove_stale_parts(path: Path) -> None:
    now = time.time()
    for part in path.parent.glob(f".{path.name}.*.part"):
        with contextlib.suppress(OSError):
            info = part.lstat()
            if info.st_uid == os.getuid() and now - info.st_mtime > STALE_PART_SECONDS:
                part.unlink()


def write_private(path: Path, data: bytes, force: bool = False, sync: bool = True) -> None:
    """Write `data` to `path` with mode 0600, all or nothing (see the module docstring).

    `sync=False` leaves flushing to disk to the caller: a batch syncs once at its end, since an
    fsync per file costs more than making the letter. The file still appears whole or not at
    all to other processes, and after a crash of complainer itself; only a power loss before
    that sync can lose the data.

    Raises UsageProblem when `path` exists and `force` is not given or it is not a regular file,
    DeliveryError when the system refuses the write.
    """
    check_writable(path, force)
    if is_stream(path):
        _write_stream(path, data)
        return
    tmp: Path | None = None
    try:
        fd = _unnamed_file(path.parent)
        if fd is None:
            _remove_stale_parts(path)
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            tmp = Path(name)
        try:
            _write_all(fd, data)
            if sync:
                os.fsync(fd)
            os.fchmod(fd, 0o600)
            if tmp is None and not force:
                try:  # linkat(2) fails if the name was taken meanwhile: nothing is replaced
                    _link_unnamed(fd, path)
                except FileExistsError:
                    raise _exists(path) from None
                return
            if tmp is None:
                # A name for the finished file, for the instant before it replaces the target.
                tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.part"
                _link_unnamed(fd, tmp)
        finally:
            os.close(fd)
        _place(tmp, path, force)
    except OSError as exc:
        raise DeliveryError(
            _("cannot write {path}: {problem}").format(path=path, problem=exc.strerror)
        ) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


class NewFiles:
    """Many new files in one folder, each as `write_private` writes it (mode 0600, whole or not
    at all, never over a file that exists), paying per file only for the system calls that make
    it safe: the folder and /proc/self/fd are opened once, and each file is made unnamed
    (O_TMPFILE) in the folder and linked under its name (linkat(2), which fails if the name is
    taken: nothing is replaced). Nothing is flushed to disk (`sync=False`); the caller syncs once.

    Where the system has no O_TMPFILE, every write goes through `write_private`.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._dir: int | None = None
        self._proc: int | None = None
        flag = getattr(os, "O_TMPFILE", None)
        if flag is None or not os.path.isdir("/proc/self/fd"):
            return
        try:
            self._dir = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            fd = os.open(".", flag | os.O_WRONLY, 0o600, dir_fd=self._dir)
            os.close(fd)
            self._proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            self.close()  # no unnamed files here (a file system without them): write_private

    def write(self, name: str, data: bytes) -> None:
        """Write the new file `name` (a plain file name) in the folder; raises UsageProblem if
        it exists, DeliveryError when the system refuses the write."""
        if self._dir is None or self._proc is None:
            write_private(self.folder / name, data, sync=False)
            return
        try:
            fd = os.open(".", os.O_TMPFILE | os.O_WRONLY, 0o600, dir_fd=self._dir)
            try:
                _write_all(fd, data)
                os.fchmod(fd, 0o600)
                os.link(str(fd), name, src_dir_fd=self._proc, dst_dir_fd=self._dir,
                        follow_symlinks=True)  # fmt: skip
            finally:
                os.close(fd)
        except FileExistsError:
            # Taken meanwhile (or a dangling link): write_private says which, as for one file.
            write_private(self.folder / name, data, sync=False)
        except OSError as exc:
            raise DeliveryError(
                _("cannot write {path}: {problem}").format(
                    path=self.folder / name, problem=exc.strerror
                )
            ) from exc

    def close(self) -> None:
        for fd in (self._dir, self._proc):
            if fd is not None:
                os.close(fd)
        self._dir = self._proc = None
