"""`check` on a campaign with a template past a render limit fails once and fast (issue 10).

Every render gets its own RENDER_SECONDS of CPU, and `check` renders a campaign hundreds of times:
without the stop, one slow loop in a layout or a phrasing cost minutes. The timeout makes such a
regression fail instead of hang.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_campaign_safety import user_copy

from complainer.campaigns.model import load_campaign
from complainer.campaigns.sandbox import RENDER_SECONDS, TemplateOverLimit
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
