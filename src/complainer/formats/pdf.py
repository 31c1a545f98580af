"""The letter as an A4 PDF to print, sign or attach: real text in an embedded subset font.

The layout comes from the campaign: the letter's `{% block %}`s (compose.Block) in the order the
text has them, each set as the language's `[page]` table says (the right half of the page for
the addressee and sender of Russian and Kazakh letters; the sender first in English). The text
of the PDF is the text letter, line for line, so a PDF text extractor gives back the text letter
(up to line breaks). Only a drawn line for signing by hand, a signature image and, on letters
longer than one page, page numbers are added.

The font is DejaVu Sans, shipped in `fonts/` with its licence (never a font of this machine);
fpdf2 and the font are loaded only here, when a PDF is asked for. The same letter always gives
the same bytes: the creation date is the letter's date and the file identifier is a hash of the
content, so an attached PDF equals the one saved with --out.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from complainer.errors import UsageProblem
from complainer.letter.compose import SIGNATURE_BLOCK, Letter

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
FAMILY = "DejaVuSans"

# Millimetres (A4 is 210 x 297) and points.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 22.0, 15.0, 15.0, 15.0
# A letter is set in the first of these sizes (points) that fits it on one page; a letter that
# does not fit in the smallest is set in the first, on numbered pages.
FONT_SIZES = (9.5, 9.0, 8.5)
LINE_PER_POINT = 0.43  # line height in mm per point of font size
PARAGRAPH_GAP = 1.8  # between paragraphs inside a block, and per line of a block's space_after
SIGNATURE_HEIGHT = 15.0  # the room left above the printed name for a signature
SIGNATURE_MAX_WIDTH = 60.0
SIGN_LINE_WIDTH = 60.0

_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def attachment_name(letter: Letter) -> str:
    """The PDF's file name when attached to an e-mail, from the language's `[page].attachment`."""
    name = letter.page.attachment.format(name=letter.writer.name, date=letter.date.isoformat())
    name = " ".join(_UNSAFE_FILE_CHARS.sub(" ", name).split()).strip(" .")
    return f"{name or 'letter'}.pdf"


@functools.cache
def _font_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # fpdf2's own dependency

    return frozenset(TTFont(str(FONT_FILES[""]), lazy=True).getBestCmap())


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` that the shipped font cannot draw (line breaks aside)."""
    cmap = _font_codepoints()
    return sorted({ch for ch in text if ch not in "\n\r\t" and ord(ch) not in cmap})


def _new_pdf(letter: Letter, numbered: bool, size: float) -> FPDF:
    from fpdf import FPDF

    label = letter.page.page_label

    class _Letter(FPDF):
        def footer(self) -> None:
            if not numbered:
                return
            self.set_y(-MARGIN_BOTTOM + 5)
            self.set_font(FAMILY, "", size - 1.5)
            text = label.format(page=self.page_no(), pages="{nb}")
            self.cell(0, size * LINE_PER_POINT, text, align="C")

    pdf = _Letter(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    for style, path in FONT_FILES.items():
        pdf.add_font(FAMILY, style, str(path))
    # Fixed by the letter, not the clock: the same letter gives the same bytes.
    pdf.set_creation_date(dt.datetime.combine(letter.date, dt.time(12, 0), tzinfo=dt.timezone.utc))
    pdf.set_title(letter.subject)
    pdf.set_author(letter.writer.name)
    pdf.set_lang(letter.language)
    pdf.set_creator("complainer")
    pdf.add_page()
    return pdf


def _signature(pdf: FPDF, letter: Letter) -> None:
    """The room above the printed name: the signature image, or a line to sign on by hand."""
    top = pdf.get_y()
    if letter.signature_image is not None:
        try:
            info = pdf.image(
                io.BytesIO(letter.signature_image),
                x=pdf.l_margin,
                y=top + 1,
                h=SIGNATURE_HEIGHT - 2,
            )
        except Exception as exc:  # Pillow's and fpdf2's many kinds of "not an image"
            raise UsageProblem(f"the signature image cannot be read as an image: {exc}") from None
        if info.rendered_width > SIGNATURE_MAX_WIDTH:
            raise UsageProblem(
                "the signature image is very wide for its height; crop it to the signature"
            )
    else:
        y = top + SIGNATURE_HEIGHT - 2
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, y, pdf.l_margin + SIGN_LINE_WIDTH, y)
    pdf.set_y(top + SIGNATURE_HEIGHT)


def _layout(letter: Letter, numbered: bool, size: float) -> FPDF:
    pdf = _new_pdf(letter, numbered, size)
    line = size * LINE_PER_POINT
    full = pdf.w - pdf.l_margin - pdf.r_margin
    names = [b.name for b in letter.blocks]
    for i, block in enumerate(letter.blocks):
        style = letter.page.style(block.name)
        if names[i + 1 : i + 2] == [SIGNATURE_BLOCK] and "\n\n" not in block.text:
            # A sign-off ("Yours faithfully,") stays on the page of the signature below it.
            lines = len(block.text.splitlines()) + len(letter.blocks[i + 1].text.splitlines())
            if pdf.will_page_break(SIGNATURE_HEIGHT + line * lines):
                pdf.add_page()
        x = pdf.l_margin + (full / 2 if style.column == "right" else 0)
        width = full / 2 if style.column == "right" else full
        pdf.set_font(FAMILY, "B" if style.bold else "", size)
        paragraphs = [p for p in block.text.split("\n\n") if p.strip()]
        if block.name == SIGNATURE_BLOCK:
            # The signature and the printed name stay on one page.
            if pdf.will_page_break(SIGNATURE_HEIGHT + line * len(block.text.splitlines())):
                pdf.add_page()
            _signature(pdf, letter)
        for n, paragraph in enumerate(paragraphs):
            if n:
                pdf.ln(PARAGRAPH_GAP)
            pdf.set_x(x)
            pdf.multi_cell(width, line, paragraph, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(PARAGRAPH_GAP * (style.space_after + 1) if style.space_after else 0)
    return pdf


def to_pdf(letter: Letter) -> bytes:
    """The PDF bytes of `letter`: one A4 page for a default letter, numbered pages beyond that.

    Raises UsageProblem when the letter has a character the font cannot draw (rather than print
    an empty box in an official letter) or the signature image cannot be decoded.
    """
    return paged_pdf(letter)[0]


def paged_pdf(letter: Letter) -> tuple[bytes, int]:
    """The PDF bytes of `letter` and its number of pages (see `to_pdf`)."""
    text = "\n".join(b.text for b in letter.blocks) or letter.body
    unknown = missing_glyphs(text)
    if unknown:
        shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in unknown[:5])
        raise UsageProblem(
            f"the PDF font cannot draw {shown}; write these in Latin or Cyrillic letters,"
            " or choose another format"
        )
    for size in FONT_SIZES:
        pdf = _layout(letter, numbered=False, size=size)
        if pdf.pages_count == 1:
            return bytes(pdf.output()), 1
    pdf = _layout(letter, numbered=True, size=FONT_SIZES[0])
    return bytes(pdf.output()), pdf.pages_count
