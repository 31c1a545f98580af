"""`complainer send` against a real SMTP server (aiosmtpd) on 127.0.0.1, with TLS and AUTH.

The server runs in the test process on a free port with a certificate from a CA the test makes
(trustme); `complainer` runs as a subprocess (the failure variations in-process, see conftest)
and trusts that CA through COMPLAINER_SMTP_CAFILE.
"""

from __future__ import annotations

import email
import io
import socket
import ssl
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import (
    LETTER_DATE,
    Runner,
    assert_clean_error,
    complainer_exe,
    stderr_of,
    stdout_of,
    terminal_signals,
)

USER = "anna"
PASSWORD = "correct horse battery staple"
SENDER = "anna@example.org"
MINISTRY = "k.kense@mki.gov.kz"
LETTER = ["--campaign", "kz-petition-2024", "--name", "Anna Schmidt", "--country", "DE",
          "--date", LETTER_DATE, "--lang", "en", "--no-input"]  # fmt: skip


pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning"  # the server without STARTTLS
)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    mail_options: list[str]
    content: bytes


@dataclass
class Recorder:
    """The server side: what arrived, and every login attempt."""

    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bytes]] = field(default_factory=list)
    password: str = PASSWORD

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                list(envelope.mail_options),
                envelope.original_content,
            )
        )
        return "250 OK: queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((mechanism, auth_data.login))
        ok = auth_data.login == USER.encode() and auth_data.password == self.password.encode()
        return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    port: int
    recorder: Recorder
    cafile: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def cafile(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def start(mode: str, ca: trustme.CA, cafile: Path) -> Iterator[Server]:
    """mode: "starttls", "ssl" (implicit TLS) or "plain" (a server that offers no STARTTLS)."""
    recorder = Recorder()
    port = free_port()
    kwargs: dict[str, Any] = {
        "hostname": "127.0.0.1",
        "port": port,
        "authenticator": recorder.authenticate,
        "auth_required": True,
    }
    if mode == "starttls":
        kwargs.update(tls_context=server_context(ca), require_starttls=True)
    elif mode == "ssl":
        # aiosmtpd offers AUTH over implicit TLS only when not told to require STARTTLS for it.
        kwargs.update(ssl_context=server_context(ca), auth_require_tls=False)
    else:
        kwargs.update(auth_require_tls=False)
    controller = Controller(recorder, **kwargs)
    controller.start()
    try:
        yield Server(port, recorder, cafile)
    finally:
        controller.stop()


@pytest.fixture
def server(ca: trustme.CA, cafile: Path) -> Iterator[Server]:
    yield from start("starttls", ca, cafile)


@pytest.fixture
def ssl_server(ca: trustme.CA, cafile: Path) -> Iterator[Server]:
    yield from start("ssl", ca, cafile)


@pytest.fixture
def plain_server(ca: trustme.CA, cafile: Path) -> Iterator[Server]:
    yield from start("plain", ca, cafile)


def smtp_env(server: Server, password: str = PASSWORD, trust: bool = True) -> dict[str, str]:
    env = {
        "COMPLAINER_SMTP_HOST": "127.0.0.1",
        "COMPLAINER_SMTP_PORT": str(server.port),
        "COMPLAINER_SMTP_USER": USER,
        "COMPLAINER_SMTP_PASSWORD": password,
    }
    if trust:
        env["COMPLAINER_SMTP_CAFILE"] = str(server.cafile)
    return env


def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".local" / "share" / "complainer"


def saved(tmp_path: Path, kind: str) -> list[Path]:
    folder = data_dir(tmp_path) / kind
    return sorted(folder.iterdir()) if folder.exists() else []


def assert_password_never_shown(result: Any) -> None:
    assert PASSWORD.encode() not in result.stdout + result.stderr


def assert_failed_with_draft(result: Any, tmp_path: Path, *needles: str) -> Path:
    """Exit 1, one error line saying what failed and where the draft is; the draft is there."""
    line = assert_clean_error(result, 1, *needles)
    assert_password_never_shown(result)
    [draft] = saved(tmp_path, "drafts")
    assert line.endswith(f"the letter is saved as a draft: {draft}")
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    msg = email.message_from_bytes(draft.read_bytes(), policy=policy.default)
    assert msg["X-Unsent"] == "1" and msg["To"].addresses[0].addr_spec == MINISTRY
    assert saved(tmp_path, "sent") == []
    return draft


def letter_text(run: Runner) -> str:
    result = run("draft", *LETTER, "--email", SENDER)
    assert result.returncode == 0, stderr_of(result)
    return stdout_of(result)


def test_send_over_starttls_with_auth_matches_the_saved_copy_byte_for_byte(
    run: Runner, server: Server, tmp_path: Path
) -> None:
    result = run("send", *LETTER, "--from", SENDER, "--yes", env=smtp_env(server))
    assert result.returncode == 0, stderr_of(result)
    assert result.stdout == b"", "send prints nothing unless asked to"
    assert_password_never_shown(result)

    [got] = server.recorder.received
    assert server.recorder.logins and server.recorder.logins[0][1] == USER.encode()
    assert got.mail_from == SENDER
    assert got.rcpt_tos == [MINISTRY]
    [copy] = saved(tmp_path, "sent")
    assert got.content == copy.read_bytes(), "what the server got is exactly the copy kept"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert saved(tmp_path, "drafts") == []
    err = stderr_of(result)
    assert f"sent to {MINISTRY}; a copy is in {copy}" in err

    msg = email.message_from_bytes(got.content, policy=policy.default)
    assert msg["From"].addresses[0].addr_spec == SENDER
    assert msg["From"].addresses[0].display_name == "Anna Schmidt"
    assert [a.addr_spec for a in msg["To"].addresses] == [MINISTRY]
    assert msg["Subject"] and msg["Date"] and msg["Message-ID"].endswith("@example.org>")
    for absent in ("Bcc", "Cc", "X-Unsent", "Reply-To", "Sender"):
        assert absent not in msg
    assert msg.get_content().replace("\r\n", "\n") == letter_text(run)
    # The preview on stderr shows what was sent.
    assert "To:      Ministry" in err and f"<{MINISTRY}>" in err
    assert f"Subject: {msg['Subject']}" in err
    assert f"127.0.0.1:{server.port} (STARTTLS, login {USER})" in err


def test_bcc_self_is_an_envelope_recipient_only(run: Runner, server: Server) -> None:
    result = run("send", *LETTER, "--from", SENDER, "--yes", "--bcc-self", env=smtp_env(server))
    assert result.returncode == 0, stderr_of(result)
    [got] = server.recorder.received
    assert got.rcpt_tos == [MINISTRY, SENDER]
    assert b"\r\nBcc:" not in got.content and not got.content.startswith(b"Bcc:")
    assert SENDER.encode() in got.content.split(b"\r\n\r\n")[0]  # From: only


def test_no_save_keeps_no_copy(run: Runner, server: Server, tmp_path: Path) -> None:
    result = run("send", *LETTER, "--from", SENDER, "--yes", "--no-save", env=smtp_env(server))
    assert result.returncode == 0, stderr_of(result)
    assert len(server.recorder.received) == 1
    assert saved(tmp_path, "sent") == [] and saved(tmp_path, "drafts") == []
    assert "no copy kept" in stderr_of(result)


def test_draft_send_and_flags_instead_of_env(run: Runner, server: Server, cafile: Path) -> None:
    env = {"COMPLAINER_SMTP_PASSWORD": PASSWORD}
    result = run(
        "draft", *LETTER, "--send", "--email", SENDER, "--yes", "--smtp-host", "127.0.0.1",
        "--smtp-port", str(server.port), "--smtp-user", USER, "--cafile", str(cafile), "-q",
        env=env,
    )  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert stderr_of(result) == "" or "Warning" in stderr_of(result)
    assert len(server.recorder.received) == 1


def test_implicit_tls(run: Runner, ssl_server: Server, tmp_path: Path) -> None:
    result = run(
        "send", *LETTER, "--from", SENDER, "--yes", "--tls", "ssl", env=smtp_env(ssl_server)
    )
    assert result.returncode == 0, stderr_of(result)
    [got] = ssl_server.recorder.received
    assert got.content == saved(tmp_path, "sent")[0].read_bytes()


def test_non_ascii_address_is_sent_with_smtputf8(
    run: Runner, server: Server, tmp_path: Path
) -> None:
    sender = "анна@пример.рф"
    result = run("send", *LETTER, "--from", sender, "--yes", "--lang", "ru", env=smtp_env(server))
    assert result.returncode == 0, stderr_of(result)
    [got] = server.recorder.received
    assert "SMTPUTF8" in got.mail_options
    assert got.mail_from == sender
    assert got.content == saved(tmp_path, "sent")[0].read_bytes()
    # UTF-8 headers (RFC 6532): the bytes parser would leave them in surrogate escapes.
    msg = email.message_from_string(got.content.decode("utf-8"), policy=policy.default)
    assert msg["From"].addresses[0].addr_spec == sender
    assert msg["From"].addresses[0].display_name == "Anna Schmidt"


# A password with letters outside ASCII and Latin-1: smtplib alone fails on it (UnicodeEncodeError).
UNICODE_PASSWORD = "Пароль-ßü€-日本"


def assert_no_password_character(result: Any, *files: Path) -> None:
    shown = result.stdout + result.stderr + b"".join(f.read_bytes() for f in files)
    for ch in set(UNICODE_PASSWORD) - set("-"):
        assert ch.encode() not in shown, ch


def test_non_ascii_password_logs_in_with_utf8_auth_plain(
    run: Runner, server: Server, tmp_path: Path
) -> None:
    server.recorder.password = UNICODE_PASSWORD
    result = run("send", *LETTER, "--from", SENDER, "--yes", env=smtp_env(server, UNICODE_PASSWORD))
    assert result.returncode == 0, stderr_of(result)
    assert [m for m, _ in server.recorder.logins] == ["PLAIN"]
    assert len(server.recorder.received) == 1
    assert_no_password_character(result, *saved(tmp_path, "sent"))


def test_wrong_non_ascii_password_keeps_the_draft(
    run: Runner, server: Server, tmp_path: Path
) -> None:
    result = run("send", *LETTER, "--from", SENDER, "--yes", env=smtp_env(server, UNICODE_PASSWORD))
    draft = assert_failed_with_draft(result, tmp_path, "refused the login")
    assert_no_password_character(result, draft)
    assert server.recorder.received == []


def test_wrong_password(cli: Runner, server: Server, tmp_path: Path) -> None:
    env = smtp_env(server, password="not the password")
    result = cli("send", *LETTER, "--from", SENDER, "--yes", env=env)
    assert_failed_with_draft(result, tmp_path, f"127.0.0.1:{server.port}", "refused the login")
    assert server.recorder.received == []


def test_server_down(run: Runner, server: Server, tmp_path: Path) -> None:
    closed = Server(free_port(), Recorder(), server.cafile)
    result = run("send", *LETTER, "--from", SENDER, "--yes", env=smtp_env(closed))
    assert_failed_with_draft(result, tmp_path, "cannot connect", "connection refused")


def test_server_without_starttls_gets_nothing(
    cli: Runner, plain_server: Server, tmp_path: Path
) -> None:
    result = cli("send", *LETTER, "--from", SENDER, "--yes", env=smtp_env(plain_server))
    assert_failed_with_draft(result, tmp_path, "does not offer STARTTLS", "--tls ssl")
    # Neither the password nor the letter went over the unencrypted connection.
    assert plain_server.recorder.logins == [] and plain_server.recorder.received == []


def test_untrusted_certificate(cli: Runner, server: Server, tmp_path: Path) -> None:
    result = cli("send", *LETTER, "--from", SENDER, "--yes", env=smtp_env(server, trust=False))
    assert_failed_with_draft(result, tmp_path, "TLS with", "certificate is not trusted", "--cafile")
    assert server.recorder.logins == [] and server.recorder.received == []


def test_implicit_tls_against_a_starttls_port(cli: Runner, server: Server, tmp_path: Path) -> None:
    result = cli("send", *LETTER, "--from", SENDER, "--yes", "--tls", "ssl", env=smtp_env(server))
    assert_failed_with_draft(result, tmp_path, "TLS with", "--tls")


def test_timeout(cli: Runner, server: Server, tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections (in the backlog) and never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        quiet = Server(silent.getsockname()[1], Recorder(), server.cafile)
        result = cli(
            "send", *LETTER, "--from", SENDER, "--yes", "--timeout", "1", env=smtp_env(quiet)
        )
    assert_failed_with_draft(result, tmp_path, "did not answer within 1 second")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--yes"], "--from"),
        (["--from", SENDER], "--yes"),
        (["--from", "not-an-address", "--yes"], "not valid"),
    ],
)
def test_usage_errors_send_nothing(
    cli: Runner, server: Server, tmp_path: Path, args: list[str], needle: str
) -> None:
    result = cli("send", *LETTER, *args, env=smtp_env(server))
    assert_clean_error(result, 2, needle)
    assert server.recorder.received == [] and server.recorder.logins == []
    assert not data_dir(tmp_path).exists()


def test_missing_host_and_password(cli: Runner, server: Server) -> None:
    env = smtp_env(server)
    del env["COMPLAINER_SMTP_HOST"]
    assert_clean_error(cli("send", *LETTER, "--from", SENDER, "--yes", env=env), 2, "--smtp-host")
    env = smtp_env(server)
    del env["COMPLAINER_SMTP_PASSWORD"]
    result = cli("send", *LETTER, "--from", SENDER, "--yes", env=env)
    assert_clean_error(result, 2, "COMPLAINER_SMTP_PASSWORD")


def test_there_is_no_password_flag(cli: Runner) -> None:
    result = cli("send", *LETTER, "--from", SENDER, "--yes", "--smtp-password", "x")
    assert_clean_error(result, 2, "--smtp-password")


pexpect = pytest.importorskip("pexpect")
AT_TERMINAL = [a for a in LETTER if a != "--no-input"]


def _spawn(args: list[str], env: dict[str, str], cwd: Path) -> Any:
    return pexpect.spawn(
        complainer_exe(), args, env=env, cwd=str(cwd), encoding="utf-8", timeout=30,
        dimensions=(50, 120), preexec_fn=terminal_signals,
    )  # fmt: skip


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a Unix terminal")
def test_terminal_confirms_and_asks_the_password_hidden(
    server: Server, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**clean_env, **smtp_env(server)}
    del env["COMPLAINER_SMTP_PASSWORD"]
    child = _spawn(["send", *AT_TERMINAL, "--from", SENDER], env, tmp_path)
    seen = io.StringIO()
    child.logfile_read = seen
    child.expect("Send this letter to k.kense@mki.gov.kz now")
    child.sendline("y")
    child.expect(f"Password for {USER} at 127.0.0.1: ")
    child.sendline(PASSWORD)  # the terminal does not echo it: getpass turned echo off
    index = child.expect(["a copy is in", pexpect.EOF])
    assert index == 0, seen.getvalue()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert PASSWORD not in seen.getvalue()
    assert len(server.recorder.received) == 1 and server.recorder.logins


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a Unix terminal")
def test_terminal_says_no_keeps_a_draft(
    server: Server, clean_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**clean_env, **smtp_env(server)}
    child = _spawn(["send", *AT_TERMINAL, "--from", SENDER], env, tmp_path)
    child.expect("now\\?")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    out = child.before or ""
    assert child.exitstatus == 130
    [draft] = saved(tmp_path, "drafts")
    assert f"not sent; the letter is saved as a draft: {draft}" in out.replace("\r\n", "\n")
    assert server.recorder.received == [] and server.recorder.logins == []


def test_send_with_the_pdf_attached(run: Runner, server: Server, tmp_path: Path) -> None:
    """--attach-pdf: multipart/mixed, the text letter first, then the PDF the draft carries."""
    letter = [*LETTER, "--lang", "ru", "--address", "Musterstraße 1", "--address", "10115 Berlin"]
    result = run("send", *letter, "--from", SENDER, "--yes", "--attach-pdf", env=smtp_env(server))
    assert result.returncode == 0, stderr_of(result)
    [got] = server.recorder.received
    msg = email.message_from_bytes(got.content, policy=policy.default)
    assert msg.get_content_type() == "multipart/mixed"
    text, pdf = list(msg.iter_parts())
    assert text.get_content_type() == "text/plain" and text["Content-Language"] == "ru"
    assert "Musterstraße 1" in text.get_content()
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"Письмо — Anna Schmidt — {LETTER_DATE}.pdf"
    # An unsigned PDF straight into an e-mail: still no signature, and the warning says so.
    assert "without a signature" in stderr_of(result)
    assert pdf.get_content() != b""
    printed = run("draft", *letter, "--from", SENDER, "--attach-pdf", "--out", "same.eml")
    assert printed.returncode == 0
    saved_eml = email.message_from_bytes(
        (tmp_path / "same.eml").read_bytes(), policy=policy.default
    )
    saved_text, saved_pdf = list(saved_eml.iter_parts())
    assert saved_pdf.get_content() == pdf.get_content()
    assert saved_text.get_content() == text.get_content()
