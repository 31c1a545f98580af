"""How a connection to the SMTP server is encrypted: the choices of --tls and their usual ports.

Kept apart from delivery/smtp.py so that declaring the --tls option does not import smtplib and
ssl for runs that never send.
"""

from __future__ import annotations

import enum


class Tls(str, enum.Enum):
    """STARTTLS on the submission port (RFC 6409, RFC 3207) or implicit TLS (RFC 8314)."""

    starttls = "starttls"
    ssl = "ssl"


DEFAULT_PORTS = {Tls.starttls: 587, Tls.ssl: 465}
