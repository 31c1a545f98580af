"""The console entry point (`complainer`, and `python -m complainer`).

A run's start-up (Python, Typer, Click, pydantic, this package) makes hundreds of thousands of
objects and almost no garbage, yet the cyclic garbage collector, counting allocations, walks
them again and again while they load: about a twentieth of a letter's instructions. So the
collector is off from here until the command line is parsed up to the command; the root callback
(complainer.cli.app.root) freezes what has loaded (gc.freeze) and turns the collector back on
for the command's work. Nothing else changes: a caller of `complainer.cli.main` or of the Typer
app (the tests) keeps its collector as it was.
"""

import gc


def main() -> None:
    """Run the command line with the collector off until the root callback (see above)."""
    held = gc.isenabled()
    gc.disable()
    try:
        from complainer.cli.app import main as run

        run(collector_held=held)
    finally:
        if held:  # a usage error or --help ends before the root callback
            gc.enable()


if __name__ == "__main__":
    main()
