"""Citations on screen (`complainer arguments`, the wizard's details): the source's title, then
only what the reference adds to it, never a part twice; and never an author's research note
(Citation.note, Source.note, or note wording left in a `ref`), on any screen or in a letter."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from conftest import Runner
from hypothesis import given
from hypothesis import strategies as st

from complainer import i18n
from complainer.campaigns.citing import LINKING_WORDS, cite, cited_part
from complainer.campaigns.claims import load_claims_or_none
from complainer.campaigns.model import Campaign
from complainer.campaigns.registry import open_registry
from complainer.flows.checks.sources import RESEARCH_NOTE_MARKERS, research_note
from complainer.terminal.picker import items_for
from complainer.terminal.tables import point_rows

BUILT_IN = ("kz-petition-2024", "kz-propaganda-law-2025")
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


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
                    content = set(words(piece)) - LINKING_WORDS
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


# Days on which each built-in campaign's citations are displayed: before, inside and after the
# windows of those that expire, so the "cannot be chosen" explanations are shown too.
DAYS = (dt.date(2024, 8, 1), dt.date(2026, 1, 15), dt.date(2026, 11, 30))


def notes_of(campaign: Campaign) -> list[str]:
    """Every research note the campaign's data holds (citations' and sources')."""
    notes = [c.note for p in (*campaign.arguments, *campaign.recommendations) for c in p.citations]
    return [n for n in (*notes, *(s.note for s in campaign.sources.values())) if n]


def assert_no_note(shown: str, notes: list[str], where: str) -> None:
    assert research_note(shown) is None, (where, research_note(shown), shown)
    flat = " ".join(shown.split())
    for note in notes:
        assert note not in flat, (where, note)


def test_the_built_in_campaigns_keep_their_notes_in_the_data() -> None:
    # What the displays below must not show is there to be found: the notes moved out of refs.
    registry = open_registry(None)
    held = {cid: notes_of(registry.load(cid)) for cid in BUILT_IN}
    assert any("existence only" in n for n in held["kz-propaganda-law-2025"])
    assert any("unverified" in n for n in held["kz-propaganda-law-2025"])
    assert any("letters dated" in n for n in held["kz-petition-2024"])


@pytest.mark.parametrize("ui", i18n.UI_LANGUAGES)
@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_no_display_of_a_citation_shows_a_research_note(campaign_id: str, ui: str) -> None:
    """`cite`, the `arguments` table, the picker's items and `?` details (with the reason a point
    cannot be chosen), in each interface language and each letter language."""
    i18n.set_language(ui)
    try:
        campaign = open_registry(None).load(campaign_id)
        notes = notes_of(campaign)
        assert notes, "each built-in campaign holds research notes"
        for point in [*campaign.arguments, *campaign.recommendations]:
            for citation in point.citations:
                for shown in (cite(campaign, citation), cite(campaign, citation, validity=False)):
                    assert_no_note(shown, notes, f"cite {point.id}")
                    title = campaign.sources[citation.source].title
                    assert shown.count(title) == 1, shown  # the document once
                    part = cited_part(title, citation.ref)
                    assert not part or shown.count(part) == 1, shown  # the part once
        for day in DAYS:
            for kind in ("argument", "recommendation"):
                for lang in campaign.languages:
                    for row in point_rows(campaign, kind, lang, day):
                        # The citations column (titles and summaries are texts, not citations).
                        assert_no_note(row[-1], notes, f"arguments {lang} {day}")
                for item in items_for(campaign, kind, day):
                    assert_no_note(item.cites, notes, f"picker {item.id}")
                    assert_no_note(item.outdated, notes, f"picker why {item.id}")
    finally:
        i18n.set_language(None)


@pytest.mark.parametrize("ui", i18n.UI_LANGUAGES)
@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_campaigns_show_shows_no_research_note(cli: Runner, campaign_id: str, ui: str) -> None:
    result = cli("campaigns", "show", campaign_id, "--ui-lang", ui)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    campaign = open_registry(None).load(campaign_id)
    notes = notes_of(campaign)
    flat = " ".join(out.split())
    for note in notes:
        assert note not in flat, note
    # The rest of the screen says, on purpose, what is not established: a recipient address's
    # caveat and the claims (with their confidence) that letters must not state. Citations and
    # sources must not.
    texts = campaign.lang(ui)
    claims, _ = load_claims_or_none(campaign)
    for said in (
        *(texts.recipient(rid).email_note for rid in campaign.recipients),
        *(claim.claim for claim in claims.claims),
        *(f"{claim.id} ({claim.confidence}" for claim in claims.claims),  # its confidence label
    ):
        flat = flat.replace(" ".join(said.split()), "")
    assert_no_note(flat, notes, f"campaigns show --ui-lang {ui}")
    for sid in campaign.sources:  # each source listed once
        assert len(re.findall(rf"(?m)^  {re.escape(sid)} \(", out)) == 1, sid


CITATION_KEYS = {"point", "ref", "source", "title", "url", "valid_from", "valid_until"}


@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_the_letter_and_its_json_carry_no_research_note(cli: Runner, campaign_id: str) -> None:
    # JSON carries each citation's ref (for scripts that list what a letter rests on), never the
    # notes: a script that shows `citations` would show them to the writer.
    campaign = open_registry(None).load(campaign_id)
    notes = notes_of(campaign)
    for day in DAYS:
        for lang in campaign.languages:
            result = cli(
                "draft", "--no-input", "-c", campaign_id, "--name", "Anna Schmidt",
                "--country", "DE", "--lang", lang, "--date", day.isoformat(), "--format", "json",
            )  # fmt: skip
            if result.returncode != 0:  # a day the campaign does not take letters for
                continue
            letter = json.loads(result.stdout)
            assert letter["citations"]
            for c in letter["citations"]:
                assert set(c) == CITATION_KEYS
            assert_no_note(json.dumps(letter, ensure_ascii=False), notes, f"json {lang} {day}")


def test_the_markers_are_documented() -> None:
    text = (Path(__file__).parent.parent / "docs" / "campaign-format.md").read_text("utf-8")
    for what, _ in RESEARCH_NOTE_MARKERS:
        assert what in text, what


def test_the_installed_command_lists_citations_without_notes(run: Runner) -> None:
    # End to end: `complainer arguments` as a supporter runs it, on a date that also shows the
    # citations from 1 July 2026 (the ones whose refs held notes).
    campaign = open_registry(None).load("kz-propaganda-law-2025")
    result = run("arguments", "--campaign", campaign.id, "--date", "2026-11-30", "--ui-lang", "ru")
    assert result.returncode == 0, result.stderr
    cites = [line.split("\t")[-1] for line in result.stdout.decode().splitlines()]
    assert any("CCPR/C/KAZ/CO/3" in c for c in cites)  # the citation is there, its note is not
    for shown in cites:
        assert_no_note(shown, notes_of(campaign), "complainer arguments")


@given(st.text(max_size=200))
def test_a_research_note_is_found_only_in_the_text_it_names(text: str) -> None:
    found = research_note(text)
    assert found is None or found.split("«", 1)[1].rstrip("»") in text
