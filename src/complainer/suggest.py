"""One-line messages for a value that is not among the valid choices."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def unknown_choice(what: str, value: str, choices: Sequence[str]) -> str:
    """'unknown X "v". Did you mean "w"? Choose from: a, b, c.'"""
    close = difflib.get_close_matches(value.lower(), [c.lower() for c in choices], n=1, cutoff=0.5)
    hint = ""
    if close:
        match = next(c for c in choices if c.lower() == close[0])
        hint = f' Did you mean "{match}"?'
    listing = ", ".join(choices) if choices else "(none)"
    return f'unknown {what} "{value}".{hint} Choose from: {listing}.'
