"""What `complainer check` holds one campaign to, beyond its texts: `<campaign>/check.toml`.

Optional. `dates` adds dates to render every text at (besides those the campaign's data mentions);
`[targets.<id>] you = "singular" | "plural"` says whether that target's letters address one person
or a body, so the pronoun "you" is checked against the glossary's forms. A target without `you`
is not checked. docs/campaign-format.md describes the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from complainer.campaigns.confine import confined
from complainer.campaigns.fields import Fields
from complainer.campaigns.model import Campaign
from complainer.campaigns.tomlfile import load_toml

CHECK_FILE = "check.toml"
Number = Literal["singular", "plural"]


@dataclass(frozen=True)
class CheckSettings:
    dates: tuple[dt.date, ...] = ()
    you: Mapping[str, Number] = field(default_factory=dict)


def load_check_settings(campaign: Campaign) -> CheckSettings:
    """The campaign's check.toml (empty settings when there is none).

    Raises CampaignError naming the file and field for a bad date, an unknown target or a value
    other than singular/plural.
    """
    path = campaign.folder / CHECK_FILE
    if not path.is_file():
        return CheckSettings()
    root = Fields(load_toml(confined(campaign.folder, path)), path)
    dates: list[dt.date] = []
    raw = root.data.get("dates", [])
    if not isinstance(raw, list) or any(
        isinstance(d, dt.datetime) or not isinstance(d, dt.date) for d in raw
    ):
        raise root.fail("dates", "must be a list of TOML dates such as 2026-07-01")
    dates.extend(raw)
    you: dict[str, Number] = {}
    if root.has("targets"):
        targets = root.table("targets")
        for tid in targets.data:
            if tid not in campaign.targets:
                raise targets.fail(tid, "is not a target campaign.toml declares")
            t = targets.table(tid)
            if t.has("you"):
                value = t.text("you")
                if value == "singular":
                    you[tid] = "singular"
                elif value == "plural":
                    you[tid] = "plural"
                else:
                    raise t.fail("you", f"must be 'singular' or 'plural' (got {value!r})")
    return CheckSettings(tuple(dates), you)
