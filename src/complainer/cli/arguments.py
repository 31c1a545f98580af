"""`complainer arguments`: a campaign's arguments and recommendations, with citations and validity."""

from __future__ import annotations

from typing import Annotated

import typer

from complainer import i18n
from complainer.cli import options
from complainer.cli.app import UiLang, command_app
from complainer.i18n import N_, _

app = command_app()


@app.command(
    help=N_("List a campaign's arguments and recommendations: ids, titles, citations, validity."),
    epilog=N_(
        "[bold]Examples[/bold]\n\n  complainer arguments\n\n  complainer arguments --campaign kz-petition-2024 --lang ru"
    ),
)
def arguments(
    campaign: Annotated[
        str | None, typer.Option("--campaign", "-c", help=N_("Campaign id."))
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", "-l", help=N_("Language of titles and summaries (default: the interface's).")
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help=N_("Check validity on this date (default: today)."))
    ] = None,
    campaigns_dir: options.CampaignsDir = None,
    ui_lang: UiLang = None,
) -> None:
    """`complainer arguments` (its help is the command's `help`)."""
    # Imported here, not at the top: `--help` imports every command's module and needs none of it.
    from complainer.campaigns.model import POINT_KINDS
    from complainer.campaigns.registry import open_registry
    from complainer.letter.compose import PLURAL_NAMES
    from complainer.letter.locales import resolve_language
    from complainer.letter.request import parse_date
    from complainer.terminal import tables

    registry = open_registry(campaigns_dir)
    chosen = registry.load(campaign or registry.default_id())
    code = resolve_language(lang, chosen.languages) if lang else i18n.language()
    day = parse_date(date)
    out = tables.stdout_console()
    headers = ["id", _("default"), _("title"), _("summary"), _("citations")]
    for kind in POINT_KINDS:
        title = _(PLURAL_NAMES[kind]).capitalize()
        rows = tables.point_rows(chosen, kind, code, day)
        if out is None or not out.is_terminal:
            rows = [[kind, *r] for r in rows]
        tables.print_rows(out, headers, rows, f"{title}: {chosen.id}")
