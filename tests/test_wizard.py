"""The interactive `complainer draft`, driven through a real pseudo-terminal (pexpect).

Each test runs the installed command as a person would: the questions arrive on the terminal, the
answers are typed, and what ends up on disk or on stdout is checked. Two campaigns serve: the
built-in default (a real letter, compared with the same letter made from flags) and a small one
written here, whose texts carry markers (ALPHA, BETA, ...) that show which arguments went in.
"""

from __future__ import annotations

import email
import io
import json
import os
import re
import shlex
import stat
import subprocess
from email import policy
from pathlib import Path

import pexpect
import pytest
from conftest import (
    LETTER_DATE,
    Runner,
    assert_clean_error,
    complainer_exe,
    stderr_of,
    stdout_of,
    terminal_signals,
)

from complainer import i18n

TIMEOUT = 20  # seconds per expected prompt
# The prompts that end in a hint: what Enter does and the escape words (q, b).
CHOICE = "Choice (Enter: s; q: quit): "
TOGGLE = "Toggle (Enter: keep the ticks shown; q: quit): "
SAVE = "Save to (b: back; q: quit) ["
DONE = "Enter when done (q: stop): "
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# The small campaign: four arguments (ALPHA and BETA ticked by default, GAMMA not, DELTA ticked but
# citing a law that expired before the letter's date) and two recommendations.
CAMPAIGN_TOML = """
id = "wizard-test"
status = "open"
deadline = 2026-12-31
languages = ["en"]

[[recipients]]
id = "office"
email = "office@example.org"
email_source = "src"
reads = ["en"]

[[targets]]
id = "office"
recipient = "office"

[[sources]]
id = "src"
title = "A test source"
url = "https://example.org/source"
confidence = "verified"

[[sources]]
id = "old-law"
title = "An old law"
url = "https://example.org/old-law"
confidence = "verified"

[[arguments]]
id = "alpha"
default = true
citations = [{ source = "src", ref = "p. 1" }]

[[arguments]]
id = "beta"
default = true
citations = [{ source = "src", ref = "p. 2" }]

[[arguments]]
id = "gamma"
default = false
citations = [{ source = "src", ref = "p. 3" }]

[[arguments]]
id = "delta"
default = true
citations = [{ source = "old-law", ref = "art. 1", valid_until = 2026-06-30 }]

[[recommendations]]
id = "one"
default = true
citations = [{ source = "src", ref = "p. 4" }]

[[recommendations]]
id = "two"
default = false
citations = [{ source = "src", ref = "p. 5" }]
"""


def _point(key: str, marker: str) -> str:
    phrasings = ", ".join(f'"{marker} text, phrasing {n}."' for n in (1, 2, 3))
    return (
        f'[{key}]\ntitle = "{marker.title()} title"\nsummary = "{marker.title()} summary."\n'
        f"text = [{phrasings}]\n"
    )


TEXTS_TOML = (
    """
language = "en"

[campaign]
title = "Wizard test campaign"
summary = "A campaign for the tests."
status_note = "Open."

[recipients.office]
name = "The Test Office"
address = ["1 Test Street", "Testville"]
email_note = "Made up for the tests."

[targets.office]
title = "Letter to the office"
summary = "The only letter."
subject = ["Test subject one", "Test subject two"]

[targets.office.paragraphs]
salutation = ["Dear Office,", "Dear Sir or Madam,", "To the Office,"]
signoff = ["Yours faithfully,", "With respect,", "Sincerely,"]
"""
    + _point("arguments.alpha", "ALPHA")
    + _point("arguments.beta", "BETA")
    + _point("arguments.gamma", "GAMMA")
    + _point("arguments.delta", "DELTA")
    + _point("recommendations.one", "REC-ONE")
    + _point("recommendations.two", "REC-TWO")
)

TEMPLATE = """{{ p.salutation }}
{% for a in arguments %}{{ a.text }}
{% endfor %}{% for r in recommendations %}{{ r.text }}
{% endfor %}{{ note }}
{{ p.signoff }}
{{ writer.name }}, {{ writer.place }}
"""


@pytest.fixture
def env(clean_env: dict[str, str]) -> dict[str, str]:
    return {**clean_env, "COLUMNS": "80", "LINES": "50", "TERM": "xterm"}


@pytest.fixture
def test_campaign(tmp_path: Path) -> list[str]:
    """Flags that select the small campaign (written into tmp_path/campaigns)."""
    folder = tmp_path / "campaigns" / "wizard-test"
    (folder / "en").mkdir(parents=True)
    (folder / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")
    (folder / "en" / "texts.toml").write_text(TEXTS_TOML, encoding="utf-8")
    (folder / "en" / "office.j2").write_text(TEMPLATE, encoding="utf-8")
    return ["--campaigns-dir", str(folder.parent), "--campaign", "wizard-test"]


def spawn(
    cwd: Path, env: dict[str, str], *args: str, stdout_to: str | None = None
) -> pexpect.spawn:
    """`complainer draft --date LETTER_DATE ARGS` in a pty (stdout redirected to a file if asked)."""
    argv = [complainer_exe(), "draft", "--date", LETTER_DATE, *args]
    if stdout_to is None:
        command, cmd_args = argv[0], argv[1:]
    else:
        command, cmd_args = "bash", ["-c", f"{shlex.join(argv)} > {shlex.quote(stdout_to)}"]
    child = pexpect.spawn(
        command, cmd_args, cwd=str(cwd), env=env, encoding="utf-8",
        dimensions=(50, 80), timeout=TIMEOUT, preexec_fn=terminal_signals,
    )  # fmt: skip
    child.logfile_read = io.StringIO()  # everything the terminal showed, for transcript()
    return child


def transcript(child: pexpect.spawn) -> str:
    log = child.logfile_read
    assert isinstance(log, io.StringIO)
    return flat(log.getvalue())


def answer(child: pexpect.spawn, prompt: str, text: str) -> str:
    """Wait for `prompt`, type `text`; what the terminal showed before the prompt, as flat text."""
    child.expect_exact(prompt)
    shown = flat(str(child.before))
    child.sendline(text)
    return shown


def flat(shown: str) -> str:
    """Without ANSI codes, and with line wraps and runs of spaces (table padding) as one space."""
    return " ".join(ANSI.sub("", shown).split())


def finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    rest = flat(str(child.before))
    child.close()
    assert child.exitstatus is not None, f"killed by signal {child.signalstatus}"
    return child.exitstatus, rest


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_complete_run_saves_an_eml(tmp_path: Path, env: dict[str, str], run: Runner) -> None:
    child = spawn(tmp_path, env)
    header = answer(child, "Country: ", "Germany")
    assert "Nothing is sent or stored unless you choose" in header
    assert "Status:" in header
    letters = answer(child, "Letter (number or id)", "")  # the campaign's main letter, proposed
    assert "member of parliament" in letters.lower()
    assert "Before you give your name" not in letters  # that note is for writers in KZ and RU
    answer(child, "Language (number, code or name)", "")  # the recipient's language, proposed
    answer(child, "Name: ", "Anna Schmidt")
    why = answer(child, "Address line 1: ", "Musterstraße 1")
    assert "formal appeal" in why and "goes only into the letter" in why
    answer(child, "Address line 2: ", "10115 Berlin")
    answer(child, "Address line 3: ", "")
    asked = answer(child, "Email (Enter skips): ", "anna@example.org")
    assert "IIN" not in asked  # writers outside Kazakhstan have none
    # The address holds the city: it is not asked for again.
    shown = answer(child, "Organisation (optional, Enter skips): ", "")
    assert "City" not in shown and "Your organisation, if you want it" in shown
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "I write as a teacher.")
    answer(child, "…: ", "")  # an empty line ends the note
    preview = answer(child, CHOICE, "s")
    assert "Preview" in preview and "Subject:" in preview and "address from:" in preview
    # The letter is in Kazakh (the Ministry's language); the writer reads it in English too.
    assert "Reading copy in English" in preview and "it is not sent" in preview
    answer(child, SAVE, "")
    code, rest = finish(child)
    assert code == 0, rest
    assert "Saved to" in rest

    saved = [p for p in tmp_path.glob("complaint-*.eml")]
    assert len(saved) == 1, files_under(tmp_path)
    assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600
    msg = email.message_from_bytes(saved[0].read_bytes(), policy=policy.default)

    # The same letter made from flags says who it goes to and what its subject is.
    flags = run(
        "draft", "--name", "Anna Schmidt", "--country", "DE", "--email", "anna@example.org",
        "--address", "Musterstraße 1", "--address", "10115 Berlin",
        "--note", "I write as a teacher.", "--date", LETTER_DATE,
        "--no-input", "--format", "json",
    )  # fmt: skip
    assert flags.returncode == 0, stderr_of(flags)
    expected = json.loads(stdout_of(flags))
    assert saved[0].name == f"complaint-{expected['campaign']}-{expected['language']}.eml"
    assert msg["To"].addresses[0].addr_spec == expected["recipients"][0]["email"]
    assert msg["From"].addresses[0].addr_spec == "anna@example.org"
    assert msg["Subject"] == expected["subject"]
    body = msg.get_body(("plain",)).get_content()
    assert "Anna Schmidt" in body and "10115 Berlin" in body
    assert "I write as a teacher." in body
    assert body.replace("\r\n", "\n") == expected["body"]


def test_toggling_arguments_changes_the_letter(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    child = spawn(tmp_path, env, *test_campaign, "--country", "DE")
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Email (Enter skips): ", "")
    answer(child, "City (optional, Enter skips): ", "")
    listing = answer(child, "Organisation (optional, Enter skips): ", "")
    listing = answer(child, TOGGLE, "? 4")
    # The default set is ticked; the argument whose citation expired is shown, unticked, as outdated.
    assert re.search(r"\[x\] 1\. Alpha title", listing)
    assert re.search(r"\[x\] 2\. Beta title", listing)
    assert re.search(r"\[ \] 3\. Gamma title", listing)
    assert re.search(r"\[ \] 4\. Delta title \(outdated\)", listing)
    details = answer(child, TOGGLE, "4")
    assert "valid until 2026-06-30" in details and "Alpha summary" not in details
    refused = answer(child, TOGGLE, "1 3")
    assert "4 is outdated" in refused and "cannot be chosen" in refused
    listing = answer(child, TOGGLE, "")
    assert re.search(r"\[ \] 1\. Alpha title", listing)
    assert re.search(r"\[x\] 3\. Gamma title", listing)
    answer(child, TOGGLE, "")  # recommendations: keep the default
    answer(child, "Note: ", "")
    preview = answer(child, CHOICE, "e")
    assert "GAMMA text" in preview and "BETA text" in preview
    assert "ALPHA text" not in preview and "DELTA text" not in preview

    # Edit again: back at the arguments, with the choice made before.
    listing = answer(child, TOGGLE, "1")
    assert re.search(r"\[ \] 1\. Alpha title", listing)
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "2")  # recommendations: add the second
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "")
    answer(child, CHOICE, "s")
    answer(child, SAVE, "letter.txt")
    code, rest = finish(child)
    assert code == 0, rest

    letter = (tmp_path / "letter.txt").read_text(encoding="utf-8")
    for present in ("ALPHA text", "BETA text", "GAMMA text", "REC-ONE text", "REC-TWO text"):
        assert present in letter
    assert "DELTA text" not in letter


def test_invalid_email_is_asked_again(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    child = spawn(tmp_path, env, *test_campaign, "--country", "DE")
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Email (Enter skips): ", "anna@@example")
    explained = answer(child, "Email (Enter skips): ", "anna@example.org")
    assert "is not valid" in explained and "Type it again" in explained
    answer(child, "City (optional, Enter skips): ", "")
    answer(child, "Organisation (optional, Enter skips): ", "")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "")
    answer(child, CHOICE, "s")
    answer(child, SAVE, "letter.eml")
    code, rest = finish(child)
    assert code == 0, rest
    msg = email.message_from_bytes((tmp_path / "letter.eml").read_bytes(), policy=policy.default)
    assert msg["From"].addresses[0].addr_spec == "anna@example.org"
    assert msg["To"].addresses[0].addr_spec == "office@example.org"


def test_country_typo_offers_candidates_and_enter_accepts_none(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    child = spawn(tmp_path, env, *test_campaign, "--name", "Anna Schmidt")
    offered = answer(child, "Country: ", "Germny")
    offered = answer(child, "Number (Enter: none of these; q: quit): ", "")  # Enter takes no guess
    assert "1. Germany (DE)" in offered
    asked = answer(child, "Country: ", "Frnace")
    assert "type the country again" in asked
    offered = answer(child, "Number (Enter: none of these; q: quit): ", "1")
    assert "1. France (FR)" in offered
    shown = answer(child, "Email (Enter skips): ", "")
    assert "Your country: France (FR)" in shown
    answer(child, "City (optional, Enter skips): ", "Lyon")
    answer(child, "Organisation (optional, Enter skips): ", "")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "")
    preview = answer(child, CHOICE, "q")
    assert "Anna Schmidt, Lyon, France" in preview
    code, rest = finish(child)
    assert code == 0, rest
    assert "Nothing was saved" in rest
    assert files_under(tmp_path / "home") == set()


@pytest.mark.parametrize(
    ("typed", "country"),
    [("USA", "United States (US)"), ("UK", "United Kingdom (GB)"), ("England", "United Kingdom (GB)"),
     ("Holland", "Netherlands (NL)"), ("Russian Federation", "Russia (RU)")],
)  # fmt: skip
def test_common_country_names_resolve_and_are_shown(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str], typed: str, country: str
) -> None:
    child = spawn(tmp_path, env, *test_campaign, "--name", "Anna Schmidt")
    answer(child, "Country: ", typed)
    shown = answer(child, "Email (Enter skips): ", "")
    assert f"Your country: {country}" in shown
    assert "Did you mean" not in shown
    child.sendintr()
    finish(child)


def test_writers_in_kazakhstan_get_the_appeal_rules(tmp_path: Path, env: dict[str, str]) -> None:
    child = spawn(tmp_path, env, "--name", "Айгерим", "--target", "ministry", "--lang", "ru")
    shown = answer(child, "Country: ", "Казахстан")
    shown += answer(child, "Address line 1: ", "")
    assert "postal address" in shown and "may be left unconsidered" in shown
    assert "30 December 2025" in shown and "goes only into the letter" in shown
    child.sendintr()
    code, _ = finish(child)
    assert code == 130


# What identifies a writer, as the wizard asks for it; the safety note must come before all.
IDENTIFYING = ("Name: ", "Address line 1: ", "IIN (", "Email (", "City (", "Organisation (")


@pytest.mark.parametrize("country", ["Kazakhstan", "Russia"])
def test_the_safety_note_comes_before_any_identifying_question(
    tmp_path: Path, env: dict[str, str], country: str
) -> None:
    """Whatever the order of the questions, none that identifies the writer comes before it."""
    child = spawn(tmp_path, env)
    answer(child, "Country: ", country)
    prompts = [
        *IDENTIFYING,
        "Letter (number or id)",
        "Language (number",
        "Address line 2: ",
        TOGGLE,
    ]
    asked = []
    while True:
        index = child.expect_exact(prompts)
        if prompts[index] == TOGGLE:
            break
        asked.append(prompts[index])
        child.sendline("Anna Schmidt" if prompts[index] == "Name: " else "")
    child.sendintr()
    finish(child)
    shown = transcript(child)
    note = shown.index("Before you give your name or any other detail about yourself")
    identifying = [p for p in asked if p in IDENTIFYING]
    assert "Name: " in identifying and "Address line 1: " in identifying
    assert ("IIN (" in identifying) == (country == "Kazakhstan")  # only KZ writers have an IIN
    for prompt in identifying:
        assert note < shown.index(prompt.strip()), prompt


def test_a_writer_in_kazakhstan_is_asked_for_the_iin_and_it_is_checked(
    tmp_path: Path, env: dict[str, str]
) -> None:
    from complainer.letter.formal import iin_check_digit

    valid = "900101300007"[:11]
    valid += str(iin_check_digit(valid))
    child = spawn(tmp_path, env, "--country", "KZ", "--target", "ministry", "--lang", "ru",
                  "--email", "", "--organisation", "", "--note", "")  # fmt: skip
    answer(child, "Name: ", "Айгерим Садыкова")
    answer(child, "Address line 1: ", "ул. Абая 1, Алматы")
    answer(child, "Address line 2: ", "")
    asked = answer(child, "IIN (optional, Enter skips): ", "12345")
    assert "12 digits" in asked and "Code asks for it" in asked
    refused = answer(child, "IIN (optional, Enter skips): ", valid)
    assert 'The IIN "' in refused and "is not valid" in refused and "Type it again" in refused
    assert "--iin" not in refused  # the wizard user typed no flag
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    preview = answer(child, CHOICE, "q")
    assert f"ИИН: {valid}" in preview
    assert "City (" not in transcript(child)  # the address holds it
    assert "Before you give your name" in transcript(child)  # --country KZ: before the name
    code, _ = finish(child)
    assert code == 0


@pytest.mark.parametrize("how", ["ctrl-c", "end-of-input"])
def test_cancelling_midway_leaves_no_file_and_exits_130(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str], how: str
) -> None:
    before = files_under(tmp_path)
    child = spawn(tmp_path, env, *test_campaign, "--out", "letter.eml")
    answer(child, "Country: ", "DE")
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Email (Enter skips): ", "anna@example.org")
    answer(child, "City (optional, Enter skips): ", "")
    answer(child, "Organisation (optional, Enter skips): ", "")
    child.expect_exact(TOGGLE)
    if how == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    code, rest = finish(child)
    assert code == 130
    assert "Cancelled." in rest
    assert "Traceback" not in rest
    assert files_under(tmp_path) == before


def test_no_terminal_and_no_flags_fails_fast_naming_them(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with open(os.devnull, "rb") as devnull:
        result = subprocess.run(
            [complainer_exe(), "draft"], stdin=devnull, capture_output=True, cwd=tmp_path,
            env=env, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    assert_clean_error(result, 2, "--name", "--country")


def test_no_input_names_only_the_flags_still_missing(run: Runner) -> None:
    result = run("draft", "--name", "Anna Schmidt", "--no-input")
    line = assert_clean_error(result, 2, "--country")
    assert "--name" not in line


def test_flags_given_are_not_asked_again(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    child = spawn(
        tmp_path, env, *test_campaign, "--country", "DE", "--email", "anna@example.org",
        "--city", "Berlin", "-a", "gamma", "--note", "My own words.",
    )  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Organisation (optional, Enter skips): ", "")
    # Arguments came as flags, so the first list is the recommendations.
    shown = answer(child, TOGGLE, "")
    assert "Recommendations" in shown and "Arguments" not in shown
    preview = answer(child, CHOICE, "q")
    assert "GAMMA text" in preview and "ALPHA text" not in preview
    assert "My own words." in preview
    code, _ = finish(child)
    assert code == 0
    for asked in ("Country: ", "Email (Enter", "City (", "Note: ", "Arguments:"):
        assert asked not in transcript(child)


def test_note_written_in_the_editor(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "Written in my editor.\\n" > "$1"\n', encoding="utf-8")
    editor.chmod(0o700)
    child = spawn(
        tmp_path, {**env, "EDITOR": str(editor), "VISUAL": ""}, *test_campaign,
        "--country", "DE", "--email", "", "--city", "", "--organisation", "", "-a", "alpha",
        "-r", "one",
    )  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    offered = answer(child, "Note: ", "e")
    assert '"e" to write it in your editor' in offered
    preview = answer(child, CHOICE, "q")
    assert "Written in my editor." in preview
    code, _ = finish(child)
    assert code == 0
    assert not list(tmp_path.glob("complainer-note-*"))


def test_stdout_of_an_interactive_run_is_the_letter_only(
    tmp_path: Path, env: dict[str, str], run: Runner
) -> None:
    child = spawn(tmp_path, env, stdout_to="out.txt")
    answer(child, "Country: ", "DE")
    answer(child, "Letter (number or id)", "ministry")
    answer(child, "Language (number, code or name)", "en")
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Address line 1: ", "")
    answer(child, "Email (Enter skips): ", "")
    answer(child, "City (optional, Enter skips): ", "Berlin")
    answer(child, "Organisation (optional, Enter skips): ", "")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "")
    # With stdout redirected, printing is the proposed action.
    answer(child, "Choice (Enter: p; q: quit): ", "")
    code, rest = finish(child)
    assert code == 0, rest

    flags = run(
        "draft", "--name", "Anna Schmidt", "--country", "DE", "--lang", "en", "--city", "Berlin",
        "--date", LETTER_DATE, "--no-input",
    )  # fmt: skip
    assert flags.returncode == 0, stderr_of(flags)
    assert (tmp_path / "out.txt").read_bytes() == flags.stdout


def at_the_save_prompt(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> pexpect.spawn:
    """The wizard with every detail but the name given, defaults taken, and "s" (save) chosen."""
    child = spawn(
        tmp_path, env, *test_campaign, "--country", "DE", "--email", "", "--city", "",
        "--organisation", "", "--note", "",
    )  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, CHOICE, "s")
    return child


def test_saving_asks_before_replacing_a_file(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    (tmp_path / "letter.eml").write_text("keep me", encoding="utf-8")
    child = at_the_save_prompt(tmp_path, env, test_campaign)
    answer(child, SAVE, "letter.eml")
    answer(child, "Replace it? (y/N): ", "")  # no: asked for another path
    answer(child, SAVE, "other.eml")
    code, _ = finish(child)
    assert code == 0
    assert (tmp_path / "letter.eml").read_text(encoding="utf-8") == "keep me"
    assert (tmp_path / "other.eml").is_file()


def test_another_letter_asks_for_its_recipient(tmp_path: Path, env: dict[str, str]) -> None:
    child = spawn(tmp_path, env, "--out", "mp.eml")
    answer(child, "Country: ", "DE")
    answer(child, "Letter (number or id)", "mp")
    answer(child, "Language (number, code or name)", "en")
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Email (Enter skips): ", "")
    answer(child, "City (optional, Enter skips): ", "")
    answer(child, "Organisation (optional, Enter skips): ", "")
    answer(child, "Recipient's email address", "not an address")
    shown = answer(child, "Recipient's email address", "jane.doe@parliament.example")
    assert "not valid" in shown
    answer(child, "Recipient's name", "Jane Doe")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "")
    saved = answer(child, "Choice", "s")  # --out was given: saved there, not asked again
    child.expect(pexpect.EOF)
    assert "Save to" not in saved + str(child.before)
    child.close()
    assert child.exitstatus == 0
    msg = email.message_from_bytes((tmp_path / "mp.eml").read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "jane.doe@parliament.example"
    assert msg["To"].addresses[0].display_name == "Jane Doe"
    assert "Jane Doe" in msg.get_content()


def test_webmail_shows_each_part_and_keeps_a_copy_to_copy_from(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    """No clipboard in a bare terminal: each part is shown, and all three are in a private file."""
    child = spawn(
        tmp_path, {**env, "DISPLAY": "", "WAYLAND_DISPLAY": ""}, *test_campaign, "--country",
        "DE", "--email", "", "--city", "", "--organisation", "", "--note", "",
    )  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    menu = answer(child, CHOICE, "w")
    # Webmail comes before any talk of .eml files.
    assert menu.index("copy it into webmail") < menu.index(".eml")
    first = answer(child, DONE, "")
    assert "1/3 Recipient (To)" in first and "office@example.org" in first
    assert "no clipboard here" in first
    second = answer(child, DONE, "")
    assert "2/3 Subject" in second
    third = answer(child, DONE, "")
    assert "3/3 Message" in third and "ALPHA text" in third
    code, rest = finish(child)
    assert code == 0, rest
    assert "send it from there" in rest
    [copy] = (tmp_path / "home" / ".local" / "share" / "complainer" / "drafts").glob(
        "*-webmail.txt"
    )
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    text = copy.read_text(encoding="utf-8")
    assert "office@example.org" in text and "ALPHA text" in text
    assert list(tmp_path.glob("*.eml")) == []


def test_webmail_puts_each_part_on_the_clipboard(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    """With a clipboard tool (wl-copy here, which pyperclip uses on Wayland), each part goes to it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    clip = tmp_path / "clipboard.log"
    for tool in ("wl-copy", "wl-paste"):
        script = bin_dir / tool
        script.write_text(
            f'#!/bin/sh\n[ "$1" = --clear ] && exit 0\ncat >> "{clip}"; printf "\\n--\\n" >> "{clip}"\n'
        )
        script.chmod(0o700)
    path = f"{bin_dir}:{env['PATH']}"
    child = spawn(
        tmp_path, {**env, "WAYLAND_DISPLAY": "wayland-0", "PATH": path}, *test_campaign,
        "--country", "DE", "--email", "", "--city", "", "--organisation", "", "--note", "",
    )  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, CHOICE, "w")
    first = answer(child, DONE, "")
    assert "is on the clipboard" in first
    answer(child, DONE, "")
    answer(child, DONE, "")
    code, rest = finish(child)
    assert code == 0, rest
    copied = clip.read_text(encoding="utf-8")
    assert "office@example.org" in copied and "ALPHA text" in copied


def test_an_empty_letter_is_refused_and_asked_again(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    child = spawn(
        tmp_path, env, *test_campaign, "--country", "DE", "--email", "", "--city", "",
        "--organisation", "", "--note", "",
    )  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, TOGGLE, "none")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "none")
    answer(child, TOGGLE, "")
    refused = answer(child, TOGGLE, "1")  # asked again, from the arguments
    assert "The letter would make no point" in refused
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "")
    preview = answer(child, CHOICE, "q")
    assert "ALPHA text" in preview
    code, _ = finish(child)
    assert code == 0


def test_flags_that_leave_the_letter_empty_are_refused(
    run: Runner, test_campaign: list[str]
) -> None:
    # "delta" is the only argument asked for, and its citation has expired; the recommendations
    # are left out by asking for none of them through a letter date... so ask for an expired one.
    result = run("draft", *test_campaign, "--name", "Ann", "--country", "DE", "--no-input",
                 "--date", LETTER_DATE, "-a", "delta", "-r", "one", "--format", "json")  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert 'left out argument "delta"' in stderr_of(result)  # asked for by name: a warning
    default = run("draft", *test_campaign, "--name", "Ann", "--country", "DE", "--no-input",
                  "--date", LETTER_DATE, "--format", "json")  # fmt: skip
    assert default.returncode == 0
    assert "delta" not in stderr_of(default)  # in the default set: left out silently


@pytest.mark.parametrize("width", [40, 60, 80, 100, 140])
def test_picker_rows_keep_their_mark_and_number_at_any_width(width: int) -> None:
    """A title wider than the terminal used to squeeze "[x] 1." into "…" on every row."""
    from rich.console import Console

    from complainer.terminal.picker import Item, table

    long = (
        "Freedom of expression (Covenant art. 19; Human Rights Committee, Fedotova v. Russian Federation, 2012) "
        * 2
    )
    items = [Item(f"p{n}", long if n % 2 else "Short", "", "", "") for n in range(1, 13)]
    out = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    out.print(table(items, {"p1", "p4"}))
    lines = out.export_text().splitlines()
    assert len(lines) == len(items)  # one line per point
    for n, line in enumerate(lines, 1):
        mark = "[x]" if n in (1, 4) else "[ ]"
        assert line.startswith(f"{mark} {n:>2}. "), line


def test_the_default_letter_language_is_one_the_writer_reads_when_the_recipient_does() -> None:
    from complainer.campaigns.registry import open_registry
    from complainer.letter.request import default_language

    campaign = open_registry().load("kz-propaganda-law-2025")
    reads = campaign.recipients[campaign.targets["ministry"].recipient or ""].reads
    assert list(reads[:2]) == ["kk", "ru"]
    assert default_language(campaign, "ministry") == "kk"  # scripts: the recipient's first
    assert default_language(campaign, "ministry", "ru") == "ru"  # a Russian reader at the wizard
    assert default_language(campaign, "ministry", "en") == "kk"  # the Ministry does not list en


def test_a_writer_in_kazakhstan_is_offered_their_deputy(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(tmp_path, env)
    answer(child, "Country: ", "Kazakhstan")
    letters = answer(child, "Letter (number or id)", "")  # the Ministry's, proposed
    assert "your deputy" in letters.lower()
    assert "member of parliament" not in letters.lower()  # inter-parliamentary channels
    assert "foreign ministry" not in letters.lower()
    child.sendintr()
    code, _ = finish(child)
    assert code == 130


def test_q_at_the_save_prompt_quits_and_a_menu_word_is_no_file_name(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    child = spawn(
        tmp_path, env, *test_campaign, "--country", "DE", "--email", "", "--city", "",
        "--organisation", "",
    )  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "I write as a teacher in Berlin, where I live with my family.")
    answer(child, "…: ", "")
    answer(child, CHOICE, "s")
    answer(child, SAVE, "s")  # still thinking of the menu: not a file name
    back = answer(child, SAVE, "b")
    assert "is a choice of the menu, not a file name" in back
    assert "b to go back to the menu, or q to quit" in back
    answer(child, CHOICE, "s")  # back at the menu
    answer(child, SAVE, "q")
    code, rest = finish(child)
    assert code == 0, rest
    assert "Nothing was saved." in rest
    assert files_under(tmp_path) == {"campaigns/wizard-test/campaign.toml",
        "campaigns/wizard-test/en/texts.toml", "campaigns/wizard-test/en/office.j2"}  # fmt: skip


def test_a_note_in_another_script_is_warned_about_in_the_preview(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(tmp_path, env, "--country", "DE", "--target", "ministry", "--lang", "ru",
                  "--email", "", "--organisation", "")  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "Address line 1: ", "")
    answer(child, "City (optional, Enter skips): ", "")  # no address given: the city is asked
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "I teach history in Berlin and I care about my friends in Almaty.")
    answer(child, "…: ", "")
    preview = answer(child, CHOICE, "t")
    assert "your personal note seems to be in another language than the letter" in preview
    assert "note: Latin script; letter: Russian" in preview
    # The wizard's own way to add a translation, not a command-line option the person lacks.
    assert '"t" in the menu below' in preview and "--with-translation" not in preview
    assert "t append a translation of the letter (or remove it)" in preview
    # A Latin note in a Russian letter: English is the campaign's only other Latin language.
    asked = answer(child, "Translation (number, code or name) (Enter: en; b: back; q: quit): ", "")
    assert "2. en English (Enter)" in asked and "0. no translation" in asked
    assert "ru Russian" not in asked  # the letter's own language is no translation
    preview = answer(child, CHOICE, "s")
    assert "Translation into English, for reference only" in preview
    assert "personal note seems" not in preview  # a translation the note's reader can read
    answer(child, SAVE, "letter.eml")
    code, rest = finish(child)
    assert code == 0, rest
    msg = email.message_from_bytes((tmp_path / "letter.eml").read_bytes(), policy=policy.default)
    body = msg.get_body().get_content()
    assert "Перевод (английский) — только для справки" in body
    assert body.index("Уважаем") < body.index("Translation into English") < body.rindex("Dear")


def test_a_translation_is_proposed_in_the_notes_language_and_can_be_removed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(tmp_path, env, "--country", "DE", "--target", "ministry", "--lang", "kk",
                  "--email", "", "--organisation", "", "--address", "")  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, "City (optional, Enter skips): ", "")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, "Note: ", "Я пишу как учительница из Берлина, и мне важны друзья в Алматы.")
    answer(child, "…: ", "")
    preview = answer(child, CHOICE, "t")
    assert "note: Russian; letter: Kazakh" in preview
    # The note's language is proposed; Enter takes it.
    asked = answer(child, "(Enter: ru; b: back; q: quit): ", "")
    assert "ru Russian (Enter)" in asked
    preview = answer(child, CHOICE, "t")
    assert "Перевод (русский)" in preview and "personal note seems" not in preview
    # Asked again, the current translation is proposed; 0 removes it, b goes back unchanged.
    answer(child, "(Enter: ru; b: back; q: quit): ", "b")
    answer(child, CHOICE, "t")
    answer(child, "(Enter: ru; b: back; q: quit): ", "0")
    preview = answer(child, CHOICE, "q")
    assert "Перевод (русский)" not in preview and "note: Russian; letter: Kazakh" in preview
    code, rest = finish(child)
    assert code == 0 and "Nothing was saved." in rest


def test_the_header_of_a_closed_campaign_shows_no_deadline(
    tmp_path: Path, env: dict[str, str]
) -> None:
    child = spawn(tmp_path, env, "--campaign", "kz-petition-2024")
    header = answer(child, "Country: ", "q")
    assert "Status: closed on 2 August 2024" in header
    assert "deadline" not in header.split("Status:", 1)[1].split("Outcome:", 1)[0]
    code, rest = finish(child)
    assert code == 0 and "Nothing was saved." in rest


def test_a_writer_who_gave_all_but_the_name_is_asked_only_the_name(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """Every other value the wizard would ask for, given as a flag (the city held by the
    address): the name is the one question before what to do with the letter."""
    from complainer.campaigns.registry import open_registry
    from complainer.letter.formal import iin_check_digit

    campaign = open_registry().load("kz-propaganda-law-2025")
    first = next(p.id for p in campaign.points("argument") if p.default)
    iin = "90010130000"
    iin += str(iin_check_digit(iin))
    child = spawn(
        tmp_path, env, "--country", "KZ", "--target", "ministry", "--lang", "ru",
        "--address", "ул. Абая 1, Алматы", "--iin", iin, "--email", "", "--organisation", "",
        "-a", first, "-r", campaign.points("recommendation")[0].id, "--note", "",
    )  # fmt: skip
    before = answer(child, "Name: ", "Айгерим Садыкова")
    assert "Before you give your name" in before
    shown = answer(child, CHOICE, "q")
    for prompt in ("Country: ", "Address line", "IIN (", "Email", "City (", "Toggle", "Note: "):
        assert prompt not in before + shown, prompt
    code, _ = finish(child)
    assert code == 0


@pytest.mark.parametrize("typed", [None, "typed.pdf"])
def test_a_pdf_path_saves_a_pdf(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str], typed: str | None
) -> None:
    """--out letter.pdf (not asked again) or a .pdf name typed at the save prompt: a PDF, not
    .eml bytes under a .pdf name."""
    import pypdf

    out = ["--out", "letter.pdf"] if typed is None else []
    child = spawn(
        tmp_path, env, *test_campaign, "--country", "DE", "--email", "", "--city", "",
        "--organisation", "", "--note", "", *out,
    )  # fmt: skip
    answer(child, "Name: ", "Anna Schmidt")
    answer(child, TOGGLE, "")
    answer(child, TOGGLE, "")
    answer(child, CHOICE, "s")
    if typed is not None:
        answer(child, SAVE, typed)
    code, rest = finish(child)
    assert code == 0, rest
    data = (tmp_path / (typed or "letter.pdf")).read_bytes()
    assert data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "ALPHA text" in text and "Anna Schmidt" in text


def test_the_save_prompt_follows_the_out_rule(
    tmp_path: Path, env: dict[str, str], test_campaign: list[str]
) -> None:
    """The name typed at the save prompt is read as `draft --out` reads it: an unknown extension
    is refused (and asked again), a name without one is text, .eml is an e-mail draft."""
    child = at_the_save_prompt(tmp_path, env, test_campaign)
    answer(child, SAVE, "letter.docx")
    refused = answer(child, SAVE, "letter")
    assert "does not know the extension .docx" in refused and ".txt, .eml, .json, .pdf" in refused
    code, rest = finish(child)
    assert code == 0, rest
    assert "Saved to letter" in rest and "mail client" not in rest
    assert not (tmp_path / "letter.docx").exists()
    text = (tmp_path / "letter").read_text(encoding="utf-8")
    assert "ALPHA text" in text and not text.startswith(("To:", "From:", "Subject:"))


@pytest.mark.parametrize("ui", i18n.UI_LANGUAGES)
def test_a_refused_iin_or_email_names_the_question_not_the_flag(
    tmp_path: Path, env: dict[str, str], ui: str
) -> None:
    """A wizard user typed no --iin or --email: the refusal names what was asked, in their
    language (the same check's command-line wording names the flag)."""
    i18n.set_language(ui)
    try:
        tr = i18n._
        name, line = tr("Name"), tr("Address line {number}")
        line1, line2 = line.format(number=1), line.format(number=2)
        iin_prompt, email_prompt = tr("IIN (optional, Enter skips)"), tr("Email (Enter skips)")
        again = tr("Type it again, or press Enter to leave it out.")
        iin_word = {"en": "IIN", "ru": "ИИН", "kk": "ЖСН"}[ui]
    finally:
        i18n.set_language(None)
    child = spawn(tmp_path, env, "--ui-lang", ui, "--country", "KZ", "--target", "ministry",
                  "--lang", "ru", "--organisation", "", "--note", "")  # fmt: skip
    answer(child, f"{name}: ", "Айгерим Садыкова")
    answer(child, f"{line1}: ", "ул. Абая 1, Алматы")
    answer(child, f"{line2}: ", "")
    answer(child, f"{iin_prompt}: ", "12345")
    short = answer(child, f"{iin_prompt}: ", "900101300000")  # 12 digits, wrong check digit
    wrong = answer(child, f"{iin_prompt}: ", "")
    for refused, value in ((short, "12345"), (wrong, "900101300000")):
        assert value in refused and iin_word in refused and again in refused, refused
        assert "--" not in refused, refused
    answer(child, f"{email_prompt}: ", "anna.example.org")
    refused = answer(child, f"{email_prompt}: ", "q")
    assert "anna.example.org" in refused and "@" in refused and again in refused, refused
    assert "--" not in refused, refused
    code, _rest = finish(child)
    assert code == 0
