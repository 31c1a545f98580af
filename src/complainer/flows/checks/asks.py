"""Requests said once: a target's request paragraph makes the recommendations of its `asks` that
the writer chose, each exactly once, and none that the writer left out (issue 13, item 6).

For every target with `asks`, language, combination of them (alone and with another
recommendation), check day and variant of the keyed paragraphs, the letter is composed and each
asked recommendation's `marker` (a regular expression in that language's texts) is looked for:
a chosen one must be found in exactly one paragraph of the body (the request paragraph; the list
of recommendations leaves it out), an unchosen one nowhere, the subject included.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence

from complainer.campaigns.model import Campaign, split_keyed
from complainer.campaigns.sandbox import TemplateOverLimit
from complainer.errors import ComplainerError
from complainer.flows.checks.corpus import SAMPLE_WRITER
from complainer.letter.compose import EmptyLetter, Request, compose

SAMPLE_TO = ("office@example.org", "Jane Doe")


def _paragraphs(body: str, subject: str) -> list[str]:
    """The body's paragraphs (blank-line separated) except the one carrying the subject line."""
    return [p for p in re.split(r"\n\s*\n", body) if p.strip() and subject not in p]


def ask_problems(campaign: Campaign, days: Sequence[dt.date]) -> Iterator[str]:
    for tid, target in campaign.targets.items():
        if not target.asks:
            continue
        others = [p.id for p in campaign.recommendations if p.id not in target.asks]
        to = SAMPLE_TO if target.recipient is None else (None, None)
        for code in campaign.languages:
            texts = campaign.texts[code]
            ttext = texts.target(tid)
            where = campaign.template_path(code, tid)
            markers = {}
            for rid in target.asks:
                marker = texts.point("recommendation", rid).marker
                if marker is not None:  # loading requires one; an author's folder may be mid-edit
                    markers[rid] = re.compile(marker, re.IGNORECASE)
            for mask in range(1 << len(target.asks)):
                chosen = [a for i, a in enumerate(target.asks) if mask >> i & 1]
                keyed = [
                    slot
                    for slot in ttext.paragraphs
                    if split_keyed(slot)[1] == ("+".join(chosen) or "none")
                ]
                variants = max((len(ttext.paragraphs[s]) for s in keyed), default=1)
                for extra in ([], others[:1]):
                    for day in days if not extra else days[-1:]:
                        for i in range(variants):
                            request = Request(
                                language=code, date=day, target=tid,
                                recommendations=[*chosen, *extra], seed=i,
                                phrasings={f"{tid}.{s}": i for s in keyed},
                                to_email=to[0], to_name=to[1],
                            )  # fmt: skip
                            try:
                                letter = compose(campaign, SAMPLE_WRITER, request)
                            except EmptyLetter:
                                continue
                            except TemplateOverLimit:
                                raise
                            except ComplainerError as exc:
                                yield str(exc)
                                continue
                            paragraphs = _paragraphs(letter.body, letter.subject)
                            label = (
                                f"{where}: the letter dated {day.isoformat()} with "
                                f"recommendations {', '.join(request.recommendations or []) or '(none)'}"
                                f" (variant {i + 1} of the request)"
                            )
                            for rid, pattern in markers.items():
                                found = [p for p in paragraphs if pattern.search(p)]
                                if rid in chosen and len(found) != 1:
                                    yield (
                                        f"{label} makes the request '{rid}' in {len(found)} "
                                        f"paragraphs (marker {pattern.pattern!r}); it must be "
                                        "made once"
                                    )
                                elif rid not in chosen and (
                                    found or pattern.search(letter.subject)
                                ):
                                    text = (found[0] if found else letter.subject)[:80]
                                    yield (
                                        f"{label} makes the request '{rid}', which was not "
                                        f"chosen (marker {pattern.pattern!r}): {text!r}"
                                    )
