"""Examples and sample files in every command's help are shown line by line, as they are typed,
in every interface language and at any width: never re-wrapped mid-argument (`--name "Anna` /
`Schmidt"`) nor merged (a sample CSV on one line). Checked at 40 columns (the plain layout) and at
80 (Rich's), where most example lines are wider than the terminal."""

from __future__ import annotations

import pytest
from conftest import Runner, stderr_of, stdout_of
from rich.text import Text
from test_help_i18n import ALL_COMMANDS
from typer._click.core import Context
from typer.core import TyperGroup

from complainer import i18n
from complainer.cli import app, helptext


def _epilog(path: list[str]) -> str:
    command = helptext.command_for(app)
    for name in path:
        assert isinstance(command, TyperGroup)
        found = command.get_command(Context(command), name)
        assert found is not None
        command = found
    return command.epilog or ""


def _example_lines(path: list[str], ui_lang: str) -> list[str]:
    """The lines of the epilog's examples and samples, translated, as they should appear."""
    i18n.set_language(ui_lang)
    try:
        epilog = i18n._(_epilog(path))
    finally:
        i18n.set_language(None)
    paragraphs = helptext.epilog_paragraphs(epilog)
    return [
        Text.from_markup(line).plain.strip()
        for p in paragraphs
        if helptext.is_verbatim(p)
        for line in p.split("\n")
    ]


def test_the_commands_with_examples_are_all_checked() -> None:
    with_examples = [path for path in ALL_COMMANDS if _example_lines(path, "en")]
    assert ["draft"] in with_examples and ["batch"] in with_examples
    assert len(with_examples) >= 6
    assert 'Jonas Berg,SE,,,"I visited Almaty in 2023."' in _example_lines(["batch"], "en")


@pytest.mark.parametrize("columns", ["40", "80"])
@pytest.mark.parametrize("ui_lang", ["en", "ru", "kk"])
def test_every_example_line_appears_whole(run: Runner, ui_lang: str, columns: str) -> None:
    checked = 0
    for path in ALL_COMMANDS:
        expected = _example_lines(path, ui_lang)
        if not expected:
            continue
        result = run("--ui-lang", ui_lang, *path, "--help", env={"COLUMNS": columns})
        assert result.returncode == 0, stderr_of(result)
        shown = {line.strip() for line in stdout_of(result).splitlines()}
        for line in expected:
            assert line in shown, (path, ui_lang, columns, line)
            checked += 1
    assert checked >= 15
