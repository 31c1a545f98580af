"""The package's layers import downwards only (docs/architecture.md).

Read with `ast`, not by importing: an import inside a function counts as much as one at the top,
and so does one under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "complainer"

# Top to bottom. A module may import from its own layer and from any layer after it.
LAYERS = ("cli", "flows", "delivery", "terminal", "formats", "letter", "campaigns", "")
# Modules at the package's root belong to the bottom layer (""), except `python -m complainer`,
# which is the command line's.
ROOT_MODULES = {"__init__", "cache", "characters", "errors", "i18n", "paths"}


def layer_of(module: str) -> str:
    """'complainer.letter.compose' -> 'letter'; 'complainer.errors' -> ''."""
    parts = module.split(".")
    assert parts[0] == "complainer", module
    if len(parts) == 1 or parts[1] in ROOT_MODULES:
        return ""
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, module) for every `complainer...` module `path` imports, wherever the import is.

    `source` stands in for the file's text (to test the checker itself).
    """
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("complainer")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("complainer"):
                continue
            # `from complainer.x import y` may import the submodule complainer.x.y.
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                sub = PACKAGE.parent / Path(*candidate.split("."))
                is_module = sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file()
                found.append((node.lineno, candidate if is_module else target))
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_known_layer() -> None:
    for path in SOURCES:
        assert layer_of(module_name(path)) in LAYERS, f"{path} is in no layer of {LAYERS}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downwards_only(path: Path) -> None:
    mine = LAYERS.index(layer_of(module_name(path)))
    upward = [
        f"line {line}: {module} ({layer_of(module) or 'root'})"
        for line, module in imported_modules(path)
        if module != "complainer" and LAYERS.index(layer_of(module)) < mine
    ]
    assert not upward, f"{path.relative_to(PACKAGE)} imports from a layer above it: {upward}"


def test_the_checker_sees_upward_imports() -> None:
    """The rule above catches each spelling of an upward import (guards the checker itself)."""
    compose = PACKAGE / "letter" / "compose.py"
    spellings = {
        "from complainer.flows.draft import run\n": "complainer.flows.draft",
        "from complainer.flows import wizard\n": "complainer.flows.wizard",
        "import complainer.cli.app\n": "complainer.cli.app",
        "def f():\n    from ..terminal import console\n": "complainer.terminal.console",
    }
    for source, expected in spellings.items():
        modules = [m for _, m in imported_modules(compose, source)]
        assert modules == [expected], source
        assert LAYERS.index(layer_of(expected)) < LAYERS.index("letter")
