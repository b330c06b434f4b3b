"""Sweeps against the memory bound: the 10^6-point regime map from the CLI vs one numpy pass.

Run by hand: ``python benchmarks/bench_sweep.py [--repeats R] [--big N] [--skip-dask]
[--skip-per-game] [--only-per-game]``.

Everything below is measured in the same run, so the ratios hold on a loaded machine even when
the absolute times drift:

(a) ``kurilsim sweep scenarios/sochi_2016.yaml`` over a 1000 x 1000 sanctions x trust grid,
    pure Nash, to Parquet, as a new process (interpreter start and imports included; best of
    ``R``), and the same sweep as one ``kurilsim.sweep`` call in a new process (imports
    excluded), against one numpy pass (a sum) over the float64 payoff tensor of the same 10^6
    points, ``(10^6, 3, 3, 2, 2, 4)``, 1.15 GB, already in memory (best of 3). Target <= 20x.
    Each new process reports its peak resident memory.
(b) The same sweep in-process by phase, on one thread, in CPU time of the thread (steady
    under load, unlike seconds on the clock) against the numpy pass's CPU time: payoff
    evaluation, best replies (with the check that every payoff is finite, which the sweep makes
    in that pass), the table's columns, the Arrow table, the chunk's part (its LZ4 Arrow IPC
    file, encoded and hashed in memory and written by the thread that solved the chunk),
    Parquet encoding as the sweep file is encoded (with freed memory kept between chunks, as
    the sweep's engine keeps it).
(c) The same sweep in-process with 1 and 2 local workers, each in a new process, alternated
    ``R`` times; with 2, the sweep's process solves chunks and writes the Parquet file, and a
    process forked from it solves and writes the other chunks (see ``kurilsim.sweeps.forked``):
    seconds, and the CPU time of all threads and processes, of the sweep's own thread and of
    the others (the forked process's included), and the voluntary context switches of the
    sweep's process (a thread that waits for the interpreter's lock, the GIL, or for a chunk
    gives up its core: one switch each time). Against the same chunks' work (each chunk solved,
    its part encoded and hashed; no Parquet file) on one thread, on two threads, and on two
    processes (this one and one forked from it), alternated in a new process: the processes
    share the cores, caches and memory bandwidth as threads do, but not the GIL, so the gap
    between the two is what the GIL would cost threads.
(d) Game-by-game sweeps (support enumeration: 432 points of sochi_2016.yaml, about 3 s of CPU,
    and 108 of the light era_2020.yaml, under half a second) with 1 and 2 local workers (this
    process and a new one, started for the sweep), with 2 on the process kept from the sweep
    before (as a second sweep of a notebook or a script runs), and on a Dask LocalCluster of 1,
    2 and 4 workers, alternated ``R`` times; start-up included, and every table checked to be
    the same. Each local run also gives the CPU time of all its processes, new workers
    included: what they cost beyond the sweep's work (a Dask cluster's workers are not
    counted).
    Against the machine's own ceiling, measured in the same rounds: a fixed piece of pure-Python
    and small-numpy work (like a game-by-game solver's) run by one process alone, then by two at
    once, started beforehand; two processes doing twice the work give the most two workers can
    gain here (a shared or virtual machine gives less than 2x). Each speed-up is also divided by
    the ceiling of its own round, as the pace of a shared machine drifts between rounds. The
    same ceiling is also measured with the sweep itself for work (each process solving all its
    points on one worker), as the solver's work may share two cores worse than the fixed work.
(e) A sweep of ``N`` points (``--big N``, 10^7 by default, 0 to skip) to Parquet from the CLI,
    with its peak resident memory, next to the 10^6 sweep's: memory is bounded by the chunk,
    not the sweep.

New processes run with Python's bytecode cache on, as for any installed package (see
``bench_startup.py``), and one sweep of each kind runs untimed first to fill it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

import kurilsim
from kurilsim.core.allocator import keep_freed_memory
from kurilsim.core.option_defaults import ARRAY_CHUNK
from kurilsim.forms.normal.labels import outcome_labels
from kurilsim.forms.normal.payoffs import each_player_payoff
from kurilsim.forms.normal.pure_nash import streamed_best_responses
from kurilsim.forms.normal.sweep import _pure_rows
from kurilsim.sweeps.engine import arrow_table, end_kept_processes
from kurilsim.sweeps.store import parquet_writer, part_bytes

ROOT = Path(__file__).resolve().parents[1]
#: The environment of new processes: this one, with the bytecode cache on.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
SOCHI = ROOT / "scenarios" / "sochi_2016.yaml"
#: Peak resident memory of this process in kB. Not ``ru_maxrss``: Linux carries the parent's
#: peak into a child's across fork and exec, so a child started after this benchmark built its
#: 1.15 GB tensor would report at least that much (the 1.28 GB once reported for 10^7 points).
PEAK = (
    "def peak():\n"
    "    import resource\n"
    "    try:\n"
    "        status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
    "        return int(status.split()[0])\n"
    "    except (OSError, IndexError):\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
)
#: Runs the command in a new process, as the ``kurilsim`` script does; reports its peak resident
#: memory and CPU seconds (all its threads, and the processes it forked) on standard error.
CLI = PEAK + (
    "import resource, sys; from kurilsim.__main__ import entry; code = entry(); "
    "use = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]; "
    "print(peak(), sum(u.ru_utime + u.ru_stime for u in use), file=sys.stderr); sys.exit(code)"
)
#: Runs one ``kurilsim.sweep`` call in a new process; reports its seconds, peak memory, CPU
#: seconds of all threads and processes (those it forked, ended by then, included) and of this
#: thread, and voluntary context switches, during the call.
IN_PROCESS = (
    PEAK
    + """
import resource, sys, time
import kurilsim
side, workers, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]  # workers 0: the default
grid = {"sanctions": (0.0, 0.7, side), "trust": (0.0, 1.0, side)}
def used():
    return [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
before, own = used(), time.thread_time()
start = time.perf_counter()
kurilsim.sweep(sys.argv[4], grid, workers=workers or None, out=out, overwrite=True, progress=False)
seconds, own = time.perf_counter() - start, time.thread_time() - own
after = used()  # ended threads, and ended processes waited for, included
cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
switches = after[0].ru_nvcsw - before[0].ru_nvcsw  # of this process
print(seconds, peak(), cpu, own, switches, file=sys.stderr)
"""
)


def cli_sweep(points: tuple[int, int], out: Path) -> tuple[float, float, float]:
    """Seconds, peak resident MB and CPU seconds of ``kurilsim sweep`` over a sanctions x trust
    grid."""
    argv = [
        sys.executable, "-c", CLI, "-q", "sweep", str(SOCHI),
        "--grid", f"sanctions=0:0.7:{points[0]}", "--grid", f"trust=0:1:{points[1]}",
        "--out", str(out), "--force",
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=ENVIRONMENT)
    seconds = time.perf_counter() - start
    peak, cpu = done.stderr.strip().splitlines()[-1].split()
    return seconds, int(peak) / 1024, float(cpu)


def values(n: int) -> dict[str, np.ndarray]:
    """The points of the 1000 x 1000 grid (as the sweep orders them), with other defaults."""
    scenario = kurilsim.load_scenario(SOCHI)
    side = math.isqrt(n)
    sanctions = np.repeat(np.linspace(0, 0.7, side), side)
    trust = np.tile(np.linspace(0, 1, side), side)
    return scenario.parameter_values({"sanctions": sanctions, "trust": trust})


def numpy_pass(n: int) -> tuple[float, float]:
    """Seconds and CPU seconds of one sum over the float64 payoff tensor of the points, built
    beforehand (best of 3 each)."""
    scenario = kurilsim.load_scenario(SOCHI)
    at = values(n)
    tensor = np.empty((n, 3, 3, 2, 2, 4))
    for start in range(0, n, ARRAY_CHUNK):
        chunk = {k: v[start : start + ARRAY_CHUNK] if np.ndim(v) else v for k, v in at.items()}
        tensor[start : start + ARRAY_CHUNK] = scenario.payoffs(chunk)
    best = cpu = math.inf
    for _ in range(3):
        began, used = time.perf_counter(), time.process_time()
        tensor.sum()
        best = min(best, time.perf_counter() - began)
        cpu = min(cpu, time.process_time() - used)
    return best, cpu


def _timed(items: Iterator[np.ndarray], spent: list[float]) -> Iterator[np.ndarray]:
    """``items``, adding the CPU time of this thread spent making each to ``spent[0]``."""
    while True:
        began = time.thread_time()
        item = next(items, None)
        spent[0] += time.thread_time() - began
        if item is None:
            return
        yield item


def phases(n: int) -> dict[str, float]:
    """CPU seconds of each phase of the sweep of the first ``n`` points, one thread."""
    keep_freed_memory()  # as the sweep's engine does
    scenario = kurilsim.load_scenario(SOCHI)
    at, labels = values(n), outcome_labels(scenario)
    names = ("payoffs", "best replies", "table columns", "Arrow table", "part", "Parquet")
    times = dict.fromkeys(names, 0.0)
    with tempfile.TemporaryDirectory() as folder:
        writer = None
        for start in range(0, n, ARRAY_CHUNK):
            chunk = {k: v[start : start + ARRAY_CHUNK] if np.ndim(v) else v for k, v in at.items()}
            games = len(chunk["sanctions"])
            # Each player's payoffs are tested as soon as evaluated, as the sweep does it: the
            # evaluation is timed inside the test, and the rest of it is the test's.
            evaluating = [0.0]
            evaluated = _timed(each_player_payoff(scenario.compiled, chunk, True), evaluating)
            t0 = time.thread_time()
            payoffs, found = streamed_best_responses(evaluated, labels.shape, games)
            assert found.finite  # the finite check, made in that pass as the sweep makes it
            t2 = time.thread_time()
            t1 = t0 + evaluating[0]
            rows = _pure_rows(payoffs, found, games, labels)
            t3 = time.thread_time()
            params = {f"param.{k}": chunk[k][rows.game] for k in ("sanctions", "trust")}
            table = arrow_table({"point": rows.game + start, **params, **rows.columns})
            t4 = time.thread_time()
            encoded = part_bytes(table.combine_chunks())
            hashlib.sha256(encoded).hexdigest()
            (Path(folder) / "part.arrow").write_bytes(encoded)
            t5 = time.thread_time()
            writer = writer or parquet_writer(Path(folder) / "p.parquet", table.schema)
            writer.write_table(table)
            t6 = time.thread_time()
            times["payoffs"] += t1 - t0
            times["best replies"] += t2 - t1
            times["table columns"] += t3 - t2
            times["Arrow table"] += t4 - t3
            times["part"] += t5 - t4
            times["Parquet"] += t6 - t5
        assert writer is not None
        writer.close()
    return times


def in_process(n: int, workers: int, out: Path) -> tuple[float, float, float, float, int]:
    """Seconds of one ``kurilsim.sweep`` call in a new process, its peak resident MB, the CPU
    seconds of all its threads and processes and of the calling thread during the call, and its
    voluntary context switches; the file is checked to be the same as any other run's."""
    argv = [sys.executable, "-c", IN_PROCESS, str(math.isqrt(n)), str(workers), str(out)]
    done = subprocess.run(
        [*argv, str(SOCHI)], capture_output=True, text=True, check=True, env=ENVIRONMENT
    )
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert DIGESTS.setdefault(n, digest) == digest, f"{workers} worker(s) wrote another file"
    seconds, peak, cpu, own, switches = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(peak) / 1024, float(cpu), float(own), int(switches)


#: The SHA-256 of the first file written by :func:`in_process` for each number of points.
DIGESTS: dict[int, str] = {}


#: Solves the chunks of the 10^6-point map in a new process, alternating one thread, two threads
#: and two processes (this one and one forked from it, each taking every other chunk), ``argv[2]``
#: rounds; reports each run's seconds and CPU seconds (children included), one line per run.
CHUNK_WORK = """
import hashlib, os, resource, sys, threading, time
import kurilsim
from kurilsim.core.allocator import keep_freed_memory
from kurilsim.sweeps.engine import Job, chunk_size_for, solve_chunk
from kurilsim.sweeps.spec import GridAxis, SweepSpec, point_set
from kurilsim.sweeps.store import part_bytes

keep_freed_memory()  # as the sweep's engine does
scenario = kurilsim.load_scenario(sys.argv[1])
axes = (GridAxis("sanctions", 0.0, 0.7, 1000), GridAxis("trust", 0.0, 1.0, 1000))
points = point_set(scenario, SweepSpec(grid=axes))
job = Job(scenario, points, "pure", 1e-9, (), chunk_size_for(scenario, "pure", None, 1 << 30))


def work(first, step):
    for index in range(first, job.n_chunks, step):
        table = solve_chunk(job, index).combine_chunks()
        hashlib.sha256(part_bytes(table)).hexdigest()


def threads(count):
    started = [threading.Thread(target=work, args=(k, count)) for k in range(count)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()


def processes():
    child = os.fork()  # before any other thread of this process starts
    if child == 0:
        work(1, 2)
        os._exit(0)
    work(0, 2)
    os.waitpid(child, 0)


def cpu():
    return sum(
        use.ru_utime + use.ru_stime
        for use in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


work(0, job.n_chunks)  # untimed: the first chunk fills the caches
runs = {"one thread": lambda: threads(1), "two threads": lambda: threads(2),
        "two processes": processes}
for _ in range(int(sys.argv[2])):
    for name, run in runs.items():
        start, used = time.perf_counter(), cpu()
        run()
        print(name, time.perf_counter() - start, cpu() - used, file=sys.stderr)
"""


def chunk_work(repeats: int) -> dict[str, list[tuple[float, float]]]:
    """Seconds and CPU seconds of each run of :data:`CHUNK_WORK`, by way of running it."""
    argv = [sys.executable, "-c", CHUNK_WORK, str(SOCHI), str(repeats)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=ENVIRONMENT)
    runs: dict[str, list[tuple[float, float]]] = {}
    for line in done.stderr.strip().splitlines()[-3 * repeats :]:
        *name, seconds, cpu = line.split()
        runs.setdefault(" ".join(name), []).append((float(seconds), float(cpu)))
    return runs


#: The game-by-game sweeps of (d): scenario, grid, and what it stands for.
PER_GAME = (
    ("sochi_2016.yaml", {"sanctions": (0.0, 0.7, 24), "trust": (0.0, 1.0, 18)}, "heavy"),
    ("era_2020.yaml", {"sanctions": (0.3, 0.7, 12), "econ_weight": (0.1, 0.6, 9)}, "light"),
)
#: Rounds of the fixed work of the machine's ceiling in (d): about a second on one core.
CEILING_ROUNDS = 300_000
#: The engines of (d): engine and workers. ``"local"`` with more than one worker starts its
#: processes for the sweep; ``"kept"`` is the local engine on the processes kept from the sweep
#: before (a later sweep of a notebook or a script).
ENGINES = (("local", 1), ("local", 2), ("kept", 2), ("dask", 1), ("dask", 2), ("dask", 4))
#: How each engine of (d) is named in its rows.
ENGINE_NAMES = {
    "local": "local",
    "kept": "local, on the processes kept from the sweep before",
    "dask": "Dask LocalCluster",
}


#: The fixed work of the machine's ceiling in (d): a process reports that it is ready (its
#: imports done), waits for a line on standard input, then runs ``argv[1]`` rounds of small
#: numpy calls and Python arithmetic.
CEILING = """
import sys
import numpy as np
a = np.linspace(0.0, 1.0, 16).reshape(4, 4)
print("ready", flush=True)
sys.stdin.readline()
total = 0.0
for _ in range(int(sys.argv[1])):
    total += float((a @ a).sum()) + sum(range(40))
"""


#: The same, with the sweep itself for work: ``argv[1]`` the scenario, ``argv[2]`` its grid
#: (JSON), solved on one worker.
SWEEP_CEILING = """
import json, sys
import kurilsim
print("ready", flush=True)
sys.stdin.readline()
kurilsim.sweep(sys.argv[1], json.loads(sys.argv[2]), method="support-enumeration", workers=1,
               progress=False)
"""


def fixed_work(processes: int, rounds: int, *, sweep: tuple[str, dict] | None = None) -> float:
    """Seconds for ``processes`` processes, started and ready beforehand, to run the fixed work
    at once (or each the whole ``sweep``, a scenario and its grid, on one worker)."""
    argv = [sys.executable, "-c", CEILING, str(rounds)]
    if sweep is not None:
        argv = [sys.executable, "-c", SWEEP_CEILING, str(ROOT / "scenarios" / sweep[0])]
        argv.append(json.dumps(sweep[1]))
    started = [
        subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    for process in started:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
    begin = time.perf_counter()
    for process in started:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.close()
    for process in started:
        process.wait()
    return time.perf_counter() - begin


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children, running or ended, all told."""
    ended = sum(
        use.ru_utime + use.ru_stime
        for use in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )
    running = 0
    for child in multiprocessing.active_children():  # a sweep's kept worker processes
        with contextlib.suppress(OSError):  # ended meanwhile: counted as ended next time
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
            running += int(fields[11]) + int(fields[12])  # utime, stime
    return ended + running / os.sysconf("SC_CLK_TCK")


def per_game(scenario: str, grid: dict, engine: str, workers: int) -> tuple[float, float, object]:
    """Seconds of one support-enumeration sweep, start of workers or cluster included; the CPU
    seconds of all its processes (new ones included); its table."""
    if engine == "local":
        end_kept_processes()  # its processes are started for the sweep
    start, cpu = time.perf_counter(), cpu_seconds()
    result = kurilsim.sweep(
        ROOT / "scenarios" / scenario, grid, method="support-enumeration", workers=workers,
        engine="local" if engine == "kept" else engine, progress=False,  # type: ignore[arg-type]
    )  # fmt: skip
    return time.perf_counter() - start, cpu_seconds() - cpu, result.to_frame()


def game_by_game(skip_dask: bool, repeats: int) -> None:
    engines = [(e, w) for e, w in ENGINES if e != "dask" or not skip_dask]
    print(
        f"\n(d) game by game: support enumeration, {repeats} rounds, the "
        "engines alternated in each; load average before: "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
        + f" on {os.cpu_count()} cores"
    )
    for scenario, grid, weight in PER_GAME:
        times: dict[tuple[str, int], list[float]] = {key: [] for key in engines}
        cpus: dict[tuple[str, int], list[float]] = {key: [] for key in engines}
        alone: list[float] = []
        together: list[float] = []
        sweep_alone: list[float] = []
        sweep_together: list[float] = []
        reference = None
        for _ in range(repeats):
            alone.append(fixed_work(1, CEILING_ROUNDS))
            together.append(fixed_work(2, CEILING_ROUNDS))
            sweep_alone.append(fixed_work(1, 0, sweep=(scenario, grid)))
            sweep_together.append(fixed_work(2, 0, sweep=(scenario, grid)))
            for key in engines:
                seconds, cpu, table = per_game(scenario, grid, *key)
                times[key].append(seconds)
                cpus[key].append(cpu)
                reference = table if reference is None else reference
                assert table.equals(reference), f"{key} gave another table"
        one = min(times["local", 1])
        ceiling = 2 * min(alone) / min(together)
        points = math.prod(n for _, _, n in grid.values())
        print(f"  {scenario}, {points} points ({weight}), best of {repeats}; same tables:")
        print(
            f"    machine's ceiling: fixed work {min(alone):.2f} s in one process, twice "
            f"the work {min(together):.2f} s in two: {ceiling:.2f}x  (all: "
            + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(alone, together, strict=True))
            + ")"
        )
        print(
            "    the same with the sweep itself for work, on one worker in each process: "
            f"{2 * min(sweep_alone) / min(sweep_together):.2f}x  (all: "
            + ", ".join(
                f"{a:.2f}/{b:.2f}" for a, b in zip(sweep_alone, sweep_together, strict=True)
            )
            + ")"
        )
        # Per round too: the pace of a noisy machine changes from round to round, and a round's
        # sweeps are nearer in time to its own ceiling than to the best of all rounds.
        ceilings = [2 * a / b for a, b in zip(alone, together, strict=True)]
        for (engine, workers), seconds in times.items():
            name = ENGINE_NAMES[engine]
            print(
                f"    {name}, {workers} worker(s): {min(seconds):6.2f} s  speed-up "
                f"{one / min(seconds):.2f}x over local 1  (all: "
                + ", ".join(f"{t:.2f}" for t in seconds)
                + ")"
            )
            # CPU time is steadier than time on the clock under load, and says what new
            # processes cost: their start, and any work done twice. Local ones only: a
            # cluster's workers are the children of its nannies, not of this process, and
            # are not counted.
            if engine != "dask":
                cpu = statistics.median(cpus[engine, workers])
                print(
                    f"      CPU of all its processes: {cpu:.2f} s (median), "
                    f"{cpu / statistics.median(cpus['local', 1]):.2f}x that of local 1"
                )
            if workers > 1:
                rounds = [
                    one_then / then / top
                    for one_then, then, top in zip(
                        times["local", 1], seconds, ceilings, strict=True
                    )
                ]
                print(
                    f"      of the ceiling: {one / min(seconds) / ceiling:.0%} best of rounds, "
                    f"{statistics.median(rounds):.0%} median of rounds  (each round: "
                    + ", ".join(f"{r:.0%}" for r in rounds)
                    + ")"
                )
    print(f"  load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--big", type=int, default=10**7, help="points in (e); 0 skips it")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-per-game", action="store_true", help="skip (d)")
    parser.add_argument("--only-per-game", action="store_true", help="run (d) alone")
    args = parser.parse_args()
    n = 10**6
    print(f"kurilsim {kurilsim.__version__}; sochi_2016.yaml (3 x 3 x 2 x 2, 4 players)\n")
    if args.only_per_game:
        game_by_game(args.skip_dask, args.repeats)
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "sweep.parquet"
        cli_sweep((10, 10), out)  # untimed: fills the bytecode cache
        load = os.getloadavg()[0]
        cli_seconds, cli_peak, cli_cpu = min(
            cli_sweep((1000, 1000), out) for _ in range(args.repeats)
        )
        call_seconds, call_peak, *_ = min(in_process(n, 0, out) for _ in range(args.repeats))
        reference, reference_cpu = numpy_pass(n)
        print("(a) 10^6 points to Parquet, default workers (best of", args.repeats, "runs)")
        print(f"  load average before the runs: {load:.1f} on {os.cpu_count()} cores")
        print(
            f"  kurilsim sweep ... --out x.parquet  : {cli_seconds:7.2f} s  "
            f"{cli_seconds / reference:6.1f}x the numpy pass (target 20x), peak {cli_peak:,.0f} MB"
        )
        print(
            f"    CPU time, all threads              : {cli_cpu:7.2f} s  "
            f"{cli_cpu / reference_cpu:6.1f}x the numpy pass's CPU time ({reference_cpu:.3f} s)"
        )
        print(
            f"  kurilsim.sweep(..., out=x.parquet) : {call_seconds:7.2f} s  "
            f"{call_seconds / reference:6.1f}x, peak {call_peak:,.0f} MB"
        )
        print(f"  one numpy pass over the tensor      : {reference:7.3f} s (1.15 GB, float64)")
        print(f"  CLI / in-process                    : {cli_seconds / call_seconds:7.2f}x")

        times = phases(n)
        total = sum(times.values())
        print("\n(b) the same 10^6 points by phase, one thread, in-process, CPU time")
        for name, seconds in times.items():
            print(
                f"  {name:<15}: {seconds:6.2f} s  ({seconds / total:4.0%})"
                f"  {seconds / reference_cpu:5.1f}x the numpy pass's CPU time"
            )

        print("\n(c) the same sweep in-process to Parquet, local workers, alternated")
        print(f"  load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        runs: dict[int, list[tuple[float, float, float, float, int]]] = {1: [], 2: []}
        for _ in range(args.repeats):
            for workers in runs:
                runs[workers].append(in_process(n, workers, out))
        one = min(run[0] for run in runs[1])
        for workers, done in runs.items():
            best = min(run[0] for run in done)
            cpu, own = (statistics.median(run[k] for run in done) for k in (2, 3))
            switches = statistics.median(run[4] for run in done)
            print(
                f"  {workers} worker(s): {best:6.2f} s  ({best / reference:5.1f}x the numpy pass)"
                f"  speed-up {one / best:.2f}x  (all: "
                + ", ".join(f"{run[0]:.2f}" for run in done)
                + ")"
            )
            print(
                f"    CPU (median): {cpu:.2f} s all, {own:.2f} s the sweep's own thread, "
                f"{cpu - own:.2f} s the others (threads, forked process); "
                f"{switches:,.0f} voluntary context switches"
            )
        print(f"  same file from every run; load average after: {os.getloadavg()[0]:.1f}")
        print("  the chunks' work alone (no Parquet file), alternated in one new process:")
        work = chunk_work(args.repeats)
        alone = min(seconds for seconds, _ in work["one thread"])
        for name, done in work.items():
            best = min(seconds for seconds, _ in done)
            print(
                f"    {name:<13}: {best:6.2f} s  speed-up {alone / best:.2f}x, CPU (median) "
                f"{statistics.median(cpu for _, cpu in done):.2f} s  (all: "
                + ", ".join(f"{seconds:.2f}" for seconds, _ in done)
                + ")"
            )
        print(f"  load average after: {os.getloadavg()[0]:.1f}")

    if not args.skip_per_game:
        game_by_game(args.skip_dask, args.repeats)

    if args.big:
        side = math.isqrt(args.big)
        shape = (args.big // side, side)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "big.parquet"
            seconds, peak, _ = cli_sweep(shape, out)
            size = out.stat().st_size / 1e6
        print(f"\n(e) {shape[0] * shape[1]:,} points, CLI to Parquet ({size:,.0f} MB on disk)")
        print(
            f"  {seconds:7.1f} s = {shape[0] * shape[1] / seconds:,.0f} points/s, "
            f"peak {peak:,.0f} MB"
        )
        print(f"  (the 10^6-point sweep peaked at {cli_peak:,.0f} MB)")


if __name__ == "__main__":
    main()
