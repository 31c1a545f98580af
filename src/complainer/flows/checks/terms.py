"""Glossary rule: no rejected variant of a preferred term in any text a letter can carry, and no
abbreviation a reader cannot decode (not in the glossary's `known` list, or used before the long
form the glossary gives for it appears in the same letter).

Data: templates/glossary/<lang>.toml and <campaign>/glossary/<lang>.toml (campaigns/glossary.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

from complainer.campaigns.glossary import Glossary
from complainer.flows.checks.corpus import Rendered


def term_problems(corpus: Iterable[Rendered], glossaries: Mapping[str, Glossary]) -> Iterator[str]:
    """A rejected variant found in a text (once per text field and term)."""
    seen: set[tuple[str, str]] = set()
    for item in corpus:
        glossary = glossaries.get(item.language)
        if glossary is None:
            continue
        for term in glossary.terms:
            if term.targets and item.targets and not set(term.targets) & set(item.targets):
                continue
            if term.targets and not item.targets:
                continue
            for pattern in term.reject:
                m = pattern.search(item.text)
                if m and (item.where, term.prefer) not in seen:
                    seen.add((item.where, term.prefer))
                    yield (
                        f"{item.where}: «{m.group(0)}» is a variant the glossary rejects; write "
                        f"«{term.prefer}» ({term.why}; {term.where})"
                    )
                    break


def abbreviation_problems(
    letters: Iterable[tuple[str, str, dt.date, str]],
    glossaries: Mapping[str, Glossary],
    corpus: Iterable[Rendered],
) -> Iterator[str]:
    """Abbreviations in whole letters: (language, target, day, body) each.

    A letter, not a phrasing, is the unit: the long form may sit in an earlier paragraph. The
    finding names the first text field that holds the abbreviation.
    """
    fields: dict[tuple[str, str], str] = {}
    for item in corpus:
        glossary = glossaries.get(item.language)
        if glossary is None or glossary.token is None or item.day is None:
            continue
        for m in glossary.token.finditer(item.text):
            fields.setdefault((item.language, m.group(0)), item.where)
    seen: set[tuple[str, str]] = set()
    for lang, target, day, body in letters:
        glossary = glossaries.get(lang)
        if glossary is None or glossary.token is None:
            continue
        for m in glossary.token.finditer(body):
            short = m.group(0)
            if short in glossary.known or (lang, short) in seen:
                continue
            if any(p.fullmatch(short) for t in glossary.terms for p in t.reject):
                continue  # the glossary rejects it outright; term_problems reports it
            long = glossary.explain.get(short)
            if long is not None and long.search(body, 0, m.start()):
                continue
            seen.add((lang, short))
            where = fields.get((lang, short), f"{lang}/{target}.j2")
            if long is None:
                yield (
                    f"{where}: abbreviation «{short}» is not one every reader knows; spell it "
                    f"out, or give its long form in the glossary ({lang} letter to '{target}', "
                    f"dated {day.isoformat()})"
                )
            else:
                yield (
                    f"{where}: abbreviation «{short}» is used before its long form "
                    f"({long.pattern!r}) in the {lang} letter to '{target}' dated "
                    f"{day.isoformat()}; spell it out at its first use"
                )
