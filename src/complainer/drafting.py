"""From the values a person gave (flags or answers) to a composed letter and its bytes."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

from complainer.campaign import Campaign
from complainer.compose import Letter, Request, compose
from complainer.errors import UsageProblem
from complainer.locales import resolve_language
from complainer.outputs.eml import to_eml
from complainer.outputs.json_out import to_json
from complainer.outputs.mailto import to_mailto
from complainer.outputs.text import to_text
from complainer.registry import Registry
from complainer.writer import Writer, clean_email, clean_note, header_safe

FORMATS = ("text", "eml", "json", "mailto")
_EXTENSIONS = {".eml": "eml", ".json": "json", ".txt": "text"}


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
    extra: dict[str, object] = field(default_factory=dict)


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
        return clean_note(sys.stdin.read())
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


def output_format(fmt: str | None, out: str | None) -> str:
    if fmt is not None:
        if fmt not in FORMATS:
            raise UsageProblem(f'unknown format "{fmt}"; choose from: {", ".join(FORMATS)}')
        return fmt
    if out and out != "-":
        return _EXTENSIONS.get(Path(out).suffix.lower(), "text")
    return "text"


def load_for(values: DraftValues, registry: Registry) -> Campaign:
    return registry.load(values.campaign or registry.default_id())


def build_letter(values: DraftValues, campaign: Campaign) -> Letter:
    """Validate every value and compose; raises UsageProblem naming the first bad one."""
    require_complete(values)
    writer = Writer.build(
        name=values.name or "",
        country=values.country or "",
        city=values.city,
        organisation=values.organisation,
        email=values.email,
    )
    lang = (
        resolve_language(values.lang, campaign.languages)
        if values.lang
        else default_language(campaign, values.target)
    )
    request = Request(
        language=lang,
        date=parse_date(values.date),
        target=values.target,
        arguments=values.arguments,
        recommendations=values.recommendations,
        note=read_note(values),
        seed=values.seed,
        to_email=clean_email(values.to, "--to address") if values.to else None,
        to_name=header_safe(values.to_name, "--to-name") if values.to_name else None,
    )
    return compose(campaign, writer, request)


def render(letter: Letter, fmt: str) -> bytes:
    if fmt == "eml":
        return to_eml(letter)
    if fmt == "json":
        return to_json(letter)
    if fmt == "mailto":
        return to_mailto(letter)
    return to_text(letter)


def campaign_notes(campaign: Campaign) -> list[str]:
    """What a writer should know before using `campaign` (shown on stderr, in English)."""
    notes = []
    if campaign.status == "closed":
        status_note = campaign.lang("en").campaign().text("status_note")
        alt = f" (--campaign {campaign.alternative})" if campaign.alternative else ""
        notes.append(f"campaign {campaign.id} is closed{alt}. {status_note}")
    return notes
