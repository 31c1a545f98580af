"""Pronoun rule: a letter says "you" to one person or to a body, and keeps to it.

`<campaign>/check.toml` says per target which (`you = "singular" | "plural"`); the glossary of each
language lists the forms of each number (Russian Вы/вы with the courtesy capital for one person;
Kazakh Сіз/Сіздер and the possessive -ңыз/-ларыңыз). A form of the other number in any text a
target's letter carries is a fault. Targets without `you` are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from complainer.campaigns.checkconf import Number
from complainer.campaigns.glossary import Glossary, YouForms
from complainer.flows.checks.corpus import Rendered

_SENTENCE_END = re.compile(r"(?:^|[.!?…:]\s*[«\"(]?|\n\s*)$")


def _starts_sentence(text: str, at: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, at - 4) : at])) or not text[:at].strip()


def forms_of(you: YouForms, number: Number, text: str) -> list[str]:
    """The words of `text` that address in `number` (sentence-initial capitals left out)."""
    found = []
    for pattern in you.singular if number == "singular" else you.plural:
        for m in pattern.finditer(text):
            word = m.group(0)
            if any(i.fullmatch(word) for i in you.ignore):
                continue
            if you.sentence_start_neutral and _starts_sentence(text, m.start()):
                continue
            found.append(word)
    return found


def pronoun_problems(
    corpus: Iterable[Rendered], glossaries: Mapping[str, Glossary], you: Mapping[str, Number]
) -> Iterator[str]:
    seen: set[tuple[str, str]] = set()
    for item in corpus:
        glossary = glossaries.get(item.language)
        if glossary is None or glossary.you is None or item.day is None:
            continue
        for tid in item.targets:
            number = you.get(tid)
            if number is None:
                continue
            other: Number = "plural" if number == "singular" else "singular"
            wrong = forms_of(glossary.you, other, item.text)
            if wrong and (item.where, tid) not in seen:
                seen.add((item.where, tid))
                yield (
                    f"{item.where}: the letter to '{tid}' addresses its reader in the {number} "
                    f"(check.toml), but this text uses the {other}: "
                    f"{', '.join(f'«{w}»' for w in dict.fromkeys(wrong))}"
                )
