"""A whole sweep as one call: scenario and points in, :class:`SweepResult` out."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from kurilsim.core.arguments import (
    DEFAULT_SEED,
    check_bool,
    check_instance,
    check_int,
    check_mapping,
    check_path,
    check_real,
    check_solver_options,
    check_text,
    shown,
)
from kurilsim.core.display import printable
from kurilsim.core.errors import ArgumentTypeError
from kurilsim.core.option_defaults import DEFAULT_MAX_MEMORY
from kurilsim.core.scenario import Scenario
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.registry import load_scenario
from kurilsim.sweeps.engine import (
    Engine,
    Job,
    check_in_memory,
    chunk_size_for,
    default_workers,
    resolve_method,
    run_chunks,
    table_bytes_per_point,
)
from kurilsim.sweeps.info import SweepInfo
from kurilsim.sweeps.result import SweepResult, read_sweep
from kurilsim.sweeps.spec import GridAxis, SweepSpec, point_set
from kurilsim.sweeps.store import (
    ParquetStream,
    SweepStore,
    count_regimes,
    decoded,
    format_of,
)


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    grid: Mapping[str, tuple[float, float, int]] | None = None,
    *,
    samples: int = 0,
    seed: int = DEFAULT_SEED,
    fixed: Mapping[str, float] | None = None,
    method: str | None = None,
    tol: float = DEFAULT_TOL,
    options: Mapping[str, Any] | None = None,
    out: str | os.PathLike[str] | None = None,
    format: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    engine: Engine = "local",
    workers: int | None = None,
    scheduler: Any = None,
    chunk_size: int | None = None,
    max_memory: int = DEFAULT_MAX_MEMORY,
    progress: bool | None = None,
) -> SweepResult:
    """Solve a scenario at every point of a grid, of Monte Carlo samples, or of both.

    Parameters
    ----------
    scenario
        A scenario, or the path of a scenario file: a normal-form scenario or a game tree
        (``form: extensive``).
    grid
        Parameter name -> ``(start, stop, n)``: ``n`` evenly spaced values, ends included; one to
        three parameters. The sweep covers every combination.
    samples
        Monte Carlo draws of every parameter not on the grid and not in ``fixed``, from its
        declared distribution (uniform over its range by default). With a grid, every grid point
        gets the same draws.
    seed
        Seed of the draws; the same seed gives the same table. Without ``samples`` nothing is
        drawn, and the sweep records the default seed whatever is given.
    fixed
        Values of other parameters for the whole sweep; defaults hold for the rest.
    method
        For a normal-form scenario, ``"pure"`` (the default: every pure equilibrium, solved a
        chunk at a time on arrays), ``"auto"`` or another name in :data:`kurilsim.METHODS`
        (solved game by game, in parallel). For a game tree, ``"backward-induction"`` (the
        default; ``"auto"`` stands for it): every subgame-perfect equilibrium in pure
        strategies, solved a chunk at a time on arrays.
    tol
        Relative tolerance, as for :func:`kurilsim.solve`.
    options
        Options of the method, e.g. ``{"max_seconds": 5}``.
    out
        Write the table here as chunks finish (Parquet for a ``.parquet`` name, CSV for
        ``.csv``; any other name is refused). The table is then not kept in memory: the
        result reads it from the file when first used.
    format
        ``"parquet"`` or ``"csv"``; it must agree with the name of ``out`` (``.csv`` is CSV).
    resume
        Complete the unfinished sweep at ``out`` without recomputing its finished chunks.
    overwrite
        Replace a sweep already at ``out``.
    engine
        ``"local"`` or ``"dask"``; see :func:`kurilsim.sweeps.engine.run_chunks`.
    workers
        Parallel workers; one per core by default.
    scheduler
        For ``engine="dask"``: a scheduler address or a ``distributed.Client``; a local cluster
        by default.
    chunk_size
        Points per chunk; by default as large as the memory limit allows, up to 16,384 for pure
        equilibria, and for methods solved game by game up to 64 and small enough to give each
        worker eight chunks (so 108 points on two workers make sixteen chunks of 7).
    max_memory
        Limit on the estimated memory of one chunk, in bytes; without ``out``, also of the
        whole table, which is then held in memory.
    progress
        Show a progress bar on standard error; by default when it is a terminal.

    Returns
    -------
    SweepResult

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type: a ``seed`` or ``chunk_size`` that is not a whole
        number (``None`` included), a grid entry that is not ``(start, stop, n)`` ...
    InputError
        For a bad specification: an unknown parameter, values outside the declared range, a
        count that is not positive, a chunk (or, without ``out``, a table) over the memory
        limit, a method that does not apply,
        or a sweep at ``out`` that cannot be resumed or replaced.

    Examples
    --------
    >>> import kurilsim
    >>> hunt = kurilsim.parse_scenario('''
    ... kurilsim: 1
    ... title: Stag hunt
    ... parameters:
    ...   stag: {default: 4, range: [0, 10], unit: meals, description: a stag, assumption: example}
    ...   hare: {default: 1, range: [0, 3], unit: meals, description: a hare, assumption: example}
    ... players: {A: [stag, hare], B: [stag, hare]}
    ... outcomes:
    ...   a: {description: A's catch, rules: [{when: {A: stag, B: stag}, value: stag},
    ...                                       {when: {A: hare}, value: hare}]}
    ...   b: {description: B's catch, rules: [{when: {A: stag, B: stag}, value: stag},
    ...                                       {when: {B: hare}, value: hare}]}
    ... payoffs: {A: a, B: b}
    ... ''')
    >>> result = kurilsim.sweep(hunt, {"stag": (0, 10, 11), "hare": (0, 3, 4)})
    >>> result
    <SweepResult 'Stag hunt': 44 points, method pure>
    >>> result.to_frame().columns[:4].tolist()
    ['point', 'param.stag', 'param.hare', 'equilibrium']
    >>> print(result.summary())
    Stag hunt
    44 points (stag 0..10 (11) x hare 0..3 (4)); method pure
        84.1%  A: stag, B: stag or A: hare, B: hare
        13.6%  A: hare, B: hare
         2.3%  A: stag, B: stag or A: stag, B: hare or A: hare, B: stag or A: hare, B: hare
    """
    scenario = sweepable(scenario)
    check_text("engine", engine, choices=("local", "dask"))
    samples = check_int("samples", samples, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    spec = SweepSpec(
        grid=tuple(_axis(name, values) for name, values in check_mapping("grid", grid).items()),
        samples=samples,
        # No draws, no seed: recorded as the default, so that the same grid resumes either way.
        seed=seed if samples else DEFAULT_SEED,
        fixed=tuple(check_mapping("fixed", fixed, check_real).items()),
    )
    tol = check_tolerance(tol)  # a float, as the sweep's record holds it (JSON has no float32)
    method = check_text("method", method, optional=True)
    options = check_solver_options(check_mapping("options", options))
    chunk_size = check_int("chunk_size", chunk_size, minimum=1, optional=True)
    max_memory = check_int("max_memory", max_memory, minimum=1)
    workers = check_int("workers", workers, minimum=1, optional=True)
    out = check_path("out", out, optional=True)
    format = check_text("format", format, choices=("parquet", "csv"), optional=True)
    resume, overwrite = check_bool("resume", resume), check_bool("overwrite", overwrite)
    progress = None if progress is None else check_bool("progress", progress)
    points = point_set(scenario, spec)
    name = resolve_method(scenario, method, tol, options)
    store = None if out is None else SweepStore(Path(out), format_of(out, format))
    with nullcontext() if store is None else store.writer():
        stored = store.stored_info() if store is not None and resume else None
        if chunk_size is None and stored is not None:
            chunk_size = stored.chunk_size  # resume in the chunks the sweep was started with
        size = chunk_size_for(
            scenario, name, chunk_size, max_memory, points.size, workers or default_workers()
        )
        job = Job(scenario, points, name, tol, tuple(options.items()), size)
        info = SweepInfo.of(scenario, spec, name, tol, job.options, size)
        if store is None:
            check_in_memory(
                info.n_points, table_bytes_per_point(info.players, info.strategies), max_memory
            )
        done: frozenset[int] = frozenset()
        if store is not None:
            opened = store.open(info, resume, overwrite)
            done = opened.done
            for index, problem in opened.rejected:
                note = f"kurilsim: recomputing {store.part(index)}: {problem}"
                print(printable(note), file=sys.stderr)
        todo = [k for k in range(job.n_chunks) if k not in done]
        regimes: dict[str, int] = {}
        reasons: dict[str, int] = {}
        tables, counted = _run(
            job, todo, store, info, engine, workers, scheduler, progress, (regimes, reasons)
        )
        if store is None:
            joined = pa.concat_tables(
                [tables[k] for k in sorted(tables)], promote_options="permissive"
            )
            return SweepResult(info, decoded(joined.to_pandas()), regimes=regimes, reasons=reasons)
        store.finish(info)
    if not done:
        # Every chunk written and every point counted here: nothing to read back from the file.
        recorded = info.recorded()
        return SweepResult(
            recorded, complete=True, path=store.path, regimes=regimes, reasons=reasons
        )
    # Resumed: the file is described by the chunk it begins with, maybe of the run before.
    return replace(
        read_sweep(store.path),
        regimes=regimes if counted else None,
        reasons=reasons if counted else None,
    )


def _run(
    job: Job,
    todo: list[int],
    store: SweepStore | None,
    info: SweepInfo,
    engine: Engine,
    workers: int | None,
    scheduler: Any,
    progress: bool | None,
    counts: tuple[dict[str, int], dict[str, int]],
) -> tuple[dict[int, pa.Table], bool]:
    """Solve the chunks ``todo``; write each to ``store``, or return them by chunk.

    Each chunk's points are counted as it finishes into ``counts``: by regime, and by
    incomplete reason; so are those of the chunks finished before a resume, as the Parquet
    file being written reads them from their parts. Returns the tables, and whether every point
    of the sweep was counted.
    """
    tables: dict[int, pa.Table] = {}
    done = frozenset(range(job.n_chunks)).difference(todo)

    def count(table: pa.Table) -> None:
        count_regimes(counts[0], table, reasons=counts[1])

    stream = None
    if store is not None and store.format == "parquet" and not store.path.exists():
        stream = ParquetStream(store, info, done, count)
    show = sys.stderr.isatty() if progress is None else progress
    points = sum(job.bounds(k)[1] - job.bounds(k)[0] for k in todo)
    written = None if store is None else _written(store, info)
    # A Parquet sweep's part reads back as the table the file takes: another process may write it.
    read = None if stream is None else stream.read
    with _progress_bar(points, show and len(todo) >= 2) as bar:
        try:
            for index, table in run_chunks(job, todo, engine, workers, scheduler, written, read):
                count(table)
                if store is None:
                    tables[index] = table
                elif stream is not None:
                    stream.add(index, table)
                start, stop = job.bounds(index)
                bar.update(stop - start)
            if stream is not None:
                stream.drain()  # the chunks after the last one computed, finished before
        except BaseException:
            if stream is not None:
                stream.abandon()
            raise
    if stream is not None:
        if stream.complete:
            stream.place()
        else:
            stream.abandon()
    return tables, not done or (stream is not None and stream.complete)


def _written(store: SweepStore, info: SweepInfo) -> Callable[[int, pa.Table], pa.Table]:
    """Write a chunk to its part; give back the table a Parquet file takes (with its metadata).

    Run by the thread that solved the chunk where it can be (see :func:`run_chunks`).
    """

    def write(index: int, table: pa.Table) -> pa.Table:
        arrow = store.write(index, table, info)
        return table if arrow is None else arrow

    return write


def _progress_bar(points: int, show: bool) -> Any:
    """A progress bar over ``points`` points on standard error, or one that shows nothing.

    tqdm is imported only to show one: a sweep to a file from a script or ``-q`` has no use for
    it. The bar starts no thread (tqdm's monitor): a thread running here would keep the sweep
    from forking its workers (:mod:`kurilsim.sweeps.forked`). The monitor only corrects how
    often a bar whose pace falls is redrawn; this one is checked at every chunk instead.
    """
    if not show:
        return _NoProgress()
    from tqdm import tqdm

    class Unmonitored(tqdm):  # type: ignore[misc]  # tqdm is untyped here
        monitor_interval = 0

    return Unmonitored(
        total=points, unit="points", unit_scale=True, desc="sweep", file=sys.stderr, miniters=1
    )


class _NoProgress(nullcontext["_NoProgress"]):
    """Stands for a progress bar that is not shown."""

    def __init__(self) -> None:
        super().__init__(self)

    def update(self, n: int) -> None:
        """Nothing to show."""


def sweepable(scenario: object) -> Scenario:
    """A scenario, loaded from a path if one is given.

    Raises
    ------
    ArgumentTypeError
        If the object is neither a scenario nor a path.
    InputError
        If the file cannot be read.
    """
    if isinstance(scenario, str | os.PathLike):
        scenario = load_scenario(scenario)
    return check_instance(
        "scenario", scenario, Scenario, "a scenario or the path of a scenario file"
    )


def _axis(name: str, values: Any) -> GridAxis:
    """``grid[name]``, given as ``(start, stop, n)``."""
    label = f"grid[{name!r}]"
    if not isinstance(values, list | tuple) or len(values) != 3:
        raise ArgumentTypeError(f"expected (start, stop, n), got {shown(values)}", field=label)
    start, stop, n = values
    return GridAxis(
        name,
        check_real(f"{label} start", start),
        check_real(f"{label} stop", stop),
        check_int(f"{label} n", n, minimum=1),
    )
