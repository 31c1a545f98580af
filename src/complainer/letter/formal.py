"""What a formal appeal to a state body needs: the writer's postal address, the IIN, a signature.

Kazakhstan's Administrative Procedural Code (Code No. 350-VI of 29 June 2020, in force since
1 July 2021), art. 63: a written appeal states the writer's surname and name, the IIN if the
writer has one, a postal address, the body addressed, the substance, the date and a signature;
an appeal without them may be left unconsidered. Which targets are such appeals, and what they
need, is campaign data (`[targets.formal_appeal]` in campaign.toml); this module checks values
and names what is missing.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from pathlib import Path

from complainer.campaigns.model import FormalAppeal
from complainer.characters import refuse_dangerous
from complainer.errors import UsageProblem
from complainer.i18n import N_, _, ngettext
from complainer.paths import read_regular_file

MAX_ADDRESS_LINES = 6
MAX_ADDRESS_LINE = 120

# The IIN's check digit: the first 11 digits weighted 1..11, the sum modulo 11; when that is 10,
# weighted 3..11, 1, 2 instead; a second 10 means no IIN can end this way (none is issued).
_WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# What each requirement is called in a warning, and how the writer supplies it.
_REQUIREMENT_WORDS = {
    "name": (N_("a name"), "--name"),
    "postal_address": (N_("a postal address"), "--address"),
    "date": (N_("a date"), "--date"),
    "signature": (
        N_("a signature"),
        N_("--format pdf to print and sign it, or --signature-image PATH or --sign-p12 PATH"),
    ),
}


def iin_check_digit(first11: str) -> int | None:
    """The check digit (0-9) of an IIN's first 11 digits, or None when no IIN can start so.

    The rule of Kazakhstan's IIN (individual identification number) set with the programme that
    introduced it, Government Decree of the Republic of Kazakhstan No. 565 of 11 June 2003 (as
    IIN validators cite it; the decree itself was not read for this code):
    sum(digit_i * i for i in 1..11) mod 11; if that is 10, sum(digit_i * w_i) mod 11 with
    w = 3, 4, ..., 11, 1, 2; if that is 10 as well, the number is not used.
    """
    digits = [int(ch) for ch in first11]
    for weights in (_WEIGHTS_FIRST, _WEIGHTS_SECOND):
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return check
    return None


def clean_iin(value: str, asked: bool = False) -> str:
    """A Kazakh IIN: 12 ASCII digits (spaces allowed in between) whose last is the check digit.

    Raises UsageProblem naming what is wrong: with the --iin flag for a value given on the command
    line, or as the answer to the wizard's IIN question when `asked` (a wizard user typed no flag).
    Never required: writers outside Kazakhstan have none.
    """
    iin = "".join(value.split())
    problem = _iin_problem(iin)
    if problem is None:
        return iin
    shown = iin if len(iin) == 12 else value.strip()
    if asked:
        raise UsageProblem(
            _('The IIN "{value}" is not valid: {problem}').format(value=shown, problem=problem)
        )
    raise UsageProblem(
        _('--iin "{value}" is not a valid IIN: {problem}').format(value=shown, problem=problem)
    )


def _iin_problem(iin: str) -> str | None:
    """Why `iin` (white space removed) is not an IIN, in the interface language; None if it is."""
    if len(iin) != 12 or not (iin.isascii() and iin.isdigit()):
        return _("it must be 12 digits")
    month, day = int(iin[2:4]), int(iin[4:6])
    # The first six digits are the holder's date of birth, YYMMDD (the century is in the seventh,
    # whose coding is not checked here); 2000 is a leap year, so 29 February passes for any YY.
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]):
        return _("its first six digits are not a date of birth (YYMMDD)")
    if iin_check_digit(iin[:11]) != int(iin[11]):
        return _("its last digit does not match the check digit (check for a typing error)")
    return None


def clean_address(lines: Sequence[str]) -> tuple[str, ...]:
    """The postal address as lines: stripped, blank lines dropped, no control characters.

    A line given with commas stays one line (people write "Musterstraße 1, 10115 Berlin").
    Raises UsageProblem for a character `characters.refuse_dangerous` refuses, a line over MAX_ADDRESS_LINE characters or more
    than MAX_ADDRESS_LINES lines.
    """
    result: list[str] = []
    for raw in lines:
        for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            # The same rule as every other field (ZWJ, ZWNJ and the like are text), applied before
            # white space is folded: str.split() would turn U+2028 into an ordinary space.
            refuse_dangerous(
                line,
                _("line {number} of the postal address").format(number=len(result) + 1),
                allowed="\t",  # folded to a space below, like runs of spaces
            )
            line = " ".join(line.split())
            if not line:
                continue
            if len(line) > MAX_ADDRESS_LINE:
                raise UsageProblem(
                    ngettext(
                        "a line of the postal address is longer than {limit} character",
                        "a line of the postal address is longer than {limit} characters",
                        MAX_ADDRESS_LINE,
                    ).format(limit=MAX_ADDRESS_LINE)
                )
            result.append(line)
    if len(result) > MAX_ADDRESS_LINES:
        raise UsageProblem(
            ngettext(
                "the postal address has more than {limit} line",
                "the postal address has more than {limit} lines",
                MAX_ADDRESS_LINES,
            ).format(limit=MAX_ADDRESS_LINES)
        )
    return tuple(result)


def missing_requirements(
    appeal: FormalAppeal, name: str, address: Sequence[str], signed: bool
) -> tuple[str, ...]:
    """The requirements of `appeal` the letter does not meet (a name and a date it always has)."""
    have = {"name": bool(name), "postal_address": bool(address), "date": True, "signature": signed}
    return tuple(r for r in appeal.requires if not have[r])


def appeal_warning(
    appeal: FormalAppeal, missing: Sequence[str], local: tuple[str, str] | None = None
) -> str:
    """One warning line: what is missing, how to add it, and what the addressee may do.

    `local` holds the rule and the consequence in the interface language (campaign texts);
    without them, campaign.toml's English ones.
    """
    rule, consequence = local or (appeal.rule, appeal.consequence)
    words = [_(_REQUIREMENT_WORDS[r][0]) for r in missing]
    lacks = (
        words[0]
        if len(words) == 1
        else _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])
    )
    how = "; ".join(_(_REQUIREMENT_WORDS[r][1]) for r in missing)
    return _(
        "this letter is a formal appeal without {lacks} ({how}): under {rule}"
        " {consequence}, so the letter asks for no reply"
    ).format(lacks=lacks, how=how, rule=rule, consequence=consequence)


MAX_SIGNATURE_IMAGE = 5_000_000  # bytes: a scanned signature is a few hundred kilobytes at most
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


def read_signature_image(path: Path) -> bytes:
    """The bytes of a PNG or JPEG image of a handwritten signature.

    Raises UsageProblem (one line) when the file is missing, unreadable, not a regular file, too
    large or of another kind; no more than MAX_SIGNATURE_IMAGE + 1 bytes are read; the image itself is decoded only when the PDF is made.
    """
    try:
        data = read_regular_file(path, MAX_SIGNATURE_IMAGE)
    except FileNotFoundError:
        raise UsageProblem(_("signature image {path} does not exist").format(path=path)) from None
    except IsADirectoryError:
        raise UsageProblem(
            _("signature image {path} is a folder; give an image file").format(path=path)
        ) from None
    except OSError as exc:
        raise UsageProblem(
            _("signature image {path} cannot be read: {problem}").format(
                path=path, problem=exc.strerror
            )
        ) from None
    if len(data) > MAX_SIGNATURE_IMAGE:
        raise UsageProblem(
            _("signature image {path} is larger than {limit} MB").format(
                path=path, limit=MAX_SIGNATURE_IMAGE // 1_000_000
            )
        )
    if not any(data.startswith(magic) for magic in _IMAGE_MAGIC):
        raise UsageProblem(_("signature image {path} is not a PNG or JPEG file").format(path=path))
    return data
