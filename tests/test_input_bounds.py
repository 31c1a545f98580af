"""User-given input files are read within a bound, and only when they are regular files (issue 10).

`/dev/zero`, a FIFO with no writer or a huge sparse file given as a note, a signature image, a
PKCS#12 file or a CA file must end in a one-line error at once: each test has a timeout, so a
regression (reading without end, or hanging on the FIFO) fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Runner, assert_clean_error

from complainer.delivery.signing import MAX_P12_FILE, load_signer
from complainer.delivery.smtp import MAX_CA_FILE, SmtpFailure, tls_context
from complainer.errors import UsageProblem
from complainer.letter.formal import MAX_SIGNATURE_IMAGE, read_signature_image
from complainer.letter.request import NOTE_READ_LIMIT
from complainer.letter.signers import MAX_SIGNER_LINE, open_text, read_rows
from complainer.paths import NotRegularFileError, read_regular_file
from complainer.terminal.prompts import edit_text

pytestmark = pytest.mark.timeout(90)  # a hang, not a slow shared machine

LETTER = ["draft", "--campaign", "kz-petition-2024", "--name", "Anna", "--country", "DE",
          "--lang", "en", "--no-input", "--date", "2026-11-29"]  # fmt: skip
ADDRESS = ["--address", "Hauptstr. 1", "--address", "10115 Berlin"]


def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def sparse(tmp_path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space (reading it whole takes seconds and gigabytes)."""
    path = tmp_path / "sparse"
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def test_read_regular_file_reads_at_most_one_byte_past_the_limit(tmp_path: Path) -> None:
    assert read_regular_file(sparse(tmp_path, 3 << 30), 10) == b"\0" * 11
    small = tmp_path / "small"
    small.write_bytes(b"abc")
    assert read_regular_file(small, 3) == b"abc"


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "dev-stdin"])
def test_read_regular_file_refuses_other_nodes(tmp_path: Path, kind: str) -> None:
    path = {"dev-zero": Path("/dev/zero"), "fifo": fifo(tmp_path), "dev-stdin": Path("/dev/stdin")}[
        kind
    ]
    if kind == "dev-stdin" and not path.exists():
        pytest.skip("no /dev/stdin here")
    with pytest.raises(OSError) as caught:
        read_regular_file(path, 10)
    if kind != "dev-stdin":  # /dev/stdin is whatever pytest's stdin is
        assert isinstance(caught.value, NotRegularFileError)
        assert "not a regular file" in str(caught.value.strerror)
    with pytest.raises(IsADirectoryError):
        read_regular_file(tmp_path, 10)


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_note_file_that_is_not_a_regular_file(run: Runner, tmp_path: Path, kind: str) -> None:
    path = "/dev/zero" if kind == "dev-zero" else str(fifo(tmp_path))
    result = run(*LETTER, "--note-file", path, "--out", "l.eml")
    assert_clean_error(result, 2, "not a regular file")
    assert not (tmp_path / "l.eml").exists()


def test_huge_note_file_is_refused_without_reading_it(run: Runner, tmp_path: Path) -> None:
    result = run(*LETTER, "--note-file", str(sparse(tmp_path, 3 << 30)))
    assert_clean_error(result, 2, "longer than 4000 characters")


def test_note_file_just_within_the_read_bound_is_judged_by_characters(
    run: Runner, tmp_path: Path
) -> None:
    # 4000 four-byte characters: 16,000 bytes, within NOTE_READ_LIMIT, and a note of exactly the limit.
    note = tmp_path / "note.txt"
    note.write_text("\U0001f3f3" * 4000, encoding="utf-8")
    assert note.stat().st_size <= NOTE_READ_LIMIT
    result = run(*LETTER, "--note-file", str(note), "--format", "text")
    assert result.returncode == 0, result.stderr
    note.write_text("\U0001f3f3" * 4001, encoding="utf-8")
    assert_clean_error(run(*LETTER, "--note-file", str(note)), 2, "longer than 4000")


def test_endless_note_on_stdin_is_read_within_the_bound(run: Runner) -> None:
    result = run(*LETTER, "--note-file", "-", stdin=b"a" * (NOTE_READ_LIMIT * 50))
    assert_clean_error(result, 2, "longer than 4000 characters")


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "sparse"])
def test_signature_image_bounds(run: Runner, tmp_path: Path, kind: str) -> None:
    path = {
        "dev-zero": lambda: Path("/dev/zero"),
        "fifo": lambda: fifo(tmp_path),
        "sparse": lambda: sparse(tmp_path, 3 << 30),
    }[kind]()
    needle = "larger than 5 MB" if kind == "sparse" else "not a regular file"
    result = run(*LETTER, *ADDRESS, "--signature-image", str(path), "--out", "s.pdf")
    assert_clean_error(result, 2, needle)
    assert not (tmp_path / "s.pdf").exists()
    with pytest.raises(UsageProblem, match=needle):
        read_signature_image(path)
    assert MAX_SIGNATURE_IMAGE < 3 << 30


@pytest.mark.parametrize(
    ("reader", "failure", "limit"),
    [
        (lambda p: load_signer(p, b"pw"), UsageProblem, MAX_P12_FILE),
        (tls_context, SmtpFailure, MAX_CA_FILE),
    ],
    ids=["p12", "cafile"],
)
def test_certificate_files_are_bounded(
    tmp_path: Path, reader: Callable[[Path], object], failure: type[Exception], limit: int
) -> None:
    for path in (Path("/dev/zero"), fifo(tmp_path)):
        with pytest.raises(failure, match="not a regular file"):
            reader(path)
    with pytest.raises(failure, match=f"larger than {limit // 1_000_000} MB"):
        reader(sparse(tmp_path, 3 << 30))


def test_signers_file_without_line_ends_is_refused_at_the_line_bound(run: Runner) -> None:
    result = run("batch", "/dev/zero", "--out-dir", "out")
    assert_clean_error(result, 2, "line longer than 1,000,000 characters")


def test_signers_lines_are_bounded_after_the_header_too(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("name,country\nAnna,DE\n" + "x" * (MAX_SIGNER_LINE + 10) + "\n")
    stream = open_text(str(path))
    with stream, pytest.raises(UsageProblem, match="line longer than"):
        list(read_rows(stream, str(path)))


def test_signers_from_a_pipe_are_read_once(run: Runner, tmp_path: Path) -> None:
    """`batch <(...)`: the pipe is streamed, not drained first to count its lines."""
    pipe = fifo(tmp_path)

    def feed() -> None:
        with pipe.open("w", encoding="utf-8") as fh:
            fh.write("name,country\nAnna Schmidt,DE\nJonas Berg,SE\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = run("batch", str(pipe), "--out-dir", "out", "--format", "text", "--lang", "en")
    writer.join(5)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name[: -len("-12345678.txt")] for p in (tmp_path / "out").glob("*.txt")) == [
        "anna-schmidt", "jonas-berg",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("saves", "said"),
    [
        ("printf '\\377\\376bad' > \"$1\"", "not UTF-8"),
        ("head -c 20000 /dev/zero | tr '\\0' x > \"$1\"", "longer than 4000 characters"),
        ('rm "$1"; mkfifo "$1"', "cannot be read (not a regular file)"),
        ("printf 'Grüße aus Berlin' > \"$1\"", None),
    ],
    ids=["not-utf8", "too-long", "fifo", "good"],
)
def test_the_note_written_in_an_editor_is_read_within_bounds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    saves: str,
    said: str | None,
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\n{saves}\n")
    editor.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(editor))
    written = edit_text("")
    if said is None:
        assert written == "Grüße aus Berlin"
    else:
        assert written is None
        assert said in capfd.readouterr().err
