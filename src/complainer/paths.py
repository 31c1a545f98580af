"""Where the built-in campaign content lives, in every kind of install; user-given files read within bounds."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from complainer.i18n import _

_PACKAGE = Path(__file__).resolve().parent
# Folders of the user's own campaigns, os.pathsep-separated (as --campaigns-dir, repeatable).
CAMPAIGNS_DIR_ENV = "COMPLAINER_CAMPAIGNS_DIR"


def content_root() -> Path:
    """The top-level `templates/` folder.

    A wheel carries it inside the package; an editable install or a source checkout does not
    (hatchling's force-include is not applied to editable installs), so fall back to the tree.
    """
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent.parent / "templates"):
        if (candidate / "campaigns").is_dir():
            return candidate
    raise FileNotFoundError(_("the built-in campaign folder is missing from this installation"))


def builtin_campaigns_dir() -> Path:
    return content_root() / "campaigns"


class NotRegularFileError(OSError):
    """A user-given path that is a FIFO, a device or a socket: reading it may never end."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of the regular file `path` (more than `limit` means too large).

    The file is opened without blocking (so a FIFO with no writer does not hang the open) and
    checked with fstat before any byte is read: anything but a regular file raises
    NotRegularFileError (or IsADirectoryError for a folder), so `/dev/zero`, `/dev/stdin` or a
    FIFO cannot grow memory or hang. Other failures raise the OSError that `open` raises.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(errno.EINVAL, _("not a regular file"), str(path))
        return fh.read(limit + 1)
