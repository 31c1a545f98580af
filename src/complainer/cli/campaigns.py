"""`complainer campaigns`: list them; `campaigns show ID`; `campaigns new ID`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from complainer.cli import options
from complainer.cli.app import UiLang, command_app
from complainer.i18n import N_, _
from complainer.terminal import console

# The modules each command needs are imported in its body: `--help` imports this module to list
# the commands, and listing campaigns needs neither the scaffold nor the composer.

app = command_app(name="campaigns", help=N_("List campaigns; show one; start a new one."))


@app.callback(invoke_without_command=True)
def campaigns_list(
    ctx: typer.Context, campaigns_dir: options.CampaignsDir = None, ui_lang: UiLang = None
) -> None:
    """List the campaigns with their status, deadline and days left."""
    if ctx.invoked_subcommand is not None:
        return
    from complainer.campaigns.registry import open_registry
    from complainer.terminal import tables

    registry = open_registry(campaigns_dir)
    loaded, broken = registry.load_all()
    for problem in broken:
        console.warn(str(problem))
    rows = tables.campaign_rows(loaded, dt.date.today(), registry.default_id())
    headers = [_("campaign"), _("status"), _("deadline"), _("when"), _("title")]
    tables.print_campaigns(tables.stdout_console(), headers, rows, _("Campaigns"))


@app.command(
    "show",
    help=N_("Show a campaign's background, status, recipients, targets and every source URL."),
)
def campaigns_show(
    campaign_id: Annotated[str, typer.Argument(metavar="ID", help=N_("Campaign id."))],
    campaigns_dir: options.CampaignsDir = None,
    ui_lang: UiLang = None,
) -> None:
    """`complainer campaigns show ID` (its help is the command's `help`)."""
    from complainer.campaigns.registry import open_registry
    from complainer.terminal import tables

    chosen = open_registry(campaigns_dir).load(campaign_id)
    tables.show_campaign(console.product(), chosen, dt.date.today())


@app.command(
    "new",
    help=N_("Create a campaign folder to fill in; `complainer check` says what is left."),
    epilog=N_(
        "[bold]Example[/bold]\n\n  complainer campaigns new my-campaign --dir ~/campaigns\n\n  complainer check ~/campaigns/my-campaign"
    ),
)
def campaigns_new(
    campaign_id: Annotated[
        str, typer.Argument(metavar="ID", help=N_("New campaign id (lower-case, hyphens)."))
    ],
    directory: Annotated[
        Path, typer.Option("--dir", help=N_("Where to create the campaign folder."))
    ] = Path("."),
) -> None:
    """`complainer campaigns new ID` (its help is the command's `help`)."""
    from complainer.campaigns.scaffold import scaffold

    folder = scaffold(campaign_id, directory)
    console.note(
        _("created {folder}; fill in the TODOs, then run: complainer check {folder}").format(
            folder=folder
        )
    )
