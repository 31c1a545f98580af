"""`draft --open`: the real xdg-email/xdg-open, with a test mail client registered in a private XDG setup.

The "mail client" is a .desktop file for x-scheme-handler/mailto and message/rfc822 whose Exec is a
small script that appends its argument to a file, so each test sees exactly what the launcher handed
over: the mailto: URL, or the path of the .eml draft.
"""

from __future__ import annotations

import email
import io
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from conftest import (
    LETTER_DATE,
    Runner,
    assert_clean_error,
    complainer_exe,
    stderr_of,
    stdout_of,
    terminal_signals,
)

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xdg-utils are for Linux"),
    pytest.mark.skipif(
        shutil.which("xdg-email") is None or shutil.which("xdg-open") is None,
        reason="xdg-utils is not installed (apt-get install -y xdg-utils)",
    ),
]

PETITION = ["--campaign", "kz-petition-2024"]
ANNA = ["--name", "Anna Schmidt", "--country", "DE", "--no-input", "--date", LETTER_DATE]
# Variables through which a real desktop session would route the launchers elsewhere.
DESKTOP_VARS = (
    "DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "DESKTOP_SESSION", "BROWSER",
    "MAILER", "KDE_FULL_SESSION", "KDE_SESSION_VERSION", "GNOME_DESKTOP_SESSION_ID",
    "MATE_DESKTOP_SESSION_ID", "LXQT_SESSION_CONFIG", "GIO_LAUNCHED_DESKTOP_FILE",
)  # fmt: skip


@dataclass
class Desktop:
    env: dict[str, str]
    received: Path
    data_home: Path

    def calls(self) -> list[str]:
        if not self.received.exists():
            return []
        return self.received.read_text(encoding="utf-8").splitlines()

    def drafts(self) -> list[Path]:
        folder = self.data_home / "complainer" / "drafts"
        return sorted(folder.iterdir()) if folder.exists() else []


def _headless(clean_env: dict[str, str], home: Path) -> dict[str, str]:
    env = {k: v for k, v in clean_env.items() if k not in DESKTOP_VARS}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),  # its mimeapps.list comes before the system's
    )
    return env


@pytest.fixture
def desktop(tmp_path: Path, clean_env: dict[str, str]) -> Desktop:
    """A display (as far as xdg-utils can tell) with the recording mail client as the default."""
    home = tmp_path / "desk"
    apps = home / "data" / "applications"
    apps.mkdir(parents=True)
    (home / "config").mkdir()
    received = home / "received.txt"
    client = home / "record-mail"
    client.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{received}"\n', encoding="utf-8")
    client.chmod(0o755)
    (apps / "complainer-test-mail.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Recording mail client\n"
        f"Exec={client} %u\nMimeType=x-scheme-handler/mailto;message/rfc822;\nNoDisplay=true\n",
        encoding="utf-8",
    )
    (home / "config" / "mimeapps.list").write_text(
        "[Default Applications]\n"
        "x-scheme-handler/mailto=complainer-test-mail.desktop\n"
        "message/rfc822=complainer-test-mail.desktop\n",
        encoding="utf-8",
    )
    env = _headless(clean_env, home)
    # xdg-utils use the handlers only when they see a display; nothing connects to it here.
    env["DISPLAY"] = ":737"
    return Desktop(env, received, home / "data")


@pytest.fixture
def no_desktop(tmp_path: Path, clean_env: dict[str, str]) -> Desktop:
    """No display and no mail client: xdg-email and xdg-open exist but cannot open anything."""
    home = tmp_path / "bare"
    home.mkdir()
    return Desktop(_headless(clean_env, home), home / "received.txt", home / "data")


def eml_mime_type_known(env: dict[str, str], tmp_path: Path) -> bool:
    sample = tmp_path / "sample.eml"
    sample.write_bytes(b"From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\nx\r\n")
    found = subprocess.run(
        ["xdg-mime", "query", "filetype", str(sample)], env=env, capture_output=True, check=False
    )
    return found.stdout.decode().strip().startswith("message/rfc822")


def letter_text(run: Runner, *args: str) -> str:
    result = run("draft", *PETITION, *ANNA, *args)
    assert result.returncode == 0, stderr_of(result)
    return stdout_of(result)


def test_short_letter_opens_as_mailto_through_xdg_email(run: Runner, desktop: Desktop) -> None:
    args = ("-t", "activists", "--lang", "en")  # a short letter: its link fits the default limit
    url = letter_text(run, *args, "--format", "mailto").rstrip("\n")
    assert len(url) < 2000
    result = run("draft", *PETITION, *ANNA, *args, "--open", env=desktop.env)
    assert result.returncode == 0, stderr_of(result)
    assert result.stdout == b"", "--open alone prints nothing"
    assert desktop.calls() == [url], "the mail client got the URL, unchanged"
    assert "opened a new message to gbrhrkz@gmail.com" in stderr_of(result)
    assert "xdg-email" in stderr_of(result)
    assert desktop.drafts() == [], "no draft is kept when the link opened"


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_mailto_limit_decides_between_link_and_draft(
    run: Runner, cli: Runner, desktop: Desktop, tmp_path: Path, lang: str
) -> None:
    runner = run if lang == "en" else cli  # one language through the installed command
    url = letter_text(cli, "--lang", lang, "--format", "mailto").rstrip("\n")
    result = runner(
        "draft", *PETITION, *ANNA, "--lang", lang, "--open", "--mailto-limit", str(len(url)),
        env=desktop.env,
    )  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert desktop.calls() == [url]

    if not eml_mime_type_known(desktop.env, tmp_path):
        pytest.skip("xdg-mime cannot tell an .eml file's type here (install file or mimetype)")
    result = runner(
        "draft", *PETITION, *ANNA, "--lang", lang, "--open", "--mailto-limit", str(len(url) - 1),
        env=desktop.env,
    )  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert result.stdout == b""
    [draft] = desktop.drafts()
    assert desktop.calls() == [url, str(draft)], "the mail client got the draft instead"
    err = stderr_of(result)
    assert f"({len(url)} characters; the safe limit is {len(url) - 1})" in err
    assert str(draft) in err and "opened the draft in your mail client" in err
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    msg = email.message_from_bytes(draft.read_bytes(), policy=policy.default)
    assert msg["X-Unsent"] == "1"
    assert msg["To"].addresses[0].addr_spec == "k.kense@mki.gov.kz"
    assert msg.get_content().replace("\r\n", "\n") == letter_text(cli, "--lang", lang)


def test_long_letter_takes_the_eml_fallback_by_default(
    run: Runner, desktop: Desktop, tmp_path: Path
) -> None:
    if not eml_mime_type_known(desktop.env, tmp_path):
        pytest.skip("xdg-mime cannot tell an .eml file's type here (install file or mimetype)")
    result = run("draft", *PETITION, *ANNA, "--lang", "ru", "--open", env=desktop.env)
    assert result.returncode == 0, stderr_of(result)
    assert "the safe limit is 2000" in stderr_of(result)
    [draft] = desktop.drafts()
    assert desktop.calls() == [str(draft)]
    # The environment variable moves the limit: the same letter goes as a link.
    env = {**desktop.env, "COMPLAINER_MAILTO_LIMIT": "100000"}
    result = run("draft", *PETITION, *ANNA, "--lang", "ru", "--open", env=env)
    assert result.returncode == 0, stderr_of(result)
    assert desktop.calls()[-1].startswith("mailto:k.kense@mki.gov.kz?subject=")


def test_open_with_format_also_prints(run: Runner, desktop: Desktop) -> None:
    args = ("-t", "activists", "--lang", "en", "--format", "mailto")
    result = run("draft", *PETITION, *ANNA, *args, "--open", env=desktop.env)
    assert result.returncode == 0, stderr_of(result)
    assert stdout_of(result).rstrip("\n") == desktop.calls()[0]


def test_nothing_opens_says_where_the_letter_is(
    run: Runner, cli: Runner, no_desktop: Desktop
) -> None:
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "--open", "--mailto-limit", "100000",
                 env=no_desktop.env)  # fmt: skip
    # README, exit codes: a delivery that failed is 1, with one line that says what to do.
    eml, txt = no_desktop.drafts()
    line = assert_clean_error(
        result, 1, "could not open a mail client", str(eml), str(txt), "webmail"
    )
    # The launcher's failure in words, not its exit status.
    assert "exited with status" not in stderr_of(result)
    assert "no default mail client is set up" in line or "could not open it" in line
    assert eml.suffix == ".eml" and txt == eml.with_suffix(".txt")
    assert txt.read_text(encoding="utf-8") == letter_text(cli, "--lang", "en")
    for path in (eml, txt):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_missing_launcher_counts_as_failure(
    run: Runner, no_desktop: Desktop, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {**no_desktop.env, "PATH": str(empty)}
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "--open", env=env)
    assert_clean_error(result, 1, "no way to open a mail client (xdg-open is not installed)")
    assert "too long for a mailto: link" in stderr_of(result)
    assert len(no_desktop.drafts()) == 2


def test_open_and_send_together_is_a_usage_error(cli: Runner) -> None:
    result = cli("draft", *PETITION, *ANNA, "--open", "--send")
    assert_clean_error(result, 2, "--open or --send")


def _wizard_opens(desktop: Desktop, tmp_path: Path, *extra: str) -> str:
    """Run the interactive draft in a terminal, answer the one question left, choose "m"."""
    pexpect = pytest.importorskip("pexpect")
    args = [
        "draft", *PETITION, "-t", "activists", "--lang", "en", "--date", LETTER_DATE,
        "--country", "DE", "--email", "anna@example.org", "--city", "Berlin",
        "--organisation", "", "--note", "", *extra,
    ]  # fmt: skip
    env = {**desktop.env, "COLUMNS": "80", "LINES": "50", "TERM": "xterm"}
    child = pexpect.spawn(
        complainer_exe(), args, cwd=str(tmp_path), env=env, encoding="utf-8", timeout=30,
        dimensions=(50, 80), preexec_fn=terminal_signals,
    )  # fmt: skip
    child.logfile_read = io.StringIO()
    child.expect_exact("Name: ")
    child.sendline("Anna Schmidt")
    child.expect_exact("open it in your mail client")
    child.expect_exact("Choice (")
    child.sendline("m")
    child.expect(pexpect.EOF)
    child.close()
    shown = " ".join(str(child.logfile_read.getvalue()).split())
    assert child.exitstatus == 0, shown
    return shown


def test_wizard_action_opens_the_mail_client(run: Runner, desktop: Desktop, tmp_path: Path) -> None:
    shown = _wizard_opens(desktop, tmp_path)
    url = letter_text(
        run, "-t", "activists", "--lang", "en", "--email", "anna@example.org", "--city", "Berlin",
        "--format", "mailto",
    ).rstrip("\n")  # fmt: skip
    assert desktop.calls() == [url], "the same letter as from flags, as a mailto: link"
    assert "opened a new message to gbrhrkz@gmail.com" in shown

    if not eml_mime_type_known(desktop.env, tmp_path):
        pytest.skip("xdg-mime cannot tell an .eml file's type here (install file or mimetype)")
    shown = _wizard_opens(desktop, tmp_path, "--mailto-limit", "100")
    [draft] = desktop.drafts()
    assert desktop.calls() == [url, str(draft)], "--mailto-limit reaches the wizard's action"
    assert "the safe limit is 100" in shown
