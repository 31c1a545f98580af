"""Letters written from abroad are not offered to writers who live in Kazakhstan.

Every phrasing (subject, paragraph, title, summary) of every target that a writer in Kazakhstan
may use, in every built-in campaign and language, is searched for wording that assumes the writer
lives abroad: a protest "at Kazakhstan's embassy where I live", "activists there", "journalists
abroad". Such a target needs `not_for = ["KZ"]` (or phrasings that follow the writer's country).
The same patterns must find something in the targets that are held back, so the test can fail.
And a letter to one's own deputy defaults to the languages a deputy reads.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, assert_clean_error

from complainer.campaigns.model import Campaign, load_campaign
from complainer.errors import CampaignError
from complainer.letter.request import default_language
from complainer.paths import content_root
from complainer.terminal import questions

# Wording that only makes sense from outside Kazakhstan, per letter language.
ABROAD = {
    "en": r"\babroad\b|embass|consulat|diplomatic mission|where I live|near me|activists there"
    r"|other countries|foreign (press|journalists|media)|international media",
    "ru": r"за рубеж|посольств|консульств|дипломатическ\w+ представительств|где я живу|рядом со мной"
    r"|оттуда|других стран|иностранн\w+ (пресс|журналист|СМИ)|международн\w+ СМИ",
    "kk": r"шетел|елшілі|консулд|дипломатиялық өкілдіг|мен тұратын|маған жақын|басқа елдердің"
    r"|халықаралық БАҚ",
}


def _campaigns() -> list[Campaign]:
    folders = sorted(p.parent for p in (content_root() / "campaigns").glob("*/campaign.toml"))
    return [load_campaign(folder) for folder in folders]


def _texts(campaign: Campaign, lang: str, tid: str) -> list[str]:
    t = campaign.lang(lang).target(tid)
    return [t.title, t.summary, *t.subjects, *(p for ps in t.paragraphs.values() for p in ps)]


def _hits(campaign: Campaign, tid: str) -> list[str]:
    found = []
    for lang in campaign.languages:
        pattern = re.compile(ABROAD[lang], re.IGNORECASE)
        for text in _texts(campaign, lang, tid):
            if match := pattern.search(text):
                found.append(f"{campaign.id}/{lang}/{tid}: {match.group(0)!r} in {text[:80]!r}")
    return found


def test_no_letter_offered_in_kazakhstan_assumes_the_writer_lives_abroad() -> None:
    campaigns = _campaigns()
    assert {c.id for c in campaigns} >= {"kz-petition-2024", "kz-propaganda-law-2025"}
    held_back: list[str] = []
    for campaign in campaigns:
        for tid, target in campaign.targets.items():
            if target.suits("KZ"):
                assert _hits(campaign, tid) == [], f"{tid} is offered to writers in Kazakhstan"
            else:
                held_back.extend(_hits(campaign, tid))
    # The patterns are live: the letters held back do say these things, in every language.
    for lang in ("en", "ru", "kk"):
        assert any(f"/{lang}/activists:" in h for h in held_back), lang
        assert any(f"/{lang}/journalist:" in h for h in held_back), lang


@pytest.mark.parametrize("cid", ["kz-petition-2024", "kz-propaganda-law-2025"])
def test_the_wizard_does_not_offer_letters_from_abroad_in_kazakhstan(
    cid: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = load_campaign(content_root() / "campaigns" / cid)
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    questions.target(campaign, "en", "KZ")
    menu = capsys.readouterr().err
    for tid in ("activists", "journalist", "mp", "foreign-ministry"):
        title = campaign.lang("en").target(tid).title
        assert title not in menu
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    questions.target(campaign, "en", "DE")
    assert campaign.lang("en").target("activists").title in capsys.readouterr().err


def test_draft_refuses_the_activists_letter_from_kazakhstan(cli: Runner) -> None:
    result = cli("draft", "--campaign", "kz-propaganda-law-2025", "--name", "A", "--country",
                 "KZ", "--target", "activists", "--no-input", "--date", LETTER_DATE)  # fmt: skip
    assert_clean_error(result, 2, '"activists" letter is not for writers in Kazakhstan')


def test_a_letter_to_ones_deputy_defaults_to_kazakh_or_russian() -> None:
    campaign = load_campaign(content_root() / "campaigns" / "kz-propaganda-law-2025")
    assert campaign.reads("deputy") == ("kk", "ru")
    assert default_language(campaign, "deputy") == "kk"
    assert default_language(campaign, "deputy", reader="ru") == "ru"
    assert default_language(campaign, "deputy", reader="en") == "kk"
    assert default_language(campaign, "ministry") == "kk"
    assert campaign.reads("journalist") == ()
    assert default_language(campaign, "journalist") == "en"


@pytest.mark.parametrize(
    ("line", "needle"),
    [('reads = ["kk", "ru!"]', "'ru!', which is not a BCP 47 language tag"),
     ('reads = ["kk"]\nrecipient = "mci"', "is for a target without a recipient")],
)  # fmt: skip
def test_a_targets_reads_is_checked(tmp_path: Path, line: str, needle: str) -> None:
    folder = tmp_path / "kz-propaganda-law-2025"
    shutil.copytree(content_root() / "campaigns" / "kz-propaganda-law-2025", folder)
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    before, found, after = text.rpartition('reads = ["kk", "ru"]\n')  # the deputy's, the last
    assert found and "only_for" in before[-300:]
    toml.write_text(before + line + "\n" + after, encoding="utf-8")
    with pytest.raises(CampaignError, match=re.escape(needle)) as info:
        load_campaign(folder)
    assert "targets" in str(info.value) and "reads" in str(info.value)
