"""The tick-list of a campaign's arguments or recommendations, for the wizard.

Marks are words and brackets ([x], [ ], "outdated"), never colour alone, so the list reads the same
with NO_COLOR, on a monochrome terminal or through a screen reader.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

from complainer.campaigns.model import Campaign, Citation, PointKind
from complainer.errors import UsageProblem
from complainer.terminal import console
from complainer.terminal.prompts import ask, say

# The interface speaks English; titles and summaries come from the campaign's English texts
# (a supporter may write to the recipient in a language they do not read themselves).
UI_LANG = "en"
_RANGE = re.compile(r"^(\d+)-(\d+)$")


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    summary: str
    cites: str
    outdated: str  # why it cannot be chosen on the letter's date, or ""


def _cite(campaign: Campaign, c: Citation) -> str:
    title = campaign.sources[c.source].title
    text = title if c.ref in title else f"{title}, {c.ref}"
    return f"{text} ({c.validity()})" if c.validity() else text


def items_for(campaign: Campaign, kind: PointKind, day: dt.date) -> list[Item]:
    texts = campaign.lang(UI_LANG)
    items = []
    for p in campaign.points(kind):
        t = texts.point(kind, p.id)
        expired = p.expired_citations(day)
        why = ""
        if expired:
            c = expired[0]
            why = (
                f"its citation ({c.ref}) is {c.validity()}, and the letter is dated "
                f"{day.isoformat()}, so it cannot be chosen"
            )
        cites = "; ".join(_cite(campaign, c) for c in p.citations)
        items.append(Item(p.id, t.title, t.summary, cites, why))
    return items


def _numbers(token: str, count: int) -> Iterable[int]:
    match = _RANGE.match(token)
    low, high = (match.group(1), match.group(2)) if match else (token, token)
    if not (low.isdigit() and high.isdigit()):
        raise UsageProblem(
            f'"{token}" is not a number; type numbers such as "1 3", or all, or none'
        )
    first, last = int(low), int(high)
    if not (1 <= first <= last <= count):
        raise UsageProblem(f'"{token}" is not between 1 and {count}')
    return range(first, last + 1)


def toggle(answer: str, items: Sequence[Item], ticked: set[str]) -> set[str]:
    """The ticked ids after `answer` ("1 3", "2-4", "all", "none"); UsageProblem if it makes no sense.

    An answer with one bad token changes nothing, so a typo never half-applies.
    """
    words = [w for w in re.split(r"[\s,;]+", answer.strip().casefold()) if w]
    selectable = {i.id for i in items if not i.outdated}
    if words == ["all"]:
        return set(selectable)
    if words == ["none"]:
        return set()
    result = set(ticked)
    for word in words:
        for n in _numbers(word, len(items)):
            item = items[n - 1]
            if item.outdated:
                raise UsageProblem(f"{n} is outdated: {item.outdated}")
            result.symmetric_difference_update({item.id})
    return result


def table(items: Sequence[Item], ticked: set[str], details: bool = True) -> Table:
    """The numbered list; without `details`, titles only (the list again after a toggle)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column()
    for n, item in enumerate(items, 1):
        body = Text()
        body.append(item.title, style="bold" if details else "")
        if item.outdated:
            body.append(" (outdated)")
        if details:
            body.append(f"\n{item.summary}\nCites: {item.cites}")
            if item.outdated:
                body.append(f"\nOutdated: {item.outdated}.")
        style = "dim" if item.outdated else ""
        mark = "[x]" if item.id in ticked else "[ ]"
        grid.add_row(Text(mark, style=style), Text(f"{n}.", style=style), body)
        if item.outdated:
            body.stylize("dim")
    return grid


def choose(
    campaign: Campaign, kind: PointKind, current: Sequence[str] | None, day: dt.date
) -> list[str]:
    """Ask which points go into the letter; ids in campaign order."""
    items = items_for(campaign, kind, day)
    if current is None:
        current = [p.id for p in campaign.points(kind) if p.default]
    ticked = {i.id for i in items if i.id in set(current) and not i.outdated}
    heading = "Arguments: the points your letter makes" if kind == "argument" else (
        "Recommendations: what you ask the authorities to do"
    )  # fmt: skip
    details = True
    while True:
        say()
        say(f"{heading} ([x] = in the letter)", style="bold")
        console.err.print(table(items, ticked, details))
        say('Toggle with numbers ("1 3"), "all" or "none"; "?" for details; Enter keeps this.')
        answer = ask("Toggle")
        if not answer:
            return [i.id for i in items if i.id in ticked]
        # After the first showing, the list is repeated by title only, so that it stays in view.
        details = answer == "?"
        if details:
            continue
        try:
            ticked = toggle(answer, items, ticked)
        except UsageProblem as exc:
            say(str(exc) + ".")
