"""`check` on a campaign with a template past a render limit, or not UTF-8, fails once and cleanly
(issue 10).

Every render gets its own RENDER_SECONDS of CPU, and `check` renders a campaign hundreds of times:
without the stop, one slow loop in a layout or a phrasing cost minutes. The timeout makes such a
regression fail instead of hang.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Runner, assert_clean_error, stderr_of, stdout_of
from test_campaign_safety import user_copy

from complainer.campaigns.confine import read_confined_text
from complainer.campaigns.model import load_campaign
from complainer.campaigns.sandbox import RENDER_SECONDS, TemplateOverLimit
from complainer.errors import CampaignError
from complainer.flows.check import check_folder
from complainer.letter.compose import Request, compose
from complainer.letter.writer import Writer

pytestmark = pytest.mark.timeout(60)

SLOW = "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}"
TODAY = dt.date(2026, 11, 30)


def slow_layout(folder: Path) -> Path:
    layout = folder / "en" / "ministry.j2"
    layout.write_text(SLOW + "\n" + layout.read_text(encoding="utf-8"), encoding="utf-8")
    return layout


def slow_phrasing(folder: Path) -> Path:
    texts = folder / "en" / "texts.toml"
    source = texts.read_text(encoding="utf-8")
    first = '  "Article 19 of the Covenant, which Kazakhstan ratified in 2005,'
    assert first in source
    texts.write_text(source.replace(first, f'  "{SLOW}' + first[3:], 1), encoding="utf-8")
    return texts


@pytest.mark.parametrize("breaks", [slow_layout, slow_phrasing], ids=["layout", "phrasing"])
def test_check_stops_at_the_first_template_over_a_limit(
    tmp_path: Path, breaks: Callable[[Path], Path]
) -> None:
    folder = user_copy(tmp_path)
    culprit = breaks(folder)
    report = check_folder(folder, TODAY)
    over = [p for p in report.problems if "over a limit" in p]
    assert len(over) == 1, report.problems
    assert str(culprit) in over[0] and "stopped" in over[0]


def test_a_layout_once_over_a_limit_is_refused_at_once(tmp_path: Path) -> None:
    folder = user_copy(tmp_path)
    slow_layout(folder)
    campaign = load_campaign(folder)
    writer = Writer("Anna Schmidt", "DE")
    request = Request(language="en", date=TODAY)
    with pytest.raises(TemplateOverLimit) as first:
        compose(campaign, writer, request)
    started = time.process_time()
    with pytest.raises(TemplateOverLimit) as again:
        compose(campaign, Writer("Jonas Berg", "SE"), request)
    assert time.process_time() - started < RENDER_SECONDS / 2
    assert str(again.value) == str(first.value)


@pytest.mark.parametrize("name", ["ministry.j2", "mp.j2"])
def test_check_reports_a_layout_that_is_not_utf8_as_draft_does(
    run: Runner, tmp_path: Path, name: str
) -> None:
    folder = user_copy(tmp_path)
    (folder / "en" / name).write_bytes(b"\xff\xfe\x00bad")
    problems = check_folder(folder, TODAY).problems
    assert problems == [f"{folder / 'en' / name}: cannot be read as UTF-8 text ("
                        "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte)"]  # fmt: skip
    checked = run("check", str(folder))
    shown = stderr_of(checked) + stdout_of(checked)
    assert checked.returncode == 1 and "unexpected" not in shown and "Traceback" not in shown
    assert "cannot be read as UTF-8 text" in shown
    drafted = run("draft", "--campaigns-dir", str(folder.parent), "--campaign", "my-campaign",
                  "--name", "Anna", "--country", "DE", "--lang", "en", "--no-input")  # fmt: skip
    if name == "ministry.j2":  # the default target's layout
        assert_clean_error(drafted, 1, "cannot be read as UTF-8 text")


def test_read_confined_text_refuses_what_confined_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    os.mkfifo(folder / "fifo.j2")
    with pytest.raises(CampaignError, match="not a regular file"):
        read_confined_text(folder, folder / "fifo.j2")
    (folder / "ok.j2").write_text("Grüße", encoding="utf-8")
    assert read_confined_text(folder, folder / "ok.j2") == "Grüße"
