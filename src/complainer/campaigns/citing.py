"""Citations as supporters read them: a source's title, then only what the citation's `ref` adds
to it. Every screen and message that names a citation uses `cite`, so that each part is said once
and an author's research `note` (Citation.note, Source.note) is never shown."""

from __future__ import annotations

import re

from complainer.campaigns.model import Campaign, Citation

_WORD = re.compile(r"\w+")
# A parenthesis that follows a space ("paras 9-10 (2016)"), not one inside a reference ("2(1)").
_ASIDE = re.compile(r"\s+\(([^()]*)\)")
# Where a reference divides into parts ("2023: no mandatory surgery, as reported by ...").
_PARTS = re.compile(r"([,:;]\s+)")


# Words that carry no content of their own in a reference ("in force since 1 July 2026" says
# nothing a title's "enters into force on 1 July 2026" does not).
LINKING_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "incl",
        "including",
        "into",
        "of",
        "on",
        "since",
        "the",
        "to",
        "with",
    ]
)


def _said_in(text: str, words: set[str]) -> bool:
    """Whether every content word of `text` is among `words` (and it has one)."""
    content = [w for w in _WORD.findall(text.casefold()) if w not in LINKING_WORDS]
    return bool(content) and all(w in words for w in content)


def cited_part(title: str, ref: str) -> str:
    """What a citation's `ref` adds to its source's title: "" when the title already says it all
    ("Law No. 91 of 28 November 2005" of "Law ... No. 91 of 28 November 2005 ratifying the
    ICCPR"), else the ref less each aside and part the title already holds ("paras 9-10 (2016)"
    of "... CCPR/C/KAZ/CO/2 (2016)" -> "paras 9-10"). Authors write a ref to stand alone in a
    letter; on screen it follows the title, so what they share is said once."""
    words = set(_WORD.findall(title.casefold()))
    if ref in title or _said_in(ref, words):
        return ""
    ref = _ASIDE.sub(lambda m: "" if _said_in(m.group(1), words) else m.group(0), ref)
    pieces = _PARTS.split(ref.strip())  # parts, with the separator before each after the first
    kept: list[str] = []
    for n in range(0, len(pieces), 2):
        part = pieces[n]
        # A part of numbers only after a kept one continues it ("14 and 20" of "arts 4(3), 14
        # and 20"): it stays even when the title happens to hold the same numbers.
        continues = bool(kept) and not re.search(r"[^\W\d]{3,}", part)
        if part.strip() and (continues or not _said_in(part, words)):
            kept.append((pieces[n - 1] if kept else "") + part.strip())
    return "".join(kept)


def source_title(campaign: Campaign, sid: str, lang: str | None) -> str:
    """Source `sid`'s title as a reader of `lang` sees it: the campaign's `[sources.<sid>] title`
    in texts.toml for that language when it has one, else the source's own (English) title.
    `lang` None means the source's own title. Raises KeyError for a source the campaign lacks."""
    own = campaign.sources[sid].title
    if lang is None or lang not in campaign.texts:
        return own
    return campaign.texts[lang].source_title(sid) or own


def cited_ref(campaign: Campaign, ref: str, lang: str | None) -> str:
    """Citation ref `ref` as a reader of `lang` sees it: the `[refs]` entry of that language's
    texts.toml keyed by the ref as campaign.toml writes it ("art. 19(3)" -> ru "п. 3 ст. 19"),
    else `ref` as written (document symbols need no translation; a missing one is a `check`
    problem). `lang` None means the ref as written."""
    if lang is None or lang not in campaign.texts:
        return ref
    return campaign.texts[lang].cited_ref(ref) or ref


def cite(campaign: Campaign, c: Citation, validity: bool = True, lang: str | None = None) -> str:
    """A citation as a reader needs it: the source's title and the part cited (`ref`: article
    numbers, document symbols), each in `lang` where the campaign has it (`source_title`,
    `cited_ref`) and each said once, with its validity unless `validity` is false (for a
    sentence that states it). Never the citation's or the source's research `note`: that is for
    the campaign's authors."""
    title = source_title(campaign, c.source, lang)
    part = cited_part(title, cited_ref(campaign, c.ref, lang))
    text = f"{title}, {part}" if part else title
    return f"{text} ({c.validity()})" if validity and c.validity() else text
