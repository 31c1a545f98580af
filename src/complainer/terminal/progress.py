"""Progress of a long run on stderr: a Rich progress bar in a terminal, else a line every few seconds.

stdout is never touched, so a pipe downstream sees only the product.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from complainer.i18n import format_number, ngettext
from complainer.terminal import console

LINE_EVERY = 5.0  # seconds between lines when stderr is not a terminal


class RowProgress:
    """`advance()` once per row; `total` None when the number of rows is not known in advance."""

    def __init__(self, what: str, total: int | None, quiet: bool = False) -> None:
        self.what, self.total, self.quiet = what, total, quiet
        self.done = 0
        self._bar: Progress | None = None
        self._started = self._last = time.monotonic()

    def __enter__(self) -> RowProgress:
        if not self.quiet and console.err.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console.err,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.what, total=self.total)
        return self

    def advance(self) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.advance(self._task)
            return
        now = time.monotonic()
        if not self.quiet and now - self._last >= LINE_EVERY:
            self._last = now
            rate = format_number(self.done / max(now - self._started, 1e-9))
            if self.total:
                line = ngettext(
                    "{what}: {done} of {total} row ({rate} a second)",
                    "{what}: {done} of {total} rows ({rate} a second)",
                    self.total,
                )
            else:
                line = ngettext(
                    "{what}: {done} row ({rate} a second)",
                    "{what}: {done} rows ({rate} a second)",
                    self.done,
                )
            console.err.print(
                line.format(what=self.what, done=self.done, total=self.total, rate=rate)
            )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
