"""Parallel texts: every language has the same paragraphs and the same number of phrasings of each,
so that variant n says the same thing in every language (the seed picks the same n in each)."""

from __future__ import annotations

from collections.abc import Iterator

from complainer.campaigns.model import PLURAL, POINT_KINDS, Campaign


def variant_problems(campaign: Campaign) -> Iterator[str]:
    counts: dict[tuple[str, ...], dict[str, int]] = {}
    for code in campaign.languages:
        texts = campaign.texts[code]
        for tid in campaign.targets:
            t = texts.target(tid)
            counts.setdefault(("targets", tid, "subject"), {})[code] = len(t.subjects)
            for name, options in t.paragraphs.items():
                counts.setdefault(("targets", tid, "paragraphs", name), {})[code] = len(options)
        for kind in POINT_KINDS:
            for p in campaign.points(kind):
                n = len(texts.point(kind, p.id).phrasings)
                counts.setdefault((PLURAL[kind], p.id, "text"), {})[code] = n
    for keys, by_lang in counts.items():
        field = ".".join(keys)
        missing = [c for c in campaign.languages if c not in by_lang]
        if missing:
            have = ", ".join(by_lang)
            yield (
                f"{campaign.folder}: field '{field}' exists in {have} but not in "
                f"{', '.join(missing)}; every language needs the same paragraphs"
            )
        elif len(set(by_lang.values())) > 1:
            described = ", ".join(f"{c}: {n}" for c, n in by_lang.items())
            yield (
                f"{campaign.texts[campaign.languages[0]].origin(*keys)}: field '{field}' has a "
                f"different number of phrasings per language ({described}); variant n must say "
                "the same thing in every language"
            )
