"""`complainer batch`: the report agrees with the outputs in every ending (done, cancelled,
failed), no report cell opens as a spreadsheet formula, --out-dir makes at most its last folder,
and letters of every format left in the folder are counted."""

from __future__ import annotations

import asyncio
import csv
import email
import json
import mailbox
import os
import re
import signal
import subprocess
import time
from email import policy
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from conftest import Runner, assert_clean_error, complainer_exe, stderr_of
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_batch import batch_in_process, read_report, signers_csv
from test_send import Recorder, Server, ca, cafile, free_port, server_context, smtp_env  # noqa: F401

from complainer.delivery.journal import SENDING, SENT
from complainer.errors import UsageProblem
from complainer.flows.batch import (
    FORMULA_STARTS,
    REPORT_COLUMNS,
    Outcome,
    _Report,
    report_cell,
    report_value,
)


def assert_report_matches_mailbox(report: Path, box: Path) -> list[dict[str, str]]:
    """Every row the report puts in the mailbox (`BOX#N`) is message N there, of that signer;
    every row it says is kept there has its message there; no other row claims the mailbox."""
    rows = read_report(report)
    messages = list(mailbox.mbox(str(box))) if box.exists() else []
    names = [
        email.message_from_bytes(m.as_bytes(), policy=policy.default)["From"]
        .addresses[0]
        .display_name
        for m in messages
    ]
    for row in rows:
        output = row["output"]
        if "#" in output:
            number = int(output.rsplit("#", 1)[1])
            assert number <= len(messages), (row, len(messages))
            assert names[number - 1] == row["name"], row
            assert row["outcome"] in ("in-mailbox", "written"), row
        elif output.endswith(box.name):
            assert row["outcome"] == "kept" and row["name"] in names, row
        else:
            assert row["outcome"] not in ("in-mailbox",), row
    return rows


def interrupted_batch(tmp_path: Path, clean_env: dict[str, str], *extra: str) -> int:
    """`complainer batch signers.csv --mbox letters.mbox` stopped by SIGINT once messages are
    being written; its exit code. Even with -q, stderr says how far it came and how to carry on."""
    part = tmp_path / "letters.mbox.part"
    cmd = [complainer_exe(), "batch", "signers.csv", "--mbox", "letters.mbox", "--lang", "en",
           "-q", *extra]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=clean_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        # The mailbox part grows past a few messages (it has a copy of the old one first).
        old = (tmp_path / "letters.mbox").stat().st_size if "--force" not in extra and (
            tmp_path / "letters.mbox").exists() else 0  # fmt: skip
        if part.exists() and part.stat().st_size > old + 100_000:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err.decode(), err
    assert not part.exists()
    assert_stopped_note(err.decode(), "letters.report.csv", "letters.mbox was left as it was")
    return proc.returncode


def assert_stopped_note(err: str, report: str, carry_on: str) -> None:
    """stderr of a batch stopped by Ctrl-C: how many rows it came to, its report, how to carry
    on, then "Cancelled." on a line of its own."""
    lines = err.strip().splitlines()
    assert lines[-1] == "Cancelled.", err
    stopped = [line for line in lines if "Stopped after" in line]
    assert len(stopped) == 1, err
    assert re.search(r"Stopped after \d+ rows?; report: ", stopped[0]), err
    assert report in stopped[0] and carry_on in stopped[0], err


def test_an_out_dir_run_stopped_by_ctrl_c_says_how_to_carry_on_and_carries_on(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    signers_csv(tmp_path / "signers.csv", 1500)
    cmd = [complainer_exe(), "batch", "signers.csv", "--out-dir", "out", "--format", "eml",
           "--lang", "en", "-q"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=clean_env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    out = tmp_path / "out"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if out.is_dir() and len(os.listdir(out)) > 20:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert_stopped_note(err.decode(), "out/report.csv",
                        "Run the same command again to carry on: the letters already in out")  # fmt: skip
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.eml")}
    assert 20 <= len(before) < 1500  # waited for 21 names: 20 letters and the report part
    again = subprocess.run(cmd, cwd=tmp_path, env=clean_env, capture_output=True, check=False)
    assert again.returncode == 0, stderr_of(again)
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("*.eml")}
    assert len(after) == 1500 and all(after[name] == ns for name, ns in before.items())
    outcomes = [row["outcome"] for row in read_report(out / "report.csv")]
    assert outcomes.count("kept") == len(before) and outcomes.count("written") == 1500 - len(before)


@pytest.mark.parametrize("before", ["none", "resumed", "forced"])
def test_a_cancelled_mbox_run_leaves_a_report_that_agrees_with_the_mailbox(
    tmp_path: Path, clean_env: dict[str, str], before: str
) -> None:
    signers_csv(tmp_path / "signers.csv", 1500)
    box, report = tmp_path / "letters.mbox", tmp_path / "letters.report.csv"
    if before != "none":
        signers_csv(tmp_path / "first.csv", 60)
        done = subprocess.run([complainer_exe(), "batch", "first.csv", "--mbox", "letters.mbox",
                               "--lang", "en", "-q", "--report", "first.report.csv"],
                              cwd=tmp_path, env=clean_env, capture_output=True, check=False)  # fmt: skip
        assert done.returncode == 0, stderr_of(done)
    old = box.read_bytes() if box.exists() else None
    code = interrupted_batch(tmp_path, clean_env, *(["--force"] if before == "forced" else []))
    assert code == 130
    assert (box.read_bytes() if box.exists() else None) == old  # left as it was
    rows = assert_report_matches_mailbox(report, box)
    unsaved = [r for r in rows if r["outcome"] == "failed"]
    assert unsaved and all("not added" in r["reason"] and not r["output"] for r in unsaved)
    kept = [r for r in rows if r["outcome"] == "kept"]
    # The first 60 signers are the same rows: kept from the old mailbox unless --force remade it.
    assert len(kept) == (60 if before == "resumed" else 0)


def test_a_failed_mbox_run_with_out_dir_reports_files_but_no_messages(
    tmp_path: Path, run: Runner
) -> None:
    signers_csv(tmp_path / "signers.csv", 8)
    made = run("batch", "signers.csv", "--out-dir", "out", "--lang", "en", "-q")
    assert made.returncode == 0, stderr_of(made)
    names = [r["output"] for r in read_report(tmp_path / "out" / "report.csv")]
    for path in (tmp_path / "out").glob("*.eml"):
        path.unlink()
    # The sixth letter's name is taken by a dangling link: the run fails there, mid-way.
    (tmp_path / names[5]).symlink_to(tmp_path / "nowhere")
    failed = run("batch", "signers.csv", "--out-dir", "out", "--mbox", "letters.mbox",
                 "--lang", "en", "-q")  # fmt: skip
    assert_clean_error(failed, 2, "symbolic link")
    assert not (tmp_path / "letters.mbox").exists()
    rows = assert_report_matches_mailbox(tmp_path / "out" / "report.csv", tmp_path / "letters.mbox")
    assert [r["outcome"] for r in rows] == ["written"] * 5
    assert all((tmp_path / r["output"]).is_file() and "not added" in r["reason"] for r in rows)


def test_a_completed_mbox_run_reports_its_messages(tmp_path: Path) -> None:
    signers = signers_csv(tmp_path / "signers.csv", 5)
    box = tmp_path / "letters.mbox"
    assert batch_in_process(signers, mbox=box) == 0
    rows = assert_report_matches_mailbox(tmp_path / "letters.report.csv", box)
    assert [r["outcome"] for r in rows] == ["in-mailbox"] * 5


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1-2", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3",
            "\tTab", "\rReturn", "'=quoted"]  # fmt: skip


def written_report(tmp_path: Path, text: str) -> list[list[str]]:
    path = tmp_path / "report.csv"
    report = _Report(path)
    report.add(Outcome(1, text, "failed", text, text, text, text))
    report.close()
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.sampled_from(FORMULAS), st.text()))
@example(text="\0")  # found by CI: Python 3.10's csv module cannot write a NUL
def test_no_report_cell_opens_as_a_formula_and_every_value_is_recovered(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    header, row = written_report(tmp_path_factory.mktemp("report"), text)
    assert header == list(REPORT_COLUMNS)
    assert not any(cell.startswith(FORMULA_STARTS) for cell in row)
    value = text.replace("\0", "\ufffd")  # a NUL cannot be written to a CSV (Python 3.10)
    assert [report_value(cell) for cell in row[1:]] == [value, "failed", value, value, value, value]
    assert report_value(report_cell(text)) == value


def test_signer_names_that_are_formulas_reach_the_report_neutralised(
    tmp_path: Path, run: Runner
) -> None:
    with open(tmp_path / "signers.csv", "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "country"])
        out.writerows([name, "DE"] for name in FORMULAS[:4])
    result = run("batch", "signers.csv", "--out-dir", "out", "--lang", "en", "-q")
    assert result.returncode in (0, 1), stderr_of(result)
    with open(tmp_path / "out" / "report.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    assert [row[1] for row in rows] == ["'" + name for name in FORMULAS[:4]]
    assert not any(cell.startswith(FORMULA_STARTS) for row in rows for cell in row)


def test_out_dir_makes_only_its_last_folder(tmp_path: Path, run: Runner) -> None:
    signers_csv(tmp_path / "signers.csv", 2)
    missing = run("batch", "signers.csv", "--out-dir", "typo/a/b", "--lang", "en")
    assert_clean_error(missing, 2, "does not exist")
    assert not (tmp_path / "typo").exists()
    made = run("batch", "signers.csv", "--out-dir", "letters", "--lang", "en", "-q")
    assert made.returncode == 0, stderr_of(made)
    assert len(list((tmp_path / "letters").glob("*.eml"))) == 2
    with pytest.raises(UsageProblem, match="does not exist"):
        batch_in_process(tmp_path / "signers.csv", out_dir=tmp_path / "x" / "y")


@pytest.mark.parametrize(("first", "then"), [("eml", "text"), ("text", "pdf"), ("json", "eml")])
def test_letters_left_in_another_format_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], first: str, then: str
) -> None:
    signers = signers_csv(tmp_path / "signers.csv", 3)
    out = tmp_path / "out"
    assert batch_in_process(signers, out_dir=out, fmt=first, quiet=True) == 0
    capsys.readouterr()
    assert batch_in_process(signers, out_dir=out, fmt=then, quiet=True) == 0
    assert "3 letters in" in capsys.readouterr().err
    # The same format again: nothing new is counted beyond the three of the first format.
    assert batch_in_process(signers, out_dir=out, fmt=then, quiet=True) == 0
    assert "3 letters in" in capsys.readouterr().err


class StallingRecorder(Recorder):
    """A server that takes the first message and holds the second one's reply back."""

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.received) == 2:
            await asyncio.sleep(20)
        return reply


def test_a_letter_cut_off_while_being_sent_is_reported_uncertain(
    ca: trustme.CA,  # noqa: F811
    cafile: Path,  # noqa: F811
    tmp_path: Path,
    clean_env: dict[str, str],
) -> None:
    recorder = StallingRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port,
                            authenticator=recorder.authenticate, auth_required=True,
                            tls_context=server_context(ca), require_starttls=True)  # fmt: skip
    controller.start()
    try:
        signers_csv(tmp_path / "signers.csv", 3)
        cmd = [complainer_exe(), "batch", "signers.csv", "--send", "--yes", "--rate", "600",
               "--lang", "en", "-q"]  # fmt: skip
        env = {**clean_env, **smtp_env(Server(port, recorder, cafile))}
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60
        while len(recorder.received) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        controller.stop()
    assert proc.returncode == 130 and "Traceback" not in err.decode(), err
    assert_stopped_note(err.decode(), "signers.csv.sent.report.csv",
                        "the journal signers.csv.sent.jsonl keeps a letter already sent")  # fmt: skip
    rows = read_report(tmp_path / "signers.csv.sent.report.csv")
    assert [r["outcome"] for r in rows] == ["sent", "uncertain"]
    assert "--resend-uncertain" in rows[1]["reason"]
    # The journal says the same: the first sent, the second cut off while sending.
    last: dict[str, str] = {}
    with open(tmp_path / "signers.csv.sent.jsonl", encoding="utf-8") as fh:
        for line in fh:
            entry = json.loads(line)
            last[entry["key"]] = entry["state"]
    assert sorted(last.values()) == sorted([SENT, SENDING])


WRITER_FLAGS = ["--name", "Anna Schmidt", "--country", "DE", "--lang", "en", "--no-input"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["draft", *WRITER_FLAGS, "--out", "letters/"], "--out letters/ names a folder"),
        (["draft", *WRITER_FLAGS, "--out", "new/"], "--out new/ names a folder"),
        (["draft", *WRITER_FLAGS, "--out", "old.eml/"], "--out old.eml/ names a folder"),
        (["draft", *WRITER_FLAGS, "--out", "new/."], "--out new/. names a folder"),
        (["draft", *WRITER_FLAGS, "--out", "letters/.."], "--out letters/.. names a folder"),
        (["draft", *WRITER_FLAGS, "--out", ""], "--out is empty"),
        (["draft", *WRITER_FLAGS, "--out", " "], "--out is empty"),
        (["batch", "signers.csv", "--lang", "en", "--mbox", "letters/"], "--mbox letters/ names"),
        (["batch", "signers.csv", "--lang", "en", "--mbox", "m/."], "--mbox m/. names a folder"),
        (["batch", "signers.csv", "--lang", "en", "--mbox", "-"], "cannot be standard output"),
        (["batch", "signers.csv", "--lang", "en", "--mbox", ""], "--mbox is empty"),
        # An empty folder is not the current folder: every letter and the report would land there.
        (["batch", "signers.csv", "--lang", "en", "--out-dir", ""], "--out-dir is empty"),
        (["batch", "signers.csv", "--lang", "en", "--out-dir", "  "], "--out-dir is empty"),
        (["batch", "signers.csv", "--lang", "en", "--out-dir", "-"], "--out-dir cannot be"),
        (["check", "--samples", ""], "--samples is empty"),
        (
            ["batch", "signers.csv", "--lang", "en", "--out-dir", "o", "--report", "r/"],
            "--report r/",
        ),
        (
            ["batch", "signers.csv", "--lang", "en", "--mbox", "m.mbox", "--report", ""],
            "--report is",
        ),
        (
            ["batch", "signers.csv", "--lang", "en", "--send", "--journal", "j/"],
            "--journal j/ names a folder",
        ),
    ],
)
def test_an_output_file_named_like_a_folder_or_empty_is_refused(
    tmp_path: Path, cli: Runner, args: list[str], needle: str
) -> None:
    # A trailing slash names a folder; Path() would drop it and write a file of that name.
    signers_csv(tmp_path / "signers.csv", 2)
    (tmp_path / "letters").mkdir()
    (tmp_path / "old.eml").write_bytes(b"kept")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert_clean_error(cli(*args), 2, needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "old.eml").read_bytes() == b"kept"
    assert not any((tmp_path / "letters").iterdir())


def test_a_slash_ended_out_is_refused_by_the_installed_command(tmp_path: Path, run: Runner) -> None:
    assert_clean_error(run("draft", *WRITER_FLAGS, "--out", "new/"), 2, "names a folder")
    assert not (tmp_path / "new").exists()
