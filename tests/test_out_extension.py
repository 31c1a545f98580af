"""The output format comes from --out's extension (issue 13, item 7): a known extension names it,
--format must agree with it, a name without an extension is text, and an extension complainer
does not know (.docx) is refused (exit 2) rather than silently written as plain text. The wizard's
save prompt follows the same rule (tests/test_wizard.py); `send` shares draft's --out."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, assert_clean_error, stderr_of

from complainer import formats
from complainer.errors import UsageProblem

LETTER = ("draft", "--campaign", "kz-petition-2024", "--name", "Anna Schmidt", "--country", "DE",
          "--lang", "en", "--no-input", "--date", LETTER_DATE)  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "out", "expected"),
    [(None, None, "text"), (None, "-", "text"), ("EML", None, "eml"), (None, "a.txt", "text"),
     (None, "a.EML", "eml"), (None, "a.json", "json"), (None, "a.pdf", "pdf"),
     (None, "noext", "text"), (None, "dir.d/noext", "text"), (None, ".hidden", "text"),
     ("json", "noext", "json"), ("Text", "a.txt", "text"), ("eml", "a.letter", "eml"),
     ("mailto", "link", "mailto")],
)  # fmt: skip
def test_the_format_follows_the_extension(fmt: str | None, out: str | None, expected: str) -> None:
    assert formats.format_for(fmt, out) == expected


@pytest.mark.parametrize(
    ("fmt", "out", "needle"),
    [(None, "a.docx", "does not know the extension .docx"), (None, "a.tar.gz", "extension .gz"),
     ("json", "a.eml", "does not match --out a.eml"), ("xml", "a.xml", 'unknown format "xml"'),
     ("text", "a.pdf", "for the pdf format"), ("xml", None, 'unknown format "xml"')],
)  # fmt: skip
def test_a_file_name_that_is_not_what_it_says_is_refused(
    fmt: str | None, out: str | None, needle: str
) -> None:
    with pytest.raises(UsageProblem, match=needle):
        formats.format_for(fmt, out)


def test_an_unknown_extension_names_the_known_ones() -> None:
    with pytest.raises(UsageProblem) as info:
        formats.format_for(None, "letter.docx")
    assert ".txt, .eml, .json, .pdf" in str(info.value) and "--format" in str(info.value)


def test_draft_refuses_docx_and_writes_nothing(run: Runner, tmp_path: Path) -> None:
    result = run(*LETTER, "--out", "letter.docx")
    assert_clean_error(result, 2, "letter.docx", ".txt, .eml, .json, .pdf")
    assert not (tmp_path / "letter.docx").exists()


def test_a_name_without_extension_is_text_and_format_decides(cli: Runner, tmp_path: Path) -> None:
    result = cli(*LETTER, "--out", "noext")
    assert result.returncode == 0, stderr_of(result)
    text = (tmp_path / "noext").read_text(encoding="utf-8")
    assert "Anna Schmidt" in text and "Content-Type" not in text
    result = cli(*LETTER, "--out", "draft", "--format", "eml")
    assert result.returncode == 0, stderr_of(result)
    msg = email.message_from_bytes((tmp_path / "draft").read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "k.kense@mki.gov.kz"


def test_send_refuses_an_unknown_extension_before_anything(cli: Runner, tmp_path: Path) -> None:
    result = cli("send", *LETTER[1:], "--from", "anna@example.org", "--smtp-host", "127.0.0.1",
                 "--out", "copy.docx", "--yes")  # fmt: skip
    assert_clean_error(result, 2, "copy.docx")
    assert not (tmp_path / "copy.docx").exists()
