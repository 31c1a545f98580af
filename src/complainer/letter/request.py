"""From the values a person gave (flags or answers) to a validated request and a composed letter."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from complainer.campaigns.model import Campaign, PointKind
from complainer.errors import UsageProblem, unknown_choice
from complainer.letter.compose import Letter, Request, compose
from complainer.letter.formal import clean_address, clean_iin, read_signature_image
from complainer.letter.locales import resolve_country, resolve_language
from complainer.letter.writer import Writer, clean_email, clean_name, clean_note, header_safe


@dataclass
class DraftValues:
    """Everything `draft` can be told; None means "not given"."""

    campaign: str | None = None
    target: str | None = None
    name: str | None = None
    country: str | None = None
    city: str | None = None
    organisation: str | None = None
    email: str | None = None
    lang: str | None = None
    arguments: list[str] | None = None
    recommendations: list[str] | None = None
    note: str | None = None
    note_file: Path | None = None
    date: str | None = None
    seed: int | None = None
    to: str | None = None
    to_name: str | None = None
    fmt: str | None = None
    out: str | None = None
    force: bool = False
    address: list[str] | None = None  # postal address lines
    iin: str | None = None
    signature_image: Path | None = None


REQUIRED = {"name": "--name", "country": "--country"}


def missing_flags(values: DraftValues) -> list[str]:
    return [flag for attr, flag in REQUIRED.items() if not (getattr(values, attr) or "").strip()]


def require_complete(values: DraftValues) -> None:
    """One error naming every missing flag, for runs that may not ask (--no-input, no terminal)."""
    missing = missing_flags(values)
    if missing:
        raise UsageProblem(f"missing {' and '.join(missing)} (needed when not asking questions)")


def parse_date(value: str | None) -> dt.date:
    if value is None or value.strip().lower() in ("", "today"):
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageProblem(f'--date "{value}" is not a date; write it as YYYY-MM-DD') from None


def read_note(values: DraftValues) -> str:
    if values.note is not None and values.note_file is not None:
        raise UsageProblem("give either --note or --note-file, not both")
    if values.note_file is None:
        return clean_note(values.note or "")
    if str(values.note_file) == "-":
        try:
            return clean_note(sys.stdin.read())
        except UnicodeDecodeError:
            raise UsageProblem("the note on standard input is not UTF-8 text") from None
    try:
        return clean_note(values.note_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageProblem(f"note file {values.note_file} does not exist") from None
    except UnicodeDecodeError:
        raise UsageProblem(f"note file {values.note_file} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageProblem(f"note file {values.note_file} cannot be read: {exc.strerror}") from None


def default_language(campaign: Campaign, target: str | None) -> str:
    """The first language the recipient reads that the campaign is written in; else English."""
    tid = target or campaign.default_target
    t = campaign.targets.get(tid)
    if t is not None and t.recipient is not None:
        for code in campaign.recipients[t.recipient].reads:
            if code in campaign.languages:
                return code
    return "en" if "en" in campaign.languages else campaign.languages[0]


def normalise(values: DraftValues, campaign: Campaign) -> None:
    """Check every value given and put it in canonical form, in place.

    Raises UsageProblem naming the first bad value. A blank name or country counts as missing
    (asked for by the wizard, refused by `require_complete`), not as bad. A note file is read here,
    except `--note-file -`, which `build_letter` reads: the wizard's questions need stdin first.
    """
    if (values.name or "").strip():
        values.name = clean_name(values.name or "")
    if (values.country or "").strip():
        values.country = resolve_country(values.country or "")
    if values.email:
        values.email = clean_email(values.email)
    if values.city:
        values.city = header_safe(values.city, "city")
    if values.organisation:
        values.organisation = header_safe(values.organisation, "organisation")
    if values.to:
        values.to = clean_email(values.to, "--to address")
    if values.to_name:
        values.to_name = header_safe(values.to_name, "--to-name")
    if values.address is not None:
        values.address = list(clean_address(values.address))
    if values.iin:
        values.iin = clean_iin(values.iin)
    if values.signature_image is not None:
        read_signature_image(values.signature_image)
    if values.lang:
        values.lang = resolve_language(values.lang, campaign.languages)
    target = values.target or campaign.default_target
    if target not in campaign.targets:
        raise UsageProblem(unknown_choice("target", target, list(campaign.targets)))
    given: tuple[tuple[PointKind, list[str] | None], ...] = (
        ("argument", values.arguments),
        ("recommendation", values.recommendations),
    )
    for kind, wanted_ids in given:
        ids = [p.id for p in campaign.points(kind)]
        for pid in wanted_ids or []:
            if pid not in ids:
                raise UsageProblem(unknown_choice(kind, pid, ids))
    if values.note is not None or (values.note_file and str(values.note_file) != "-"):
        values.note, values.note_file = read_note(values), None


def build_letter(values: DraftValues, campaign: Campaign, signed: bool = False) -> Letter:
    """Validate every value (see `normalise`) and compose; raises UsageProblem naming a bad one.

    `signed`: the letter goes out signed (a signature image, a certificate, or a PDF to sign by
    hand); a formal appeal without it is warned about. `values` itself is left as given.
    """
    require_complete(values)
    values = dataclasses.replace(values)
    normalise(values, campaign)
    writer = Writer.build(
        name=values.name or "",
        country=values.country or "",
        city=values.city,
        organisation=values.organisation,
        email=values.email,
        address=values.address or (),
        iin=values.iin,
    )
    image = values.signature_image
    request = Request(
        language=values.lang or default_language(campaign, values.target),
        date=parse_date(values.date),
        target=values.target,
        arguments=values.arguments,
        recommendations=values.recommendations,
        note=read_note(values),
        seed=values.seed,
        to_email=values.to or None,
        to_name=values.to_name or None,
        signed=signed or image is not None,
        signature_image=read_signature_image(image) if image is not None else None,
    )
    return compose(campaign, writer, request)
