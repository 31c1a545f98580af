"""`complainer check`: everything a campaign author can get wrong, found before a writer does.

Loading (campaigns.model) already proves structure and presence. This goes further: phrasing counts,
texts for ids the campaign does not declare, every phrasing rendered on its own, every layout
rendered for each language, target and a spread of selections, leftover placeholders, empty
paragraphs and the one-page length of the longest letter (checks/length.py), all on each day the campaign's dates set apart. The rules of
flows/checks/ add the glossary, the pronoun of address, sourcing and claims, parallel variants
date gating that switches on the same days in every language, and requests made once (checks/asks.py); as advice (not a fault), it
says when a campaign has too few variants for a batch without near-copies (checks/variety.py).

Its problems (like CampaignError from loading a campaign) are in English in every interface
language, on purpose: they are for campaign authors, who edit English-keyed TOML and read
docs/campaign-format.md, and they quote field names and rules that exist only in English. Only
what a supporter may meet is translated: folders_to_check's errors about the paths given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from complainer.campaigns.checkconf import load_check_settings
from complainer.campaigns.claims import load_claims
from complainer.campaigns.confine import confined, read_confined_text
from complainer.campaigns.glossary import load_glossary
from complainer.campaigns.model import PLURAL, POINT_KINDS, Campaign, PointKind, load_campaign
from complainer.campaigns.registry import open_registry
from complainer.campaigns.sandbox import TemplateOverLimit
from complainer.campaigns.tomlfile import load_toml
from complainer.errors import ComplainerError, UsageProblem
from complainer.flows.checks import dates as date_rules
from complainer.flows.checks.asks import ask_problems
from complainer.flows.checks.corpus import render_corpus
from complainer.flows.checks.length import LENGTH_WRITERS, length_problems, longest_letter
from complainer.flows.checks.letters import covering_letters
from complainer.flows.checks.pronouns import pronoun_problems
from complainer.flows.checks.samples import write_samples
from complainer.flows.checks.sources import (
    citation_problems,
    claim_problems,
    duplicate_source_problems,
    ref_translation_problems,
    research_note_problems,
)
from complainer.flows.checks.terms import abbreviation_problems, term_problems
from complainer.flows.checks.variants import variant_problems
from complainer.flows.checks.variety import variety_problems
from complainer.i18n import _
from complainer.letter.compose import (
    EmptyLetter,
    Recipient,
    Request,
    base_context,
    compose,
    renderer_for,
)
from complainer.letter.writer import Writer
from complainer.paths import builtin_campaigns_dir

MIN_PHRASINGS = 3
MIN_SUBJECTS = 2
# Jinja that leaked through into a rendered text (unfinished marks such as TODO are found in the
# data itself, where the report can name the file and field: see DATA_PLACEHOLDER).
JINJA_LEAK = re.compile(r"\{\{|\}\}|\{%|%\}|\{#")
_LIST_MARK_ONLY = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s*$")

SAMPLE_WRITERS = (
    # The longest plausible details, to measure length; and the fewest, for the {% if %} branches.
    Writer("Maria-Anna Musterfrau-Beispiel", "DE", "Frankfurt am Main", "Amnesty International Deutschland e.V.", "maria@example.org"),
    Writer("Jo Li", "KZ"),
)  # fmt: skip
SAMPLE_TO = ("office@example.org", "Jane Doe")


@dataclass(frozen=True)
class Report:
    campaign: str
    problems: list[str]
    letters: int
    samples: int = 0  # sample letters written (--samples)
    # Not faults of a single letter, but limits worth knowing (too few variants for a batch).
    advice: tuple[str, ...] = ()


def _selections(campaign: Campaign, kind: PointKind) -> list[list[str] | None]:
    ids = [p.id for p in campaign.points(kind)]
    spread: list[list[str] | None] = [None, ids, []]
    spread.extend([pid] for pid in ids)
    return spread


def _check_counts(campaign: Campaign) -> Iterator[str]:
    declared: dict[str, set[str]] = {
        "arguments": {p.id for p in campaign.arguments},
        "recommendations": {p.id for p in campaign.recommendations},
        "targets": set(campaign.targets),
        "recipients": set(campaign.recipients),
        "sources": set(campaign.sources),
    }
    for code in campaign.languages:
        texts = campaign.texts[code]
        for section, ids in declared.items():
            table = texts.data.get(section, {})
            for extra in sorted(set(table) - ids if isinstance(table, dict) else ()):
                yield f"{texts.origin(section, extra)}: field '{section}.{extra}' has texts for an id campaign.toml does not declare"
        for tid in campaign.targets:
            t = texts.target(tid)
            if len(t.subjects) < MIN_SUBJECTS:
                yield f"{texts.origin('targets', tid, 'subject')}: field 'targets.{tid}.subject' needs at least {MIN_SUBJECTS} phrasings"
            for name, options in t.paragraphs.items():
                if len(options) < MIN_PHRASINGS:
                    yield f"{texts.origin('targets', tid, 'paragraphs', name)}: field 'targets.{tid}.paragraphs.{name}' needs at least {MIN_PHRASINGS} phrasings"
        for kind in POINT_KINDS:
            for p in campaign.points(kind):
                if len(texts.point(kind, p.id).phrasings) < MIN_PHRASINGS:
                    yield f"{texts.origin(PLURAL[kind], p.id, 'text')}: field '{PLURAL[kind]}.{p.id}.text' needs at least {MIN_PHRASINGS} phrasings"


# Placeholders in campaign data. Jinja markers are not among them: phrasings hold `{{ ... }}`.
# Example domains are reserved for documentation (RFC 2606 section 3, RFC 6761 section 6): a
# recipient at one, or a source URL on one, is a placeholder as surely as TODO is.
DATA_PLACEHOLDER = re.compile(
    r"\bTODO\b|\bFIXME\b|\bXXX\b|lorem ipsum"
    r"|[@./]example\.(?:org|com|net)\b|\.(?:example|invalid|test)\b",
    re.IGNORECASE,
)


def _walk_strings(value: object, field: str) -> Iterator[tuple[str, str]]:
    """(dotted field, string) for every string inside a TOML value."""
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_strings(item, f"{field}.{key}" if field else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_strings(item, f"{field}[{i + 1}]")


def _check_data_leftovers(folder: Path) -> Iterator[str]:
    """Placeholders anywhere in the campaign: every string of every TOML file and every template, so that a
    recipient address, a source URL or a citation left as the scaffold wrote it is found as surely
    as a letter text (rendered letters are checked as well, after rendering)."""
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".toml", ".j2")):
        try:
            safe = confined(folder, path)
            data: object = (
                load_toml(safe) if path.suffix == ".toml" else read_confined_text(folder, path)
            )
        except ComplainerError:
            continue  # loading the campaign reports a broken or escaping file
        for field, text in _walk_strings(data, ""):
            found = DATA_PLACEHOLDER.search(text)
            if found and field:
                yield f"{path}: field '{field}' still holds a placeholder ({found.group(0)!r}): {text[:60]!r}"
            elif found:
                line = text.count("\n", 0, found.start()) + 1
                yield f"{path}: line {line} still holds a placeholder ({found.group(0)!r})"


def _letter_problems(body: str, where: str) -> Iterator[str]:
    leak = JINJA_LEAK.search(body)
    if leak:
        line = next(ln for ln in body.splitlines() if leak.group(0) in ln)
        yield f"{where}: template syntax {leak.group(0)!r} left in the letter: {line.strip()[:80]!r}"
    for line in body.splitlines():
        if _LIST_MARK_ONLY.match(line):
            yield f"{where}: empty list item {line.strip()!r} in the letter"
            break


def _check_rendering(campaign: Campaign, days: Sequence[dt.date]) -> tuple[list[str], int]:
    problems: list[str] = []
    seen: set[str] = set()
    letters = 0

    def note(problem: str) -> None:
        if problem not in seen:
            seen.add(problem)
            problems.append(problem)

    for code in campaign.languages:
        for tid, target in campaign.targets.items():
            where = f"{campaign.template_path(code, tid)}"
            to = SAMPLE_TO if target.recipient is None else (None, None)
            combos: list[tuple[list[str] | None, list[str] | None]] = [(None, None)]
            combos += [(a, None) for a in _selections(campaign, "argument")[1:]]
            combos += [(None, r) for r in _selections(campaign, "recommendation")[1:]]
            for day in days:
                # Each phrasing is rendered on its own by _check_phrasings and the longest letter
                # is found exactly by checks/length.py; a few seeds suffice here.
                for seed in range(3):
                    for writer in SAMPLE_WRITERS:
                        for args, recs in combos if seed == 0 else combos[:1]:
                            request = Request(
                                language=code, date=day, target=tid, arguments=args,
                                recommendations=recs, seed=seed, to_email=to[0], to_name=to[1],
                            )  # fmt: skip
                            try:
                                letter = compose(campaign, writer, request)
                            except EmptyLetter:
                                continue  # refused by design (no point chosen), not a fault
                            except TemplateOverLimit:
                                raise  # check_folder stops here: more renders cost more seconds
                            except ComplainerError as exc:
                                note(str(exc))
                                continue
                            letters += 1
                            for problem in _letter_problems(letter.body, where):
                                note(problem)
    return problems, letters


def _check_phrasings(campaign: Campaign, days: Sequence[dt.date]) -> Iterator[str]:
    """Render every phrasing on its own, with the fullest and the sparsest writer."""
    renderer = renderer_for(campaign.folder)
    recipients = [
        Recipient("Jane Doe", "office@example.org", ("1 Main Street", "Astana")),
        Recipient("", "x@example.org", ()),
    ]
    for code in campaign.languages:
        texts = campaign.texts[code]
        slots: list[tuple[tuple[str, ...], Sequence[str]]] = []
        for tid in campaign.targets:
            t = texts.target(tid)
            slots.append((("targets", tid, "subject"), t.subjects))
            slots.extend((("targets", tid, "paragraphs", n), o) for n, o in t.paragraphs.items())
        for kind in POINT_KINDS:
            slots.extend(
                ((PLURAL[kind], p.id, "text"), texts.point(kind, p.id).phrasings)
                for p in campaign.points(kind)
            )
        for writer, recipient in zip(SAMPLE_WRITERS, recipients, strict=True):
            for day in days:
                context = base_context(campaign, writer, recipient, code, day)
                for keys, options in slots:
                    for i, option in enumerate(options):
                        where = f"{texts.origin(*keys)}: field '{'.'.join(keys)}' phrasing {i + 1}"
                        try:
                            text = renderer.snippet(option, texts.origin(*keys), context)
                        except TemplateOverLimit:
                            raise
                        except ComplainerError as exc:
                            yield str(exc)
                            continue
                        if not text.strip():
                            yield f"{where} renders empty"
                        elif JINJA_LEAK.search(text):
                            yield f"{where} renders with template syntax left in it: {text[:60]!r}"


FORMAL_WRITER = Writer(
    "Maria-Anna Musterfrau-Beispiel",
    "DE",
    address=("Musterstraße 1", "10115 Berlin"),
    iin="900101300017",
)


def _check_formal_appeals(campaign: Campaign, day: dt.date, today: dt.date) -> Iterator[str]:
    """Each formal-appeal target, in every language, prints a sender block with the writer's
    name and postal address and a signature block with the printed name (`{% block sender %}`
    and `{% block signature %}` of its layout), and its longest default letter fits a one-page PDF."""
    from complainer.formats.pdf import paged_pdf

    for tid, target in campaign.targets.items():
        if target.appeal is None:
            continue
        for code in campaign.languages:
            where = campaign.template_path(code, tid)
            request = Request(language=code, date=day, target=tid, signed=True)
            try:
                letter = compose(campaign, FORMAL_WRITER, request)
            except TemplateOverLimit:
                raise
            except ComplainerError as exc:
                yield str(exc)
                continue
            blocks = {b.name: b.text for b in letter.blocks}
            sender = blocks.get("sender")
            if sender is None:
                yield f"{where}: a formal appeal needs a {{% block sender %}} (the sender block)"
            else:
                for line in (FORMAL_WRITER.name, *FORMAL_WRITER.address):
                    if line not in sender:
                        yield f"{where}: the sender block does not show {line!r}"
            if FORMAL_WRITER.name not in blocks.get("signature", ""):
                yield (
                    f"{where}: a formal appeal needs a {{% block signature %}} with the printed"
                    " name (writer.name)"
                )
            # The PDF page is measured on the longest default letter (checks/length.py): the
            # longest phrasing of every slot, with the fullest writer.
            for when in dict.fromkeys((day, today)):
                writer, signed = LENGTH_WRITERS[0]
                longest = request._replace(date=when, signed=signed)
                try:
                    found = longest_letter(campaign, writer, longest)
                    pages = paged_pdf(found[0])[1] if found else 1
                except TemplateOverLimit:
                    raise
                except ComplainerError as exc:
                    yield f"{where}: the PDF cannot be made: {exc}"
                    break
                if pages > 1:
                    yield (
                        f"{where}: the longest default letter dated {when.isoformat()} does not"
                        " fit one PDF page"
                    )


def instead_problems(campaign: Campaign) -> Iterator[str]:
    """A target's `instead` names a campaign (beside this folder, or built in) and a target of it."""
    for tid, target in campaign.targets.items():
        if target.instead is None:
            continue
        cid, other = target.instead
        where = f"{campaign.folder / 'campaign.toml'}: field 'targets.{tid}.instead'"
        folders = [campaign.folder.parent / cid, builtin_campaigns_dir() / cid]
        folder = next((f for f in folders if (f / "campaign.toml").is_file()), None)
        if folder is None:
            yield f"{where} names campaign {cid!r}, which is neither beside this one nor built in"
            continue
        try:
            found = load_campaign(folder, all_languages=False)
        except ComplainerError as exc:
            yield f"{where} names campaign {cid!r}, which does not load: {exc}"
            continue
        if other not in found.targets:
            yield f"{where} names target {other!r}, which campaign {cid!r} does not have"


def check_folder(
    folder: Path, today: dt.date | None = None, samples: Path | None = None, force: bool = False
) -> Report:
    """Every problem of one campaign folder; with `samples`, also write its sample letters there.

    Raises UsageProblem only when a sample file exists and `force` is not given.
    """
    try:
        campaign = load_campaign(folder)
        settings = load_check_settings(campaign)
        claims = load_claims(campaign)
        glossaries = {code: load_glossary(code, folder) for code in campaign.languages}
        bounds = date_rules.boundaries(campaign, settings, claims)
    except ComplainerError as exc:
        return Report(folder.name, [str(exc)], 0)
    day = today or dt.date.today()
    days = date_rules.check_days(bounds, campaign, day)
    problems = list(_check_counts(campaign))
    problems.extend(variant_problems(campaign))
    problems.extend(_check_data_leftovers(campaign.folder))
    problems.extend(citation_problems(campaign))
    problems.extend(duplicate_source_problems(campaign, claims))
    problems.extend(research_note_problems(campaign, claims))
    problems.extend(ref_translation_problems(campaign))
    problems.extend(instead_problems(campaign))
    letters = 0
    try:
        problems.extend(dict.fromkeys(_check_phrasings(campaign, days)))
        rendered, letters = _check_rendering(campaign, days)
        problems.extend(rendered)
        too_long, long_advice = length_problems(campaign, days, day)
        problems.extend(too_long)
        problems.extend(_check_formal_appeals(campaign, days[0], day))
        problems.extend(dict.fromkeys(ask_problems(campaign, days)))
        corpus = list(render_corpus(campaign, days))
        problems.extend(term_problems(corpus, glossaries))
        problems.extend(pronoun_problems(corpus, glossaries, settings.you))
        problems.extend(claim_problems(corpus, claims))
        problems.extend(date_rules.gating_problems(corpus))
        whole = list(covering_letters(campaign, days))
        problems.extend(abbreviation_problems(whole, glossaries, corpus))
        letters += len(whole)
    except TemplateOverLimit as exc:
        # One template past a limit is enough to fail the campaign; rendering on would give each
        # of hundreds of renders its own CPU budget.
        problems.append(f"{exc} (checking of this campaign stopped there)")
        return Report(campaign.id, list(dict.fromkeys(problems)), letters)
    written = 0
    if samples is not None:
        files = write_samples(
            campaign, date_rules.sample_days(bounds, campaign, day), samples, force
        )
        written = len(files) - 1  # the index is not a letter
    advice = (*long_advice, *variety_problems(campaign, day))
    return Report(campaign.id, list(dict.fromkeys(problems)), letters, written, advice)


def folders_to_check(
    paths: Sequence[Path] | None, campaigns_dirs: Sequence[Path] | None
) -> list[Path]:
    """The campaign folders `complainer check` looks at: `paths`, or every installed campaign.

    Raises UsageProblem for a path that is not a campaign folder (no campaign.toml).
    """
    if not paths:
        registry = open_registry(campaigns_dirs)
        return [registry.folders[cid][0] for cid in registry.ids]
    for folder in paths:
        if not folder.exists():
            raise UsageProblem(
                _("{path} does not exist; give the path of a campaign folder").format(path=folder)
            )
        if (folder / "campaign.toml").is_file():
            continue
        inside = sorted(p.parent.name for p in folder.glob("*/campaign.toml"))
        if inside:
            raise UsageProblem(
                _(
                    "{path} holds campaign folders ({names}); give one of them, or check them"
                    " all with: complainer check --campaigns-dir {path}"
                ).format(path=folder, names=", ".join(inside))
            )
        raise UsageProblem(
            _("{path} is not a campaign folder (no campaign.toml)").format(path=folder)
        )
    return list(paths)
