"""The letter as JSON, for scripts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for annotations: a format need not load the composer
    from complainer.letter.compose import Letter


def letter_dict(letter: Letter) -> dict[str, Any]:
    r = letter.recipient
    return {
        "campaign": letter.campaign,
        "target": letter.target,
        "language": letter.language,
        "date": letter.date.isoformat(),
        # A batch spreads phrasings across its letters: then the seed does not make this letter
        # again, and "phrasings" (slot -> variant, from 0) says which were used.
        "seed": None if letter.spread else letter.seed,
        "phrasings": dict(letter.phrasings),
        "recipients": [
            {"name": r.name, "email": r.email, "address": list(r.address), "email_source": r.source}
        ],
        "writer": {
            "name": letter.writer.name,
            "country": letter.writer.country_code,
            "city": letter.writer.city,
            "organisation": letter.writer.organisation,
            "email": letter.writer.email,
        },
        "subject": letter.subject,
        "body": letter.body,
        "arguments": list(letter.arguments),
        "recommendations": list(letter.recommendations),
        "citations": [
            {
                "point": c.point,
                "ref": c.citation.ref,
                "source": c.source.id,
                "title": c.source.title,
                "url": c.source.url,
                "valid_from": c.citation.valid_from.isoformat() if c.citation.valid_from else None,
                "valid_until": c.citation.valid_until.isoformat()
                if c.citation.valid_until
                else None,
            }
            for c in letter.citations
        ],
        "warnings": list(letter.warnings),
    }


def to_json(letter: Letter) -> bytes:
    return (json.dumps(letter_dict(letter), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
