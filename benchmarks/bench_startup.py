"""Start-up cost of the installed `complainer` against its framework's floor, side by side in one run.

Each command runs as a whole process, the rounds alternate between commands (so a busy moment of
a shared machine hits all of them alike), and the figures come from the OS (`os.wait4`): CPU time
(user + system), wall time and peak resident memory, as medians. Ratios are to the floor app
(`benchmarks/floor_app.py`: a Typer app with `draft`'s exact options that prints one line).
Run (from the repository, with complainer installed in .venv):

    .venv/bin/python benchmarks/bench_startup.py [--rounds 9] [--compare OTHER/bin/complainer]

--compare adds the complainer commands of another install (say, of the main branch) to the same
alternated rounds, so a before and an after are measured side by side under the same load.

--instructions counts, instead, the instructions each command executes (valgrind's cachegrind,
one run each after the warm-up, with a fixed hash seed): a figure that does not move with the load
of a shared machine, so a change of a fraction of a millisecond shows. It is not CPU time (it
leaves out the kernel, the caches and the clock), so the goals are judged on the timed rounds;
it needs valgrind (apt-get install valgrind) and takes about ten seconds a command.

Goals (issue 15): `draft` within 1.15x of the floor's CPU time and 8 MB of its peak memory;
`--version` and `campaigns` within 1.1x of the floor's CPU time. A CPU goal is judged on the
paired ratio: each round's CPU time over the floor's in the same round (the two run a second or
two apart, so a busy moment of a shared machine moves both), the median over the rounds; its
quartiles are printed beside it, to show how far the figure can be trusted. CI runs 41 rounds
(about a minute on an idle machine of two cores): 5 rounds swung by +-0.05x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
EXE = str(Path(PY).parent / "complainer")
FLOOR_WITH_JINJA = (
    "import runpy, sys, jinja2; sys.argv[0] = {0!r}; runpy.run_path({0!r}, run_name='__main__')"
).format(str(HERE / "floor_app.py"))
WRITER = ["--no-input", "--name", "Anna Schmidt", "--country", "DE", "--date", "2026-11-30"]

CASES: list[tuple[str, list[str]]] = [
    ("python -c pass", [PY, "-c", "pass"]),
    ('python -c "import typer, jinja2"', [PY, "-c", "import typer, jinja2"]),
    ("floor app (draft's options)", [PY, str(HERE / "floor_app.py"), "draft", *WRITER]),
    # For reference, not a goal: the floor plus the template engine a letter cannot do without.
    ("floor app + import jinja2", [PY, "-c", FLOOR_WITH_JINJA, "draft", *WRITER]),
    # For reference, not a goal: the floor when it too freezes what it has loaded (gc.freeze) once
    # the command line is parsed up to the command, as complainer does (cli.app.root).
    ("floor app + gc.freeze", [PY, str(HERE / "floor_app.py"), "--gc-freeze", "draft", *WRITER]),
    ("complainer --version", [EXE, "--version"]),
    ("complainer draft (text, en)", [EXE, "draft", *WRITER, "--lang", "en"]),
    ("complainer draft (eml, en)", [EXE, "draft", *WRITER, "--lang", "en", "--format", "eml"]),
    ("complainer draft (text, ru)", [EXE, "draft", *WRITER, "--lang", "ru"]),
    ("complainer campaigns", [EXE, "campaigns"]),
]
FLOOR = "floor app (draft's options)"
# Command -> (most CPU time as a multiple of the floor's, most extra peak memory in MB).
GOALS = {
    "complainer draft (text, en)": (1.15, 8.0),
    "complainer draft (eml, en)": (1.15, 8.0),
    "complainer draft (text, ru)": (1.15, 8.0),
    "complainer --version": (1.10, None),
    "complainer campaigns": (1.10, None),
}


@dataclass
class Samples:
    cpu: list[float] = field(default_factory=list)  # seconds
    wall: list[float] = field(default_factory=list)  # seconds
    rss: list[float] = field(default_factory=list)  # MB


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """CPU seconds, wall seconds, peak RSS in MB and the exit status of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped; keep Popen quiet
    # ru_maxrss is in kilobytes on Linux.
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, proc.returncode


def instructions(argv: list[str], env: dict[str, str]) -> float:
    """Millions of instructions `argv` executes, counted by valgrind (cachegrind)."""
    if Path(argv[0]).name == "complainer":  # a script: valgrind runs its interpreter
        argv = [str(Path(argv[0]).parent / "python"), *argv]
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
             f"--log-file={log.name}", *argv],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**env, "PYTHONHASHSEED": "0"}, check=True,
        )  # fmt: skip
        for line in log:
            if "I refs:" in line or "I   refs:" in line:
                return int(line.rsplit(":", 1)[1].replace(",", "")) / 1e6
    raise RuntimeError(f"valgrind reported no instruction count for {' '.join(argv)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="runs of each command (default 9)")
    parser.add_argument(
        "--compare", metavar="EXE", help="another install's complainer, measured alongside"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions with valgrind instead of timing rounds (see above)",
    )
    args = parser.parse_args()
    if args.compare:
        other = [
            (f"{name} [compared]", [args.compare, *argv[1:]])
            for name, argv in CASES
            if name.startswith("complainer")
        ]
        CASES.extend(other)
    if not Path(EXE).exists():
        sys.exit(f"{EXE} not found: install complainer into this Python's environment first")
    home = tempfile.mkdtemp(prefix="bench-startup-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINER_", "XDG_"))}
    # A user's install has its .pyc files (pip compiles them); an editable one writes them on the
    # warm-up run unless this is set, and compiling every module on every run is not start-up.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HOME=home, NO_COLOR="1", COLUMNS="100", LC_ALL="C.UTF-8")
    samples = {name: Samples() for name, _ in CASES}
    width = max(len(name) for name, _ in CASES)
    for name, argv in CASES:  # one warm-up each (page cache, .pyc files, user cache)
        *_, code = run_once(argv, env)
        if code != 0:
            sys.exit(f"{name}: exit {code}: {' '.join(argv)}")
    if args.instructions:
        counts = {name: instructions(argv, env) for name, argv in CASES}
        print("millions of instructions executed (valgrind); ratios are to the floor app")
        print(f"{'command':{width}} {'M instr':>8} {'x floor':>7}")
        for name, _ in CASES:
            print(f"{name:{width}} {counts[name]:8.1f} {counts[name] / counts[FLOOR]:7.3f}")
        return 0
    for number in range(args.rounds):
        # Every other round runs the commands in the reverse order, so that no command always
        # follows the same one (or always runs at the same point of the round).
        for name, argv in CASES if number % 2 == 0 else CASES[::-1]:
            cpu, wall, rss, _ = run_once(argv, env)
            samples[name].cpu.append(cpu)
            samples[name].wall.append(wall)
            samples[name].rss.append(rss)

    def med(values: list[float]) -> float:
        return statistics.median(values)

    floor = samples[FLOOR]
    f_cpu, f_wall, f_rss = med(floor.cpu), med(floor.wall), med(floor.rss)
    print(f"medians of {args.rounds} alternated runs; ratios are to the floor app")
    print(
        "paired: the median of each round's CPU time over the floor's in the same round, with"
        " its quartiles (a busy moment hits both); the CPU goals are judged on it"
    )
    print(
        f"{'command':{width}} {'CPU ms':>7} {'x floor':>7} {'paired':>7} {'quartiles':>11}"
        f" {'wall ms':>8} {'x floor':>7} {'peak MB':>8} {'- floor':>8}  goal"
    )
    for name, _ in CASES:
        s = samples[name]
        cpu, wall, rss = med(s.cpu), med(s.wall), med(s.rss)
        paired = [mine / theirs for mine, theirs in zip(s.cpu, floor.cpu, strict=True)]
        ratio = med(paired)
        low, _, high = statistics.quantiles(paired, n=4) if len(paired) > 1 else (ratio,) * 3
        verdict = ""
        if name in GOALS:
            most_cpu, most_mb = GOALS[name]
            verdicts = [f"CPU <= {most_cpu}x: {'met' if ratio <= most_cpu else 'MISSED'}"]
            if most_mb is not None:
                met = rss - f_rss <= most_mb
                verdicts.append(f"memory <= +{most_mb:.0f} MB: {'met' if met else 'MISSED'}")
            verdict = "; ".join(verdicts)
        print(
            f"{name:{width}} {cpu * 1000:7.0f} {cpu / f_cpu:7.2f} {ratio:7.3f} {low:5.2f}-{high:<5.2f}"
            f" {wall * 1000:8.0f} {wall / f_wall:7.2f} {rss:8.1f} {rss - f_rss:+8.1f}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
