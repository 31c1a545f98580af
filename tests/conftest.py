"""Shared helpers: the tests run the installed `complainer` command, as a user would.

`run` starts the installed command in a subprocess: every feature has at least one test through
it. `cli` runs the same command line in this process (complainer.cli.main, with its stdin, stdout,
stderr, environment and working folder swapped in), for the many variations of a feature's input,
which need not pay a Python start-up each.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

LETTER_DATE = "2026-11-29"

# Runs that take minutes (a 20,000-row batch) belong to CI, as the long Hypothesis profiles do:
# .ci/run sets COMPLAINER_LONG_TESTS=1; the README's test command skips them, saying so.
long_test = pytest.mark.skipif(
    os.environ.get("COMPLAINER_LONG_TESTS") != "1",
    reason="a run of minutes; CI runs it (COMPLAINER_LONG_TESTS=1, see .ci/run)",
)


def terminal_signals() -> None:
    """For a child in a pty (pexpect's preexec_fn): Ctrl-C, Ctrl-\\ and hang-up as at a real terminal.

    A runner started in the background (`cmd &` in a script, nohup) passes SIGINT, SIGQUIT and
    SIGHUP ignored to its children, and Python then never raises KeyboardInterrupt: the Ctrl-C
    tests would wait for an exit that cannot come."""
    import signal

    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def complainer_exe() -> str:
    """The `complainer` script of the environment running the tests (the venv CI installs into)."""
    beside = Path(sys.executable).parent / ("complainer.exe" if os.name == "nt" else "complainer")
    if beside.exists():
        return str(beside)
    found = shutil.which("complainer")
    if not found:
        pytest.exit("the complainer command is not installed; run: pip install -e '.[test]'", 2)
    return found


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One complainer cache for all the tests of a worker: what it holds depends only on
    campaign files (each entry keyed by their content), never on a test's other inputs."""
    return tmp_path_factory.mktemp("complainer-cache")


@pytest.fixture
def clean_env(tmp_path: Path, shared_cache: Path) -> dict[str, str]:
    """An environment with no colour, a private HOME and no user campaign folders."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINER_", "XDG_"))}
    env.update(
        COMPLAINER_CACHE_DIR=str(shared_cache),
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        NO_COLOR="1",
        COLUMNS="100",
        LC_ALL="C.UTF-8",
        PYTHONIOENCODING="utf-8",
    )
    return env


Runner = Callable[..., subprocess.CompletedProcess[bytes]]


@pytest.fixture
def run(tmp_path: Path, clean_env: dict[str, str]) -> Runner:
    """Run `complainer ARGS` in tmp_path with stdin closed (or given bytes); 60 s at most
    unless `timeout` (seconds) says otherwise."""

    def _run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
             cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
        return subprocess.run(
            [complainer_exe(), *args],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            cwd=cwd or tmp_path,
            env={**clean_env, **(env or {})},
            timeout=timeout,
            check=False,
        )

    return _run


@pytest.fixture
def cli(tmp_path: Path, clean_env: dict[str, str]) -> Runner:
    """`complainer ARGS` as `run` runs it, with the same result, but in this process."""
    from typer.testing import CliRunner

    from complainer import i18n
    from complainer.cli import main
    from complainer.terminal import console

    def _run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
             cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
        # The variables `run` leaves out are removed here for the run, not only left unset.
        environ: dict[str, str | None] = {k: None for k in os.environ if k not in clean_env}
        environ.update({**clean_env, **(env or {})})
        saved_argv, saved_cwd = sys.argv, os.getcwd()
        code: int | str | None = 0
        with CliRunner().isolation(input=stdin or b"", env=environ) as (out, err, _):
            console.__dict__.pop("err", None)  # made again for this run's stderr and settings
            sys.argv = ["complainer", *args]
            os.chdir(cwd or tmp_path)
            try:
                main()
            except SystemExit as exc:
                code = exc.code
            finally:
                sys.stdout.flush()  # as a process's exit would
                sys.stderr.flush()
                sys.argv = saved_argv
                os.chdir(saved_cwd)
                console.__dict__.pop("err", None)
                # The catalog of this run's language (its LANGUAGE or --ui-lang) is cached: drop
                # it, so that the next test in this process speaks its own environment's language.
                i18n.set_language(None)
            stdout, stderr = out.getvalue(), err.getvalue()
        returncode = code if isinstance(code, int) else (0 if code is None else 1)
        return subprocess.CompletedProcess(["complainer", *args], returncode, stdout, stderr)

    return _run


def stderr_of(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode("utf-8")


def stdout_of(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode("utf-8")


def assert_clean_error(result: subprocess.CompletedProcess[bytes], code: int, *needles: str) -> str:
    """A failure: the exit code, one error line on stderr naming `needles`, no traceback, no stdout."""
    err = stderr_of(result)
    assert result.returncode == code, (result.returncode, err)
    assert "Traceback" not in err
    assert result.stdout == b""
    error_lines = [line for line in err.splitlines() if line.startswith("complainer: error:")]
    assert len(error_lines) == 1, err
    for needle in needles:
        assert needle in error_lines[0], (needle, error_lines[0])
    return error_lines[0]


# Hypothesis: a quick default profile for local runs, and the `ci` profile (.ci/run sets
# HYPOTHESIS_PROFILE=ci) with at least 10,000 examples per property.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("default", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
