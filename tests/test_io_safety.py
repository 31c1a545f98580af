"""Files, streams and arguments: nothing but a regular file is replaced, nothing half-written is left,
and every error is one printable line (issue 10)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Runner, assert_clean_error, complainer_exe, stderr_of

from complainer.delivery.files import write_private
from complainer.errors import ComplainerError, DeliveryError, UsageProblem

pytestmark = pytest.mark.timeout(120)

LETTER = ["draft", "--campaign", "kz-petition-2024", "--name", "Anna", "--country", "DE",
          "--lang", "en", "--no-input", "--date", "2026-11-29"]  # fmt: skip


def device_copy(tmp_path: Path, name: str, major: int, minor: int) -> Path:
    path = tmp_path / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return path


def test_a_device_is_written_into_never_replaced(tmp_path: Path) -> None:
    full = device_copy(tmp_path, "full", 1, 7)  # a copy of /dev/full
    with pytest.raises(DeliveryError, match="No space left"):
        write_private(full, b"letter", force=True)
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    null = device_copy(tmp_path, "null", 1, 3)
    write_private(null, b"letter", force=True)
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_out_dev_null_force_keeps_dev_null(run: Runner) -> None:
    result = run(*LETTER, "--out", "/dev/null", "--force", "--format", "eml")
    assert result.returncode == 0, stderr_of(result)
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_out_dev_stdout_writes_into_stdout(tmp_path: Path, clean_env: dict[str, str]) -> None:
    result = subprocess.run(
        [complainer_exe(), *LETTER, "--out", "/dev/stdout", "--format", "eml"],
        stdin=subprocess.DEVNULL, capture_output=True,
        env=clean_env, cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"To: ")


def test_symlinks_and_other_nodes_are_refused(tmp_path: Path) -> None:
    (tmp_path / "real.eml").write_bytes(b"old")
    (tmp_path / "link.eml").symlink_to("real.eml")
    with pytest.raises(UsageProblem, match="symbolic link"):
        write_private(tmp_path / "link.eml", b"new", force=True)
    assert (tmp_path / "real.eml").read_bytes() == b"old"
    assert (tmp_path / "link.eml").is_symlink()
    with pytest.raises(UsageProblem, match="folder"):
        write_private(tmp_path, b"new", force=True)


def test_no_part_file_after_sigkill(tmp_path: Path) -> None:
    """The writer is killed (SIGKILL) in the middle of writing: nothing is left beside the target."""
    script = f"""
import os, signal
from pathlib import Path
import complainer.delivery.files as files
def killed(fd):
    os.kill(os.getpid(), signal.SIGKILL)
files.os.fsync = killed
files.write_private(Path({str(tmp_path / "letter.eml")!r}), b"x" * 100000)
"""
    result = subprocess.run([sys.executable, "-c", script], timeout=60, check=False)
    assert result.returncode == -9
    assert list(tmp_path.iterdir()) == []


def test_writes_are_private_and_never_over_a_file_unasked(tmp_path: Path) -> None:
    target = tmp_path / "a.eml"
    write_private(target, b"one")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(UsageProblem, match="already exists"):
        write_private(target, b"two")
    write_private(target, b"three", force=True)
    assert target.read_bytes() == b"three"
    assert [p.name for p in tmp_path.iterdir()] == ["a.eml"]


@pytest.mark.parametrize(
    ("args", "echoed"),
    [
        (["--country", "D\nE"], "D\\nE"),
        (["--lang", "\x1b]0;x\x07"], "\\x1b]0;x\\x07"),
        (["--name", "Anna\u202eBcc"], "U+202E"),
    ],
)
def test_errors_that_echo_input_are_one_printable_line(
    run: Runner, args: list[str], echoed: str
) -> None:
    base = [a for a in LETTER if a not in ("--lang", "en")]
    result = run(*base, *args)
    line = assert_clean_error(result, 2, echoed)
    assert line.isprintable()
    for shown in stderr_of(result).splitlines():
        assert shown.startswith(("Note:", "complainer: error:")), shown


def test_undecodable_argument_bytes(tmp_path: Path, clean_env: dict[str, str]) -> None:
    exe = os.fsencode(complainer_exe())
    args = [exe, *(a.encode() for a in LETTER)]
    args[args.index(b"Anna")] = b"An\xffna"
    result = subprocess.run(
        args, capture_output=True, env=clean_env, cwd=tmp_path, timeout=60, check=False
    )
    line = assert_clean_error(result, 2, "not UTF-8", "0xff")
    assert "unexpected" not in line


@pytest.mark.parametrize("command", [LETTER, ["campaigns"]])
def test_full_stdout_is_a_clean_error(
    tmp_path: Path, clean_env: dict[str, str], command: list[str]
) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run([complainer_exe(), *command], stdout=full, stderr=subprocess.PIPE,
                                env=clean_env, cwd=tmp_path, timeout=60, check=False)  # fmt: skip
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert err.strip().splitlines()[-1] == (
        "complainer: error: cannot write to standard output: No space left on device"
    )
    assert "Traceback" not in err and "unexpected" not in err and "Exception ignored" not in err


def test_campaign_id_with_a_newline_is_refused(run: Runner, tmp_path: Path) -> None:
    result = run("campaigns", "new", "ok-id\n", "--dir", str(tmp_path))
    assert_clean_error(result, 2, "ok-id\\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_note_file_with_bom_and_crlf(run: Runner, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_bytes("\ufeffMy partner and I 🏳️‍🌈 ask you to act.\r\nThank you.\r\n".encode())
    result = run(*LETTER, "--note-file", str(note))
    assert result.returncode == 0, stderr_of(result)
    assert "🏳️‍🌈 ask you to act.\nThank you." in result.stdout.decode()
    assert "\ufeff" not in result.stdout.decode()


def test_complainer_errors_have_exit_codes() -> None:
    assert ComplainerError.exit_code == 1 and UsageProblem.exit_code == 2
