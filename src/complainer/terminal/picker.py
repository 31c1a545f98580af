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

from complainer.campaigns.citing import cite
from complainer.campaigns.model import Campaign, PointKind
from complainer.errors import UsageProblem
from complainer.i18n import _
from complainer.i18n import language as ui_language
from complainer.terminal import console
from complainer.terminal.prompts import ask, menu_hint, say

_RANGE = re.compile(r"^(\d+)-(\d+)$")
# "all" and "none" in each interface language, accepted whatever the interface language.
ALL = frozenset({"all", "все", "всё", "барлығы", "бәрі"})
NONE = frozenset({"none", "ничего", "нет", "ешқайсысы", "жоқ"})


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    summary: str
    cites: str
    outdated: str  # why it cannot be chosen on the letter's date, or ""


def items_for(campaign: Campaign, kind: PointKind, day: dt.date) -> list[Item]:
    """The points of `kind`, with titles and summaries in the interface language where the
    campaign has it (else English)."""
    texts = campaign.lang(ui_language())
    items = []
    for p in campaign.points(kind):
        t = texts.point(kind, p.id)
        expired = p.expired_citations(day)
        why = ""
        if expired:
            c = expired[0]
            why = _(
                "its citation ({ref}) is {validity}, and the letter is dated {date}, so it cannot be chosen"
            ).format(
                ref=cite(campaign, c, validity=False, lang=ui_language()),
                validity=c.validity(),
                date=day.isoformat(),
            )
        # Each source once, even when a point cites several parts of it.
        cites = "; ".join(dict.fromkeys(cite(campaign, c, lang=ui_language()) for c in p.citations))
        items.append(Item(p.id, t.title, t.summary, cites, why))
    return items


def _numbers(token: str, count: int) -> Iterable[int]:
    match = _RANGE.match(token)
    low, high = (match.group(1), match.group(2)) if match else (token, token)
    if not (low.isdigit() and high.isdigit()):
        raise UsageProblem(
            _('"{token}" is not a number; type numbers such as "1 3", or all, or none').format(
                token=token
            )
        )
    first, last = int(low), int(high)
    if not (1 <= first <= last <= count):
        raise UsageProblem(
            _('"{token}" is not between 1 and {count}').format(token=token, count=count)
        )
    return range(first, last + 1)


def toggle(answer: str, items: Sequence[Item], ticked: set[str]) -> set[str]:
    """The ticked ids after `answer` ("1 3", "2-4", "all", "none"); UsageProblem if it makes no sense.

    An answer with one bad token changes nothing, so a typo never half-applies.
    """
    words = [w for w in re.split(r"[\s,;]+", answer.strip().casefold()) if w]
    selectable = {i.id for i in items if not i.outdated}
    if len(words) == 1 and words[0] in ALL:
        return set(selectable)
    if len(words) == 1 and words[0] in NONE:
        return set()
    result = set(ticked)
    for word in words:
        for n in _numbers(word, len(items)):
            item = items[n - 1]
            if item.outdated:
                raise UsageProblem(
                    _("{number} is outdated: {why}").format(number=n, why=item.outdated)
                )
            result.symmetric_difference_update({item.id})
    return result


def table(items: Sequence[Item], ticked: set[str]) -> Table:
    """The numbered list, one line per point (titles cut to the width), so that it fits a screen."""
    grid = Table.grid(padding=(0, 1), expand=True)
    # Fixed widths for the mark and the number: without them Rich shrinks every column of a row
    # whose title is wider than the terminal, and "[x] 1." becomes "…" (only the title may be cut).
    grid.add_column(no_wrap=True, min_width=3)
    grid.add_column(no_wrap=True, justify="right", min_width=len(f"{len(items)}."))
    # The title takes the rest of the line (ratio): a no_wrap column without it is cropped by the
    # table, not by its overflow, and a cut title would lose its "…".
    grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    for n, item in enumerate(items, 1):
        body = Text(item.title)
        if item.outdated:
            body.append(" " + _("(outdated)"))
        style = "dim" if item.outdated else ""
        mark = "[x]" if item.id in ticked else "[ ]"
        body.stylize(style)
        grid.add_row(Text(mark, style=style), Text(f"{n}.", style=style), body)
    return grid


def details(items: Sequence[Item], numbers: Sequence[int]) -> None:
    """Title, summary and citations of the points `numbers` (1-based), a screenful at a time."""
    pages: list[Text] = []
    for n in numbers:
        item = items[n - 1]
        body = Text()
        body.append(f"{n}. {item.title}\n", style="bold")
        body.append(item.summary + "\n")
        body.append(_("Cites: {citations}").format(citations=item.cites))
        if item.outdated:
            body.append("\n" + _("Outdated: {why}.").format(why=item.outdated))
        pages.append(body)
    screen = max(console.err.size.height - 3, 6)
    used = 0
    for body in pages:
        height = len(console.err.render_lines(body, pad=False)) + 1
        if used and used + height > screen:
            ask(_("More (Enter)"))
            used = 0
        say()
        say(body)
        used += height


def explain(items: Sequence[Item], kind: PointKind, suggested: set[str]) -> str:
    """What ticking a point does, and which points the campaign suggests (its default set)."""
    numbers = [str(n) for n, i in enumerate(items, 1) if i.id in suggested and not i.outdated]
    if kind == "argument":
        does = _("Each ticked argument becomes a paragraph of the letter, with its source.")
        if numbers:
            default = _("The campaign suggests: {numbers}.").format(numbers=", ".join(numbers))
        else:
            default = _("The campaign suggests none; tick those you want to make.")
    else:
        does = _("The letter asks the authorities to carry out each ticked recommendation.")
        if numbers:
            default = _("The campaign suggests: {numbers}.").format(numbers=", ".join(numbers))
        else:
            default = _("None is ticked at first; tick those you want the letter to ask for.")
    return f"{does} {default}"


def choose(
    campaign: Campaign, kind: PointKind, current: Sequence[str] | None, day: dt.date
) -> list[str]:
    """Ask which points go into the letter; ids in campaign order."""
    items = items_for(campaign, kind, day)
    suggested = {p.id for p in campaign.points(kind) if p.default}
    if current is None:
        current = [i.id for i in items if i.id in suggested]
    ticked = {i.id for i in items if i.id in set(current) and not i.outdated}
    heading = (
        _("Arguments: the points your letter makes")
        if kind == "argument"
        else _("Recommendations: what you ask the authorities to do")
    )
    explained = False
    while True:
        say()
        say(_("{heading} ([x] = in the letter)").format(heading=heading), style="bold")
        if not explained:
            # Once per list: what a tick does, and what the campaign ticks by itself.
            say(explain(items, kind, suggested))
            explained = True
        console.err.print(table(items, ticked))
        say(
            _(
                'Toggle with numbers ("1 3"), "all" or "none"; "?" explains them all, "? 2" one; '
                "Enter keeps this."
            )
        )
        answer = ask(_("Toggle") + " " + menu_hint(_("keep the ticks shown")))
        if not answer:
            return [i.id for i in items if i.id in ticked]
        if answer.startswith("?"):
            rest = answer[1:].strip()
            try:
                numbers = (
                    sorted(
                        {n for w in rest.replace(",", " ").split() for n in _numbers(w, len(items))}
                    )
                    if rest
                    else list(range(1, len(items) + 1))
                )
            except UsageProblem as exc:
                say(str(exc) + ".")
                continue
            details(items, numbers)
            continue
        try:
            ticked = toggle(answer, items, ticked)
        except UsageProblem as exc:
            say(str(exc) + ". " + _("Enter keeps the ticks shown; q quits."))
