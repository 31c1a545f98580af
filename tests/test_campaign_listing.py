"""`complainer campaigns` in a terminal of any width: ids whole on one line, no column squeezed to
nothing, no word broken; a table when it fits, else one block a campaign."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from rich.console import Console

from complainer import i18n
from complainer.campaigns.registry import open_registry
from complainer.terminal.tables import campaign_rows, print_campaigns

TODAY = dt.date(2026, 11, 30)
BORDERS = re.compile(r"[│┃┆┇┊┋║|─━┏┓┗┛┡┩└┘┌┐├┤┬┴┼╇╈╋╭╮╯╰]")


@pytest.mark.parametrize("width", (40, 80, 120))
@pytest.mark.parametrize("ui", i18n.UI_LANGUAGES)
def test_the_listing_keeps_ids_and_words_whole_at_any_width(ui: str, width: int) -> None:
    i18n.set_language(ui)
    try:
        registry = open_registry(None)
        loaded, _broken = registry.load_all()
        rows = campaign_rows(loaded, TODAY, registry.default_id())
        tr = i18n._
        headers = [tr("campaign"), tr("status"), tr("deadline"), tr("when"), tr("title")]
        out = io.StringIO()
        console = Console(file=out, width=width, force_terminal=True, color_system=None)
        print_campaigns(console, headers, rows, tr("Campaigns"))
    finally:
        i18n.set_language(None)
    text = out.getvalue()
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), text
    cells = [" ".join(BORDERS.sub(" ", line).split()) for line in lines]
    tokens = {w for cell in cells for w in cell.split()}
    for cid, status, deadline, _left, title in rows:
        assert any(cid in cell for cell in cells), f"id cut: {cid}\n{text}"
        assert any(status in cell for cell in cells), f"status squeezed: {status}\n{text}"
        assert deadline in tokens, text
        for word in title.split():
            assert word in tokens, f"word broken: {word}\n{text}"
