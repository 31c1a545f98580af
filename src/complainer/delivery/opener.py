"""Open a URL or a file with the platform's own launcher (not the `webbrowser` module)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from complainer.i18n import N_, _

# A launcher that has not exited after this long is running the mail client in the foreground
# (xdg-open does that when no desktop environment hands the work over): the client is up.
WAIT_SECONDS = 5.0


# What xdg-open and xdg-email mean by their exit statuses (xdg-utils manual pages), in words.
_XDG_STATUS = {
    1: N_("the launcher was called wrongly"),
    2: N_("the file to open was not found"),
    3: N_("no default mail client is set up to open it"),
    4: N_("the program that should open it failed"),
}


@dataclass(frozen=True)
class Opened:
    """What happened: `ok`, the launcher used, and why it failed (empty when it did not)."""

    ok: bool
    launcher: str
    problem: str = ""


def launchers(target: str) -> list[str]:
    """The launcher commands to try for `target` on this system, best first."""
    if sys.platform == "darwin":
        return ["open"]
    if target.lower().startswith("mailto:"):
        return ["xdg-email", "xdg-open"]
    return ["xdg-open"]


def _last_line(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    line = lines[-1].strip() if lines else ""
    return line if len(line) <= 160 else line[:157] + "..."


def _run(path: str, command: str, target: str, wait: float) -> Opened:
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                [path, target],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # stdout carries only the product
                stderr=errors,
                start_new_session=True,  # Ctrl-C in this terminal does not close the mail client
            )
        except OSError as exc:
            return Opened(
                False,
                command,
                _("the launcher {command} could not start: {reason}").format(
                    command=command, reason=exc.strerror
                ),
            )
        try:
            code = proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return Opened(True, command)
        if code == 0:
            return Opened(True, command)
        known = _XDG_STATUS.get(code) if command.startswith("xdg-") else None
        if known is not None:
            return Opened(False, command, _(known))
        errors.seek(0)
        said = _last_line(errors.read())
        # Launchers repeat the (long) URL in their messages; then there is nothing more to say.
        if said and target not in said:
            return Opened(
                False, command, _("the system could not open it ({detail})").format(detail=said)
            )
        return Opened(False, command, _("the system could not open it"))


def open_target(target: str, wait: float = WAIT_SECONDS) -> Opened:
    """Hand `target` (a URL or a file path) to the system; a missing launcher is a failure."""
    if sys.platform == "win32":
        try:
            os.startfile(target)
        except OSError as exc:
            return Opened(
                False,
                "os.startfile",
                _("Windows could not open it: {reason}").format(reason=exc.strerror),
            )
        return Opened(True, "os.startfile")
    tried = launchers(target)
    for command in tried:
        path = shutil.which(command)
        if path:
            return _run(path, command, target, wait)
    return Opened(
        False,
        tried[0],
        _("this system has no way to open a mail client ({launchers} is not installed)").format(
            launchers=_(" or ").join(tried)
        ),
    )
