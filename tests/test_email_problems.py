"""A refused e-mail address is explained in the interface language, never in email_validator's English."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complainer import i18n
from complainer.errors import UsageProblem
from complainer.letter.writer import clean_email

# One address for each kind of fault email_validator reports, and a few it words differently.
BAD = [
    "anna.example.org",
    "anna\uff20example.org",
    "@example.org",
    "anna@",
    "anna@example",
    "anna@localhost",
    "anna..s@example.org",
    "anna@-x.example.org",
    "anna@ex_ample.org",
    "an,na@example.org",
    "anna@[300.1.1.1]",
    '"anna"@example.org',
    "anna@" + "a" * 300 + ".org",
    "anna@xn--a.org",
    "<anna@example.org",
    "anna@example.org>",
]


@pytest.fixture(params=["ru", "kk"])
def ui(request: pytest.FixtureRequest):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(None)


@pytest.mark.parametrize("address", BAD)
def test_a_refusal_reads_in_the_interface_language(ui: str, address: str) -> None:
    with pytest.raises(UsageProblem) as caught:
        clean_email(address)
    message = str(caught.value).replace(address, "")
    # Cyrillic explanation; what is left in Latin letters is at most the "@" sign's name, never an
    # English sentence from the validator.
    assert re.search(r"[а-яәғқңөұүһі]{3}", message), message
    latin_words = re.findall(r"[A-Za-z]{3,}", message)
    assert not latin_words, (ui, address, message)


def test_english_keeps_a_specific_sentence() -> None:
    i18n.set_language("en")
    try:
        with pytest.raises(UsageProblem, match="no @ sign"):
            clean_email("anna.example.org")
        with pytest.raises(UsageProblem, match="nothing after the @ sign"):
            clean_email("anna@")
    finally:
        i18n.set_language(None)


@given(st.text(max_size=80))
def test_any_refusal_is_one_translated_line(text: str) -> None:
    i18n.set_language("ru")
    try:
        clean_email(text)
    except UsageProblem as exc:
        message = str(exc)
        assert "\n" not in message.replace(text, "")
        assert not re.search(
            r"\b(must|should|cannot|invalid|characters)\b", message.replace(text, "")
        )
    finally:
        i18n.set_language(None)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # A pasted mailbox: the error quotes what was typed and gives the address to use.
        (
            "Eve <eve@example.org>",
            '"Eve <eve@example.org>": give the address alone, such as eve@example.org',
        ),
        # A bracket without its pair is not taken off: the address is refused, quoted whole.
        ("<eve@example.org", '"<eve@example.org" is not valid: it has an angle bracket'),
        ("eve@example.org>", '"eve@example.org>" is not valid'),
    ],
)
def test_angle_brackets_are_taken_off_only_in_pairs(typed: str, said: str) -> None:
    i18n.set_language("en")
    try:
        with pytest.raises(UsageProblem, match=re.escape(said)):
            clean_email(typed)
        assert clean_email("<eve@example.org>") == clean_email(" mailto:eve@example.org; ")
    finally:
        i18n.set_language(None)


@given(st.text(alphabet=st.sampled_from("<> a@b.c,;:mailto"), max_size=30))
def test_an_accepted_address_holds_no_bracket_or_space(text: str) -> None:
    try:
        address = clean_email(text)
    except UsageProblem:
        return
    assert not set(address) & set("<> ,;"), (text, address)
