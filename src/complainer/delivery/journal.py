"""The send journal of a batch: which signers' letters went out, on disk before each one goes.

One JSON object per line, appended and fsynced: {"key", "row", "state", "to", "at"}. Before a
message is handed to the server its key is marked "sending"; once the server has accepted it,
"sent"; if the server refused it, "failed". A re-run skips "sent" and retries "failed".

A "sending" entry with nothing after it means the run stopped (killed, power lost) while that
message was in flight: the server may or may not have taken it. Resending could deliver the
letter twice, not resending could drop it; the journal cannot tell which, so the batch does
neither on its own: it reports the row as uncertain and resends it only when told to
(`--resend-uncertain`), after the organiser has looked in the sent mail. The window is small:
"sent" is written as soon as the server answers the message's DATA, before the session's QUIT.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from complainer.errors import DeliveryError
from complainer.i18n import _

SENDING = "sending"
SENT = "sent"
FAILED = "failed"


class Journal:
    """An append-only journal file; `state(key)` is the last state recorded for `key`.

    Memory: the file is read line by line, and only the keys whose last state is "sent" or
    "sending" are kept, each as 16 bytes in a set (about 75 bytes a letter: 7.5 MB for 100,000
    letters sent), not the entries themselves. A "failed" letter is simply not in either set.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._sent: set[bytes] = set()
        self._sending: set[bytes] = set()
        try:
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                        self._remember(_digest(str(entry["key"])), str(entry["state"]))
                    except (ValueError, KeyError, TypeError):
                        continue  # a line cut short by a crash: the entry before it stands
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError) as exc:
            raise DeliveryError(
                _("cannot read the send journal {path}: {problem}").format(path=path, problem=exc)
            ) from exc
        # Opened (and created) by the first record, so that a run that ends before anything is
        # sent (a refused option, a cancelled prompt) leaves no empty journal behind.
        self._fd: int | None = None

    def _remember(self, digest: bytes, state: str) -> None:
        self._sent.discard(digest)
        self._sending.discard(digest)
        if state == SENT:
            self._sent.add(digest)
        elif state == SENDING:
            self._sending.add(digest)

    def state(self, key: str) -> str | None:
        """SENT, SENDING, or None (never recorded, or the last attempt failed: send it)."""
        digest = _digest(key)
        if digest in self._sent:
            return SENT
        return SENDING if digest in self._sending else None

    def record(self, key: str, row: int, state: str, to: str) -> None:
        """Append one entry and force it to disk before returning."""
        entry = {
            "key": key,
            "row": row,
            "state": state,
            "to": to,
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        data = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.write(self._fd, data)
            os.fsync(self._fd)
        except OSError as exc:
            raise DeliveryError(
                _("cannot write the send journal {path}: {problem}").format(
                    path=self.path, problem=exc.strerror
                )
            ) from exc
        self._remember(_digest(key), state)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _digest(key: str) -> bytes:
    """16 bytes for a key: its hex form read as bytes when it is one (row keys are), else a hash."""
    try:
        raw = bytes.fromhex(key)
    except ValueError:
        raw = b""
    if len(raw) != 16:
        raw = hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()
    return raw
