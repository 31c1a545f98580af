"""`--format mailto`: an RFC 6068 link that decodes back to exactly the letter."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest
from conftest import LETTER_DATE, Runner, assert_clean_error, stderr_of, stdout_of

PETITION = ["--campaign", "kz-petition-2024"]
ANNA = ["--name", "Anna Schmidt", "--country", "DE", "--no-input", "--date", LETTER_DATE]
# What RFC 6068 allows unencoded in a query value once every reserved character is encoded.
UNRESERVED = re.compile(r"^[A-Za-z0-9\-._~%]*$")


def produce(run: Runner, *args: str) -> tuple[str, str]:
    result = run("draft", *PETITION, *ANNA, *args)
    assert result.returncode == 0, stderr_of(result)
    return stdout_of(result), stderr_of(result)


def split(url: str) -> tuple[str, list[tuple[str, str]]]:
    """The address part and the (name, raw value) pairs, without decoding anything yet."""
    assert url.startswith("mailto:"), url
    address, _, query = url[len("mailto:") :].partition("?")
    pairs = [tuple(p.split("=", 1)) for p in query.split("&")]
    assert all(len(p) == 2 for p in pairs), pairs
    return address, [(p[0], p[1]) for p in pairs]


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_mailto_round_trip(run: Runner, cli: Runner, lang: str) -> None:
    runner = run if lang == "en" else cli  # one language through the installed command
    out, _ = produce(runner, "--lang", lang, "--format", "mailto")
    text, _ = produce(runner, "--lang", lang)
    data = json.loads(produce(runner, "--lang", lang, "--format", "json")[0])

    assert out.endswith("\n") and out.count("\n") == 1, "the URL alone, on one line"
    url = out.rstrip("\n")
    assert url.isascii() and " " not in url and "+" not in url
    address, pairs = split(url)
    assert unquote(address) == "k.kense@mki.gov.kz"
    # Only to, subject and body: no empty cc= or bcc=, nothing else.
    assert [name for name, _ in pairs] == ["subject", "body"]
    for _, value in pairs:
        assert UNRESERVED.match(value), "every reserved or non-ASCII character is percent-encoded"
    subject, body = (unquote(v, encoding="utf-8", errors="strict") for _, v in pairs)
    assert subject == data["subject"]
    assert body == text.replace("\n", "\r\n"), "decodes to the letter, with CRLF line breaks"
    assert "%0D%0A" in url and not re.search(r"(?<!%0D)%0A", url)
    assert "%20" in url


def test_reserved_characters_in_the_note_survive(cli: Runner) -> None:
    note = "Rock & roll = 100% + more? #yes; a/b [c]\nSecond line."
    out, _ = produce(cli, "--lang", "en", "--format", "mailto", "--note", note)
    _, pairs = split(out.rstrip("\n"))
    body = unquote(dict(pairs)["body"])
    assert "Rock & roll = 100% + more? #yes; a/b [c]\r\nSecond line." in body
    assert "%2B" in out and "%26" in out and "%3D" in out and "%25" in out


@pytest.mark.parametrize(
    ("address", "encoded"),
    [
        ("o'brien+tag@example.org", "o%27brien%2Btag@example.org"),
        (
            "анна@пример.рф",
            "%D0%B0%D0%BD%D0%BD%D0%B0@%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.%D1%80%D1%84",
        ),
    ],
)
def test_address_is_percent_encoded_but_keeps_its_at(
    cli: Runner, address: str, encoded: str
) -> None:
    out, _ = produce(cli, "--lang", "en", "--format", "mailto", "--to", address)
    assert out.startswith(f"mailto:{encoded}?subject="), out[:120]


def test_long_link_is_printed_with_a_warning(cli: Runner) -> None:
    out, err = produce(cli, "--lang", "en", "--format", "mailto", "--mailto-limit", "100")
    assert out.startswith("mailto:")
    length = len(out.rstrip("\n"))
    assert f"too long for a mailto: link ({length} characters; the safe limit is 100)" in err


def test_default_limit_is_2000_and_env_sets_another(run: Runner, cli: Runner) -> None:
    out, err = produce(cli, "--lang", "ru", "--format", "mailto")
    assert len(out) > 2000 and "the safe limit is 2000" in err
    result = run(
        "draft", *PETITION, *ANNA, "--lang", "ru", "--format", "mailto",
        env={"COMPLAINER_MAILTO_LIMIT": "100000"},
    )  # fmt: skip
    assert result.returncode == 0 and "too long" not in stderr_of(result)


@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_bad_limit_is_a_usage_error(cli: Runner, value: str) -> None:
    result = cli("draft", *PETITION, *ANNA, "--format", "mailto", "--mailto-limit", value)
    assert_clean_error(result, 2, "--mailto-limit")


def test_unknown_format_names_mailto(cli: Runner) -> None:
    result = cli("draft", *PETITION, *ANNA, "--format", "url")
    assert_clean_error(result, 2, "mailto")
