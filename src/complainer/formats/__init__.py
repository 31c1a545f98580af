"""Letter -> bytes: one module per output format, chosen by name or by the output file's extension.

Each format module is imported only when its format is asked for, so a text letter does not pay
for the email package.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from complainer.errors import UsageProblem
from complainer.i18n import _

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


def extension_for(fmt: str) -> str:
    """The file extension of format `fmt` (".eml", ".txt"...); ".txt" for one without its own."""
    return next((ext for ext, name in _EXTENSIONS.items() if name == fmt), ".txt")


def format_for(fmt: str | None, out: str | None) -> str:
    """The format name: `fmt` (any case) when given, else the extension of `out`, else text.

    Raises UsageProblem for a name not in FORMATS, and when `fmt` and the extension of `out`
    disagree (`--format json --out letter.eml`): the file would not be what its name says.
    """
    by_extension = _EXTENSIONS.get(Path(out).suffix.lower()) if out and out != "-" else None
    if fmt is None:
        return by_extension or "text"
    name = fmt.strip().casefold()
    if name not in FORMATS:
        raise UsageProblem(
            _('unknown format "{format}"; choose from: {choices}').format(
                format=fmt, choices=", ".join(FORMATS)
            )
        )
    if by_extension is not None and by_extension != name:
        raise UsageProblem(
            _(
                "--format {format} does not match --out {path}, whose extension is for the "
                "{other} format; change one of them"
            ).format(format=name, path=out, other=by_extension)
        )
    return name


def render(letter: Letter, fmt: str) -> bytes:
    """`letter` as the bytes of format `fmt` (one of FORMATS)."""
    module, function = _WRITERS[fmt]
    writer = getattr(importlib.import_module(f"complainer.formats.{module}"), function)
    data: bytes = writer(letter)
    return data
