"""The Jinja environment: campaign templates are untrusted, so they run sandboxed and strict."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from complainer import cache
from complainer.errors import CampaignError

_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Trailing spaces gone, runs of blank lines folded to one, exactly one final newline."""
    text = _TRAILING_SPACE.sub("", text.replace("\r\n", "\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n"


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept in complainer's cache (complainer.cache), by source.

    Compiling a letter's fifteen or so templates costs more than rendering them; Jinja checks
    each entry against the template's source again when it loads it.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        data = cache.load("jinja", f"{bucket.key}\n{bucket.checksum}".encode())
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        cache.store(
            "jinja", f"{bucket.key}\n{bucket.checksum}".encode(), bucket.bytecode_to_string()
        )


class Renderer:
    """Renders one campaign's layouts and phrasings; errors name the campaign file at fault."""

    def __init__(self, folder: Path) -> None:
        # Immutable: a template may not even append to a list it was given.
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(str(folder)),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            bytecode_cache=CompiledTemplates(),
        )
        self.folder = folder
        self._snippets: dict[str, Template] = {}

    def _compile_snippet(self, source: str) -> Template:
        """`env.from_string(source)`, through the bytecode cache (from_string bypasses it)."""
        env = self.env
        assert env.bytecode_cache is not None
        bucket = env.bytecode_cache.get_bucket(env, "<phrasing>", None, source)
        if bucket.code is None:
            bucket.code = env.compile(source)
            env.bytecode_cache.set_bucket(bucket)
        return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)

    def snippet(self, source: str, origin: Path, context: Mapping[str, Any]) -> str:
        """Render one phrasing (a small template from a texts file)."""
        try:
            template = self._snippets.get(source)
            if template is None:
                template = self._snippets[source] = self._compile_snippet(source)
            return str(template.render(context)).strip()
        except (SecurityError, TemplateError) as exc:
            raise CampaignError(
                f"{origin}: {_describe(exc)} in the text {_excerpt(source)}"
            ) from exc

    def layout(self, name: str, context: Mapping[str, Any]) -> str:
        """Render `<lang>/<target>.j2` and tidy the result."""
        return self.layout_blocks(name, context)[0]

    def layout_blocks(
        self, name: str, context: Mapping[str, Any]
    ) -> tuple[str, list[tuple[str, str]]]:
        """The tidied letter, and each `{% block NAME %}` of the layout rendered on its own.

        Blocks come in the order the layout defines them; a layout without blocks gives none.
        The PDF sets each block as `[page.blocks.NAME]` says (docs/campaign-format.md).
        """
        try:
            template = self.env.get_template(name)
            text = tidy(template.render(context))
            blocks: list[tuple[str, str]] = []
            if template.blocks:
                ctx = template.new_context(dict(context))
                for block, render in template.blocks.items():
                    blocks.append((block, tidy("".join(render(ctx))).strip("\n")))
            return text, blocks
        except TemplateSyntaxError as exc:
            raise CampaignError(f"{self.folder / name}:{exc.lineno}: {_describe(exc)}") from exc
        except (SecurityError, TemplateError) as exc:
            raise CampaignError(f"{self.folder / name}: {_describe(exc)}") from exc


def _describe(exc: Exception) -> str:
    if isinstance(exc, SecurityError):
        return f"unsafe template code refused ({exc})"
    if isinstance(exc, TemplateSyntaxError):
        return f"template syntax error: {exc.message}"
    return f"template error: {exc}"


def _excerpt(source: str, width: int = 60) -> str:
    flat = " ".join(source.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")
