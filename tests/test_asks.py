"""Request paragraphs that follow the recommendations chosen (issue 13, item 6).

A target's `asks` names the recommendations its own request paragraph makes. For every combination
of them, in every language, the letter makes each chosen request exactly once (in the request
paragraph, never again in the list of recommendations) and no request the writer left out; the
default letter still asks for repeal and non-enforcement. `complainer check` proves the same for
any campaign, and refuses keyed paragraphs with missing combinations or asked recommendations
without a marker.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from conftest import Runner, stdout_of
from test_check_rules import edit, make_campaign, problems

from complainer import cache
from complainer.campaigns.model import asks_key, load_campaign
from complainer.errors import CampaignError
from complainer.letter.compose import EmptyLetter, Request, compose
from complainer.letter.writer import Writer
from complainer.paths import content_root

LAW = "kz-propaganda-law-2025"
DAYS = (dt.date(2026, 1, 15), dt.date(2026, 11, 30))  # either side of the Kurultai's first day
WRITER = Writer("Anna Schmidt", "DE", "Berlin")
TO = {"to_email": "office@parliament.example.de", "to_name": "Jane Doe"}

# How each request reads in each language, written here independently of the campaign's own
# markers, so that a marker too loose or too strict in the data cannot make this test pass.
REQUESTS = {
    "en": {"repeal-amendments": r"\brepeal", "suspend-enforcement": r"\benforc"},
    "ru": {
        "repeal-amendments": r"отмен(?!яет)",
        "suspend-enforcement": r"не примен|приостанов|не допуска\w* (?:их )?применени"
        r"|воздерж\w+ от (?:их )?применени|прекрат\w+ (?:их )?применени",
    },
    "kk": {
        "repeal-amendments": r"күшін жо[юя]|күші жойыл",
        "suspend-enforcement": r"қолданба|қолдануды (?:\w+ )?тоқтат|қолданылуына жол берме",
    },
}


@pytest.fixture(scope="module")
def law():  # type: ignore[no-untyped-def]
    return load_campaign(content_root() / "campaigns" / LAW)


def _paragraphs(body: str, subject: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", body) if p.strip() and subject not in p]


def _combinations(asks: tuple[str, ...]) -> list[list[str]]:
    return [list(c) for n in range(len(asks) + 1) for c in itertools.combinations(asks, n)]


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("target", ["ministry", "mp", "deputy", "foreign-ministry"])
def test_each_chosen_request_once_and_no_other(law, lang: str, target: str) -> None:  # type: ignore[no-untyped-def]
    asks = law.targets[target].asks
    assert asks, f"{target} should make its own request"
    ttext = law.texts[lang].target(target)
    for chosen, extra, day in itertools.product(
        _combinations(asks), ([], ["anti-discrimination-law"]), DAYS
    ):
        slot = f"ask[{asks_key(chosen)}]"
        for variant in range(len(ttext.paragraphs[slot])):
            request = Request(
                language=lang, date=day, target=target, recommendations=[*chosen, *extra],
                phrasings={f"{target}.{slot}": variant}, seed=variant,
                **({} if target == "ministry" else TO),
            )  # fmt: skip
            letter = compose(law, WRITER, request)
            where = f"{target}/{lang}/{day} {chosen}+{extra} variant {variant + 1}"
            paragraphs = _paragraphs(letter.body, letter.subject)
            for rid, pattern in REQUESTS[lang].items():
                if rid not in asks:
                    continue
                found = [p for p in paragraphs if re.search(pattern, p, re.IGNORECASE)]
                if rid in chosen:
                    assert len(found) == 1, (where, rid, found)
                    assert not re.match(r"\d+\. ", found[0]), (where, "listed again", rid)
                else:
                    assert found == [], (where, rid, found)
                    assert not re.search(pattern, letter.subject, re.IGNORECASE), where
            # The letter still records every recommendation chosen (json output, report).
            assert list(letter.recommendations) == [
                p.id for p in law.recommendations if p.id in {*chosen, *extra}
            ]
            listed = re.findall(r"^\d+\. ", letter.body, re.MULTILINE)
            assert listed == [], (where, listed)  # a single recommendation is not numbered


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_default_letter_still_asks_for_repeal_and_non_enforcement(law, lang: str) -> None:  # type: ignore[no-untyped-def]
    for seed in range(12):
        letter = compose(law, WRITER, Request(language=lang, date=DAYS[1], seed=seed))
        assert set(letter.recommendations) == {"repeal-amendments", "suspend-enforcement"}
        paragraphs = _paragraphs(letter.body, letter.subject)
        for pattern in REQUESTS[lang].values():
            assert len([p for p in paragraphs if re.search(pattern, p, re.IGNORECASE)]) == 1
        assert not re.search(r"^\d+\. ", letter.body, re.MULTILINE)  # nothing listed twice


@pytest.mark.parametrize("name", ["kz-petition-2024", LAW])
@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_single_recommendation_is_not_numbered_and_several_are(name: str, lang: str) -> None:
    campaign = load_campaign(content_root() / "campaigns" / name)
    listing = [t for t in ("ministry", "mp", "deputy", "foreign-ministry") if t in campaign.targets]
    assert len(listing) >= 3, name
    for target_id in listing:
        target = campaign.targets[target_id]
        free = [r.id for r in campaign.recommendations if r.id not in target.asks]
        assert len(free) >= 2, (name, target_id)
        for chosen in (free[:1], free[:2], free):
            request = Request(
                language=lang, date=DAYS[1], target=target_id, recommendations=chosen,
                **({} if target_id == "ministry" else TO),
            )  # fmt: skip
            body = compose(campaign, WRITER, request).body
            listed = re.findall(r"^(\d+)\. ", body, re.MULTILINE)
            wanted = [str(n) for n in range(1, len(chosen) + 1)] if len(chosen) > 1 else []
            assert listed == wanted, (name, target_id, lang, chosen, listed)


def test_a_request_alone_is_a_letter_and_nothing_at_all_is_refused(law) -> None:  # type: ignore[no-untyped-def]
    only = Request(language="en", date=DAYS[1], arguments=[], recommendations=["repeal-amendments"])
    letter = compose(law, WRITER, only)
    assert re.search(r"\brepeal", letter.body) and not re.search(r"\benforc", letter.body)
    with pytest.raises(EmptyLetter):
        compose(law, WRITER, Request(language="en", date=DAYS[1], arguments=[], recommendations=[]))


def test_draft_without_non_enforcement(run: Runner) -> None:
    """The installed command: a writer who leaves non-enforcement out is not made to ask for it."""
    result = run(
        "draft", "--name", "Anna Schmidt", "--country", "DE", "--lang", "en",
        "--date", "2026-11-30", "-r", "repeal-amendments", "-r", "anti-discrimination-law",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = stdout_of(result)
    assert "enforc" not in body.lower()
    assert len([p for p in body.split("\n\n") if re.search(r"\brepeal", p)]) == 1
    # Only the anti-discrimination law is listed, and alone it is not numbered.
    assert "anti-discrimination" in body and not re.search(r"^\d+\. ", body, re.MULTILINE)


# --- check, on a small campaign ------------------------------------------------------------------

ASKS_CAMPAIGN = """
[[recommendations]]
id = "repeal"
default = true
citations = [{ source = "law", ref = "art. 2" }]

[[recommendations]]
id = "listen"
default = false
citations = [{ source = "law", ref = "art. 3" }]
"""

ASKS_TEXTS = {
    "en": """
[recommendations.repeal]
title = "Repeal"
summary = "Repeal the law."
marker = '\\brepeal'
text = ["The law should be repealed.", "Repeal the law.", "It should go: repeal it."]
[recommendations.listen]
title = "Listen"
summary = "Listen to people."
text = ["Listen to people.", "Hear the people concerned.", "Consult those affected."]
""",
    "ru": """
[recommendations.repeal]
title = "Отмена"
summary = "Отменить закон."
marker = 'отмен'
text = ["Закон следует отменить.", "Отменить закон.", "Нужна отмена закона."]
[recommendations.listen]
title = "Диалог"
summary = "Выслушать людей."
text = ["Выслушать людей.", "Учесть мнение затронутых людей.", "Провести консультации."]
""",
}
ASK_LINES = {
    "en": (
        'ask.repeal = ["I ask for its repeal.", "Please repeal it.", "The law should be repealed."]\n'
        'ask.none = ["I ask you to review it.", "Please look at it again.", "It needs review."]\n'
    ),
    "ru": (
        'ask.repeal = ["Прошу его отменить.", "Прошу об отмене.", "Закон следует отменить."]\n'
        'ask.none = ["Прошу его пересмотреть.", "Прошу рассмотреть его снова.", "Нужен пересмотр."]\n'
    ),
}
ASKS_LAYOUT = (
    "{{ p.opening }}\n\n{{ p.ask }}\n\n{% for a in arguments %}{{ a.text }}\n\n{% endfor %}"
    "{% for r in recommendations %}{{ loop.index }}. {{ r.text }}\n{% endfor %}\n{{ writer.name }}\n"
)


@pytest.fixture
def asking(tmp_path: Path) -> Path:
    folder = make_campaign(tmp_path)
    edit(folder / "campaign.toml", 'recipient = "mci"\n', 'recipient = "mci"\nasks = ["repeal"]\n')
    with (folder / "campaign.toml").open("a", encoding="utf-8") as f:
        f.write(ASKS_CAMPAIGN)
    for lang in ("en", "ru"):
        texts = folder / lang / "texts.toml"
        edit(texts, "[targets.mp]\n", ASK_LINES[lang] + "[targets.mp]\n")
        with texts.open("a", encoding="utf-8") as f:
            f.write(ASKS_TEXTS[lang])
        (folder / lang / "ministry.j2").write_text(ASKS_LAYOUT, encoding="utf-8")
    return folder


def test_a_sound_campaign_with_asks_passes_and_composes(asking: Path) -> None:
    assert problems(asking) == []
    campaign = load_campaign(asking)
    letter = compose(campaign, WRITER, Request(language="en", date=DAYS[1], seed=0))
    assert "repeal" in letter.body.lower() and "1. " not in letter.body
    letter = compose(
        campaign, WRITER, Request(language="en", date=DAYS[1], recommendations=["listen"])
    )
    assert "repeal" not in letter.body.lower() and "1. " in letter.body


def test_an_unchosen_request_made_anyway_fails(asking: Path) -> None:
    edit(asking / "en" / "texts.toml", '"Please look at it again."', '"Please repeal it at once."')
    found = problems(asking)
    assert any("makes the request 'repeal', which was not chosen" in p for p in found), found


def test_a_chosen_request_not_made_fails(asking: Path) -> None:
    edit(asking / "ru" / "texts.toml", '"Прошу об отмене."', '"Прошу подумать."')
    found = problems(asking)
    assert any("makes the request 'repeal' in 0 paragraphs" in p for p in found), found


def test_a_missing_combination_fails(asking: Path) -> None:
    edit(
        asking / "en" / "texts.toml",
        'ask.none = ["I ask you to review it.", "Please look at it again.", "It needs review."]\n',
        "",
    )
    found = problems(asking)
    assert any("needs exactly the keys none, repeal" in p and "missing: none" in p for p in found)


def test_an_asked_recommendation_without_a_marker_fails(asking: Path) -> None:
    edit(asking / "ru" / "texts.toml", "marker = 'отмен'\n", "")
    found = problems(asking)
    assert any("'recommendations.repeal.marker' is missing" in p for p in found), found


def test_an_edited_marker_is_compiled_again(
    asking: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Markers found to compile are remembered in the cache by their text (campaigns.model
    `_check_markers`): one edited since is compiled, and refused, as if none had been."""
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    for _ in range(2):  # the second run finds them remembered
        assert load_campaign(asking, all_languages=False).texts["ru"].code == "ru"
    assert list((tmp_path / "cache" / "markers").glob("*.pickle"))
    edit(asking / "ru" / "texts.toml", "marker = 'отмен'\n", "marker = 'отмен('\n")
    with pytest.raises(CampaignError, match=r"'recommendations\.repeal\.marker' is not a regular"):
        load_campaign(asking, all_languages=False).texts["ru"]


def test_asks_must_name_a_recommendation(asking: Path) -> None:
    edit(asking / "campaign.toml", 'asks = ["repeal"]', 'asks = ["repel"]')
    found = problems(asking)
    assert any("'repel', which is not a [[recommendations]] id" in p for p in found), found
