"""A single letter's read-back without the parsers, where it is proved (formats.readback:
proved_field_lines, proved_header; issue 15).

What the fast path accepts, the full read-back (`verify_field`, both policies) accepts as the same
bytes, and an independent parse gives the value meant; complainer's own constants are each read
back in full; a plain ASCII draft imports no email parser and still parses back exactly; hostile
or non-ASCII input still goes through the full read-back of the whole message.
"""

from __future__ import annotations

import datetime as dt
from email import policy
from email.headerregistry import UnstructuredHeader
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from conftest import LETTER_DATE
from hypothesis import event, example, given
from hypothesis import strategies as st
from test_batch_equivalence import EDGE, atoms, domains, dot_atoms, read_back_alone, spoiled
from test_header_safety import (
    FRAGMENTS,
    assert_message_is_exactly,
    check_mailbox,
    decoded,
    parse_both,
    petition,
    unfold,
)
from test_startup_imports import loaded

from complainer.errors import UsageProblem
from complainer.formats import eml, headers, readback
from complainer.formats.readback import (
    CONSTANT_FIELDS,
    MessageMismatch,
    proved_field_lines,
    proved_header,
    verify_field,
)
from complainer.letter.request import DraftValues, build_letter

# What a full read-back imports; a draft on the fast path imports none of it.
EMAIL_PARSERS = (
    "email.parser",
    "email.feedparser",
    "email.policy",
    "email.headerregistry",
    "email._header_value_parser",
    "email.contentmanager",
)
UNSTRUCTURED = ["Subject", "Content-Language", "X-Unsent"]
OTHERS = ["subject", "Comments", "Keywords", "Date", "Reply-To", "Cc", "Sender", "Message-ID",
          "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition"]  # fmt: skip
# Printable ASCII words with single spaces, long enough to be folded (the campaigns' subjects are).
vchar_words = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)
plain_texts = st.lists(vchar_words.filter(lambda w: len(w) < 30), min_size=1, max_size=25).map(
    " ".join
)
long_phrases = st.lists(atoms, min_size=1, max_size=16).map(" ".join)
datetimes = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(9999, 12, 30),
    timezones=st.one_of(
        st.none(),
        st.builds(
            dt.timezone, st.integers(-23 * 60, 23 * 60).map(lambda m: dt.timedelta(minutes=m))
        ),
    ),
)
dates = spoiled(datetimes.map(format_datetime))


@st.composite
def fields_near_the_proved_subset(draw: st.DrawFn) -> headers.HeaderField:
    """Fields of the single letter's fast path and fields just outside it (another name or kind,
    a spoiled value), built without the builder's own checks, so that the fast path alone must
    refuse what it cannot take."""
    name = draw(st.sampled_from([*UNSTRUCTURED, "Date", "From", "To", *OTHERS]))
    if name in ("From", "To", "Reply-To", "Cc", "Sender") and draw(st.integers(0, 3)):
        phrase = draw(st.one_of(spoiled(long_phrases), plain_texts))
        addr = draw(spoiled(st.builds("{}@{}".format, dot_atoms, domains)))
        box = headers.Mailbox(phrase, addr)
        return headers.HeaderField(name, addr, "mailbox", box)
    kind = draw(st.sampled_from(["raw", "raw", "unstructured", "mailbox"]))
    constants = st.sampled_from(sorted(v for n, v in CONSTANT_FIELDS))
    value = draw(
        st.one_of(
            spoiled(plain_texts), dates, spoiled(constants), st.sampled_from(EDGE + FRAGMENTS)
        )
    )
    # Now and then a mailbox where the kind says there is none: the read-back then checks one.
    stray = st.one_of(st.none(), st.none(), st.just(headers.Mailbox("Anna", "a@b.example")))
    box = headers.Mailbox(value, "a@example.org") if kind == "mailbox" else draw(stray)
    return headers.HeaderField(name, value, kind, box)  # type: ignore[arg-type]


def check_parsed_alone(field: headers.HeaderField, lines: bytes) -> None:
    """`lines` parse (independently of formats.readback) to exactly `field` and nothing else."""
    modern, classic = parse_both(lines + b"\r\n")
    assert list(modern.keys()) == list(classic.keys()) == [field.name]
    assert modern.get_payload() == classic.get_payload() == ""
    if field.mailbox is not None:
        box = field.mailbox
        check_mailbox(modern, classic, field.name, box.display_name, box.addr_spec)
    else:
        assert str(modern[field.name]) == field.value
        assert decoded(classic[field.name]) == unfold(classic[field.name]) == field.value


@given(fields_near_the_proved_subset())
@example(headers.unstructured("Subject", "Re: =?utf-8?q?hi=0ABcc:_x@example.com?="))
@example(headers.unstructured("Subject", "a=?utf-8?b?eA==?=b"))
@example(headers.raw("X-Unsent", "=?utf-8?q?1?="))
@example(headers.raw("Date", "Mon, 30 Nov 2026 25:00:00 +0000"))
@example(headers.raw("Date", "Mon, 31 Nov 2026 12:00:00 +0000"))
@example(headers.raw("Content-Type", 'text/html; charset="utf-8"'))
@example(headers.unstructured("Subject", "Hello\r\nBcc: x@example.com"))
@example(
    headers.HeaderField("Subject", "Hello", "unstructured", headers.Mailbox("A", "a@b.example"))
)
def test_a_field_on_the_proved_path_is_one_the_read_back_accepts_with_the_same_bytes(
    field: headers.HeaderField,
) -> None:
    lines = proved_field_lines(field)
    event(f"fast path: {lines is not None}")
    if lines is None:
        return
    assert read_back_alone(field) == lines
    check_parsed_alone(field, lines)


@given(st.sampled_from(UNSTRUCTURED), plain_texts)
@example("Subject", "Re: =?utf-8?q?hi=0ABcc:_x@example.com?=")
@example("Subject", "x" * 120 + " y")
def test_every_plain_ascii_text_field_takes_the_proved_path(name: str, value: str) -> None:
    """The subset is what drafts hold: printable ASCII words without "=?", folded or not."""
    field = headers.unstructured(name, value)
    lines = proved_field_lines(field)
    # A word too long for a line of its own is encoded by the writer: read back in full.
    longest = max(len(w) for w in value.split(" "))
    assert (lines is not None) == ("=?" not in value and longest <= 78 - len(name) - 3)
    if lines is not None:
        assert read_back_alone(field) == lines


@given(st.sampled_from(["From", "To"]), long_phrases, st.builds("{}@{}".format, dot_atoms, domains))
def test_every_plain_name_addr_takes_the_proved_path_folded_or_not(
    name: str, display_name: str, addr_spec: str
) -> None:
    field = headers.address(name, headers.Mailbox(display_name, addr_spec))
    lines = proved_field_lines(field)
    assert lines is not None
    assert read_back_alone(field) == lines
    check_parsed_alone(field, lines)


@given(datetimes)
def test_every_date_format_datetime_writes_takes_the_proved_path(when: dt.datetime) -> None:
    field = headers.raw("Date", format_datetime(when))
    lines = proved_field_lines(field)
    assert lines is not None
    assert read_back_alone(field) == lines
    check_parsed_alone(field, lines)


@pytest.mark.parametrize(("name", "value"), sorted(CONSTANT_FIELDS))
def test_each_constant_field_reads_back_in_full_as_written(name: str, value: str) -> None:
    """CONSTANT_FIELDS are code, not input: each one is read back in full once, here."""
    field = headers.raw(name, value)
    lines = proved_field_lines(field)
    assert lines is not None and lines == verify_field(field)
    check_parsed_alone(field, lines)


@pytest.mark.parametrize("name", UNSTRUCTURED)
def test_the_unstructured_fields_are_read_as_unstructured_by_policy_default(name: str) -> None:
    """The proof's premise: policy.default has no structured class for these names."""
    assert issubclass(policy.default.header_factory[name], UnstructuredHeader)  # type: ignore[attr-defined]


def test_the_fields_a_single_part_message_writes_are_on_the_proved_path() -> None:
    """Every field of a plain ASCII draft (both body encodings) is proved, so none is parsed."""
    for body in ("Dear Sir or Madam,\n\nplain text.\n", "Уважаемые дамы и господа,\n" * 3):
        encoding, _ = eml.text_body(body)
        fields = [
            headers.raw("MIME-Version", "1.0"),
            headers.raw("Content-Type", 'text/plain; charset="utf-8"'),
            headers.raw("Content-Transfer-Encoding", encoding),
        ]
        assert proved_header(fields) is not None


def draft(**values: Any) -> tuple[Any, bytes, int]:
    """(letter, .eml bytes, how many times the whole message was read back in full)."""
    given_values = {"name": "Anna Schmidt", "country": "DE", "date": LETTER_DATE, **values}
    letter = build_letter(DraftValues(campaign="kz-petition-2024", **given_values), petition())
    with mock.patch.object(eml, "verify_text", wraps=readback.verify_text) as full:
        data = eml.to_eml(letter)
    return letter, data, full.call_count


def check_constants(data: bytes, unsent: bool = True) -> None:
    modern, classic = parse_both(data)
    for msg in (modern, classic):
        assert str(msg["MIME-Version"]) == "1.0"
        assert msg.get_content_type() == "text/plain"
        assert msg.get_content_charset() == "utf-8"
        assert str(msg["X-Unsent"]) == "1" if unsent else msg["X-Unsent"] is None
    assert modern["Message-ID"] == classic["Message-ID"]


@given(
    name=long_phrases,
    email_address=st.one_of(st.none(), st.builds("{}@{}".format, dot_atoms, domains)),
    to_name=st.one_of(st.none(), long_phrases),
    to=st.one_of(st.none(), st.builds("{}@{}".format, dot_atoms, domains)),
)
def test_a_plain_ascii_draft_is_not_parsed_and_reads_back_exactly(**values: Any) -> None:
    try:
        letter, data, full = draft(
            name=values["name"], email=values["email_address"], lang="en",
            to_name=values["to_name"], to=values["to"],
        )  # fmt: skip
    except UsageProblem:
        return  # refused before any message is made (a name the writer module refuses)
    assert full == 0
    assert_message_is_exactly(letter, data)
    check_constants(data)


@pytest.mark.parametrize(
    "values",
    [
        {"name": "=?utf-8?q?hi=0ABcc:_x@example.com?=", "email": "anna@example.org"},
        {"name": "Anna =?utf-8?q?x?=", "email": "anna@example.org"},
        {"name": "Dr. Anna Schmidt", "email": "anna@example.org"},
        {"name": "Анна Шмидт", "email": "anna@example.org"},
        {"name": "Anna", "email": "анна@example.org"},
        {"name": "Anna", "email": "a=?b@example.org"},
        {"name": "Anna", "to": "office@example.org", "to_name": "Office (Press)"},
        {"name": "Anna", "to": "office@example.org", "to_name": '"quoted" =?x?='},
        {"name": "Anna", "to": "office@example.org", "to_name": "Line\nBcc: x@example.com"},
        {"lang": "ru"},
        {"lang": "kk"},
    ],
    ids=str,
)
def test_hostile_or_non_ascii_input_is_read_back_whole(values: dict[str, str]) -> None:
    """Anything outside the proved subset (an encoded-word look-alike, a special that needs
    quoting, another script, a Cyrillic subject) is read back whole, and encoded or refused as
    before."""
    values = {"lang": "en", **values}
    try:
        letter, data, full = draft(**values)
    except (UsageProblem, MessageMismatch):
        return
    assert full == 1
    assert b"Bcc" not in data.split(b"\r\n\r\n")[0]
    assert_message_is_exactly(letter, data)


def test_a_subject_off_the_proved_path_sends_the_message_to_the_full_read_back() -> None:
    """One field outside the subset is enough: the whole message is parsed."""
    letter, _, _ = draft(lang="en")
    for subject in ("Re: =?utf-8?q?hi=0ABcc:_x@example.com?=", "Обращение", "a  b", "a\tb"):
        changed = letter._replace(subject=subject)
        with mock.patch.object(eml, "verify_text", wraps=readback.verify_text) as full:
            data = eml.to_eml(changed)
        assert full.call_count == 1
        assert_message_is_exactly(changed, data)


@pytest.mark.parametrize(
    ("name", "lang", "parsed"),
    [
        ("Anna Schmidt", "en", False),
        ("Anna =?utf-8?q?hi=0ABcc:_x@example.com?=", "en", True),
        ("Anna Schmidt", "ru", True),
    ],
)
def test_the_installed_draft_imports_a_parser_only_when_it_reads_back_whole(
    clean_env: dict[str, str], tmp_path: Path, name: str, lang: str, parsed: bool
) -> None:
    out = tmp_path / "letter.eml"
    values = {"name": name, "email": "anna@example.org", "country": "DE", "lang": lang}
    args = ["draft", "-c", "kz-petition-2024", "--no-input", "--quiet", "--date", LETTER_DATE,
            *[a for k, v in values.items() for a in (f"--{k}", v)], "--out", str(out)]  # fmt: skip
    modules, _ = loaded(clean_env, tmp_path, *args)
    assert bool([m for m in EMAIL_PARSERS if m in modules]) == parsed
    data = out.read_bytes()
    # The same letter made in-process: the file parses back to exactly it, with both policies.
    letter = build_letter(
        DraftValues(campaign="kz-petition-2024", date=LETTER_DATE, **values), petition()
    )
    assert_message_is_exactly(letter, data)
    check_constants(data)
    assert b"Bcc" not in data.split(b"\r\n\r\n")[0]
