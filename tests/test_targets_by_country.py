"""Writers in Kazakhstan and the closed petition campaign (issue 13, item 4): its MP and
foreign-ministry letters are not offered to them, as in the open campaign, and they are pointed to
the open campaign's letter to their own deputy, with flags and in the wizard."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, assert_clean_error

from complainer.campaigns.model import load_campaign
from complainer.flows.check import instead_problems
from complainer.paths import content_root
from complainer.terminal import questions

COMMAND = "complainer draft --campaign kz-propaganda-law-2025 --target deputy"


def _campaign(cid: str):  # type: ignore[no-untyped-def]
    return load_campaign(content_root() / "campaigns" / cid)


@pytest.mark.parametrize("cid", ["kz-propaganda-law-2025", "kz-petition-2024"])
def test_mp_and_foreign_ministry_letters_are_not_for_writers_in_kazakhstan(cid: str) -> None:
    campaign = _campaign(cid)
    for tid in ("mp", "foreign-ministry"):
        assert not campaign.targets[tid].suits("KZ") and campaign.targets[tid].suits("DE")
    assert campaign.targets["ministry"].suits("KZ")


def test_the_petition_campaign_points_to_a_deputy_letter_that_exists() -> None:
    petition, law = _campaign("kz-petition-2024"), _campaign("kz-propaganda-law-2025")
    for tid in ("mp", "foreign-ministry"):
        cid, target = petition.targets[tid].instead or ("", "")
        assert cid == petition.alternative == law.id
        assert law.targets[target].suits("KZ") and not law.targets[target].suits("DE")


def test_draft_names_the_deputy_letter(cli: Runner) -> None:
    result = cli("draft", "--campaign", "kz-petition-2024", "--name", "A", "--country", "KZ",
                 "--target", "foreign-ministry", "--to", "fm@example.org", "--no-input",
                 "--date", LETTER_DATE)  # fmt: skip
    assert_clean_error(
        result, 2, '"foreign-ministry" letter is not for writers in Kazakhstan', COMMAND
    )
    result = cli("draft", "--campaign", "kz-petition-2024", "--name", "A", "--country", "DE",
                 "--target", "mp", "--to", "mp@example.org", "--no-input",
                 "--date", LETTER_DATE, "--format", "json")  # fmt: skip
    assert result.returncode == 0


def test_the_wizard_offers_kazakh_writers_the_deputy_letter(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = _campaign("kz-petition-2024")
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    chosen = questions.target(campaign, "en", "KZ")
    err = " ".join(capsys.readouterr().err.split())  # the console wraps at its width
    assert chosen == "ministry"
    assert COMMAND in err and err.count(COMMAND) == 1  # once, not once per excluded letter
    assert "mp:" not in err and "foreign ministry" not in err.lower()
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    questions.target(campaign, "en", "DE")
    assert COMMAND not in capsys.readouterr().err


def test_check_refuses_an_instead_that_does_not_exist(tmp_path: Path) -> None:
    folder = tmp_path / "kz-petition-2024"
    shutil.copytree(content_root() / "campaigns" / "kz-petition-2024", folder)
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('target = "deputy" }', 'target = "deputee" }'), encoding="utf-8")
    # The rule alone: the whole check renders thousands of letters that this change cannot affect.
    problems = list(instead_problems(load_campaign(folder)))
    assert any("'targets.mp.instead' names target 'deputee'" in p for p in problems), problems
