"""complainer: personal, legally grounded complaint letters for human-rights campaigns."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("complainer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
