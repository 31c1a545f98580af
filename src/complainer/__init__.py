"""complainer: personal, legally grounded complaint letters for human-rights campaigns."""

# The one place the version is written: pyproject.toml reads it from here ([tool.hatch.version]),
# so the installed metadata always agrees, and start-up needs no importlib.metadata look-up.
__version__ = "0.1.0"
