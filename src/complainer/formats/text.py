"""The letter as plain text: exactly the body, as a mail client or a printer gets it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: a format need not load the composer
    from complainer.letter.compose import Letter


def to_text(letter: Letter) -> bytes:
    return letter.body.encode("utf-8")
