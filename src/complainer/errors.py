"""Errors the core raises; the CLI turns each into one line on stderr and its exit code."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from complainer.i18n import _

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130
# stdout was closed by its reader (`complainer campaigns | head -1`): 128 + SIGPIPE, as a shell
# reports a program that a broken pipe ended, the same for every command.
EXIT_BROKEN_PIPE = 141


class ComplainerError(Exception):
    """A problem to report to the user in one sentence."""

    exit_code = EXIT_FAILURE


class UsageProblem(ComplainerError):
    """The command line (or an answer) asks for something that cannot be done: exit 2."""

    exit_code = EXIT_USAGE


class CampaignError(ComplainerError):
    """A campaign folder is broken; the message names the file and the field."""


class DeliveryError(ComplainerError):
    """Writing, opening or sending the letter failed."""


class StdoutFailed(Exception):
    """Standard output could not be written (a full disk, /dev/full); the CLI reports it once."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


SUGGEST_CUTOFF = 0.75  # difflib ratio a choice needs to be suggested


def unknown_choice(what: str, value: str, choices: Sequence[str]) -> str:
    """'unknown X "v". Did you mean "w"? Choose from: a, b, c.' (`what` already translated)."""
    # Only a genuinely close choice is suggested (a typo: "ministy", "mpp"); two-letter codes
    # share a letter by chance ("de" and "en" are 0.5 alike), and that is no suggestion.
    close = difflib.get_close_matches(
        value.lower(), [c.lower() for c in choices], n=1, cutoff=SUGGEST_CUTOFF
    )
    listing = ", ".join(choices) if choices else "-"
    if close:
        match = next(c for c in choices if c.lower() == close[0])
        return _(
            'unknown {what} "{value}". Did you mean "{match}"? Choose from: {choices}.'
        ).format(what=what, value=value, match=match, choices=listing)
    return _('unknown {what} "{value}". Choose from: {choices}.').format(
        what=what, value=value, choices=listing
    )
