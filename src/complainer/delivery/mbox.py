"""Many letters in one mailbox file (mboxrd), as mail clients import them (Thunderbird, Apple Mail).

Each message keeps `X-Unsent: 1`, so a client that honours it opens it as a draft ready to send.
The file is built as `<name>.part` and moved into place when the batch is done, so an
interrupted run never leaves a half mailbox under the real name.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

from complainer.errors import DeliveryError
from complainer.i18n import _

_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)


def mbox_entry(message: bytes, when: float | None = None) -> bytes:
    """`message` (CRLF or LF) as one mboxrd entry: a "From " line, ">From " quoting, LF ends."""
    body = message.replace(b"\r\n", b"\n")
    body = _FROM_LINE.sub(rb">\1", body)
    if not body.endswith(b"\n"):
        body += b"\n"
    stamp = time.asctime(time.gmtime(when)).encode()
    return b"From MAILER-DAEMON " + stamp + b"\n" + body + b"\n"


class MboxWriter:
    """Appends entries to `<path>.part`; `commit()` moves it to `path`, `discard()` removes it."""

    def __init__(self, path: Path, force: bool = False) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        if path.is_dir():
            raise DeliveryError(
                _("{path} is a folder; give a file name for the mailbox").format(path=path)
            )
        try:
            self._fh = open(self.part, "wb")  # noqa: SIM115 (closed by commit or discard)
            os.chmod(self.part, 0o600)
        except OSError as exc:
            raise DeliveryError(
                _("cannot write {path}: {problem}").format(path=self.part, problem=exc.strerror)
            ) from exc
        self.count = 0

    def add(self, message: bytes) -> int:
        """Append one message; its number in the mailbox (from 1)."""
        try:
            self._fh.write(mbox_entry(message))
        except OSError as exc:
            raise DeliveryError(
                _("cannot write {path}: {problem}").format(path=self.part, problem=exc.strerror)
            ) from exc
        self.count += 1
        return self.count

    def commit(self) -> None:
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self.part, self.path)
        except OSError as exc:
            raise DeliveryError(
                _("cannot write {path}: {problem}").format(path=self.path, problem=exc.strerror)
            ) from exc

    def discard(self) -> None:
        self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.part)
