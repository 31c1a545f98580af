"""The PDF letter, the formal appeal's requirements, signatures, and the PDF as an attachment.

Every PDF is read back: its text with pypdf and with poppler's pdftotext, its fonts and their
cmaps with fontTools, its signature with pyHanko's validator against a CA made in the test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import io
import re
import shutil
import subprocess
from email import policy
from pathlib import Path

import pypdf
import pytest
from conftest import LETTER_DATE, Runner, assert_clean_error, stderr_of
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from fontTools.ttLib import TTFont

from complainer.campaigns.registry import open_registry
from complainer.errors import UsageProblem
from complainer.formats.pdf import to_pdf
from complainer.letter.compose import Letter
from complainer.letter.formal import clean_address, clean_iin, iin_check_digit
from complainer.letter.request import DraftValues, build_letter

ADDRESS = ["--address", "Musterstraße 1", "--address", "10115 Berlin"]
BASE = ["--name", "Anna Schmidt", "--country", "DE", "--date", LETTER_DATE, "--no-input"]
CAMPAIGNS = ("kz-propaganda-law-2025", "kz-petition-2024")
LANGS = ("en", "ru", "kk")
P12_PASSWORD = "test p12 password"


def squash(text: str) -> str:
    """The text without any whitespace: "equal up to whitespace" compares these."""
    return "".join(text.split())


def letter(campaign: str, lang: str, target: str, **values: object) -> Letter:
    c = open_registry(None).load(campaign)
    # A writer the letter is for: a letter to "your deputy" is for writers in Kazakhstan.
    only_for = c.targets[target].only_for
    base = DraftValues(
        name="Anna Schmidt",
        country=only_for[0] if only_for else "DE",
        address=["Musterstraße 1", "10115 Berlin"],
        lang=lang,
        date=LETTER_DATE,
        target=target,
        to=None if c.targets[target].recipient else "editor@example.org",
    )
    signed = bool(values.pop("signed", True))
    return build_letter(dataclasses.replace(base, **values), c, signed=signed)  # type: ignore[arg-type]


def every_letter() -> list[tuple[str, str, str]]:
    registry = open_registry(None)
    return [
        (cid, lang, target)
        for cid in CAMPAIGNS
        for lang in LANGS
        for target in registry.load(cid).targets
    ]


def pypdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> list[tuple[str, TTFont]]:
    """Every font of every page: its name and the embedded font program (FontFile2)."""
    fonts = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            program = descriptor["/FontFile2"].get_object().get_data()
            fonts.append((str(font["/BaseFont"]), TTFont(io.BytesIO(program))))
    return fonts


@pytest.mark.parametrize(("campaign", "lang", "target"), every_letter())
def test_pdf_text_is_the_text_letter_on_one_page(campaign: str, lang: str, target: str) -> None:
    one = letter(campaign, lang, target)
    data = to_pdf(one)
    assert data.startswith(b"%PDF-")
    assert squash(pypdf_text(data)) == squash(one.body)
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1, "a default letter fits one page"
    fonts = embedded_fonts(data)
    assert fonts and all("+DejaVuSans" in name for name, _ in fonts), "subset fonts, embedded"
    assert to_pdf(one) == data, "the same letter gives the same bytes"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(("campaign", "lang", "target"), every_letter())
def test_pdftotext_reads_the_text_letter(
    campaign: str, lang: str, target: str, tmp_path: Path
) -> None:
    one = letter(campaign, lang, target)
    path = tmp_path / "letter.pdf"
    path.write_bytes(to_pdf(one))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert squash(text) == squash(one.body)


@pytest.mark.parametrize(
    "name",
    ["Anna Schmidt", "Zoë Ångström-Łukasiewicz", "Анна Шмидт", "Әсем Ғалымқызы Құрманғали",
     "Өмірзақ Ұлықбек Үсенов Һ Іңкәр"],
)  # fmt: skip
@pytest.mark.parametrize("lang", LANGS)
def test_every_character_has_a_glyph_in_the_embedded_font(name: str, lang: str) -> None:
    one = letter("kz-propaganda-law-2025", lang, "ministry", name=name, iin="900101300017")
    data = to_pdf(one)
    covered: set[int] = set()
    for _, font in embedded_fonts(data):
        covered |= set(font.getBestCmap())
    unseen = {ch for ch in one.body if not ch.isspace() and ord(ch) not in covered}
    assert not unseen, f"no glyph for {sorted(unseen)}"
    assert squash(pypdf_text(data)) == squash(one.body)


def test_a_character_the_font_lacks_is_refused_not_boxed() -> None:
    with pytest.raises(UsageProblem, match="cannot draw"):
        to_pdf(letter("kz-propaganda-law-2025", "en", "ministry", name="安娜 Schmidt"))


def test_a_long_letter_gets_page_numbers() -> None:
    note = " ".join(["Это длинная личная заметка, которая занимает много места."] * 60)
    one = letter("kz-propaganda-law-2025", "ru", "ministry", note=note)
    data = to_pdf(one)
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    labels = [f"Страница {n} из {len(pages)}" for n in range(1, len(pages) + 1)]
    texts = [page.extract_text() for page in pages]
    for label, text in zip(labels, texts, strict=True):
        assert label in text
    body = "\n".join(texts)
    for label in labels:
        body = body.replace(label, "")
    assert squash(body) == squash(one.body)


def test_signature_image_and_signing_line(tmp_path: Path) -> None:
    from PIL import Image

    image = tmp_path / "sig.png"
    Image.new("RGB", (300, 90), "white").save(image)
    signed = to_pdf(letter("kz-propaganda-law-2025", "ru", "ministry", signature_image=image))
    [page] = pypdf.PdfReader(io.BytesIO(signed)).pages
    assert len(page.images) == 1
    by_hand = to_pdf(letter("kz-propaganda-law-2025", "ru", "ministry"))
    [page] = pypdf.PdfReader(io.BytesIO(by_hand)).pages
    assert len(page.images) == 0


def test_bad_signature_image_is_one_line_and_writes_nothing(run: Runner, tmp_path: Path) -> None:
    fake = tmp_path / "sig.png"
    fake.write_bytes(b"GIF89a not an image we take")
    result = run("draft", *BASE, *ADDRESS, "--signature-image", str(fake), "--out", "l.pdf")
    assert_clean_error(result, 2, "not a PNG or JPEG")
    result = run("draft", *BASE, *ADDRESS, "--signature-image", "missing.png", "--out", "l.pdf")
    assert_clean_error(result, 2, "does not exist")
    assert not (tmp_path / "l.pdf").exists()


def test_done_when_command(run: Runner, tmp_path: Path) -> None:
    """The issue's own example: a one-page Russian letter with every field art. 63 asks for."""
    from PIL import Image

    Image.new("RGB", (300, 90), "white").save(tmp_path / "sig.png")
    result = run("draft", "--name", "Anna Schmidt", "--country", "DE", *ADDRESS, "--lang", "ru",
                 "--signature-image", "sig.png", "--out", "letter.pdf", "--no-input")  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert "formal appeal" not in stderr_of(result)
    data = (tmp_path / "letter.pdf").read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 and len(reader.pages[0].images) == 1
    text = pypdf_text(data)
    for field in ("Anna Schmidt", "Musterstraße 1", "10115 Berlin", "Германия",
                  "Министерство культуры и информации", "Тема:", " г."):  # fmt: skip
        assert field in text, field


def test_formal_appeal_warning_only_when_something_is_missing(run: Runner) -> None:
    result = run("draft", *BASE, "--lang", "ru")
    assert result.returncode == 0
    err = stderr_of(result)
    assert "formal appeal without a postal address and a signature" in err
    assert "may leave it unconsidered" in err and "asks for no reply" in err
    closing = open_registry(None).load("kz-propaganda-law-2025").texts["ru"]
    asked = closing.data["targets"]["ministry"]["paragraphs"]["closing"]
    assert not any(c in result.stdout.decode() for c in asked), "no promise of a reply"

    result = run("draft", *BASE, *ADDRESS, "--lang", "ru")
    assert "without a signature" in stderr_of(result)  # an e-mail alone carries no signature

    result = run("draft", *BASE, *ADDRESS, "--lang", "ru", "--out", "letter.pdf")
    assert result.returncode == 0
    assert "formal appeal" not in stderr_of(result)
    assert "sign by hand" in stderr_of(result)
    # Not a formal appeal: no warning, whatever is missing.
    result = run("draft", *BASE, "--target", "mp", "--to", "mp@example.org")
    assert "formal appeal" not in stderr_of(result)


def test_iin_check_digit() -> None:
    # 9*1 + 1*4 + 1*6 + 3*7 + 1*11 = 51, and 51 mod 11 = 7.
    assert iin_check_digit("90010130001") == 7
    assert clean_iin("9001 0130 0017") == "900101300017"
    # Check digit wrong; too short; not ASCII digits; a letter; no date of birth (the check
    # digit of all zeros is 0, so only the date catches it); 31 April.
    for bad in (
        "900101300016",
        "12345",
        "９００１０１３０００１７",
        "90010130001a",
        "0" * 12,
        "900431300012",
    ):
        with pytest.raises(UsageProblem):
            clean_iin(bad)
    # Where the first weights give 10, the second set decides.
    first = "00000000010"
    assert sum(int(d) * w for d, w in zip(first, range(1, 12), strict=True)) % 11 == 10
    assert iin_check_digit(first) == 1  # 1 x the second set's 10th weight, 1


def test_address_lines() -> None:
    assert clean_address(["  Musterstraße 1 ", "", "10115\tBerlin"]) == (
        "Musterstraße 1",
        "10115 Berlin",
    )
    for bad in (["a\x1b[31m"], ["x" * 200], [str(n) for n in range(9)]):
        with pytest.raises(UsageProblem):
            clean_address(bad)
    # Refused as every other field refuses it: the character and where are named.
    with pytest.raises(UsageProblem, match=r"line 2 of the postal address contains U\+202E"):
        clean_address(["Musterstraße 1", "10115 \u202eBerlin"])
    for separator in ("\u2028", "\u2029", "\x85", "\x0b", "\x0c"):  # white space to str.split()
        with pytest.raises(UsageProblem, match="postal address contains U"):
            clean_address([f"Musterstraße 1{separator}10115 Berlin"])
    # Text that names and addresses are written in is accepted (ZWNJ in Persian, soft hyphen).
    persian = "خیابان\u200cآزادی"
    assert clean_address([persian, "Muster\u00adstraße 1"]) == (persian, "Muster\u00adstraße 1")


# ---------------------------------------------------------------------------------------------
# Electronic signature (PAdES) with a certificate from a CA made here.


def make_p12(path: Path, *, expired: bool = False) -> x509.Certificate:
    """A throw-away CA and a signing certificate from it, the latter in a PKCS#12 file."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "complainer test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    until = now - dt.timedelta(days=1) if expired else now + dt.timedelta(days=10)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Anna Schmidt")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=20))
        .not_valid_after(until)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"anna",
            key,
            cert,
            [ca],
            serialization.BestAvailableEncryption(P12_PASSWORD.encode()),
        )
    )
    return ca


def validate(data: bytes, ca: x509.Certificate) -> bool:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER))
    [sig] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root]))
    return bool(status.intact and status.valid and status.bottom_line)


def test_signed_pdf_validates_and_one_changed_byte_breaks_it(run: Runner, tmp_path: Path) -> None:
    pytest.importorskip("pyhanko")
    ca = make_p12(tmp_path / "anna.p12")
    env = {"COMPLAINER_P12_PASSWORD": P12_PASSWORD}
    result = run("draft", *BASE, *ADDRESS, "--lang", "kk", "--sign-p12", "anna.p12",
                 "--out", "signed.pdf", env=env)  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert "signed electronically (PAdES)" in stderr_of(result)
    assert "formal appeal" not in stderr_of(result)
    data = (tmp_path / "signed.pdf").read_bytes()
    assert P12_PASSWORD.encode() not in data + result.stderr
    assert validate(data, ca)
    assert squash(pypdf_text(data)) == squash(
        letter("kz-propaganda-law-2025", "kk", "ministry").body
    )
    # One byte of the letter's text changed: the signature no longer matches.
    at = data.index(b"/Creator")
    tampered = data[:at] + b"/Creatos" + data[at + 8 :]
    assert not validate(tampered, ca)


@pytest.mark.parametrize(
    ("setup", "needle"),
    [
        ("wrong-password", "wrong password"),
        ("expired", "expired on"),
        ("missing", "does not exist"),
        ("not-p12", "not a PKCS#12"),
    ],
)
def test_signing_problems_are_one_line_and_write_nothing(
    run: Runner, tmp_path: Path, setup: str, needle: str
) -> None:
    pytest.importorskip("pyhanko")
    path = tmp_path / "anna.p12"
    password = P12_PASSWORD
    if setup == "wrong-password":
        make_p12(path)
        password = "not it"
    elif setup == "expired":
        make_p12(path, expired=True)
    elif setup == "not-p12":
        path.write_bytes(b"not a certificate")
    result = run("draft", *BASE, *ADDRESS, "--sign-p12", str(path), "--out", "signed.pdf",
                 env={"COMPLAINER_P12_PASSWORD": password})  # fmt: skip
    assert_clean_error(result, 2, needle)
    assert not (tmp_path / "signed.pdf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".signed")]


def test_no_password_without_a_terminal(run: Runner, tmp_path: Path) -> None:
    pytest.importorskip("pyhanko")
    make_p12(tmp_path / "anna.p12")
    result = run("draft", *BASE, *ADDRESS, "--sign-p12", "anna.p12", "--out", "s.pdf")
    assert_clean_error(result, 2, "COMPLAINER_P12_PASSWORD")


# ---------------------------------------------------------------------------------------------
# The PDF as an e-mail attachment.


def test_attached_pdf_is_the_saved_pdf_and_the_text_is_the_letter(
    run: Runner, tmp_path: Path
) -> None:
    from PIL import Image

    Image.new("RGB", (300, 90), "white").save(tmp_path / "sig.png")
    common = [*BASE, *ADDRESS, "--lang", "ru", "--signature-image", "sig.png"]
    assert run("draft", *common, "--out", "letter.pdf").returncode == 0
    result = run("draft", *common, "--attach-pdf", "--out", "letter.eml")
    assert result.returncode == 0, stderr_of(result)
    text = letter("kz-propaganda-law-2025", "ru", "ministry", signature_image=tmp_path / "sig.png")
    msg = email.message_from_bytes((tmp_path / "letter.eml").read_bytes(), policy=policy.default)
    assert msg.get_content_type() == "multipart/mixed"
    body, attached = list(msg.iter_parts())
    assert body.get_content_type() == "text/plain" and body["Content-Language"] == "ru"
    assert body.get_content() == text.body
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content_disposition() == "attachment"
    assert attached.get_filename() == f"Письмо — Anna Schmidt — {LETTER_DATE}.pdf"
    assert "filename*=utf-8''" in (tmp_path / "letter.eml").read_text("ascii")  # RFC 2231
    assert attached.get_content() == (tmp_path / "letter.pdf").read_bytes()


def test_attach_pdf_needs_an_email(run: Runner) -> None:
    assert_clean_error(run("draft", *BASE, *ADDRESS, "--attach-pdf"), 2, "--attach-pdf")
    result = run("draft", *BASE, *ADDRESS, "--signature-image", "x.png")
    assert_clean_error(result, 2, "--signature-image")


def test_pdf_is_not_written_to_a_terminal_but_to_a_pipe(run: Runner) -> None:
    result = run("draft", *BASE, *ADDRESS, "--format", "pdf")
    assert result.returncode == 0 and result.stdout.startswith(b"%PDF-")


def test_check_finds_a_formal_appeal_without_a_sender_block(run: Runner, tmp_path: Path) -> None:
    source = open_registry(None).folders["kz-propaganda-law-2025"][0]
    folder = tmp_path / "kz-propaganda-law-2025"
    shutil.copytree(source, folder)  # clean as it is: test_builtin_campaigns_pass_check
    layout = folder / "ru" / "ministry.j2"
    # The same letter with no layout blocks at all.
    text = re.sub(r"\{% (?:block \w+|endblock) %\}", "", layout.read_text("utf-8"))
    layout.write_text(text, "utf-8")
    result = run("check", str(folder))
    assert result.returncode != 0
    out = result.stdout.decode() + stderr_of(result)
    assert "needs a {% block sender %}" in out
