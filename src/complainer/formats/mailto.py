"""The letter as an RFC 6068 `mailto:` URL: recipient, subject and body, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:  # only for annotations: a format need not load the composer
    from complainer.letter.compose import Letter

# Links longer than this fail silently in some mail clients and on Windows (about 2,000 characters).
DEFAULT_LIMIT = 2000
LIMIT_ENV = "COMPLAINER_MAILTO_LIMIT"


def _encode(text: str) -> str:
    # Every reserved character is percent-encoded as UTF-8: a space is %20, never "+".
    return quote(text, safe="")


def _crlf(text: str) -> str:
    """RFC 6068 section 5: line breaks in the body are CRLF (%0D%0A)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def mailto_url(letter: Letter) -> str:
    # RFC 6068 section 2: "@" may stay as it is in the address; "%", "/", "?", "#", "[", "]",
    # "&", ";", "=" and anything non-ASCII (an internationalised address) are percent-encoded.
    to = quote(letter.recipient.email, safe="@")
    fields = [("subject", letter.subject), ("body", _crlf(letter.body))]
    query = "&".join(f"{name}={_encode(value)}" for name, value in fields if value)
    return f"mailto:{to}?{query}" if query else f"mailto:{to}"


def to_mailto(letter: Letter) -> bytes:
    """The URL alone on one line, for scripts."""
    return (mailto_url(letter) + "\n").encode("ascii")
