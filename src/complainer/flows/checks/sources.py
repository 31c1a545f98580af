"""Sourcing rules: every argument and recommendation rests on at least one citation that is not
marked unverified (each source has an https:// URL: the loader insists); no point cites an
unverified claim; and no text states a claim of claims.toml that is unverified, or that is not
true on the letter's date (its `markers` say how each language words it); and no citation's
`ref` and no source's title carries an author's research note (RESEARCH_NOTE_MARKERS).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from complainer.campaigns.claims import Claims
from complainer.campaigns.model import PLURAL, Campaign
from complainer.flows.checks.corpus import Rendered

# Wording that belongs to an author's research note, not to what a reader needs to find the part
# cited (article, paragraph, document symbol, date). A citation's `ref` and a source's title are
# shown to supporters (pickers, `complainer arguments`, `campaigns show`); notes go in the
# citation's or source's `note` field (docs/campaign-format.md). TODO, FIXME and XXX are refused
# in every field already, as placeholders. Each entry: (what it marks, pattern; case-insensitive).
RESEARCH_NOTE_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (what, re.compile(pattern, re.IGNORECASE))
    for what, pattern in (
        (
            "doubt about the source",
            r"\bunverified\b|\bnot (?:yet )?(?:verified|confirmed|checked)\b|\bunconfirmed\b"
            r"|не провер|не подтвержд|тексерілмеге|расталмаға",
        ),
        (
            "how the source was read",
            r"\bexistence only\b|\bfor its existence\b|\bnot (?:been )?(?:read|found)\b",
        ),
        (
            "where the letters use it",
            r"\bletters? dated\b|\bin (?:the |our )?letters?\b|\bnamed in letters?\b",
        ),
        (
            "an aside to the authors",
            r"\(\s*\?\s*\)|\?\?|\bTBD\b|\bto check\b|\bcheck this\b|\bNB\b",
        ),
    )
)


def research_note(text: str) -> str | None:
    """The research-note wording in `text` (a ref or a title) as "what: «words»", or None."""
    for what, pattern in RESEARCH_NOTE_MARKERS:
        found = pattern.search(text)
        if found:
            return f"{what}: «{found.group(0)}»"
    return None


def research_note_problems(campaign: Campaign, claims: Claims) -> Iterator[str]:
    """Citation refs and source titles (campaign.toml, claims.toml, each language's
    `[sources.<id>] title`) that carry an author's research note: supporters would read it."""
    where = campaign.folder / "campaign.toml"
    for point in (*campaign.arguments, *campaign.recommendations):
        field = f"{PLURAL[point.kind]}.{point.id}"
        for c in point.citations:
            found = research_note(c.ref)
            if found:
                yield (
                    f"{where}: field '{field}' cites {c.source} with ref {c.ref!r}, which holds "
                    f"a research note ({found}); keep the ref to what a reader needs (article, "
                    "paragraph, symbol, date) and move the note to the citation's `note`"
                )
    for source in (*campaign.sources.values(), *claims.sources.values()):
        found = research_note(source.title)
        if found:
            origin = where if source.id in campaign.sources else campaign.folder / "claims.toml"
            yield (
                f"{origin}: source '{source.id}' has a title that holds a research note "
                f"({found}); move the note to the source's `note`"
            )
    for code in campaign.languages:
        texts = campaign.texts[code]
        for sid in (*campaign.sources, *claims.sources):
            title = texts.source_title(sid)
            found = research_note(title) if title else None
            if found:
                yield (
                    f"{texts.origin('sources', sid, 'title')}: field 'sources.{sid}.title' holds "
                    f"a research note ({found}); notes go in the source's `note` in campaign.toml"
                )


# A ref with a run of lowercase Latin letters holds English words ("art.", "paras", "law signed
# on"); one without (a document symbol: "CCPR/C/KAZ/CO/3", "CDL-AD(2013)022") reads the same in
# every language.
_ENGLISH_WORDS = re.compile(r"[a-z]{2,}")


def ref_translation_problems(campaign: Campaign) -> Iterator[str]:
    """Each language that writes citations in its own words (`translates_citations`: it
    translates source titles or refs) must translate every cited ref that holds English words
    in its `[refs]` table: otherwise its readers see "Пакт ..., arts 2(1) and 26" in pickers and
    `complainer arguments`. A `[refs]` key that no citation cites (a ref edited in
    campaign.toml since) is stale, and a translated ref may not carry a research note."""
    cited: dict[str, str] = {}  # ref -> the first field that cites it
    for point in (*campaign.arguments, *campaign.recommendations):
        for c in point.citations:
            cited.setdefault(c.ref, f"{PLURAL[point.kind]}.{point.id}")
    for code in campaign.languages:
        texts = campaign.texts[code]
        if not texts.translates_citations():
            continue
        refs = texts.data.get("refs", {})
        refs = refs if isinstance(refs, dict) else {}
        for ref, field in cited.items():
            if _ENGLISH_WORDS.search(ref) and ref not in refs:
                yield (
                    f"{texts.origin('refs')}: field 'refs' has no {code} text for the ref {ref!r}"
                    f' ({field} in campaign.toml); add "{ref}" = "..." under [refs]'
                )
        for ref, text in refs.items():
            if ref not in cited:
                yield (
                    f"{texts.origin('refs', ref)}: field 'refs' translates {ref!r}, which no"
                    " citation in campaign.toml has (edited since?); translate the ref as"
                    " written now, or remove the entry"
                )
            elif not isinstance(text, str) or not text.strip():
                yield f"{texts.origin('refs', ref)}: field 'refs' gives {ref!r} an empty or non-text translation"
            elif found := research_note(text):
                yield (
                    f"{texts.origin('refs', ref)}: field 'refs' gives {ref!r} a text that holds a"
                    f" research note ({found}); notes go in the citation's `note` in campaign.toml"
                )


def citation_problems(campaign: Campaign) -> Iterator[str]:
    where = campaign.folder / "campaign.toml"
    for point in (*campaign.arguments, *campaign.recommendations):
        field = f"{PLURAL[point.kind]}.{point.id}"
        usable = 0
        for c in point.citations:
            source = campaign.sources[c.source]
            confidence = c.confidence or source.confidence
            if confidence == "unverified":
                yield (
                    f"{where}: field '{field}' cites {c.source} ({c.ref}), marked unverified; "
                    "a letter may not rest on an unverified claim: verify it or drop the citation"
                )
            elif source.url:
                usable += 1
        if not usable:
            yield f"{where}: field '{field}' needs at least one citation of a source with a URL that is not unverified"


def claim_problems(corpus: Iterable[Rendered], claims: Claims) -> Iterator[str]:
    """Texts that state an unverified claim, or a claim on a day it is not true."""
    seen: set[tuple[str, str]] = set()
    for item in corpus:
        for claim in claims.claims:
            key = (item.where, claim.id)
            if key in seen:
                continue
            for pattern in claim.markers.get(item.language, ()):
                m = pattern.search(item.text)
                if not m:
                    continue
                if claim.confidence == "unverified":
                    seen.add(key)
                    yield (
                        f"{item.where}: «{m.group(0)}» states the claim '{claim.id}' "
                        f"({claim.claim}), which {claim.origin.name} marks unverified"
                    )
                elif item.day is not None and not claim.true_on(item.day):
                    seen.add(key)
                    yield (
                        f"{item.where}: «{m.group(0)}» states the claim '{claim.id}' "
                        f"({claim.claim}), {claim.validity()}, in a letter dated "
                        f"{item.day.isoformat()}"
                    )
                break


def duplicate_source_problems(campaign: Campaign, claims: Claims) -> Iterator[str]:
    """One document under two source ids: `campaigns show` lists it twice and the two entries can
    drift apart (one corrected, the other not). Every source id names a distinct URL."""
    by_url: dict[str, list[str]] = {}
    for source in (*campaign.sources.values(), *claims.sources.values()):
        if source.url:
            by_url.setdefault(source.url, []).append(source.id)
    for url, ids in by_url.items():
        if len(ids) > 1:
            yield (
                f"{campaign.folder}: sources {', '.join(ids)} are the same document ({url});"
                " keep one id and cite it everywhere"
            )
