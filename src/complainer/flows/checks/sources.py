"""Sourcing rules: every argument and recommendation rests on at least one citation that is not
marked unverified (each source has an https:// URL: the loader insists); no point cites an
unverified claim; and no text states a claim of claims.toml that is unverified, or that is not
true on the letter's date (its `markers` say how each language words it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from complainer.campaigns.claims import Claims
from complainer.campaigns.model import PLURAL, Campaign
from complainer.flows.checks.corpus import Rendered


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
