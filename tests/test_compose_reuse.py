"""What a batch reuses across letters while composing must never change a letter (issue 14, item 7).

`Composer` keeps what letters of the same kind share (points, recipient, warnings, the context
but the writer, phrasings that do not read the writer), and `Renderer` renders a plain layout
from the order its first render recorded. Each letter composed with them must be the letter a
fresh `compose` makes, whatever the writer typed; and the sandbox's limits must hold on the
reused path as on the first.
"""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from pathlib import Path

import jinja2
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from complainer.campaigns import sandbox
from complainer.campaigns.model import Campaign
from complainer.campaigns.registry import open_registry
from complainer.errors import UsageProblem
from complainer.letter import compose as composer
from complainer.letter.request import DraftValues, build_request
from complainer.paths import content_root

CAMPAIGN = "kz-propaganda-law-2025"
# Every variable of the context a phrasing can read but the writer: a phrasing that reads them
# and is reused for a letter where one of them differs would show the stale value.
SHARED_VARIABLES = (
    " [{{ recipient.name }}|{{ recipient.person }}|{{ recipient.address|join('/') }}|{{ date }}"
    "|{{ date_iso }}|{{ deadline }}|{{ campaign.id }}|{{ appeal.formal }}|{{ appeal.complete }}"
    "|{{ appeal.missing|join(',') }}]"
)


def campaign_reading_everything(folder: Path) -> Campaign:
    """A copy of CAMPAIGN whose English `arguments_intro` phrasings (no writer in them), of
    every target, also write SHARED_VARIABLES."""
    shutil.copytree(content_root() / "campaigns" / CAMPAIGN, folder)
    for texts in (folder / "en").glob("*.toml"):
        lines = texts.read_text(encoding="utf-8").split("\n")
        inside = False
        for i, line in enumerate(lines):
            if line.startswith("arguments_intro = ["):
                inside = True
            elif inside and line.startswith("]"):
                inside = False
            elif inside:
                end = line.rstrip().rstrip(",")
                assert end.endswith('"')
                lines[i] = end[:-1] + SHARED_VARIABLES.replace('"', '\\"') + '",'
        texts.write_text("\n".join(lines), encoding="utf-8")
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace(f'id = "{CAMPAIGN}"', f'id = "{folder.name}"', 1), "utf-8")
    return open_registry([folder.parent]).load(folder.name)


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    return campaign_reading_everything(tmp_path_factory.mktemp("c") / "everything")


def fresh(campaign: Campaign, values: DraftValues) -> composer.Letter:
    """The letter as `draft` composes it: nothing kept from an earlier letter."""
    composer._RENDERED.clear()
    composer._SEEN.clear()
    composer.renderer_for.cache_clear()
    return composer.compose(campaign, *build_request(values, campaign))


# Letters that differ in one shared variable at a time: the recipient (named by the writer, or
# the campaign's), the date, whether the formal appeal is complete, the writer. One seed: the
# same phrasings are chosen for all, so a text kept for one letter is looked up for the others.
KINDS = [
    DraftValues(seed=7, name="Anna Schmidt", country="DE", lang="en", date="2026-11-29"),
    DraftValues(seed=7, name="Anna Schmidt", country="DE", lang="en", date="2026-11-30"),
    DraftValues(
        seed=7,
        name="Anna Schmidt",
        country="DE",
        lang="en",
        date="2026-11-30",
        address=["1 Main St", "10115 Berlin"],
    ),
    DraftValues(
        seed=7,
        name="Anna Schmidt",
        country="DE",
        lang="en",
        date="2026-11-30",
        to="jane@example.org",
        to_name="Jane Doe",
    ),
    DraftValues(
        seed=7,
        name="Anna Schmidt",
        country="DE",
        lang="en",
        date="2026-11-30",
        to="office@example.org",
        to_name="Office of Jane Doe",
    ),
    DraftValues(seed=7, name="Ben Okafor", country="FR", city="Lyon", lang="en", date="2026-11-30"),
    DraftValues(
        seed=7,
        name="Ben Okafor",
        country="FR",
        city="Lyon",
        lang="en",
        date="2026-11-30",
        target="mp",
        to="mp@example.org",
        to_name="Jane Doe",
    ),
    DraftValues(
        seed=7,
        name="Ben Okafor",
        country="FR",
        city="Lyon",
        lang="en",
        date="2026-11-30",
        target="mp",
        to="mp@example.org",
        to_name="John Roe",
    ),
]


def test_a_kept_phrasing_is_never_reused_for_a_letter_where_a_variable_it_reads_differs(
    everything: Campaign,
) -> None:
    """Each kind of letter thrice, in turn, through one Composer (so that every phrasing is
    kept by its second use): every letter is the one a fresh compose makes. The phrasings that
    write every shared variable do differ between the kinds, so a phrasing reused across kinds
    would show."""
    shared = composer.Composer(everything)
    kinds = [(values, False) for values in KINDS]
    # A formal appeal that lacks nothing and a letter that is none, to the same person: the
    # same recipient, date and (empty) list of what is missing; only `appeal.formal` differs.
    to_jane = {"to": "jane@example.org", "to_name": "Jane Doe", "address": ["1 Main St"]}
    kinds += [
        (dataclasses.replace(KINDS[1], target="ministry", **to_jane), True),
        (dataclasses.replace(KINDS[1], target="mp", **to_jane), True),
    ]
    expected = []
    for values, signed in kinds:
        composer._RENDERED.clear()
        composer.renderer_for.cache_clear()
        expected.append(composer.compose(everything, *build_request(values, everything, signed)))
    intros = {letter.body.split("[", 1)[1].split("]", 1)[0] for letter in expected}
    assert len(intros) >= 7  # recipient, date, appeal: each change shows in the phrasing
    assert expected[-2].recipient == expected[-1].recipient and not expected[-2].missing
    formal = [letter.body.split("[", 1)[1].split("|")[7] for letter in expected[-2:]]
    assert formal == ["True", "False"]
    for _round in range(3):
        for (values, signed), letter in zip(kinds, expected, strict=True):
            writer, request = build_request(values, everything, signed)
            assert shared.compose(writer, request) == letter
    assert shared._texts  # the phrasings that do not read the writer were kept and reused


def test_the_same_phrasing_choices_in_other_letters_are_the_same_letters(
    everything: Campaign,
) -> None:
    """Phrasing choices given (as a batch spreads them) and taken from the seed, in one run."""
    shared = composer.Composer(everything)
    writer, request = build_request(KINDS[0], everything)
    slots = composer.phrasing_slots(everything, request)
    for turn in range(4):
        chosen = {slot: (turn + i) % count for i, (slot, count) in enumerate(slots.items())}
        for phrasings in (chosen, None):
            made = shared.compose(writer, request._replace(phrasings=phrasings, seed=turn))
            composer._RENDERED.clear()
            alone = composer.compose(everything, writer, request._replace(phrasings=phrasings,
                                                                           seed=turn))  # fmt: skip
            assert made == alone


NAME_TEXT = st.text(
    alphabet=st.sampled_from("Anna Ben Дарья Айгүл O'Brien-Li {}%#<>=?\"\\\u00a0\u0301"),
    min_size=2,
    max_size=24,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    writers=st.lists(
        st.tuples(NAME_TEXT, st.sampled_from(["DE", "FR", "KZ", "PL"]), NAME_TEXT,
                  st.sampled_from(["", "Jane Doe", "{{ writer.name }}", "{% raw %}"])),
        min_size=2, max_size=4,
    ),
    day=st.sampled_from(["2026-11-29", "2026-11-30"]),
)  # fmt: skip
def test_letters_of_any_writers_through_one_composer_are_the_letters_draft_makes(
    everything: Campaign, writers: list[tuple[str, str, str, str]], day: str
) -> None:
    """Whatever the writers typed (template syntax included: it is text, never a template),
    a run of letters through one Composer gives each the letter a fresh compose gives."""
    shared = composer.Composer(everything)
    made = []
    for name, country, city, to_name in writers:
        values = DraftValues(name=name, country=country, city=city, lang="en", date=day,
                             target="mp" if to_name else None,
                             to="mp@example.org" if to_name else None, to_name=to_name or None)  # fmt: skip
        try:
            writer, request = build_request(values, everything)
        except UsageProblem:
            continue
        for _twice in range(2):
            made.append((values, shared.compose(writer, request)))
    assume(made)
    for values, letter in made:
        assert letter == fresh(everything, values)


# -- A plain layout rendered from its recorded order -------------------------------------------


def test_every_built_in_layout_rendered_again_is_the_layout_rendered_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second and later letters of a layout come from the order its first render recorded
    (`Renderer._render_in_order`); their text and blocks are those of each block rendered on
    its own, for every built-in layout, language and target."""
    registry = open_registry(None)
    recorded = 0
    for campaign_id in ("kz-petition-2024", CAMPAIGN):
        campaign = registry.load(campaign_id)
        renderer = composer.renderer_for(campaign.folder)
        for lang in campaign.languages:
            for target, about in campaign.targets.items():
                country = "DE" if about.suits("DE") else "KZ"
                for name in ("Anna Schmidt", "Ben Okafor", "Дарья Иванова"):
                    values = DraftValues(name=name, country=country, lang=lang, target=target,
                                         to="office@example.org", date="2026-11-29")  # fmt: skip
                    writer, request = build_request(values, campaign)
                    with monkeypatch.context() as patch:
                        patch.setattr(renderer, "_blocks_in_one_pass", lambda name, t: False)
                        alone = composer.compose(campaign, writer, request)
                    again = composer.compose(campaign, writer, request)
                    assert (again.body, again.blocks) == (alone.body, alone.blocks)
                layout = renderer.env.get_template(f"{lang}/{again.target}.j2")
                recorded += layout in renderer._skeletons
    assert recorded  # the built-in layouts with blocks do take the recorded path


def test_a_layout_with_a_block_inside_another_is_not_rendered_from_a_recorded_order(
    tmp_path: Path,
) -> None:
    (tmp_path / "l.j2").write_text(
        "{% block a %}A{% block b %}{{ name }}{% endblock %}{% endblock %}\n\nC", "utf-8"
    )
    renderer = sandbox.Renderer(tmp_path)
    for name in ("N", "M", "N"):
        assert renderer.layout_blocks("l.j2", {"name": name}) == (
            f"A{name}\n\nC\n",
            [("a", f"A{name}"), ("b", name)],
        )
    assert not renderer._skeletons


BOMB = (
    "{% block a %}{{ name }}{% endblock %}\n"
    "{% block b %}{% for i in range(n) %}{{ chunk }}{% endfor %}{% endblock %}\n"
)


def test_the_output_limit_holds_for_a_layout_rendered_again(tmp_path: Path) -> None:
    (tmp_path / "l.j2").write_text(BOMB, "utf-8")
    renderer = sandbox.Renderer(tmp_path)
    small = {"name": "N", "n": 1, "chunk": "x"}
    assert renderer.layout_blocks("l.j2", small) == ("N\nx\n", [("a", "N"), ("b", "x")])
    assert renderer._skeletons  # the next render is from the recorded order
    with pytest.raises(sandbox.TemplateOverLimit, match="output longer than"):
        renderer.layout_blocks("l.j2", {"name": "N", "n": 30, "chunk": "y" * 10_000})


def test_the_time_limit_holds_for_a_layout_rendered_again_off_the_main_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off the main thread there is no SIGVTALRM, and a loop over a list given calls no hook:
    the check at every chunk written (empty ones too) stops it, on the recorded path as on the
    first render."""
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.2)
    loops = (
        "{% block a %}{{ name }}{% endblock %}\n{% block b %}{% for i in items %}"
        "{% for j in items %}{{ chunk }}{% endfor %}{% endfor %}{% endblock %}\n"
    )
    (tmp_path / "l.j2").write_text(loops, "utf-8")
    renderer = sandbox.Renderer(tmp_path)
    renderer.layout_blocks("l.j2", {"name": "N", "items": [1], "chunk": ""})
    assert renderer._skeletons
    failures: list[BaseException] = []

    def render() -> None:
        try:
            renderer.layout_blocks("l.j2", {"name": "N", "items": list(range(10_000)), "chunk": ""})
        except BaseException as exc:  # the failure is what is tested
            failures.append(exc)

    worker = threading.Thread(target=render)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert len(failures) == 1 and isinstance(failures[0], sandbox.TemplateOverLimit)
    assert "seconds of CPU time" in str(failures[0])


def test_only_a_text_that_shows_no_memory_address_is_kept() -> None:
    assert composer._repeatable("Dear Minister,")
    assert not composer._repeatable("<jinja2.utils.Cycler object at 0x7f3a2c1d0e50>")


def test_the_time_limit_stops_a_loop_of_hooks_off_the_main_thread_within_its_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`tick` reads the CPU time only once the wall clock no longer proves the deadline far
    (`LimitedSandbox.sure_until`): a loop that calls a hook at every turn, where no SIGVTALRM
    helps, still stops at RENDER_SECONDS of CPU time, not later."""
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.3)
    renderer = sandbox.Renderer(Path("/nonexistent"))
    source = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
    failures: list[BaseException] = []
    used: list[float] = []

    def render() -> None:
        started = time.thread_time()
        try:
            renderer.snippet(source, Path("texts.toml"), {})
        except BaseException as exc:  # the failure is what is tested
            failures.append(exc)
        used.append(time.thread_time() - started)

    worker = threading.Thread(target=render)
    worker.start()
    worker.join(timeout=60)
    assert len(failures) == 1 and isinstance(failures[0], sandbox.TemplateOverLimit)
    assert "seconds of CPU time" in str(failures[0])
    assert used[0] < 0.3 + 0.5  # stopped at the limit (a busy machine adds a little)


# -- The sandbox's attribute lookup on a plain dict ---------------------------------------------

NAMES = st.one_of(
    st.sampled_from([*sorted(sandbox._DICT_ATTRIBUTES), "name", "mro", "__name__", "format"]),
    st.text(alphabet="abcxyz_0", min_size=1, max_size=6),
)


@settings(max_examples=300)
@given(
    items=st.dictionaries(NAMES, st.one_of(st.integers(), st.text(max_size=5)), max_size=6),
    name=NAMES,
)
def test_a_dicts_attribute_is_looked_up_as_jinjas_sandbox_looks_it_up(
    items: dict[str, object], name: str
) -> None:
    """LimitedSandbox.getattr takes a shortcut for a plain dict and a name that is none of a
    dict's attributes; for every dict and name it gives what Jinja's sandbox gives: the item,
    the dict's own (safe) attribute, or the same Undefined (unsafe names included)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = sandbox.LimitedSandbox(undefined=jinja2.StrictUndefined)
    ours = env.getattr(items, name)
    jinjas = ImmutableSandboxedEnvironment.getattr(env, items, name)
    if isinstance(jinjas, jinja2.Undefined):
        assert type(ours) is type(jinjas)
        assert ours._undefined_name == jinjas._undefined_name  # type: ignore[attr-defined]
        assert ours._undefined_obj is jinjas._undefined_obj  # type: ignore[attr-defined]
        assert ours._undefined_hint == jinjas._undefined_hint  # type: ignore[attr-defined]
    else:
        assert ours == jinjas


def rendered_or_error(env: jinja2.Environment, source: str, context: dict[str, object]) -> str:
    try:
        return env.from_string(source).render(context)
    except jinja2.TemplateError as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize(
    "source",
    [
        "{{ d.name }}",
        "{{ d.items()|list|length }}",
        "{{ d.get('name') }}",
        "{{ d.keys is defined }}",
        "{{ d.__class__ }}",
        "{{ d.missing }}",
        "{{ d.missing is defined }}",
        "{{ d.mro }}",
        "{{ d.name.upper() }}",
        "{{ d.inner.x }}{{ d.inner.y is defined }}",
    ],
)
def test_a_template_sees_a_dict_as_in_jinjas_sandbox(source: str) -> None:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    context: dict[str, object] = {"d": {"name": "N", "items": "I", "inner": {"x": 1}}}
    ours = sandbox.LimitedSandbox(undefined=jinja2.StrictUndefined)
    jinjas = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    assert rendered_or_error(ours, source, context) == rendered_or_error(jinjas, source, context)


# -- A batch's flags checked once ---------------------------------------------------------------

FLAG_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "Berlin", "  Lyon ", "Köln", "a\u202eb", "x" * 201, "RFSL", "=?"]),
)


@st.composite
def flags_and_rows(draw: st.DrawFn) -> tuple[DraftValues, list[dict[str, object]]]:
    """Flags a batch could be given and rows that keep or replace each of them."""
    flags = DraftValues(
        campaign=CAMPAIGN,
        lang=draw(st.sampled_from([None, "en", "EN", "ru", "Russian", "xx"])),
        date=draw(st.sampled_from([None, "2026-11-30", " 2026-11-29", "2030-01-01", "soon"])),
        city=draw(FLAG_TEXT),
        organisation=draw(FLAG_TEXT),
        note=draw(st.sampled_from([None, "", "Thank you.", "  Spaced  note  ", "x" * 4001])),
        to=draw(st.sampled_from([None, "mp@example.org", " <MP@Example.org> ", "not-an-address"])),
        to_name=draw(FLAG_TEXT),
        to_kind=draw(st.sampled_from([None, "person", " Institution ", "robot"])),
        target=draw(st.sampled_from([None, "mp", "ministry"])),
        address=draw(st.sampled_from([None, ["1 Main St", "Berlin"], [" 2 Side St "]])),
    )
    rows = []
    for _row in range(draw(st.integers(1, 3))):
        row: dict[str, object] = {
            "name": draw(st.sampled_from(["Anna Schmidt", " Ben  Okafor ", "q", ""])),
            "country": draw(st.sampled_from(["DE", "France", "kz", "Atlantis"])),
        }
        for field in ("lang", "date", "city", "note", "to", "to_name", "address"):
            if draw(st.booleans()):
                row[field] = getattr(flags, field) if draw(st.booleans()) else draw(FLAG_TEXT)
        rows.append(row)
    return flags, rows


def outcome(values: DraftValues, campaign: Campaign, known: object = None) -> object:
    try:
        return build_request(values, campaign, known=known)  # type: ignore[arg-type]
    except UsageProblem as exc:
        return f"refused: {exc}"


@settings(max_examples=200, deadline=None)
@given(case=flags_and_rows())
def test_a_rows_values_checked_with_the_flags_checked_once_are_the_values_checked_whole(
    case: tuple[DraftValues, list[dict[str, object]]],
) -> None:
    """`CheckedDefaults`: a row's value equal to its flag takes the flag's canonical form
    instead of being checked again. The writer and request, or the refusal, are the same as
    when every value of the row is checked."""
    from complainer.letter.request import CheckedDefaults

    flags, rows = case
    campaign = open_registry(None).load(CAMPAIGN)
    try:
        known = CheckedDefaults.of(flags, campaign)
    except UsageProblem:
        return  # a batch refuses bad flags before any row (flows.batch.run)
    for cells in rows:
        values = dataclasses.replace(flags, **{k: v for k, v in cells.items() if v is not None})
        assert outcome(values, campaign, known) == outcome(values, campaign)
    assert known.given == flags  # the flags themselves are left as given


def test_a_templates_globals_are_the_environments_as_jinja_would_chain_them(
    tmp_path: Path,
) -> None:
    """LimitedSandbox.make_globals gives a plain dict (quicker to copy into each render's
    context) with what Jinja's ChainMap over the environment's globals holds; templates see
    the sandbox's bounded globals through it."""
    from collections import ChainMap

    (tmp_path / "l.j2").write_text("{% block a %}{{ range(3)|list }}{% endblock %}", "utf-8")
    renderer = sandbox.Renderer(tmp_path)
    chained = dict(ChainMap({}, renderer.env.globals))
    assert renderer.env.get_template("l.j2").globals == chained
    assert renderer.env.make_globals({"extra": 1}) == {**chained, "extra": 1}
    assert renderer.layout_blocks("l.j2", {}) == ("[0, 1, 2]\n", [("a", "[0, 1, 2]")])
    source = "{{ namespace(a=1).a }} {{ joiner(',')() }}|{{ cycler(1, 2).next() }} {{ dict(b=2) }}"
    assert renderer.snippet(source, Path("texts.toml"), {}) == "1 |1 {'b': 2}"
    with pytest.raises(sandbox.TemplateOverLimit, match="range"):
        renderer.snippet("{{ range(10**6)|list|length }}", Path("texts.toml"), {})
