"""Glossaries: the terms each language's letters must use and the variants they must not.

One file per language, `templates/glossary/<lang>.toml`, is shared by every campaign; a campaign may
add its own in `<campaign>/glossary/<lang>.toml` (its terms are added, its abbreviations and
pronoun forms extend or replace the shared ones). docs/campaign-format.md describes the format;
`complainer check` (flows/checks/) applies it to every rendered text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from complainer.campaigns.claims import compile_pattern
from complainer.campaigns.confine import confined
from complainer.campaigns.fields import Fields
from complainer.campaigns.tomlfile import load_toml
from complainer.paths import content_root

GLOSSARY_DIR = "glossary"


@dataclass(frozen=True)
class Term:
    """A preferred term and the patterns (regexes) of the variants to reject."""

    prefer: str
    reject: tuple[re.Pattern[str], ...]
    why: str
    targets: tuple[str, ...]  # only letters to these targets; empty = every letter
    where: str  # "file: field 'terms[3]'"


@dataclass(frozen=True)
class YouForms:
    """The forms of the pronoun "you" that address one person and those that address several."""

    singular: tuple[re.Pattern[str], ...]
    plural: tuple[re.Pattern[str], ...]
    ignore: tuple[re.Pattern[str], ...]  # words that look like a form but are not (Kazakh маңызды)
    # A capital at the start of a sentence says nothing (Russian Вы/вы): such matches do not count.
    sentence_start_neutral: bool
    where: str


@dataclass(frozen=True)
class Glossary:
    language: str
    terms: tuple[Term, ...] = ()
    # Abbreviations any reader understands, and those to spell out earlier in the same letter.
    known: frozenset[str] = frozenset()
    explain: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    # What counts as an abbreviation in letter text; None = abbreviations are not checked.
    token: re.Pattern[str] | None = None
    you: YouForms | None = None
    files: tuple[Path, ...] = ()


def _patterns(f: Fields, key: str, flags: int) -> tuple[re.Pattern[str], ...]:
    return tuple(
        compile_pattern(f, key, p, flags) for p in f.strings(key, default=[], allow_empty=True)
    )


def _read(path: Path, language: str, base: Glossary) -> Glossary:
    root = Fields(load_toml(path), path)
    declared = root.text("language")
    if declared != language:
        raise root.fail("language", f"must be {language!r} (got {declared!r})")
    terms = list(base.terms)
    for f in root.tables("terms"):
        flags = 0 if f.flag("case_sensitive", False) else re.IGNORECASE
        reject = _patterns(f, "reject", flags)
        if not reject:
            raise f.fail("reject", "must list at least one pattern")
        terms.append(
            Term(
                prefer=f.text("prefer"),
                reject=reject,
                why=f.text("why", default="-"),
                targets=tuple(f.strings("targets", default=[])),
                where=f"{path.parent.name}/{path.name} {f.where}",
            )
        )
    known, explain, token = set(base.known), dict(base.explain), base.token
    if root.has("abbreviations"):
        a = root.table("abbreviations")
        known.update(a.strings("known", default=[], allow_empty=True))
        if a.has("token"):
            token = compile_pattern(a, "token", a.text("token"), 0)
        if a.has("explain"):
            e = a.table("explain")
            for short in e.data:
                explain[short] = compile_pattern(e, short, e.text(short))
    you = base.you
    if root.has("you"):
        y = root.table("you")
        flags = 0 if y.flag("case_sensitive", False) else re.IGNORECASE
        you = YouForms(
            singular=_patterns(y, "singular", flags),
            plural=_patterns(y, "plural", flags),
            ignore=_patterns(y, "ignore", flags),
            sentence_start_neutral=y.flag("sentence_start_neutral", False),
            where=f"{path}: field 'you'",
        )
    return Glossary(
        language, tuple(terms), frozenset(known), explain, token, you, (*base.files, path)
    )


def shared_glossary_dir() -> Path:
    return content_root() / GLOSSARY_DIR


def load_glossary(language: str, campaign_folder: Path | None = None) -> Glossary:
    """The shared glossary of `language`, extended by the campaign's own, if either exists.

    Raises CampaignError naming the file and field for a malformed entry or an invalid pattern.
    """
    glossary = Glossary(language)
    for folder in (
        shared_glossary_dir(),
        campaign_folder / GLOSSARY_DIR if campaign_folder else None,
    ):
        if folder is not None and (folder / f"{language}.toml").is_file():
            path = folder / f"{language}.toml"
            if campaign_folder is not None and folder != shared_glossary_dir():
                confined(campaign_folder, path)  # a campaign's own files stay inside it
            glossary = _read(path, language, glossary)
    return glossary
