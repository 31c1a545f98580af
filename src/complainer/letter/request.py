"""From the values a person gave (flags or answers) to a validated request and a composed letter."""

from __future__ import annotations

import copy
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from complainer.campaigns.model import Campaign, PointKind
from complainer.campaigns.tomlfile import load_toml
from complainer.errors import UsageProblem, unknown_choice
from complainer.i18n import N_, _, ngettext
from complainer.i18n import language as ui_language
from complainer.letter.compose import KIND_NAMES, RECIPIENT_KINDS, Letter, Request, compose
from complainer.letter.countries import resolve_country
from complainer.letter.formal import clean_address, clean_iin, read_signature_image
from complainer.letter.locales import country_name, language_name, resolve_language
from complainer.letter.writer import (
    MAX_NOTE,
    Writer,
    clean_email,
    clean_name,
    clean_note,
    header_safe,
)
from complainer.paths import content_root, read_regular_file

if TYPE_CHECKING:
    from complainer.letter.scripts import Mismatch


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
    # "person" or "institution": how the letter greets a recipient given with --to-name.
    to_kind: str | None = None
    fmt: str | None = None
    out: str | None = None
    force: bool = False
    with_translation: str | None = None
    address: list[str] | None = None  # postal address lines
    iin: str | None = None
    signature_image: Path | None = None


REQUIRED = {"name": "--name", "country": "--country"}


# How far ahead a letter may be dated: enough to prepare letters for a day of action, not so far
# that a typo in the year (2062 for 2026) passes.
MAX_DAYS_AHEAD = 90


def missing_flags(values: DraftValues) -> list[str]:
    return [flag for attr, flag in REQUIRED.items() if not (getattr(values, attr) or "").strip()]


def require_complete(values: DraftValues) -> None:
    """One error naming every missing flag, for runs that may not ask (--no-input, no terminal)."""
    missing = missing_flags(values)
    if missing:
        raise UsageProblem(
            _("missing {flags} (needed when not asking questions)").format(
                flags=_(" and ").join(missing)
            )
        )


def parse_date(value: str | None) -> dt.date:
    """A date from YYYY-MM-DD or "today" (None: today); UsageProblem otherwise."""
    if value is None or value.strip().lower() in ("", "today"):
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageProblem(
            _('--date "{value}" is not a date; write it as YYYY-MM-DD').format(value=value)
        ) from None


def date_range(campaign: Campaign, today: dt.date) -> tuple[dt.date | None, dt.date]:
    """The dates a letter of `campaign` may carry: from the day its subject existed (the
    campaign's `since`, if any) to MAX_DAYS_AHEAD days after `today`."""
    return campaign.since, today + dt.timedelta(days=MAX_DAYS_AHEAD)


def letter_date(value: str | None, campaign: Campaign, today: dt.date | None = None) -> dt.date:
    """The letter's date (parse_date), refused when outside `date_range` with the range named."""
    day = parse_date(value)
    first, last = date_range(campaign, today or dt.date.today())
    if (first is not None and day < first) or day > last:
        span = (
            _("from {first} to {last}").format(first=first.isoformat(), last=last.isoformat())
            if first is not None
            else _("up to {last}").format(last=last.isoformat())
        )
        raise UsageProblem(
            _("--date {date} is outside the dates a letter of {campaign} can carry: {span}").format(
                date=day.isoformat(), campaign=campaign.id, span=span
            )
        )
    return day


# A character is at most 4 bytes of UTF-8, so this many bytes (or characters, on stdin) hold more
# than MAX_NOTE characters: reading no more keeps a huge or endless file (/dev/zero) harmless.
NOTE_READ_LIMIT = 4 * MAX_NOTE + 4


def _note_too_long() -> UsageProblem:
    return UsageProblem(
        ngettext(
            "the personal note is longer than {limit} character; shorten it",
            "the personal note is longer than {limit} characters; shorten it",
            MAX_NOTE,
        ).format(limit=MAX_NOTE)
    )


def _bounded_note(text: str) -> str:
    if len(text) > NOTE_READ_LIMIT:
        raise _note_too_long()
    return clean_note(text)


def read_note(values: DraftValues) -> str:
    """The personal note from --note, --note-file PATH or --note-file - (stdin), cleaned.

    At most NOTE_READ_LIMIT bytes are read; a note file must be a regular file. Raises UsageProblem.
    """
    if values.note is not None and values.note_file is not None:
        raise UsageProblem(_("give either --note or --note-file, not both"))
    if values.note_file is None:
        return clean_note(values.note or "")
    if str(values.note_file) == "-":
        try:
            return _bounded_note(sys.stdin.read(NOTE_READ_LIMIT + 1))
        except UnicodeDecodeError:
            raise UsageProblem(_("the note on standard input is not UTF-8 text")) from None
    try:
        raw = read_regular_file(values.note_file, NOTE_READ_LIMIT)
        if len(raw) > NOTE_READ_LIMIT:
            raise _note_too_long()
        return clean_note(raw.decode("utf-8"))
    except FileNotFoundError:
        raise UsageProblem(
            _("note file {path} does not exist").format(path=values.note_file)
        ) from None
    except UnicodeDecodeError:
        raise UsageProblem(
            _("note file {path} is not UTF-8 text").format(path=values.note_file)
        ) from None
    except OSError as exc:
        raise UsageProblem(
            _("note file {path} cannot be read: {reason}").format(
                path=values.note_file, reason=exc.strerror
            )
        ) from None


def default_language(campaign: Campaign, target: str | None, reader: str | None = None) -> str:
    """The letter's language when none is given: one the recipient reads (`Campaign.reads`: the
    recipient's languages, or the target's own for a recipient the writer names) and the campaign is
    written in. Of those, `reader`'s own language (the interface language, for a person at the
    wizard) when the recipient reads it, else the first the recipient reads; else English."""
    tid = target or campaign.default_target
    if tid in campaign.targets:
        reads = [c for c in campaign.reads(tid) if c in campaign.languages]
        if reader in reads:
            return reader
        if reads:
            return reads[0]
    return "en" if "en" in campaign.languages else campaign.languages[0]


class CheckedDefaults(NamedTuple):
    """The values every row of a batch starts from (its flags), as given and as `normalise` puts
    them (`CheckedDefaults.of`). A row's value equal to the given one is, after `normalise`, the
    canonical one: each value's check is a function of that value alone (and of the campaign
    and the day), so it is taken from here rather than checked again for every row.

    `seen` holds, for the batch, the canonical form of each value that rows repeat and that
    passed its check (`_MEMOISED`): a country, a city, an organisation, a language, the
    recipient's address and name. A value that fails is checked again in every row that has it,
    so its refusal is said the same way each time (in the interface language of the moment)."""

    given: DraftValues
    canonical: DraftValues
    # (field, value as given) -> its canonical form; bounded (_SEEN_MOST), one batch's
    seen: dict[tuple[str, str], Any]
    # (name, given, canonical, is a list) for each value `normalise` checks one by one
    pairs: tuple[tuple[str, Any, Any, bool], ...]

    @classmethod
    def of(cls, given: DraftValues, campaign: Campaign) -> CheckedDefaults:
        """Raises UsageProblem as `normalise` does."""
        canonical = copy.copy(given)
        normalise(canonical, campaign)
        pairs = tuple(
            (name, getattr(given, name), value, isinstance(value, list))
            for name in _CHECKED
            for value in [getattr(canonical, name)]
        )
        return cls(given, canonical, {}, pairs)


# The values `normalise` checks one by one (note and note_file go together: see _known_taken).
_CHECKED = ("name", "country", "email", "city", "organisation", "to", "to_name", "to_kind",
            "address", "iin", "signature_image", "lang", "with_translation", "date")  # fmt: skip


def _known_taken(values: DraftValues, known: CheckedDefaults) -> frozenset[str]:
    """Put in `values` the canonical form of each value that is the given default's; the names
    of those values (and "note" for the note, from --note or --note-file)."""
    taken = []
    for name, given, canonical, is_list in known.pairs:
        if getattr(values, name) == given:
            setattr(values, name, list(canonical) if is_list else canonical)
            taken.append(name)
    if values.note == known.given.note and values.note_file == known.given.note_file:
        values.note, values.note_file = known.canonical.note, known.canonical.note_file
        taken.append("note")
    return frozenset(taken)


# The values whose check is a pure function of their text (given the batch's campaign) and that
# rows of a batch repeat: kept in `CheckedDefaults.seen` once they pass. Not the name or the
# signer's address (one per row), the date (it depends on the day), nor the note, the address
# lines, the IIN or the signature image (rarely repeated, or read from a file).
_MEMOISED = ("country", "city", "organisation", "to", "to_name", "lang", "with_translation")
_SEEN_MOST = 4096  # values kept for a batch before starting again (memory stays bounded)
_UNSEEN = object()


def _checked(
    seen: dict[tuple[str, str], Any] | None, field: str, value: str, check: Callable[[str], Any]
) -> Any:
    """`check(value)`, or what it gave for `value` before in this batch (`seen`); raises as
    `check` does, and keeps nothing then."""
    if seen is None:
        return check(value)
    key = (field, value)
    found = seen.get(key, _UNSEEN)
    if found is _UNSEEN:
        found = check(value)
        if len(seen) >= _SEEN_MOST:
            seen.clear()
        seen[key] = found
    return found


def normalise(
    values: DraftValues, campaign: Campaign, known: CheckedDefaults | None = None
) -> None:
    """Check every value given and put it in canonical form, in place.

    Raises UsageProblem naming the first bad value. A blank name or country counts as missing
    (asked for by the wizard, refused by `require_complete`), not as bad. A note file is read here,
    except `--note-file -`, which `build_letter` reads: the wizard's questions need stdin first.
    `known`: defaults checked once already (a batch's flags); a value that is theirs is not
    checked again. The checks that involve several values (target and country, points) are made.
    """
    taken = _known_taken(values, known) if known is not None else frozenset()
    seen = known.seen if known is not None else None
    if (values.name or "").strip() and "name" not in taken:
        values.name = clean_name(values.name or "")
    if (values.country or "").strip() and "country" not in taken:
        values.country = _checked(seen, "country", values.country or "", resolve_country)
    if values.email and "email" not in taken:
        values.email = clean_email(values.email)
    if values.city and "city" not in taken:
        values.city = _checked(seen, "city", values.city, lambda v: header_safe(v, _("city")))
    if values.organisation and "organisation" not in taken:
        values.organisation = _checked(
            seen, "organisation", values.organisation,
            lambda v: header_safe(v, _("organisation")),
        )  # fmt: skip
    if values.to and "to" not in taken:
        values.to = _checked(seen, "to", values.to, lambda v: clean_email(v, _("--to address")))
    if values.to_name and "to_name" not in taken:
        values.to_name = _checked(
            seen, "to_name", values.to_name, lambda v: header_safe(v, "--to-name")
        )
    if values.to_kind is not None and "to_kind" not in taken:
        kind = values.to_kind.strip().casefold()
        if kind not in RECIPIENT_KINDS:
            raise UsageProblem(unknown_choice("--to-kind", values.to_kind, list(RECIPIENT_KINDS)))
        values.to_kind = kind
    if values.address is not None and "address" not in taken:
        values.address = list(clean_address(values.address))
    if values.iin and "iin" not in taken:
        values.iin = clean_iin(values.iin)
    if values.signature_image is not None and "signature_image" not in taken:
        read_signature_image(values.signature_image)
    if values.lang and "lang" not in taken:
        values.lang = _checked(
            seen, "lang", values.lang, lambda v: resolve_language(v, campaign.languages)
        )
    if values.with_translation and "with_translation" not in taken:
        values.with_translation = _checked(
            seen, "with_translation", values.with_translation,
            lambda v: resolve_language(v, campaign.languages),
        )  # fmt: skip
    if values.date is not None and "date" not in taken:
        values.date = letter_date(values.date, campaign).isoformat()
    target = values.target or campaign.default_target
    if target not in campaign.targets:
        raise UsageProblem(unknown_choice(_("target"), target, list(campaign.targets)))
    country = values.country or ""
    if not campaign.targets[target].suits(country):
        suited = [tid for tid, t in campaign.targets.items() if t.suits(country)]
        problem = _('the "{target}" letter is not for writers in {country}; choose from: {ids}')
        message = problem.format(
            target=target, country=country_name(country, ui_language()), ids=", ".join(suited)
        )
        instead = campaign.targets[target].instead
        if instead is not None:
            message += "; " + _(
                "writers there can write the {target} letter of campaign {campaign} instead: "
                "{command}"
            ).format(campaign=instead[0], target=instead[1], command=instead_hint(*instead))
        raise UsageProblem(message)
    given: tuple[tuple[PointKind, list[str] | None], ...] = (
        ("argument", values.arguments),
        ("recommendation", values.recommendations),
    )
    for kind, wanted_ids in given:
        if not wanted_ids:
            continue  # nothing to look up (the usual row)
        ids = [p.id for p in campaign.points(kind)]
        for pid in wanted_ids:
            if pid not in ids:
                raise UsageProblem(unknown_choice(_(KIND_NAMES[kind]), pid, ids))
    if "note" in taken:
        pass
    elif values.note is not None or (values.note_file and str(values.note_file) != "-"):
        values.note, values.note_file = read_note(values), None


def instead_hint(campaign_id: str, target_id: str) -> str:
    """The command that drafts a target's `instead` letter (another campaign's target)."""
    return f"complainer draft --campaign {campaign_id} --target {target_id}"


def build_request(
    values: DraftValues,
    campaign: Campaign,
    signed: bool = False,
    known: CheckedDefaults | None = None,
) -> tuple[Writer, Request]:
    """Validate every value (see `normalise`, and its `known`): the writer and the request to
    compose.

    `signed`: the letter goes out signed (a signature image, a certificate, or a PDF to sign by
    hand); a formal appeal without it is warned about. Raises UsageProblem naming a bad value;
    `values` itself is left as given.
    """
    require_complete(values)
    values = copy.copy(values)  # a shallow copy, as dataclasses.replace makes, at half its cost
    normalise(values, campaign, known)
    # `normalise` has put each of the writer's values in canonical form, which its clean_*
    # function gives back unchanged, so the writer is made of them as they are: `Writer.build`
    # would check each a second time (an address costs a whole email-validator run).
    writer = Writer(
        name=values.name or "",
        country_code=values.country or "",
        city=values.city or "",
        organisation=values.organisation or "",
        email=values.email or "",
        address=tuple(values.address or ()),
        iin=values.iin or "",
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
        to_kind=values.to_kind,
        signed=signed or image is not None,
        signature_image=read_signature_image(image) if image is not None else None,
    )
    return writer, request


def build_letter(
    values: DraftValues,
    campaign: Campaign,
    signed: bool = False,
    *,
    translation_hint: Callable[[str], str] | None = None,
) -> Letter:
    """Validate every value (see `normalise`) and compose; raises UsageProblem naming a bad one.

    `signed`: see `build_request`. `values` itself is left as given. `translation_hint` says, in
    the interface language, how to add a translation into a language code (or "LANG" when the
    note's language is not one of the campaign's) in the interface that asked for the letter;
    by default the command line's `--with-translation CODE`.
    """
    writer, request = build_request(values, campaign, signed)
    letter = compose(campaign, writer, request)
    mismatch = None
    if request.note:
        # Imported here: a letter without a note has no writing to compare.
        from complainer.letter.scripts import note_mismatch

        mismatch = note_mismatch(request.note, letter.body.replace(request.note, ""))
    if values.with_translation and values.with_translation != letter.language:
        original = letter.body
        letter = with_translation(letter, campaign, writer, request, values.with_translation)
        if mismatch is not None:
            # A translation in the note's own writing gives its reader the whole letter in it.
            added = letter.body[len(original.rstrip()) :].replace(request.note, "")
            if note_mismatch(request.note, added) is None:
                mismatch = None
    if mismatch is not None:
        warning = note_language_warning(
            mismatch, letter.language, campaign.languages, translation_hint
        )
        letter = letter._replace(warnings=(*letter.warnings, warning))
    return letter


# The note's writing, named in a warning (nominative: it stands alone after a colon).
_SCRIPT_NAMES = {"LATIN": N_("Latin script"), "CYRILLIC": N_("Cyrillic script")}
_OTHER_SCRIPT = N_("another script")


def note_language_warning(
    mismatch: Mismatch,
    letter_lang: str,
    available: Sequence[str],
    translation_hint: Callable[[str], str] | None = None,
) -> str:
    """The warning for a personal note written in another language or script than the letter,
    in the interface language; it suggests adding a translation (`translation_hint` of the
    note's language code when that is known and the campaign has it, else of "LANG"; by default
    `--with-translation CODE`)."""
    ui = ui_language()
    if mismatch.language is not None:
        note = language_name(mismatch.language, ui)
    else:
        note = _(_SCRIPT_NAMES.get(mismatch.script, _OTHER_SCRIPT))
    code = mismatch.language if mismatch.language and mismatch.language in available else "LANG"
    return _(
        "your personal note seems to be in another language than the letter (note: {note}; "
        "letter: {language}), so its reader may not understand it; rewrite the note in the "
        "letter's language, or add a translation of the letter into the note's language "
        "({option})"
    ).format(
        note=note,
        language=language_name(letter_lang, ui),
        option=translation_hint(code) if translation_hint else f"--with-translation {code}",
    )


@cache
def _translation_marks() -> dict[str, str]:
    data = load_toml(content_root() / "complainer.toml").get("translation_marks", {})
    return {k: v for k, v in data.items() if isinstance(v, str)}


def translation_mark(letter_lang: str, into: str) -> str:
    """The line that heads an appended translation, in the letter's language and the translation's.

    From [translation_marks] in templates/complainer.toml (letter text, so data, not the
    interface catalogs); `{language}` is the translation's language, named in each mark's language.
    """
    marks = _translation_marks()
    lines = []
    for lang in dict.fromkeys((letter_lang, into)):
        mark = marks.get(lang) or marks["en"]
        lines.append(mark.format(language=language_name(into, lang)))
    return "\n".join(lines)


def with_translation(
    letter: Letter, campaign: Campaign, writer: Writer, request: Request, into: str
) -> Letter:
    """`letter` with the same letter in language `into` appended below a marked line.

    The same seed and choices: the phrasing variants are parallel across languages, so the
    translation says what the original says. The subject stays the original's.
    """
    copy = compose(campaign, writer, request._replace(language=into, seed=letter.seed))
    rule = "-" * 40
    body = (
        f"{letter.body.rstrip()}\n\n{rule}\n{translation_mark(letter.language, into)}\n{rule}\n\n"
        f"{copy.body.rstrip()}\n"
    )
    return letter._replace(body=body, translation=into)
