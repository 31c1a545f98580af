"""Letter -> bytes: one module per output format, chosen by name or by the output file's extension.

Each format module is imported only when its format is asked for, so a text letter does not pay
for the email package.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from complainer.errors import UsageProblem

if TYPE_CHECKING:
    from complainer.letter.compose import Letter

# Format name -> (module under complainer.formats, function taking a Letter and returning bytes).
_WRITERS = {
    "text": ("text", "to_text"),
    "eml": ("eml", "to_eml"),
    "json": ("json_out", "to_json"),
    "mailto": ("mailto", "to_mailto"),
    "pdf": ("pdf", "to_pdf"),
}
FORMATS = tuple(_WRITERS)
_EXTENSIONS = {".eml": "eml", ".json": "json", ".txt": "text", ".pdf": "pdf"}
BINARY = frozenset({"pdf"})  # formats not to be written to a terminal


def format_for(fmt: str | None, out: str | None) -> str:
    """The format name: `fmt` when given, else the extension of `out` decides, else text.

    Raises UsageProblem for a name not in FORMATS.
    """
    if fmt is not None:
        if fmt not in FORMATS:
            raise UsageProblem(f'unknown format "{fmt}"; choose from: {", ".join(FORMATS)}')
        return fmt
    if out and out != "-":
        return _EXTENSIONS.get(Path(out).suffix.lower(), "text")
    return "text"


def render(letter: Letter, fmt: str) -> bytes:
    """`letter` as the bytes of format `fmt` (one of FORMATS)."""
    module, function = _WRITERS[fmt]
    writer = getattr(importlib.import_module(f"complainer.formats.{module}"), function)
    data: bytes = writer(letter)
    return data
