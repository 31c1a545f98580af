"""The `batch` run: a list of signers -> one varied, validated letter each, saved, in a mailbox, or sent.

Row by row: a bad row is reported (row number, column, reason) and skipped, the others are made.
The campaign is loaded once and its templates compiled once; rows are streamed, and everything
kept across rows (the variety history, the similarity window) has a fixed size, so memory does
not grow with the list. A CSV report lists every row's outcome and output, and agrees with the
outputs however the run ends (a mailbox not saved is not claimed); each of its cells goes through
`report_cell`, so that none opens as a spreadsheet formula (OWASP "CSV Injection").

Resuming: files that exist are kept, not rewritten; a mailbox's messages (each marked with its
row id) are kept and the rows not in it are added, the whole rebuilt under a temporary name; with --send,
the journal (delivery/journal.py) says which letters went out, so a re-run after a crash sends
each remaining letter once and no letter twice.

Speed: what a batch's letters share is worked out once. Phrasings that do not name the writer
are rendered once (letter.compose), each distinct header field is read back once
(formats.readback.VerifiedFields; a signer's plain From and the Message-ID, new in every
letter, are matched against a form proved to read back instead of parsed), each address is
validated once (letter.request), each paragraph that recurs is shingled and hashed once
(letter.variety) and encoded once (formats.eml.quoted_printable), the header fields every
message shares are built once (formats.eml), and files go through one open folder
(delivery.files.NewFiles), listed once when resuming instead of looked at name by name.
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
from complainer.delivery.mbox import MboxWriter, mailbox_row_ids, with_row_id
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
from complainer.letter.compose import Composer, Letter, phrasing_slots
from complainer.letter.request import CheckedDefaults, DraftValues, build_request, normalise
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


def safe_stem(name: str, key: str) -> str:
    """'anna-schmidt-1f3a9c0e': the name in lower case with only letters, digits and dashes (any
    script), at most 40 characters, then the first 8 digits of the row's key (`row_key`); never
    empty, never hidden.

    Named by who signs and what the letter is made of, not by the row's position: a signer
    inserted above keeps the others' names, and a letter made with other options (another
    --lang) is another file, never mistaken for the one already there.
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    slug = re.sub(r"[^\w]+|_", "-", text).strip("-")[:40].strip("-")
    return f"{slug or 'signer'}-{key[:8]}"


_MADE_NAME = re.compile(r"-[0-9a-f]{8}$")  # the end of a stem safe_stem makes


_VALUE_FIELDS = tuple(f.name for f in dataclasses.fields(DraftValues))


def row_key(values: DraftValues, campaign: Campaign) -> str:
    """A signer's identity in the send journal: the campaign and every value of the row.

    32 hex digits of SHA-256 over the values as sorted JSON (a Path as its text); the same as
    from `dataclasses.asdict`, whose deep copy is not needed for values of str, int, bool, None,
    Path and lists of str. Names a row's files and journal entries, so it must never change
    for the same row.
    """
    fields = {name: getattr(values, name) for name in _VALUE_FIELDS}
    fields["campaign"] = campaign.id
    blob = _KEY_JSON.encode(fields)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


# What json.dumps(sort_keys=True, default=str, ensure_ascii=False) builds on every call.
_KEY_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)


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
        self.composer = Composer(campaign)  # what the letters share, worked out once
        # The flags last given to `letter`, and the same checked once (CheckedDefaults).
        self._defaults: DraftValues | None = None
        self._checked: CheckedDefaults | None = None
        # What a row asks for (language, target, points, date) -> its kind of letter; rows
        # mostly ask for the same few, and working out the points costs as much as a phrasing.
        self._kinds: dict[tuple[object, ...], tuple[str, ...]] = {}

    def letter(self, values: DraftValues, defaults: DraftValues | None = None) -> Letter:
        """The letter of a row's `values`; `defaults`: the flags they started from
        (`Row.values`), whose values are checked once for the batch rather than in every row."""
        writer, request = build_request(values, self.campaign, known=self._known(defaults))
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
        request = request._replace(phrasings=spreader.next())
        return self.composer.compose(writer, request)

    def _known(self, defaults: DraftValues | None) -> CheckedDefaults | None:
        if defaults is not None and defaults is not self._defaults:
            self._defaults = defaults
            try:
                self._checked = CheckedDefaults.of(defaults, self.campaign)
            except ComplainerError:
                self._checked = None  # then each row is checked whole, and says what is wrong
        return self._checked if defaults is not None else None


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
    if (
        opts.out_dir is not None
        and not opts.out_dir.exists()
        and not opts.out_dir.absolute().parent.is_dir()
    ):
        # Only the last folder is made: a typo in a path must not scatter letters somewhere new,
        # as --mbox refuses a missing folder.
        raise UsageProblem(
            _("folder {folder} does not exist; create it first").format(
                folder=opts.out_dir.absolute().parent
            )
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
def _signers(source: str, spool: bool, count: bool = True) -> Iterator[tuple[str, int | None]]:
    """The signers file to read (stdin copied to a temporary file when it is read twice),
    and its number of rows when it can be read twice (for the progress bar) and `count` asks
    for it (not with --quiet, which shows no progress: counting reads the whole list once more)."""
    if source == "-" and spool:
        with tempfile.NamedTemporaryFile(prefix="complainer-signers-", suffix=".txt") as tmp:
            _spool_stdin(tmp)
            yield tmp.name, _count_rows(tmp.name, source) if count else None
        return
    # Only a regular file is counted ahead: counting would drain a pipe or `<(...)` before the rows
    # are read, and never end on /dev/zero.
    countable = count and source != "-" and _is_regular(source)
    yield source, _count_rows(source, source) if countable else None


def _count_rows(path: str, display: str) -> int | None:
    """The number of rows `read_rows` will give (not lines: a quoted cell may hold line breaks,
    and blank lines are no rows), or None when the file cannot be read that far."""
    try:
        with contextlib.closing(open_text(path)) as stream:
            return sum(1 for _row in read_rows(stream, display))
    except (ComplainerError, OSError, UnicodeDecodeError):
        return None


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
    _check_report(_report_path(opts), opts.force)
    shown = not opts.quiet  # the rows are counted for a progress display only
    with _signers(opts.signers, opts.send is not None, shown) as (path, total):
        if opts.send is not None:
            return _send(opts, campaign, flags, seed, path, total)
        return _make(opts, campaign, flags, seed, path, total)


def _check_report(path: Path, force: bool) -> None:
    """Refuse (UsageProblem, exit 2) to replace a file that is not a batch report, unless `force`.

    A re-run of a batch replaces its own report (a file whose first line is the report's header),
    so that re-running the same command works; anything else there is someone's file.
    """
    if force or not path.exists():
        return
    header = ",".join(REPORT_COLUMNS)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            ours = path.is_file() and fh.readline(len(header) + 2).rstrip("\r\n") == header
    except OSError:
        ours = False
    if not ours:
        raise UsageProblem(
            _(
                "{path} exists and is not a batch report; give another --report, or --force"
                " to replace it"
            ).format(path=path)
        )


# A spreadsheet (Excel, LibreOffice) reads a cell that begins with one of these as a formula
# (OWASP, "CSV Injection"); the report's cells come from the public (names, addresses, reasons).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"


def report_cell(value: str) -> str:
    """`value` as the report writes it: with a `'` before it when it begins with a formula
    character (FORMULA_STARTS, after OWASP's "CSV Injection") or with `'` itself, so that no cell
    opens as a formula and every value can be recovered (`report_value`). A NUL, which a CSV
    cannot hold (Python 3.10's csv module refuses to write it), becomes U+FFFD."""
    value = value.replace("\0", "\ufffd")
    return _ESCAPE + value if value.startswith((*FORMULA_STARTS, _ESCAPE)) else value


def report_value(cell: str) -> str:
    """The value a report cell (as read back with `csv`) stands for: one leading `'` removed."""
    return cell[1:] if cell.startswith(_ESCAPE) else cell


class _Report:
    """The CSV report, in row order, written as rows finish into `PATH.part` (0600: it holds
    names and email addresses) and moved to `path` when closed, so a reader never sees half a
    report under its name (a killed run leaves the rows so far in the part). A made letter's row
    waits for its similarity figure, final only once the letters after it that it may be nearest
    to are made (`SimilarityIndex`: at most a window later). With `path` None, rows are only
    counted and their problems said; with `warn` False, problems are only counted.

    Every cell goes through `report_cell` (`_write`), so none begins with a formula character.
    The outputs of rows held back by an outcome that is not final yet (a message in a mailbox
    that is only saved at the end, `pending`) are corrected by `close(saved=False)`: a report
    never states an outcome that did not happen."""

    def __init__(self, path: Path | None, warn: bool = True) -> None:
        self.path, self.warn = path, warn
        self.tally = Tally()
        self._fh: IO[str] | None = None
        self._held: deque[Outcome] = deque()  # rows not written yet, in order
        self._awaiting: dict[Hashable, Outcome] = {}  # row number -> its row, awaiting its figure
        if path is None:
            return
        self.part = path.with_name(path.name + ".part")
        try:
            fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            os.fchmod(fd, 0o600)  # a part left by a killed run may have other permissions
            self._fh = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise UsageProblem(
                _("cannot write the report {path}: {problem}").format(
                    path=path, problem=exc.strerror
                )
            ) from None
        self._csv = csv.writer(self._fh)
        self._write(REPORT_COLUMNS)
        self.pending: Path | None = None  # the mailbox whose new messages the rows name

    def _write(self, cells: Iterable[str]) -> None:
        """The one way a row reaches the file: each cell neutralised (`report_cell`)."""
        self._csv.writerow([report_cell(cell) for cell in cells])

    def add(self, outcome: Outcome, awaiting_similarity: bool = False) -> None:
        if self._fh is None:
            pass
        elif awaiting_similarity or self._held:
            if awaiting_similarity:
                self._awaiting[outcome.row] = outcome
            self._held.append(outcome)
        else:
            self._write(outcome.fields())
        self.tally.add(outcome.outcome)
        if outcome.outcome in ("failed", "uncertain") and self.warn:
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
            held = self._awaiting.pop(row, None)  # None: no report kept
            if held is not None:
                held.similarity = "" if figure is None else f"{figure:.2f}"
        while self._held and self._held[0].row not in self._awaiting:
            self._write(self._held.popleft().fields())

    def close(
        self, figures: Iterable[tuple[Hashable, float | None]] = (), saved: bool = True
    ) -> None:
        """Settles `figures`, writes what is left (a row still awaiting its figure, as when the
        run was interrupted, without one) and moves the report to its name.

        `saved` False (the run stopped before the mailbox `pending` was saved): each row that
        names a new message of it says instead that the message was not added (`_unsaved`); if
        that cannot be written, the part is removed rather than left claiming them.
        """
        if self._fh is None or self.path is None:
            return
        try:
            self.settle(figures)
            self._awaiting.clear()
            self.settle(())
            self._fh.close()
            self._fh = None
            if not saved and self.pending is not None:
                self._unsaved(self.pending)
            os.replace(self.part, self.path)
        except OSError as exc:
            if not saved and self.pending is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self.part)
            raise UsageProblem(
                _("cannot write the report {path}: {problem}").format(
                    path=self.path, problem=exc.strerror
                )
            ) from None
        finally:
            if self._fh is not None:
                with contextlib.suppress(OSError):
                    self._fh.close()
                self._fh = None

    def _unsaved(self, mailbox: Path) -> None:
        """Rewrite the part: a row whose output ends with a message of `mailbox` (`PATH#N`, a
        message this run added) loses it and says it was not added; its outcome becomes
        `failed`, or `kept` / `written` when its letter file is there (with --out-dir).
        Streamed, row by row (constant memory)."""
        message = re.compile(r"(?:^| )" + re.escape(str(mailbox)) + r"#[0-9]+$")
        reason = _("not added: the run stopped before the mailbox {path} was saved").format(
            path=mailbox
        )
        fd, name = tempfile.mkstemp(prefix=f".{self.part.name}.", dir=self.part.parent)
        try:
            with (
                open(fd, "w", encoding="utf-8", newline="") as out,
                open(self.part, encoding="utf-8", newline="") as written,
            ):
                self._csv = csv.writer(out)
                column = {name: i for i, name in enumerate(REPORT_COLUMNS)}
                for cells in csv.reader(written):
                    row = [report_value(cell) for cell in cells]
                    output = row[column["output"]]
                    if message.search(output):
                        row[column["output"]] = output = message.sub("", output)
                        row[column["reason"]] = reason
                        if not output:
                            row[column["outcome"]] = "failed"
                        elif row[column["outcome"]] == "in-mailbox":
                            row[column["outcome"]] = "kept"
                    self._write(row)
            os.replace(name, self.part)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise


def _validated(
    row: Row, maker: Maker, flags: DraftValues, campaign: Campaign, sending: bool = False
) -> tuple[DraftValues, Letter] | Outcome:
    name = str(row.cells.get("name") or "").strip()
    if row.problem is not None:
        return Outcome(row.number, name, "failed", row.problem[0], row.problem[1])
    values = row.values(flags)
    try:
        letter = maker.letter(values, flags)
    except UsageProblem as exc:
        column = blame(row, flags, campaign, exc)
        reason = str(exc)
        if not (values.name or "").strip():
            column, reason = "name", _("the name is missing")
        elif not (values.country or "").strip():
            column, reason = "country", _("the country is missing")
        return Outcome(row.number, name, "failed", column, reason)
    if sending and not letter.writer.email:
        # The letter is the signer's and says so in From: (RFC 5322 s. 3.6.2, its author); a row
        # without the signer's address is not sent from anyone else's, it is skipped.
        return Outcome(row.number, name, "failed", "email", _(
            "no email address: a letter is sent from its signer's own address (its From:)"
        ))  # fmt: skip
    return values, letter


def _letters(
    rows: Iterable[Row],
    maker: Maker,
    flags: DraftValues,
    campaign: Campaign,
    progress: RowProgress,
    rejected: Callable[[Outcome], object],
    sending: bool = False,
) -> Iterator[tuple[Row, DraftValues, Letter]]:
    """(row, values, letter) for every row that makes a letter, counting each row on `progress`;
    the outcome of a row that does not is handed to `rejected` (the report, or nothing)."""
    for row in rows:
        progress.advance()
        made = _validated(row, maker, flags, campaign, sending)
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
    rows_total: int | None,
) -> int:
    maker = Maker(campaign, seed)
    rows = _rows(path, opts.signers)
    mbox: MboxWriter | None = None
    in_mbox: set[str] = set()  # the row ids of the letters the mailbox holds
    used: set[str] = set()  # the row ids of this run's letters
    # The names in --out-dir when the run began; None when they cannot be listed (a folder one
    # may write in but not read), and then every file name is looked at (`_size`).
    present: set[str] | None = set()
    if opts.out_dir is not None:
        try:
            try:
                opts.out_dir.mkdir()  # its parent was checked
            except FileExistsError:
                if not opts.out_dir.is_dir():  # made a file since it was checked
                    raise
                # Resuming: one listing says which letters may be there already, so only
                # those are looked at, not every name the run makes.
                try:
                    present = set(os.listdir(opts.out_dir))
                except OSError:
                    present = None
        except OSError as exc:
            raise UsageProblem(
                _("cannot create the folder {folder}: {problem}").format(
                    folder=opts.out_dir, problem=exc.strerror
                )
            ) from None
    if opts.mbox is not None:
        # Resuming goes by what the mailbox holds (each message's row id), not by its existence:
        # its messages are kept, and the rows not in it are added after them.
        existing = None
        if opts.mbox.is_file() and not opts.force:
            existing = mailbox_row_ids(opts.mbox)
            in_mbox.update(existing)
        mbox = MboxWriter(opts.mbox, keep=None if existing is None else len(existing))
    report = _Report(_report_path(opts))
    report.pending = opts.mbox
    made: set[str] = set()  # the file names this run made or kept
    extension = formats.extension_for(opts.fmt) if opts.out_dir is not None else ""
    files = NewFiles(opts.out_dir) if opts.out_dir is not None else None
    verified = VerifiedFields()  # each distinct header field read back once for the batch
    try:
        with RowProgress(_("letters"), rows_total, opts.quiet) as progress:
            for row, values, letter in _letters(rows, maker, flags, campaign, progress, report.add):
                settled = maker.similarity.add(row.number, letter.body)
                outcome = Outcome(row.number, letter.writer.name, "written")
                outputs = []
                eml = None
                key = row_key(values, campaign)
                if files is not None:
                    name = safe_stem(letter.writer.name, key) + extension
                    target = files.folder / name
                    # A name neither there at the start nor made since is free: the write
                    # (NewFiles, linkat) still refuses it if it was taken meanwhile.
                    maybe = present is None or name in present or name in made
                    size = _size(target) if maybe else None
                    made.add(name)
                    if size:
                        outcome.outcome = "kept"
                    else:
                        if opts.fmt == "eml":
                            data = eml = to_eml(letter, verified=verified)
                        else:
                            data = formats.render(letter, opts.fmt)
                        if size is None:
                            try:
                                files.write(name, data)
                            except UsageProblem:
                                # Not listed, yet taken: made meanwhile, or a name the file
                                # system holds the same as one listed (case, Unicode form).
                                # Then as if it had been looked at before.
                                if maybe:
                                    raise
                                size = _size(target)
                                if size is None:
                                    raise
                                if size:
                                    outcome.outcome = "kept"
                                    eml = None
                                else:
                                    write_private(target, data, force=True, sync=False)
                        else:  # there, but empty: no letter made before; made again
                            write_private(target, data, force=True, sync=False)
                    outputs.append(str(target))
                if mbox is not None:
                    used.add(key)
                    if key in in_mbox:
                        outputs.append(str(opts.mbox))
                        if opts.out_dir is None:
                            outcome.outcome = "kept"
                    else:
                        message = with_row_id(
                            eml if eml is not None else to_eml(letter, verified=verified), key
                        )
                        outputs.append(f"{opts.mbox}#{mbox.add(message)}")
                        in_mbox.add(key)
                        if opts.out_dir is None or outcome.outcome == "kept":
                            outcome.outcome = "in-mailbox"
                outcome.output = " ".join(outputs)
                report.add(outcome, awaiting_similarity=True)
                report.settle(settled)
        if mbox is not None:
            mbox.commit()
    except BaseException as exc:
        # Cancelled or failed: the mailbox is left as it was, and the report says so.
        if mbox is not None:
            mbox.discard()
        # (committed: a Ctrl-C that came after the mailbox was moved into place)
        report.close(maker.similarity.finish(), saved=mbox is not None and mbox.committed)
        if isinstance(exc, KeyboardInterrupt):
            if opts.out_dir is not None:
                carry_on = _(
                    "Run the same command again to carry on: the letters already in {folder}"
                    " are kept and not made again."
                ).format(folder=opts.out_dir)
            else:
                carry_on = _(
                    "{mailbox} was left as it was; run the same command again to make the letters."
                ).format(mailbox=opts.mbox)
            _say_stopped(report, carry_on)
        raise
    finally:
        if files is not None:
            files.close()
    if mbox is not None and (stale := len(in_mbox - used)):
        console.warn(
            ngettext(
                "{n} message in {path} is not from this list and these options; --force"
                " makes the mailbox again with only this run's letters",
                "{n} messages in {path} are not from this list and these options; --force"
                " makes the mailbox again with only this run's letters",
                stale,
            ).format(n=stale, path=opts.mbox)
        )
    if opts.out_dir is not None:
        _sync_folder(opts.out_dir)
        _note_stale(opts.out_dir, made)
    report.close(maker.similarity.finish())
    return _finish(report, maker, opts)


def _note_stale(folder: Path, made: set[str]) -> None:
    """Say how many letters in `folder` this run did not make or keep: a signer no longer in the
    list, letters made with other options (another --lang, --target, date) or in another format
    (every extension of FILE_FORMATS counts, not only this run's). They are left as they are (they
    may be the organiser's), and named so that they can be told apart. A folder that cannot be
    listed (write and search permission only) has nothing to say."""
    extensions = {formats.extension_for(fmt) for fmt in FILE_FORMATS} - {""}
    try:
        names = os.listdir(folder)
    except OSError:
        return
    stale = sorted(
        name for name in names
        if (path := Path(name)).suffix in extensions and _MADE_NAME.search(path.stem)
        and name not in made
    )  # fmt: skip
    if stale:
        console.warn(
            ngettext(
                "{n} letter in {folder} is not from this list and these options (for example"
                " {file}); it is left as it is: remove it if it is out of date",
                "{n} letters in {folder} are not from this list and these options (for example"
                " {file}); they are left as they are: remove them if they are out of date",
                len(stale),
            ).format(n=len(stale), folder=folder, file=stale[0])
        )


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


def _send(
    opts: BatchOptions, campaign: Campaign, flags: DraftValues, seed: int, path: str,
    rows: int | None,
) -> int:  # fmt: skip
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
        pending, failed, sample = _dry_run(opts, campaign, flags, seed, path, journal, rows)
        if pending and sample is not None and not (opts.quiet and opts.send.yes):
            sending.preview(sample, settings, sending.envelope(sample, opts.send.bcc_self)[1])
        if failed:
            console.warn(
                ngettext(
                    "{n} row has a problem (above) and will not be sent",
                    "{n} rows have problems (above) and will not be sent",
                    failed,
                ).format(n=failed)
            )
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
        return _send_rows(opts, campaign, flags, seed, path, journal, settings, password, rows)
    finally:
        journal.close()


def _dry_run(
    opts: BatchOptions,
    campaign: Campaign,
    flags: DraftValues,
    seed: int,
    path: str,
    journal: Journal,
    total: int | None,
) -> tuple[int, int, Letter | None]:
    """(letters to send, rows that failed, a sample letter); each failed row is said on stderr."""
    maker = Maker(campaign, seed)
    pending, sample = 0, None
    failed = _Report(None)

    with RowProgress(_("checking"), total, opts.quiet) as progress:
        rows = _rows(path, opts.signers)
        for _row, values, letter in _letters(
            rows, maker, flags, campaign, progress, failed.add, sending=True
        ):
            state = journal.state(row_key(values, campaign))
            if state == SENT or (state == SENDING and not opts.resend_uncertain):
                continue
            pending += 1
            sample = sample or letter
    return pending, failed.tally.rows, sample


def _send_rows(
    opts: BatchOptions,
    campaign: Campaign,
    flags: DraftValues,
    seed: int,
    path: str,
    journal: Journal,
    settings: smtp.SmtpSettings,
    password: str | None,
    total: int | None,
) -> int:
    assert opts.send is not None
    maker = Maker(campaign, seed)
    report = _Report(_report_path(opts), warn=False)  # the dry run said each failed row
    interval = 60.0 / opts.rate
    next_at = time.monotonic()
    stopped = False
    try:
        with RowProgress(_("sending"), total, opts.quiet) as progress:
            rows = _rows(path, opts.signers)
            for row, values, letter in _letters(
                rows, maker, flags, campaign, progress, report.add, sending=True
            ):
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
                    except BaseException:
                        # Cut off mid-way (Ctrl-C): the report says what the journal says.
                        if journal.state(key) != SENT:
                            outcome.outcome = "uncertain"
                            outcome.reason = _(
                                "the run stopped while sending this letter; it may have gone"
                                " out. Check your sent mail, then re-run with --resend-uncertain"
                                " to send it again"
                            )
                        report.add(outcome, awaiting_similarity=True)
                        report.settle(settled)
                        raise
                report.add(outcome, awaiting_similarity=True)
                report.settle(settled)
    except KeyboardInterrupt:
        stopped = True
        raise
    finally:
        report.close(maker.similarity.finish())
        if stopped:
            _say_stopped(
                report,
                _(
                    "Run the same command again to carry on: the journal {journal} keeps a"
                    " letter already sent from going out twice."
                ).format(journal=journal.path),
            )
    return _finish(report, maker, opts)


def _say_stopped(report: _Report, carry_on: str) -> None:
    """After Ctrl-C: how far the run came, where its report is, and how to carry on (`carry_on`,
    which depends on the output). Said even with --quiet: the run did not finish."""
    console.note(
        ngettext(
            "Stopped after {n} row; report: {path}. {carry_on}",
            "Stopped after {n} rows; report: {path}. {carry_on}",
            report.tally.rows,
        ).format(n=report.tally.rows, path=report.path, carry_on=carry_on)
    )
