"""Campaign folders -> validated objects.

A campaign folder holds `campaign.toml` (structure), `<lang>/*.toml` (texts) and `<lang>/<target>.j2`
(layouts); docs/campaign-format.md describes them. Loading checks everything a letter relies on, so
that a broken folder fails here with the file and field named rather than halfway through a letter.

The records are NamedTuples rather than frozen dataclasses: as immutable, and Python makes one
about eight times faster (a frozen dataclass compiles six methods when it is defined), which
every run that loads a campaign pays once per class at import. For the same reason this module
does not take `from __future__ import annotations`: with it, every field's annotation is a
string that typing.NamedTuple compiles into a ForwardRef when the class is made (about 40 µs a
field, some 70 fields here); without it, the annotations are evaluated once, as plain objects.
"""

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, TypeGuard, TypeVar, cast

from complainer import cache, characters
from complainer.campaigns import tomlfile
from complainer.campaigns.confine import confined, is_language_tag
from complainer.campaigns.fields import Fields
from complainer.campaigns.tomlfile import load_toml, parse_toml, read_toml_bytes
from complainer.errors import CampaignError
from complainer.i18n import _

_Made = TypeVar("_Made")

PointKind = Literal["argument", "recommendation"]
POINT_KINDS: tuple[PointKind, ...] = ("argument", "recommendation")
PLURAL: dict[PointKind, str] = {"argument": "arguments", "recommendation": "recommendations"}
# How far a source (or one citation of it) is known to say what the campaign says it says:
# verified = the primary text was read; secondary = reliable reports agree, the primary was not read;
# unverified = not established (kept to be tracked; `complainer check` refuses it in letters).
CONFIDENCES = ("verified", "secondary", "unverified")


class Source(NamedTuple):
    """A published source: `title` is what readers see (pickers, `campaigns show`, JSON); `note`
    is the authors' research note about it ("the OHCHR page itself was not found"): kept in the
    data for them, never shown to a supporter (screens, letters, JSON)."""

    id: str
    title: str
    url: str
    confidence: str
    note: str = ""


class Citation(NamedTuple):
    """One part of a source an argument or recommendation rests on.

    `ref` is what a reader needs to find it (article, paragraph, document symbol, date) and is
    shown after the source's title; `note` is the authors' research note on it ("article number
    unverified", "named in letters dated from 1 July 2026"): kept in the data, never shown to a
    supporter. `complainer check` refuses a `ref` that reads like a note (flows/checks/sources.py).
    """

    source: str
    ref: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    # The confidence of this citation's claim when it differs from its source's (a source can be
    # verified to exist while what is reported of it is secondary); None = the source's.
    confidence: str | None = None
    note: str = ""

    def valid_on(self, day: dt.date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day > self.valid_until)

    def validity(self) -> str:
        """The validity window in words, or "" for a citation that does not expire."""
        if self.valid_from and self.valid_until:
            return _("valid {start} to {end}").format(
                start=self.valid_from.isoformat(), end=self.valid_until.isoformat()
            )
        if self.valid_until:
            return _("valid until {date}").format(date=self.valid_until.isoformat())
        if self.valid_from:
            return _("valid from {date}").format(date=self.valid_from.isoformat())
        return ""


class Point(NamedTuple):
    """An argument or a recommendation: an id, whether it is in the default set, its citations."""

    kind: PointKind
    id: str
    default: bool
    citations: tuple[Citation, ...]

    def expired_citations(self, day: dt.date) -> list[Citation]:
        return [c for c in self.citations if not c.valid_on(day)]


class Recipient(NamedTuple):
    id: str
    email: str
    email_source: str
    reads: tuple[str, ...]


# What a formal appeal may need, as `requires` in campaign.toml names it.
APPEAL_REQUIREMENTS = ("name", "postal_address", "date", "signature")


class FormalAppeal(NamedTuple):
    """A target whose letter is a formal appeal to a state body, and what the law asks of one.

    `requires` lists APPEAL_REQUIREMENTS entries; `rule` names the law (English, for warnings:
    "art. 63 of Kazakhstan's Administrative Procedural Code"); `consequence` says what the body
    may do with an appeal that lacks them ("the Ministry may leave it unconsidered").
    """

    requires: tuple[str, ...]
    rule: str
    consequence: str


ASKS_NONE = "none"


def asks_key(asked: Sequence[str]) -> str:
    """The key of a paragraph variant for the recommendations `asked` (in the target's `asks`
    order): "repeal-amendments+suspend-enforcement", "repeal-amendments", or "none"."""
    return "+".join(asked) or ASKS_NONE


def keyed_name(paragraph: str, key: str) -> str:
    """The slot name of one keyed variant of a paragraph: "ask[repeal-amendments]"."""
    return f"{paragraph}[{key}]"


def split_keyed(name: str) -> tuple[str, str | None]:
    """Slot name -> (paragraph, key): "ask[none]" gives ("ask", "none"), "opening" (it, None)."""
    base, bracket, key = name.partition("[")
    return (base, key[:-1]) if bracket and key.endswith("]") else (name, None)


class Target(NamedTuple):
    id: str
    recipient: str | None
    arguments: bool
    recommendations: bool
    # Countries (ISO 3166 alpha-2) whose writers are not offered this letter in the wizard: a
    # letter asking "your" foreign ministry to press Kazakhstan makes no sense from Kazakhstan.
    not_for: tuple[str, ...] = ()
    # Countries whose writers alone are offered it (empty: everyone): a letter to "your deputy"
    # in Kazakhstan's parliament is for writers who live in Kazakhstan.
    only_for: tuple[str, ...] = ()
    appeal: FormalAppeal | None = None
    # Recommendations this letter's own request paragraphs make (in campaign order): when chosen,
    # the paragraphs keyed by them say them and the list of recommendations leaves them out, so
    # a request is never made twice; when not chosen, no paragraph makes it (see `asks_key`).
    asks: tuple[str, ...] = ()
    # The letter to offer instead, in another campaign, to writers this one is not for (its
    # `not_for`/`only_for`): (campaign id, target id), e.g. a closed campaign's MP letter points
    # writers in Kazakhstan to the open campaign's letter to their own deputy.
    instead: tuple[str, str] | None = None
    # The languages the person the writer names reads (first = preferred), for a letter without
    # a fixed recipient: a deputy of Kazakhstan's parliament reads Kazakh and Russian. A target
    # with a `recipient` takes that recipient's `reads` instead.
    reads: tuple[str, ...] = ()

    def ask_keys(self) -> list[str]:
        """Every key a paragraph that follows `asks` must have: one per subset of `asks`."""
        keys = []
        for mask in range(1 << len(self.asks)):
            keys.append(asks_key([a for i, a in enumerate(self.asks) if mask >> i & 1]))
        return keys

    def suits(self, country: str) -> bool:
        """Whether a writer living in `country` (ISO alpha-2; "" when unknown) may use it."""
        if country in self.not_for:
            return False
        return not self.only_for or not country or country in self.only_for


class Outcome(NamedTuple):
    date: dt.date
    sources: tuple[str, ...]


class PointText(NamedTuple):
    title: str
    summary: str
    phrasings: tuple[str, ...]
    # A regular expression (case-insensitive) that finds this recommendation's request in a
    # letter of this language; required for the recommendations a target `asks` itself, so that
    # `complainer check` can prove each request is made once when chosen and never otherwise.
    marker: str | None = None


class TargetText(NamedTuple):
    """A target's texts in one language. `paragraphs` maps slot names to phrasings; a paragraph
    that follows the target's `asks` has one slot per key, named "ask[<key>]" (`keyed_name`)."""

    title: str
    summary: str
    subjects: tuple[str, ...]
    paragraphs: Mapping[str, tuple[str, ...]]

    @property
    def names(self) -> list[str]:
        """The paragraph names a layout sees as p.<name>, keyed ones once."""
        return list(dict.fromkeys(split_keyed(n)[0] for n in self.paragraphs))

    def slots_for(self, key: str) -> dict[str, str]:
        """Paragraph name -> the slot used in a letter whose chosen `asks` give `key`."""
        slots: dict[str, str] = {}
        for name in self.paragraphs:
            base, k = split_keyed(name)
            if k is None or k == key:
                slots[base] = name
        return slots


class RecipientText(NamedTuple):
    name: str
    address: tuple[str, ...]
    email_note: str


BlockColumn = Literal["full", "right"]


class BlockStyle(NamedTuple):
    """How the PDF sets one `{% block %}` of a layout: across the text width or in the right
    half of it (where Russian and Kazakh official letters put the addressee and the sender),
    bold or not, and the space after it in lines."""

    column: BlockColumn = "full"
    bold: bool = False
    space_after: float = 1.0


class PageLayout(NamedTuple):
    """The PDF layout of one language (`[page]` in `<lang>/*.toml`).

    `blocks` maps layout block names to their style (a block not named is set in full width);
    `page_label` numbers the pages of a letter longer than one ("{page}", "{pages}");
    `attachment` is the PDF's file name when it is attached to an e-mail ("{name}", "{date}").
    """

    blocks: Mapping[str, BlockStyle] = MappingProxyType({})
    page_label: str = "{page}/{pages}"
    attachment: str = "letter {date}"

    def style(self, block: str) -> BlockStyle:
        return self.blocks.get(block, BlockStyle())


class LanguageTexts:
    """Every text of one language of a campaign, merged from the language folder's TOML files:
    `data` as read, and `origins`, the file that defined each key path."""

    def __init__(
        self,
        code: str,
        folder: Path,
        data: dict[str, Any],
        origins: dict[tuple[str, ...], Path] | None = None,
    ) -> None:
        self.code = code
        self.folder = folder
        self.data = data
        self.origins = origins if origins is not None else {}
        # The texts of a target, point, recipient and page, each checked and made once: `data`
        # does not change once read, and a batch asks for the same few for every letter.
        self._made: dict[tuple[str, ...], Any] = {}

    def _once(self, key: tuple[str, ...], make: Callable[[], _Made]) -> _Made:
        """`make()`, kept for `key` (a CampaignError it raises is not kept: it is raised again)."""
        if key in self._made:
            return cast(_Made, self._made[key])
        made = self._made[key] = make()
        return made

    def origin(self, *keys: str) -> Path:
        """The file that defines `keys` (or the folder's texts.toml, where it should go)."""
        for depth in range(len(keys), 0, -1):
            found = self.origins.get(keys[:depth])
            if found is not None:
                return found
        return self.folder / "texts.toml"

    def _fields(self, *keys: str) -> Fields:
        node: Any = self.data
        for i, key in enumerate(keys):
            if not isinstance(node, Mapping) or key not in node:
                where = ".".join(keys[: i + 1])
                raise CampaignError(f"{self.origin(*keys)}: field '{where}' is missing")
            node = node[key]
        if not isinstance(node, Mapping):
            raise CampaignError(f"{self.origin(*keys)}: field '{'.'.join(keys)}' must be a table")
        return Fields(node, self.origin(*keys), ".".join(keys))

    def campaign(self) -> Fields:
        return self._fields("campaign")

    def recipient(self, rid: str) -> RecipientText:
        return self._once(("recipient", rid), lambda: self._recipient(rid))

    def _recipient(self, rid: str) -> RecipientText:
        f = self._fields("recipients", rid)
        return RecipientText(
            name=f.text("name"),
            address=tuple(f.strings("address", allow_empty=True)),
            email_note=f.text("email_note", default="-"),
        )

    def source_title(self, sid: str) -> str | None:
        sources = self.data.get("sources", {})
        entry = sources.get(sid) if isinstance(sources, Mapping) else None
        if isinstance(entry, Mapping) and isinstance(entry.get("title"), str):
            return str(entry["title"])
        return None

    def cited_ref(self, ref: str) -> str | None:
        """Citation ref `ref` (as campaign.toml writes it) in this language: the `[refs]` entry
        keyed by it, or None when there is none (callers then show `ref` as written)."""
        refs = self.data.get("refs", {})
        entry = refs.get(ref) if isinstance(refs, Mapping) else None
        return entry if isinstance(entry, str) and entry.strip() else None

    def translates_citations(self) -> bool:
        """Whether this language writes citations in its own words: it has a `[sources]` table
        (translated titles) or a `[refs]` table. Such a language needs every ref translated
        (flows.checks.sources.ref_translation_problems)."""
        return isinstance(self.data.get("sources"), Mapping) or isinstance(
            self.data.get("refs"), Mapping
        )

    def target_ids(self) -> list[str]:
        """The ids under [targets] in this language's texts, as read (not checked)."""
        targets = self.data.get("targets", {})
        return [str(tid) for tid in targets] if isinstance(targets, Mapping) else []

    def appeal_words(self, tid: str) -> tuple[str, str] | None:
        """`rule` and `consequence` of target `tid`'s formal appeal in this language, for the
        warning in the interface language ([targets.<id>.formal_appeal]); None if not given."""
        targets = self.data.get("targets", {})
        entry = targets.get(tid) if isinstance(targets, Mapping) else None
        words = entry.get("formal_appeal") if isinstance(entry, Mapping) else None
        if isinstance(words, Mapping):
            rule, consequence = words.get("rule"), words.get("consequence")
            if isinstance(rule, str) and isinstance(consequence, str):
                return rule, consequence
        return None

    def target(self, tid: str) -> TargetText:
        return self._once(("target", tid), lambda: self._target(tid))

    def _target(self, tid: str) -> TargetText:
        f = self._fields("targets", tid)
        paragraphs = f.table("paragraphs")
        slots: dict[str, tuple[str, ...]] = {}
        for name, value in paragraphs.data.items():
            if "[" in name:
                raise paragraphs.fail(name, "is not a paragraph name (no brackets)")
            if isinstance(value, Mapping):
                # A paragraph that follows the recommendations chosen: one list per key.
                keyed = paragraphs.table(name)
                for key in keyed.data:
                    slots[keyed_name(name, key)] = tuple(keyed.strings(key))
            else:
                slots[name] = tuple(paragraphs.strings(name))
        return TargetText(
            title=f.text("title"),
            summary=f.text("summary"),
            subjects=tuple(f.strings("subject")),
            paragraphs=MappingProxyType(slots),
        )

    def page(self) -> PageLayout:
        """The PDF layout; the defaults when the language has no `[page]` table."""
        return self._once(("page",), self._page)

    def _page(self) -> PageLayout:
        if "page" not in self.data:
            return PageLayout()
        f = self._fields("page")
        styles: dict[str, BlockStyle] = {}
        if f.has("blocks"):
            blocks = f.table("blocks")
            for name in blocks.data:
                b = blocks.table(name)
                column = b.text("column", default="full")
                if column not in ("full", "right"):
                    raise b.fail("column", f"must be 'full' or 'right' (got {column!r})")
                space = b.data.get("space_after", 1.0)
                if not isinstance(space, (int, float)) or isinstance(space, bool) or space < 0:
                    raise b.fail("space_after", "must be a number of lines, 0 or more")
                styles[name] = BlockStyle(
                    "right" if column == "right" else "full", b.flag("bold", False), float(space)
                )
        default = PageLayout()
        page_label = f.text("page_label", default=default.page_label)
        attachment = f.text("attachment", default=default.attachment)
        for key, value, names in (
            ("page_label", page_label, ("page", "pages")),
            ("attachment", attachment, ("name", "date")),
        ):
            try:
                value.format(**dict.fromkeys(names, ""))
            except (KeyError, IndexError, ValueError) as exc:
                raise f.fail(key, f"may use only {{{'}, {'.join(names)}}} ({exc})") from None
        return PageLayout(MappingProxyType(styles), page_label, attachment)

    def point(self, kind: PointKind, pid: str) -> PointText:
        return self._once((kind, pid), lambda: self._point(kind, pid))

    def _point(self, kind: PointKind, pid: str) -> PointText:
        f = self._fields(PLURAL[kind], pid)
        marker = f.text("marker") if f.has("marker") else None
        return PointText(
            title=f.text("title"),
            summary=f.text("summary"),
            phrasings=tuple(f.strings("text")),
            marker=marker,
        )


class TextsByLanguage(Mapping[str, LanguageTexts]):
    """A campaign's texts by language code, each language read and checked on first use.

    A letter is written in one language: it need not parse the others' TOML. `load_campaign`
    with `all_languages=True` (what `complainer check` uses) reads and checks every one up front.
    Raises CampaignError (a broken language) on access, KeyError for an undeclared code.
    """

    def __init__(self, folder: Path, languages: tuple[str, ...]) -> None:
        self._folder = folder
        self._languages = languages
        self._read: dict[str, LanguageTexts] = {}
        self._checked: set[str] = set()
        self._check: Callable[[LanguageTexts], None] = lambda texts: None

    def check_with(self, check: Callable[[LanguageTexts], None]) -> None:
        """Run `check` on each language's texts before they are first handed out."""
        self._check = check

    def read(self, code: str) -> LanguageTexts:
        """The texts of `code`, parsed but not yet checked for completeness."""
        if code not in self._languages:
            raise KeyError(code)
        texts = self._read.get(code)
        if texts is None:
            texts = self._read[code] = _load_texts(self._folder, code)
        return texts

    def appeal_words(self, code: str, tid: str) -> tuple[str, str] | None:
        """`LanguageTexts.appeal_words` of target `tid` in `code`, as `read(code)` would give
        them, without parsing that language's texts when they are not read yet: every target's
        words, derived from the language's files, are kept in the cache (complainer.cache) by the
        language code and those files' names and bytes (read, as always, through `confined`).
        Raises CampaignError as `read` does (on a cache miss, what parsing finds), KeyError for an
        undeclared code."""
        texts = self._read.get(code)
        if texts is None:
            if code not in self._languages:
                raise KeyError(code)
            files = _language_files(self._folder, code)
            source = _files_source(code, files)
            words = cache.load("appeal-words", source, made_by=_TEXTS_MADE_BY)
            if _are_appeal_words(words):
                return words.get(tid)
            texts = self._read[code] = _texts_of(self._folder, code, files)
            every = {t: w for t in texts.target_ids() if (w := texts.appeal_words(t)) is not None}
            cache.store("appeal-words", source, every, made_by=_TEXTS_MADE_BY)
        return texts.appeal_words(tid)

    def __getitem__(self, code: str) -> LanguageTexts:
        texts = self.read(code)
        if code not in self._checked:
            self._check(texts)
            self._checked.add(code)
        return texts

    def __contains__(self, code: object) -> bool:
        return code in self._languages

    def __iter__(self) -> Iterator[str]:
        return iter(self._languages)

    def __len__(self) -> int:
        return len(self._languages)


class Campaign(NamedTuple):
    id: str
    folder: Path
    builtin: bool
    status: Literal["open", "closed"]
    deadline: dt.date | None
    # The day the letters' subject came to exist (a law signed, a petition published): a letter
    # cannot be dated earlier. None: no lower limit.
    since: dt.date | None
    languages: tuple[str, ...]
    alternative: str | None
    default_target: str
    outcome: Outcome | None
    recipients: Mapping[str, Recipient]
    targets: Mapping[str, Target]
    sources: Mapping[str, Source]
    arguments: tuple[Point, ...]
    recommendations: tuple[Point, ...]
    texts: TextsByLanguage

    def points(self, kind: PointKind) -> tuple[Point, ...]:
        return self.arguments if kind == "argument" else self.recommendations

    def point(self, kind: PointKind, pid: str) -> Point | None:
        return next((p for p in self.points(kind) if p.id == pid), None)

    def title(self, lang: str = "en") -> str:
        return self.lang(lang).campaign().text("title")

    def lang(self, code: str) -> LanguageTexts:
        """Texts in `code`, or in English (else the first language) for interface text."""
        if code in self.texts:
            return self.texts[code]
        return self.texts.get("en") or self.texts[self.languages[0]]

    def appeal_words(self, code: str, tid: str) -> tuple[str, str] | None:
        """`LanguageTexts.appeal_words` of target `tid` in `code` (else as `lang` falls back),
        from that language's texts as parsed: they are read leniently, and a letter in another
        language than the interface's need not check a whole second language for two phrases."""
        if code not in self.texts:
            code = "en" if "en" in self.texts else self.languages[0]
        return self.texts.appeal_words(code, tid)

    def template_path(self, lang: str, target: str) -> Path:
        return self.folder / lang / f"{target}.j2"

    def reads(self, target: str) -> tuple[str, ...]:
        """The languages a target's reader reads, first = preferred: its recipient's `reads`, or
        the target's own `reads` when the writer names the recipient; () when unknown."""
        t = self.targets[target]
        return self.recipients[t.recipient].reads if t.recipient is not None else t.reads


def _merge(
    into: dict[str, Any],
    new: Mapping[str, Any],
    path: Path,
    origins: dict[tuple[str, ...], Path],
    prefix: tuple[str, ...] = (),
) -> None:
    for key, value in new.items():
        keys = (*prefix, key)
        if key in into:
            if isinstance(into[key], dict) and isinstance(value, Mapping):
                _merge(into[key], value, path, origins, keys)
                continue
            where = ".".join(keys)
            raise CampaignError(f"{path}: field '{where}' is also defined in {origins[keys]}")
        origins[keys] = path
        if isinstance(value, Mapping):
            sub: dict[str, Any] = {}
            into[key] = sub
            _merge(sub, value, path, origins, keys)
        else:
            into[key] = value


# The code that derives a language's texts from its files: what a cached derivation is keyed by.
_TEXTS_MADE_BY = (__file__, tomlfile.__file__, characters.__file__)


def _toml_files(campaign_folder: Path, code: str) -> list[Path]:
    """The `<code>/*.toml` files of a campaign, sorted; CampaignError when there are none."""
    folder = campaign_folder / code
    if not folder.exists():
        raise CampaignError(f"{folder}: language '{code}' is declared but has no folder here")
    confined(campaign_folder, folder, directory=True)
    # The names Path.glob("*.toml") gives (an unreadable folder gives none), for a sixth of its cost.
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".toml"))
    except OSError:
        names = []
    if not names:
        raise CampaignError(f"{folder}: language '{code}' is declared but has no TOML files here")
    return [folder / name for name in names]


def _language_files(campaign_folder: Path, code: str) -> list[tuple[Path, Path, bytes]]:
    """Each TOML file of language `code`: its path, its real path (`confined`) and its bytes."""
    files = []
    for path in _toml_files(campaign_folder, code):
        real = confined(campaign_folder, path)
        files.append((path, real, read_toml_bytes(real)))
    return files


def _files_source(code: str, files: list[tuple[Path, Path, bytes]]) -> bytes:
    """What a language's texts are derived from: its code, and each file's name and bytes."""
    parts = [code.encode()]
    for path, _real, raw in files:
        parts += [path.name.encode("utf-8", "surrogatepass"), raw]
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


def _are_appeal_words(value: object) -> TypeGuard[dict[str, tuple[str, str]]]:
    return isinstance(value, dict) and all(
        isinstance(k, str)
        and isinstance(v, tuple)
        and len(v) == 2
        and all(isinstance(word, str) for word in v)
        for k, v in value.items()
    )


def _load_texts(campaign_folder: Path, code: str) -> LanguageTexts:
    data: dict[str, Any] = {}
    origins: dict[tuple[str, ...], Path] = {}
    for path in _toml_files(campaign_folder, code):
        _merge(data, load_toml(confined(campaign_folder, path)), path, origins)
    return _language_texts(campaign_folder, code, data, origins)


def _texts_of(
    campaign_folder: Path, code: str, files: list[tuple[Path, Path, bytes]]
) -> LanguageTexts:
    """`_load_texts` from files already read (`_language_files`)."""
    data: dict[str, Any] = {}
    origins: dict[tuple[str, ...], Path] = {}
    for path, real, raw in files:
        _merge(data, parse_toml(real, raw), path, origins)
    return _language_texts(campaign_folder, code, data, origins)


def _language_texts(
    campaign_folder: Path, code: str, data: dict[str, Any], origins: dict[tuple[str, ...], Path]
) -> LanguageTexts:
    texts = LanguageTexts(code=code, folder=campaign_folder / code, data=data, origins=origins)
    declared = data.get("language")
    if declared != code:
        raise CampaignError(
            f"{texts.origin('language')}: field 'language' must be {code!r} (got {declared!r})"
        )
    return texts


def _citations(f: Fields, sources: Mapping[str, Source]) -> tuple[Citation, ...]:
    result = []
    for c in f.tables("citations"):
        sid = c.text("source")
        if sid not in sources:
            raise c.fail("source", f"names {sid!r}, which is not declared in [[sources]]")
        confidence = None
        if c.has("confidence"):
            confidence = c.text("confidence")
            if confidence not in CONFIDENCES:
                raise c.fail("confidence", f"must be one of {', '.join(CONFIDENCES)}")
        cit = Citation(
            sid,
            c.text("ref"),
            c.date("valid_from"),
            c.date("valid_until"),
            confidence,
            c.text("note") if c.has("note") else "",
        )
        if cit.valid_from and cit.valid_until and cit.valid_from > cit.valid_until:
            raise c.fail("valid_until", "is before valid_from")
        result.append(cit)
    if not result:
        raise f.fail("citations", "must list at least one citation")
    return tuple(result)


def _points(root: Fields, kind: PointKind, sources: Mapping[str, Source]) -> tuple[Point, ...]:
    points: list[Point] = []
    for f in root.tables(PLURAL[kind]):
        pid = f.ident("id")
        if any(p.id == pid for p in points):
            raise f.fail("id", f"repeats {pid!r}")
        points.append(Point(kind, pid, f.flag("default", False), _citations(f, sources)))
    return tuple(points)


def _email(f: Fields) -> str:
    """A recipient address, validated as the writer's are (RFC 5321/5322 syntax, no DNS look-up)."""
    value = f.text("email")
    if "=?" in value:  # read as an RFC 2047 encoded word by mail parsers (see letter.writer)
        raise f.fail("email", 'contains "=?", which mail software reads as encoding')
    # An address email_validator accepted once is remembered (campaign content, keyed by the
    # address and the library's release): loading a campaign need not import it (about 30 ms).
    facts = value.encode("utf-8", "surrogatepass")
    if cache.remembered_true("valid-email", facts, made_by=__file__, library="email_validator"):
        return value
    from email_validator import EmailNotValidError, validate_email  # slow to import: only here

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise f.fail("email", f"is not a valid email address ({exc})") from None
    cache.remember_true("valid-email", facts, made_by=__file__, library="email_validator")
    return value


def _formal_appeal(target: Fields) -> FormalAppeal:
    f = target.table("formal_appeal")
    requires = tuple(f.strings("requires", unique=True))
    for r in requires:
        if r not in APPEAL_REQUIREMENTS:
            raise f.fail("requires", f"names {r!r}; choose from {', '.join(APPEAL_REQUIREMENTS)}")
    return FormalAppeal(requires, f.text("rule"), f.text("consequence"))


def read_source(f: Fields) -> Source:
    """One [[sources]] entry: id, title, an https:// URL, a confidence (CONFIDENCES) and an
    optional research `note` for authors."""
    sid = f.ident("id")
    url = f.text("url")
    if not url.startswith("https://"):
        raise f.fail("url", f"must be an https:// address (got {url!r})")
    confidence = f.text("confidence")
    if confidence not in CONFIDENCES:
        raise f.fail("confidence", f"must be one of {', '.join(CONFIDENCES)}")
    return Source(
        sid, f.text("title"), url, confidence, f.text("note", "") if f.has("note") else ""
    )


def load_campaign(folder: Path, builtin: bool = False, all_languages: bool = True) -> Campaign:
    """Load and validate one campaign folder; raises CampaignError naming the file and field.

    With `all_languages` false, only campaign.toml is read now and each language's texts when
    first used (see TextsByLanguage): what a letter in one language, or a listing, needs.
    """
    path = folder / "campaign.toml"
    if not path.is_file():
        raise CampaignError(f"{folder}: no campaign.toml in this folder")
    root = Fields(load_toml(confined(folder, path)), path)
    cid = root.ident("id")
    if cid != folder.name:
        raise root.fail("id", f"must match the folder name {folder.name!r} (got {cid!r})")
    status = root.text("status")
    if status not in ("open", "closed"):
        raise root.fail("status", f"must be 'open' or 'closed' (got {status!r})")
    languages = tuple(root.strings("languages", unique=True))
    for code in languages:
        if not is_language_tag(code):
            raise root.fail(
                "languages",
                f"has {code!r}, which is not a BCP 47 language tag such as 'en', 'kk' or 'pt-BR'",
            )

    sources: dict[str, Source] = {}
    for f in root.tables("sources"):
        declared = read_source(f)
        sources[declared.id] = declared

    recipients: dict[str, Recipient] = {}
    for f in root.tables("recipients"):
        rid = f.ident("id")
        source = f.text("email_source")
        if source not in sources:
            raise f.fail("email_source", f"names {source!r}, which is not declared in [[sources]]")
        recipients[rid] = Recipient(rid, _email(f), source, tuple(f.strings("reads", unique=True)))

    targets: dict[str, Target] = {}
    for f in root.tables("targets"):
        tid = f.ident("id")
        recipient = f.text("recipient") if f.has("recipient") else None
        if recipient is not None and recipient not in recipients:
            raise f.fail(
                "recipient", f"names {recipient!r}, which is not declared in [[recipients]]"
            )
        lists = {
            key: tuple(f.strings(key, allow_empty=True)) if f.has(key) else ()
            for key in ("not_for", "only_for")
        }
        for key, codes in lists.items():
            for code in codes:
                if len(code) != 2 or not code.isalpha() or not code.isupper():
                    raise f.fail(
                        key, f"must list ISO 3166 alpha-2 codes such as 'KZ' (got {code!r})"
                    )
        reads = tuple(f.strings("reads", unique=True)) if f.has("reads") else ()
        if reads and recipient is not None:
            raise f.fail("reads", "is for a target without a recipient (the recipient's counts)")
        for code in reads:
            if not is_language_tag(code):
                raise f.fail(
                    "reads", f"has {code!r}, which is not a BCP 47 language tag such as 'kk'"
                )
        targets[tid] = Target(
            tid,
            recipient,
            f.flag("arguments", True),
            f.flag("recommendations", True),
            not_for=lists["not_for"],
            only_for=lists["only_for"],
            appeal=_formal_appeal(f) if f.has("formal_appeal") else None,
            asks=_asks(root, f),
            instead=_instead(f),
            reads=reads,
        )
    if not targets:
        raise root.fail("targets", "must declare at least one [[targets]]")
    default_target = root.text("default_target", default=next(iter(targets)))
    if default_target not in targets:
        raise root.fail("default_target", f"names {default_target!r}, which is not a target")

    outcome = None
    if root.has("outcome"):
        o = root.table("outcome")
        day = o.date("date")
        if day is None:
            raise o.fail("date", "is missing")
        outcome_sources = tuple(o.strings("sources"))
        for sid in outcome_sources:
            if sid not in sources:
                raise o.fail("sources", f"names {sid!r}, which is not declared in [[sources]]")
        outcome = Outcome(day, outcome_sources)
    elif status == "closed":
        raise root.fail("outcome", "is required for a closed campaign")

    campaign = Campaign(
        id=cid,
        folder=folder,
        builtin=builtin,
        status="open" if status == "open" else "closed",
        deadline=root.date("deadline"),
        since=root.date("since"),
        languages=languages,
        alternative=root.data.get("alternative"),
        default_target=default_target,
        outcome=outcome,
        recipients=recipients,
        targets=targets,
        sources=sources,
        arguments=_points(root, "argument", sources),
        recommendations=_points(root, "recommendation", sources),
        texts=(texts := TextsByLanguage(folder, languages)),
    )
    texts.check_with(lambda language: _check_texts_present(campaign, language))
    if all_languages:
        for code in languages:  # every language read first, as a parse error comes first
            texts.read(code)
        for code in languages:
            texts[code]  # checked now, not on first use
    return campaign


def _instead(target: Fields) -> tuple[str, str] | None:
    """A target's `instead = { campaign = "<id>", target = "<id>" }`, or None."""
    if not target.has("instead"):
        return None
    table = target.table("instead")
    if not (target.has("not_for") or target.has("only_for")):
        raise target.fail(
            "instead", "needs not_for or only_for: it is for the writers they exclude"
        )
    return table.ident("campaign"), table.ident("target")


def _asks(root: Fields, target: Fields) -> tuple[str, ...]:
    """A target's `asks`: recommendation ids of the campaign, in campaign order."""
    if not target.has("asks"):
        return ()
    asks = target.strings("asks", unique=True)
    declared = [p.ident("id") for p in root.tables("recommendations")]
    for rid in asks:
        if rid not in declared:
            raise target.fail("asks", f"names {rid!r}, which is not a [[recommendations]] id")
    if asks and not target.flag("recommendations", True):
        raise target.fail("asks", "needs a target that carries recommendations")
    return tuple(r for r in declared if r in asks)


def _check_asks_texts(campaign: Campaign, texts: LanguageTexts) -> None:
    """Paragraphs keyed by `asks` have exactly one list per subset of it, and every asked
    recommendation has a `marker` that compiles (`_check_markers`)."""
    markers: list[tuple[str, str, str | None, Path]] = []  # in the order they are checked
    for tid, target in campaign.targets.items():
        ttext = texts.target(tid)
        keys: dict[str, set[str]] = {}
        for name in ttext.paragraphs:
            base, key = split_keyed(name)
            if key is not None:
                keys.setdefault(base, set()).add(key)
        where = texts.origin("targets", tid, "paragraphs")
        for base, have in keys.items():
            want = set(target.ask_keys())
            if not target.asks:
                raise CampaignError(
                    f"{where}: field 'targets.{tid}.paragraphs.{base}' is a table of keyed "
                    f"phrasings, but target '{tid}' declares no `asks` in campaign.toml"
                )
            if have != want:
                raise CampaignError(
                    f"{where}: field 'targets.{tid}.paragraphs.{base}' needs exactly the keys "
                    f"{', '.join(sorted(want))} (one per combination of asks); "
                    f"missing: {', '.join(sorted(want - have)) or '-'}; "
                    f"unknown: {', '.join(sorted(have - want)) or '-'}"
                )
        for rid in target.asks:
            marker = texts.point("recommendation", rid).marker
            markers.append((tid, rid, marker, texts.origin("recommendations", rid, "marker")))
    _check_markers(markers)


def _check_markers(markers: list[tuple[str, str, str | None, Path]]) -> None:
    """Each (target id, recommendation id, marker, file) has a marker, and it compiles as a regular
    expression; errors come in the order given. Markers found to compile are remembered in the
    cache (keyed by their text, this code and Python's release, whose `re` compiles them): a
    letter need not compile its language's patterns again (Cyrillic ones take about 0.3 ms)."""
    given = [marker for _tid, _rid, marker, _origin in markers if marker is not None]
    facts = b"".join(
        len(m).to_bytes(8, "big") + m for m in (p.encode("utf-8", "surrogatepass") for p in given)
    )
    known = len(given) == len(markers) and (
        not markers or cache.remembered_true("markers", facts, made_by=__file__, library="re")
    )
    if known:
        return
    import re

    for tid, rid, marker, origin in markers:
        if marker is None:
            raise CampaignError(
                f"{origin}: field 'recommendations.{rid}.marker' is missing: target '{tid}' "
                "asks for it, and check needs a pattern that finds the request in a letter"
            )
        try:
            re.compile(marker)
        except re.error as exc:
            raise CampaignError(
                f"{origin}: field 'recommendations.{rid}.marker' is not a regular "
                f"expression ({exc})"
            ) from None
    cache.remember_true("markers", facts, made_by=__file__, library="re")


def _check_texts_present(campaign: Campaign, texts: LanguageTexts) -> None:
    """The language of `texts` has every text and every template (fails on the first one missing)."""
    code = texts.code
    c = texts.campaign()
    for key in ("title", "summary", "status_note"):
        c.text(key)
    for rid in campaign.recipients:
        texts.recipient(rid)
    for tid in campaign.targets:
        texts.target(tid)
        template = campaign.template_path(code, tid)
        if not template.exists():
            raise CampaignError(f"{template}: template for target '{tid}' in '{code}' is missing")
        confined(campaign.folder, template)
    for kind in POINT_KINDS:
        for p in campaign.points(kind):
            texts.point(p.kind, p.id)
    _check_asks_texts(campaign, texts)
    texts.page()
