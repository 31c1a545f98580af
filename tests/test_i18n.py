"""The interface in English, Russian and Kazakh: catalogs complete, in sync, compiled; the
language taken from the system locale or --ui-lang; the wizard asking in each language."""

from __future__ import annotations

import ast
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


# The community is LGBTI throughout (as in the 2024 appeal); bare "LGBT" only inside the quoted
# name of the "LGBT propaganda" ban.
BARE_LGBT = re.compile(r"(?<![«\"])\b(LGBT|ЛГБТ)(?![IИ])")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_messages_name_the_community_lgbti(lang: str) -> None:
    bare = []
    for message in catalog(lang):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        bare += [text for text in (*ids, *forms) if text and BARE_LGBT.search(text)]
    assert bare == [], f"{lang}: LGBT/ЛГБТ without I: {bare}"


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
    result = run("draft", "--ui-lang", "kk", "--name", "Ann", "--country", "Germny", "--no-input",
                 env={"LANGUAGE": "ru"})  # fmt: skip
    assert_clean_error(result, 2, "Germny", "Германия (DE)", "табылмады")
    result = run("draft", "--ui-lang", "xx", "--name", "Ann", "--country", "DE", "--no-input")
    assert_clean_error(result, 2, "xx", "en, ru, kk")


def test_the_letter_language_stays_separate(run: Runner) -> None:
    result = run("draft", "--name", "Ann", "--country", "DE", "--lang", "en", "--no-input",
                 "--date", LETTER_DATE, env={"LANGUAGE": "kk"})  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert "Dear" in result.stdout.decode()


# The questions of the whole wizard in each interface language, and words only that language has.
QUESTIONS = {
    "en": {"name": "Name: ", "country": "Country: ", "letter": "Letter (number or id)",
           "lang": "Language (number, code or name)", "address": "Address line 1: ",
           "email": "Email (Enter skips): ",
           "city": "City (optional, Enter skips): ", "org": "Organisation (optional, Enter skips): ",
           "toggle": "Toggle (Enter: keep the ticks shown; q: quit): ", "note": "Note: ",
           "choice": "Choice (Enter: s; q: quit): ", "save": "Save to (b: back; q: quit) [",
           "shown": ["Your country: Germany (DE)", "Arguments: the points", "Preview",
                     "Reading copy in English"]},
    "ru": {"name": "Имя: ", "country": "Страна: ", "letter": "Письмо (номер или id)",
           "lang": "Язык (номер, код или название)", "address": "Строка адреса 1: ",
           "email": "Эл. почта (Enter — пропустить): ",
           "city": "Город (необязательно, Enter — пропустить): ",
           "org": "Организация (необязательно, Enter — пропустить): ",
           "toggle": "Отметить (Enter — оставить отметки; q — выход): ", "note": "Приписка: ",
           "choice": "Выбор (Enter — s; q — выход): ", "save": "Сохранить в файл (b — назад; q — выход) [",
           "shown": ["Ваша страна: Германия (DE)", "Доводы: что говорится в письме", "Просмотр",
                     "Копия для чтения (русский"]},
    "kk": {"name": "Аты-жөні: ", "country": "Ел: ", "letter": "Хат (нөмірі немесе id)",
           "lang": "Тіл (нөмірі, коды немесе атауы)", "address": "Мекенжайдың 1-жолы: ",
           "email": "Эл. пошта (Enter — өткізу): ",
           "city": "Қала (міндетті емес, Enter — өткізу): ",
           "org": "Ұйым (міндетті емес, Enter — өткізу): ",
           "toggle": "Белгілеу (Enter — белгілерді қалдыру; q — шығу): ", "note": "Жазба: ",
           "choice": "Таңдау (Enter — s; q — шығу): ", "save": "Сақтайтын файл (b — артқа; q — шығу) [",
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
    shown = answer(child, q["country"], "Germany")
    shown += answer(child, q["letter"], "")
    shown += answer(child, q["lang"], letter_lang)
    shown += answer(child, q["name"], "Anna Schmidt")
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
    answer(child, "Language (number, code or name)", "")  # the Ministry's: Kazakh
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Address line 1: ", "")
    answer(child, "Toggle (Enter: keep the ticks shown; q: quit): ", "")
    answer(child, "Toggle (Enter: keep the ticks shown; q: quit): ", "")
    preview = answer(child, "Choice (Enter: s; q: quit): ", "l")
    assert "Reading copy in English" in preview
    explained = answer(child, "Language (number, code or name)", "ru")
    assert "English is possible too" in explained
    preview = answer(child, "Choice (Enter: s; q: quit): ", "q")
    # No question asked again: the same letter, now in Russian, with its English reading copy.
    assert "Toggle" not in preview
    # Named in the interface language, not as "русский (Russian)".
    assert "The letter itself is in Russian." in preview and "русский" not in preview
    assert "Reading copy in English" in preview
    code, _ = finish(child)
    assert code == 0


# ---------------------------------------------------------------------------------------------
# Every message a person reads goes through the catalog: a scan of the source that fails on a
# new English sentence passed to an error, a console note/warning, a question or a print.

SRC = ROOT / "src" / "complainer"
_WRAPPERS = {"_", "N_", "ngettext"}
# Where a message is shown to the person: the error types, the console, the prompts.
_SINKS = {"UsageProblem", "DeliveryError", "ComplainerError", "SmtpFailure", "note", "warn",
          "error", "say", "ask", "confirm", "type_lines", "getpass", "print", "unknown_choice",
          "Rule", "append"}  # fmt: skip
# Keyword arguments that are not messages (Rich styles, defaults) or are --help text (declared
# with N_() and checked by tests/test_help_i18n.py, which reads every help screen).
_NOT_MESSAGES = {"style", "justify", "end", "sep", "default", "help", "short_help", "epilog",
                 "rich_help_panel", "overflow"}  # fmt: skip
# Text for someone other than the supporter, kept in English on purpose:
_ENGLISH_ON_PURPOSE = {
    # Campaign authors: they edit English-keyed TOML, and `complainer check` reports in the
    # terms of docs/campaign-format.md (CampaignError, check's problems). See flows/check.py.
    "campaigns/checkconf.py", "campaigns/claims.py", "campaigns/confine.py",
    "campaigns/fields.py", "campaigns/glossary.py", "campaigns/model.py",
    "campaigns/sandbox.py", "campaigns/tomlfile.py", "letter/locales.py", "flows/check.py",
    "flows/checks/", "cli/check.py",
    # The skeleton `campaigns new` writes: campaign files, English-keyed like every campaign.
    "campaigns/scaffold.py:CAMPAIGN_TOML", "campaigns/scaffold.py:TEXTS_TOML",
    "campaigns/scaffold.py:LAYOUT",
    # A message that would not read back as meant is complainer's own fault: the detail is for
    # the bug report (MessageMismatch), as are programming errors (ValueError, KeyError).
    "formats/readback.py", "formats/headers.py", "formats/eml.py:to_eml",
    "flows/wizard.py:register_action",
    # The cache refuses a stored entry that is not plain data; the reader treats it as a miss.
    "cache.py",
    # The error prefix stays the same in every language: scripts grep stderr for it.
    "terminal/console.py:error",
    # A module attribute that does not exist (PEP 562 __getattr__): a programming error.
    "terminal/console.py:__getattr__",
    # --help text and the regular expressions that recognise Typer's and Click's English.
    "cli/helptext.py", "cli/options.py:LETTER_PDF", "cli/app.py:_VALIDATOR_WORDING",
    "cli/app.py:_PARSER_WORDING",
    # email_validator's own English, matched to pick the tool's translated sentence.
    "letter/writer.py:_EMAIL_PROBLEMS",
}  # fmt: skip
# Translated where they are shown: folders_to_check is the one user-facing part of check.
_EXCEPT = {"flows/check.py:folders_to_check"}
_SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,;:]+[a-z]{2,} [a-z]{2,}")
_PHRASE = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _scopes(tree: ast.Module) -> dict[int, str]:
    """The top-level function, class or assigned name each node belongs to."""
    owner: dict[int, str] = {}
    for top in tree.body:
        if isinstance(top, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            name = top.name
        elif isinstance(top, ast.Assign | ast.AnnAssign):
            target = top.targets[0] if isinstance(top, ast.Assign) else top.target
            name = target.id if isinstance(target, ast.Name) else ""
        else:
            name = ""
        for node in ast.walk(top):
            owner[id(node)] = name
    return owner


def _kept_english(rel: str, scope: str) -> bool:
    if f"{rel}:{scope}" in _EXCEPT:
        return False
    return any(rel == e or rel.startswith(e) if not e.count(":") else f"{rel}:{scope}" == e
               for e in _ENGLISH_ON_PURPOSE)  # fmt: skip


def untranslated_messages(root: Path = SRC) -> list[str]:
    """Sentences (3+ words) anywhere, and phrases handed to a message sink, outside _()."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = _scopes(tree)
        skip: set[int] = set()
        sink_literals: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node.func) in _WRAPPERS:
                skip |= {id(d) for d in ast.walk(node)}
            elif isinstance(node, ast.Call) and _call_name(node.func) in {"compile", "search"}:
                skip |= {id(d) for d in ast.walk(node)}  # regular expressions, not messages
            elif isinstance(node, ast.keyword) and node.arg in _NOT_MESSAGES:
                skip |= {id(d) for d in ast.walk(node)}
            elif isinstance(node, ast.Call) and _call_name(node.func) == "CampaignError":
                # A broken campaign is reported to its authors, in English (see above).
                skip |= {id(d) for d in ast.walk(node)}
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                skip.add(id(node.value))  # docstrings
            if isinstance(node, ast.Call) and _call_name(node.func) in _SINKS:
                for arg in node.args:
                    sink_literals |= {id(d) for d in ast.walk(arg)}
        for node in ast.walk(tree):
            if id(node) in skip or not (
                isinstance(node, ast.Constant) and isinstance(node.value, str)
            ):
                continue
            if node.value.startswith("complainer "):
                continue  # a command line to type, the same in every language
            text = re.sub(r"\[/?[a-z ]+\]", " ", node.value)  # Rich markup is not text
            message = _SENTENCE.search(text) or (id(node) in sink_literals and _PHRASE.search(text))
            if message and not _kept_english(rel, owner.get(id(node), "")):
                found.append(f"{rel}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_every_message_goes_through_the_catalog() -> None:
    assert untranslated_messages() == [], "wrap these in _() (or N_()) and run pybabel (README)"


def test_the_message_scan_finds_an_unwrapped_message(tmp_path: Path) -> None:
    (tmp_path / "delivery").mkdir()
    (tmp_path / "delivery" / "x.py").write_text(
        "def f(path):\n"
        '    raise DeliveryError(f"cannot write {path}")\n'
        "def g():\n"
        '    console.note(_("wrapped, so this is fine"))\n'
        '    notes.append("the PDF has a line to sign")\n',
        encoding="utf-8",
    )
    assert sorted(line.split(": ", 1)[0] for line in untranslated_messages(tmp_path)) == [
        "delivery/x.py:2", "delivery/x.py:5"]  # fmt: skip


def test_every_wrapped_message_is_in_the_catalog() -> None:
    """`pybabel extract` does not see `_()` inside an f-string (nor some other spellings): every
    `_("...")` the code calls must be in the catalog, or it is shown in English whatever the
    interface language."""
    held = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog("ru") if m.id}
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and _call_name(node.func) in _WRAPPERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value not in held
            ):
                missing.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.args[0].value!r}")
    assert missing == [], "not extracted (an f-string?); see README, Translations"
