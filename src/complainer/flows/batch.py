"""The `batch` run: a list of signers -> one varied, validated letter each, saved, in a mailbox, or sent.

Row by row: a bad row is reported (row number, column, reason) and skipped, the others are made.
The campaign is loaded once and its templates compiled once; rows are streamed, and everything
kept across rows (the variety history, the similarity window) has a fixed size, so memory does
not grow with the list. A CSV report lists every row's outcome and output.

Resuming: files that exist are kept, not rewritten; a mailbox that exists is kept; with --send,
the journal (delivery/journal.py) says which letters went out, so a re-run after a crash sends
each remaining letter once and no letter twice.

Speed: what a batch's letters share is worked out once. Phrasings that do not name the writer
are rendered once (letter.compose), each distinct header field is read back once
(formats.readback.VerifiedFields), each paragraph that recurs is shingled and hashed once
(letter.variety), and files go through one open folder (delivery.files.NewFiles).
tests/test_batch_equivalence.py checks each against the plain path it stands for;
benchmarks/bench_batch.py measures the batch against mailmerge.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import functools
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import typer

from complainer import formats
from complainer.campaigns.model import Campaign
from complainer.campaigns.registry import open_registry
from complainer.delivery import sending, smtp
from complainer.delivery.files import NewFiles, write_private
from complainer.delivery.journal import FAILED, SENDING, SENT, Journal
from complainer.delivery.mbox import MboxWriter
from complainer.errors import (
    EXIT_FAILURE,
    EXIT_OK,
    ComplainerError,
    DeliveryError,
    UsageProblem,
)
from complainer.flows.batch_settings import DEFAULT_RATE as DEFAULT_RATE
from complainer.flows.draft import campaign_notes
from complainer.formats.eml import to_eml
from complainer.formats.readback import VerifiedFields
from complainer.i18n import _, ngettext
from complainer.letter.compose import Letter, compose, phrasing_slots
from complainer.letter.request import DraftValues, build_request, normalise
from complainer.letter.signers import Row, column_field, open_text, read_rows
from complainer.letter.variety import PhrasingSpreader, SimilarityIndex, letter_overlap
from complainer.terminal import console
from complainer.terminal.progress import RowProgress
from complainer.terminal.prompts import confirm

FILE_FORMATS = ("eml", "text", "json", "pdf")
REPORT_COLUMNS = ("row", "name", "outcome", "column", "reason", "output", "similarity")
_SPREADERS = 64  # kinds of letter (language, target, points) with their own variety history


@dataclass(frozen=True)
class BatchOptions:
    """What `complainer batch` was told. `defaults` holds the flags every row starts from."""

    signers: str
    defaults: DraftValues
    out_dir: Path | None = None
    fmt: str = "eml"
    mbox: Path | None = None
    send: sending.SendOptions | None = None
    rate: float = DEFAULT_RATE
    report: Path | None = None
    journal: Path | None = None
    resend_uncertain: bool = False
    force: bool = False
    seed: int | None = None
    no_input: bool = False
    quiet: bool = False


@dataclass
class Outcome:
    row: int
    name: str
    outcome: str  # written, kept, in-mailbox, sent, already-sent, uncertain, failed
    column: str = ""
    reason: str = ""
    output: str = ""
    similarity: str = ""

    def fields(self) -> list[str]:
        return [str(self.row), self.name, self.outcome, self.column, self.reason, self.output,
                self.similarity]  # fmt: skip


@dataclass
class Tally:
    rows: int = 0
    counts: dict[str, int] = dataclasses.field(default_factory=dict)

    def add(self, outcome: str) -> None:
        self.rows += 1
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0) + self.counts.get("uncertain", 0)


def safe_stem(row: int, name: str) -> str:
    """'0007-anna-schmidt': the row number, then the name in lower case with only letters,
    digits and dashes (any script), at most 40 characters; never empty, never hidden."""
    text = unicodedata.normalize("NFKC", name).casefold()
    slug = re.sub(r"[^\w]+|_", "-", text).strip("-")[:40].strip("-")
    return f"{row:04d}-{slug or 'signer'}"


def row_key(values: DraftValues, campaign: Campaign) -> str:
    """A signer's identity in the send journal: the campaign and every value of the row."""
    fields = dataclasses.asdict(values)
    fields["campaign"] = campaign.id
    blob = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def blame(row: Row, defaults: DraftValues, campaign: Campaign, problem: ComplainerError) -> str:
    """The column a validation problem comes from: the first whose value alone fails the check."""
    for column, value in row.cells.items():
        field = column_field(column)
        if field is None or value in (None, ""):
            continue
        alone = Row(row.number, {column: value}).values(DraftValues(campaign=defaults.campaign))
        try:
            normalise(alone, campaign)
            if field == "date":
                build_request(dataclasses.replace(alone, name="x", country="DE"), campaign)
        except ComplainerError:
            return column
    return "name" if "name" in str(problem) or "--name" in str(problem) else ""


class Maker:
    """Composes each row's letter with phrasings spread across the batch, and measures variety."""

    def __init__(self, campaign: Campaign, seed: int) -> None:
        self.campaign, self.seed = campaign, seed
        self.spreaders: OrderedDict[tuple[str, ...], PhrasingSpreader] = OrderedDict()
        self.similarity = SimilarityIndex()
        # What a row asks for (language, target, points, date) -> its kind of letter; rows
        # mostly ask for the same few, and working out the points costs as much as a phrasing.
        self._kinds: dict[tuple[object, ...], tuple[str, ...]] = {}

    def letter(self, values: DraftValues) -> Letter:
        writer, request = build_request(values, self.campaign)
        asked = (request.language, request.target, _ids(request.arguments),
                 _ids(request.recommendations), request.date)  # fmt: skip
        key = self._kinds.get(asked)
        if key is None:
            slots = phrasing_slots(self.campaign, request)
            key = (request.language, request.target or "", *sorted(slots))
            if len(self._kinds) >= _SPREADERS:
                self._kinds.clear()
            self._kinds[asked] = key
        spreader = self.spreaders.get(key)
        if spreader is None:
            group_seed = int(hashlib.sha256(f"{self.seed}|{key}".encode()).hexdigest()[:8], 16)
            spreader = PhrasingSpreader(letter_overlap(self.campaign, writer, request), group_seed)
            self.spreaders[key] = spreader
            if len(self.spreaders) > _SPREADERS:
                self.spreaders.popitem(last=False)
        else:
            self.spreaders.move_to_end(key)
        request = dataclasses.replace(request, phrasings=spreader.next())
        return compose(self.campaign, writer, request)


def _ids(ids: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if ids is None else tuple(ids)


def _default_seed(campaign: Campaign, source: str) -> int:
    """Stable for the same campaign and list name, so a re-run makes the same letters."""
    name = "stdin" if source == "-" else Path(source).name
    return int(hashlib.sha256(f"{campaign.id}|{name}".encode()).hexdigest()[:8], 16)


def _check_options(opts: BatchOptions) -> None:
    if opts.out_dir is None and opts.mbox is None and opts.send is None:
        raise UsageProblem(_("say where the letters go: --out-dir DIR, --mbox FILE or --send"))
    if opts.fmt not in FILE_FORMATS or opts.fmt not in formats.FORMATS:
        usable = [f for f in FILE_FORMATS if f in formats.FORMATS]
        raise UsageProblem(
            _('--format "{format}" cannot be used for a batch; choose from: {choices}').format(
                format=opts.fmt, choices=", ".join(usable)
            )
        )
    if opts.out_dir is not None and opts.out_dir.exists() and not opts.out_dir.is_dir():
        raise UsageProblem(
            _("--out-dir {folder} is a file; give a folder").format(folder=opts.out_dir)
        )
    if opts.mbox is not None and not opts.mbox.parent.is_dir():
        raise UsageProblem(
            _("folder {folder} does not exist; create it first").format(folder=opts.mbox.parent)
        )
    if opts.send is not None and opts.signers == "-" and opts.journal is None:
        raise UsageProblem(
            _("sending a list read from stdin needs --journal FILE, to resume safely")
        )
    if opts.rate <= 0:
        raise UsageProblem(_("--rate must be more than 0 messages a minute"))


def _report_path(opts: BatchOptions) -> Path:
    if opts.report is not None:
        return opts.report
    if opts.out_dir is not None:
        return opts.out_dir / "report.csv"
    if opts.mbox is not None:
        return opts.mbox.with_name(opts.mbox.stem + ".report.csv")
    return _journal_path(opts).with_suffix(".report.csv")


def _journal_path(opts: BatchOptions) -> Path:
    if opts.journal is not None:
        return opts.journal
    return Path(opts.signers + ".sent.jsonl")


# The most of stdin a batch copies to a temporary file (--send reads the list twice: the dry
# run, then the letters): about a million signers' rows, and never a full disk. README, "Batch".
MAX_STDIN_SPOOL = 256 * 1024 * 1024  # bytes


def _spool_stdin(tmp: IO[bytes]) -> None:
    """Copy stdin into `tmp`, refusing (UsageProblem, exit 2) past MAX_STDIN_SPOOL bytes."""
    copied = 0
    while chunk := sys.stdin.buffer.read(1 << 20):
        copied += len(chunk)
        if copied > MAX_STDIN_SPOOL:
            raise UsageProblem(
                _(
                    "the list on stdin is larger than {size} MB; save it to a file and give"
                    " the file's name instead of -"
                ).format(size=MAX_STDIN_SPOOL // (1024 * 1024))
            )
        tmp.write(chunk)
    tmp.flush()


@contextlib.contextmanager
def _signers(source: str, spool: bool) -> Iterator[tuple[str, int | None]]:
    """The signers file to read (stdin copied to a temporary file when it is read twice),
    and its number of lines when cheap to know (for the progress bar)."""
    if source == "-" and spool:
        with tempfile.NamedTemporaryFile(prefix="complainer-signers-", suffix=".txt") as tmp:
            _spool_stdin(tmp)
            yield tmp.name, None
        return
    lines = None
    # Only a regular file is counted ahead: counting would drain a pipe or `<(...)` before the rows
    # are read, and never end on /dev/zero.
    if source != "-" and _is_regular(source):
        with contextlib.suppress(OSError), open(source, "rb") as fh:
            lines = max(
                0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1
            )
    yield source, lines


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _rows(path: str, display: str) -> Iterator[Row]:
    """The rows, with the header checked before this returns (before anything is written)."""
    stream: IO[str] = open_text(path)
    try:
        rows = read_rows(stream, display)
    except BaseException:
        stream.close()
        raise

    def streamed() -> Iterator[Row]:
        try:
            yield from rows
        finally:
            if path != "-":
                stream.close()

    return streamed()


def run(opts: BatchOptions, campaigns_dirs: Sequence[Path] | None) -> int:
    """Make, save and/or send the letters; the exit code (0 all rows done, 1 any failed).

    Raises UsageProblem before any work for bad options or an unreadable list or header.
    """
    _check_options(opts)
    registry = open_registry(campaigns_dirs)
    campaign = registry.load(opts.defaults.campaign or registry.default_id())
    if not opts.quiet:
        for line in campaign_notes(campaign):
            console.note(line)
    # The flags every row starts from must be valid on their own (a row cannot fix a bad flag).
    flags = dataclasses.replace(opts.defaults, campaign=campaign.id)
    normalise(dataclasses.replace(flags), campaign)
    seed = opts.seed if opts.seed is not None else _default_seed(campaign, opts.signers)
    with _signers(opts.signers, spool=opts.send is not None) as (path, lines):
        if opts.send is not None:
            return _send(opts, campaign, flags, seed, path)
        return _make(opts, campaign, flags, seed, path, lines)


class _Report:
    """The CSV report, in row order, written as rows finish (a killed run leaves the rows so
    far). A made letter's row waits for its similarity figure, final only once the letters
    after it that it may be nearest to are made (`SimilarityIndex`: at most a window later)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise UsageProblem(
                _("cannot write the report {path}: {problem}").format(
                    path=path, problem=exc.strerror
                )
            ) from None
        self._csv = csv.writer(self._fh)
        self._csv.writerow(REPORT_COLUMNS)
        self.tally = Tally()
        self._held: deque[Outcome] = deque()  # rows not written yet, in order
        self._awaiting: dict[Hashable, Outcome] = {}  # row number -> its row, awaiting its figure

    def add(self, outcome: Outcome, awaiting_similarity: bool = False) -> None:
        if awaiting_similarity:
            self._awaiting[outcome.row] = outcome
        if self._held or awaiting_similarity:
            self._held.append(outcome)
        else:
            self._csv.writerow(outcome.fields())
        self.tally.add(outcome.outcome)
        if outcome.outcome in ("failed", "uncertain"):
            if outcome.column:
                message = _("row {row}, column {column}: {reason}")
            else:
                message = _("row {row}: {reason}")
            console.warn(
                message.format(row=outcome.row, column=outcome.column, reason=outcome.reason)
            )

    def settle(self, figures: Iterable[tuple[Hashable, float | None]]) -> None:
        """Fills in the rows' final similarity figures (row number, figure or None for a letter
        with no other), and writes the rows no longer waiting."""
        for row, figure in figures:
            self._awaiting.pop(row).similarity = "" if figure is None else f"{figure:.2f}"
        while self._held and self._held[0].row not in self._awaiting:
            self._csv.writerow(self._held.popleft().fields())

    def close(self, figures: Iterable[tuple[Hashable, float | None]] = ()) -> None:
        """Settles `figures`, writes what is left (a row still awaiting its figure, as when the
        run was interrupted, without one) and closes the file."""
        if not self._fh.closed:
            self.settle(figures)
            self._awaiting.clear()
            self.settle(())
        self._fh.close()


def _validated(
    row: Row, maker: Maker, flags: DraftValues, campaign: Campaign
) -> tuple[DraftValues, Letter] | Outcome:
    name = str(row.cells.get("name") or "").strip()
    if row.problem is not None:
        return Outcome(row.number, name, "failed", row.problem[0], row.problem[1])
    values = row.values(flags)
    try:
        letter = maker.letter(values)
    except UsageProblem as exc:
        column = blame(row, flags, campaign, exc)
        reason = str(exc)
        if not (values.name or "").strip():
            column, reason = "name", _("the name is missing")
        elif not (values.country or "").strip():
            column, reason = "country", _("the country is missing")
        return Outcome(row.number, name, "failed", column, reason)
    return values, letter


def _letters(
    rows: Iterable[Row],
    maker: Maker,
    flags: DraftValues,
    campaign: Campaign,
    progress: RowProgress,
    rejected: Callable[[Outcome], object],
) -> Iterator[tuple[Row, DraftValues, Letter]]:
    """(row, values, letter) for every row that makes a letter, counting each row on `progress`;
    the outcome of a row that does not is handed to `rejected` (the report, or nothing)."""
    for row in rows:
        progress.advance()
        made = _validated(row, maker, flags, campaign)
        if isinstance(made, Outcome):
            rejected(made)
            continue
        values, letter = made
        yield row, values, letter


def _make(
    opts: BatchOptions,
    campaign: Campaign,
    flags: DraftValues,
    seed: int,
    path: str,
    lines: int | None,
) -> int:
    maker = Maker(campaign, seed)
    rows = _rows(path, opts.signers)
    mbox: MboxWriter | None = None
    mbox_kept = False
    if opts.out_dir is not None:
        try:
            opts.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageProblem(
                _("cannot create the folder {folder}: {problem}").format(
                    folder=opts.out_dir, problem=exc.strerror
                )
            ) from None
    if opts.mbox is not None:
        mbox_kept = opts.mbox.exists() and not opts.force
        if mbox_kept:
            console.note(
                _("{path} exists and is kept (--force makes it again)").format(path=opts.mbox)
            )
        else:
            mbox = MboxWriter(opts.mbox)
    report = _Report(_report_path(opts))
    extension = formats.extension_for(opts.fmt) if opts.out_dir is not None else ""
    files = NewFiles(opts.out_dir) if opts.out_dir is not None else None
    verified = VerifiedFields()  # each distinct header field read back once for the batch
    try:
        with RowProgress(_("letters"), lines, opts.quiet) as progress:
            for row, _values, letter in _letters(
                rows, maker, flags, campaign, progress, report.add
            ):
                settled = maker.similarity.add(row.number, letter.body)
                outcome = Outcome(row.number, letter.writer.name, "written")
                outputs = []
                eml = None
                if files is not None:
                    name = safe_stem(row.number, letter.writer.name) + extension
                    target = files.folder / name
                    size = _size(target)
                    if size:
                        outcome.outcome = "kept"
                    else:
                        if opts.fmt == "eml":
                            data = eml = to_eml(letter, verified=verified)
                        else:
                            data = formats.render(letter, opts.fmt)
                        if size is None:
                            files.write(name, data)
                        else:  # there, but empty: no letter made before; made again
                            write_private(target, data, force=True, sync=False)
                    outputs.append(str(target))
                if mbox is not None:
                    number = mbox.add(eml if eml is not None else to_eml(letter, verified=verified))
                    outputs.append(f"{opts.mbox}#{number}")
                    if opts.out_dir is None:
                        outcome.outcome = "in-mailbox"
                elif mbox_kept and opts.out_dir is None:
                    outcome.outcome = "kept"
                    outputs.append(str(opts.mbox))
                outcome.output = " ".join(outputs)
                report.add(outcome, awaiting_similarity=True)
                report.settle(settled)
    except BaseException:
        if mbox is not None:
            mbox.discard()
        report.close(maker.similarity.finish())
        raise
    finally:
        if files is not None:
            files.close()
    if mbox is not None:
        mbox.commit()
    if opts.out_dir is not None:
        _sync_folder(opts.out_dir)
    report.close(maker.similarity.finish())
    return _finish(report, maker, opts)


def _size(path: Path) -> int | None:
    """The size of the file at `path` (following links); None where `Path.exists` says there is
    none (no such file, a dangling or looping link)."""
    try:
        return os.stat(path).st_size
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return None
        raise


def _sync_folder(folder: Path) -> None:
    """One flush to disk for all the files written (instead of one fsync per file)."""
    os.sync()
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _outcome_count(outcome: str, n: int) -> str:
    """ "3 written" for the summary, in the interface language (the report keeps the codes)."""
    counts = {
        "written": ngettext("{n} written", "{n} written", n),
        "kept": ngettext("{n} kept", "{n} kept", n),
        "in-mailbox": ngettext("{n} in the mailbox", "{n} in the mailbox", n),
        "failed": ngettext("{n} failed", "{n} failed", n),
        "sent": ngettext("{n} sent", "{n} sent", n),
        "already-sent": ngettext("{n} sent before", "{n} sent before", n),
        "uncertain": ngettext("{n} uncertain", "{n} uncertain", n),
    }
    return counts[outcome].format(n=n) if outcome in counts else f"{n} {outcome}"


def _finish(report: _Report, maker: Maker, opts: BatchOptions) -> int:
    tally = report.tally
    parts = [_outcome_count(what, n) for what, n in sorted(tally.counts.items())]
    summary = _("{rows}: {outcomes}; report: {path}").format(
        rows=ngettext("{n} row", "{n} rows", tally.rows).format(n=tally.rows),
        outcomes=", ".join(parts) or _("nothing done"),
        path=report.path,
    )
    if not opts.quiet or tally.failed:
        console.note(summary)
    if maker.similarity.count and not opts.quiet:
        console.note(maker.similarity.summary().describe())
    return EXIT_FAILURE if tally.failed else EXIT_OK


def _send(opts: BatchOptions, campaign: Campaign, flags: DraftValues, seed: int, path: str) -> int:
    assert opts.send is not None
    settings = sending.settings(opts.send)
    can_ask = not opts.no_input and sys.stdin.isatty() and opts.signers != "-"
    if not opts.send.yes and not can_ask:
        raise UsageProblem(
            _(
                "sending asks you to confirm, and there is no terminal to ask in"
                " (or --no-input was given); add --yes to send without asking"
            )
        )
    password = sending.env_password(settings, can_ask)
    journal = Journal(_journal_path(opts))
    try:
        # The dry run: every row made once, nothing sent; the count and one sample to confirm.
        pending, sample = _dry_run(opts, campaign, flags, seed, path, journal)
        if pending and sample is not None and not (opts.quiet and opts.send.yes):
            sending.preview(sample, settings, sending.envelope(sample, opts.send.bcc_self)[1])
        console.note(
            ngettext(
                "{n} letter to send through {server}, {rate} a minute",
                "{n} letters to send through {server}, {rate} a minute",
                pending,
            ).format(n=pending, server=settings.where, rate=f"{opts.rate:g}")
        )
        if (
            pending
            and not opts.send.yes
            and not confirm(
                ngettext("Send {n} letter now?", "Send {n} letters now?", pending).format(
                    n=pending
                ),
                default=False,
            )
        ):
            raise typer.Abort()
        if pending and settings.user and password is None:
            password = sending.ask_password(settings)
        return _send_rows(opts, campaign, flags, seed, path, journal, settings, password)
    finally:
        journal.close()


def _dry_run(
    opts: BatchOptions,
    campaign: Campaign,
    flags: DraftValues,
    seed: int,
    path: str,
    journal: Journal,
) -> tuple[int, Letter | None]:
    maker = Maker(campaign, seed)
    pending, sample = 0, None
    with RowProgress(_("checking"), None, opts.quiet) as progress:
        rows = _rows(path, opts.signers)
        for _row, values, letter in _letters(
            rows, maker, flags, campaign, progress, lambda _: None
        ):
            state = journal.state(row_key(values, campaign))
            if state == SENT or (state == SENDING and not opts.resend_uncertain):
                continue
            sending.envelope(letter, opts.send.bcc_self if opts.send else False)
            pending += 1
            sample = sample or letter
    return pending, sample


def _send_rows(
    opts: BatchOptions,
    campaign: Campaign,
    flags: DraftValues,
    seed: int,
    path: str,
    journal: Journal,
    settings: smtp.SmtpSettings,
    password: str | None,
) -> int:
    assert opts.send is not None
    maker = Maker(campaign, seed)
    report = _Report(_report_path(opts))
    interval = 60.0 / opts.rate
    next_at = time.monotonic()
    try:
        with RowProgress(_("sending"), None, opts.quiet) as progress:
            rows = _rows(path, opts.signers)
            for row, values, letter in _letters(rows, maker, flags, campaign, progress, report.add):
                settled = maker.similarity.add(row.number, letter.body)
                key = row_key(values, campaign)
                to = letter.recipient.email
                outcome = Outcome(row.number, letter.writer.name, "sent", output=to)
                state = journal.state(key)
                if state == SENT:
                    outcome.outcome = "already-sent"
                elif state == SENDING and not opts.resend_uncertain:
                    outcome.outcome = "uncertain"
                    outcome.reason = _(
                        "an earlier run stopped while sending this letter; it may have gone"
                        " out. Check your sent mail, then re-run with --resend-uncertain to"
                        " send it again"
                    )
                else:
                    time.sleep(max(0.0, next_at - time.monotonic()))
                    next_at = time.monotonic() + interval
                    journal.record(key, row.number, SENDING, to)
                    try:
                        sending.deliver(
                            letter, settings, password, opts.send.bcc_self,
                            on_accepted=functools.partial(journal.record, key, row.number, SENT, to),
                        )  # fmt: skip
                    except DeliveryError as exc:
                        if journal.state(key) != SENT:
                            journal.record(key, row.number, FAILED, to)
                            outcome.outcome, outcome.reason = "failed", str(exc)
                report.add(outcome, awaiting_similarity=True)
                report.settle(settled)
    finally:
        report.close(maker.similarity.finish())
    return _finish(report, maker, opts)
