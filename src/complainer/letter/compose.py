"""Choices + writer -> letter: which points, which phrasing of each paragraph, dates and names."""

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from complainer.campaigns.model import (
    POINT_KINDS,
    Campaign,
    Citation,
    LanguageTexts,
    PageLayout,
    Point,
    PointKind,
    Source,
    Target,
    TargetText,
    asks_key,
)
from complainer.campaigns.sandbox import Holes, Renderer, Skeleton
from complainer.campaigns.tomlfile import load_toml
from complainer.errors import CampaignError, UsageProblem, unknown_choice
from complainer.i18n import N_, _, ngettext
from complainer.i18n import language as ui_language
from complainer.letter.formal import appeal_warning, missing_requirements
from complainer.letter.locales import long_date
from complainer.letter.writer import Writer, header_safe
from complainer.paths import content_root

KIND_NAMES: dict[PointKind, str] = {
    "argument": N_("argument"),
    "recommendation": N_("recommendation"),
}
PLURAL_NAMES: dict[PointKind, str] = {
    "argument": N_("arguments"),
    "recommendation": N_("recommendations"),
}
# Placeholders a campaign scaffold leaves for its author (campaigns.scaffold).
UNFINISHED = re.compile(r"\bTODO\b")


def _unfinished(text: str) -> bool:
    """Whether `text` holds UNFINISHED; the plain search first, which a finished letter (every
    letter of a batch) passes at a fraction of the pattern's cost."""
    return "TODO" in text and UNFINISHED.search(text) is not None


class EmptyLetter(UsageProblem):
    """The choices leave a letter that carries points with none: refused, never sent empty."""


# The records below are NamedTuples, not frozen dataclasses: as immutable, and defined about four
# times faster at import, which every letter pays (see campaigns.model); `_replace` copies one.
# Like campaigns.model, this module does without `from __future__ import annotations`, which
# would make typing.NamedTuple compile each field's annotation string at import (about 40 µs a
# field); forward references are quoted where they occur.
class Request(NamedTuple):
    """What the writer chose. `None` for arguments/recommendations means the campaign's default set."""

    language: str
    date: dt.date
    target: str | None = None
    arguments: Sequence[str] | None = None
    recommendations: Sequence[str] | None = None
    note: str = ""
    seed: int | None = None
    to_email: str | None = None
    to_name: str | None = None
    # Explicit phrasing choices, slot -> variant index (see `phrasing_slots`), for a batch that
    # spreads them across its letters; a slot not named here is drawn from the seed by `pick`.
    phrasings: Mapping[str, int] | None = None
    # "person" or "institution" for a recipient given by name; None: decided from the name.
    to_kind: str | None = None
    signed: bool = False  # goes out signed: an image, a certificate, or a PDF signed by hand
    signature_image: bytes | None = None  # PNG or JPEG, checked (letter.formal)


RECIPIENT_KINDS = ("person", "institution")


class Block(NamedTuple):
    """One named part of the letter's layout (`{% block %}`), as the PDF sets it."""

    name: str
    text: str


class Recipient(NamedTuple):
    name: str
    email: str
    address: tuple[str, ...]
    source: str | None = (
        None  # where the campaign's address comes from; None when the writer gave it
    )
    # A person is greeted by name ("Dear Jane Doe,"); an institution gets the generic greeting.
    kind: str = "institution"


class CitedSource(NamedTuple):
    point: str
    citation: Citation
    source: Source


class Letter(NamedTuple):
    campaign: str
    target: str
    language: str
    date: dt.date
    seed: int
    writer: Writer
    recipient: Recipient
    subject: str
    body: str
    arguments: tuple[str, ...]
    recommendations: tuple[str, ...]
    citations: tuple[CitedSource, ...]
    warnings: tuple[str, ...] = ()
    translation: str | None = None  # the language of a translation appended to the body
    blocks: tuple[Block, ...] = ()  # the body in layout blocks, in order
    page: PageLayout = PageLayout()
    signature_image: bytes | None = None
    formal_appeal: bool = False  # the target is a formal appeal to a state body
    missing: tuple[str, ...] = ()  # what the formal appeal lacks
    # The phrasing variant used in each slot (see `phrasing_slots`), in the order composed.
    # With `spread` (a batch chose them, Request.phrasings) `seed` does not reproduce the letter;
    # these choices do.
    phrasings: tuple[tuple[str, int], ...] = ()
    spread: bool = False


SIGNATURE_BLOCK = "signature"  # the block with the printed name; the signature goes above it


def split_blocks(
    body: str, blocks: Sequence[tuple[str, str]], writer_name: str
) -> tuple[Block, ...]:
    """The layout's blocks; for a layout without blocks, the whole letter, and the printed name
    (its last line, when that is the writer's name) as the signature block."""
    if blocks:
        return tuple(Block(name, text) for name, text in blocks)
    head, _, last = body.rstrip("\n").rpartition("\n")
    if head and last.strip() == writer_name:
        return (Block("letter", head.rstrip("\n")), Block(SIGNATURE_BLOCK, last.strip()))
    return (Block("letter", body.rstrip("\n")),)


def default_seed(writer: Writer, day: dt.date) -> int:
    """Stable across runs and machines (unlike hash()), so the same writer gets the same letter."""
    key = f"{writer.name.casefold()}|{writer.country_code}|{day.isoformat()}"
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def pick(seed: int, slot: str, count: int) -> int:
    """The phrasing of `slot` for this seed; each slot is drawn independently of the others."""
    digest = hashlib.sha256(f"{seed}/{slot}".encode()).hexdigest()
    return int(digest, 16) % count


def select_points(
    campaign: Campaign, kind: PointKind, wanted: Sequence[str] | None, day: dt.date
) -> tuple[list[Point], list[str]]:
    """The points to use (in campaign order) and warnings about those left out."""
    points = campaign.points(kind)
    if wanted is None:
        chosen = [p for p in points if p.default]
    else:
        ids = [p.id for p in points]
        for pid in wanted:
            if pid not in ids:
                raise UsageProblem(unknown_choice(_(KIND_NAMES[kind]), pid, ids))
        chosen = [p for p in points if p.id in set(wanted)]
    kept: list[Point] = []
    warnings: list[str] = []
    for point in chosen:
        expired = point.expired_citations(day)
        if not expired:
            kept.append(point)
        elif wanted is not None:
            # Asked for by name: say why it is left out. The default set just moves on.
            from complainer.campaigns.citing import cite  # only for this warning

            c = expired[0]
            warnings.append(
                _(
                    'left out {kind} "{id}": its citation ({citation}) is {validity}, and the '
                    "letter is dated {date}"
                ).format(
                    kind=_(KIND_NAMES[kind]),
                    id=point.id,
                    citation=cite(campaign, c, validity=False, lang=ui_language()),
                    validity=c.validity(),
                    date=day.isoformat(),
                )
            )
    return kept, warnings


@cache
def _institution_words() -> tuple[str, ...]:
    data = load_toml(content_root() / "complainer.toml").get("institution_words", [])
    return tuple(w.casefold() for w in data if isinstance(w, str))


def recipient_kind(name: str, given: str | None) -> str:
    """ "person" or "institution": `given` (--to-kind) if any, else from words in the name
    ([institution_words] in templates/complainer.toml: Office, Ministry, Редакция, …)."""
    if given:
        return given
    words = set(re.findall(r"\w+", name.casefold()))
    stems = _institution_words()
    if any(w.startswith(stem) for w in words for stem in stems):
        return "institution"
    return "person" if name.strip() else "institution"


def _recipient(campaign: Campaign, target_id: str, request: Request) -> Recipient:
    target = campaign.targets[target_id]
    texts = campaign.texts[request.language]
    if target.recipient is None:
        if not request.to_email:
            raise UsageProblem(
                _(
                    'the "{target}" letter has no fixed recipient: give --to EMAIL (and --to-name NAME)'
                ).format(target=target_id)
            )
        name = request.to_name or ""
        return Recipient(name, request.to_email, (), kind=recipient_kind(name, request.to_kind))
    fixed = campaign.recipients[target.recipient]
    text = texts.recipient(fixed.id)
    try:
        name = _header_safe(text.name, "recipient name")
    except UsageProblem as exc:
        raise CampaignError(f"{texts.origin('recipients', fixed.id)}: {exc}") from exc
    if request.to_email:
        kind = (
            recipient_kind(request.to_name, request.to_kind) if request.to_name else "institution"
        )
        return Recipient(
            request.to_name or name,
            request.to_email,
            text.address if not request.to_name else (),
            kind=kind,
        )
    return Recipient(name, fixed.email, text.address, source=fixed.email_source)


@functools.cache
def renderer_for(folder: Path) -> Renderer:
    """One Jinja environment per campaign folder, so compiled templates are reused."""
    return Renderer(folder)


# The campaign's recipient name and subjects are checked for every letter, and a batch has
# thousands of letters with the same few: check each text once (a refusal is not cached).
_header_safe = functools.lru_cache(maxsize=1024)(header_safe)


@functools.lru_cache(maxsize=4096)
def _names_used(renderer: Renderer, source: str) -> frozenset[str] | None:
    """The context variables a phrasing reads; None when its output may vary between renders
    with the same context (a random filter or lipsum), so it must not be reused."""
    from jinja2 import TemplateError, meta

    if "random" in source or "lipsum" in source:
        return None
    try:
        return frozenset(meta.find_undeclared_variables(renderer.env.parse(source)))
    except TemplateError:
        return None  # rendering reports the error, naming the file


_RENDERED: dict[tuple[Any, ...], str] = {}
_RENDERED_MOST = 4096
# Phrasings rendered once already (by renderer): only a phrasing used again is worth parsing.
_SEEN: set[tuple[int, str]] = set()


def _snippet(
    renderer: Renderer, source: str, context: Mapping[str, Any], texts: LanguageTexts,
    keys: tuple[str, ...],
) -> str:  # fmt: skip
    """`renderer.snippet` of the phrasing `source` from `texts` at `keys` (its file is looked up
    for a render only, which names it in an error), reusing the text when the variables the
    phrasing reads are the same as for an earlier letter: most phrasings do not name the
    writer, so a batch renders each of them once per language and date instead of once per
    letter. A phrasing's first use just renders it: finding the variables it reads means
    parsing it again, which a run that writes one letter would do for nothing."""
    seen = (id(renderer), source)
    if seen not in _SEEN:
        if len(_SEEN) >= _RENDERED_MOST:
            _SEEN.clear()
        _SEEN.add(seen)
        return renderer.snippet(source, texts.origin(*keys), context)
    names = _names_used(renderer, source)
    if names is None:
        return renderer.snippet(source, texts.origin(*keys), context)
    if not names:
        key: tuple[Any, ...] = seen  # reads no variable: the same text for every letter
    else:
        try:
            key = (*seen, repr(sorted((n, context.get(n)) for n in names)))
        except TypeError:
            return renderer.snippet(source, texts.origin(*keys), context)
    text = _RENDERED.get(key)
    if text is None:
        text = renderer.snippet(source, texts.origin(*keys), context)
        if len(_RENDERED) >= _RENDERED_MOST:
            _RENDERED.clear()  # bounded: a batch of many languages or dates starts again
        _RENDERED[key] = text
    return text


def base_context(
    campaign: Campaign, writer: Writer, recipient: Recipient, lang: str, day: dt.date
) -> dict[str, Any]:
    """The variables every phrasing and layout sees (docs/campaign-format.md lists them)."""
    return {"writer": writer.context(lang), **_shared_context(campaign, recipient, lang, day)}


def _shared_context(
    campaign: Campaign, recipient: Recipient, lang: str, day: dt.date
) -> dict[str, Any]:
    """`base_context` but the writer: the same for every letter to `recipient` on `day`."""
    return {
        "recipient": {
            "name": recipient.name,
            "email": recipient.email,
            "address": list(recipient.address),
            "person": recipient.kind == "person",
        },
        "date": long_date(day, lang),
        "date_iso": day.isoformat(),
        "deadline": long_date(campaign.deadline, lang) if campaign.deadline else "",
        "campaign": {"id": campaign.id, "title": campaign.texts[lang].campaign().text("title")},
        # Whether the letter is a formal appeal that has what the law asks (compose sets it).
        "appeal": {"formal": False, "complete": True, "missing": []},
    }


# About one printed A4 page of letter text, in characters (11 pt, with the address block). The
# letter to the campaign's main recipient gets the tighter limit; the other letters (to an MP, a
# foreign ministry) must also explain the situation to an outsider, so they get a little more.
ONE_PAGE = 3500
ONE_PAGE_OTHER_TARGETS = 3800


def one_page(campaign: Campaign, target_id: str) -> int:
    """The most characters a letter to `target_id` may have and still fit on one page."""
    return ONE_PAGE if target_id == campaign.default_target else ONE_PAGE_OTHER_TARGETS


def _selection(
    campaign: Campaign, request: Request
) -> tuple[str, dict[PointKind, list[Point]], list[str]]:
    """The target id, the points the letter carries and warnings about those left out."""
    lang = request.language
    if lang not in campaign.languages:
        raise UsageProblem(unknown_choice(_("language"), lang, list(campaign.languages)))
    target_id = request.target or campaign.default_target
    if target_id not in campaign.targets:
        raise UsageProblem(unknown_choice(_("target"), target_id, list(campaign.targets)))
    target = campaign.targets[target_id]
    warnings: list[str] = []
    selected: dict[PointKind, list[Point]] = {}
    for kind in POINT_KINDS:
        wanted = request.arguments if kind == "argument" else request.recommendations
        allowed = target.arguments if kind == "argument" else target.recommendations
        if not allowed:
            if wanted:
                warnings.append(
                    _('the "{target}" letter carries no {kinds}; ignored: {ids}').format(
                        target=target_id, kinds=_(PLURAL_NAMES[kind]), ids=", ".join(wanted)
                    )
                )
            selected[kind] = []
            continue
        selected[kind], left_out = select_points(campaign, kind, wanted, request.date)
        warnings.extend(left_out)
    return target_id, selected, warnings


def asked(target: Target, recommendations: Sequence[Point]) -> list[str]:
    """The chosen recommendations that `target`'s own request paragraphs make (its `asks`)."""
    return [p.id for p in recommendations if p.id in target.asks]


def phrasing_slots(campaign: Campaign, request: Request) -> dict[str, int]:
    """The phrasing slots the letter `request` describes uses -> the number of variants of each.

    The names are those `compose` draws with `pick` and takes from `Request.phrasings`:
    "<target>.subject", "<target>.<paragraph>", "argument.<id>", "recommendation.<id>".
    Raises UsageProblem as `compose` does.
    """
    target_id, selected, _ = _selection(campaign, request)
    texts = campaign.texts[request.language]
    ttext = texts.target(target_id)
    target = campaign.targets[target_id]
    slots = {f"{target_id}.subject": len(ttext.subjects)}
    key = asks_key(asked(target, selected["recommendation"]))
    slots.update(
        {
            f"{target_id}.{name}": len(ttext.paragraphs[name])
            for name in ttext.slots_for(key).values()
        }
    )
    for kind in POINT_KINDS:
        for point in selected[kind]:
            if kind == "recommendation" and point.id in target.asks:
                continue  # said by the request paragraph, not listed
            slots[f"{kind}.{point.id}"] = len(texts.point(kind, point.id).phrasings)
    return slots


def compose(campaign: Campaign, writer: Writer, request: Request) -> Letter:
    """The letter `writer` asks for with `request`; raises UsageProblem (a bad choice, an empty
    letter) or CampaignError (the campaign's files at fault). `Composer.compose` for many."""
    return Composer(campaign).compose(writer, request)


# What a Composer keeps: at most this many entries of each kind, then it starts again (a batch
# of many dates, languages or choices of points stays within a fixed memory).
_KEPT_MOST = 512
# The one variable of the context every phrasing sees that belongs to the writer; the others
# (`shared` in Composer.compose) are the same for letters of the same kind (_SharedKey).
_WRITER_VARIABLE = "writer"

# What differs between letters of one kind in the context a phrasing sees (the writer), and in
# the one the layout sees (also the subject, the paragraphs and the points' texts): a template
# that writes these only whole is, for letters of one kind, a Skeleton filled with them
# (campaigns.sandbox.Holes).
_PHRASING_HOLES = Holes(objects=frozenset({_WRITER_VARIABLE}))
_LAYOUT_HOLES = Holes(
    objects=frozenset({_WRITER_VARIABLE, "p"}),
    names=frozenset({"subject"}),
    lists=frozenset({"arguments", "recommendations"}),
    item_hole="text",
    item_fixed=frozenset({"id", "title"}),
)

# A letter's kind as far as the context its phrasings see is concerned: (language, date,
# recipient, whether it is a formal appeal, what the formal appeal lacks).
_SharedKey = tuple[str, dt.date, Recipient, bool, tuple[str, ...]]


# Numbers for kinds of letters, never given twice in a process: the Renderer that keeps layout
# skeletons by them is shared by every Composer of a campaign (renderer_for), so a number one
# Composer gave must never stand for another's kind.
_KIND_NUMBERS = itertools.count(1)


def _kept(store: dict[Any, Any], key: Any, value: Any) -> None:
    if len(store) >= _KEPT_MOST:
        store.clear()
    store[key] = value


class Composer:
    """Composes letters of one campaign, working out once what letters of the same kind share.

    A batch composes thousands of letters that differ in the writer and the phrasings chosen,
    and mostly not in what the rest depends on: the points (by language, target, points asked
    for and date), the recipient, the warnings, the context every phrasing sees but the writer,
    and the phrasings that do not read the writer (by that context and their source: Jinja's
    sandbox gives the same text for the same values, see `_names_used`). Each is kept here,
    keyed by everything it is computed from, and reused; a refusal is never kept, so a letter
    that fails fails as `compose` would. A phrasing that reads the writer, and a layout block,
    that Jinja's AST shows writes the letter's own values only whole is a skeleton made in the
    sandbox per kind, filled with them (campaigns.sandbox.Skeleton; tests/test_skeletons.py).
    Everything else is done per letter, as `compose` does
    (which is `Composer(campaign).compose`): the letters are the same, byte for byte
    (tests/test_batch_equivalence.py). The interface language (of the warnings) is read at the
    first warning, once: it does not change within a run.
    """

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.renderer = renderer_for(campaign.folder)
        self._ui: str | None = None
        self._selections: dict[tuple[Any, ...], _Selection] = {}
        self._recipients: dict[tuple[Any, ...], Recipient] = {}
        # kind -> a number for it (_KIND_NUMBERS) and the context its letters share
        self._shared: dict[_SharedKey, tuple[int, dict[str, Any]]] = {}
        self._slots: dict[tuple[str, str, str], tuple[tuple[str, str], ...]] = {}
        self._warnings: dict[tuple[str, tuple[str, ...]], str] = {}
        self._texts: dict[tuple[int, str], str] = {}  # (kind's number, phrasing) -> text
        self._seen: set[str] = set()  # phrasings rendered once already by this composer
        self._reads_writer: set[str] = set()  # phrasings that read the writer
        # (kind's number, phrasing that reads the writer) -> its Skeleton, None: it has none
        self._phrasing_skeletons: dict[tuple[int, str], Skeleton | None] = {}

    def _ui_language(self) -> str:
        if self._ui is None:
            self._ui = ui_language()
        return self._ui

    def _selection(self, request: Request) -> "_Selection":
        key = (request.language, request.target, _ids(request.arguments),
               _ids(request.recommendations), request.date)  # fmt: skip
        known = self._selections.get(key)
        if known is None:
            target_id, selected, warnings = _selection(self.campaign, request)
            target = self.campaign.targets[target_id]
            known = _Selection(
                target_id,
                {kind: tuple(points) for kind, points in selected.items()},
                tuple(warnings),
                tuple(asked(target, selected["recommendation"])),
                tuple(
                    CitedSource(p.id, c, self.campaign.sources[c.source])
                    for kind in POINT_KINDS
                    for p in selected[kind]
                    for c in p.citations
                ),
            )
            _kept(self._selections, key, known)
        return known

    def _recipient(self, target_id: str, request: Request) -> Recipient:
        key = (target_id, request.language, request.to_email, request.to_name, request.to_kind)
        known = self._recipients.get(key)
        if known is None:
            known = _recipient(self.campaign, target_id, request)
            _kept(self._recipients, key, known)
        return known

    def _appeal_warning(self, target_id: str, missing: tuple[str, ...]) -> str:
        known = self._warnings.get((target_id, missing))
        if known is None:
            appeal = self.campaign.targets[target_id].appeal
            assert appeal is not None
            words = self.campaign.appeal_words(self._ui_language(), target_id)
            known = appeal_warning(appeal, missing, words)
            _kept(self._warnings, (target_id, missing), known)
        return known

    def _shared_context(self, key: _SharedKey) -> tuple[int, dict[str, Any]]:
        """`base_context` but the writer, for letters of kind `key`, and a number that stands
        for the kind in other keys (cheaper to hash than the kind). The context is shared by
        those letters' contexts: neither compose nor a template changes it (the sandbox is
        immutable)."""
        known = self._shared.get(key)
        if known is None:
            lang, day, recipient, formal, missing = key
            context = _shared_context(self.campaign, recipient, lang, day)
            context["appeal"] = {
                "formal": formal,
                "complete": not missing,
                "missing": list(missing),
            }
            known = (next(_KIND_NUMBERS), context)
            _kept(self._shared, key, known)
        return known

    def _slots_for(
        self, lang: str, target_id: str, ttext: TargetText, key: str
    ) -> tuple[tuple[str, str], ...]:
        """`ttext.slots_for(key).items()`, for `ttext` the texts of `target_id` in `lang`."""
        slots_key = (lang, target_id, key)
        known = self._slots.get(slots_key)
        if known is None:
            known = tuple(ttext.slots_for(key).items())
            _kept(self._slots, slots_key, known)
        return known

    def _phrasing(
        self, source: str, base: Mapping[str, Any], kind: int, texts: LanguageTexts,
        keys: tuple[str, ...],
    ) -> str:  # fmt: skip
        """`_snippet` of the phrasing `source`, reused for letters of the same kind (numbered
        `kind`, see `_shared_context`) when the phrasing does not read the writer: every other
        variable it can read is the same for them. Whether it does is known from its source
        (`_names_used`), found at its second use: a run that writes one letter does not parse
        its phrasings for nothing. A phrasing that reads the writer is rendered for each
        letter (keeping it by the writer's values would pay for a look-up that a batch of
        different writers never finds)."""
        key = (kind, source)
        if source in self._reads_writer:
            # Letters of one kind differ here in the writer only: a phrasing that writes the
            # writer's values only whole is its skeleton with them (Renderer.snippet_skeleton).
            if key in self._phrasing_skeletons:
                skeleton = self._phrasing_skeletons[key]
            else:
                skeleton = self.renderer.snippet_skeleton(source, base, _PHRASING_HOLES)
                _kept(self._phrasing_skeletons, key, skeleton)
            if skeleton is not None:
                text = self.renderer.fill_snippet(source, skeleton, base)
                if text is not None:
                    return text
            return self.renderer.snippet(source, texts.origin(*keys), base)
        text = self._texts.get(key)
        if text is not None:
            return text
        text = _snippet(self.renderer, source, base, texts, keys)
        if source not in self._seen:
            if len(self._seen) >= _KEPT_MOST:
                self._seen.clear()
            self._seen.add(source)
            return text
        names = _names_used(self.renderer, source)
        if names is not None and _WRITER_VARIABLE in names:
            if len(self._reads_writer) >= _KEPT_MOST:
                self._reads_writer.clear()
            self._reads_writer.add(source)
        elif names is not None and _repeatable(text):
            _kept(self._texts, key, text)
        return text

    def compose(self, writer: Writer, request: Request) -> Letter:
        """The letter `writer` asks for with `request` (see `compose`)."""
        campaign = self.campaign
        lang = request.language
        selection = self._selection(request)
        target_id, selected = selection.target_id, selection.points
        warnings = list(selection.warnings)
        target = campaign.targets[target_id]
        texts = campaign.texts[lang]

        if (target.arguments or target.recommendations) and not any(selected.values()):
            raise EmptyLetter(
                _(
                    "the letter would make no point: choose at least one argument or "
                    "recommendation (see: complainer arguments)"
                )
            )
        recipient = self._recipient(target_id, request)
        seed = request.seed if request.seed is not None else default_seed(writer, request.date)
        renderer = self.renderer
        missing: tuple[str, ...] = ()
        if target.appeal is not None:
            missing = missing_requirements(
                target.appeal, writer.name, writer.address, request.signed
            )
        kind, shared = self._shared_context(
            (lang, request.date, recipient, target.appeal is not None, missing)
        )
        base = {_WRITER_VARIABLE: writer.context(lang), **shared}
        if missing:
            warnings.append(self._appeal_warning(target_id, missing))

        chosen = request.phrasings or {}
        used: list[tuple[str, int]] = []

        def phrase(slot: str, options: Sequence[str], *keys: str) -> str:
            index = chosen.get(slot)
            index = pick(seed, slot, len(options)) if index is None else index % len(options)
            used.append((slot, index))
            return self._phrasing(options[index], base, kind, texts, keys)

        ttext = texts.target(target_id)
        subject = phrase(f"{target_id}.subject", ttext.subjects, "targets", target_id, "subject")
        try:
            subject = _header_safe(subject, "subject")
        except UsageProblem as exc:
            raise CampaignError(f"{texts.origin('targets', target_id, 'subject')}: {exc}") from exc
        # The request paragraphs say the chosen recommendations of the target's `asks`
        # themselves: their variants keyed by that choice are used, and the list below leaves
        # those out.
        asks = list(selection.asks)
        where = ("targets", target_id, "paragraphs")
        paragraphs = {
            name: phrase(f"{target_id}.{slot}", ttext.paragraphs[slot], *where, name)
            for name, slot in self._slots_for(lang, target_id, ttext, asks_key(asks))
        }

        def rendered(kind: PointKind) -> list[dict[str, str]]:
            plural = "arguments" if kind == "argument" else "recommendations"
            result = []
            for point in selected[kind]:
                if point.id in asks:
                    continue
                pt = texts.point(kind, point.id)
                text = phrase(f"{kind}.{point.id}", pt.phrasings, plural, point.id, "text")
                result.append({"id": point.id, "title": pt.title, "text": text})
            return result

        context = {
            **base,
            "subject": subject,
            "p": paragraphs,
            "arguments": rendered("argument"),
            "recommendations": rendered("recommendation"),
            "asks": asks,
            "note": request.note,
        }
        layout = f"{lang}/{target_id}.j2"
        # Letters with the same key see the same context but for _LAYOUT_HOLES' values: the
        # kind's shared context (numbered `kind`), the paragraphs' and points' names, the asks
        # and the note; `context` holds nothing else (Renderer.layout_blocks checks its names).
        same = (
            kind,
            tuple(paragraphs),
            tuple((a["id"], a["title"]) for a in context["arguments"]),
            tuple((r["id"], r["title"]) for r in context["recommendations"]),
            tuple(asks),
            request.note,
        )
        body, blocks = renderer.layout_blocks(layout, context, _LAYOUT_HOLES, same)
        if (
            blocks
            and not renderer.only_blocks(layout)
            and "".join("".join(b for _, b in blocks).split()) != "".join(body.split())
        ):
            raise CampaignError(
                f"{campaign.folder / layout}: text outside {{% block %}} tags, which the PDF"
                " would leave out; put every line of the letter inside a block"
            )
        if _unfinished(subject) or _unfinished(body):
            # A campaign scaffold's placeholders; `complainer check` lists them.
            raise CampaignError(
                _(
                    "campaign {campaign} is not finished: its {language} texts for the {target} "
                    "letter still hold TODO; run: complainer check {folder}"
                ).format(
                    campaign=campaign.id, language=lang, target=target_id, folder=campaign.folder
                )
            )
        if len(body) > one_page(campaign, target_id):
            # Officials read short letters; a writer who picked every argument should know.
            warnings.append(
                ngettext(
                    "the letter runs to {length} character, more than one printed page (about "
                    "{page}); fewer arguments or a shorter note keep it to one",
                    "the letter runs to {length} characters, more than one printed page (about "
                    "{page}); fewer arguments or a shorter note keep it to one",
                    len(body),
                ).format(length=len(body), page=one_page(campaign, target_id))
            )
        return Letter(
            campaign=campaign.id,
            target=target_id,
            language=lang,
            date=request.date,
            seed=seed,
            writer=writer,
            recipient=recipient,
            subject=subject,
            body=body,
            arguments=tuple(p.id for p in selected["argument"]),
            recommendations=tuple(p.id for p in selected["recommendation"]),
            citations=selection.citations,
            warnings=tuple(warnings),
            phrasings=tuple(used),
            spread=bool(request.phrasings),
            blocks=split_blocks(body, blocks, writer.name),
            page=texts.page(),
            signature_image=request.signature_image,
            formal_appeal=target.appeal is not None,
            missing=missing,
        )


class _Selection(NamedTuple):
    """What `_selection` gives, and what follows from it alone (see Composer)."""

    target_id: str
    points: dict[PointKind, tuple[Point, ...]]
    warnings: tuple[str, ...]
    asks: tuple[str, ...]
    citations: tuple[CitedSource, ...]


def _ids(ids: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if ids is None else tuple(ids)


def _repeatable(text: str) -> bool:
    """Whether a rendered text can stand for every render of its template with the same values:
    not when it shows where an object is in memory (`{{ cycler(1) }}` or a method shown as
    `<built-in method upper of str object at 0x7f...>`), which differs from render to render."""
    return " at 0x" not in text
