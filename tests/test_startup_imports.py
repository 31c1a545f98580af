"""What a run loads: each path imports only what it uses (issue 15; benchmarks/bench_startup.py
has the figures). A structural check, not a timing one: the installed command runs in a
subprocess and reports, as it exits, the modules it imported and the CLDR locales Babel loaded.
"""

from __future__ import annotations

import enum
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, complainer_exe

from complainer.cli.app import Commands

# Runs the installed `complainer` script as its own console entry point would, then prints the
# imported modules and Babel's loaded locale data as one JSON line on stderr.
REPORTER = """
import atexit, json, runpy, sys
def report():
    localedata = sys.modules.get("babel.localedata")
    loaded = sorted(getattr(localedata, "_cache", {})) if localedata else []
    sys.__stderr__.write("\\nLOADED " + json.dumps({"modules": sorted(sys.modules), "locales": loaded}) + "\\n")
atexit.register(report)
exe = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(exe, run_name="__main__")
"""
WRITER = ["--name", "Anna Schmidt", "--country", "DE", "--no-input", "--date", LETTER_DATE]
# Never needed to print a letter from flags: the terminal UI, address checking, sending, opening,
# the wizard, PDF output, and (with a warm cache) the TOML parser and Babel.
NOT_FOR_A_PRINTED_LETTER = (
    "rich",
    "email_validator",
    "smtplib",
    "ssl",
    "fpdf",
    "pexpect",
    "tomllib",
    "complainer.flows.wizard",
    "complainer.delivery.sending",
    "complainer.delivery.smtp",
    "complainer.delivery.mailclient",
    "complainer.terminal.prompts",
    "complainer.terminal.tables",
    "babel",
    # Only a note's writing is compared with the letter's; a citation is named only in a warning.
    "complainer.letter.scripts",
    "complainer.campaigns.citing",
    # Only the command that runs is imported and built (cli.app.Commands).
    "complainer.cli.arguments",
    "complainer.cli.batch",
    "complainer.cli.check",
    "complainer.cli.send",
    "complainer.cli.campaigns",
    # A plain ASCII .eml is checked without its parsers (formats.readback.proved_header).
    "email.parser",
    "email.feedparser",
    "email.policy",
    "email.headerregistry",
    "email._header_value_parser",
)


def loaded(clean_env: dict[str, str], cwd: Path, *args: str) -> tuple[set[str], set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", REPORTER, complainer_exe(), *args],
        capture_output=True, cwd=cwd, env=clean_env, timeout=60, check=False,
    )  # fmt: skip
    err = result.stderr.decode("utf-8")
    assert result.returncode == 0, err
    report = json.loads(err.rsplit("\nLOADED ", 1)[1])
    return set(report["modules"]), set(report["locales"])


def present(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The entries of `names` (packages or modules) that `modules` holds, or any submodule of."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


@pytest.mark.parametrize(("lang", "fmt"), [("en", "text"), ("ru", "text"), ("en", "eml")])
def test_a_letter_from_flags_loads_only_what_it_uses(
    clean_env: dict[str, str], tmp_path: Path, lang: str, fmt: str
) -> None:
    args = ["draft", *WRITER, "--lang", lang, "--format", fmt]
    loaded(clean_env, tmp_path, *args)  # fills the cache, as any earlier run would have
    modules, locales = loaded(clean_env, tmp_path, *args)
    assert present(modules, NOT_FOR_A_PRINTED_LETTER) == []
    # What the letter takes from CLDR (a country's name, month names) is in the cache: Babel
    # loads no locale data at all, let alone the six whose country names are accepted.
    assert locales == set(), locales


def test_a_country_name_loads_one_locale_not_six(clean_env: dict[str, str], tmp_path: Path) -> None:
    args = ["draft", "--name", "A B", "--country", "Germany", "--no-input", "--lang", "en"]
    _, locales = loaded(clean_env, tmp_path, *args)
    assert locales <= {"root", "en"}, locales


def test_version_and_listing_load_no_composer(clean_env: dict[str, str], tmp_path: Path) -> None:
    modules, _ = loaded(clean_env, tmp_path, "--version")
    assert present(modules, ("rich", "jinja2", "babel", "pydantic", "email_validator")) == []
    composer = ("complainer.campaigns", "complainer.letter.compose", "complainer.flows.draft",
                "complainer.flows.batch", "complainer.flows.check", "complainer.flows.wizard")  # fmt: skip
    commands = tuple(f"complainer.cli.{name}" for name in Commands.MODULES)
    assert present(modules, composer) == []
    assert present(modules, commands) == []  # --version builds no command
    loaded(clean_env, tmp_path, "campaigns")
    modules, locales = loaded(clean_env, tmp_path, "campaigns")
    assert (
        present(modules, ("jinja2", "babel", "rich", "email_validator", "smtplib", "tomllib")) == []
    )
    assert present(modules, commands) == ["complainer.cli.campaigns"]
    assert locales == set()


def test_the_benchmarks_floor_app_has_drafts_options() -> None:
    """benchmarks/floor_app.py is the framework's floor only while its `draft` takes exactly the
    options of `complainer draft` (names, types, defaults, constraints)."""
    import importlib.util

    from typer._click.core import Context
    from typer.main import get_command

    from complainer.cli import app
    from complainer.cli.helptext import tidy

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "floor_app.py"
    spec = importlib.util.spec_from_file_location("floor_app", path)
    assert spec is not None and spec.loader is not None
    floor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(floor)

    def same(value: object) -> object:
        """Enums compare by their values: the floor declares its own --tls choices."""
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, type) and issubclass(value, enum.Enum):
            return [m.value for m in value]
        return value

    def options(command: object) -> dict[str, tuple[object, ...]]:
        return {
            p.name: (tuple(p.opts), tuple(p.secondary_opts), same(p.default), p.multiple,
                     p.is_flag, getattr(p, "min", None), getattr(p, "max", None), p.envvar,
                     p.metavar, getattr(p, "rich_help_panel", None),
                     same(p.type_descriptor.annotation))
            for p in command.params  # type: ignore[attr-defined]
        }  # fmt: skip

    root = get_command(app)
    ours = root.get_command(Context(root), "draft")  # type: ignore[attr-defined]
    theirs = get_command(floor.app).commands["draft"]  # type: ignore[attr-defined]
    tidy(theirs, narrow=False)  # as complainer's commands are as they load (readable metavars)
    assert options(theirs) == options(ours)


# Runs the installed script as its console entry would, with gc.freeze (called by the root
# callback) and the letter's composing wrapped to report the collector's state at each; as one
# JSON line on stderr.
COLLECTOR_REPORTER = """
import gc, json, runpy, sys
import complainer.letter.compose as compose
counts = lambda: [s["collections"] for s in gc.get_stats()]
seen = {"on_before": gc.isenabled()}
freeze, disable, made = gc.freeze, gc.disable, compose.compose
def disabling():  # counted where the entry turns the collector off, not before runpy's work
    seen["before"] = counts()
    disable()
def freezing():
    seen["at_freeze"], seen["on_at_freeze"] = counts(), gc.isenabled()
    freeze()
def composing(*args, **kwargs):
    seen["on_at_compose"] = gc.isenabled()
    return made(*args, **kwargs)
gc.freeze, gc.disable, compose.compose = freezing, disabling, composing
exe = sys.argv[1]
sys.argv = sys.argv[1:]
try:
    runpy.run_path(exe, run_name="__main__")
finally:
    seen["on_after"] = gc.isenabled()
    sys.__stderr__.write("\\nCOLLECTOR " + json.dumps(seen) + "\\n")
"""


def test_the_console_entry_holds_the_collector_until_the_command(
    clean_env: dict[str, str],
) -> None:
    """The installed command (complainer.__main__.main) keeps the cyclic garbage collector off
    while Python, Typer and the package load and parse: no collection runs before the root
    callback freezes what loaded; the collector is on for the command's work, and a run that
    ends before the root callback (--version) leaves it on too."""
    for argv, composes in (
        (["draft", *WRITER, "--lang", "en"], True),
        (["--version"], False),
    ):
        done = subprocess.run(
            [sys.executable, "-c", COLLECTOR_REPORTER, complainer_exe(), *argv],
            capture_output=True,
            text=True,
            env=clean_env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stderr.rsplit("COLLECTOR ", 1)[1])
        assert seen["on_before"] and seen["on_after"]
        if composes:
            assert seen["at_freeze"] == seen["before"]  # no collection while loading
            assert not seen["on_at_freeze"] and seen["on_at_compose"]


def test_start_up_objects_are_frozen_once(cli: Runner) -> None:
    """The root command moves what start-up loaded out of the garbage collector's sight
    (gc.freeze), once per process: a caller that runs the command line again keeps its own
    garbage collectable."""
    import gc

    assert cli("campaigns").returncode == 0
    frozen = gc.get_freeze_count()
    assert frozen > 0
    garbage: list[object] = []
    garbage.append(garbage)  # a cycle only the collector can free: it must stay in its sight
    assert cli("campaigns").returncode == 0
    assert gc.get_freeze_count() <= frozen  # nothing made since the first run was frozen


def test_error_wording_is_compiled_only_for_an_error(cli: Runner) -> None:
    """The patterns that say Click's and Typer's errors in the tool's words are compiled on the
    first usage error: a run that goes well compiles none of them."""
    import importlib

    app_module = importlib.import_module("complainer.cli.app")  # the module, not the Typer app
    app_module.wording.cache_clear()
    assert cli("draft", *WRITER, "--lang", "en").returncode == 0
    assert app_module.wording.cache_info().currsize == 0
    result = cli("draft", *WRITER, "--seed", "many")
    assert result.returncode == 2, result.stderr
    assert b"--seed: give a whole number" in result.stderr
    assert app_module.wording.cache_info().currsize == 1


def test_a_printed_letter_defines_no_dataclass(clean_env: dict[str, str], tmp_path: Path) -> None:
    """A frozen dataclass compiles its methods when its module is imported (0.3-1.3 ms each);
    the records a letter's modules define are NamedTuples. Only
    DraftValues, the mutable flags a batch fills field by field, is a dataclass."""
    import dataclasses
    import importlib

    modules, _ = loaded(clean_env, tmp_path, "draft", *WRITER, "--lang", "en", "--format", "eml")
    found = [
        f"{name}.{value.__qualname__}"
        for name in sorted(m for m in modules if m.startswith("complainer"))
        for value in vars(importlib.import_module(name)).values()
        if isinstance(value, type) and value.__module__ == name and dataclasses.is_dataclass(value)
    ]
    assert found == ["complainer.letter.request.DraftValues"]


@pytest.mark.parametrize(
    ("module_name", "at_least"),
    [("complainer.campaigns.model", 13), ("complainer.letter.compose", 6)],
)
def test_records_compile_no_annotations(module_name: str, at_least: int) -> None:
    """typing.NamedTuple compiles every string annotation into a ForwardRef when it makes the
    class (about 40 us a field): campaigns.model and letter.compose, whose records every letter
    loads, do without `from __future__ import annotations`, so their records' annotations are
    plain objects."""
    import importlib
    import typing

    module = importlib.import_module(module_name)
    records = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module_name
        and issubclass(value, tuple)
        and hasattr(value, "_fields")
    ]
    assert len(records) >= at_least
    strings = [
        f"{record.__name__}.{name}"
        for record in records
        for name, annotation in record.__annotations__.items()
        # NamedTuple keeps a string annotation as the ForwardRef it compiled it into.
        if isinstance(annotation, (str, typing.ForwardRef))
    ]
    assert strings == []
