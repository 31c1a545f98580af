"""What a listing says about a campaign's time: a closed campaign says when it closed and shows no
deadline (one may fall after the closing date, or even in the future); an open one its deadline."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from conftest import Runner, stdout_of
from rich.console import Console

from complainer import i18n
from complainer.campaigns.model import Campaign
from complainer.campaigns.registry import open_registry
from complainer.terminal.tables import campaign_rows, show_campaign

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language(None)  # the next test in this worker reads the language from its env


def campaign(cid: str) -> Campaign:
    return open_registry().load(cid)


@pytest.mark.parametrize("days", [-900, -1, 0, 1, 30, 400])
def test_a_closed_campaign_never_shows_a_deadline(days: int) -> None:
    closed = campaign("kz-petition-2024")._replace(deadline=TODAY + dt.timedelta(days))
    assert closed.status == "closed" and closed.outcome is not None
    [row] = campaign_rows([closed], TODAY, "other")
    assert row[1] == f"closed ({closed.outcome.date.isoformat()})"
    assert row[2:4] == ["-", "-"]
    deadline = (TODAY + dt.timedelta(days)).isoformat()
    assert deadline not in " ".join(row)

    out = io.StringIO()
    show_campaign(Console(file=out, width=200), closed, TODAY)
    status = next(line for line in out.getvalue().splitlines() if line.startswith("Status:"))
    assert status == f"Status: closed ({closed.outcome.date.isoformat()})"


def test_an_open_campaign_shows_its_deadline_and_days_left() -> None:
    live = campaign("kz-propaganda-law-2025")._replace(deadline=TODAY + dt.timedelta(days=3))
    [row] = campaign_rows([live], TODAY, "other")
    assert row[1:4] == ["open", "2026-12-03", "3 days left"]


def test_the_listing_shows_when_the_closed_campaign_closed(run: Runner) -> None:
    result = run("campaigns", "show", "kz-petition-2024")
    assert result.returncode == 0
    assert "Status: closed (2024-08-02)\n" in stdout_of(result)
    assert "deadline" not in stdout_of(result).split("Status:", 1)[1].split("\n", 1)[0]
