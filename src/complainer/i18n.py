"""The interface language: what a person reads on the terminal, in English, Russian or Kazakh.

Messages are marked with `_()` (and `N_()` where the text is translated later, at display time)
and extracted with Babel's `pybabel extract` (babel.cfg); the catalogs live in
`locale/<lang>/LC_MESSAGES/complainer.po` with their compiled `.mo` beside them (README,
"Translations"). Only the one catalog in use is read, on the first message, with the standard
library's `gettext`: start-up pays for neither Babel nor the other languages.

The interface language is separate from the letter's language: a supporter in Germany may read
the wizard in English and sign a letter in Kazakh (with a reading copy in English beside it).
"""

from __future__ import annotations

import gettext
import os
import re
from pathlib import Path

DOMAIN = "complainer"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# English is the source language: it has no catalog of its own.
UI_LANGUAGES = ("en", "ru", "kk")
# The environment variables GNU gettext reads, in its order (LANGUAGE may list several, "kk:ru").
LOCALE_ENV = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None
_catalog: gettext.NullTranslations | None = None


def ui_code(tag: str) -> str | None:
    """The interface language a locale name or language tag means, or None if we have none.

    "ru_RU.UTF-8", "ru-RU", "kk-Cyrl-KZ", "kk_KZ@cyrillic", "RU" -> "ru"/"kk"; "C", "POSIX", "de" -> None.
    """
    base = re.split(r"[-_.@]", tag.strip(), maxsplit=1)[0].casefold()
    return base if base in UI_LANGUAGES else None


def from_environment(environ: dict[str, str] | None = None) -> str:
    """The interface language the system locale asks for (as GNU gettext reads it); else "en"."""
    env = os.environ if environ is None else environ
    for name in LOCALE_ENV:
        value = env.get(name, "").strip()
        if not value:
            continue
        for tag in value.split(":"):
            code = ui_code(tag)
            if code is not None:
                return code
        if name != "LANGUAGE":
            break  # LC_ALL, LC_MESSAGES and LANG each decide alone; only LANGUAGE falls through
    return "en"


def set_language(code: str | None) -> None:
    """Use interface language `code` (one of UI_LANGUAGES) from now on; None: the system's."""
    global _chosen, _catalog
    _chosen, _catalog = code, None


def language() -> str:
    """The interface language in use: --ui-lang if given, else the system locale's, else "en"."""
    return _chosen or from_environment()


def _translations() -> gettext.NullTranslations:
    global _catalog
    if _catalog is None:
        code = language()
        if code == "en":
            _catalog = gettext.NullTranslations()
        else:
            _catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
    return _catalog


def _(message: str) -> str:
    """`message` in the interface language (itself when there is no translation)."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for count `n`, by the interface language's plural rule."""
    return _translations().ngettext(singular, plural, n)


# CLDR's decimal and grouping symbols of the interface languages (Babel's format_decimal gives the
# same; it is not imported for so little: see tests/test_startup_imports.py).
_NUMBER_SYMBOLS = {"en": (".", ","), "ru": (",", "\u00a0"), "kk": (",", "\u00a0")}


def format_number(value: float, decimals: int = 0) -> str:
    """`value` with `decimals` digits after the interface language's decimal separator and its
    thousands grouped: 0.4 -> "0.40" in English, "0,40" in Russian and Kazakh; 1000000 ->
    "1,000,000" / "1 000 000" (no-break spaces, as CLDR's ru and kk number formats)."""
    decimal, group = _NUMBER_SYMBOLS.get(language(), _NUMBER_SYMBOLS["en"])
    return f"{value:,.{decimals}f}".translate({ord("."): decimal, ord(","): group})


def N_(message: str) -> str:
    """Mark `message` for extraction only; `_()` translates it where it is shown."""
    return message
