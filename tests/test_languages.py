"""Russian and Kazakh letters: names of instruments, dates, countries, and Cyrillic writers."""

from __future__ import annotations

import email
import json
from email import policy
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, assert_clean_error, stderr_of, stdout_of

INSTRUMENT = {
    "en": "International Covenant on Civil and Political Rights",
    "ru": "Международн",  # the treaty's name inflects in Russian; the stem is always there
    "kk": "Азаматтық және саяси құқықтар туралы халықаралық пакт",
}
DATE = {"en": "29 November 2026", "ru": "29 ноября 2026 г.", "kk": "2026 жылғы 29 қараша"}
GERMANY = {"en": "Germany", "ru": "Германия", "kk": "Германия"}


@pytest.mark.parametrize("cid", ["kz-petition-2024", "kz-propaganda-law-2025"])
@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_letter_language_instrument_date_country(
    run: Runner, cli: Runner, cid: str, lang: str
) -> None:
    # One language through the installed command, the others in-process.
    result = (run if (cid, lang) == ("kz-petition-2024", "ru") else cli)(
        "draft",
        "--campaign",
        cid,
        "--name",
        "Anna Schmidt",
        "--country",
        "DE",
        "--no-input",
        "--date",
        LETTER_DATE,
        "--lang",
        lang,
    )
    assert result.returncode == 0, stderr_of(result)
    # «2026 г.» comes with a no-break space, as Russian typography wants; compare without it.
    assert "\u202f" not in stdout_of(result)
    body = stdout_of(result).replace("\u00a0", " ")
    assert INSTRUMENT[lang] in body
    assert DATE[lang] in body
    assert GERMANY[lang] in body
    if lang != "en":
        # Cyrillic letters carry no English sentences.
        latin_words = [w for w in body.split() if w.isascii() and w.isalpha() and len(w) > 3]
        allowed = {
            "Anna",
            "Human",
            "Rights",
            "Watch",
            "Schmidt",
            "Toonen",
            "Australia",
            "Fedotova",
            "Russian",
            "Federation",
            "Bayev",
            "Others",
            "Russia",
            "Venice",
            "Commission",
        }
        assert set(latin_words) <= allowed, set(latin_words) - allowed


def test_full_selection_in_russian_has_every_citation(run: Runner) -> None:
    result = run("draft", "--campaign", "kz-petition-2024", "--name", "A B", "--country", "KZ", "--no-input", "--date", "2024-07-31", "--lang", "ru",
                 "-a", "iccpr-19", "-a", "iccpr-26", "-a", "petition-inadmissible", "-a", "constitution-1995", "-a", "ccpr-concluding-observations")  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    body = stdout_of(result)
    for symbol in ("CCPR/C/106/D/1932/2010", "CCPR/C/50/D/488/1992", "CCPR/C/KAZ/CO/2"):
        assert symbol in body
    assert "Казахстан" in body and "31 июля 2024\u00a0г." in body


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("русский", "ru"),
        ("Russian", "ru"),
        ("қазақша", "kk"),
        ("Kazakh", "kk"),
        ("казахский", "kk"),
        ("KK", "kk"),
        ("English", "en"),
    ],
)
def test_lang_accepts_codes_and_names(cli: Runner, value: str, code: str) -> None:
    result = cli(
        "draft",
        "--name",
        "A B",
        "--country",
        "DE",
        "--no-input",
        "--lang",
        value,
        "--format",
        "json",
    )
    assert result.returncode == 0, stderr_of(result)
    assert json.loads(result.stdout)["language"] == code


def test_unknown_language_lists_the_choices(cli: Runner) -> None:
    line = assert_clean_error(
        cli("draft", "--name", "A B", "--country", "DE", "--no-input", "--lang", "deutsch"),
        2,
        "unknown language",
    )
    # Named in the interface language (English here), as every name the interface shows.
    for choice in ("en (English)", "ru (Russian)", "kk (Kazakh)"):
        assert choice in line
    line = assert_clean_error(
        cli("--ui-lang", "ru", "draft", "--name", "A B", "--country", "DE", "--no-input",
            "--lang", "deutsch"),
        2,
    )  # fmt: skip
    for choice in ("en (английский)", "ru (русский)", "kk (казахский)"):
        assert choice in line


def test_default_language_is_the_recipients(run: Runner) -> None:
    result = run("draft", "--name", "A B", "--country", "DE", "--no-input", "--format", "json")
    assert json.loads(result.stdout)["language"] == "kk"


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_cyrillic_writer_round_trips_through_eml(
    run: Runner, cli: Runner, tmp_path: Path, lang: str
) -> None:
    name = "Әлия Жақсыбекова-Иванова"
    runner = run if lang == "ru" else cli  # one language through the installed command
    result = runner("draft", "--name", name, "--country", "Казахстан", "--city", "Алматы", "--email", "aliya@example.kz", "--no-input",
                 "--date", LETTER_DATE, "--lang", lang, "--out", "letter.eml")  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    raw = (tmp_path / "letter.eml").read_bytes()
    assert raw.isascii(), "headers are RFC 2047-encoded and the body transfer-encoded"
    assert b"=?utf-8?" in raw.lower()
    msg = email.message_from_bytes(raw, policy=policy.default)
    # RFC 2047 (6.2) ignores the folding between adjacent encoded words; Python's policy.default
    # parser keeps a space there (a CPython bug), so the name is decoded the RFC way.
    raw_from = email.message_from_bytes(raw, policy=policy.compat32)["From"]
    display = str(make_header(decode_header(raw_from))).rsplit(" <", 1)[0]
    assert display == name
    assert msg["From"].addresses[0].addr_spec == "aliya@example.kz"
    body = msg.get_content()
    assert name in body and "Алматы" in body
    text = runner(
        "draft",
        "--name",
        name,
        "--country",
        "KZ",
        "--city",
        "Алматы",
        "--email",
        "aliya@example.kz",
        "--no-input",
        "--date",
        LETTER_DATE,
        "--lang",
        lang,
    )
    assert body.replace("\r\n", "\n") == stdout_of(text)
    assert msg["Subject"] in body
    data = json.loads(
        runner(
            "draft",
            "--name",
            name,
            "--country",
            "KZ",
            "--no-input",
            "--date",
            LETTER_DATE,
            "--lang",
            lang,
            "--format",
            "json",
        ).stdout
    )
    assert data["writer"]["name"] == name and name in data["body"]


def test_kazakh_writer_gets_kazakh_country_name(cli: Runner) -> None:
    result = cli(
        "draft",
        "--name",
        "A B",
        "--country",
        "Қазақстан",
        "--no-input",
        "--date",
        LETTER_DATE,
        "--lang",
        "kk",
    )
    assert result.returncode == 0, stderr_of(result)
    assert "Қазақстан" in stdout_of(result)


def test_non_ascii_address_uses_smtputf8(run: Runner) -> None:
    result = run(
        "draft",
        "--name",
        "A B",
        "--country",
        "DE",
        "--no-input",
        "--lang",
        "en",
        "--email",
        "анна@пример.рф",
        "--format",
        "eml",
    )
    assert result.returncode == 0, stderr_of(result)
    # RFC 6532: the headers are UTF-8 themselves, so they are parsed as text.
    msg = email.message_from_string(result.stdout.decode("utf-8"), policy=policy.default)
    assert msg["From"].addresses[0].addr_spec == "анна@пример.рф"
