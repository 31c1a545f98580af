"""`complainer campaigns new ID`: a campaign folder to fill in, which `check` explains until done."""

from __future__ import annotations

from pathlib import Path

from complainer.campaigns.fields import ID_PATTERN
from complainer.campaigns.registry import open_registry
from complainer.errors import UsageProblem
from complainer.i18n import _

CAMPAIGN_TOML = """\
# A campaign: see docs/campaign-format.md. `complainer check {folder}` says what is left to fill.
id = "{cid}"
status = "open"
languages = ["en"]
default_target = "main"

[[recipients]]
id = "authority"
email = "TODO@example.org"
email_source = "campaign-source"
reads = ["en"]

[[targets]]
id = "main"
recipient = "authority"

[[sources]]
id = "campaign-source"
title = "TODO: the document that publishes the recipient's address"
url = "https://example.org/TODO"
confidence = "unverified"  # once checked: "verified", or "secondary" for a report of it

[[arguments]]
id = "first-argument"
default = true
citations = [{{ source = "campaign-source", ref = "TODO: article or paragraph" }}]

[[recommendations]]
id = "first-recommendation"
default = true
citations = [{{ source = "campaign-source", ref = "TODO: article or paragraph" }}]
"""

TEXTS_TOML = """\
language = "en"

[campaign]
title = "TODO: the campaign's title"
summary = "TODO: one line on what the letter asks for"
status_note = "TODO: one line on where things stand"

[recipients.authority]
name = "TODO: the recipient's full official name"
address = ["TODO: street", "TODO: city"]
email_note = "TODO: where the address comes from"

[targets.main]
title = "TODO: Letter to the authority"
summary = "TODO: one line for menus"
subject = ["TODO: a subject", "TODO: the subject in other words"]

[targets.main.paragraphs]
salutation = ["TODO: Dear Minister,", "TODO", "TODO"]
opening = ["TODO: My name is {{ writer.name }} ({{ writer.place }}).", "TODO", "TODO"]
ask = ["TODO: what the letter asks for", "TODO", "TODO"]
recommendations_intro = ["TODO: I also recommend:", "TODO", "TODO"]
closing = ["TODO: Thank you for your attention.", "TODO", "TODO"]
signoff = ["TODO: Yours faithfully,", "TODO", "TODO"]

[arguments.first-argument]
title = "TODO: a short title"
summary = "TODO: one line for the menu"
text = ["TODO: the argument, with its citation", "TODO", "TODO"]

[recommendations.first-recommendation]
title = "TODO: a short title"
summary = "TODO: one line for the menu"
text = ["TODO: the recommendation", "TODO", "TODO"]
"""

LAYOUT = """\
To: {{ recipient.name }}
{% for line in recipient.address %}{{ line }}
{% endfor %}
From: {{ writer.name }}{% if writer.organisation %}, {{ writer.organisation }}{% endif %}
{{ writer.place }}

{{ date }}

Subject: {{ subject }}

{{ p.salutation }}

{{ p.opening }}

{{ p.ask }}

{% for a in arguments %}{{ a.text }}

{% endfor %}
{% if recommendations %}{{ p.recommendations_intro }}

{% for r in recommendations %}{% if loop.length > 1 %}{{ loop.index }}. {% endif %}{{ r.text }}
{% endfor %}
{% endif %}
{% if note %}{{ note }}

{% endif %}
{{ p.closing }}

{{ p.signoff }}
{{ writer.name }}
"""


def scaffold(cid: str, parent: Path) -> Path:
    """Create `parent/cid` with a campaign skeleton, and `parent` if it does not exist yet.

    Never touches an existing folder. Raises UsageProblem for an id that is not lower-case letters,
    digits and hyphens, or that an installed campaign already has (built in, or in a folder of
    COMPLAINER_CAMPAIGNS_DIR): two campaigns with one id cannot be loaded together.
    """
    if not ID_PATTERN.fullmatch(cid):
        raise UsageProblem(
            _('campaign id "{id}" must be lower-case letters, digits and hyphens').format(id=cid)
        )
    installed = open_registry().folders.get(cid)
    if installed is not None:
        raise UsageProblem(
            _('campaign id "{id}" is taken by the campaign in {path}; choose another id').format(
                id=cid, path=installed[0]
            )
        )
    if parent.exists() and not parent.is_dir():
        raise UsageProblem(_("{path} is not a folder; choose another --dir").format(path=parent))
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageProblem(
            _("cannot create the folder {path}: {problem}").format(
                path=parent, problem=exc.strerror
            )
        ) from None
    folder = parent / cid
    if folder.exists():
        raise UsageProblem(
            _("{path} already exists; choose another id or folder").format(path=folder)
        )
    (folder / "en").mkdir(parents=True)
    (folder / "campaign.toml").write_text(
        CAMPAIGN_TOML.format(cid=cid, folder=folder), encoding="utf-8"
    )
    (folder / "en" / "texts.toml").write_text(TEXTS_TOML, encoding="utf-8")
    (folder / "en" / "main.j2").write_text(LAYOUT, encoding="utf-8")
    return folder
