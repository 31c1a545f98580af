"""The rules of `complainer check` added for the reviews: each is shown to pass a small sound
campaign and to fail once the fault it exists for is put back (issue 12, item 4)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from conftest import Runner, assert_clean_error, stdout_of

from complainer.campaigns.model import load_campaign
from complainer.flows.check import check_folder

TODAY = dt.date(2026, 11, 30)

CAMPAIGN = """
id = "tiny"
status = "open"
languages = ["en", "ru"]
default_target = "ministry"

[[recipients]]
id = "mci"
email = "office@culture.gov.kz"
email_source = "law"
reads = ["ru"]

[[targets]]
id = "ministry"
recipient = "mci"

[[targets]]
id = "mp"

[[sources]]
id = "law"
title = "A law"
url = "https://adilet.zan.kz/law"
confidence = "verified"

[[arguments]]
id = "speech"
default = true
citations = [{ source = "law", ref = "art. 1" }]
"""

EN = """
language = "en"
[campaign]
title = "Tiny"
summary = "A test campaign."
status_note = "Open."
[recipients.mci]
name = "The Ministry"
address = ["1 Main Street"]
[targets.ministry]
title = "To the Ministry"
summary = "One line."
subject = ["Subject one", "Subject two"]
[targets.ministry.paragraphs]
opening = ["I write to you about the law.", "You will know the law.", "I write about the law to you."]
[targets.mp]
title = "To an MP"
summary = "One line."
subject = ["Subject one", "Subject two"]
[targets.mp.paragraphs]
opening = ["I ask you to act.", "Please act.", "Would you act?"]
[arguments.speech]
title = "Speech"
summary = "Free speech."
text = ["{{ 'Speech is free.' if date_iso < '2026-07-01' else 'Speech stays free.' }}", "Free speech matters.", "Expression is protected."]
"""

RU = """
language = "ru"
[campaign]
title = "Крошка"
summary = "Тестовая кампания."
status_note = "Открыта."
[recipients.mci]
name = "Министерство"
address = ["ул. Главная, 1"]
[targets.ministry]
title = "Министерству"
summary = "Строка."
subject = ["Тема один", "Тема два"]
[targets.ministry.paragraphs]
opening = ["Пишу вам о законе.", "Обращаюсь к вам по поводу закона.", "Прошу вас рассмотреть закон."]
[targets.mp]
title = "Депутату"
summary = "Строка."
subject = ["Тема один", "Тема два"]
[targets.mp.paragraphs]
opening = ["Прошу Вас действовать.", "Вы можете помочь.", "Обращаюсь к Вам."]
[arguments.speech]
title = "Слово"
summary = "Свобода слова."
text = ["{{ 'Слово свободно.' if date_iso < '2026-07-01' else 'Слово остаётся свободным.' }}", "Свобода слова важна.", "Выражение мнений защищено."]
"""

LAYOUT = (
    "{{ p.opening }}\n\n{% for a in arguments %}{{ a.text }}\n\n{% endfor %}{{ writer.name }}\n"
)

GLOSSARY_RU = r"""
language = "ru"
[abbreviations]
token = '(?<![\w/])[А-ЯЁ]{2,}(?![\w/])'
known = ["ООН"]
[abbreviations.explain]
"УПО" = 'Универсальн\w+ периодическ\w+ обзор\w*'
[you]
case_sensitive = true
sentence_start_neutral = true
singular = ['\b(?:Вы|Вас|Вам|Ваш\w*)\b']
plural = ['\b(?:вы|вас|вам|ваш\w*)\b']
[[terms]]
prefer = "пропаганда ЛГБТ"
reject = ['ЛГБТ[- ]пропаганд\w*']
why = "the petition's wording"
"""

CHECK = """
[targets.ministry]
you = "plural"
[targets.mp]
you = "singular"
"""


def make_campaign(base: Path) -> Path:
    folder = base / "tiny"
    for lang, texts in (("en", EN), ("ru", RU)):
        (folder / lang).mkdir(parents=True)
        (folder / lang / "texts.toml").write_text(texts, encoding="utf-8")
        for target in ("ministry", "mp"):
            (folder / lang / f"{target}.j2").write_text(LAYOUT, encoding="utf-8")
    (folder / "campaign.toml").write_text(CAMPAIGN, encoding="utf-8")
    (folder / "glossary").mkdir()
    (folder / "glossary" / "ru.toml").write_text(GLOSSARY_RU, encoding="utf-8")
    (folder / "check.toml").write_text(CHECK, encoding="utf-8")
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return make_campaign(tmp_path)


def problems(folder: Path) -> list[str]:
    return check_folder(folder, TODAY).problems


def test_the_sound_campaign_passes(tiny: Path) -> None:
    assert problems(tiny) == []


def test_a_rejected_glossary_variant_fails(tiny: Path) -> None:
    edit(tiny / "ru" / "texts.toml", "Свобода слова важна.", "ЛГБТ-пропаганда не довод.")
    found = problems(tiny)
    assert any("«ЛГБТ-пропаганда»" in p and "«пропаганда ЛГБТ»" in p for p in found), found
    assert any("arguments.speech.text' phrasing 2" in p for p in found)


def test_the_shared_glossary_applies_to_every_campaign(tiny: Path) -> None:
    (tiny / "glossary" / "ru.toml").unlink()
    edit(tiny / "ru" / "texts.toml", "Свобода слова важна.", "Ведёт в обратную сторону.")
    assert any("в обратную сторону" in p for p in problems(tiny))


def test_an_unexplained_abbreviation_fails(tiny: Path) -> None:
    edit(tiny / "ru" / "texts.toml", "Свобода слова важна.", "Об этом говорил УВКПЧ.")
    assert any("abbreviation «УВКПЧ»" in p for p in problems(tiny))


def test_an_abbreviation_before_its_long_form_fails_and_after_it_passes(tiny: Path) -> None:
    edit(tiny / "ru" / "texts.toml", "Свобода слова важна.", "Это решение УПО.")
    assert any("«УПО» is used before its long form" in p for p in problems(tiny))
    edit(
        tiny / "ru" / "texts.toml",
        "Это решение УПО.",
        "Универсальный периодический обзор (УПО) это решил.",
    )
    assert not any("УПО" in p for p in problems(tiny))


def test_a_date_gate_in_one_language_only_fails(tiny: Path) -> None:
    edit(
        tiny / "ru" / "texts.toml",
        "{{ 'Слово свободно.' if date_iso < '2026-07-01' else 'Слово остаётся свободным.' }}",
        "Слово свободно.",
    )
    found = problems(tiny)
    assert any(
        "arguments.speech.text' phrasing 1" in p and "en: 2026-07-01" in p and "ru: never" in p
        for p in found
    ), found


def test_a_gate_on_another_day_in_one_language_fails(tiny: Path) -> None:
    edit(tiny / "ru" / "texts.toml", "date_iso < '2026-07-01'", "date_iso < '2026-08-01'")
    found = problems(tiny)
    assert any("en: 2026-07-01" in p and "ru: 2026-08-01" in p for p in found), found


def test_an_unequal_number_of_variants_fails(tiny: Path) -> None:
    edit(
        tiny / "ru" / "texts.toml",
        ', "Выражение мнений защищено."]',
        ', "Выражение мнений защищено.", "Ещё один."]',
    )
    found = problems(tiny)
    assert any("different number of phrasings per language (en: 3, ru: 4)" in p for p in found)


def test_a_paragraph_missing_in_one_language_fails(tiny: Path) -> None:
    edit(
        tiny / "en" / "texts.toml",
        "[targets.mp.paragraphs]\n",
        '[targets.mp.paragraphs]\nclosing = ["a", "b", "c"]\n',
    )
    found = problems(tiny)
    assert any("targets.mp.paragraphs.closing' exists in en but not in ru" in p for p in found)


def test_the_wrong_you_for_one_person_fails(tiny: Path) -> None:
    edit(tiny / "ru" / "texts.toml", "Обращаюсь к Вам.", "Обращаюсь к вам.")
    found = problems(tiny)
    assert any("'mp' addresses its reader in the singular" in p and "«вам»" in p for p in found)


def test_the_wrong_you_for_a_body_fails_but_a_sentence_initial_capital_does_not(tiny: Path) -> None:
    edit(tiny / "ru" / "texts.toml", "Пишу вам о законе.", "Вы знаете закон.")
    assert problems(tiny) == []
    edit(tiny / "ru" / "texts.toml", "Вы знаете закон.", "Пишу Вам о законе.")
    found = problems(tiny)
    assert any("'ministry' addresses its reader in the plural" in p and "«Вам»" in p for p in found)


def test_kazakh_you_forms_from_the_shared_glossary() -> None:
    from complainer.campaigns.glossary import load_glossary
    from complainer.flows.checks.pronouns import forms_of

    you = load_glossary("kk").you
    assert you is not None
    # The Kazakh editor's defect 5: singular forms under a plural salutation.
    assert forms_of(you, "singular", "Назарыңызға рақмет. Жауабыңызды күтемін. Сізге жазамын.") == [
        "Сізге", "Назарыңызға", "Жауабыңызды",
    ]  # fmt: skip
    assert forms_of(you, "singular", "Бұл маңызды. Сіздерге және әріптестеріңізге.") == []
    assert forms_of(you, "plural", "Өтінішімді қарағандарыңыз үшін, сіздерге") == [
        "сіздерге", "қарағандарыңыз",
    ]  # fmt: skip


def test_an_unverified_citation_fails(tiny: Path) -> None:
    edit(
        tiny / "campaign.toml",
        '{ source = "law", ref = "art. 1" }',
        '{ source = "law", ref = "art. 1", confidence = "unverified" }',
    )
    found = problems(tiny)
    assert any("cites law (art. 1), marked unverified" in p for p in found)
    assert any("needs at least one citation" in p for p in found)


def test_an_argument_without_citations_fails(tiny: Path) -> None:
    edit(
        tiny / "campaign.toml", 'citations = [{ source = "law", ref = "art. 1" }]', "citations = []"
    )
    assert any("citations' must list at least one citation" in p for p in problems(tiny))


CLAIMS = """
[[claims]]
id = "caused"
claim = "The law grew out of the petition."
confidence = "unverified"
[claims.markers]
en = ['grew out of']
ru = ['вырос\\w* из']

[[claims]]
id = "old-constitution"
claim = "Treaties prevail over laws."
confidence = "verified"
sources = ["law"]
valid_until = 2026-06-30
[claims.markers]
en = ['prevail over laws']
"""


def test_an_unverified_claim_in_letter_text_fails(tiny: Path) -> None:
    (tiny / "claims.toml").write_text(CLAIMS, encoding="utf-8")
    assert problems(tiny) == []
    edit(tiny / "ru" / "texts.toml", "Свобода слова важна.", "Закон вырос из петиции.")
    found = problems(tiny)
    assert any("states the claim 'caused'" in p and "unverified" in p for p in found), found


def test_a_claim_on_a_day_it_is_not_true_fails(tiny: Path) -> None:
    (tiny / "claims.toml").write_text(CLAIMS, encoding="utf-8")
    edit(tiny / "en" / "texts.toml", "Free speech matters.", "Treaties prevail over laws.")
    found = problems(tiny)
    assert any(
        "states the claim 'old-constitution'" in p and "dated 2026-07-01" in p for p in found
    ), found
    # The claim's end is a date boundary: the day after it is rendered without check.toml.
    edit(
        tiny / "en" / "texts.toml",
        "Treaties prevail over laws.",
        "{% if date_iso <= '2026-06-30' %}Treaties prevail over laws.{% else %}Free speech matters.{% endif %}",
    )
    edit(
        tiny / "ru" / "texts.toml",
        "Свобода слова важна.",
        "{% if date_iso <= '2026-06-30' %}Договоры выше законов.{% else %}Свобода слова важна.{% endif %}",
    )
    assert problems(tiny) == []


def test_a_claim_without_a_source_is_refused(tiny: Path) -> None:
    (tiny / "claims.toml").write_text(CLAIMS.replace('sources = ["law"]\n', ""), encoding="utf-8")
    found = problems(tiny)
    assert (
        len(found) == 1
        and "claims.toml: field 'claims[1].sources' must name at least one source" in found[0]
    )


def test_a_bad_glossary_pattern_names_file_and_field(tiny: Path) -> None:
    edit(tiny / "glossary" / "ru.toml", "reject = ['ЛГБТ[- ]пропаганд\\w*']", "reject = ['ЛГБТ[']")
    found = problems(tiny)
    assert (
        len(found) == 1
        and "glossary/ru.toml: field 'terms[0].reject' holds an invalid regular expression"
        in found[0]
    )


def test_samples_one_letter_per_target_language_and_period(
    run: Runner, cli: Runner, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "review"
    # Every letter uses the same seed; make each phrasing of the argument show the gate.
    for lang, old in (("en", "Free speech matters."), ("ru", "Свобода слова важна.")):
        gated = (
            "{{ 'Слово свободно.' if date_iso < '2026-07-01' else 'Слово остаётся свободным.' }}"
        )
        edit(tiny / lang / "texts.toml", f'"{old}"', f'"{gated}"')
    result = run("check", str(tiny), "--samples", str(out), "--date", TODAY.isoformat())
    assert result.returncode == 0, stdout_of(result)
    names = sorted(p.name for p in (out / "tiny").iterdir())
    # The gate of 2026-07-01 splits time in two periods; today is a third date.
    days = ["2026-06-30", "2026-07-01", "2026-11-30"]
    expected = sorted(
        [f"{t}.{lang}.{d}.txt" for t in ("ministry", "mp") for lang in ("en", "ru") for d in days]
        + ["index.txt"]
    )
    assert names == expected
    before = (out / "tiny" / "ministry.ru.2026-06-30.txt").read_text(encoding="utf-8")
    after = (out / "tiny" / "ministry.ru.2026-07-01.txt").read_text(encoding="utf-8")
    assert "Слово свободно." in before and "Слово остаётся свободным." in after
    assert oct(os.stat(out / "tiny" / "index.txt").st_mode & 0o777) == "0o600"
    # A second run refuses to overwrite, and changes nothing.
    marker = out / "tiny" / "mp.en.2026-11-30.txt"
    marker.write_text("kept", encoding="utf-8")
    again = cli("check", str(tiny), "--samples", str(out), "--date", TODAY.isoformat())
    assert_clean_error(again, 2, "already exists; use --force")
    assert marker.read_text(encoding="utf-8") == "kept"
    forced = cli("check", str(tiny), "--samples", str(out), "--force", "--date", TODAY.isoformat())
    assert forced.returncode == 0
    assert marker.read_text(encoding="utf-8") != "kept"


def test_samples_into_a_missing_parent_folder_is_refused(
    cli: Runner, tiny: Path, tmp_path: Path
) -> None:
    result = cli("check", str(tiny), "--samples", str(tmp_path / "no" / "such"))
    assert_clean_error(result, 2, "does not exist")


def test_campaigns_show_lists_claims_with_source_and_confidence(run: Runner) -> None:
    result = run("campaigns", "show", "kz-propaganda-law-2025")
    assert result.returncode == 0
    out = " ".join(stdout_of(result).split())
    assert "Claims" in out
    assert "petition-caused-law (unverified)" in out and "not to be stated in a letter" in out
    assert (
        "op1-complaints (verified)" in out and "https://adilet.zan.kz/rus/docs/Z090000130_" in out
    )
    assert "treaties-prevail (verified; true until 2026-06-30)" in out


def test_a_text_that_cites_a_boundary_day_is_not_taken_for_a_gate(tiny: Path) -> None:
    edit(tiny / "en" / "texts.toml", "Free speech matters.", "Signed on 30 June 2026 ({{ date }}).")
    edit(
        tiny / "ru" / "texts.toml",
        "Свобода слова важна.",
        "Подписан в июне 2026 года ({{ date }}).",
    )
    assert problems(tiny) == []


def test_one_document_under_two_source_ids_fails(tiny: Path) -> None:
    (tiny / "claims.toml").write_text(
        '[[sources]]\nid = "law-again"\ntitle = "The same law"\n'
        'url = "https://adilet.zan.kz/law"\nconfidence = "verified"\n',
        encoding="utf-8",
    )
    found = problems(tiny)
    assert len(found) == 1 and "sources law, law-again are the same document" in found[0]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('email = "office@culture.gov.kz"', 'email = "office@example.org"', "recipients[1].email"),
        ('url = "https://adilet.zan.kz/law"', 'url = "https://example.com/law"', "sources[1].url"),
        ('title = "A law"', 'title = "TODO: which law"', "sources[1].title"),
    ],
)
def test_a_placeholder_anywhere_in_the_data_fails(
    tiny: Path, old: str, new: str, field: str
) -> None:
    edit(tiny / "campaign.toml", old, new)
    assert any(f"field '{field}' still holds a placeholder" in p for p in problems(tiny))


@pytest.mark.parametrize(
    "ref",
    [
        # The research notes the built-in campaigns once wrote into refs (issue 13, item 9).
        "existence only (2025)",
        "freedom of speech; limits incl. the morality of society (article number unverified)",
        "the ban signed on 30 December 2025 (letters dated from that day)",
        "the Kurultai, Parliament from 1 July 2026 (named in letters dated from then)",
        "art. 1 (not read)",
        "art. 1 (?)",
        "art. 1, TBD",
    ],
)
def test_a_research_note_in_a_ref_fails(tiny: Path, ref: str) -> None:
    edit(tiny / "campaign.toml", 'ref = "art. 1"', f'ref = "{ref}"')
    found = [p for p in problems(tiny) if "research note" in p]
    assert len(found) == 1, problems(tiny)
    assert "field 'arguments.speech' cites law" in found[0] and "`note`" in found[0]


def test_a_note_beside_the_ref_passes_and_is_kept(tiny: Path) -> None:
    edit(
        tiny / "campaign.toml",
        'ref = "art. 1"',
        'ref = "art. 1", note = "article number unverified; named in letters dated from 2026"',
    )
    assert problems(tiny) == []
    from complainer.campaigns.model import load_campaign

    (citation,) = load_campaign(tiny).arguments[0].citations
    assert citation.ref == "art. 1"
    assert citation.note == "article number unverified; named in letters dated from 2026"


@pytest.mark.parametrize(
    ("path", "old", "new", "where"),
    [
        ("campaign.toml", 'title = "A law"', 'title = "A law (not verified)"', "source 'law'"),
        (
            "ru/texts.toml",
            'language = "ru"',
            'language = "ru"\n[sources.law]\ntitle = "Закон (номер статьи не проверен)"',
            "field 'sources.law.title'",
        ),
    ],
)
def test_a_research_note_in_a_source_title_fails(
    tiny: Path, path: str, old: str, new: str, where: str
) -> None:
    edit(tiny / path, old, new)
    found = [p for p in problems(tiny) if "research note" in p]
    assert len(found) == 1 and where in found[0], problems(tiny)


def test_a_letter_over_one_page_in_one_combination_only_fails(tiny: Path) -> None:
    """The length rule finds the longest letter exactly: here only the third opening with the
    third argument phrasing runs over a page, a combination no sampled seed composes."""
    from complainer.flows.checks.length import LENGTH_WRITERS
    from complainer.letter.compose import ONE_PAGE, Request, compose

    half = "The law punishes speech that harms no one, and I ask you to repeal it. " * 25
    edit(tiny / "en" / "texts.toml", '"I write about the law to you."', repr(half.strip()))
    edit(tiny / "en" / "texts.toml", '"Expression is protected."', repr(half.strip()))
    campaign = load_campaign(tiny)
    for seed in range(3):  # what check sampled before: every seeded letter fits
        for writer, _ in LENGTH_WRITERS:
            letter = compose(campaign, writer, Request(language="en", date=TODAY, seed=seed))
            assert len(letter.body) <= ONE_PAGE, seed
    found = problems(tiny)
    too_long = [p for p in found if "over one page" in p]
    assert len(too_long) == 1, found
    assert "en/ministry.j2: the default letter can run to" in too_long[0]
    assert "ministry.opening phrasing 3" in too_long[0]
    assert "argument.speech phrasing 3" in too_long[0]
    # A few sentences shorter in one of the two slots, the longest letter fits.
    edit(tiny / "en" / "texts.toml", repr(half.strip()), repr(half[: -72 * 4].strip()))
    assert not any("over one page" in p for p in problems(tiny))


def test_a_letter_with_every_point_over_one_page_is_advice(tiny: Path) -> None:
    from complainer.flows.checks.length import length_problems

    half = "The law punishes speech that harms no one, and I ask you to repeal it. " * 50
    edit(tiny / "en" / "texts.toml", '"Expression is protected."', repr(half.strip()))
    campaign = load_campaign(tiny)
    # The default set here is every point, so both say so; the advice never fails a campaign.
    too_long, advice = length_problems(campaign, [TODAY], TODAY)
    assert any("en/ministry.j2: the default letter" in p for p in too_long), too_long
    assert [a for a in advice if "every argument and recommendation chosen" in a], advice
    assert any("every argument" in a for a in check_folder(tiny, TODAY).advice)


TITLED_RU = 'language = "ru"\n[sources.law]\ntitle = "Закон"'


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        # Titles in Russian and the ref in English: "Закон, art. 1" on a Russian screen.
        ("", "ru/texts.toml: field 'refs' has no ru text for the ref 'art. 1' (arguments.speech"),
        ('"art. 1" = "ст. 1"', None),
        ('"art. 1" = "ст. 1"\n"art. 2" = "ст. 2"', "translates 'art. 2', which no citation"),
        ('"art. 1" = "ст. 1 (не проверено)"', "research note"),
        ('"art. 1" = " "', "gives 'art. 1' an empty or non-text translation"),
        ('"art. 1" = 1', "gives 'art. 1' an empty or non-text translation"),
    ],
)
def test_a_language_that_titles_sources_in_its_words_needs_every_ref_in_them(
    tiny: Path, refs: str, expected: str | None
) -> None:
    edit(tiny / "ru" / "texts.toml", 'language = "ru"',
         TITLED_RU + (f"\n[refs]\n{refs}" if refs else ""))  # fmt: skip
    found = problems(tiny)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0], found


def test_refs_alone_ask_for_every_ref_and_a_document_symbol_needs_none(tiny: Path) -> None:
    edit(
        tiny / "ru" / "texts.toml", 'language = "ru"', 'language = "ru"\n[refs]\n"art. 9" = "ст. 9"'
    )
    found = problems(tiny)
    assert len(found) == 2 and "no ru text for the ref 'art. 1'" in found[0], found
    edit(tiny / "campaign.toml", 'ref = "art. 1"', 'ref = "CCPR/C/KAZ/CO/3"')
    edit(tiny / "ru" / "texts.toml", '"art. 9" = "ст. 9"', "")
    assert problems(tiny) == []


def test_a_translated_ref_is_shown_in_its_language_and_the_ref_as_written_elsewhere(
    tiny: Path,
) -> None:
    from complainer.campaigns.citing import cite

    edit(tiny / "ru" / "texts.toml", 'language = "ru"', TITLED_RU + '\n[refs]\n"art. 1" = "ст. 1"')
    campaign = load_campaign(tiny)
    (citation,) = campaign.arguments[0].citations
    assert cite(campaign, citation, lang="ru") == "Закон, ст. 1"
    assert cite(campaign, citation, lang="en") == cite(campaign, citation) == "A law, art. 1"
