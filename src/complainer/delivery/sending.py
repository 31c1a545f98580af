"""`complainer send`: preview, confirm, send over SMTP, keep a copy; on failure keep a draft.

The envelope and the headers hold only what the person gave or confirmed: their --from address,
the recipient shown in the preview, and (with --bcc-self) their own address as an extra envelope
recipient, never a Bcc: header. The password comes from COMPLAINER_SMTP_PASSWORD or a hidden prompt
on the terminal; it is never a flag, never stored, never printed.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.text import Text

from complainer.delivery import smtp, store
from complainer.errors import DeliveryError, UsageProblem
from complainer.formats.eml import Attachment, to_eml
from complainer.formats.headers import ascii_domain_form
from complainer.i18n import _
from complainer.letter.compose import Letter
from complainer.terminal import console
from complainer.terminal.prompts import QuitRequested, confirm

PASSWORD_ENV = "COMPLAINER_SMTP_PASSWORD"


@dataclass(frozen=True)
class SendOptions:
    """The sending flags of `draft --send` / `send`; None means "not given"."""

    host: str | None = None
    port: int | None = None
    user: str | None = None
    tls: smtp.Tls = smtp.Tls.starttls
    cafile: Path | None = None
    timeout: float = 30.0
    yes: bool = False
    bcc_self: bool = False
    save: bool = True


def settings(opts: SendOptions) -> smtp.SmtpSettings:
    host = (opts.host or "").strip()
    if not host:
        raise UsageProblem(
            _("sending needs your mail server: give --smtp-host HOST (or set {envvar})").format(
                envvar="COMPLAINER_SMTP_HOST"
            )
        )
    return smtp.SmtpSettings(
        host=host,
        port=opts.port or smtp.DEFAULT_PORTS[opts.tls],
        tls=opts.tls,
        user=(opts.user or "").strip() or None,
        timeout=opts.timeout,
        cafile=opts.cafile,
    )


def envelope(letter: Letter, bcc_self: bool) -> tuple[str, list[str]]:
    sender = ascii_domain_form(letter.writer.email) if letter.writer.email else ""
    if not sender:
        raise UsageProblem(
            _("sending needs your email address: give --from EMAIL (it is the letter's From:)")
        )
    # The ASCII form of a domain whenever the local part is ASCII: no SMTPUTF8 needed for it.
    recipients = [ascii_domain_form(letter.recipient.email)]
    if bcc_self and sender.casefold() != recipients[0].casefold():
        recipients.append(sender)
    return sender, recipients


def preview(letter: Letter, s: smtp.SmtpSettings, recipients: list[str], body: bool = True) -> None:
    """Who, what and through which server; with `body`, the letter too (for a person to confirm)."""
    r, w = letter.recipient, letter.writer
    # The header field names stay as the mail client shows them (RFC 5322); the rest is told.
    rows = [
        ("From", f"{w.name} <{w.email}>"),
        ("To", f"{r.name} <{r.email}>" if r.name else r.email),
    ]
    if len(recipients) > 1:
        rows.append(
            (
                _("Copy"),
                _("{address} (to you; the recipient does not see it)").format(
                    address=recipients[1]
                ),
            )
        )
    rows.append(("Subject", letter.subject))
    login = _("login {user}").format(user=s.user) if s.user else _("no login")
    rows.append((_("Server"), f"{s.where} ({s.tls.value.upper()}, {login})"))
    console.err.print()
    width = max(len(label) for label, _value in rows) + 2
    for label, value in rows:
        console.err.print(Text(f"{label + ':':<{width}}{value}"), soft_wrap=True)
    console.err.print()
    if body:
        console.err.print(Text(letter.body.rstrip("\n")))
        console.err.print()


def env_password(s: smtp.SmtpSettings, can_ask: bool) -> str | None:
    """The password from the environment; None when there is no login or it is to be asked."""
    if not s.user:
        return None
    password = os.environ.get(PASSWORD_ENV, "")
    if not password and not can_ask:
        raise UsageProblem(
            _("no password for {user}: set {envvar}, or run in a terminal to be asked").format(
                user=s.user, envvar=PASSWORD_ENV
            )
        )
    return password or None


def ask_password(s: smtp.SmtpSettings) -> str:
    """The password, asked for on the terminal (hidden); Abort at end of input."""
    try:
        password = getpass.getpass(
            _("Password for {user} at {server}: ").format(user=s.user, server=s.host)
        )
    except EOFError:
        raise typer.Abort() from None
    if not password:
        raise UsageProblem(_("no password given for {user}").format(user=s.user))
    return password


def _ask_password(
    s: smtp.SmtpSettings, letter: Letter, attachment: Attachment | None = None
) -> str:
    try:
        password = getpass.getpass(
            _("Password for {user} at {server}: ").format(user=s.user, server=s.host)
        )
    except EOFError:
        raise typer.Abort() from None
    if not password:
        raise UsageProblem(
            _("no password given for {user}; {draft}").format(
                user=s.user, draft=_keep_draft(letter, attachment)
            )
        )
    return password


def _keep_draft(letter: Letter, attachment: Attachment | None = None) -> str:
    """Save the unsent letter as a draft; what to tell the person about it."""
    data = to_eml(letter, attachment=attachment)
    try:
        return _("the letter is saved as a draft: {path}").format(
            path=store.save(letter, data, store.DRAFTS)
        )
    except DeliveryError as exc:
        return _("and the letter could not be saved as a draft either ({problem})").format(
            problem=exc
        )


def _confirm_sending(letter: Letter) -> bool:
    """Whether the person says yes to sending; q (quit) is a no, with the draft kept."""
    try:
        return confirm(
            _("Send this letter to {address} now?").format(address=letter.recipient.email),
            default=False,
        )
    except QuitRequested:
        return False


def send_letter(
    letter: Letter,
    opts: SendOptions,
    no_input: bool,
    quiet: bool,
    attachment: Attachment | None = None,
) -> Path | None:
    """Send `letter` (with `attachment`, as multipart/mixed); the copy kept in sent/, if any."""
    s = settings(opts)
    sender, recipients = envelope(letter, opts.bcc_self)
    can_ask = not no_input and sys.stdin.isatty()
    if not opts.yes and not can_ask:
        raise UsageProblem(
            _(
                "sending asks you to confirm, and there is no terminal to ask in"
                " (or --no-input was given); add --yes to send without asking"
            )
        )
    password = env_password(s, can_ask)
    if not (quiet and opts.yes):
        # --yes: nobody is asked, so nobody needs the whole letter on the screen; the header
        # lines still say what went where.
        preview(letter, s, recipients, body=not opts.yes)
    # ask.confirm, not typer.confirm: the latter leaks the prompt's end to a redirected stdout.
    if not opts.yes and not _confirm_sending(letter):
        console.note(_("not sent; {draft}").format(draft=_keep_draft(letter, attachment)))
        raise typer.Abort()
    if s.user and password is None:
        password = _ask_password(s, letter, attachment)
    # Exactly these bytes are sent, and kept in sent/.
    data = to_eml(letter, unsent=False, attachment=attachment)
    try:
        refused = smtp.send(s, password, sender, recipients, data)
    except smtp.SmtpFailure as exc:
        raise DeliveryError(f"{exc}; {_keep_draft(letter, attachment)}") from None
    except KeyboardInterrupt:
        console.warn(_("interrupted; {draft}").format(draft=_keep_draft(letter, attachment)))
        raise
    except Exception as exc:
        # Not the exception's text, which could quote the password; the letter is kept.
        raise DeliveryError(
            _("sending failed unexpectedly ({kind}); {draft}").format(
                kind=type(exc).__name__, draft=_keep_draft(letter, attachment)
            )
        ) from None
    for address, (code, said) in refused.items():
        problem = _("the mail server did not take {address}: {said}").format(
            address=address, said=f"{code} {said.decode('utf-8', 'replace')}"
        )
        if address == letter.recipient.email:
            raise DeliveryError(f"{problem}; {_keep_draft(letter, attachment)}")
        console.warn(problem)
    return _keep_sent(letter, data, opts.save, quiet)


def deliver(
    letter: Letter,
    s: smtp.SmtpSettings,
    password: str | None,
    bcc_self: bool = False,
    on_accepted: Callable[[], None] | None = None,
) -> bytes:
    """Send `letter` without asking (a batch has asked once for all); the bytes sent.

    Raises DeliveryError when the server refuses the letter or its recipient, or cannot be
    reached; `on_accepted` as in `smtp.send`. Keeps no copy and no draft (the batch's report
    and journal say what happened to each letter).
    """
    sender, recipients = envelope(letter, bcc_self)
    data = to_eml(letter, unsent=False)
    try:
        refused = smtp.send(s, password, sender, recipients, data, on_accepted)
    except smtp.SmtpFailure as exc:
        raise DeliveryError(str(exc)) from None
    for address, (code, said) in refused.items():
        problem = _("the mail server did not take {address}: {said}").format(
            address=address, said=f"{code} {said.decode('utf-8', 'replace')}"
        )
        if address == letter.recipient.email:
            raise DeliveryError(problem)
        console.warn(problem)
    return data


def _keep_sent(letter: Letter, data: bytes, save: bool, quiet: bool) -> Path | None:
    address = letter.recipient.email
    if not save:
        if not quiet:
            console.note(_("sent to {address} (no copy kept: --no-save)").format(address=address))
        return None
    try:
        path = store.save(letter, data, store.SENT)
    except DeliveryError as exc:
        console.warn(
            _("sent to {address}, but no copy could be kept: {problem}").format(
                address=address, problem=exc
            )
        )
        return None
    if not quiet:
        console.note(_("sent to {address}; a copy is in {path}").format(address=address, path=path))

    return path
