"""Where the built-in campaign content lives, in every kind of install."""

from __future__ import annotations

from pathlib import Path

from complainer.i18n import _

_PACKAGE = Path(__file__).resolve().parent
# Folders of the user's own campaigns, os.pathsep-separated (as --campaigns-dir, repeatable).
CAMPAIGNS_DIR_ENV = "COMPLAINER_CAMPAIGNS_DIR"


def content_root() -> Path:
    """The top-level `templates/` folder.

    A wheel carries it inside the package; an editable install or a source checkout does not
    (hatchling's force-include is not applied to editable installs), so fall back to the tree.
    """
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent.parent / "templates"):
        if (candidate / "campaigns").is_dir():
            return candidate
    raise FileNotFoundError(_("the built-in campaign folder is missing from this installation"))


def builtin_campaigns_dir() -> Path:
    return content_root() / "campaigns"
