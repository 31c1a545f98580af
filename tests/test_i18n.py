"""The interface in English, Russian and Kazakh: catalogs complete, in sync, compiled; the
language taken from the system locale or --ui-lang; the wizard asking in each language."""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import LETTER_DATE, Runner, assert_clean_error, stderr_of
from test_wizard import answer, finish, spawn

from complainer import i18n

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "complainer" / "locale"
TRANSLATED = [code for code in i18n.UI_LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(LOCALE / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang: str) -> None:
    untranslated = []
    for message in catalog(lang):
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(f and f.strip() for f in forms):
            untranslated.append(message.id)
    assert untranslated == [], f"{lang}: untranslated or fuzzy: {untranslated}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, (lang, message.id, form)


def test_catalogs_are_in_sync_with_the_source(tmp_path: Path) -> None:
    """`pybabel extract` over the source finds exactly the messages the catalogs hold: a new
    message needs `pybabel update` and a translation (README, "Translations")."""
    pot = tmp_path / "complainer.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
         "-o", str(pot), "src/complainer"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with open(pot, "rb") as fh:
        source = {m.id for m in read_po(fh) if m.id}
    for lang in TRANSLATED:
        held = {m.id for m in catalog(lang) if m.id}
        assert held == source, (
            f"{lang}: run pybabel update; missing {source - held}, obsolete {held - source}"
        )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogs_match_the_po_files(lang: str) -> None:
    """The .mo files are committed (so that every kind of install has them without a build
    step); this fails when a .po was changed and `pybabel compile` was not run."""
    mo = LOCALE / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    with open(mo, "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in catalog(lang):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for n, form in enumerate(message.string):
                assert compiled._catalog[(message.id[0], n)] == form, (lang, message.id)  # type: ignore[attr-defined]
        else:
            assert compiled.gettext(message.id) == message.string, (lang, message.id)


@pytest.mark.parametrize(
    ("environ", "code"),
    [
        ({"LANGUAGE": "kk:ru", "LANG": "en_US.UTF-8"}, "kk"),
        ({"LANGUAGE": "de:ru"}, "ru"),
        ({"LC_ALL": "ru_RU.UTF-8", "LANG": "kk_KZ.UTF-8"}, "ru"),
        ({"LC_MESSAGES": "kk_KZ.UTF-8"}, "kk"),
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LC_ALL": "C.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_interface_language_from_the_locale(environ: dict[str, str], code: str) -> None:
    assert i18n.from_environment(environ) == code


def test_ui_lang_flag_beats_the_locale(run: Runner) -> None:
    result = run("draft", "--ui-lang", "kk", "--name", "A", "--country", "Germny", "--no-input",
                 env={"LANGUAGE": "ru"})  # fmt: skip
    assert_clean_error(result, 2, "Germny", "Германия (DE)", "табылмады")
    result = run("draft", "--ui-lang", "xx", "--name", "A", "--country", "DE", "--no-input")
    assert_clean_error(result, 2, "xx", "en, ru, kk")


def test_the_letter_language_stays_separate(run: Runner) -> None:
    result = run("draft", "--name", "A", "--country", "DE", "--lang", "en", "--no-input",
                 "--date", LETTER_DATE, env={"LANGUAGE": "kk"})  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert "Dear" in result.stdout.decode()


# The questions of the whole wizard in each interface language, and words only that language has.
QUESTIONS = {
    "en": {"name": "Name: ", "country": "Country: ", "letter": "Letter (number or id)",
           "lang": "Language (number, code or name)", "address": "Address line 1: ",
           "email": "Email (Enter skips): ",
           "city": "City (optional, Enter skips): ", "org": "Organisation (optional, Enter skips): ",
           "toggle": "Toggle: ", "note": "Note: ", "choice": "Choice [s]: ", "save": "Save to [",
           "shown": ["Your country: Germany (DE)", "Arguments: the points", "Preview",
                     "Reading copy in English"]},
    "ru": {"name": "Имя: ", "country": "Страна: ", "letter": "Письмо (номер или id)",
           "lang": "Язык (номер, код или название)", "address": "Строка адреса 1: ",
           "email": "Эл. почта (Enter — пропустить): ",
           "city": "Город (необязательно, Enter — пропустить): ",
           "org": "Организация (необязательно, Enter — пропустить): ",
           "toggle": "Отметить: ", "note": "Приписка: ", "choice": "Выбор [s]: ",
           "save": "Сохранить в [",
           "shown": ["Ваша страна: Германия (DE)", "Доводы: что говорится в письме", "Просмотр",
                     "Копия для чтения (русский"]},
    "kk": {"name": "Аты-жөні: ", "country": "Ел: ", "letter": "Хат (нөмірі немесе id)",
           "lang": "Тіл (нөмірі, коды немесе атауы)", "address": "Мекенжайдың 1-жолы: ",
           "email": "Эл. пошта (Enter — өткізу): ",
           "city": "Қала (міндетті емес, Enter — өткізу): ",
           "org": "Ұйым (міндетті емес, Enter — өткізу): ",
           "toggle": "Белгілеу: ", "note": "Жазба: ", "choice": "Таңдау [s]: ",
           "save": "Сақтау орны [",
           "shown": ["Еліңіз: Германия (DE)", "Дәлелдер: хатта не айтылады", "Алдын ала көру",
                     "Оқуға арналған көшірме (қазақ"]},
}  # fmt: skip


@pytest.mark.parametrize("ui", ["en", "ru", "kk"])
def test_the_whole_wizard_speaks_the_interface_language(
    tmp_path: Path, clean_env: dict[str, str], ui: str
) -> None:
    q = QUESTIONS[ui]
    env = {**clean_env, "COLUMNS": "100", "LINES": "50", "TERM": "xterm", "LANGUAGE": ui}
    # The letter in a language other than the interface's, so a reading copy is due.
    letter_lang = {"en": "kk", "ru": "kk", "kk": "ru"}[ui]
    child = spawn(tmp_path, env)
    shown = answer(child, q["name"], "Anna Schmidt")
    shown += answer(child, q["country"], "Germany")
    shown += answer(child, q["letter"], "")
    shown += answer(child, q["lang"], letter_lang)
    shown += answer(child, q["address"], "")  # the Ministry's letter is a formal appeal
    shown += answer(child, q["email"], "")
    shown += answer(child, q["city"], "")
    shown += answer(child, q["org"], "")
    shown += answer(child, q["toggle"], "")
    shown += answer(child, q["toggle"], "")
    shown += answer(child, q["note"], "")
    shown += answer(child, q["choice"], "s")
    answer(child, q["save"], "letter.eml")
    code, rest = finish(child)
    assert code == 0, rest
    for text in q["shown"]:
        assert text in shown, (ui, text)
    assert (tmp_path / "letter.eml").is_file()


def test_language_changed_from_the_preview(tmp_path: Path, clean_env: dict[str, str]) -> None:
    env = {**clean_env, "COLUMNS": "100", "LINES": "50", "TERM": "xterm"}
    child = spawn(tmp_path, env, "--country", "DE", "--email", "",
                  "--city", "", "--organisation", "", "--note", "", "-t", "ministry")  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Language (number, code or name)", "")  # the Ministry's: Kazakh
    answer(child, "Address line 1: ", "")
    answer(child, "Toggle: ", "")
    answer(child, "Toggle: ", "")
    preview = answer(child, "Choice [s]: ", "l")
    assert "Reading copy in English" in preview
    explained = answer(child, "Language (number, code or name)", "ru")
    assert "English is possible too" in explained
    preview = answer(child, "Choice [s]: ", "q")
    # No question asked again: the same letter, now in Russian, with its English reading copy.
    assert "Toggle" not in preview
    assert "русский" in preview and "Reading copy in English" in preview
    code, _ = finish(child)
    assert code == 0
