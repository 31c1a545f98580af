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
_EXTENSIONS = {".txt": "text", ".eml": "eml", ".json": "json", ".pdf": "pdf"}
BINARY = frozenset({"pdf"})  # formats not to be written to a terminal


def extension_for(fmt: str) -> str:
    """The file extension of format `fmt` (".eml", ".txt"...); "" for one without its own
    (mailto), whose file is then named without an extension (see `format_for`)."""
    return next((ext for ext, name in _EXTENSIONS.items() if name == fmt), "")


def format_for(fmt: str | None, out: str | None) -> str:
    """The format name for a letter written to `out` (a path, "-" or None for stdout).

    The extension of `out` names the format (.txt, .eml, .json, .pdf; any case); a name without an
    extension is text. `fmt` (any case), when given, must be in FORMATS and agree with a known
    extension (`--format json --out letter.eml` is refused: the file would not be what its name
    says); with an unknown extension (`letter.md`) it decides. Without `fmt`, an unknown extension
    (`letter.docx`) is refused rather than silently written as text. Raises UsageProblem (exit 2).
    """
    suffix = Path(out).suffix.lower() if out and out != "-" else ""
    by_extension = _EXTENSIONS.get(suffix) if suffix else "text" if out and out != "-" else None
    if fmt is None:
        if suffix and by_extension is None:
            raise UsageProblem(
                _(
                    "--out {path}: complainer does not know the extension {extension}; use one of"
                    " {known} (a name without an extension is text), or give --format"
                ).format(path=out, extension=suffix, known=", ".join(_EXTENSIONS))
            )
        return by_extension or "text"
    name = fmt.strip().casefold()
    if name not in FORMATS:
        raise UsageProblem(
            _('unknown format "{format}"; choose from: {choices}').format(
                format=fmt, choices=", ".join(FORMATS)
            )
        )
    if suffix and by_extension is not None and by_extension != name:
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
