"""Tables of campaigns and their points: Rich tables in a terminal, tab-separated lines when piped."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from complainer import i18n
from complainer.campaigns.citing import cite, source_title
from complainer.campaigns.model import Campaign, PointKind
from complainer.i18n import _, ngettext
from complainer.terminal import console as terminal

# rich is imported where a table is drawn for a terminal: piped listings (scripts) need none of it.
if TYPE_CHECKING:
    from rich.console import Console


def live_deadline(campaign: Campaign) -> dt.date | None:
    """The deadline a writer can still act on: None for a closed campaign, whose closing date
    says when it ended (its deadline may even fall after that date), and for one without."""
    return None if campaign.status == "closed" else campaign.deadline


def days_left(campaign: Campaign, today: dt.date) -> str:
    """ "12 days left", "deadline today", "3 days past", "no deadline"; "-" for a closed campaign."""
    deadline = live_deadline(campaign)
    if campaign.status == "closed":
        return "-"
    if deadline is None:
        return _("no deadline")
    delta = (deadline - today).days
    if delta > 0:
        return ngettext("{n} day left", "{n} days left", delta).format(n=delta)
    if delta == 0:
        return _("deadline today")
    return ngettext("{n} day past", "{n} days past", -delta).format(n=-delta)


def status_line(campaign: Campaign) -> str:
    if campaign.status == "closed" and campaign.outcome:
        return _("closed ({date})").format(date=campaign.outcome.date.isoformat())
    return _("closed") if campaign.status == "closed" else _("open")


def stdout_console() -> Console | None:
    """The console for stdout (console.product()), or None when rich would write plain text there."""
    if terminal.writes_plain(sys.stdout):
        return None
    return terminal.product()


def print_rows(
    console: Console | None, headers: Sequence[str], rows: Sequence[Sequence[str]], title: str
) -> None:
    """A table in a terminal; tab-separated lines otherwise (and to stdout when `console` is None)."""
    if console is not None and console.is_terminal:
        from rich.table import Table

        table = Table(title=title, show_lines=False, expand=False)
        for n, h in enumerate(headers):
            # The first column holds ids, which are typed back: never broken across lines.
            table.add_column(h, overflow="fold", no_wrap=n == 0, min_width=None)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        # Plain tab-separated lines for scripts; Rich would expand the tabs.
        (console.file if console is not None else sys.stdout).write(
            "".join("\t".join(row) + "\n" for row in rows)
        )


# Narrowest the title column may get before the listing is stacked instead: a Russian or Kazakh
# title in a narrower column is mostly one or two words a line.
MIN_TITLE_WIDTH = 30


def print_campaigns(
    console: Console | None, headers: Sequence[str], rows: Sequence[Sequence[str]], title: str
) -> None:
    """`campaign_rows` as a table when the terminal is wide enough for every id, status,
    deadline and "when" cell unbroken and the title column at least MIN_TITLE_WIDTH (or its
    longest word) wide; else stacked, one block a campaign: its id line, then "status: ...",
    "deadline: ... (when)" and the title, wrapped at word boundaries. Ids are never cut (they
    are typed back). Not a terminal: tab-separated lines, as print_rows."""
    if console is None or not console.is_terminal:
        print_rows(console, headers, rows, title)
        return
    from rich.padding import Padding
    from rich.text import Text

    fixed = sum(max((len(r[n]) for r in rows), default=0) for n in range(4))
    longest_word = max((len(w) for r in rows for w in r[4].split()), default=0)
    # Each of the five columns has a space of padding either side and a border before it.
    needed = fixed + max(MIN_TITLE_WIDTH, longest_word) + 5 * 3 + 1
    if console.width >= needed:
        from rich.table import Table

        table = Table(title=title, show_lines=False, expand=False)
        for n, h in enumerate(headers):
            table.add_column(h, no_wrap=n < 4, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    console.print(Text(title, style="bold"))
    for n, (cid, status, deadline, left, name) in enumerate(rows):
        if n:
            console.print()
        console.print(Text(cid, style="bold"), soft_wrap=True)  # never wrapped nor cut
        console.print(Text(f"  {headers[1]}: {status}"))
        when = f" ({left})" if left and left != "-" else ""
        console.print(Text(f"  {headers[2]}: {deadline}{when}"))
        console.print(Padding(Text(name), (0, 0, 0, 2), expand=False))


def campaign_rows(
    campaigns: Sequence[Campaign], today: dt.date, default_id: str
) -> list[list[str]]:
    rows = []
    for c in campaigns:
        deadline = live_deadline(c)
        mark = " " + _("(default)") if c.id == default_id else ""
        origin = "" if c.builtin else f" [{c.folder}]"
        rows.append(
            [
                c.id + mark,
                status_line(c),
                deadline.isoformat() if deadline else "-",
                days_left(c, today),
                c.title(i18n.language()) + origin,
            ]
        )
    return rows


def point_rows(campaign: Campaign, kind: PointKind, lang: str, day: dt.date) -> list[list[str]]:
    texts = campaign.lang(lang)
    rows = []
    for p in campaign.points(kind):
        t = texts.point(kind, p.id)
        cites = "; ".join(dict.fromkeys(cite(campaign, c, lang=lang) for c in p.citations))
        valid = _("expired") if p.expired_citations(day) else (_("yes") if p.default else _("no"))
        rows.append([p.id, valid, t.title, t.summary, cites])
    return rows


def show_campaign(console: Console, campaign: Campaign, today: dt.date) -> None:
    """Background, status, recipients, targets and every source, as plain readable text.

    In the interface language where the campaign has it (else English). Supporters read it:
    the authors' research notes (Source.note, Citation.note) stay in the data, unshown.
    """
    from rich.markup import escape

    from complainer.campaigns.claims import load_claims_or_none

    texts = campaign.lang(i18n.language())
    c = texts.campaign()
    say = console.print
    say(f"[bold]{escape(c.text('title'))}[/bold]  ({campaign.id})")
    say(escape(c.text("summary")))
    if campaign.status == "closed":
        say(escape(_("Status: {status}").format(status=status_line(campaign))))
    else:
        deadline = campaign.deadline.isoformat() if campaign.deadline else _("none")
        say(
            escape(
                _("Status: {status}; deadline: {deadline} ({left})").format(
                    status=status_line(campaign), deadline=deadline, left=days_left(campaign, today)
                )
            )
        )
    say(escape(c.text("status_note")))
    if campaign.alternative:
        say(escape(_("Open alternative: {id}").format(id=campaign.alternative)))
    say(escape(_("Languages: {codes}").format(codes=", ".join(campaign.languages))))
    say("")
    say("[bold]" + escape(_("Recipients")) + "[/bold]")
    for r in campaign.recipients.values():
        rt = texts.recipient(r.id)
        say(f"  {r.id}: {escape(rt.name)} <{r.email}>")
        source = source_title(campaign, r.email_source, i18n.language())
        say(
            "    "
            + escape(
                _("address from: {source}").format(source=source)
                + (f"; {rt.email_note}" if rt.email_note and rt.email_note != "-" else "")
            )
        )
        say("    " + escape(_("reads: {codes}").format(codes=", ".join(r.reads))))
    say("")
    say("[bold]" + escape(_("Targets")) + "[/bold] (--target)")
    for t in campaign.targets.values():
        tt = texts.target(t.id)
        to = (
            _("to {recipient}").format(recipient=t.recipient)
            if t.recipient
            else _("recipient given with --to")
        )
        mark = " " + _("(default)") if t.id == campaign.default_target else ""
        not_for = (
            "; " + _("not for writers in {countries}").format(countries=", ".join(t.not_for))
            if t.not_for
            else ""
        )
        if t.only_for:
            not_for += "; " + _("only for writers in {countries}").format(
                countries=", ".join(t.only_for)
            )
        say(
            f"  {t.id}{escape(mark)}: {escape(tt.title)} ({escape(to + not_for)}) - {escape(tt.summary)}"
        )
    say("")
    claims, broken = load_claims_or_none(campaign)
    say("[bold]" + escape(_("Sources")) + "[/bold]")
    for s in (*campaign.sources.values(), *claims.sources.values()):
        say(f"  {s.id} ({s.confidence}): {escape(texts.source_title(s.id) or s.title)}")
        say(f"    {s.url}", soft_wrap=True)
    if claims.claims or broken:
        say("")
        say(
            "[bold]"
            + escape(_("Claims"))
            + "[/bold] "
            + escape(_("(claims.toml: what the letters may and may not assert)"))
        )
    if broken:
        say(f"  {escape(str(broken))}")
    for claim in claims.claims:
        when = f"; {claim.validity()}" if claim.validity() else ""
        say(f"  {claim.id} ({claim.confidence}{when}): {escape(claim.claim)}")
        for sid in claim.sources:
            cited = campaign.sources.get(sid) or claims.sources[sid]
            say(
                "    "
                + escape(
                    _("source: {title} ({confidence}) {url}").format(
                        title=texts.source_title(sid) or cited.title,
                        confidence=cited.confidence,
                        url=cited.url,
                    )
                ),
                soft_wrap=True,
            )
        if claim.confidence == "unverified":
            say("    " + escape(_("not to be stated in a letter")))
