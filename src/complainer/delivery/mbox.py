"""Many letters in one mailbox file (mboxrd), as mail clients import them (Thunderbird, Apple Mail).

Each message keeps `X-Unsent: 1`, so a client that honours it opens it as a draft ready to send,
and carries `X-Complainer-Row-Id` (ROW_ID_FIELD), the batch row it was made for, so that a re-run
knows from the mailbox itself which rows are in it. The file is built as `<name>.part` (a copy of
the existing mailbox, when resuming, then the new messages) and moved into place when the batch
is done, so an interrupted run never leaves a half mailbox under the real name.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from pathlib import Path

from complainer.errors import DeliveryError, UsageProblem
from complainer.i18n import _

_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)
_LONE_CR = re.compile(rb"\r(?!\n)")  # a CR that does not end a line
ROW_ID_FIELD = "X-Complainer-Row-Id"
_ROW_ID_LINE = re.compile(rb"^" + ROW_ID_FIELD.lower().encode() + rb":[ \t]*([0-9a-f]+)[ \t]*$")


def with_row_id(message: bytes, row_id: str) -> bytes:
    """`message` with the ROW_ID_FIELD header field first (RFC 5322 s. 3.6: fields in any order)."""
    return f"{ROW_ID_FIELD}: {row_id}\r\n".encode("ascii") + message


def mailbox_row_ids(path: Path) -> list[str]:
    """The row ids (ROW_ID_FIELD) of the messages of the mbox at `path`, in order; an empty file
    is an empty mailbox.

    Read a line at a time (constant memory beside the ids). Raises UsageProblem (exit 2) when the
    file is not a mailbox (its first line is not an mbox "From " line) or holds a message without
    a row id (a mailbox this command did not make, which a re-run must not add to blindly).
    """
    ids: list[str] = []
    in_header, found = False, True
    try:
        with open(path, "rb") as fh:
            for number, line in enumerate(fh):
                if line.startswith(b"From "):
                    if not found:
                        break
                    in_header, found = True, False
                elif number == 0 and line.strip():
                    raise UsageProblem(
                        _(
                            "{path} is not a mailbox (mbox) file; give another --mbox, or --force"
                            " to replace it"
                        ).format(path=path)
                    )
                elif in_header:
                    if not line.strip():
                        in_header = False
                    elif match := _ROW_ID_LINE.match(line.rstrip(b"\r\n").lower()):
                        ids.append(match.group(1).decode("ascii"))
                        found = True
    except OSError as exc:
        raise UsageProblem(
            _("cannot read {path}: {problem}").format(path=path, problem=exc.strerror)
        ) from None
    if not found:
        raise UsageProblem(
            _(
                "{path} holds messages that complainer batch did not make (or made before it"
                " marked each row); give another --mbox, or --force to replace it"
            ).format(path=path)
        )
    return ids


def mbox_entry(message: bytes, when: float | None = None) -> bytes:
    """`message` (CRLF or LF) as one mboxrd entry: a "From " line, ">From " quoting, LF ends.

    `when` (POSIX seconds, default now) is the time in the "From " line."""
    # When every CR ends a line (as in the messages complainer makes), deleting CRs is the same
    # as replacing CRLF, and the one-byte search costs a third of the two-byte one.
    lone_cr = _LONE_CR.search(message) is not None
    body = message.replace(b"\r\n", b"\n") if lone_cr else message.replace(b"\r", b"")
    if b"From " in body:  # every line the pattern quotes holds it; the scan costs 10x the test
        body = _FROM_LINE.sub(rb">\1", body)
    if not body.endswith(b"\n"):
        body += b"\n"
    return b"".join((b"From MAILER-DAEMON ", _stamp(when), b"\n", body, b"\n"))


_last_stamp: tuple[int, bytes] = (-1, b"")  # (POSIX second, its asctime)


def _stamp(when: float | None) -> bytes:
    """asctime of `when` (now if None) in UTC, as an mbox "From " line has it; a batch adds
    many messages a second, and formats the time once for them."""
    global _last_stamp
    if when is not None:
        return time.asctime(time.gmtime(when)).encode()
    second = int(time.time())
    if _last_stamp[0] != second:
        _last_stamp = (second, time.asctime(time.gmtime(second)).encode())
    return _last_stamp[1]


_BUFFER = 1 << 20  # bytes


class MboxWriter:
    """Appends entries to `<path>.part`; `commit()` moves it to `path`, `discard()` removes it.

    With `keep` (the number of messages in it), the existing mailbox at `path` is copied into the
    part first, and the new messages come after it.
    """

    def __init__(self, path: Path, keep: int | None = None) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        if path.is_dir():
            raise DeliveryError(
                _("{path} is a folder; give a file name for the mailbox").format(path=path)
            )
        try:
            # A large buffer: a write(2) for every few hundred messages, not for every other.
            self._fh = open(self.part, "wb", buffering=_BUFFER)  # noqa: SIM115 (commit, discard)
            os.chmod(self.part, 0o600)
            if keep is not None:
                with open(path, "rb") as existing:
                    shutil.copyfileobj(existing, self._fh)
        except OSError as exc:
            raise DeliveryError(
                _("cannot write {path}: {problem}").format(path=self.part, problem=exc.strerror)
            ) from exc
        self.count = keep or 0
        self.committed = False  # True once the mailbox is in place under its name

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
            self.committed = True
        except OSError as exc:
            raise DeliveryError(
                _("cannot write {path}: {problem}").format(path=self.path, problem=exc.strerror)
            ) from exc

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # a full disk fails the last flush too
            self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.part)
