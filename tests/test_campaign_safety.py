"""User campaigns are untrusted: they stay inside their folder and inside the resource limits.

Each test has a timeout, so that a regression (a template that runs forever) fails instead of
hanging CI.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import Runner, assert_clean_error, stderr_of, stdout_of

from complainer.campaigns.model import load_campaign
from complainer.campaigns.registry import open_registry
from complainer.campaigns.sandbox import RENDER_SECONDS, Renderer
from complainer.errors import CampaignError
from complainer.letter.compose import Request, compose
from complainer.letter.writer import Writer

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ROOT / "templates" / "campaigns"
SECRET = "top-secret-line-from-outside"


def user_copy(tmp_path: Path, cid: str = "my-campaign") -> Path:
    folder = tmp_path / "user" / cid
    shutil.copytree(BUILTIN / "kz-propaganda-law-2025", folder)
    toml = folder / "campaign.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'id = "kz-propaganda-law-2025"', f'id = "{cid}"', 1
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "passwd").write_text(SECRET + "\n", encoding="utf-8")
    return secret


def compose_en(folder: Path) -> str:
    campaign = load_campaign(folder)
    writer = Writer("Anna Schmidt", "DE")
    return compose(campaign, writer, Request(language="en", date=dt.date(2026, 11, 29))).body


def test_a_copy_composes(tmp_path: Path) -> None:
    assert "Anna Schmidt" in compose_en(user_copy(tmp_path))


def test_template_linked_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    folder = user_copy(tmp_path)
    (folder / "en" / "ministry.j2").unlink()
    (folder / "en" / "ministry.j2").symlink_to(outside / "passwd")
    with pytest.raises(CampaignError, match="leads outside the campaign folder"):
        compose_en(folder)


def test_included_template_linked_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    folder = user_copy(tmp_path)
    (folder / "en" / "extra.j2").symlink_to(outside / "passwd")
    layout = folder / "en" / "ministry.j2"
    layout.write_text('{% include "en/extra.j2" %}\n' + layout.read_text(encoding="utf-8"))
    with pytest.raises(CampaignError, match="leads outside") as caught:
        compose_en(folder)
    assert SECRET not in str(caught.value)


def test_texts_file_linked_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    folder = user_copy(tmp_path)
    (outside / "x.toml").write_text('language = "en"\n')
    (folder / "en" / "zz.toml").symlink_to(outside / "x.toml")
    with pytest.raises(CampaignError, match="leads outside"):
        load_campaign(folder)


def test_language_folder_linked_outside_is_refused(tmp_path: Path) -> None:
    folder = user_copy(tmp_path)
    elsewhere = tmp_path / "elsewhere-en"
    shutil.move(str(folder / "en"), elsewhere)
    (folder / "en").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(CampaignError, match="leads outside"):
        load_campaign(folder)


def test_links_inside_the_folder_are_fine(tmp_path: Path) -> None:
    folder = user_copy(tmp_path)
    (folder / "en" / "ministry.j2").rename(folder / "en" / "real.j2")
    (folder / "en" / "ministry.j2").symlink_to("real.j2")
    assert "Anna Schmidt" in compose_en(folder)


@pytest.mark.parametrize("code", ["../../x", "en/../../x", "EN", "x-y-z", "", "en\n", "zz"])
def test_language_codes_must_be_language_tags(tmp_path: Path, code: str) -> None:
    folder = user_copy(tmp_path)
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('languages = ["en"', f"languages = [{code!r}", 1))
    assert f"languages = [{code!r}" in toml.read_text()
    with pytest.raises(CampaignError, match=r"BCP 47|non-empty"):
        load_campaign(folder)


@pytest.mark.parametrize(
    "address", ["k@example.org\r\nBcc: x@example.com", "not an address", "a@b@c", ""]
)
def test_recipient_addresses_are_validated_at_load(tmp_path: Path, address: str) -> None:
    folder = user_copy(tmp_path)
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    start = text.index('email = "', text.index("[[recipients]]"))
    end = text.index("\n", start)
    toml.write_text(text[:start] + f"email = {address!r}".replace("'", '"') + text[end:])
    toml.write_text(
        text[:start]
        + "email = "
        + '"'
        + address.encode("unicode_escape").decode()
        + '"'
        + text[end:]
    )
    with pytest.raises(CampaignError, match="email"):
        load_campaign(folder)


def test_deeply_nested_toml_breaks_only_its_campaign(run: Runner, tmp_path: Path) -> None:
    good = user_copy(tmp_path, "good-one")
    bad = user_copy(tmp_path, "bad-one")
    (bad / "campaign.toml").write_text("x = " + "[" * 5_000 + "]" * 5_000 + "\n")
    result = run("campaigns", "--campaigns-dir", str(good.parent))
    assert "good-one" in stdout_of(result) and "kz-petition-2024" in stdout_of(result)
    assert "Traceback" not in stderr_of(result)
    with pytest.raises(CampaignError, match="nested too deeply"):
        load_campaign(bad)
    assert len(open_registry([good.parent]).load_all()[1]) == 1


def test_fifo_in_a_campaign_does_not_block(tmp_path: Path) -> None:
    folder = user_copy(tmp_path)
    os.mkfifo(folder / "en" / "zz.toml")
    with pytest.raises(CampaignError, match="not a regular file"):
        load_campaign(folder)


BOMBS = [
    "{{ 'x' * 10**9 }}",
    "{{ lipsum(10**6) }}",
    "{{ 10**(10**8) }}",
    "{% for i in range(10**6) %}{% for j in range(10**6) %}x{% endfor %}{% endfor %}",
    "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}",
    "{% set s = 'x' * 200 %}{% for a in s %}{% for b in s %}{% for c in s %}{% for d in s %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
    "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set a = 'x' * 90000 %}{{ a ~ a ~ a }}",
    "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'.center(10**9) }}",
    "{{ '%999999999d'|format(1) }}",
    "{{ '%999999999d' % 1 }}",
    "{{ '%*d' % (999999999, 1) }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ [1]|batch(10**9, 'x')|list }}",
    "{{ 'ab'|replace('', 'x' * 9000) }}{{ ('y' * 90000)|replace('', 'z' * 5000) }}",
    "{% for i in range(9999) %}{{ 'x' * 9999 }}{% endfor %}",
]


@pytest.mark.parametrize("bomb", BOMBS)
def test_template_bombs_stop_at_a_limit_naming_the_file(tmp_path: Path, bomb: str) -> None:
    origin = tmp_path / "en" / "texts.toml"
    started = time.process_time()  # the limit is CPU time; the test's timeout bounds wall time
    with pytest.raises(CampaignError) as caught:
        Renderer(tmp_path).snippet(bomb, origin, {})
    assert time.process_time() - started < RENDER_SECONDS + 1.5
    message = str(caught.value)
    assert message.startswith(str(origin)) and "\n" not in message


def test_a_bomb_in_a_layout_is_one_clean_error(run: Runner, tmp_path: Path) -> None:
    folder = user_copy(tmp_path)
    layout = folder / "en" / "ministry.j2"
    layout.write_text("{{ 'x' * 10**9 }}\n" + layout.read_text(encoding="utf-8"))
    result = run("draft", "--campaigns-dir", str(folder.parent), "--campaign", "my-campaign",
                 "--name", "Anna", "--country", "DE", "--lang", "en", "--no-input")  # fmt: skip
    line = assert_clean_error(result, 1, "ministry.j2", "limit")
    assert "unexpected" not in line
    checked = run("check", str(folder))  # does not hang, and fails
    assert checked.returncode == 1 and "Traceback" not in stderr_of(checked)


def test_check_refuses_a_link_to_outside(run: Runner, tmp_path: Path, outside: Path) -> None:
    folder = user_copy(tmp_path)
    (folder / "en" / "ministry.j2").unlink()
    (folder / "en" / "ministry.j2").symlink_to(outside / "passwd")
    result = run("check", str(folder))
    assert result.returncode == 1
    shown = stderr_of(result) + stdout_of(result)
    assert "outside the campaign folder" in shown and SECRET not in shown


@pytest.mark.parametrize("cid", sorted(p.name for p in BUILTIN.iterdir() if p.is_dir()))
def test_builtin_campaigns_render_well_inside_the_limits(cid: str) -> None:
    campaign = load_campaign(BUILTIN / cid, builtin=True)
    writer = Writer(
        "Maria-Anna Musterfrau-Beispiel", "DE", "Frankfurt am Main", "Amnesty", "m@example.org"
    )
    for lang in campaign.languages:
        for target in campaign.targets:
            started = time.process_time()
            request = Request(language=lang, date=dt.date(2026, 11, 29), target=target,
                              to_email="office@example.org", to_name="Jane Doe")  # fmt: skip
            letter = compose(campaign, writer, request)
            assert time.process_time() - started < RENDER_SECONDS / 10
            assert len(letter.body) < 20_000


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    data = path.read_text(encoding="utf-8")
    assert old in data
    path.write_text(data.replace(old, new, 1), encoding="utf-8")


# Each way a small campaign file made loading hang, recurse past the stack, or carry text that
# drives a terminal (found by a hostile-input run): refused at load in well under a second, with
# one line naming the file.
HOSTILE_FILES = {
    "a 200,000-part table header (400 kB; the parser is quadratic in parts)": (
        "campaign.toml",
        lambda f: _append(f, "\n[" + ".".join(["a"] * 200_000) + "]\n"),
        "longer than 20,000 characters",
    ),
    "a 2,000-part table header": (
        "en/texts.toml",
        lambda f: _append(f, "\n[" + ".".join(["a"] * 2_000) + "]\n"),
        "more than 32 dotted parts",
    ),
    "many headers of 30 parts each, nested under one another": (
        "en/texts.toml",
        lambda f: _append(
            f, "".join(f"\n[{'.'.join(['b'] * 30)}.c{i}]\nx = 1\n" for i in range(20))
        ),
        None,  # legitimate depth: must load
    ),
    "inline tables 40 deep": (
        "en/texts.toml",
        lambda f: _append(f, "\nz = " + "{a = " * 40 + "1" + "}" * 40 + "\n"),
        "nested more than 32 levels",
    ),
    "a language listed 100,000 times": (
        "campaign.toml",
        lambda f: _replace(
            f,
            'languages = ["en", "ru", "kk"]',
            "languages = [\n" + '"en",\n' * 100_000 + '"ru", "kk"]',
        ),
        "repeats 'en'",
    ),
    "an escape sequence in a title": (
        "en/texts.toml",
        lambda f: _append(f, '\n[campaign_extra]\nnote = "Nice \\u001b]0;pwned\\u0007 title"\n'),
        "contains U+001B",
    ),
    "a bidi override in a layout": (
        "en/ministry.j2",
        lambda f: _append(f, "\nDear \u202e sir\n"),
        "contains U+202E RIGHT-TO-LEFT OVERRIDE",
    ),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_hostile_campaign_files_are_refused_quickly(tmp_path: Path, case: str) -> None:
    name, spoil, message = HOSTILE_FILES[case]
    folder = user_copy(tmp_path)
    spoil(folder / name)
    started = time.process_time()
    if message is None:
        compose_en(folder)
    else:
        with pytest.raises(CampaignError, match=re.escape(message)) as caught:
            compose_en(folder)
        assert str(folder) in str(caught.value) and "\n" not in str(caught.value)
    assert time.process_time() - started < 5


def test_a_hostile_campaign_leaves_the_others_listed(run: Runner, tmp_path: Path) -> None:
    folder = user_copy(tmp_path, "hostile")
    _append(folder / "en" / "texts.toml", "\n[" + ".".join(["a"] * 2_000) + "]\n")
    result = run("campaigns", "--campaigns-dir", str(folder.parent))
    assert "kz-petition-2024" in stdout_of(result) and "Traceback" not in stderr_of(result)
    assert "more than 32 dotted parts" in stderr_of(result)
    checked = run("check", str(folder))
    assert checked.returncode == 1 and "more than 32 dotted parts" in stdout_of(checked)


def test_a_control_character_in_a_layout_is_named_at_its_line(tmp_path: Path) -> None:
    """The layout check finds the character in one pass (characters.is_plain) and still names the
    line it is on: the first refused character, line breaks and tabs allowed."""
    folder = user_copy(tmp_path)
    layout = folder / "en" / "ministry.j2"
    lines = layout.read_text(encoding="utf-8").split("\n")
    lines[3:3] = ["\tTabbed\r", "Dear \x1b[31m sir \u202e"]
    layout.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CampaignError, match=r"ministry\.j2: line 5 contains U\+001B"):
        compose_en(folder)
