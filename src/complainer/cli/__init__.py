"""The command line: one module per command, wiring only (parse, call the layer below, print).

Importing this package registers every command on `app`; `main` is the console entry point.
"""

from complainer.cli import arguments, batch, campaigns, check, draft, send  # noqa: F401  (registers)
from complainer.cli.app import app, main

__all__ = ["app", "main"]
