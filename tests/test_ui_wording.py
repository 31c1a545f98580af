"""Words the interface shows are in the interface language: a language's name (not "русский
(Russian)" in English), a metavar as the help screen shows it (ru «ПУТЬ», never PATH in a Russian
sentence), and numbers with the decimal separator of the language."""

from __future__ import annotations

import re

import pytest
from typer._click.core import Context, Parameter
from typer.core import TyperGroup

from complainer import i18n
from complainer.cli import app, helptext
from complainer.errors import UsageProblem
from complainer.letter.locales import language_name, resolve_language
from complainer.terminal import questions

UI = ("en", "ru", "kk")


@pytest.fixture
def ui_lang(request: pytest.FixtureRequest) -> object:
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(None)


@pytest.mark.parametrize("ui_lang", UI, indirect=True)
def test_language_names_are_in_the_interface_language(ui_lang: str) -> None:
    for code in ("en", "ru", "kk"):
        label = questions.language_label(code)
        assert label == language_name(code, ui_lang)
        if code != ui_lang:
            assert language_name(code) not in label  # not its own name beside it
    with pytest.raises(UsageProblem) as info:
        resolve_language("xx", ["en", "ru", "kk"])
    for code in ("en", "ru", "kk"):
        assert f"{code} ({language_name(code, ui_lang)})" in str(info.value)


def _params() -> list[Parameter]:
    found: list[Parameter] = []

    def visit(command: object) -> None:
        found.extend(getattr(command, "params", []))
        if isinstance(command, TyperGroup):
            ctx = Context(command)
            for name in command.list_commands(ctx):
                visit(command.get_command(ctx, name))

    visit(helptext.command_for(app))
    return found


def test_help_texts_name_metavars_as_they_are_shown() -> None:
    """A help text that names its value by the metavar (PATH, FILE, DIR) names it as the help
    screen shows that metavar in the same language: «ПУТЬ» in Russian, «ЖОЛ» in Kazakh."""
    pairs = [(p.metavar, h) for p in _params() if p.metavar and (h := getattr(p, "help", None))]
    checked = 0
    for ui in ("ru", "kk"):
        i18n.set_language(ui)
        try:
            for metavar, english in pairs:
                word = re.compile(rf"(?<![\w-]){re.escape(metavar)}(?![\w-])")
                shown, translated = i18n._(metavar), i18n._(english)
                if shown == metavar or not word.search(english):
                    continue
                assert not word.search(translated), (ui, metavar, translated)
                assert shown in translated, (ui, shown, translated)
                checked += 1
        finally:
            i18n.set_language(None)
    assert checked >= 2  # --campaigns-dir's PATH at least, in both languages


@pytest.mark.parametrize(
    ("ui_lang", "fraction", "million"),
    [("en", "0.40", "1,000,000"), ("ru", "0,40", "1\u00a0000\u00a0000"),
     ("kk", "0,40", "1\u00a0000\u00a0000")],
    indirect=["ui_lang"],
)  # fmt: skip
def test_numbers_use_the_interface_languages_separators(
    ui_lang: str, fraction: str, million: str
) -> None:
    from babel.numbers import format_decimal

    from complainer.letter.variety import SimilaritySummary

    assert i18n.format_number(0.4, 2) == fraction == format_decimal(0.4, "0.00", locale=ui_lang)
    assert i18n.format_number(1_000_000) == million == format_decimal(1_000_000, locale=ui_lang)
    summary = SimilaritySummary(letters=5, median=0.25, maximum=0.4, closest=(1, 2))
    shown = summary.describe()
    assert fraction in shown and ("0.25" in shown) == (ui_lang == "en")
