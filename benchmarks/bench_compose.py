"""Speed and memory figures for complainer, as ratios within one run (machines here are noisy).

Prints: campaign load and compose time in-process; a PDF letter and a signed PDF letter (PAdES,
with a throw-away certificate) beside the text letter; and, for the installed command, start-up
and a full `draft` (text, and PDF) against a bare `python -c pass`, with the peak memory of each.
Run:

    .venv/bin/python benchmarks/bench_compose.py
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from complainer.campaigns.registry import open_registry
from complainer.letter.compose import Request, compose
from complainer.letter.writer import Writer

ROUNDS = 5


def timed(fn, rounds: int = ROUNDS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child(cmd: list[str]) -> tuple[float, float]:
    """Median wall time (s) and peak RSS (MiB) of a command.

    The peak is this process's own, from os.wait4: RUSAGE_CHILDREN keeps the largest of every
    child so far (the first PDF run's peak showed up against every later command).
    """
    times, peaks = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(cmd)} failed")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    registry = open_registry()
    load = {cid: timed(lambda cid=cid: registry.load(cid)) for cid in registry.ids}
    for cid, seconds in load.items():
        print(f"load {cid}: {seconds * 1000:.1f} ms")
    campaign = registry.load(registry.default_id())
    writer = Writer("Anna Schmidt", "DE", "Berlin", "", "anna@example.org")
    day = dt.date(2026, 11, 29)
    n = 200

    def many() -> None:
        for seed in range(n):
            compose(campaign, writer, Request(language="ru", date=day, seed=seed))

    per_letter = timed(many, 3) / n
    print(f"compose ({campaign.id}, ru): {per_letter * 1000:.2f} ms per letter")

    pdf_figures(campaign, writer, day)

    exe = str(Path(sys.executable).parent / "complainer")
    base_t, base_m = child([sys.executable, "-c", "pass"])
    ver_t, ver_m = child([exe, "--version"])
    draft_t, draft_m = child(
        [exe, "draft", "--name", "Anna Schmidt", "--country", "DE", "--no-input", "-q"]
    )
    print(f"python -c pass: {base_t * 1000:.0f} ms, {base_m:.0f} MiB")
    print(
        f"complainer --version: {ver_t * 1000:.0f} ms ({ver_t / base_t:.1f}x python), {ver_m:.0f} MiB"
    )
    print(
        f"complainer draft: {draft_t * 1000:.0f} ms ({draft_t / base_t:.1f}x python), {draft_m:.0f} MiB"
    )
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "letter.pdf")
        pdf_t, pdf_m = child(
            [exe, "draft", "--name", "Anna Schmidt", "--country", "DE", "--address", "Musterstraße 1",
             "--no-input", "-q", "--force", "--out", out]
        )  # fmt: skip
    print(
        f"complainer draft --out letter.pdf: {pdf_t * 1000:.0f} ms"
        f" ({pdf_t / draft_t:.1f}x the text draft), {pdf_m:.0f} MiB"
    )


def throwaway_p12() -> tuple[bytes, bytes]:
    """A self-signed certificate and key as PKCS#12, and its password (for timing only)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "benchmark")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    password = b"benchmark"
    data = serialization.pkcs12.serialize_key_and_certificates(
        b"b", key, cert, None, serialization.BestAvailableEncryption(password)
    )
    return data, password


def pdf_figures(campaign, writer, day) -> None:  # type: ignore[no-untyped-def]
    """Median time of a text, a PDF and a signed PDF of the same letter, in-process."""
    from complainer.formats import render

    writer = writer._replace(address=("Musterstraße 1", "10115 Berlin"))
    letter = compose(campaign, writer, Request(language="ru", date=day, signed=True))
    text_t = timed(lambda: render(letter, "text"))
    pdf_t = timed(lambda: render(letter, "pdf"))
    print(f"text letter: {text_t * 1000:.3f} ms; PDF letter: {pdf_t * 1000:.0f} ms")
    try:
        from complainer.delivery.signing import load_signer, sign_pdf
    except ImportError:
        print("signed PDF letter: skipped (pip install 'complainer[sign]')")
        return
    with tempfile.TemporaryDirectory() as folder:
        data, password = throwaway_p12()
        path = Path(folder) / "b.p12"
        path.write_bytes(data)
        signer = load_signer(path, password)
        signed_t = timed(lambda: sign_pdf(render(letter, "pdf"), signer))
    print(f"signed PDF letter: {signed_t * 1000:.0f} ms ({signed_t / pdf_t:.1f}x the PDF)")


if __name__ == "__main__":
    main()
