"""`complainer check`: check campaign folders and print what is wrong (exit 1 if anything is)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from complainer.cli import options
from complainer.cli.app import command_app
from complainer.errors import EXIT_FAILURE
from complainer.i18n import N_

app = command_app()


@app.command(
    help=N_(
        "Check campaign folders: every text in every language on every date that matters, the"
        " glossary, sources and claims, one page."
    ),
    epilog=N_(
        "[bold]Examples[/bold]\n\n  complainer check\n\n  complainer check ~/campaigns/my-campaign\n\n  complainer check kz-petition-2024-folder --samples ~/review"
    ),
)
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar=N_("PATH"), help=N_("Campaign folders (default: every installed campaign).")
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help=N_("Check as of this date (default: today)."))
    ] = None,
    samples: Annotated[
        str | None,  # as given: an empty value must reach folder_option, not become "."
        typer.Option(
            metavar=N_("DIR"),
            help=N_(
                "Also write one letter per target, language and date period to DIR/<campaign>/."
            ),
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=N_("Overwrite sample files that exist."))
    ] = False,
    campaigns_dir: options.CampaignsDir = None,
) -> None:
    """`complainer check` (its help is the command's `help`)."""
    # Imported here, not at the top: `--help` imports every command's module and needs none of it.
    from complainer.delivery.files import folder_option
    from complainer.flows.check import check_folder, folders_to_check
    from complainer.flows.checks.samples import prepare as prepare_samples
    from complainer.letter.request import parse_date

    samples_dir = None if samples is None else folder_option(samples, "--samples")
    folders = folders_to_check(paths, campaigns_dir)
    day = parse_date(date)
    if samples_dir is not None:
        prepare_samples(samples_dir)
    failed = 0
    for folder in folders:
        report = check_folder(folder, day, samples_dir, force)
        for problem in report.problems:
            typer.echo(problem)
        for advice in report.advice:
            typer.echo(f"advice: {advice}")
        verdict = "ok" if not report.problems else _english_count(len(report.problems), "problem")
        rendered = _english_count(report.letters, "letter")
        typer.echo(f"{report.campaign}: {verdict} ({rendered} rendered)")
        if samples_dir is not None and report.samples:
            typer.echo(
                f"{report.campaign}: {report.samples} sample letters in {samples_dir / report.campaign}"
            )
        failed += bool(report.problems)
    if failed:
        raise typer.Exit(EXIT_FAILURE)


def _english_count(n: int, noun: str) -> str:
    """ "1 problem", "3 problems": check reports in English (docs/campaign-format.md's terms)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
