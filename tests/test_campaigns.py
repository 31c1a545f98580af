"""Campaign listing, showing, checking, and campaigns that users add (untrusted templates).

Each feature goes through the installed command (`run`) at least once; variations run in-process
(`cli`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, assert_clean_error, stderr_of, stdout_of

from complainer.campaigns.model import load_campaign
from complainer.letter.compose import Request, compose
from complainer.letter.writer import Writer

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ROOT / "templates" / "campaigns"
CAMPAIGNS = sorted(p.name for p in BUILTIN.iterdir() if (p / "campaign.toml").is_file())
WRITER = ["--name", "Anna Schmidt", "--country", "DE", "--no-input", "--date", LETTER_DATE]


def campaign_data(cid: str) -> dict:  # type: ignore[type-arg]
    with (BUILTIN / cid / "campaign.toml").open("rb") as fh:
        return tomllib.load(fh)


def test_both_builtin_campaigns_exist() -> None:
    assert {"kz-petition-2024", "kz-propaganda-law-2025"} <= set(CAMPAIGNS)


def test_builtin_campaigns_pass_check(run: Runner) -> None:
    # check renders every phrasing on both sides of every date boundary (about 15,800 letters,
    # some 20 s of CPU): more than the usual 60 s on a machine shared by parallel test workers.
    result = run("check", timeout=180)
    assert result.returncode == 0, stdout_of(result) + stderr_of(result)
    for cid in CAMPAIGNS:
        assert re.search(rf"^{cid}: ok \(\d+ letters rendered\)$", stdout_of(result), re.M)


def test_campaigns_list_when_piped(run: Runner) -> None:
    result = run("campaigns")
    assert result.returncode == 0, stderr_of(result)
    rows = [line.split("\t") for line in stdout_of(result).splitlines()]
    by_id = {r[0].removesuffix(" (default)"): r for r in rows}
    assert set(by_id) == set(CAMPAIGNS)
    # A closed campaign says when it closed; its deadline (a day after that) means nothing now.
    assert by_id["kz-petition-2024"][1] == "closed (2024-08-02)"
    assert by_id["kz-petition-2024"][2:4] == ["-", "-"]
    assert by_id["kz-propaganda-law-2025"][1] == "open"
    assert [r[0] for r in rows if r[0].endswith("(default)")] == [
        "kz-propaganda-law-2025 (default)"
    ]


def test_default_campaign_is_the_live_one(run: Runner) -> None:
    result = run("draft", *WRITER, "--lang", "en", "--format", "json")
    assert result.returncode == 0, stderr_of(result)
    assert json.loads(result.stdout)["campaign"] == "kz-propaganda-law-2025"
    assert "closed" not in stderr_of(result)


def test_closed_campaign_warns_on_stderr_and_still_composes(run: Runner) -> None:
    result = run("draft", "--campaign", "kz-petition-2024", *WRITER, "--lang", "en")
    assert result.returncode == 0
    err = stderr_of(result)
    assert "kz-petition-2024 is closed" in err and "kz-propaganda-law-2025" in err
    assert "closed" not in stdout_of(result).split("\n", 1)[0]
    assert "Anna Schmidt" in stdout_of(result)


@pytest.mark.parametrize("cid", CAMPAIGNS)
def test_show_lists_every_source_url(run: Runner, cli: Runner, cid: str) -> None:
    result = (run if cid == CAMPAIGNS[0] else cli)("campaigns", "show", cid)
    assert result.returncode == 0, stderr_of(result)
    out = stdout_of(result)
    for source in campaign_data(cid)["sources"]:
        assert source["url"] in out, source["id"]
    for target in campaign_data(cid)["targets"]:
        assert target["id"] in out


def test_arguments_listing(run: Runner) -> None:
    result = run("arguments", "--campaign", "kz-petition-2024", "--date", LETTER_DATE)
    assert result.returncode == 0, stderr_of(result)
    rows = [line.split("\t") for line in stdout_of(result).splitlines()]
    ids = {r[1]: r for r in rows}
    assert ids["constitution-1995"][2] == "expired"
    assert "valid until 2026-06-30" in ids["constitution-1995"][5]
    assert ids["iccpr-19"][2] == "yes"
    assert {r[0] for r in rows} == {"argument", "recommendation"}


def _targets(cid: str) -> list[dict]:  # type: ignore[type-arg]
    return campaign_data(cid)["targets"]


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("cid", CAMPAIGNS)
def test_every_target_renders_in_every_language(cli: Runner, cid: str, lang: str) -> None:
    targets = _targets(cid)
    assert {t["id"] for t in targets} >= {
        "ministry",
        "mp",
        "foreign-ministry",
        "journalist",
        "activists",
    }
    for target in targets:
        extra = (
            [] if "recipient" in target else ["--to", "office@example.org", "--to-name", "Jane Doe"]
        )
        if target.get("only_for"):  # a letter to "your deputy" is for writers in Kazakhstan
            extra += ["--country", target["only_for"][0]]
        result = cli(
            "draft",
            "--campaign",
            cid,
            "--target",
            target["id"],
            *WRITER,
            "--lang",
            lang,
            *extra,
            "--format",
            "json",
        )
        assert result.returncode == 0, (target["id"], stderr_of(result))
        data = json.loads(result.stdout)
        assert data["target"] == target["id"]
        assert "Anna Schmidt" in data["body"]
        assert data["recipients"][0]["email"] == (
            "office@example.org"
            if extra
            else "gbrhrkz@gmail.com"
            if target["id"] == "activists"
            else "k.kense@mki.gov.kz"
        )
        assert not re.search(r"\{\{|\{%|TODO", data["body"])


def test_target_without_recipient_needs_to(cli: Runner) -> None:
    result = cli(
        "draft", "--campaign", "kz-propaganda-law-2025", "--target", "mp", *WRITER, "--lang", "en"
    )
    assert_clean_error(result, 2, "--to")


# --- campaigns that users add -------------------------------------------------------------


def filled_copy(tmp_path: Path, cid: str = "my-campaign") -> Path:
    """A user campaign: a copy of the live built-in one under another id, in a folder of its own."""
    base = tmp_path / "user"
    base.mkdir(exist_ok=True)
    folder = base / cid
    shutil.copytree(BUILTIN / "kz-propaganda-law-2025", folder)
    text = (folder / "campaign.toml").read_text(encoding="utf-8")
    (folder / "campaign.toml").write_text(
        text.replace('id = "kz-propaganda-law-2025"', f'id = "{cid}"', 1), encoding="utf-8"
    )
    return folder


def test_user_campaign_appears_and_composes(run: Runner, cli: Runner, tmp_path: Path) -> None:
    folder = filled_copy(tmp_path)
    listed = run("campaigns", "--campaigns-dir", str(folder.parent))
    assert "my-campaign" in stdout_of(listed)
    via_env = cli("campaigns", env={"COMPLAINER_CAMPAIGNS_DIR": str(folder.parent)})
    assert "my-campaign" in stdout_of(via_env)
    result = run(
        "draft",
        "--campaigns-dir",
        str(folder.parent),
        "--campaign",
        "my-campaign",
        *WRITER,
        "--lang",
        "en",
    )
    assert result.returncode == 0, stderr_of(result)
    assert "Anna Schmidt" in stdout_of(result)
    assert "my-campaign" not in stdout_of(cli("campaigns"))


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch pwned') }}",
    "{{ writer.__class__ }}",
    "{% set x = [].append(1) %}{{ x }}",
    "{{ self._TemplateReference__context }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_sandbox_escape_in_a_layout_fails_without_evaluating(
    run: Runner, cli: Runner, tmp_path: Path, payload: str
) -> None:
    folder = filled_copy(tmp_path)
    layout = folder / "en" / "ministry.j2"
    layout.write_text(payload + "\n" + layout.read_text(encoding="utf-8"), encoding="utf-8")
    result = (run if payload == ESCAPES[0] else cli)(
        "draft",
        "--campaigns-dir",
        str(folder.parent),
        "--campaign",
        "my-campaign",
        *WRITER,
        "--lang",
        "en",
    )
    line = assert_clean_error(result, 1)
    assert "ministry.j2" in line
    assert not (tmp_path / "pwned").exists()
    assert "<class" not in stderr_of(result)


@pytest.mark.parametrize("payload", ESCAPES[:3])
def test_sandbox_escape_in_a_phrasing_fails_without_evaluating(
    run: Runner, cli: Runner, tmp_path: Path, payload: str
) -> None:
    folder = filled_copy(tmp_path)
    texts = folder / "en" / "texts.toml"
    data = texts.read_text(encoding="utf-8")
    salutation = re.search(r"^salutation = \[", data, re.M)
    assert salutation
    # Every phrasing of the salutation carries the payload, so any seed draws it.
    data = re.sub(
        r"^salutation = \[.*?\]$",
        "salutation = [" + ", ".join([json.dumps(payload)] * 3) + "]",
        data,
        count=1,
        flags=re.M | re.S,
    )
    texts.write_text(data, encoding="utf-8")
    result = (run if payload == ESCAPES[0] else cli)(
        "draft",
        "--campaigns-dir",
        str(folder.parent),
        "--campaign",
        "my-campaign",
        *WRITER,
        "--lang",
        "en",
    )
    line = assert_clean_error(result, 1)
    assert "texts.toml" in line
    assert not (tmp_path / "pwned").exists()


def test_scaffold_fails_check_until_filled_then_passes(
    run: Runner, cli: Runner, tmp_path: Path
) -> None:
    result = run("campaigns", "new", "fresh-campaign", "--dir", str(tmp_path))
    assert result.returncode == 0, stderr_of(result)
    folder = tmp_path / "fresh-campaign"
    checked = cli("check", str(folder))
    assert checked.returncode == 1
    assert "placeholder" in stdout_of(checked)
    assert "fresh-campaign: " in stdout_of(checked)

    # Fill it in as an author would: the texts first, then campaign.toml.
    def fill(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        text = text.replace("TODO@example.org", "office@culture.gov.kz").replace(
            "https://example.org/TODO", "https://www.gov.kz/memleket/entities/mam"
        )
        text = text.replace('confidence = "unverified"', 'confidence = "verified"')
        text = re.sub(r'"TODO: ([^"]*)"', r'"\1"', text)
        parts = text.split('"TODO"')
        text = parts[0] + "".join(
            f'"Phrasing number {i}."{part}' for i, part in enumerate(parts[1:])
        )
        path.write_text(text, encoding="utf-8")

    campaign_toml = folder / "campaign.toml"
    for path in folder.rglob("*"):
        if path.is_file() and path != campaign_toml:
            fill(path)
    # Every placeholder left in the data is named, not only those that reach a letter.
    checked = run("check", str(folder))
    assert checked.returncode == 1
    for field in ("recipients[1].email", "sources[1].url", "arguments[1].citations[1].ref"):
        assert f"{campaign_toml}: field '{field}' still holds a placeholder" in stdout_of(checked)
    assert "texts.toml" not in stdout_of(checked)
    fill(campaign_toml)
    checked = run("check", str(folder))
    assert checked.returncode == 0, stdout_of(checked)
    assert "fresh-campaign: ok" in stdout_of(checked)
    again = cli("campaigns", "new", "fresh-campaign", "--dir", str(tmp_path))
    assert_clean_error(again, 2, "already exists")


def _broken_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "broken" / "kz-petition-2024"
    shutil.copytree(BUILTIN / "kz-petition-2024", folder)
    return folder


def test_check_names_a_missing_translation(cli: Runner, tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path)
    texts = folder / "ru" / "texts.toml"
    data = texts.read_text(encoding="utf-8")
    data, n = re.subn(
        r"^\[arguments\.iccpr-26\]$", "[arguments.iccpr-26-renamed]", data, flags=re.M
    )
    assert n == 1
    texts.write_text(data, encoding="utf-8")
    result = cli("check", str(folder))
    assert result.returncode == 1
    assert f"{texts}: field 'arguments.iccpr-26' is missing" in stdout_of(result)


def test_check_names_an_undefined_variable(cli: Runner, tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path)
    layout = folder / "kk" / "ministry.j2"
    layout.write_text(
        layout.read_text(encoding="utf-8") + "{{ writer.nickname }}\n", encoding="utf-8"
    )
    result = cli("check", str(folder))
    assert result.returncode == 1
    assert f"{layout}" in stdout_of(result) and "nickname" in stdout_of(result)


def test_check_names_a_citation_without_a_source(cli: Runner, tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path)
    toml = folder / "campaign.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('source = "toonen"', 'source = "toonen-1994"'),
        encoding="utf-8",
    )
    result = cli("check", str(folder))
    assert result.returncode == 1
    assert f"{toml}: field 'arguments[1].citations[1].source' names 'toonen-1994'" in stdout_of(
        result
    )


def test_check_names_a_source_without_a_url(cli: Runner, tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path)
    toml = folder / "campaign.toml"
    data = toml.read_text(encoding="utf-8")
    data = re.sub(r'^url = "https://adilet\.zan\.kz/eng/docs/K950001000_"\n', "", data, flags=re.M)
    toml.write_text(data, encoding="utf-8")
    result = cli("check", str(folder))
    assert result.returncode == 1
    assert "field 'sources[" in stdout_of(result) and ".url' is missing" in stdout_of(result)


def test_check_rejects_a_malformed_validity_date(cli: Runner, tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path)
    toml = folder / "campaign.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "valid_until = 2026-06-30", 'valid_until = "30 June 2026"'
        ),
        encoding="utf-8",
    )
    result = cli("check", str(folder))
    assert result.returncode == 1
    assert "valid_until' must be a TOML date" in stdout_of(result)


def test_check_of_a_folder_that_is_not_a_campaign(cli: Runner, tmp_path: Path) -> None:
    assert_clean_error(cli("check", str(tmp_path)), 2, "not a campaign folder")


def test_new_campaign_creates_its_folder_and_refuses_a_taken_id(tmp_path: Path) -> None:
    from complainer.campaigns.scaffold import scaffold
    from complainer.errors import UsageProblem

    folder = scaffold("my-campaign", tmp_path / "campaigns" / "deeper")
    assert (folder / "campaign.toml").is_file()
    # An installed campaign's id would make every later --campaigns-dir run fail.
    with pytest.raises(UsageProblem, match='"kz-petition-2024" is taken'):
        scaffold("kz-petition-2024", tmp_path / "campaigns")
    assert not (tmp_path / "campaigns" / "kz-petition-2024").exists()
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageProblem, match="is not a folder"):
        scaffold("other", tmp_path / "a-file")


def test_check_says_what_a_wrong_path_is(tmp_path: Path) -> None:
    from complainer.campaigns.scaffold import scaffold
    from complainer.errors import UsageProblem
    from complainer.flows.check import folders_to_check

    with pytest.raises(UsageProblem, match="does not exist"):
        folders_to_check([tmp_path / "nowhere"], None)
    scaffold("inner", tmp_path / "camps")
    with pytest.raises(UsageProblem, match=r"holds campaign folders \(inner\)"):
        folders_to_check([tmp_path / "camps"], None)
    with pytest.raises(UsageProblem, match=r"no campaign\.toml"):
        folders_to_check([tmp_path], None)
    assert folders_to_check([tmp_path / "camps" / "inner"], None) == [tmp_path / "camps" / "inner"]


# Words that name where a recommendation comes from. The Ministry letters' intro to the list
# names none: each recommendation names its own authority, and an intro that credited the
# Universal Periodic Review contradicted an item crediting the Human Rights Committee (2016).
RECOMMENDATION_SOURCES = {
    "en": r"Universal Periodic Review|Committee|\bUN\b|Human Rights Watch|appeal|\b20\d\d\b",
    "ru": r"Универсальн\w+ периодическ|Комитет|\bООН\b|Human Rights Watch|обращени|\b20\d\d\b",
    "kk": r"Әмбебап мерзімді|Комитет|БҰҰ|Human Rights Watch|үндеу|\b20\d\d\b",
}


@pytest.mark.parametrize("cid", CAMPAIGNS)
@pytest.mark.parametrize("lang", sorted(RECOMMENDATION_SOURCES))
def test_the_ministry_recommendations_intro_names_no_source(cid: str, lang: str) -> None:
    texts = tomllib.loads((BUILTIN / cid / lang / "texts.toml").read_text(encoding="utf-8"))
    intros = texts["targets"]["ministry"]["paragraphs"]["recommendations_intro"]
    assert intros, (cid, lang)
    named = [i for i in intros if re.search(RECOMMENDATION_SOURCES[lang], i)]
    assert named == [], (cid, lang, named)


# Cases a letter cites once: under one argument, never again under another.
CASES = {
    "Fedotova": r"Fedotova|Федотов",
    "Toonen": r"Toonen|Тунен",
    "Bayev": r"Bayev|Баев",
}


@pytest.mark.parametrize("cid", CAMPAIGNS)
@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_no_case_is_cited_under_two_arguments(cid: str, lang: str) -> None:
    """Any two arguments can share a letter (the defaults always do), so every phrasing of one
    is checked against every phrasing of each other; that covers every combination."""
    texts = tomllib.loads((BUILTIN / cid / lang / "texts.toml").read_text(encoding="utf-8"))
    cited: dict[str, set[str]] = {case: set() for case in CASES}
    for argument, table in texts["arguments"].items():
        for case, pattern in CASES.items():
            if any(re.search(pattern, phrasing) for phrasing in table["text"]):
                cited[case].add(argument)
    twice = {case: sorted(arguments) for case, arguments in cited.items() if len(arguments) > 1}
    assert twice == {}, (cid, lang, twice)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_default_letters_cite_each_case_in_one_paragraph(lang: str) -> None:
    """The composed letters themselves, over many seeds (each picks other phrasings)."""
    campaign = load_campaign(BUILTIN / "kz-propaganda-law-2025")
    for seed in range(40):
        body = compose(
            campaign,
            Writer("Anna Schmidt", "GB", "London"),
            Request(language=lang, date=dt.date(2026, 11, 30), seed=seed),
        ).body
        for case, pattern in CASES.items():
            paragraphs = [p for p in body.split("\n\n") if re.search(pattern, p)]
            assert len(paragraphs) <= 1, (lang, seed, case, paragraphs)
