"""The command line: one module per command, wiring only (parse, call the layer below, print).

`app` is the root Typer app; a command's module is imported only when that command is used
(cli.app.Commands). `main` is the console entry point.
"""

from complainer.cli.app import app, main

__all__ = ["app", "main"]
