"""--ui-lang anywhere on the command line (README "Interface language"): after every command's name,
including commands added later, since the list is read from the app itself."""

from __future__ import annotations

import typer
from conftest import Runner, stderr_of
from typer._click import core as click_core

from complainer.cli.app import app


def command_paths() -> list[list[str]]:
    """Every command and subcommand of the app, as the words that name it."""
    root = typer.main.get_command(app)
    ctx = click_core.Context(root)
    paths: list[list[str]] = []

    def walk(command: click_core.Command, path: list[str]) -> None:
        paths.append(path)
        for name in getattr(command, "commands", {}):
            walk(command.commands[name], [*path, name])  # type: ignore[attr-defined]

    for name in root.list_commands(ctx):  # type: ignore[attr-defined]
        command = root.get_command(ctx, name)  # type: ignore[attr-defined]
        assert command is not None
        walk(command, [name])
    return paths


def test_every_command_is_walked() -> None:
    paths = [" ".join(p) for p in command_paths()]
    for expected in ("batch", "check", "draft", "send", "arguments", "campaigns", "campaigns show"):
        assert expected in paths


def test_ui_lang_after_any_command_name_is_taken(cli: Runner) -> None:
    for path in command_paths():
        # An unknown option after --ui-lang: refused in the language --ui-lang chose, which
        # proves --ui-lang itself was accepted there and acted before the refusal.
        result = cli(*path, "--ui-lang", "ru", "--no-such-thing", env={"LANGUAGE": "en"})
        assert result.returncode == 2, (path, stderr_of(result))
        assert "нет такого параметра: --no-such-thing" in stderr_of(result), path
        help_screen = cli(*path, "--help", env={"COLUMNS": "100"}).stdout.decode()
        assert "--ui-lang" in help_screen, path


def test_ui_lang_after_the_command_in_the_installed_command(run: Runner) -> None:
    result = run("batch", "missing.csv", "--out-dir", "out", "--ui-lang", "kk")
    assert result.returncode == 2, stderr_of(result)
    assert "no such option" not in stderr_of(result)
    assert "missing.csv" in stderr_of(result) and "does not exist" not in stderr_of(result)
