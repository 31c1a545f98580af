"""Citations on screen (`complainer arguments`, the wizard's details): the source's title, then
only what the reference adds to it, never a part twice."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complainer import i18n
from complainer.campaigns.registry import open_registry
from complainer.terminal.tables import cite, cited_part

BUILT_IN = ("kz-petition-2024", "kz-propaganda-law-2025")
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


LINKING = set(
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


@pytest.mark.parametrize("ui", i18n.UI_LANGUAGES)
@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_every_built_in_citation_says_each_part_once(campaign_id: str, ui: str) -> None:
    i18n.set_language(ui)
    try:
        campaign = open_registry(None).load(campaign_id)
        for point in [*campaign.arguments, *campaign.recommendations]:
            for citation in point.citations:
                title = campaign.sources[citation.source].title
                shown = cite(campaign, citation)
                added = shown[len(title) :]
                assert shown.startswith(title)
                added = re.sub(r" \((valid|действ|жарамд)[^()]*\)$", "", added)  # the validity
                # Neither the whole reference, nor an aside or part of it, that the title
                # already holds: "Law No. 91 …, Law No. 91 …", "CCPR/C/KAZ/CO/2 (2016), … (2016)".
                title_words = set(words(title))
                pieces = re.findall(r"\(([^()]*)\)", added) + re.split(r"[,:;]\s+", added)
                for piece in pieces:
                    content = set(words(piece)) - LINKING
                    assert not content or not content <= title_words, (point.id, piece, shown)
    finally:
        i18n.set_language(None)


@pytest.mark.parametrize(
    ("title", "ref", "added"),
    [
        ("Law of the Republic of Kazakhstan No. 91 of 28 November 2005 ratifying the ICCPR",
         "Law No. 91 of 28 November 2005", ""),
        ("Human Rights Committee, concluding observations on the second periodic report of"
         " Kazakhstan, CCPR/C/KAZ/CO/2 (2016)", "paras 9-10 (2016)", "paras 9-10"),
        ("Human Rights Committee, Toonen v. Australia, CCPR/C/50/D/488/1992 (views of 31 March"
         " 1994)", "CCPR/C/50/D/488/1992, para. 8.7", "para. 8.7"),
        ("Constitution of the Republic of Kazakhstan of 30 August 1995", "arts 4(3), 14 and 20",
         "arts 4(3), 14 and 20"),
        ("International Covenant on Civil and Political Rights (1966)", "arts 2(1) and 26",
         "arts 2(1) and 26"),
        ("CAT/C/KAZ/CO/4 (2023), as reported by Human Rights Watch",
         "2023: no mandatory surgery, as reported by Human Rights Watch", "no mandatory surgery"),
        ("Some report (2016)", "para. 10 (2016): review procedures", "para. 10: review procedures"),
    ],
)  # fmt: skip
def test_what_a_reference_adds_to_its_title(title: str, ref: str, added: str) -> None:
    assert cited_part(title, ref) == added


@given(st.text(max_size=80), st.text(max_size=80))
def test_the_part_shown_comes_from_the_reference(title: str, ref: str) -> None:
    shown = cited_part(title, ref)
    assert set(words(shown)) <= set(words(ref))
    assert "\n" not in shown or "\n" in ref
