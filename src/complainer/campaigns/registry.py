"""Which campaigns exist: the built-in ones and those in folders the user adds."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from complainer import i18n
from complainer.campaigns.model import Campaign, load_campaign
from complainer.campaigns.tomlfile import load_toml
from complainer.errors import CampaignError, UsageProblem, unknown_choice
from complainer.i18n import _
from complainer.paths import CAMPAIGNS_DIR_ENV, builtin_campaigns_dir, content_root


class Registry(NamedTuple):
    """Campaign folders by id; user folders come after the built-ins and may not reuse an id."""

    folders: dict[str, tuple[Path, bool]]

    @property
    def ids(self) -> list[str]:
        return list(self.folders)

    def load(self, cid: str) -> Campaign:
        """Campaign `cid`, its structure checked now and each language's texts on first use.

        Raises UsageProblem for an unknown id, CampaignError for a broken folder (`complainer
        check` reads every language at once).
        """
        if cid not in self.folders:
            raise UsageProblem(unknown_choice(_("campaign"), cid, self.ids))
        folder, builtin = self.folders[cid]
        return load_campaign(folder, builtin=builtin, all_languages=False)

    def load_all(self) -> tuple[list[Campaign], list[CampaignError]]:
        """Every campaign that loads (with its interface language), and the errors of the others."""
        loaded: list[Campaign] = []
        broken: list[CampaignError] = []
        for cid in self.folders:
            try:
                campaign = self.load(cid)
                # A listing shows titles in the interface language: a broken one is reported here.
                campaign.lang(i18n.language())
                loaded.append(campaign)
            except CampaignError as exc:
                broken.append(exc)
        return loaded, broken

    def default_id(self) -> str:
        settings = load_toml(content_root() / "complainer.toml")
        preferred = settings.get("default_campaign")
        if isinstance(preferred, str) and preferred in self.folders:
            return preferred
        if not self.folders:
            raise CampaignError(_("no campaigns are installed"))
        return next(iter(self.folders))


def user_dirs(cli_dirs: Sequence[Path] | None) -> list[Path]:
    """Folders from --campaigns-dir, then from COMPLAINER_CAMPAIGNS_DIR (os.pathsep-separated)."""
    dirs = list(cli_dirs or [])
    env = os.environ.get(CAMPAIGNS_DIR_ENV, "")
    dirs.extend(Path(p) for p in env.split(os.pathsep) if p.strip())
    return dirs


def open_registry(cli_dirs: Sequence[Path] | None = None) -> Registry:
    folders: dict[str, tuple[Path, bool]] = {}
    for folder in _campaign_folders(builtin_campaigns_dir()):
        folders[folder.name] = (folder, True)
    for base in user_dirs(cli_dirs):
        if not base.is_dir():
            raise UsageProblem(
                _("campaigns folder {path} does not exist or is not a folder").format(path=base)
            )
        # A path to one campaign folder works as well as a path to a folder of campaigns.
        candidates = [base] if (base / "campaign.toml").is_file() else _campaign_folders(base)
        for folder in candidates:
            if folder.name in folders and folders[folder.name][0] != folder:
                raise UsageProblem(
                    _('campaign id "{id}" in {path} is already used by {other}').format(
                        id=folder.name, path=folder, other=folders[folder.name][0]
                    )
                )
            folders[folder.name] = (folder, False)
    return Registry(folders)


def _campaign_folders(base: Path) -> list[Path]:
    return sorted(p for p in base.iterdir() if (p / "campaign.toml").is_file())
