"""What makes `complainer batch` fast must not change what it makes (issue 14, item 7).

The batch reuses work across its letters: phrasings rendered once, header fields read back once
(formats.readback.VerifiedFields), paragraphs shingled and hashed once (letter.variety), files
written through one open folder (delivery.files.NewFiles). Each is checked here against the
plain path it stands for: the letter `draft` makes, the whole-message read-back, the whole-letter
shingles and rensa's MinHash of them, exact all-pairs similarity, write_private.
"""

from __future__ import annotations

import csv
import dataclasses
import email
import hashlib
import json
import os
import quopri
import re
import stat
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
import rensa
from conftest import LETTER_DATE
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_header_safety import (
    COUNTRIES,
    FRAGMENTS,
    address,
    check_mailbox,
    parse_both,
    petition,
    short_text,
    text,
)

from complainer import cache
from complainer.campaigns import sandbox
from complainer.campaigns.registry import open_registry
from complainer.delivery.files import NewFiles, write_private
from complainer.delivery.mbox import mbox_entry
from complainer.errors import UsageProblem
from complainer.flows.batch import BatchOptions, row_key, run, safe_stem
from complainer.formats import eml, headers
from complainer.formats.eml import text_body, to_eml
from complainer.formats.readback import (
    MessageMismatch,
    VerifiedFields,
    plain_field_lines,
    verify_body,
    verify_field,
    verify_headers,
)
from complainer.formats.text import to_text
from complainer.letter import compose as composer
from complainer.letter.request import DraftValues, build_request, normalise, require_complete
from complainer.letter.signers import open_text, read_rows
from complainer.letter.variety import (
    LSH_THRESHOLD,
    MINHASH_SEED,
    NUM_PERM,
    SimilarityIndex,
    shingles,
)
from complainer.letter.writer import Writer, clean_email

CAMPAIGNS = ["kz-petition-2024", "kz-propaganda-law-2025"]
# A spread of signers: three languages, several scripts, with and without the optional fields.
SIGNERS = [
    {"name": "Anna Schmidt", "country": "DE", "city": "Berlin", "email": "anna@example.org", "lang": "en"},
    {"name": "Дарья Иванова", "country": "PL", "city": "Warszawa", "lang": "ru"},
    {"name": "Айгүл Сәрсенова", "country": "FR", "email": "aigul@example.org", "lang": "kk"},
    {"name": "Seán O'Brien", "country": "IE", "organisation": "Dublin Pride Choir", "lang": "en",
     "note": "I sang in Almaty in 2019."},
    {"name": "Jonas Berg", "country": "SE", "city": "Malmö", "email": "jonas@münchen.de", "lang": "ru"},
    {"name": "Chloé Martin", "country": "FR", "city": "Lyon", "lang": "kk", "note": "Merci."},
    {"name": "Ben", "country": "GB", "lang": "en"},
    {"name": "Ines García", "country": "ES", "city": "Sevilla", "email": "ines@example.es", "lang": "ru"},
    {"name": "Ерлан Нұрланұлы", "country": "DE", "city": "Köln", "lang": "kk"},
    {"name": "Greta Nilsson", "country": "SE", "organisation": "RFSL", "email": "g@rfsl.se", "lang": "en"},
]  # fmt: skip
COLUMNS = ["name", "country", "city", "organisation", "email", "lang", "note"]
_MADE = re.compile(rb"^(Date|Message-ID): [^\r\n]*\r\n", re.MULTILINE)


def without_date_and_id(message: bytes) -> bytes:
    """The message without the two header fields that differ every time one is made."""
    return _MADE.sub(b"", message)


def fresh_caches() -> None:
    """Forget every rendering a batch could reuse, so the next letter is composed from scratch."""
    composer._RENDERED.clear()
    composer.renderer_for.cache_clear()


@pytest.mark.parametrize("campaign_id", CAMPAIGNS)
def test_batch_letters_are_byte_for_byte_the_letters_draft_makes(
    tmp_path: Path, campaign_id: str
) -> None:
    signers = tmp_path / "signers.csv"
    with signers.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, COLUMNS)
        out.writeheader()
        for _ in range(3):  # each signer thrice: later letters reuse what earlier ones rendered
            out.writerows(SIGNERS)
    defaults = DraftValues(campaign=campaign_id, date=LETTER_DATE)
    for fmt in ("json", "text", "eml"):
        options = BatchOptions(str(signers), defaults, out_dir=tmp_path / fmt, fmt=fmt, quiet=True)
        assert run(options, None) == 0
    campaign = open_registry(None).load(campaign_id)
    flags = dataclasses.replace(defaults, campaign=campaign_id)
    rows = list(read_rows(open_text(str(signers)), str(signers)))
    assert len(rows) == 3 * len(SIGNERS)
    languages = set()
    for row in rows:
        # Files are named by signer and options (a repeated signer's letter is kept, not made
        # twice; it is still composed, so the reuse is exercised all the same).
        values = row.values(flags)
        made = (
            tmp_path / "json" / (safe_stem(str(values.name), row_key(values, campaign)) + ".json")
        )
        data = json.loads(made.read_text(encoding="utf-8"))
        stem = made.stem
        # The draft path: validate the row's values, compose with the batch's phrasing choices.
        fresh_caches()
        writer, request = build_request(row.values(flags), campaign)
        letter = composer.compose(campaign, writer, request._replace(phrasings=data["phrasings"]))
        languages.add(letter.language)
        assert data["body"] == letter.body and data["subject"] == letter.subject
        assert (tmp_path / "text" / f"{stem}.txt").read_bytes() == to_text(letter)
        eml = (tmp_path / "eml" / f"{stem}.eml").read_bytes()
        assert without_date_and_id(eml) == without_date_and_id(to_eml(letter))
        for which in (policy.default, policy.compat32):
            parsed = email.message_from_bytes(eml, policy=which)
            payload = parsed.get_payload(decode=True)
            assert isinstance(payload, bytes)
            assert payload.decode("utf-8").replace("\r\n", "\n") == letter.body
    assert languages == {"en", "ru", "kk"}


# -- Each value validated once ------------------------------------------------------------------


USUAL = {
    "name": ["Anna Schmidt", "Дарья Иванова", "Seán O'Brien", " Jo  Li "],
    "country": ["DE", "Germany", "KZ", "Қазақстан"],
    "city": [None, "", "Köln", "  Frankfurt   am Main "],
    "organisation": [None, "RFSL"],
    "email": [None, "anna@example.org", " <Anna@München.DE> ", "mailto:a@b.example",
              "a@xn--mnchen-3ya.de"],
    "address": [None, [], ["1 Main St", " a\tb ", ""], ["Musterstraße 1, 10115 Berlin"]],
    "iin": [None, "900101300017", "9001 0130 0017"],
}  # fmt: skip
UNUSUAL = {
    "country": st.one_of(st.sampled_from(COUNTRIES), text),
    "email": st.one_of(st.none(), address),
    "address": st.lists(text, max_size=3),
}


@st.composite
def writers_values(draw: st.DrawFn) -> DraftValues:
    """A writer's values: usual ones, with one or two of them anything (hostile text included),
    so that many examples pass every check and the others fail on one."""
    values = {field: draw(st.sampled_from(usual)) for field, usual in USUAL.items()}
    for field in draw(st.lists(st.sampled_from(sorted(USUAL)), max_size=2)):
        values[field] = draw(UNUSUAL.get(field, short_text))
    return DraftValues(**values)


@given(writers_values())
def test_the_writer_of_a_request_is_the_one_writer_build_makes_of_the_checked_values(
    values: DraftValues,
) -> None:
    """`build_request` makes the writer of the values `normalise` checked, without checking
    them a second time (`Writer.build`): the same writer, because each check gives its own
    result back unchanged."""
    try:
        writer, _request = build_request(values, petition())
        event("made")
    except UsageProblem:
        with pytest.raises(UsageProblem):
            checked = dataclasses.replace(values)
            normalise(checked, petition())
            require_complete(checked)
        return
    checked = dataclasses.replace(values)
    normalise(checked, petition())
    assert writer == Writer.build(
        name=checked.name or "", country=checked.country or "", city=checked.city,
        organisation=checked.organisation, email=checked.email, address=checked.address or (),
        iin=checked.iin,
    )  # fmt: skip


@settings(max_examples=1000)  # a cache's second answer; the address checks have their own tests
@given(address)
def test_an_address_checked_again_is_checked_alike(value: str) -> None:
    """`clean_email` keeps the last addresses' normal forms: the second answer is the first."""
    answers = []
    for _ in range(2):
        try:
            answers.append(clean_email(value))
        except UsageProblem as exc:
            answers.append(f"refused: {exc}")
    assert answers[0] == answers[1]


# One hash computed two ways: the CI profile's 10,000 examples (meant for untrusted text)
# would take half a minute of CI.
@settings(max_examples=500)
@given(
    st.builds(
        DraftValues,
        name=short_text,
        email=short_text,
        arguments=st.one_of(st.none(), st.lists(text, max_size=3)),
        address=st.one_of(st.none(), st.lists(text, max_size=3)),
        note_file=st.one_of(st.none(), st.sampled_from([Path("n.txt"), Path("-")])),
        seed=st.one_of(st.none(), st.integers()),
        force=st.booleans(),
    )
)
def test_a_rows_key_is_the_one_it_always_was(values: DraftValues) -> None:
    """A row's key names its files and journal entries: made without `asdict`'s deep copy, it
    must stay the hash of exactly the same JSON, or a re-run would not find what it made."""
    campaign = petition()
    fields = dataclasses.asdict(values)
    fields["campaign"] = campaign.id
    blob = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    assert row_key(values, campaign) == hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


# -- Header fields read back once per batch -----------------------------------------------------

box_text = st.one_of(st.sampled_from(FRAGMENTS), text)
ADDRESSES = ["anna@example.org", "анна@пример.рф", "a@xn--mnchen-3ya.de", "x@y"]


@st.composite
def header_fields(draw: st.DrawFn) -> headers.HeaderField:
    """Any field the builder may be given, and raw fields that bypass `headers.raw`'s own check
    (so that the read-back, not the builder, is what refuses an injection)."""
    name = draw(st.sampled_from(["From", "To", "Subject", "Message-ID", "X-Unsent"]))
    value = draw(box_text)
    kind = draw(st.sampled_from(["mailbox", "unstructured", "raw"]))
    if kind == "mailbox":
        return headers.address(name, headers.mailbox(value, draw(st.sampled_from(ADDRESSES))))
    if kind == "unstructured":
        return headers.unstructured(name, value)
    return headers.HeaderField(name, value, "raw")


def whole_message_verdict(fields: list[headers.HeaderField]) -> bytes | None:
    try:
        block = headers.header_block(fields)
        verify_headers(block + b"\r\n", fields)
    except (ValueError, MessageMismatch):
        return None
    return block


@given(st.lists(header_fields(), min_size=1, max_size=4))
def test_fields_read_back_once_agree_with_the_whole_message_read_back(
    fields: list[headers.HeaderField],
) -> None:
    """Refused by one, refused by the other; accepted, the same bytes. Twice over one cache, so
    that the second time every field is a cached one. A name that comes twice is refused (the
    whole-message check lets a repeat through when the two read the same)."""
    names = [f.name.lower() for f in fields]
    expected = whole_message_verdict(fields) if len(set(names)) == len(names) else None
    verified = VerifiedFields()
    for _ in range(2):
        try:
            got: bytes | None = verified.header(fields)
        except (ValueError, MessageMismatch):
            got = None
        assert got == expected


# Pieces at the edge of the fast path's subset (formats.readback.plain_field_lines): atext,
# the specials and white space next to it, encoded-word starts, non-ASCII, long words.
EDGE = ["Anna", "Signer 12", "O'Brien", "x+y", "a.b", "=", "?", "=?", "?=", "=?utf-8?q?x?=", " ",
        "  ", "\t", ".", ",", ";", ":", "@", "<", ">", '"', "\\", "(", ")", "[", "]", "ä", "Ы",
        "\r\n", "\n", "\r", "\x00", "\u00a0", "x" * 70, "0", "123", "example.org", "-", "--", "~"]  # fmt: skip
edge_text = st.lists(
    st.one_of(st.sampled_from(EDGE), st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=6
).map("".join)
ATEXT = "ABCXYZabcxyz0189!#$%&'*+/^_`{|}~-"  # RFC 5322 atext but "=" and "?" (EDGE has those)
atoms = st.text(alphabet=ATEXT, min_size=1, max_size=8)
labels = st.text(alphabet="abzAZ09-", min_size=1, max_size=8)


def spoiled(plain: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`plain`, or `plain` with an edge piece or hostile fragment put in somewhere."""
    put = st.tuples(plain, st.sampled_from(EDGE + FRAGMENTS), st.integers(0, 60)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
    )
    return st.one_of(plain, plain, put, edge_text)  # half plain: the fast path's own cases


phrases = spoiled(st.lists(atoms, min_size=1, max_size=5).map(" ".join))
dot_atoms = st.lists(atoms, min_size=1, max_size=3).map(".".join)
domains = st.lists(labels, min_size=1, max_size=4).map(".".join)
addr_specs = spoiled(st.builds("{}@{}".format, dot_atoms, domains))
msg_ids = spoiled(
    st.builds("<{}.{}.{}@{}>".format, st.integers(0), st.integers(0), st.integers(0), domains)
)


@st.composite
def fields_near_the_plain_subset(draw: st.DrawFn) -> headers.HeaderField:
    """Fields the fast path is for and fields just outside it (another name or kind, a spoiled
    value), built without the builder's own checks (`headers.mailbox`, `headers.raw`), so that
    the fast path alone must refuse what it cannot take."""
    others = ["Subject", "Date", "from", "Sender", "Reply-To", "Message-Id", "X-Unsent"]
    ours = st.sampled_from(["From", "To", "Message-ID"])
    name = draw(st.one_of(ours, ours, ours, st.sampled_from(others)))
    usual = st.just("raw" if name.lower() == "message-id" else "mailbox")
    kind = draw(st.one_of(usual, usual, usual, st.sampled_from(["mailbox", "raw", "unstructured"])))
    if kind == "mailbox":
        box = headers.Mailbox(draw(st.one_of(phrases, text)), draw(addr_specs))
        return headers.HeaderField(name, box.addr_spec, "mailbox", box)
    # Now and then a mailbox where the kind says there is none: the read-back then checks one.
    stray = draw(st.one_of(st.none(), st.none(), st.just(headers.Mailbox("Anna", "a@b.example"))))
    return headers.HeaderField(name, draw(st.one_of(msg_ids, edge_text)), kind, stray)


def read_back_alone(field: headers.HeaderField) -> bytes | None:
    try:
        return verify_field(field)
    except (ValueError, MessageMismatch):
        return None


@given(fields_near_the_plain_subset())
def test_a_field_on_the_fast_path_is_one_the_read_back_accepts_with_the_same_bytes(
    field: headers.HeaderField,
) -> None:
    """What `plain_field_lines` lets through without parsing, the full read-back of the field
    accepts, as the same bytes; and those bytes parse (independently of formats.readback) to
    exactly the name and address, or the msg-id, meant."""
    plain = plain_field_lines(field)
    event(f"fast path: {plain is not None}")
    if plain is None:
        return
    assert read_back_alone(field) == plain
    modern, classic = parse_both(plain + b"\r\n")
    assert list(modern.keys()) == list(classic.keys()) == [field.name]
    if field.mailbox is not None:
        box = field.mailbox
        check_mailbox(modern, classic, field.name, box.display_name, box.addr_spec)
    else:
        assert str(modern[field.name]) == classic[field.name] == field.value


@given(
    st.sampled_from(["From", "To"]),
    st.lists(atoms, min_size=1, max_size=4).map(" ".join),
    st.builds("{}@{}".format, dot_atoms, domains),
    st.builds("<{}.{}.{}@{}>".format, st.integers(0), st.integers(0), st.integers(0), domains),
)
def test_the_fast_path_takes_every_plain_name_address_and_msg_id_on_one_line(
    name: str, display_name: str, addr_spec: str, msg_id: str
) -> None:
    """The subset is not empty in practice: every such field that fits on one line takes the
    fast path (and, as above, is read back alike in full)."""
    for field in (headers.address(name, headers.Mailbox(display_name, addr_spec)),
                  headers.raw("Message-ID", msg_id)):  # fmt: skip
        plain = plain_field_lines(field)
        assert (plain is not None) == (len(headers.header_block([field])) <= 80)
        if plain is not None:
            assert read_back_alone(field) == plain


def _from(name: str, addr: str, field: str = "From") -> headers.HeaderField:
    return headers.address(field, headers.mailbox(name, addr))


@pytest.mark.parametrize(
    ("field", "taken"),
    [
        (_from("Signer 12", "s12@example.org"), True),
        (_from("Sean O'Brien", "sean+choir@example.ie", "To"), True),
        (headers.raw("Message-ID", "<176.42.9@example.org>"), True),
        (_from("Dr. Anna Schmidt", "anna@example.org"), False),  # "." needs quoting
        (_from("Anna =?utf-8?q?x?=", "anna@example.org"), False),
        (_from("Анна", "anna@example.org"), False),
        (_from("Anna", "anna@münchen.de"), True),  # written as its A-label, xn--mnchen-3ya.de
        (_from("Anna", "анна@example.org"), False),
        (_from("Anna", "a=b@example.org"), False),
        (_from("Anna " * 15, "anna@example.org"), False),  # folded
        (_from("Anna", "anna@example.org", "Reply-To"), False),
        (headers.raw("Message-ID", "<176.42.9@example.org> <1@x>"), False),
        (headers.raw("Message-ID", "<a.b@example.org>"), False),
        (headers.raw("References", "<176.42.9@example.org>"), False),
        (headers.raw("Date", "Mon, 30 Nov 2026 12:00:00 +0000"), False),
    ],
    ids=lambda f: f"{f.name}: {f.mailbox.display_name if f.mailbox else f.value}"
    if isinstance(f, headers.HeaderField) else str(f),
)  # fmt: skip
def test_the_fast_path_takes_the_batchs_own_fields_and_leaves_the_rest_to_the_read_back(
    field: headers.HeaderField, taken: bool
) -> None:
    """A signer's plain name and address and a made msg-id take the fast path; a name that
    needs quoting or encoding, a Unicode local part, a folded line, another field do not, and
    are read back in full. Either way a batch writes what the read-back accepts."""
    assert (plain_field_lines(field) is not None) == taken
    try:
        batch: bytes | None = VerifiedFields().header([field])
    except MessageMismatch:
        batch = None
    assert batch == read_back_alone(field)


@pytest.mark.parametrize(
    "value",
    [
        "Hello\r\nBcc: x@example.com",
        "Hello\nBcc: x@example.com",
        "Hello\rBcc: x@example.com",
        "Hello\r\n\r\nbody",
        "Hello\r\n Bcc: x@example.com",
        "=?utf-8?q?=0D=0ABcc:_x@example.com?=",
    ],
)
def test_an_injected_raw_field_is_refused_first_time_and_every_time(value: str) -> None:
    field = headers.HeaderField("Subject", value, "raw")
    verified = VerifiedFields()
    for _ in range(2):
        with pytest.raises(MessageMismatch):
            verified.header([headers.raw("MIME-Version", "1.0"), field])


@pytest.mark.parametrize("body", ["Dear Minister,\n\nplease act.\n", "Уважаемый министр!\n" * 40])
def test_the_body_is_checked_by_decoding_its_transfer_encoding(body: str) -> None:
    encoding, encoded = text_body(body)
    verify_body(encoding, encoded, body)
    other = "x" + body
    with pytest.raises(MessageMismatch):
        verify_body(encoding, encoded, other)
    with pytest.raises(MessageMismatch):
        verify_body(encoding, text_body(other)[1], body)
    with pytest.raises(MessageMismatch):
        verify_body("base64", encoded.replace(b"\r\n", b"\r\n!", 1), body)


# Bytes near quoted-printable's edges: spaces and tabs before line ends, lone dots, "=", long
# words, line feeds in runs, CR (alone, before LF: b2a_qp then writes CRLF), NUL, non-ASCII.
qp_data = st.lists(
    st.one_of(
        st.sampled_from([b" ", b"\t", b".", b"=", b"\n", b"\n\n", b"\r", b"\r\n", b"\x00",
                         "é".encode(), "ж".encode(), b"x" * 75, b"Dear Minister,"]),
        st.binary(max_size=40),
    ),
    max_size=24,
).map(b"".join)  # fmt: skip


@settings(max_examples=1000)
@given(st.lists(qp_data, max_size=6))
def test_a_body_encoded_a_paragraph_at_a_time_is_the_body_encoded_whole(
    texts: list[bytes],
) -> None:
    """eml.quoted_printable encodes each paragraph once for the batch (and keeps it): the same
    bytes as quopri over the whole body, whichever paragraphs were seen before."""
    for data in texts:
        whole = quopri.encodestring(data).replace(b"\n", b"\r\n")
        assert eml.quoted_printable(data) == whole
        assert eml.quoted_printable(data) == whole  # its paragraphs seen once (eml._QP_NEW)
        assert eml.quoted_printable(data) == whole  # seen twice and kept (eml._QP_KEPT)


@given(
    st.sampled_from(["To", "From", "Subject", "Message-ID", "X-Complainer-Row-Id"]),
    st.lists(st.text(alphabet="ab=?\u00e9 ", min_size=1, max_size=30), max_size=8),
)
def test_a_field_that_fits_on_a_line_is_folded_as_the_loop_folds_it(
    name: str, tokens: list[str]
) -> None:
    """headers.fold writes a field that fits within 78 characters without its folding loop."""
    lines = [f"{name}:"]
    for token in tokens:
        if len(lines[-1]) + 1 + len(token) > headers.MAX_LINE and lines[-1] != f"{name}:":
            lines.append(" " + token)
        else:
            lines[-1] += " " + token
    assert headers.fold(name, tokens) == lines


def test_a_batch_message_is_the_single_message_apart_from_its_date_and_id() -> None:
    campaign = open_registry(None).load("kz-propaganda-law-2025")
    verified = VerifiedFields()
    for lang, name in (("en", "Anna =?utf-8?q?x?="), ("ru", "Дарья"), ("kk", "Айгүл")):
        values = DraftValues(name=name, country="DE", email="a@münchen.de", lang=lang,
                             date=LETTER_DATE)  # fmt: skip
        writer, request = build_request(values, campaign)
        letter = composer.compose(campaign, writer, request)
        single = to_eml(letter)
        for _ in range(2):
            batch = to_eml(letter, verified=verified)
            assert without_date_and_id(batch) == without_date_and_id(single)


# -- Paragraphs shingled and hashed once --------------------------------------------------------

paragraph = st.lists(
    st.one_of(st.sampled_from(["Minister", "rights", "ICCPR", "19", "Қазақстан", "права"]),
              st.text(alphabet="ab ,.\n", max_size=6)),
    max_size=12,
).map(" ".join)  # fmt: skip


# An equivalence of two computations over the tool's own letters, not untrusted input: the CI
# profile's 10,000 examples (for untrusted text) would cost minutes here.
@settings(max_examples=500)
@given(st.lists(st.lists(paragraph, min_size=1, max_size=8).map("\n\n".join), max_size=6))
def test_a_letters_shingles_from_its_paragraphs_are_the_whole_letters(
    letters: list[str],
) -> None:
    """Exactly the set `shingles` makes of the whole text (5-grams across paragraph breaks
    included), and its MinHash is rensa's of that set, however short or repeated the
    paragraphs (repeats come from the paragraph cache)."""
    index = SimilarityIndex(window=8)
    for letter in [*letters, *letters]:
        grams, minhash = index.sketch(letter)
        whole = sorted(shingles(letter))
        assert grams.tolist() == whole
        reference = rensa.RMinHash(NUM_PERM, MINHASH_SEED)
        reference.update([v.to_bytes(4, "little") for v in whole])
        assert minhash.digest() == reference.digest()


def test_a_small_batchs_figures_are_the_exact_all_pairs_nearest_and_import_no_scipy(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """`complainer batch` on five signers: every letter's figure in the report is the exact
    Jaccard similarity with its nearest neighbour over all pairs (rounded as the report rounds),
    and the run imports rensa for it but neither scipy nor datasketch (0.4 s of every run)."""
    with (tmp_path / "signers.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "country", "city"])
        for i, (country, city) in enumerate([("DE", "Berlin"), ("FR", "Lyon"), ("PL", "Kraków"),
                                             ("IT", "Torino"), ("SE", "Malmö")]):  # fmt: skip
            out.writerow([f"Signer Number {i}", country, city])
    probe = (
        "import runpy, sys\n"
        "try:\n"
        "    runpy.run_module('complainer', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rensa', 'scipy', 'datasketch'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "batch", "signers.csv", "--out-dir", "out", "--format",
         "text", "--date", LETTER_DATE],
        cwd=tmp_path, env=clean_env, capture_output=True, text=True, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "['rensa']"
    with (tmp_path / "out" / "report.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sets = {r["row"]: shingles((tmp_path / r["output"]).read_text(encoding="utf-8")) for r in rows}
    assert len(sets) == 5
    for r in rows:
        nearest = max(
            len(sets[r["row"]] & theirs) / len(sets[r["row"]] | theirs)
            for other, theirs in sets.items()
            if other != r["row"]
        )
        assert float(r["similarity"]) == pytest.approx(nearest, abs=0.005), (r, nearest)


def test_the_batch_reports_the_exact_nearest_neighbour_figures() -> None:
    """Against exact whole-letter Jaccard over all pairs, on letters whose nearest neighbours are
    all above the LSH threshold: the maximum is exact; the median can only be a little lower,
    since each letter is measured exactly against its `exact` likeliest candidates only (by
    MinHash estimate), which may miss its true nearest by a few hundredths."""
    campaign = open_registry(None).load("kz-petition-2024")
    bodies = []
    for i in range(60):
        values = DraftValues(name=f"Signer {i}", country="DE", lang="en", date=LETTER_DATE)
        writer, request = build_request(values, campaign)
        bodies.append(composer.compose(campaign, writer, request).body)
    index = SimilarityIndex()
    for i, body in enumerate(bodies):
        index.add(i, body)
    summary = index.summary()
    sets = [shingles(b) for b in bodies]
    nearest = sorted(
        max(len(a & b) / len(a | b) for j, b in enumerate(sets) if j != i)
        for i, a in enumerate(sets)
    )
    # Every nearest neighbour is within LSH's reach (those below the copy threshold are also
    # ranked against the whole window): the figures must then be exact.
    assert min(nearest) > LSH_THRESHOLD
    assert summary.maximum == pytest.approx(nearest[-1])
    median = (nearest[29] + nearest[30]) / 2
    assert median - 0.02 <= summary.median <= median + 0.001


# -- Files written through one open folder -------------------------------------------------------


def test_new_files_are_private_whole_and_never_written_over(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        files = NewFiles(tmp_path)
        files.write("0001-anna.eml", b"letter one")
        (tmp_path / "elsewhere").write_bytes(b"not mine")
        (tmp_path / "0002-link.eml").symlink_to(tmp_path / "elsewhere")
        for name in ("0001-anna.eml", "0002-link.eml"):  # refused as write_private refuses it
            with pytest.raises(UsageProblem) as refused:
                files.write(name, b"another letter")
            with pytest.raises(UsageProblem) as alone:
                write_private(tmp_path / name, b"another letter")
            assert str(refused.value) == str(alone.value)
        files.close()
    finally:
        os.umask(old)
    assert (tmp_path / "0001-anna.eml").read_bytes() == b"letter one"
    assert stat.S_IMODE((tmp_path / "0001-anna.eml").stat().st_mode) == 0o600
    assert (tmp_path / "elsewhere").read_bytes() == b"not mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001-anna.eml", "0002-link.eml",
                                                         "elsewhere"]  # fmt: skip


# -- A mailbox entry without scanning a letter that has no "From " -----------------------------


@settings(max_examples=1000)  # seven pieces, twelve at most: a thousand cover their orders well
@given(
    st.lists(
        st.sampled_from([b"From ", b">", b"\n", b"\r\n", b"\r", b"x", b"From", b" "]), max_size=12
    )
)
def test_a_mailbox_entry_quotes_every_from_line_as_mboxrd_does(parts: list[bytes]) -> None:
    """`mbox_entry` scans for "From " lines only when the message holds "From ", and deletes
    CRs when each ends a line: the same entry as replacing CRLF and quoting unconditionally
    (mboxrd: ">" before any line matching >*From )."""
    message = b"".join(parts)
    body = message.replace(b"\r\n", b"\n")
    quoted = re.sub(rb"(?m)^(>*From )", rb">\1", body)
    expected = quoted if quoted.endswith(b"\n") else quoted + b"\n"
    entry = mbox_entry(message, when=0)
    assert entry == b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n" + expected + b"\n"


# -- The layout's tidying, with its fast path ----------------------------------------------------


def tidy_by_patterns(value: str) -> str:
    value = sandbox._TRAILING_SPACE.sub("", value.replace("\r\n", "\n"))
    return sandbox._BLANK_RUNS.sub("\n\n", value).strip("\n") + "\n"


@given(st.text(alphabet=" \t\n\rab\u00a0", max_size=40))
def test_tidy_is_the_two_patterns(value: str) -> None:
    assert sandbox.tidy(value) == tidy_by_patterns(value)


# -- A layout's blocks caught in the one render of the whole layout ------------------------------


def test_blocks_caught_in_one_render_are_the_blocks_rendered_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every built-in layout, every language and target: the letter and its blocks (the PDF's
    parts) are the same whether the blocks are caught while the layout renders or rendered alone."""
    registry = open_registry(None)
    one_pass = 0
    for campaign_id in CAMPAIGNS:
        campaign = registry.load(campaign_id)
        renderer = composer.renderer_for(campaign.folder)
        for lang in campaign.languages:
            for target, about in campaign.targets.items():
                country = "DE" if about.suits("DE") else "KZ"
                values = DraftValues(name="Anna Schmidt", country=country, lang=lang, target=target,
                                     to="office@example.org", organisation="RFSL",
                                     address=["1 Main St", "Berlin"], date=LETTER_DATE)  # fmt: skip
                writer, request = build_request(values, campaign)
                with monkeypatch.context() as patch:
                    patch.setattr(renderer, "_blocks_in_one_pass", lambda name, template: False)
                    alone = composer.compose(campaign, writer, request)
                caught = composer.compose(campaign, writer, request)
                assert (caught.body, caught.blocks) == (alone.body, alone.blocks)
                layout = renderer.env.get_template(f"{lang}/{caught.target}.j2")
                one_pass += bool(caught.blocks) and renderer._one_pass.get(layout, False)
    assert one_pass  # the built-in layouts with blocks do take the one-render path


@pytest.mark.parametrize(
    "layout",
    [
        "{% set x = 1 %}{% block a %}{{ x | default(2) }}{% endblock %}",
        "{% if name %}{% block a %}A{% endblock %}{% endif %}",
        "{% block a %}A{% endblock %}{{ self.a() }}",
        "{% block a required %}{% endblock %}",
        "{{ name }}{% block a %}A{% endblock %}",
    ],
)
def test_a_layout_that_could_change_its_blocks_renders_them_alone(
    tmp_path: Path, layout: str
) -> None:
    (tmp_path / "l.j2").write_text(layout, encoding="utf-8")
    renderer = sandbox.Renderer(tmp_path)
    assert not renderer._blocks_in_one_pass("l.j2", renderer.env.get_template("l.j2"))
    (tmp_path / "plain.j2").write_text("{% block a %}{{ name }}{% endblock %}\n\nB", "utf-8")
    assert renderer._blocks_in_one_pass("plain.j2", renderer.env.get_template("plain.j2"))
    assert renderer.layout_blocks("plain.j2", {"name": "N"}) == ("N\n\nB\n", [("a", "N")])


def test_a_plain_layout_is_parsed_once_across_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing a layout to tell whether one render gives its blocks costs a cold run more than
    the render: a plain layout is remembered in the cache (by its source), a changed one is
    parsed again, and one that is not plain is never remembered as plain."""
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    folder = tmp_path / "campaign"
    folder.mkdir()
    layout = folder / "l.j2"
    parsed: list[str] = []

    def one_pass() -> bool:
        renderer = sandbox.Renderer(folder)  # a new run: nothing known in the process
        parse = renderer.env.parse
        monkeypatch.setattr(
            renderer.env, "parse", lambda source: parsed.append(source) or parse(source)
        )
        return renderer._blocks_in_one_pass("l.j2", renderer.env.get_template("l.j2"))

    layout.write_text("{% block a %}A{% endblock %}\n\nB", encoding="utf-8")
    assert one_pass() and one_pass()
    assert len(parsed) == 1
    layout.write_text("{% block a %}A{% endblock %}{{ self.a() }}", encoding="utf-8")
    assert not one_pass() and not one_pass()
    assert len(parsed) == 3


@pytest.mark.parametrize(
    ("layout", "only"),
    [
        (
            "{% block a %}{{ name }}{% endblock %}\n\n{# a note #}\n{% block b %}B{% endblock %}\n",
            True,
        ),
        ("{% block a %}A{% endblock %}\n\nB", False),  # a word outside the blocks
        ("{% block a %}A{% block b %}B{% endblock %}{% endblock %}", False),  # B twice in blocks
        ("{% if name %}{% block a %}A{% endblock %}{% endif %}", False),
        ("{{ name }}{% block a %}A{% endblock %}", False),
    ],
)
def test_a_layout_whose_source_has_only_blocks_needs_no_check_of_its_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, only: bool
) -> None:
    """compose refuses a layout with words outside its blocks (the PDF would leave them out),
    and skips that check on every letter when `Renderer.only_blocks` says the source rules it
    out: then the words are the blocks' words, in a run that parsed the layout and in one that
    found the verdict in the cache."""
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    folder = tmp_path / "campaign"
    folder.mkdir()
    (folder / "l.j2").write_text(layout, encoding="utf-8")
    for _run in range(2):
        renderer = sandbox.Renderer(folder)
        body, blocks = renderer.layout_blocks("l.j2", {"name": "N"})
        assert renderer.only_blocks("l.j2") is False  # a first letter checks its words itself
        assert renderer.only_blocks("l.j2") is only
        same_words = "".join("".join(b for _, b in blocks).split()) == "".join(body.split())
        assert same_words or not only
