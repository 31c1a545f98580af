"""The Jinja environment: campaign templates are untrusted, so they run sandboxed, strict and bounded.

Jinja's sandbox stops a template from reaching Python internals, but not from using up the machine:
`{{ 'x' * 10**9 }}`, `{{ lipsum(10**6) }}`, `{{ 10**(10**8) }}` or loops inside loops. `LimitedSandbox`
bounds each of those, and `Renderer` bounds every render in time and output size:

- templates load only from inside the campaign folder (campaigns.confine);
- `*`, `**`, `+`, `%` and `~` refuse results longer than MAX_SEQUENCE items or integers longer than
  MAX_INT_BITS bits, before computing them; so do filters and method calls (`center`, `indent`,
  `batch`, `format`, `str.format` widths) through their numeric arguments (MAX_ARGUMENT);
- `range` is at most MAX_RANGE long, `lipsum` at most MAX_LIPSUM paragraphs;
- a render stops after RENDER_SECONDS of CPU time (every sandbox hook and every output chunk
  checks it, and on the main thread a SIGVTALRM timer also stops loops that call no hook) and
  after MAX_OUTPUT characters of output;
- recursion, overflow and any other failure inside a template become one CampaignError naming
  the file, not an "unexpected" error.

A batch's letters of one kind differ only in a few values (the writer's, the phrasings
chosen). A template that Jinja's AST shows writes those only whole (`_plain_holes`) is rendered
in the sandbox with each value replaced by a random mark, twice, and kept as a `Skeleton` that
each letter fills with its own values: the text the sandbox would render, within the same
output limit, with no template code run for it.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple

from jinja2 import (
    BaseLoader,
    BytecodeCache,
    Environment,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.nodes import Concat
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, generate_lorem_ipsum

from complainer import cache
from complainer.campaigns.confine import confined, read_confined_text
from complainer.characters import dangerous_char, describe_char
from complainer.errors import CampaignError

RENDER_SECONDS = 3.0
MAX_OUTPUT = 200_000  # characters; a letter is about 4,000
MAX_SEQUENCE = 100_000  # characters of a string, items of a list, made by one operation
MAX_INT_BITS = 10_000  # about 3,000 decimal digits
MAX_ARGUMENT = 10_000  # a number passed to a filter or method (a width, a count)
MAX_RANGE = 10_000
MAX_LIPSUM = 20
_SKELETONS_MOST = 512  # layouts' skeletons kept by a Renderer, then it starts again

# Every name `getattr(d, name)` finds on a plain dict `d` (its type's and their bases'); for any
# other name it raises AttributeError, and Jinja's sandbox then looks the name up as a key.
_DICT_ATTRIBUTES = frozenset(name for klass in dict.__mro__ for name in vars(klass))
_CPUS = os.cpu_count()  # None when unknown: then the CPU time is read at every check
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
# A width or precision in a printf-style or str.format specification, such as %999999d or {:>99999}.
_FORMAT_WIDTH = re.compile(r"%[-#0 +(\w)]*\d{5,}|%[^a-zA-Z%]*\*|\{[^{}]*\d{5,}[^{}]*\}")


class LimitExceeded(Exception):
    """A template went past one of the limits; the message says which."""


def tidy(text: str) -> str:
    """Trailing spaces gone, runs of blank lines folded to one, exactly one final newline."""
    # The searches first: a letter rendered thousands of times in a batch mostly has none of
    # these, and finding that out costs a tenth of running the patterns over it. A search for
    # one character is the quickest (memchr): a text without one has no pair holding it.
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if " \n" in text or ("\t" in text and "\t\n" in text) or text.endswith((" ", "\t")):
        text = _TRAILING_SPACE.sub("", text)
    text = text.strip("\n")
    if "\n\n\n" in text:
        # What _BLANK_RUNS does, line by line at a fifth of its cost on a letter: a blank line
        # is kept only after a line that is not (the text starts with one, once stripped).
        lines = text.split("\n")
        befores = ["-", *lines[:-1]]
        text = "\n".join(
            [line for before, line in zip(befores, lines, strict=True) if line or before]
        )
    return text + "\n"


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else 0


def _check_result(value: Any) -> Any:
    if _size(value) > MAX_SEQUENCE:
        raise LimitExceeded(f"a value longer than {MAX_SEQUENCE:,} characters or items")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"a number longer than {MAX_INT_BITS:,} bits")
    return value


def _check_arguments(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number and (not math.isfinite(value) or abs(value) > MAX_ARGUMENT):
            raise LimitExceeded(f"a number argument over {MAX_ARGUMENT:,}")
        if isinstance(value, str) and _FORMAT_WIDTH.search(value):
            raise LimitExceeded("a format width over 9,999 (or given by '*')")


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) and not isinstance(value, bool) else 0


class _LimitedNamespace(Namespace):
    """`namespace()` whose attributes may not grow past the limits (the one mutable object left)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_result(value))


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` to a call that checks the length of the result before it is built."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.limited_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class ConfinedLoader(BaseLoader):
    """Loads templates by name from inside one campaign folder only (see campaigns.confine)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))  # refuses ".." names
        if not path.exists():
            raise TemplateNotFound(template)
        real = confined(self.folder, path)
        source = read_confined_text(self.folder, path)
        try:
            mtime = os.path.getmtime(real)
        except OSError as exc:
            raise CampaignError(f"{path}: cannot be read ({exc.strerror})") from None
        # The same rule as campaign data (campaigns.tomlfile): an ESC or a bidi override in a
        # layout would reach the terminal and the letter.
        found = dangerous_char(source, allowed="\n\r\t")
        if found is not None:
            position, bad = found
            line = source.count("\n", 0, position - 1) + 1
            raise CampaignError(
                f"{path}: line {line} contains {describe_char(bad)}, which could drive a"
                " terminal or disguise the letter; remove it"
            )

        def uptodate() -> bool:
            try:
                return os.path.getmtime(real) == mtime
            except OSError:
                return False

        return source, str(path), uptodate


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose operations are bounded (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.deadline = math.inf  # process_time() past which a render stops (set by _alarm)
        self.sure_until = -math.inf  # perf_counter() before which it cannot have come (_alarm)
        self.globals["range"] = self._range
        self.globals["lipsum"] = self._lipsum
        self.globals["namespace"] = _LimitedNamespace
        self.filters = {name: self._limited(f) for name, f in self.filters.items()}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as a plain dict rather than Jinja's ChainMap over the
        environment's: every render copies them into its context twice (`new_context`, then
        `Context`), which for a ChainMap runs in Python. The same names and values: this
        environment's globals are all set in __init__, before any template is loaded, and
        never changed after (as Jinja asks), and a template cannot change them (immutable)."""
        return {**self.globals, **(d or {})}

    def tick(self) -> None:
        # The process's CPU time is a system call to read (about 0.7 us, fifty to a hundred
        # times a letter); the wall clock is not, and until `sure_until` it proves the CPU
        # time short of the deadline (see _alarm).
        if time.perf_counter() >= self.sure_until and time.process_time() > self.deadline:
            raise LimitExceeded(f"rendering took more than {RENDER_SECONDS:g} seconds of CPU time")

    def _limited(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)  # keeps jinja_pass_arg, which says what to pass first
        def limited(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            # The first one or two arguments are the context and the value filtered; the rest are
            # the filter's own arguments (widths, counts).
            first = 1 if hasattr(function, "jinja_pass_arg") else 0
            # `format` takes its specification as the value filtered: check that one too.
            own = args[first:] if function.__name__ == "do_format" else args[first + 1 :]
            _check_arguments(own, kwargs)
            return _check_result(function(*args, **kwargs))

        return limited

    def _range(self, *args: int) -> Iterator[int]:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise LimitExceeded(f"a range longer than {MAX_RANGE:,}")

        def ticking() -> Iterator[int]:
            for n in numbers:
                self.tick()
                yield n

        return ticking()

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        if n > MAX_LIPSUM or max > 1000 or min > max:
            raise LimitExceeded(f"lipsum over {MAX_LIPSUM} paragraphs")
        return str(generate_lorem_ipsum(n, html, min, max))

    def limited_concat(self, values: tuple[Any, ...]) -> str:
        self.tick()
        parts = [str(v) for v in values]
        _check_result(parts)
        if sum(len(p) for p in parts) > MAX_SEQUENCE:
            raise LimitExceeded(f"a value longer than {MAX_SEQUENCE:,} characters or items")
        return "".join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        if operator == "**" and _int_bits(left) > 1 and isinstance(right, int):
            if right * _int_bits(left) > MAX_INT_BITS:
                raise LimitExceeded(f"a number longer than {MAX_INT_BITS:,} bits")
        elif operator == "*":
            if isinstance(left, int) and _size(right):
                left, right = right, left
            if _size(left) and isinstance(right, int) and _size(left) * right > MAX_SEQUENCE:
                raise LimitExceeded(f"a value longer than {MAX_SEQUENCE:,} characters or items")
            if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
                raise LimitExceeded(f"a number longer than {MAX_INT_BITS:,} bits")
        elif operator == "+" and _size(left) + _size(right) > MAX_SEQUENCE:
            raise LimitExceeded(f"a value longer than {MAX_SEQUENCE:,} characters or items")
        elif operator == "%" and isinstance(left, str):
            _check_arguments((left, *(right if isinstance(right, tuple) else (right,))), {})
        return _check_result(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.tick()
        if __obj not in (__self._range, __self._lipsum):
            _check_arguments(args, kwargs)
        return _check_result(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            # What Jinja's SandboxedEnvironment.getattr comes to for a plain dict and a name
            # that is none of its attributes (`writer.name`, `p.opening`: most of a letter's
            # lookups), without the AttributeError it raises and catches first to find that
            # out: the item, or Undefined when there is none.
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and _FORMAT_WIDTH.search(owner):
            raise LimitExceeded("a format width over 9,999")
        return super().wrap_str_format(value)


@contextlib.contextmanager
def _alarm(env: LimitedSandbox) -> Iterator[None]:
    """RENDER_SECONDS of CPU time from now: `env` refuses to go on, and SIGVTALRM interrupts loops
    that never ask. CPU time, not wall-clock time, so that a busy machine does not fail a letter."""
    # The process cannot use more CPU time than its CPUs run in the wall time passed: until
    # `sure_until` (RENDER_SECONDS over twice the CPUs, the twice for a CPU added meanwhile)
    # the deadline cannot have come, and `tick` need not read the CPU time to know it.
    wall = time.perf_counter()
    env.deadline = time.process_time() + RENDER_SECONDS
    env.sure_until = wall + RENDER_SECONDS / (2 * _CPUS) if _CPUS else -math.inf
    use_signal = (
        hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    previous: Any = None
    if use_signal:

        def expired(signum: int, frame: FrameType | None) -> None:
            raise LimitExceeded(f"rendering took more than {RENDER_SECONDS:g} seconds of CPU time")

        previous = signal.signal(signal.SIGVTALRM, expired)
        signal.setitimer(signal.ITIMER_VIRTUAL, RENDER_SECONDS + 0.5)
    try:
        yield
    finally:
        env.deadline, env.sure_until = math.inf, -math.inf
        if use_signal:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            signal.signal(signal.SIGVTALRM, previous if previous is not None else signal.SIG_DFL)


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept in complainer's cache (complainer.cache), by source.

    Compiling a letter's fifteen or so templates costs more than rendering them. An entry is
    keyed by the template's name and source and by this module's own code (whose code generator
    adds the limits to what it compiles), and Jinja checks the source again when it loads one.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        data = cache.load("jinja", _bucket_source(bucket), made_by=__file__)
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        data = bucket.bytecode_to_string()
        cache.store("jinja", _bucket_source(bucket), data, made_by=__file__)


def _bucket_source(bucket: Bucket) -> bytes:
    return f"{bucket.key}\n{bucket.checksum}".encode()


class TemplateOverLimit(CampaignError):
    """A layout or phrasing went past one of the limits (LimitExceeded); the message names it."""


class Renderer:
    """Renders one campaign's layouts and phrasings; errors name the campaign file at fault.

    A layout or phrasing that once went past a limit is refused at once from then on, with the
    same TemplateOverLimit: each render would get a fresh RENDER_SECONDS, so `check` (hundreds of
    renders) or a batch (one per signer) would otherwise take minutes of CPU on one bad template.
    """

    def __init__(self, folder: Path) -> None:
        # Immutable: a template may not even append to a list it was given.
        self.env = LimitedSandbox(
            loader=ConfinedLoader(folder),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            bytecode_cache=CompiledTemplates(),
        )
        self.folder = folder
        self._snippets: dict[str, Template] = {}
        # Keyed by the compiled template: a layout edited since is compiled anew and tried again.
        self._over_limit: dict[Any, str] = {}
        self._one_pass: dict[Any, bool] = {}  # layout -> its blocks can be caught in one render
        self._only_blocks: dict[Any, bool] = {}  # layout -> nothing but blanks outside its blocks
        self._layouts: dict[str, Template] = {}  # name -> the layout last rendered by that name
        self._only_blocks_asked: set[Any] = set()  # layouts `only_blocks` was asked about
        # layout -> what its root writes, in order: text (the same in every render) or a block's
        # name (see `_render_in_order`); recorded by its first render, for a layout caught in
        # one pass whose blocks are not nested.
        self._skeletons: dict[Any, tuple[tuple[str, bool], ...]] = {}
        # (layout, the caller's key for what its letters share) -> the holes' shape (`_shape`)
        # -> the blocks' Skeletons, made from the second time the key comes (see
        # `_filled_blocks`); keys seen once.
        self._block_skeletons: dict[tuple[Any, Any], dict[Any, dict[str, Skeleton]]] = {}
        self._keys_seen: set[tuple[Any, Any]] = set()
        # (layout or phrasing, holes) -> its blocks (or "" for a phrasing) a skeleton can
        # stand for, with what `_plain_holes` found in each.
        self._plain: dict[tuple[Any, Holes], dict[str, _Verdict]] = {}
        self._layout_verdicts: dict[tuple[Any, Holes], _Verdict] = {}  # the blocks' together

    def _compile_snippet(self, source: str) -> Template:
        """`env.from_string(source)`, through the bytecode cache (from_string bypasses it)."""
        env = self.env
        assert env.bytecode_cache is not None
        bucket = env.bytecode_cache.get_bucket(env, "<phrasing>", None, source)
        if bucket.code is None:
            bucket.code = env.compile(source)
            env.bytecode_cache.set_bucket(bucket)
        return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)

    def _refuse_known(self, template: Any) -> None:
        known = self._over_limit.get(template)
        if known is not None:
            raise TemplateOverLimit(known)

    def _failure(self, template: Any, exc: Exception, message: str) -> CampaignError:
        if isinstance(exc, LimitExceeded):
            if template is not None:
                self._over_limit[template] = message
            return TemplateOverLimit(message)
        return CampaignError(message)

    def _render(self, template: Any, context: Mapping[str, Any]) -> str:
        return self._render_chunks(template.generate(context))

    def _render_chunks(self, generated: Iterator[str]) -> str:
        """Join the output of a render, within the time and output limits."""
        chunks: list[str] = []
        with _alarm(self.env):
            self._collect(generated, chunks, 0)
        return "".join(chunks)

    def _collect(self, generated: Iterator[str], chunks: list[str], total: int) -> int:
        """Append what `generated` writes to `chunks`, checking at every chunk the CPU time
        (`LimitedSandbox.tick`, inlined: a letter writes about fifty chunks) and that the
        render's output, `total` characters so far, stays within MAX_OUTPUT; the new total."""
        # As LimitedSandbox.tick does, with what `_alarm` fixed for this render.
        wall, sure_until = time.perf_counter, self.env.sure_until
        clock, deadline = time.process_time, self.env.deadline
        for chunk in generated:
            total += len(chunk)
            if total > MAX_OUTPUT:
                raise LimitExceeded(f"output longer than {MAX_OUTPUT:,} characters")
            if wall() >= sure_until and clock() > deadline:
                raise LimitExceeded(
                    f"rendering took more than {RENDER_SECONDS:g} seconds of CPU time"
                )
            chunks.append(chunk)
        return total

    def snippet(self, source: str, origin: Path, context: Mapping[str, Any]) -> str:
        """Render one phrasing (a small template from a texts file)."""
        template = self._snippets.get(source)
        try:
            if template is None:
                template = self._snippets[source] = self._compile_snippet(source)
            self._refuse_known(template)
            return self._render(template, context).strip()
        except CampaignError:
            raise
        except Exception as exc:  # untrusted code: every failure is the campaign's
            message = f"{origin}: {_describe(exc)} in the text {_excerpt(source)}"
            raise self._failure(template, exc, message) from None

    def layout(self, name: str, context: Mapping[str, Any]) -> str:
        """Render `<lang>/<target>.j2` and tidy the result."""
        return self.layout_blocks(name, context)[0]

    def layout_blocks(
        self,
        name: str,
        context: Mapping[str, Any],
        holes: Holes | None = None,
        key: Any = None,
    ) -> tuple[str, list[tuple[str, str]]]:
        """The tidied letter, and each `{% block NAME %}` of the layout rendered on its own.

        Blocks come in the order the layout defines them; a layout without blocks gives none.
        The PDF sets each block as `[page.blocks.NAME]` says (docs/campaign-format.md).

        With `holes` and `key` (hashable; the caller's promise that contexts with the same key
        differ only in the holes' values, see Holes), a block that `_plain_holes` proves
        writes those values only whole (and tests or loops over an object's attribute only
        whole) is, once a key comes again, its Skeleton for the values' shape filled with them
        instead of a render: the same text (see `_filled_blocks`).
        """
        template = None
        try:
            template = self._layouts[name] = self.env.get_template(name)
            self._refuse_known(template)
            blocks: list[tuple[str, str]] = []
            if template.blocks and self._blocks_in_one_pass(name, template):
                filled = None
                if holes is not None and key is not None:
                    filled = self._filled_blocks(name, template, context, holes, key)
                if filled:
                    order = self._skeletons[template]
                    text, caught = self._render_in_order(
                        lambda: template.new_context(dict(context)), order, filled
                    )
                else:
                    text, caught = self._render_catching_blocks(template, context)
                for block in template.blocks:
                    blocks.append((block, tidy(caught[block]).strip("\n")))
                return tidy(text), blocks
            text = tidy(self._render(template, context))
            if template.blocks:
                ctx = template.new_context(dict(context))
                for block, render in template.blocks.items():
                    rendered = self._render_chunks(render(ctx))
                    blocks.append((block, tidy(rendered).strip("\n")))
            return text, blocks
        except TemplateSyntaxError as exc:
            raise CampaignError(f"{self.folder / name}:{exc.lineno}: {_describe(exc)}") from None
        except CampaignError:
            raise
        except Exception as exc:  # untrusted code: every failure is the campaign's
            message = f"{self.folder / name}: {_describe(exc)}"
            raise self._failure(template, exc, message) from None

    def _blocks_in_one_pass(self, name: str, template: Template) -> bool:
        """Whether rendering the layout once gives each block's text as rendering the block on
        its own does: true when outside its blocks the layout is only text (no `set`, `if`,
        `for`, macro or import that could change what a block sees or whether it runs), no
        block is `required` or `scoped`, and nothing calls a block through `self`."""
        known = self._one_pass.get(template)
        if known is None:
            assert self.env.loader is not None
            source = self.env.loader.get_source(self.env, name)[0]
            # Parsing the layout again (Jinja's lexer and parser) costs a run that starts cold
            # several times what rendering it does: a layout found plain is remembered in the
            # cache, by its source, this module's code and Jinja's release.
            facts = source.encode("utf-8")
            known = cache.remembered_true("one-pass", facts, made_by=__file__, library="jinja2")
            if not known:
                known = _plain_outside_blocks(self.env.parse(source))
                if known:
                    cache.remember_true("one-pass", facts, made_by=__file__, library="jinja2")
            self._one_pass[template] = known
        return known

    def only_blocks(self, name: str) -> bool:
        """Whether every word `layout_blocks(name, ...)` gives is in one of the blocks it gives,
        whatever the context, known from the source: its blocks are caught in one render
        (`_blocks_in_one_pass`), none is inside another, and outside them the source is only
        blank text (comments aside). False when that takes a render to tell, or when the layout
        cannot be read (rendering it says why). Remembered in the cache as the one-pass verdict
        is: a run that starts cold does not parse the layout for it. The first time it is asked
        about a layout it says False without looking: a run that writes one letter checks the
        words itself, for less than finding the verdict (in the cache or the source) costs."""
        try:
            # The layout `layout_blocks` rendered (asking Jinja again checks the file again).
            template = self._layouts.get(name) or self.env.get_template(name)
            known = self._only_blocks.get(template)
            if known is None and template not in self._only_blocks_asked:
                self._only_blocks_asked.add(template)
                return False
            if known is None:
                known = False
                if self._blocks_in_one_pass(name, template):
                    assert self.env.loader is not None
                    source = self.env.loader.get_source(self.env, name)[0]
                    facts = source.encode("utf-8")
                    known = cache.remembered_true(
                        "only-blocks", facts, made_by=__file__, library="jinja2"
                    )
                    if not known:
                        known = _blank_outside_blocks(self.env.parse(source))
                        if known:
                            cache.remember_true(
                                "only-blocks", facts, made_by=__file__, library="jinja2"
                            )
                self._only_blocks[template] = known
        except Exception:  # untrusted layout: rendering it reports what is wrong
            return False
        return known

    def _render_catching_blocks(
        self, template: Template, context: Mapping[str, Any]
    ) -> tuple[str, dict[str, str]]:
        """The whole layout rendered once, and what each of its blocks wrote on the way.

        The layout calls each block through `context.blocks` (Jinja's compiled `yield from
        context.blocks[name][0](context)`); each is wrapped to keep a copy of its output. The
        first render also records what the root writes between the blocks, which for a layout
        caught in one pass is text only (`_plain_outside_blocks`): the renders after it call the
        blocks in that order themselves (`_render_in_order`), without the wrappers.
        """
        ctx = template.new_context(dict(context))
        skeleton = self._skeletons.get(template)
        if skeleton is not None:
            return self._render_in_order(lambda: ctx, skeleton)
        caught: dict[str, list[str]] = {}
        order: list[tuple[str, bool]] = []  # what the root wrote: (text, False) or (block, True)
        depth = 0  # blocks being rendered: a chunk written at depth 0 is the root's own text
        nested = False

        def catching(
            block: str, render: Callable[[Any], Iterator[str]], sink: list[str]
        ) -> Callable[[Any], Iterator[str]]:
            def caught_render(block_context: Any) -> Iterator[str]:
                nonlocal depth, nested
                nested = nested or depth > 0
                order.append((block, True))
                depth += 1
                try:
                    for chunk in render(block_context):
                        sink.append(chunk)
                        yield chunk
                finally:
                    depth -= 1

            return caught_render

        for block, renders in ctx.blocks.items():
            renders[0] = catching(block, renders[0], caught.setdefault(block, []))

        def generate() -> Iterator[str]:  # as Template.generate, on this context
            try:
                for chunk in template.root_render_func(ctx):
                    if not depth:
                        order.append((chunk, False))
                    yield chunk
            except Exception:
                yield self.env.handle_exception()

        text = self._render_chunks(generate())
        if not nested:
            self._skeletons[template] = tuple(order)
        return text, {block: "".join(chunks) for block, chunks in caught.items()}

    def _render_in_order(
        self,
        make_ctx: Callable[[], Any],
        skeleton: tuple[tuple[str, bool], ...],
        filled: Mapping[str, str] | None = None,
    ) -> tuple[str, dict[str, str]]:
        """What `_render_catching_blocks` gives, from the root's recorded order: its text as
        recorded, and each block rendered by the function the root calls (`ctx.blocks[name][0]`,
        on the context `make_ctx` gives), in the same order on the same context, within the
        same limits (`_render_chunks`: the CPU time and output of the whole render, checked at
        every chunk). A block in `filled` is that text, already made from its Skeleton: it runs
        no template code, and its length counts towards the output limit as a render's would."""
        env = self.env
        parts: list[str] = []
        caught: dict[str, str] = {}
        filled = filled or {}
        total = 0
        rendering = any(is_block and piece not in filled for piece, is_block in skeleton)
        ctx: Any = make_ctx() if rendering else None
        with _alarm(env) if rendering else contextlib.nullcontext():
            for piece, is_block in skeleton:
                if not is_block or piece in filled:  # text: only its length counts
                    text = filled[piece] if is_block else piece
                    total += len(text)
                    if total > MAX_OUTPUT:
                        raise LimitExceeded(f"output longer than {MAX_OUTPUT:,} characters")
                    if is_block:
                        caught[piece] = text
                    parts.append(text)
                    continue
                chunks: list[str] = []
                try:
                    total = self._collect(ctx.blocks[piece][0](ctx), chunks, total)
                except LimitExceeded:
                    raise
                except Exception:
                    env.handle_exception()  # as Template.generate: re-raises, traceback rewritten
                caught[piece] = text = "".join(chunks)
                parts.append(text)
        return "".join(parts), caught

    def _filled_blocks(
        self, name: str, template: Template, context: Mapping[str, Any], holes: Holes, key: Any
    ) -> dict[str, str] | None:
        """The blocks of a layout caught in one pass that a Skeleton made for `key` and the
        shape of `context`'s holes (`_shape`) stands for, filled with its holes' values; None
        or empty when none does (yet). Skeletons are made the second time a key comes, on the
        recorded order of a first render (a key that never comes again, a note of each
        signer's own, costs no renders for nothing), and then for each new shape."""
        order = self._skeletons.get(template)
        if order is None:
            return None
        entry = (template, key)
        made = self._block_skeletons.get(entry)
        if made is None:
            if entry not in self._keys_seen:
                if len(self._keys_seen) >= _SKELETONS_MOST:
                    self._keys_seen.clear()
                self._keys_seen.add(entry)
                return None
            if len(self._block_skeletons) >= _SKELETONS_MOST:
                self._block_skeletons.clear()
            made = self._block_skeletons[entry] = {}
        plain = self._plain.get((template, holes))
        if plain is None:
            plain = self._plain[(template, holes)] = self._plain_blocks(name, holes)
            self._layout_verdicts[(template, holes)] = _Verdict(
                frozenset().union(*(v.switches for v in plain.values())),
                frozenset().union(*(v.written for v in plain.values())),
                frozenset().union(*(v.looped for v in plain.values())),
            )
        if not plain:
            return None
        verdict = self._layout_verdicts[(template, holes)]
        shape = _shape(context, verdict.switches)
        if shape is None:
            return None
        skeletons = made.get(shape)
        if skeletons is None:

            def render(marked: Mapping[str, Any]) -> Mapping[str, str]:
                ctx = template.new_context(dict(marked))
                return self._render_in_order(lambda: ctx, order)[1]

            skeletons = self._skeletons_of(template, render, context, holes, verdict, plain)
            if len(made) >= _SKELETONS_MOST:
                made.clear()
            made[shape] = skeletons
        filled: dict[str, str] = {}
        for block, skeleton in skeletons.items():
            if skeleton.names == context.keys():
                text = _fill(skeleton, context)
                if text is not None:
                    filled[block] = text
        return filled

    def _plain_blocks(self, name: str, holes: Holes) -> dict[str, _Verdict]:
        """The top-level blocks of layout `name` that `_plain_holes` accepts, and its verdict."""
        from jinja2 import nodes

        assert self.env.loader is not None
        try:
            tree = self.env.parse(self.env.loader.get_source(self.env, name)[0])
        except Exception:  # untrusted layout: rendering it reports what is wrong
            return {}
        verdicts = {
            node.name: _plain_holes(node.body, holes)
            for node in tree.body
            if isinstance(node, nodes.Block)
        }
        return {block: verdict for block, verdict in verdicts.items() if verdict is not None}

    def _skeletons_of(
        self,
        template: Any,
        render: Callable[[Mapping[str, Any]], Mapping[str, str]],
        context: Mapping[str, Any],
        holes: Holes,
        verdict: _Verdict,
        parts: Collection[str],
    ) -> dict[str, Skeleton]:
        """A Skeleton of each of `parts` of what `render` writes (the parts of a template that
        `_plain_holes` accepts, `verdict` the union of their verdicts), from two renders in the
        sandbox of `context` with each hole marked by a random token of its own (`_marked`); a
        part whose two renders differ but in the marks is left out. The tokens are drawn when
        the renders start, so no text the campaign or a signer holds can be one; and if one
        could, the two renders would not agree. Empty when a render fails: the letter's own
        render then says why."""
        # os.urandom as secrets.token_hex does it, without importing `secrets` (and `random`)
        # into every run's start-up.
        tokens = (os.urandom(16).hex(), os.urandom(16).hex())
        renders = []
        try:
            for token in tokens:
                marked = _marked(context, holes, token, verdict)
                if marked is None:
                    return {}
                renders.append((marked[1], render(marked[0])))
        except Exception:  # untrusted code: the letter's own render reports it
            return {}
        (refs, first), (refs_again, second) = renders
        if refs != refs_again:
            return {}
        made: dict[str, Skeleton] = {}
        for part in parts:
            if part not in first or part not in second:
                continue
            pieces, places = _split_marks(first[part], tokens[0])
            if (pieces, places) == _split_marks(second[part], tokens[1]):
                names = frozenset(context)
                made[part] = Skeleton(
                    template, names, pieces, tuple(refs[i] for i in places), holes.item_hole
                )
        return made

    def snippet_skeleton(
        self, source: str, context: Mapping[str, Any], holes: Holes
    ) -> Skeleton | None:
        """A Skeleton of the phrasing `source` (rendered by `snippet` before) for contexts that
        differ from `context` only in the holes' values; None when `_plain_holes` does not
        accept it, it tests or loops over a hole (its skeleton would depend on their shape),
        or its renders fail."""
        template = self._snippets.get(source)
        if template is None:
            return None
        plain = self._plain.get((template, holes))
        if plain is None:
            try:
                verdict = _plain_holes(self.env.parse(source).body, holes)
            except TemplateError:
                verdict = None
            plain = {"": verdict} if verdict is not None and not verdict.switches else {}
            self._plain[(template, holes)] = plain
        if not plain:
            return None
        self._refuse_known(template)

        def render(marked: Mapping[str, Any]) -> Mapping[str, str]:
            return {"": self._render(template, marked)}

        made = self._skeletons_of(template, render, context, holes, plain[""], plain)
        return made.get("")

    def fill_snippet(
        self, source: str, skeleton: Skeleton, context: Mapping[str, Any]
    ) -> str | None:
        """What `snippet(source, _, context)` gives, from `skeleton` (`snippet_skeleton` for a
        context of the same kind); None when the skeleton cannot tell (the phrasing was
        compiled again, a hole's value is not a str, or the output would pass MAX_OUTPUT,
        which `snippet` refuses). Raises TemplateOverLimit as `snippet` does for a phrasing
        once over a limit."""
        template = self._snippets.get(source)
        if template is not skeleton.template or skeleton.names != context.keys():
            return None
        self._refuse_known(template)
        text = _fill(skeleton, context)
        if text is None or len(text) > MAX_OUTPUT:
            return None
        return text.strip()


def _blank_outside_blocks(tree: Any) -> bool:
    """Whether a parsed layout (jinja2.nodes.Template) has no block inside another and only blank
    text outside its blocks (see Renderer.only_blocks)."""
    from jinja2 import nodes

    return all(
        (isinstance(node, nodes.Block) and node.find(nodes.Block) is None)
        or (
            isinstance(node, nodes.Output)
            and all(
                isinstance(part, nodes.TemplateData) and not part.data.strip()
                for part in node.nodes
            )
        )
        for node in tree.body
    )


def _plain_outside_blocks(tree: Any) -> bool:
    """Whether a parsed layout (jinja2.nodes.Template) is only text outside its blocks, has no
    `required` or `scoped` block, and never names `self` (see Renderer._blocks_in_one_pass)."""
    from jinja2 import nodes

    plain = all(
        (isinstance(node, nodes.Block) and not node.required and not node.scoped)
        or (
            isinstance(node, nodes.Output)
            and all(isinstance(part, nodes.TemplateData) for part in node.nodes)
        )
        for node in tree.body
    )
    return plain and not any(n.name == "self" for n in tree.find_all(nodes.Name))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, LimitExceeded):
        return f"template over a limit: {exc}"
    if isinstance(exc, SecurityError):
        return f"unsafe template code refused ({exc})"
    if isinstance(exc, TemplateSyntaxError):
        return f"template syntax error: {exc.message}"
    if isinstance(exc, TemplateError):
        return f"template error: {exc}"
    if isinstance(exc, RecursionError):
        return "template error: recursion too deep"
    if isinstance(exc, MemoryError):
        return "template error: out of memory"
    return f"template error: {type(exc).__name__}: {exc}"


def _excerpt(source: str, width: int = 60) -> str:
    flat = " ".join(source.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


class Holes(NamedTuple):
    """Where a letter's context holds the text that differs between letters of one kind, which a
    `Skeleton` leaves as holes: the attributes of each of `objects` (`{{ writer.name }}`), each
    of `names` (`{{ subject }}`), and the `item_hole` of each item of `lists`
    (`{% for a in arguments %}{{ a.text }}`), whose other items' fields `item_fixed` are the
    same for letters of one kind."""

    objects: frozenset[str]
    names: frozenset[str] = frozenset()
    lists: frozenset[str] = frozenset()
    item_hole: str = "text"
    item_fixed: frozenset[str] = frozenset()


# A hole: (variable, attribute) of an object, (variable, attribute, index) of an item of an
# object's list, (variable, None) of a name, (variable, index) of a list's item.
_Ref = tuple[Any, ...]


class Skeleton(NamedTuple):
    """A template's output for letters of one kind and one shape of their holes' values
    (`_shape`): `pieces[0]`, then each hole's value (`refs`) followed by the next piece. Only
    made when `_plain_holes` proves the template writes the holes' values as they are and
    reads them nowhere else but whole in a test or a loop (see Renderer._skeletons_of)."""

    template: Any
    names: frozenset[str]  # the context's variables when it was made
    pieces: tuple[str, ...]
    refs: tuple[_Ref, ...]
    item_hole: str


# Statements a template may hold for a skeleton of it: nothing that captures, filters or
# escapes output (filter, set and call blocks, macros, autoescape), reads the context by
# another way (include, import, extends, blocks and `self`) or rebinds a name in a new scope.
_PLAIN_STATEMENTS = ("Output", "If", "For", "Assign")
_REFUSED_EXPRESSIONS = (
    "ContextReference",
    "DerivedContextReference",
    "InternalName",
    "ImportedName",
    "ExtensionAttribute",
    "EnvironmentAttribute",
    "MarkSafe",
    "MarkSafeIfAutoescape",
)
_REFUSED_NAMES = frozenset({"self", "super", "caller", "varargs", "kwargs", "context"})
# What `loop` may be asked in a skeleton's template: the position, never an item.
_LOOP_POSITION = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0"}
)


class _Verdict(NamedTuple):
    """What `_plain_holes` found: the objects' attributes (object, attribute) a template tests
    (`{% if writer.organisation %}`) or loops over (`{% for line in writer.address %}`), and
    those it writes whole (`{{ writer.name }}`)."""

    switches: frozenset[tuple[str, str]]
    written: frozenset[tuple[str, str]]
    looped: frozenset[tuple[str, str]]  # those of the switches looped over


def _plain_holes(body: Sequence[Any], holes: Holes) -> _Verdict | None:
    """Whether template code `body` (a parsed template's or block's statements) reads the
    holes' values only to write them whole (`{{ writer.name }}` as an output of its own, in
    the template's own output, under `if` and `for` only), to test an object's attribute
    whole (`{% if writer.iin %}`) or to loop over one, writing each item whole, and reads each
    list of `holes.lists` only for whether it is empty or to loop over it: then what it writes
    for a context is a skeleton that depends on the holes' values only through the truth of
    the tested attributes and the length of the lists looped over (`_shape`), with each value
    where it writes it. None when it reads them any other way."""
    from jinja2 import nodes

    parents: dict[int, Any] = {}
    found: list[Any] = []
    stack: list[tuple[Any, Any]] = [(node, None) for node in body]
    while stack:
        node, parent = stack.pop()
        kind = type(node).__name__
        if isinstance(node, nodes.Stmt) and kind not in _PLAIN_STATEMENTS:
            return None
        if kind in _REFUSED_EXPRESSIONS:
            return None
        parents[id(node)] = parent
        found.append(node)
        stack.extend((child, node) for child in node.iter_child_nodes())

    def plain_output(expr: Any) -> bool:
        output = parents[id(expr)]
        if not isinstance(output, nodes.Output) or not any(n is expr for n in output.nodes):
            return False
        above = parents[id(output)]
        while above is not None:
            if not isinstance(above, (nodes.If, nodes.For)):
                return False
            above = parents[id(above)]
        return True

    def attribute(expr: Any) -> bool:  # `writer.NAME`, NAME none of a dict's attributes
        return (
            isinstance(expr, nodes.Getattr)
            and isinstance(expr.node, nodes.Name)
            and expr.node.name in holes.objects
            and expr.attr not in _DICT_ATTRIBUTES
        )

    per_letter = holes.objects | holes.names | holes.lists
    targets: dict[str, int] = {}  # names bound by a loop over one of holes.lists
    items: dict[str, int] = {}  # names bound by a loop over an object's attribute
    loops: set[int] = set()  # those loops' target nodes
    for node in found:
        if isinstance(node, nodes.For):
            if node.recursive:
                return None
            over_list = isinstance(node.iter, nodes.Name) and node.iter.name in holes.lists
            if over_list or attribute(node.iter):
                if node.test is not None or not isinstance(node.target, nodes.Name):
                    return None
                bound = targets if over_list else items
                bound[node.target.name] = bound.get(node.target.name, 0) + 1
                loops.add(id(node.target))
    for name in (*targets, *items):
        if targets.get(name, 0) + items.get(name, 0) > 1 or name in per_letter:
            return None
    switches: set[tuple[str, str]] = set()
    written: set[tuple[str, str]] = set()
    looped: set[tuple[str, str]] = set()
    for node in found:
        if not isinstance(node, nodes.Name):
            continue
        name, parent = node.name, parents[id(node)]
        if name in _REFUSED_NAMES:
            return None
        if name == "loop" and not (
            isinstance(parent, nodes.Getattr) and parent.attr in _LOOP_POSITION
        ):
            return None
        if node.ctx != "load":
            if name in per_letter or ((name in targets or name in items) and id(node) not in loops):
                return None
            continue
        if name in holes.objects:
            ok = attribute(parent)
            if ok and plain_output(parent):
                written.add((name, parent.attr))
            elif ok:
                above = parents[id(parent)]
                looped_over = isinstance(above, nodes.For) and above.iter is parent
                ok = looped_over or (isinstance(above, nodes.If) and above.test is parent)
                switches.add((name, parent.attr))
                if looped_over:
                    looped.add((name, parent.attr))
        elif name in holes.names:
            ok = plain_output(node)
        elif name in holes.lists:
            ok = (isinstance(parent, nodes.If) and parent.test is node) or (
                isinstance(parent, nodes.For) and parent.iter is node
            )
        elif name in targets:
            ok = isinstance(parent, nodes.Getattr) and (
                parent.attr in holes.item_fixed
                or (parent.attr == holes.item_hole and plain_output(parent))
            )
        elif name in items:
            ok = plain_output(node)
        else:
            continue
        if not ok:
            return None
    return _Verdict(frozenset(switches), frozenset(written), frozenset(looped))


def _shape(
    context: Mapping[str, Any], switches: frozenset[tuple[str, str]]
) -> tuple[Any, ...] | None:
    """What a skeleton depends on of the holes' values (see `_plain_holes`): for each tested
    or looped-over attribute, in order, whether a str is empty or a list's length (a list of
    str only); None when one is neither."""
    shape: list[Any] = []
    try:
        for name, key in sorted(switches):
            value = context[name][key]
            if type(value) is str:
                shape.append(value != "")
            elif type(value) is list and all(type(item) is str for item in value):
                shape.append(len(value))
            else:
                return None
    except (KeyError, IndexError, TypeError):
        return None
    return tuple(shape)


def _marked(
    context: Mapping[str, Any], holes: Holes, token: str, verdict: _Verdict
) -> tuple[dict[str, Any], list[_Ref]] | None:
    """`context` with each hole's value replaced by a mark `\0TOKEN<n>\0` (n: its place in the
    list of holes given with it), or None when a hole is not where `holes` says. A tested or
    looped-over attribute (`verdict.switches`) keeps its shape (`_shape`): an empty str stays
    empty (a context of the same shape has it empty too), a list's items are marked one by one;
    a list that is also written whole (its repr) is left to the sandbox."""
    refs: list[_Ref] = []

    def mark(ref: _Ref) -> str:
        refs.append(ref)
        return f"\0{token}{len(refs) - 1}\0"

    marked = dict(context)
    for name in sorted(holes.objects & context.keys()):
        value = context[name]
        if type(value) is not dict:
            return None
        fields: dict[str, Any] = {}
        for key, field in value.items():
            if (name, key) not in verdict.switches:
                fields[key] = mark((name, key))
            elif type(field) is str and (name, key) not in verdict.looped:
                fields[key] = mark((name, key)) if field else ""
            elif (
                type(field) is list
                and all(type(item) is str for item in field)
                and (name, key) not in verdict.written
            ):
                fields[key] = [mark((name, key, i)) for i in range(len(field))]
            else:
                return None
        marked[name] = fields
    for name in sorted(holes.names & context.keys()):
        marked[name] = mark((name, None))
    for name in sorted(holes.lists & context.keys()):
        items = context[name]
        if type(items) is not list or any(type(item) is not dict for item in items):
            return None
        marked[name] = [{**item, holes.item_hole: mark((name, i))} for i, item in enumerate(items)]
    return marked, refs


def _split_marks(text: str, token: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    parts = re.split(f"\0{token}([0-9]+)\0", text)
    return tuple(parts[0::2]), tuple(int(n) for n in parts[1::2])


def _fill(skeleton: Skeleton, context: Mapping[str, Any]) -> str | None:
    """The skeleton with the holes' values of `context`; None when one is not a str (Jinja
    would write `str()` of it, which a skeleton does not try to match) or not there."""
    pieces = skeleton.pieces
    parts = [pieces[0]]
    try:
        for ref, piece in zip(skeleton.refs, pieces[1:], strict=True):
            name, key = ref[0], ref[1]
            container = context[name]
            if key is None:  # a name: `{{ subject }}`
                value = container
            elif type(key) is int:  # a list's item: `{{ a.text }}`
                if type(container) is not list:
                    return None
                item = container[key]
                if type(item) is not dict:
                    return None
                value = item[skeleton.item_hole]
            else:  # an object's attribute: `{{ writer.name }}`, or an item of it: `{{ line }}`
                if type(container) is not dict:
                    return None
                value = container[key]
                if len(ref) == 3:
                    if type(value) is not list:
                        return None
                    value = value[ref[2]]
            if type(value) is not str:
                return None
            parts.append(value)
            parts.append(piece)
    except (KeyError, IndexError, TypeError):
        return None
    return "".join(parts)
