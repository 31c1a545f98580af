"""`complainer draft` with flags: end to end through the installed command, variations in-process."""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import re
import stat
from email import policy
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, assert_clean_error, stderr_of, stdout_of

PETITION = ["--campaign", "kz-petition-2024"]
ANNA = ["--name", "Anna Schmidt", "--country", "DE", "--no-input", "--date", LETTER_DATE]


def draft(run: Runner, *extra: str, lang: str = "en") -> str:
    result = run("draft", *PETITION, *ANNA, "--lang", lang, *extra)
    assert result.returncode == 0, stderr_of(result)
    return stdout_of(result)


def test_text_output_is_the_letter_alone(run: Runner) -> None:
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "--city", "Berlin")
    assert result.returncode == 0, stderr_of(result)
    body = stdout_of(result)
    assert body.endswith("\n") and not body.endswith("\n\n")
    assert "Anna Schmidt" in body
    assert "Berlin, Germany" in body
    assert "29 November 2026" in body
    assert "Ministry of Culture and Information" in body
    # Notes go to stderr, never into the letter.
    assert "closed" in stderr_of(result)
    assert "Note:" not in body


def test_eml_parses_back_and_matches_the_text(run: Runner, tmp_path: Path) -> None:
    text = draft(run, "--email", "anna@example.org")
    result = run(
        "draft",
        *PETITION,
        *ANNA,
        "--lang",
        "en",
        "--email",
        "anna@example.org",
        "--out",
        "letter.eml",
    )
    assert result.returncode == 0, stderr_of(result)
    raw = (tmp_path / "letter.eml").read_bytes()
    assert b"\r\n" in raw and raw.isascii()
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "k.kense@mki.gov.kz"
    assert "Ministry of Culture and Information" in msg["To"].addresses[0].display_name
    assert msg["From"].addresses[0].addr_spec == "anna@example.org"
    assert msg["From"].addresses[0].display_name == "Anna Schmidt"
    assert msg["X-Unsent"] == "1"
    assert msg["MIME-Version"] == "1.0"
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@example.org>")
    # Date: is when the message was made; the letter's own date (--date) is in its body.
    made = msg["Date"].datetime
    assert abs((dt.datetime.now(dt.timezone.utc) - made).total_seconds()) < 120
    assert made.date().isoformat() != LETTER_DATE or dt.date.today().isoformat() == LETTER_DATE
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content().replace("\r\n", "\n") == text
    subject_line = next(line for line in text.splitlines() if line.startswith("Subject: "))
    assert msg["Subject"] == subject_line.removeprefix("Subject: ")
    assert stat.S_IMODE(os.stat(tmp_path / "letter.eml").st_mode) == 0o600


def test_eml_without_email_has_no_from(run: Runner) -> None:
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "--format", "eml")
    assert result.returncode == 0, stderr_of(result)
    msg = email.message_from_bytes(result.stdout, policy=policy.default)
    assert msg["From"] is None
    assert msg["To"].addresses[0].addr_spec == "k.kense@mki.gov.kz"


def test_json_output(run: Runner, tmp_path: Path) -> None:
    text = draft(run, "--seed", "7")
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "--seed", "7", "--out", "letter.json")
    assert result.returncode == 0, stderr_of(result)
    data = json.loads((tmp_path / "letter.json").read_text(encoding="utf-8"))
    assert data["campaign"] == "kz-petition-2024"
    assert data["language"] == "en"
    assert data["date"] == LETTER_DATE
    assert data["seed"] == 7
    assert data["recipients"][0]["email"] == "k.kense@mki.gov.kz"
    assert data["recipients"][0]["email_source"] == "appeal-2024"
    assert data["body"] == text
    assert data["subject"] in text
    assert "iccpr-19" in data["arguments"]
    assert "anti-discrimination-law" in data["recommendations"]
    assert all(c["url"].startswith("https://") for c in data["citations"])


def test_format_is_case_insensitive_and_agrees_with_the_extension(
    cli: Runner, tmp_path: Path
) -> None:
    result = cli("draft", *PETITION, *ANNA, "--lang", "en", "--format", "JSON", "--out", "x.json")
    assert result.returncode == 0, stderr_of(result)
    assert json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))["language"] == "en"
    # An extension no format claims (.letter) leaves --format to decide.
    result = cli("draft", *PETITION, *ANNA, "--format", "Eml", "--out", "x.letter")
    assert result.returncode == 0, stderr_of(result)
    msg = email.message_from_bytes((tmp_path / "x.letter").read_bytes(), policy=policy.default)
    assert msg["Subject"] and msg["To"].addresses[0].addr_spec == "k.kense@mki.gov.kz"


@pytest.mark.parametrize(
    ("tag", "code"),
    [("ru-RU", "ru"), ("kk-KZ", "kk"), ("kk-Cyrl-KZ", "kk"), ("qazaqsha", "kk"), ("ru_RU.UTF-8", "ru"),
     ("EN-gb", "en")],
)  # fmt: skip
def test_lang_takes_language_tags_and_romanisations(run: Runner, tag: str, code: str) -> None:
    result = run("draft", *PETITION, *ANNA, "--lang", tag, "--format", "json")
    assert result.returncode == 0, stderr_of(result)
    assert json.loads(stdout_of(result))["language"] == code


def test_template_syntax_in_a_name_stays_literal(run: Runner) -> None:
    result = run("draft", *PETITION, "--name", "{{ 7*7 }} {% if true %}x{% endif %}", "--country", "DE",
                 "--no-input", "--date", LETTER_DATE, "--lang", "en")  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    body = stdout_of(result)
    assert "{{ 7*7 }} {% if true %}x{% endif %}" in body
    assert "49" not in body


def test_same_seed_same_letter_and_writers_differ(run: Runner, cli: Runner) -> None:
    # Two processes (the default seed must not depend on hash randomisation), then variations.
    first = draft(run)
    assert draft(run) == first
    assert draft(cli) == first
    assert draft(cli, "--seed", "12345") == draft(cli, "--seed", "12345")
    bodies = set()
    for i in range(12):
        result = cli("draft", *PETITION, "--name", f"Writer Number{i}", "--country", "FR", "--no-input",
                     "--date", LETTER_DATE, "--lang", "en")  # fmt: skip
        assert result.returncode == 0, stderr_of(result)
        bodies.add(stdout_of(result).replace(f"Writer Number{i}", "NAME"))
    # Twelve writers: with several phrasings per paragraph, nearly all letters differ.
    assert len(bodies) >= 10


def test_expired_citation_is_left_out_with_a_warning(run: Runner) -> None:
    args = [
        "draft",
        *PETITION,
        "--name",
        "A B",
        "--country",
        "DE",
        "--no-input",
        "--lang",
        "en",
        "-a",
        "constitution-1995",
        "-a",
        "iccpr-19",
    ]
    before = run(*args, "--date", "2026-06-30")
    after = run(*args, "--date", "2026-07-01")
    assert before.returncode == 0 and after.returncode == 0
    assert "art. 20" in stdout_of(before) or "article 20" in stdout_of(before).lower()
    assert "constitution-1995" not in stderr_of(before)
    assert 'left out argument "constitution-1995"' in stderr_of(after)
    assert "2026-06-30" in stderr_of(after)
    assert "art. 20" not in stdout_of(after) and "article 20" not in stdout_of(after).lower()


def test_chosen_points_only(cli: Runner) -> None:
    result = cli(
        "draft",
        *PETITION,
        *ANNA,
        "--lang",
        "en",
        "-a",
        "iccpr-26",
        "-r",
        "peaceful-assembly",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["arguments"] == ["iccpr-26"]
    assert data["recommendations"] == ["peaceful-assembly"]
    assert "Toonen" in data["body"] and "Fedotova" not in data["body"]


def test_note_from_stdin_and_file(run: Runner, tmp_path: Path) -> None:
    result = run(
        "draft",
        *PETITION,
        *ANNA,
        "--lang",
        "en",
        "--note-file",
        "-",
        stdin=b"My own words, here.\n",
    )
    assert "My own words, here." in stdout_of(result)
    (tmp_path / "note.txt").write_text("Написано мной.", encoding="utf-8")
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "--note-file", "note.txt")
    assert "Написано мной." in stdout_of(result)


@pytest.mark.parametrize(
    ("args", "code", "needles"),
    [
        (["--campaign", "kz-petiton-2024"], 2, ["unknown campaign", "kz-petition-2024"]),
        (["--lang", "de"], 2, ["unknown language", "ru"]),
        (["-a", "iccpr-91"], 2, ["unknown argument", 'Did you mean "iccpr-19"']),
        (["-r", "nope"], 2, ["unknown recommendation", "anti-discrimination-law"]),
        (["--country", "Germnay"], 2, ["unknown country", "Germany"]),
        (["--email", "anna@@example.org"], 2, ["not valid"]),
        (["--name", "   "], 2, ["--name"]),
        (["--name", "Anna\x07Schmidt"], 2, ["control character"]),
        (["--date", "29/11/2026"], 2, ["YYYY-MM-DD"]),
        (["--note-file", "missing.txt"], 2, ["missing.txt"]),
        (["--format", "json", "--out", "x.eml"], 2, ["--format json", "x.eml", "eml"]),
        (["--format", "text", "--out", "x.json"], 2, ["--format text", "x.json"]),
        (["--format", "EML", "--out", "x.txt"], 2, ["--format eml", "x.txt"]),
        (["--date", "2024-05-28"], 2, ["2024-05-28", "from 2024-05-29 to"]),
        (["--date", "2099-01-01"], 2, ["2099-01-01", "from 2024-05-29 to"]),
        (["--date", "2024-02-30"], 2, ["YYYY-MM-DD"]),
        (["--to-kind", "robot"], 2, ["--to-kind", "institution"]),
        (["--with-translation", "de"], 2, ["unknown language"]),
        (["--format", "docx"], 2, ["unknown format"]),
        (["--iin", "900101300016"], 2, ["check digit"]),
        (["--address", "Musterstraße 1\x1b[2J"], 2, ["control character"]),
        (["--bogus"], 2, ["--bogus"]),
        (["--out", "no/such/dir/letter.eml"], 2, ["does not exist"]),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    cli: Runner, tmp_path: Path, args: list[str], code: int, needles: list[str]
) -> None:
    # In-process: the installed command's error path is tested by the two tests after this one.
    base = {
        "--campaign": "kz-petition-2024",
        "--name": "Anna Schmidt",
        "--country": "DE",
        "--lang": "en",
    }
    for flag in list(base):
        if flag in args:
            del base[flag]
    flat = [x for kv in base.items() for x in kv]
    before = set(tmp_path.iterdir())
    result = cli("draft", *flat, "--no-input", "--date", LETTER_DATE, *args)
    assert_clean_error(result, code, *needles)
    assert set(tmp_path.iterdir()) == before


def test_unreadable_note_file(cli: Runner, tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00bad")
    assert_clean_error(
        cli("draft", *PETITION, *ANNA, "--lang", "en", "--note-file", "bin.txt"), 2, "UTF-8"
    )


def test_missing_values_without_a_terminal_name_the_flags(run: Runner) -> None:
    result = run("draft", *PETITION, "--no-input")
    assert_clean_error(result, 2, "--name", "--country")


def test_existing_file_is_kept_without_force(run: Runner, tmp_path: Path) -> None:
    target = tmp_path / "letter.eml"
    target.write_bytes(b"precious")
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "--out", "letter.eml")
    assert_clean_error(result, 2, "already exists", "--force")
    assert target.read_bytes() == b"precious"
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "--out", "letter.eml", "--force")
    assert result.returncode == 0, stderr_of(result)
    assert email.message_from_bytes(target.read_bytes(), policy=policy.default)["X-Unsent"] == "1"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


INJECTIONS = [
    "Anna\r\nBcc: x@example.com",
    "Anna\nBcc: x@example.com",
    "Anna\u2028Bcc: x@example.com",
]
# Encoded-word syntax in a value is text: the header builder encodes it, so it reads back literally
# (tests/test_header_safety.py has these in every spelling).


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("flag", ["--name", "--to-name", "--city", "--organisation"])
def test_header_injection_is_refused(
    run: Runner, cli: Runner, tmp_path: Path, flag: str, value: str
) -> None:
    args = {"--name": "Anna Schmidt", flag: value}
    flat = [x for kv in args.items() for x in kv]
    # One case through the installed command, the variations in-process.
    runner = run if (flag, value) == ("--name", INJECTIONS[0]) else cli
    result = runner("draft", *PETITION, *flat, "--country", "DE", "--lang", "en", "--no-input", "--email", "anna@example.org",
                 "--to", "office@example.org", "--out", "x.eml")  # fmt: skip
    assert_clean_error(result, 2)
    assert not (tmp_path / "x.eml").exists()


@pytest.mark.parametrize(
    "value",
    ["anna@example.org\r\nBcc: x@example.com", "=?utf-8?q?hi=0ABcc:_x@example.com?=@example.org"],
)
def test_header_injection_in_addresses_is_refused(cli: Runner, value: str) -> None:
    assert_clean_error(
        cli("draft", *PETITION, *ANNA, "--lang", "en", "--email", value, "--format", "eml"), 2
    )
    assert_clean_error(
        cli("draft", *PETITION, *ANNA, "--lang", "en", "--to", value, "--format", "eml"), 2
    )


def test_stray_separators_around_an_address_are_tidied(cli: Runner) -> None:
    result = cli(
        "draft",
        *PETITION,
        *ANNA,
        "--lang",
        "en",
        "--email",
        " mailto:anna@example.org;\u200b ",
        "--format",
        "eml",
    )
    assert result.returncode == 0, stderr_of(result)
    msg = email.message_from_bytes(result.stdout, policy=policy.default)
    assert msg["From"].addresses[0].addr_spec == "anna@example.org"


def test_eml_headers_hold_exactly_what_was_given(run: Runner) -> None:
    result = run(
        "draft", *PETITION, *ANNA, "--lang", "en", "--email", "anna@example.org", "--format", "eml"
    )
    msg = email.message_from_bytes(result.stdout, policy=policy.default)
    names = sorted(k.lower() for k in msg)
    expected = [
        "content-language",
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "subject",
        "to",
        "x-unsent",
    ]
    assert names == expected


def test_version_and_module_entry(run: Runner) -> None:
    import subprocess
    import sys
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0 and stdout_of(result).startswith("complainer ")
    # The version is written once (complainer/__init__.py); the installed metadata must agree.
    assert stdout_of(result) == f"complainer {version('complainer')}\n"
    module = subprocess.run(
        [sys.executable, "-m", "complainer", "--version"], capture_output=True, check=False
    )
    assert module.stdout == result.stdout


def test_help_has_examples(run: Runner) -> None:
    result = run("draft", "--help")
    assert result.returncode == 0
    assert "Examples" in stdout_of(result)
    assert "--no-input" in stdout_of(result)


def test_no_command_prints_help_only(run: Runner) -> None:
    result = run()
    assert result.returncode == 2
    assert "draft" in stdout_of(result) and "campaigns" in stdout_of(result)
    assert "error" not in stderr_of(result)


def test_mistyped_option_suggests_the_right_one(run: Runner) -> None:
    assert_clean_error(run("draft", "--nam", "x"), 2, "--nam", "--name")


def test_a_letter_over_one_page_is_warned_about() -> None:
    """Every argument makes a letter longer than a page: the writer is told; the default is not."""
    from complainer.campaigns.registry import open_registry
    from complainer.letter.compose import one_page
    from complainer.letter.request import DraftValues, build_letter

    campaign = open_registry().load("kz-propaganda-law-2025")
    day = dt.date.fromisoformat(LETTER_DATE)
    every = [p.id for p in campaign.arguments if not p.expired_citations(day)]
    for lang in campaign.languages:
        base = DraftValues(name="Anna Schmidt", country="DE", lang=lang, date=LETTER_DATE)
        default = build_letter(base, campaign)
        assert len(default.body) <= one_page(campaign, default.target)
        assert not [w for w in default.warnings if "printed page" in w]
        base.arguments = every
        full = build_letter(base, campaign)
        assert len(full.body) > one_page(campaign, full.target)
        assert [w for w in full.warnings if f"{len(full.body)} characters" in w], full.warnings


def _commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    """(command path, click command) for every command under `group`, the group itself first
    (asked for by name, as `--help` does: the root group loads its commands on demand)."""
    from typer._click.core import Context
    from typer.core import TyperGroup

    found: list[tuple[tuple[str, ...], object]] = [(path, group)]
    if isinstance(group, TyperGroup):
        ctx = Context(group)
        for name in group.list_commands(ctx):
            found += _commands(group.get_command(ctx, name), (*path, name))
    return found


def test_help_shows_every_bracketed_word_it_was_given() -> None:
    """Rich markup swallows an unescaped [word] (it printed "pip install 'complainer'" for
    'complainer[sign]'): every bracketed word in any option's help must reach the screen."""
    import typer.main
    from typer.testing import CliRunner

    from complainer.cli import app

    runner = CliRunner()
    commands = _commands(typer.main.get_command(app))
    assert {" ".join(path) for path, _ in commands} >= {"draft", "send", "batch", "campaigns show"}
    for path, command in commands:
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "400"}).output
        for param in getattr(command, "params", []):
            given = (getattr(param, "help", None) or "").replace("\\[", "[")
            for word in re.findall(r"\[[^\]\s]+\]", given):
                assert word in shown, f"{' '.join(path)} --help loses {word} from {param.name}"


def test_with_translation_appends_the_same_letter_marked(run: Runner) -> None:
    kk = run("draft", *PETITION, *ANNA, "--lang", "kk")
    en = run("draft", *PETITION, *ANNA, "--lang", "en")
    both = run("draft", *PETITION, *ANNA, "--lang", "kk", "--with-translation", "en")
    assert both.returncode == 0, stderr_of(both)
    text = stdout_of(both)
    original, _, rest = text.partition("-" * 40)
    assert original.rstrip() == stdout_of(kk).rstrip()
    mark, _, translation = rest.partition("-" * 40)
    assert "Translation into English" in mark and "Аударма" in mark
    assert translation.strip() == stdout_of(en).strip()


@pytest.mark.parametrize(
    ("to_name", "kind", "greeted"),
    [
        ("Federal Foreign Office", None, False),
        ("Auswärtiges Amt", "institution", False),
        ("Jane Doe", None, True),
    ],
)
def test_institutions_get_a_generic_greeting(
    run: Runner, to_name: str, kind: str | None, greeted: bool
) -> None:
    extra = ["--to-kind", kind] if kind else []
    result = run("draft", *PETITION, *ANNA, "--lang", "en", "-t", "foreign-ministry",
                 "--to", "office@example.org", "--to-name", to_name, *extra)  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert (f"Dear {to_name}," in stdout_of(result)) == greeted


# Writers who live in Kazakhstan: their own deputy, not "interparliamentary channels" or "your
# foreign ministry"; the chamber follows the letter's date (facts.md, section 8).
def _deputy_letter(lang: str, day: str, country: str = "KZ") -> str:
    from complainer.letter import request

    values = request.DraftValues(
        name="Aigerim Sadykova", country=country, lang=lang, target="deputy", date=day,
        to="deputy@example.kz", to_name="Aigerim Bekova",
    )  # fmt: skip
    from complainer.campaigns.registry import open_registry

    campaign = open_registry().load("kz-propaganda-law-2025")
    return request.build_letter(values, campaign).body


@pytest.mark.parametrize(
    ("lang", "before", "after"),
    [("en", "Mazhilis", "Kurultai"), ("ru", "Мажилис", "Курулта"), ("kk", "Мәжіліс", "Құрылтай")],
)
def test_the_deputy_letter_names_the_chamber_of_its_date(
    lang: str, before: str, after: str
) -> None:
    spring, autumn = _deputy_letter(lang, "2026-03-02"), _deputy_letter(lang, "2026-11-29")
    # Before 1 July 2026 the deputy sits in the Mazhilis, and the Kurultai does not exist yet.
    assert before in spring and after not in spring
    assert after in autumn


def test_targets_follow_where_the_writer_lives(run: Runner) -> None:
    result = run("draft", "--name", "Ann", "--country", "KZ", "--target", "mp", "--no-input",
                 "--to", "mp@example.org", "--date", LETTER_DATE)  # fmt: skip
    assert_clean_error(result, 2, '"mp" letter is not for writers in Kazakhstan', "deputy")
    result = run("draft", "--name", "Ann", "--country", "DE", "--target", "deputy", "--no-input",
                 "--to", "mp@example.org", "--date", LETTER_DATE)  # fmt: skip
    assert_clean_error(
        result, 2, '"deputy" letter is not for writers in Germany', "foreign-ministry"
    )
