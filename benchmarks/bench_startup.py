"""Start-up time of the ``kurilsim`` command, against ``python -c "import numpy"``.

Run by hand: ``python benchmarks/bench_startup.py [--runs N]``, from any directory, in the
environment kurilsim is installed in. Each command runs ``N`` times (default 15) in a fresh
process, in turn with the others so that a busy machine slows them alike; the median wall-clock
time is kept, and the median processor time (user and system) of the process, which waits less
on other work than the clock does. Prints each median, its ratio to the reference (importing
numpy, which every command needs) and whether the wall-clock ratio meets its target: 2x the
reference for every command. A last line, untargeted, times the libraries alone: numpy, PyYAML
and one pydantic model built and used, as reading any scenario needs (building a model's first
validator loads pydantic's field types and looks for pydantic plugins among the installed
packages), so that what is kurilsim's own shows as the difference.

The commands run with Python's bytecode cache on, as for any installed package (pip compiles
it): with ``PYTHONDONTWRITEBYTECODE`` set, a source checkout would compile kurilsim's modules
anew on every run while numpy, installed, loads its compiled ones.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
REFERENCE = ("python -c 'import numpy'", [sys.executable, "-c", "import numpy"])
KURILSIM = shutil.which("kurilsim", path=str(Path(sys.executable).parent)) or "kurilsim"
#: The environment of the commands: this one, with the bytecode cache on (see above).
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
#: What every scenario command does with the libraries before any of kurilsim's own work.
LIBRARIES = """\
import numpy, yaml
from pydantic import BaseModel
class Model(BaseModel):
    x: int
Model.model_validate({"x": 1})
"""
#: (label, command, target as a multiple of the reference; None: measured, no target).
COMMANDS = (
    ("kurilsim --version", [KURILSIM, "--version"], 2.0),
    ("kurilsim --help", [KURILSIM, "--help"], 2.0),
    (
        "kurilsim validate scenarios/sochi_2016.yaml",
        [KURILSIM, "validate", str(SCENARIOS / "sochi_2016.yaml")],
        2.0,
    ),
    (
        "kurilsim run scenarios/era_1956.yaml",
        [KURILSIM, "run", str(SCENARIOS / "era_1956.yaml")],
        2.0,
    ),
    (
        "kurilsim run scenarios/sochi_2016.yaml",
        [KURILSIM, "run", str(SCENARIOS / "sochi_2016.yaml")],
        2.0,
    ),
    ("python -c 'import kurilsim'", [sys.executable, "-c", "import kurilsim"], None),
    ("libraries alone (numpy, yaml, a pydantic model)", [sys.executable, "-c", LIBRARIES], None),
)


def seconds(command: list[str]) -> tuple[float, float]:
    """Wall-clock and processor time of one run of ``command``, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENVIRONMENT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    runs = parser.parse_args().runs
    everything = [(REFERENCE[0], REFERENCE[1], None), *COMMANDS]
    for _, command, _ in everything:  # warm the file and bytecode caches; not timed
        seconds(command)
    times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in everything}
    for _ in range(runs):
        for label, command, _ in everything:
            times[label].append(seconds(command))
    wall, cpu = (statistics.median(run[k] for run in times[REFERENCE[0]]) for k in (0, 1))
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    python = sys.version.split()[0]
    print(f"{os.cpu_count()} cores, Python {python}, median of {runs} runs, load average {load}")
    print(f"{'':<48} {'wall-clock':>16}  {'processor':>16}")
    print(f"{'reference: ' + REFERENCE[0]:<48} {wall:8.3f} s {1:4.1f}x  {cpu:8.3f} s {1:4.1f}x")
    met = True
    for label, _, target in COMMANDS:
        median, median_cpu = (statistics.median(run[k] for run in times[label]) for k in (0, 1))
        ratio = median / wall
        verdict = ""
        if target is not None:
            verdict = f"target {target:g}x: {'met' if ratio <= target else 'NOT MET'}"
            met = met and ratio <= target
        print(
            f"{label:<48} {median:8.3f} s {ratio:4.1f}x  "
            f"{median_cpu:8.3f} s {median_cpu / cpu:4.1f}x  {verdict}"
        )
    print("all targets met" if met else "some targets not met")


if __name__ == "__main__":
    main()
