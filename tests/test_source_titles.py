"""Every screen that names a source names it in the interface language where the campaign gives
its title in that language (`[sources.<id>] title` in texts.toml), else by the source's own title:
`cite` (the `arguments` table, the wizard's `?` details and the reason a point cannot be chosen,
the warning about a point left out), the wizard's preview ("address from: ...") and
`campaigns show`. The part cited (`ref`: article numbers, document symbols) is the language's
`[refs]` entry (`cited_ref`), so that no English words follow a translated title."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import Runner

from complainer import i18n
from complainer.campaigns.citing import cite, source_title
from complainer.campaigns.claims import load_claims_or_none
from complainer.campaigns.model import Campaign, Citation
from complainer.campaigns.registry import open_registry
from complainer.flows.wizard import preview_rows
from complainer.letter.compose import select_points
from complainer.letter.request import DraftValues, build_letter
from complainer.terminal.picker import items_for
from complainer.terminal.tables import point_rows

BUILT_IN = ("kz-petition-2024", "kz-propaganda-law-2025")
TRANSLATED_UI = ("ru", "kk")
# Before, during and after the built-in citations' validity (so that reasons a point cannot be
# chosen, which cite the expired citation, are shown too).
DAYS = (dt.date(2024, 8, 1), dt.date(2026, 1, 15), dt.date(2026, 11, 30))


def localized_titles(campaign: Campaign, ui: str) -> dict[str, str]:
    """Source id -> its title in `ui`, for each source the campaign gives one that differs from
    its own title (those are the ones a screen could get wrong)."""
    texts = campaign.lang(ui)
    found = {sid: texts.source_title(sid) for sid in campaign.sources}
    return {
        sid: title for sid, title in found.items() if title and title != campaign.sources[sid].title
    }


def assert_localized(shown: str, campaign: Campaign, sids: set[str], ui: str, where: str) -> None:
    titles = localized_titles(campaign, ui)
    for sid in sids & set(titles):
        assert titles[sid] in shown, f"{where}: {sid} not titled in {ui}: {shown}"
        assert campaign.sources[sid].title not in shown, f"{where}: {sid} in English: {shown}"


def cited(citations: tuple[Citation, ...] | list[Citation]) -> set[str]:
    return {c.source for c in citations}


@pytest.mark.parametrize("ui", TRANSLATED_UI)
@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_the_built_in_campaigns_title_their_sources_in_each_interface_language(
    campaign_id: str, ui: str
) -> None:
    """Without localized titles the tests below would pass by saying nothing."""
    campaign = open_registry(None).load(campaign_id)
    assert localized_titles(campaign, ui)


@pytest.mark.parametrize("ui", TRANSLATED_UI)
@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_citations_on_screen_title_their_sources_in_the_interface_language(
    campaign_id: str, ui: str
) -> None:
    i18n.set_language(ui)
    try:
        campaign = open_registry(None).load(campaign_id)
        for point in [*campaign.arguments, *campaign.recommendations]:
            for c in point.citations:
                for validity in (True, False):
                    shown = cite(campaign, c, validity=validity, lang=ui)
                    assert_localized(shown, campaign, {c.source}, ui, f"cite {point.id}")
                    # What follows the title (the part cited, the validity) is in `ui` too:
                    # no English word (a lowercase one; names such as Human Rights Watch stay).
                    rest = shown.replace(source_title(campaign, c.source, ui), "", 1)
                    assert not re.search(r"(?<![A-Za-z])[a-z]{2,}", rest), (c.ref, shown)
        for day in DAYS:
            for kind in ("argument", "recommendation"):
                by_id = {p.id: p for p in campaign.points(kind)}
                for row in point_rows(campaign, kind, ui, day):
                    sids = cited(by_id[row[0]].citations)
                    assert_localized(row[-1], campaign, sids, ui, f"arguments {row[0]} {day}")
                for item in items_for(campaign, kind, day):
                    point = by_id[item.id]
                    assert_localized(item.cites, campaign, cited(point.citations), ui, "? details")
                    if item.outdated:
                        sids = {point.expired_citations(day)[0].source}  # the one it names
                        assert_localized(item.outdated, campaign, sids, ui, "cannot be chosen")
                wanted = [p.id for p in campaign.points(kind)]
                _, warnings = select_points(campaign, kind, wanted, day)
                expired = [p for p in campaign.points(kind) if p.expired_citations(day)]
                assert len(warnings) == len(expired)
                for point, warning in zip(expired, warnings, strict=True):
                    sids = {point.expired_citations(day)[0].source}
                    assert_localized(warning, campaign, sids, ui, f"left out {point.id}")
    finally:
        i18n.set_language(None)


@pytest.mark.parametrize("ui", TRANSLATED_UI)
@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_the_wizard_preview_names_the_address_source_in_the_interface_language(
    campaign_id: str, ui: str
) -> None:
    i18n.set_language(ui)
    try:
        campaign = open_registry(None).load(campaign_id)
        shown_any = False
        for target in campaign.targets.values():
            if not target.recipient:
                continue
            source = campaign.recipients[target.recipient].email_source
            values = DraftValues(
                campaign=campaign_id,
                target=target.id,
                name="Anna Schmidt",
                country="DE",
                lang=campaign.languages[0],
            )
            letter = build_letter(values, campaign)
            rows = preview_rows(campaign, letter)
            text = "\n".join(value for _, value in rows)
            assert source_title(campaign, source, ui) in text
            assert_localized(text, campaign, {source}, ui, f"preview {target.id}")
            shown_any = shown_any or source in localized_titles(campaign, ui)
        assert shown_any, "no target's address source has a title in this language"
    finally:
        i18n.set_language(None)


@pytest.mark.parametrize("ui", TRANSLATED_UI)
@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_campaigns_show_titles_every_source_in_the_interface_language(
    cli: Runner, campaign_id: str, ui: str
) -> None:
    result = cli("campaigns", "show", campaign_id, "--ui-lang", ui)
    assert result.returncode == 0, result.stderr
    flat = " ".join(result.stdout.decode().split())
    campaign = open_registry(None).load(campaign_id)
    claims, _ = load_claims_or_none(campaign)
    texts = campaign.lang(ui)
    for source in (*campaign.sources.values(), *claims.sources.values()):
        title = texts.source_title(source.id)
        if title and title != source.title:
            assert " ".join(title.split()) in flat, source.id
            assert " ".join(source.title.split()) not in flat, source.id


@pytest.mark.parametrize("lang", ["en", *TRANSLATED_UI])
@pytest.mark.parametrize("campaign_id", BUILT_IN)
def test_the_part_cited_does_not_repeat_the_titles_document_numbers(
    campaign_id: str, lang: str
) -> None:
    """A ref worded unlike its title (kk "20 маусым" against "20 маусымдағы") is not recognised
    as said by it, and its numbers ("44092/12") were shown twice: a part cited never repeats a
    case or document number its title holds."""
    campaign = open_registry(None).load(campaign_id)
    for point in [*campaign.arguments, *campaign.recommendations]:
        for c in point.citations:
            title = source_title(campaign, c.source, lang)
            rest = cite(campaign, c, validity=False, lang=lang).replace(title, "", 1)
            twice = set(re.findall(r"\d+/\d+", rest)) & set(re.findall(r"\d+/\d+", title))
            assert not twice, (point.id, c.ref, rest)
