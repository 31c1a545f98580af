"""Every command's --help in the interface language: its own texts, its metavars and panel titles,
and the framework's words ("Usage:", "Options", "Show this message and exit.", the default and
environment-variable notes), wide (Rich's table) and narrow (the plain stacked layout)."""

from __future__ import annotations

import re

import pytest
from conftest import Runner, stderr_of
from test_help_and_pipes import COMMANDS, too_wide
from test_i18n import _SENTENCE

from complainer.cli import app, helptext
from complainer.paths import CAMPAIGNS_DIR_ENV

ALL_COMMANDS = [*COMMANDS, ["batch"]]
# Click's and Typer's own English: none of it may be left on a translated help screen.
FRAMEWORK_ENGLISH = ("Usage:", "Options", "Arguments", "Commands", "[default:", "[env var:",
                     "[required]", "[OPTIONS]", "COMMAND [ARGS]", "Show this message",
                     "Install completion", "Examples")  # fmt: skip
# A command line to type, a column list or a value: the same in every language.
_VERBATIM = re.compile(r"^\s*(complainer|export|name,country)\b")
_COMMAND = re.compile(r"\bcomplainer( [a-z][a-z-]*)*")  # the usage line's command path
_TOKEN = re.compile(r"\S*[-_./@=,'|#<>\\]\S*")


def english_left(text: str) -> list[str]:
    """Lines of a help screen holding an English sentence or a framework word."""
    found = []
    for line in text.splitlines():
        line = line.strip(" │╭╮╰╯─")
        if _VERBATIM.match(line):
            continue
        prose = _COMMAND.sub(" ", _TOKEN.sub(" ", line))
        if _SENTENCE.search(prose) or any(word in line for word in FRAMEWORK_ENGLISH):
            found.append(line)
    return found


def test_the_scan_finds_english() -> None:
    assert english_left("│ --name  ИМЯ  Your full name, as you sign. │") != []
    assert english_left("Options:") != []
    assert english_left('  complainer draft --name "Anna Schmidt" --country DE') == []
    assert english_left("Ваше полное имя (Office, Ministry, Embassy…)") == []


@pytest.mark.parametrize("columns", ["40", "100"])
@pytest.mark.parametrize("ui", ["ru", "kk"])
@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: " ".join(c) or "complainer")
def test_help_speaks_the_interface_language(
    cli: Runner, command: list[str], ui: str, columns: str
) -> None:
    result = cli(*command, "--help", env={"COLUMNS": columns, "LANGUAGE": ui})
    assert result.returncode == 0, stderr_of(result)
    text = result.stdout.decode()
    assert english_left(text) == [], (ui, command)
    assert too_wide(text, int(columns)) == [], (ui, command)
    # The translation is there (not merely the English gone): the usage line is in the language.
    assert {"ru": "Использование:", "kk": "Қолданылуы:"}[ui] in text


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: " ".join(c) or "complainer")
def test_english_help_keeps_its_words(cli: Runner, command: list[str]) -> None:
    text = cli(*command, "--help", env={"COLUMNS": "100", "LANGUAGE": "en"}).stdout.decode()
    assert "Usage:" in text and "Show this message and exit." in text
    assert "Использование" not in text


def test_ui_lang_on_the_same_command_line(cli: Runner) -> None:
    """--ui-lang is read before the app is built: it counts before or after --help, and at the
    root or on the command; a later run in the same process is back to the system's language."""
    for args in (["--ui-lang", "kk", "draft", "--help"], ["draft", "--help", "--ui-lang=kk"],
                 ["draft", "--ui-lang", "kk", "--help"]):  # fmt: skip
        text = cli(*args, env={"LANGUAGE": "ru", "COLUMNS": "100"}).stdout.decode()
        assert "Толық аты-жөніңіз" in text, args
    text = cli("draft", "--help", env={"LANGUAGE": "ru", "COLUMNS": "100"}).stdout.decode()
    assert "Ваше полное имя" in text


def test_help_in_russian_from_the_installed_command(run: Runner) -> None:
    result = run("send", "--help", "--ui-lang", "ru", env={"COLUMNS": "100"})
    text = result.stdout.decode()
    assert result.returncode == 0, stderr_of(result)
    assert english_left(text) == []
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())  # as read, across wrapped lines
    assert "Использование: complainer send [ПАРАМЕТРЫ]" in words
    assert "[по умолчанию: 30.0]" in words
    assert "[переменная окружения: COMPLAINER_SMTP_HOST]" in words
    assert "от 1 до 65535" in words


def test_every_help_text_is_in_the_catalog() -> None:
    """Each help, epilog, metavar and panel title the commands declare has a translation: one
    declared without N_() would be shown in English (and the scan above might not see a short one)."""
    import gettext

    from typer._click.core import Context
    from typer.core import TyperGroup

    from complainer import i18n

    ru = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=["ru"])
    missing = []
    visited = []

    def visit(command) -> None:  # type: ignore[no-untyped-def]
        visited.append(command.name)
        texts = [command.help, command.epilog]
        for param in command.params:
            texts += [getattr(param, "help", None), getattr(param, "rich_help_panel", None)]
            if param.metavar and not re.fullmatch(r"ID|N|PEM|[a-z|]+", param.metavar):
                texts.append(param.metavar)
        missing.extend(t for t in texts if t and ru.gettext(t) == t)
        if isinstance(command, TyperGroup):  # asked for by name: the root loads them on demand
            ctx = Context(command)
            for name in command.list_commands(ctx):
                visit(command.get_command(ctx, name))

    visit(helptext.command_for(app))
    assert {"draft", "send", "batch", "check", "arguments", "campaigns", "show"} <= set(visited)
    assert missing == []


def test_the_campaigns_dir_help_names_the_variable() -> None:
    from complainer.cli.options import CampaignsDir

    assert CAMPAIGNS_DIR_ENV in CampaignsDir.__metadata__[0].help
