"""Letters to a recipient the writer names: the text fits the recipient actually given (issue 13,
item 10). A foreign ministry may be called an Office, a Department or an Amt, so no letter whose
recipient the writer names may call that recipient "the Ministry"; it addresses them directly."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from complainer.campaigns.model import load_campaign
from complainer.letter.compose import Request, compose
from complainer.letter.writer import Writer
from complainer.paths import content_root

CAMPAIGNS = ("kz-propaganda-law-2025", "kz-petition-2024")
DAYS = {"kz-propaganda-law-2025": dt.date(2026, 11, 30), "kz-petition-2024": dt.date(2024, 7, 1)}
WRITER = Writer("Anna Schmidt", "DE", "Berlin")
# Kazakhstan's Ministry of Foreign Affairs, named on purpose (cut out before searching), and its
# Ministry of Culture and Information: a paragraph about that one may refer back to it as "the Ministry".
FOREIGN = {
    "en": r"Ministry of Foreign Affairs",
    "ru": r"Министерств\w* иностранных дел",
    "kk": r"Сыртқы істер министрлі\w*",
}
CULTURE = {
    "en": r"Ministry of Culture and Information",
    "ru": r"Министерств\w* культуры и информации",
    "kk": r"Мәдениет және ақпарат министрлі\w*",
}
KIND = {"en": r"\bministry\b", "ru": r"министерств", "kk": r"министрлі"}


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_named_institution_is_not_called_a_ministry(campaign_id: str, lang: str) -> None:
    campaign = load_campaign(content_root() / "campaigns" / campaign_id)
    targets = [tid for tid, t in campaign.targets.items() if t.recipient is None]
    assert "foreign-ministry" in targets
    for tid in targets:
        slots = campaign.texts[lang].target(tid).paragraphs
        for seed in range(max(len(v) for v in slots.values())):
            for kind, name in (("institution", "Federal Foreign Office"), ("person", "Jane Doe")):
                request = Request(
                    language=lang, date=DAYS[campaign_id], target=tid, seed=seed,
                    to_email="office@diplo.example.de", to_name=name, to_kind=kind,
                    phrasings=dict.fromkeys((f"{tid}.{s}" for s in slots), seed),
                )  # fmt: skip
                letter = compose(campaign, WRITER, request)
                body = re.sub(FOREIGN[lang], "", letter.body)
                own = [p for p in body.split("\n\n") if not re.search(CULTURE[lang], p)]
                found = [p for p in own if re.search(KIND[lang], p, re.IGNORECASE)]
                assert found == [], (campaign_id, lang, tid, seed, kind, found)
                if kind == "institution":
                    assert f"Dear {name}" not in letter.body
                else:
                    assert name in letter.body
