"""Chunked evaluation of a sweep: vectorised where the method allows, in parallel otherwise.

The points of a sweep are cut into chunks of ``chunk_size`` consecutive points. A chunk is solved
by :func:`solve_chunk`, which returns its part of the tidy table; chunks are independent, so they
can run in any order, on any worker, and be written as they finish.

* For pure Nash the payoff expressions are evaluated once per chunk on arrays
  (:meth:`Scenario.payoff_tensor`) and the whole chunk is solved in the same numpy calls
  (:func:`~kurilsim.forms.normal.pure_nash.pure_nash_mask`). Memory is bounded by the chunk size.
* For game trees (``form: extensive``), subgame-perfect equilibria likewise: the leaf payoffs are
  evaluated once per chunk and backward induction runs on the whole chunk at once
  (:mod:`kurilsim.forms.extensive.sweep`).
* On the local engine, a vectorised sweep's chunks run on threads, or in this process and processes
  forked from it that write the chunks they solve themselves (:mod:`kurilsim.sweeps.forked`).
* Other methods solve one game at a time with :func:`kurilsim.solve`; chunks then run in a local
  process pool, or on a Dask cluster.

Whatever the path, each chunk's table has the same columns as :meth:`Solution.to_frame` (without
the method, which the sweep records once), preceded by the point number and the varied
parameters and followed by the equilibrium's label, the regime at its point and whether the
method finished there.
"""

from __future__ import annotations

import atexit
import collections
import functools
import importlib
import math
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from kurilsim.core.abandonable import IDLE_THREAD
from kurilsim.core.allocator import keep_freed_memory
from kurilsim.core.arrow_columns import numeric_array
from kurilsim.core.errors import InputError
from kurilsim.core.option_defaults import ARRAY_CHUNK, GAME_CHUNK
from kurilsim.core.scenario import GameForm, Scenario
from kurilsim.core.sweep_rows import SweepRows, merged
from kurilsim.sweeps.forked import forks_for, run_forked
from kurilsim.sweeps.spec import PointSet

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Engine = Literal["local", "dask"]
#: Chunks per worker that a game-by-game sweep is cut into at least, so that the last chunks to
#: finish leave the workers idle for a small part of the run.
CHUNKS_PER_WORKER = 8
#: CPU seconds that a new local worker process takes to start, about (it imports kurilsim,
#: numpy, pydantic and pyarrow), and each worker of a new Dask ``LocalCluster`` (its process and
#: nanny import distributed too). A sweep that would take less CPU time than twice its new
#: processes' start (see :func:`_run_local`), or than a new cluster's workers together take to
#: start, is solved in this process instead. CPU time, not seconds on the clock, so that the
#: choice is the same on a loaded machine as on an idle one.
PROCESS_START, CLUSTER_START = 1.0, 2.0
#: CPU seconds that a worker process kept from an earlier sweep takes to join a new one, about
#: (it rebuilds the scenario, and its first chunk fills the solver's caches for the game's shape).
KEPT_START = 0.25


@dataclass(frozen=True, eq=False)
class Job:
    """Everything needed to solve any chunk of a sweep; pickles compactly for workers.

    Attributes
    ----------
    scenario
        The scenario swept (sent to workers as its validated content, and rebuilt there).
    points
        The points of the sweep.
    method
        A method name of :data:`kurilsim.forms.normal.solve.METHODS` (``"auto"`` resolved).
    tol
        Relative tolerance.
    options
        Method options, as ``(name, value)`` pairs.
    chunk_size
        Points per chunk.
    """

    scenario: Scenario
    points: PointSet
    method: str
    tol: float
    options: tuple[tuple[str, Any], ...]
    chunk_size: int

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Compiled expressions are closures that do not pickle; the validated file content does.
        return (
            _rebuild_job,
            (
                self.scenario.form,
                self.scenario.spec,
                self.scenario.source,
                self.points,
                self.method,
                self.tol,
                self.options,
                self.chunk_size,
            ),
        )

    @property
    def vectorised(self) -> bool:
        """Whether the method solves a whole chunk on arrays."""
        return self.method in self.scenario.form.vectorised

    @property
    def n_chunks(self) -> int:
        """The number of chunks."""
        return math.ceil(self.points.size / self.chunk_size)

    def bounds(self, index: int) -> tuple[int, int]:
        """The first point of chunk ``index`` and one past its last."""
        start = index * self.chunk_size
        return start, min(start + self.chunk_size, self.points.size)


def _rebuild_job(
    form: GameForm,
    spec: Any,
    source: str,
    points: PointSet,
    method: str,
    tol: float,
    options: tuple[tuple[str, Any], ...],
    chunk_size: int,
) -> Job:
    scenario = Scenario(form, spec, form.compile(spec, source), source)
    return Job(scenario, points, method, tol, options, chunk_size)


def resolve_method(
    scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
) -> str:
    """Check a sweep's method, tolerance and options before any chunk runs; return the method.

    ``None`` stands for the form's sweep default (``"pure"`` on a normal-form scenario,
    ``"backward-induction"`` on a game tree); see the form's ``sweep_method``.

    Raises
    ------
    InputError
        For an unknown method, one that does not apply to the scenario's game, an option the
        method does not have, or a tolerance outside (0, 1e-3].
    """
    return scenario.form.sweep_method(scenario, method, tol, options)


def table_bytes_per_point(players: Sequence[str], strategies: Sequence[Sequence[str]]) -> int:
    """A generous estimate of the memory one point's rows take in a table held in memory.

    About 1.1 rows per point on the bundled scenarios (measured at 380 bytes a point on
    sochi_2016, estimated at 580); numbers take 8 bytes, and the ``label``,
    ``regime`` and ``kind`` strings about as many bytes as characters, plus overhead.
    """
    numbers = sum(len(s) for s in strategies) + len(players) + 6
    label = sum(
        len(p) + max(map(len, s), default=8) + 4 for p, s in zip(players, strategies, strict=True)
    )
    return 5 * (8 * numbers + 3 * label + 64) // 4


def check_in_memory(n_points: int, per_point: int, max_memory: int) -> None:
    """Refuse a table that would not fit within ``max_memory`` when held in memory.

    Raises
    ------
    InputError
        Naming the estimate and how to avoid it: write the table to a file, chunk by chunk.

    Examples
    --------
    >>> check_in_memory(10**8, 500, 1 << 30)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: the table of 100,000,000 points would need about 50.0 GB in
    memory, over the memory limit of 1.1 GB; write it to a file with --out (out=), which holds
    one chunk at a time, or raise the limit
    """
    if n_points * per_point > max_memory:
        raise InputError(
            f"the table of {n_points:,} points would need about {_gb(n_points * per_point)} in "
            f"memory, over the memory limit of {_gb(max_memory)}; write it to a file with --out "
            "(out=), which holds one chunk at a time, or raise the limit"
        )


def chunk_size_for(
    scenario: Scenario,
    method: str,
    chunk_size: int | None,
    max_memory: int,
    n_points: int | None = None,
    workers: int = 1,
) -> int:
    """The chunk size to use: ``chunk_size`` if given and affordable, else the default.

    The default for methods solved game by game is at most :data:`GAME_CHUNK` points, and small
    enough that ``n_points`` make :data:`CHUNKS_PER_WORKER` chunks for each of ``workers``: with
    only as many chunks as workers, one slow chunk would leave the others idle.

    Raises
    ------
    InputError
        If ``chunk_size`` is not positive, or a chunk of it would need more than ``max_memory``
        bytes by :func:`bytes_per_point`.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> hunt = load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: the catches
    >>> chunk_size_for(hunt, "pure", None, 1 << 30)
    16384
    >>> chunk_size_for(hunt, "support-enumeration", None, 1 << 30, n_points=108, workers=2)
    7
    >>> chunk_size_for(hunt, "pure", 10**7, 1 << 30)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: a chunk of 10,000,000 points needs about 3.4 GB, over the
    memory limit of 1.1 GB; use a chunk size of at most 3,195,660 points or raise the limit
    """
    per_point = scenario.form.bytes_per_point(scenario, method)
    largest = max_memory // per_point
    if largest < 1:
        raise InputError(
            f"one point of this scenario needs about {_gb(per_point)}, over the memory limit of "
            f"{_gb(max_memory)}; raise the limit"
        )
    if chunk_size is None:
        if method in scenario.form.vectorised:
            return min(ARRAY_CHUNK, largest)
        spread = GAME_CHUNK if n_points is None else -(-n_points // (CHUNKS_PER_WORKER * workers))
        return max(1, min(GAME_CHUNK, spread, largest))
    if chunk_size <= 0:
        raise InputError(f"chunk size must be positive, got {chunk_size}")
    if chunk_size > largest:
        raise InputError(
            f"a chunk of {chunk_size:,} points needs about {_gb(chunk_size * per_point)}, over the "
            f"memory limit of {_gb(max_memory)}; use a chunk size of at most {largest:,} points "
            "or raise the limit"
        )
    return chunk_size


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def solve_chunk(job: Job, index: int) -> pa.Table:
    """Solve chunk ``index`` of ``job`` and return its rows of the sweep table, as Arrow.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> hunt = load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: the catches
    >>> from kurilsim.sweeps.spec import GridAxis, SweepSpec, point_set
    >>> points = point_set(hunt, SweepSpec(grid=(GridAxis("stag", 0, 10, 6),)))
    >>> job = Job(hunt, points, "pure", 1e-9, (), chunk_size=3)
    >>> solve_chunk(job, 0).to_pandas()[["point", "param.stag", "equilibrium", "label"]]
       point  param.stag  equilibrium             label
    0      0         0.0            1  A: hare, B: hare
    1      1         2.0            1  A: stag, B: stag
    2      1         2.0            2  A: hare, B: hare
    3      2         4.0            1  A: stag, B: stag
    4      2         4.0            2  A: hare, B: hare
    """
    return chunk_table([solve_rows(job, *job.bounds(index))])


def solve_rows(job: Job, start: int, stop: int) -> SweepRows:
    """The rows of points ``start`` to ``stop - 1`` of ``job``, ``game`` their point numbers.

    A point's rows do not depend on the points solved with it: the rows of consecutive pieces of
    a chunk make the chunk's table (:func:`chunk_table`).
    """
    scenario = job.scenario
    values = job.points.values(start, stop)
    at = scenario.parameter_values({**dict(job.points.spec.fixed), **values})
    solved = scenario.form.sweep_rows(scenario, at, job.method, job.tol, dict(job.options))
    point = start + solved.game
    columns: dict[str, Any] = {"point": point}
    if job.points.spec.samples:
        columns["sample"] = point % job.points.spec.samples
    columns.update({f"param.{name}": v[solved.game] for name, v in values.items()})
    columns.update(solved.columns)
    return SweepRows(point, columns)


def chunk_table(pieces: Sequence[SweepRows]) -> pa.Table:
    """The table of a chunk from the rows of its points, solved in one piece or several.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> hunt = load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: the catches
    >>> from kurilsim.sweeps.spec import GridAxis, SweepSpec, point_set
    >>> points = point_set(hunt, SweepSpec(grid=(GridAxis("stag", 0, 10, 6),)))
    >>> job = Job(hunt, points, "vertex-enumeration", 1e-9, (), chunk_size=3)
    >>> pieces = [solve_rows(job, 0, 1), solve_rows(job, 1, 3)]
    >>> chunk_table(pieces).equals(solve_chunk(job, 0))
    True
    """
    return arrow_table(merged(pieces).columns)


def arrow_table(columns: Mapping[str, Any]) -> pa.Table:
    """The Arrow table of a chunk's columns, numpy arrays and categoricals taken as they are.

    An Arrow array is used as it is and a numeric numpy column without a copy, so the vectorised
    paths load no pandas and make no Python object per row; a pandas categorical becomes a
    dictionary column from its codes; a single value stands for every row; any other column
    (lists, pandas arrays) is converted as pandas converts it. A numeric numpy column cannot
    hold a null (nan is a number), and its field says so: Parquet then stores no definition
    levels for it, which saves about a sixth of the encoding's time.

    Examples
    --------
    >>> import pandas as pd
    >>> table = arrow_table({"x": np.array([1.0, 2.0]), "label": pd.Categorical(["b", "a"]),
    ...                      "path": ["l", None]})
    >>> [str(t) for t in table.schema.types]
    ['double', 'dictionary<values=string, indices=int8, ordered=0>', 'large_string']
    >>> [field.nullable for field in table.schema]
    [False, True, True]
    >>> table.column("label").to_pylist()
    ['b', 'a']
    """
    # An Arrow array is not given to numpy, which would convert it (and load pandas).
    vectors = [c for c in columns.values() if isinstance(c, pa.Array) or np.ndim(c) == 1]
    rows = max((len(c) for c in vectors), default=1)
    arrays = {}
    numbers = set()  # columns made from numpy numbers, without a validity buffer: never null
    for name, column in columns.items():
        if (
            not isinstance(column, pa.Array) and np.ndim(column) == 0
        ):  # one value for every row (a batch of one game, say)
            column = np.full(rows, column)
        if isinstance(column, pa.Array):
            arrays[name] = column
        elif isinstance(column, np.ndarray) and column.dtype.kind in "biuf":
            arrays[name] = numeric_array(column)
            numbers.add(name)
        else:
            import pandas as pd  # imported when used: the vectorised paths need none

            if isinstance(column, pd.Categorical):
                codes = column.codes
                words = pa.array(np.asarray(column.categories, dtype=object), pa.string())
                arrays[name] = pa.DictionaryArray.from_arrays(
                    pa.array(codes, mask=codes < 0), words
                )
            else:
                frame = pd.DataFrame({name: column})
                arrays[name] = pa.Table.from_pandas(frame, preserve_index=False).column(0)
    fields = [pa.field(name, a.type, nullable=name not in numbers) for name, a in arrays.items()]
    return pa.Table.from_arrays(list(arrays.values()), schema=pa.schema(fields))


# ------------------------------------------------------------------------------------- running


def default_workers() -> int:
    """Workers used when none are given: one per available core."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_chunks(
    job: Job,
    indices: Sequence[int],
    engine: Engine = "local",
    workers: int | None = None,
    scheduler: Any = None,
    then: Callable[[int, pa.Table], pa.Table] | None = None,
    read: Callable[[int], pa.Table] | None = None,
) -> Iterator[tuple[int, pa.Table]]:
    """Solve the chunks ``indices`` of ``job``, yielding ``(index, table)`` as each finishes.

    Parameters
    ----------
    job
        The sweep.
    indices
        The chunks to solve.
    engine
        ``"local"``: in this process with one worker; with more, vectorised methods run chunks
        in this process and ``workers - 1`` forked ones where they can (given ``then`` and
        ``read``; see :mod:`kurilsim.sweeps.forked`), else in threads (numpy releases the GIL
        on array work); other methods run in this process and
        ``workers - 1`` other ones, unless the sweep is too light to pay for starting them
        (:data:`PROCESS_START`; see :func:`_run_local`); they are kept for the next such
        sweep (:func:`end_kept_processes`). ``"dask"``: on a Dask cluster.
    workers
        Local workers, or the workers of a new Dask ``LocalCluster``; one per core by default.
    scheduler
        For ``"dask"``: the address of a running scheduler, or a ``distributed.Client``;
        a ``LocalCluster`` is started (and closed at the end) when none is given, unless the
        sweep is too light to pay for its start (:data:`CLUSTER_START`).
    then
        Applied to each chunk's ``(index, table)``; its answer is yielded as the table. It runs
        in the thread or forked process that solved the chunk where there is one (the local
        workers of a vectorised sweep: writing a chunk while its arrays are still in that core's
        cache, and while the others solve), else in the caller's thread as the chunk arrives.
    read
        Reads back the table that ``then`` gave for a chunk, from what it wrote: given, a
        forked process may solve a chunk and apply ``then`` itself, and send back only the
        chunk's number; the table yielded is then read here.

    A few chunks per worker are in flight at once (two per thread or Dask thread,
    :data:`ASKS_PER_PROCESS` per other process), so memory stays bounded by the chunk size however
    many chunks there are. The table of each chunk is the same whatever runs it.
    A vectorised sweep on this machine has ``malloc`` keep freed memory for the next chunk
    (:func:`~kurilsim.core.allocator.keep_freed_memory`).

    Examples
    --------
    >>> from kurilsim import parse_scenario
    >>> from kurilsim.sweeps.spec import GridAxis, SweepSpec, point_set
    >>> game = parse_scenario(
    ...     "{kurilsim: 1, title: t, players: {A: [a, b], B: [c]}, payoffs: {A: x, B: 0},"
    ...     " parameters: {x: {default: 0, range: [0, 1], unit: u, description: x,"
    ...     " assumption: e}}}")
    >>> points = point_set(game, SweepSpec(grid=(GridAxis("x", 0, 1, 10),)))
    >>> job = Job(game, points, "pure", 1e-9, (), chunk_size=4)
    >>> sorted((index, len(table)) for index, table in run_chunks(job, [0, 1, 2], workers=2))
    [(0, 8), (1, 8), (2, 4)]
    """
    count = workers or default_workers()
    if count < 1:
        raise InputError(f"workers must be positive, got {count}")
    if engine == "local" and job.vectorised:
        keep_freed_memory()  # each chunk reuses the memory of the last, without page faults
    sharing = min(count, len(indices))  # a process beyond the chunks would never get one
    if engine == "local" and job.vectorised and count > 1 and len(indices) > 1:
        if then is not None and read is not None and forks_for(job.bounds, indices):
            solve = functools.partial(solve_chunk, job)
            yield from run_forked(solve, indices, sharing - 1, then, read)
            return
        with ThreadPoolExecutor(count) as threads:
            yield from _windowed(threads, job, indices, 2 * count, then)
        return
    if engine == "dask":
        solved = _run_dask(job, indices, count, scheduler)
    elif count == 1 or len(indices) <= 1:
        solved = _solve_here(job, indices)
    else:
        solved = _run_local(job, indices, sharing)
    for index, table in solved:
        yield index, table if then is None else then(index, table)


def _solve_here(job: Job, indices: Sequence[int]) -> Iterator[tuple[int, pa.Table]]:
    for index in indices:
        yield index, solve_chunk(job, index)


def _run_local(job: Job, indices: Sequence[int], workers: int) -> Iterator[tuple[int, pa.Table]]:
    """Solve chunks here, and in up to ``workers - 1`` other processes if they pay for their start.

    The first points of the first chunk tell the CPU time of the others (:class:`_Probe`); they
    are points of the sweep like any other, and their rows are kept. New processes are started
    if the chunks left would take this process more than twice the CPU time that the processes
    take to start (:data:`PROCESS_START` each): a new process helps only once it has started,
    and then with a share of what is left, so a sweep just worth a start would gain nothing that
    noise does not swallow, and a lighter one would lose. Processes kept from an earlier sweep
    (:func:`end_kept_processes`) have started already: they cost only :data:`KEPT_START` each.
    Either way this process first finishes its first chunk.
    """
    probe = _Probe(job, indices)
    yield from probe.run()
    later = indices[probe.chunks :]
    processes = min(workers - 1, len(later))
    start = (KEPT_START if _has_kept(processes) else PROCESS_START) * processes
    if processes and probe.estimate(later) > 2 * start:
        yield from _run_here_and_in_processes(job, later, processes + 1, probe.finish)
        return
    if (first := probe.finish()) is not None:
        yield first
    yield from _solve_here(job, later)


def _run_here_and_in_processes(
    job: Job,
    indices: Sequence[int],
    workers: int,
    begun: Callable[[], tuple[int, pa.Table] | None],
) -> Iterator[tuple[int, pa.Table]]:
    """Solve chunks in this process and in ``workers - 1`` other ones, each taking the next one.

    ``begun`` finishes a chunk that this process had begun (not one of ``indices``; None if
    there is none): this process finishes it first, while new processes start.

    The chunks form one queue: a count, shared by the processes, of those taken. This process
    takes chunks from the first moment, while new ones start (each imports kurilsim, numpy
    and pyarrow: most of a second of CPU), and another process takes a chunk only once it has
    started and finished the last. So no chunk waits on a process that is still starting, the
    last chunks go to whichever process is free first, and a sweep that this process finishes
    alone ends the new ones, started or not. Each other process is asked for chunks
    :data:`ASKS_PER_PROCESS` at a time, and asked again as soon as this one sees an answer,
    before it solves its next chunk, so that the others never wait for this one to ask.

    Processes that have started and served the sweep to its end are kept for the next sweep of
    this process with as many workers (:func:`_kept_processes`): a second sweep in a notebook
    or a script does not pay their start again.
    """
    processes = _kept_processes(workers - 1) or _Processes(workers - 1)
    sweep = processes.begin()
    payload = pickle.dumps((job, tuple(indices)), protocol=pickle.HIGHEST_PROTOCOL)
    left = len(indices)  # chunks not yet solved
    asked: set[Future[tuple[int, pa.Table] | None]] = set()
    served = False  # whether another process has answered: it has started

    def ask() -> None:
        while not processes.all_taken(len(indices)) and len(asked) < ASKS_PER_PROCESS * (
            workers - 1
        ):
            asked.add(processes.pool.submit(_take_and_solve, sweep, payload))

    finished = False
    try:
        ask()  # new processes start now, while this one finishes the chunk it had begun
        if (first := begun()) is not None:
            yield first
        while left:
            for future in [f for f in asked if f.done()]:
                asked.remove(future)
                served = True
                if (solved := future.result()) is not None:
                    left -= 1
                    yield solved
            ask()
            if (position := processes.take(sweep, len(indices))) is not None:
                left -= 1
                yield indices[position], solve_chunk(job, indices[position])
            elif left:
                wait(asked, return_when=FIRST_COMPLETED)
        finished = True
    finally:
        # Done, or Ctrl-C, an error, or the caller stopped reading: end the processes now,
        # mid-chunk or still starting, rather than wait for them; keep them only if they have
        # started and are idle (the asks left find no chunk of this sweep, nor of the next).
        if finished and served and processes.healthy():
            _keep(processes)
        else:
            stop_pool(processes.pool)


#: Chunks asked of each other process at a time: one it solves, the others queued for it.
ASKS_PER_PROCESS = 3
#: Seconds between a worker's checks that the process that started it is still there.
PARENT_POLL = 0.5
#: Seconds that the processes of a finished game-by-game sweep are kept for the next one.
KEEP_PROCESSES = 600.0


class _Processes:
    """Worker processes of game-by-game sweeps, and the count of chunks they share.

    The count is ``[sweep, taken]``: the sweep now served (a number this process gives each
    sweep it runs on them) and how many of its chunks are taken. An ask of an earlier sweep,
    still queued when that sweep ended, finds its sweep over and takes nothing.
    """

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")  # fork is unsafe in threaded processes
        self.count = context.Array("q", 2)
        self.size = processes
        self.pool = ProcessPoolExecutor(
            processes,
            mp_context=context,
            initializer=_install,
            initargs=(self.count, os.getpid()),
        )
        self._sweeps = 0
        self._timer: threading.Timer | None = None

    def begin(self) -> int:
        """Number a new sweep, with none of its chunks taken; the earlier one's asks end."""
        self._sweeps += 1
        with self.count.get_lock():
            self.count[0], self.count[1] = self._sweeps, 0
        return self._sweeps

    def take(self, sweep: int, count: int) -> int | None:
        """Take the next of the ``count`` chunks of ``sweep``: its position, None if none."""
        return _take(self.count, sweep, count)

    def all_taken(self, count: int) -> bool:
        """Whether all ``count`` chunks of the sweep now served are taken."""
        return bool(self.count[1] >= count)

    def healthy(self) -> bool:
        """Whether every process is alive and the pool usable."""
        processes = (getattr(self.pool, "_processes", None) or {}).values()
        return not getattr(self.pool, "_broken", False) and all(p.is_alive() for p in processes)

    def hold(self, seconds: float) -> None:
        """End the processes in ``seconds`` unless :meth:`release` is called first."""
        self._timer = threading.Timer(seconds, _drop_kept, args=(self,))
        self._timer.daemon = True  # no wait for it at exit
        self._timer.start()

    def release(self) -> None:
        """Cancel the end set by :meth:`hold`."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


_KEPT: list[_Processes] = []  # at most one
_KEPT_END_AT_EXIT: list[bool] = []  # whether they are ended at exit (registered once)
_KEPT_LOCK = threading.Lock()


def _forget_kept() -> None:
    """In a child forked from this process: the kept processes are its parent's, not its own.

    Left on record, the child would end them at its exit (or on :func:`end_kept_processes`),
    mid-chunk of a sweep of its parent's, and fail to wait for processes not its own.
    """
    global _KEPT_LOCK
    _KEPT_LOCK = threading.Lock()  # another thread may have held it at the fork
    _KEPT.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forget_kept)


def _kept_processes(size: int) -> _Processes | None:
    """The kept processes if there are ``size`` of them, alive; any others are ended."""
    with _KEPT_LOCK:
        kept = _KEPT.pop() if _KEPT else None
    if kept is None:
        return None
    kept.release()
    if kept.size == size and kept.healthy():
        return kept
    stop_pool(kept.pool)
    return None


def _has_kept(size: int) -> bool:
    """Whether ``size`` processes are kept from an earlier sweep."""
    with _KEPT_LOCK:
        return bool(_KEPT) and _KEPT[0].size == size


def _keep(processes: _Processes) -> None:
    """Keep ``processes`` for the next sweep, for :data:`KEEP_PROCESSES` seconds at most."""
    if not _KEPT_END_AT_EXIT:
        # Ended at exit before the pool's own exit handler would ask each to stop and wait
        # while it unloads its modules (a quarter of a second): they are idle, nothing is
        # lost. Threading's exit callbacks run last registered first, and before atexit's.
        # (A private function: where it is missing, atexit's callbacks, which run after.)
        getattr(threading, "_register_atexit", atexit.register)(end_kept_processes)
        _KEPT_END_AT_EXIT.append(True)
    with _KEPT_LOCK:
        old = _KEPT.pop() if _KEPT else None
        _KEPT.append(processes)
        processes.hold(KEEP_PROCESSES)
    if old is not None:  # another thread's sweep kept its own meanwhile
        old.release()
        stop_pool(old.pool)


def _drop_kept(processes: _Processes) -> None:
    with _KEPT_LOCK:
        if processes not in _KEPT:
            return  # taken by a sweep meanwhile
        _KEPT.remove(processes)
    stop_pool(processes.pool)


def end_kept_processes() -> None:
    """End the worker processes kept from the last game-by-game sweep, if any.

    A sweep solved game by game on more than one local worker keeps the processes it started,
    once they have started and the sweep is over, for the next such sweep of this process with
    as many workers; they end after :data:`KEEP_PROCESSES` seconds unused, when this process
    exits, or when this is called.

    Examples
    --------
    >>> end_kept_processes()
    """
    with _KEPT_LOCK:
        kept = _KEPT.pop() if _KEPT else None
    if kept is not None:
        kept.release()
        stop_pool(kept.pool)


#: In a worker process: the shared count, and the sweep whose job it holds.
_WORKER: dict[str, Any] = {}


def _install(count: Any, parent: int) -> None:
    _WORKER.clear()
    _WORKER["count"] = count
    # Ctrl-C reaches the whole process group; the parent stops the workers (stop_pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Named idle: it only polls, so a hull may still be forked beside it (can_abandon).
    watch = threading.Thread(
        target=_exit_with_parent, args=(parent,), name=IDLE_THREAD, daemon=True
    )
    watch.start()


def _take(count: Any, sweep: int, chunks: int) -> int | None:
    """Take the next of the ``chunks`` chunks of ``sweep`` for the caller: its position.

    None if all are taken, or another sweep is served.
    """
    with count.get_lock():
        position: int = count[1]
        if count[0] != sweep or position >= chunks:
            return None
        count[1] = position + 1
    return position


def _take_and_solve(sweep: int, payload: bytes) -> tuple[int, pa.Table] | None:
    count = _WORKER["count"]
    if count[0] != sweep:
        return None  # an ask of a sweep that has ended
    if _WORKER.get("sweep") != sweep:
        _WORKER["job"], _WORKER["indices"] = pickle.loads(payload)
        _WORKER["sweep"] = sweep
    job, indices = _WORKER["job"], _WORKER["indices"]
    position = _take(count, sweep, len(indices))
    return None if position is None else (indices[position], solve_chunk(job, indices[position]))


def _exit_with_parent(parent: int) -> None:
    """End this worker once the process that started it is gone (killed with SIGKILL, say).

    A killed parent cannot stop its workers; without this they would finish the chunks queued
    for them, and then wait for more forever.
    """
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel the chunks not started and end the pool's workers now, mid-chunk."""
    # The executor has no public way to end running work (Python 3.14 adds terminate_workers).
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(PARENT_POLL * 10)
        if process.is_alive():  # still starting up on a busy machine: no leftover process
            process.kill()
            process.join()


def _windowed(
    pool: Executor,
    job: Job,
    indices: Sequence[int],
    window: int,
    then: Callable[[int, pa.Table], pa.Table] | None = None,
) -> Iterator[tuple[int, pa.Table]]:
    """Keep at most ``window`` chunks in flight on ``pool``; yield them as they finish.

    ``then`` is applied to each chunk by the worker that solved it (see :func:`run_chunks`).
    """
    todo = iter(indices)
    running: dict[Future[pa.Table], int] = {}
    try:
        while True:
            while len(running) < window and (index := next(todo, None)) is not None:
                running[pool.submit(_solve_then, job, index, then)] = index
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=running.__getitem__):
                yield running.pop(future), future.result()
    finally:
        for future in running:
            future.cancel()


def _solve_then(job: Job, index: int, then: Callable[[int, pa.Table], pa.Table] | None) -> pa.Table:
    """Solve chunk ``index`` of ``job``, then apply ``then`` to its table, in this thread."""
    table = solve_chunk(job, index)
    return table if then is None else then(index, table)


def _run_dask(
    job: Job, indices: Sequence[int], workers: int, scheduler: Any
) -> Iterator[tuple[int, pa.Table]]:
    """Solve ``indices`` on a Dask cluster, as :func:`run_chunks` says.

    A new ``LocalCluster`` takes seconds to start, longer than many light sweeps take all told:
    the first chunk is solved here, and a cluster started only for two chunks or more that would
    take more CPU time here than the cluster's workers take to start (:data:`CLUSTER_START`
    each), as the first chunk's points tell (:class:`_Probe`); else they are solved here too.
    """
    try:
        # Imported on demand (it is optional and slow to import), and untyped: held as Any.
        distributed: Any = importlib.import_module("dask.distributed")
    except ImportError:
        raise InputError(
            "the dask engine needs dask.distributed: pip install 'dask[distributed]'"
        ) from None
    if scheduler is None and len(indices) <= 1:
        yield from _solve_here(job, indices)
        return
    if scheduler is None:
        probe = _Probe(job, indices)
        yield from probe.run()
        if (first := probe.finish()) is not None:
            yield first
        indices = indices[probe.chunks :]
        if len(indices) <= 1 or probe.estimate(indices) <= CLUSTER_START * workers:
            yield from _solve_here(job, indices)
            return
    todo = collections.deque(indices)
    cluster = None
    if isinstance(scheduler, distributed.Client):
        client = scheduler
    elif scheduler is not None:
        client = distributed.Client(scheduler)
    else:
        # Its dashboard on any free port: a second sweep (or cluster) must not clash on 8787.
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=":0"
        )
        client = distributed.Client(cluster)
    futures: dict[Any, int] = {}
    try:
        shared = client.scatter(job, broadcast=True)
        queue = distributed.as_completed()
        window = _Window(client)

        def submit_up_to_window() -> None:
            while todo and len(futures) < window.size():
                index = todo.popleft()
                future = client.submit(solve_chunk, shared, index, pure=False)
                futures[future] = index
                queue.add(future)

        submit_up_to_window()
        for future in queue:
            index = futures.pop(future)
            table = future.result()
            submit_up_to_window()
            yield index, table
    finally:
        for future in futures:
            future.cancel()
        if client is not scheduler:
            client.close()
        if cluster is not None:
            cluster.close()


#: Points of the larger of the two probes that :class:`_Probe` times.
PROBE_POINTS = 4


class _Probe:
    """The first chunk of ``indices`` solved in pieces, timed to tell the CPU time of the others.

    Its first point is solved alone, untimed: it loads the solver's modules, which the other
    points do not. Then one point, and :data:`PROBE_POINTS` points, are solved as two calls and
    timed: a call has a cost of its own besides its points' (making its rows), which the two
    tell apart. A few points, where timing a whole chunk would delay the decision by a chunk.
    A chunk too small for both is solved whole, and the next chunk timed whole if the first
    had a single point. Every piece's rows are kept: :meth:`finish` solves the rest of the first
    chunk and gives its table, the same as that of one call; an estimate made after it is made
    from the whole chunk.

    The time is that of this thread alone, which other threads of the process (a notebook's, a
    client's) do not inflate, and CPU time, not time on the clock, so that the answer is the
    same on a loaded machine as on an idle one.
    """

    def __init__(self, job: Job, indices: Sequence[int]) -> None:
        self._job, self._indices = job, indices
        self._done, self._stop = job.bounds(indices[0])  # the first point not yet solved, the end
        self._pieces: list[SweepRows] = []
        self._timed: list[tuple[int, float]] = []  # (points, CPU seconds) of each timed call
        #: Chunks of ``indices`` begun (the first) or finished by the probes.
        self.chunks = 1

    def _solve(self, points: int, timed: bool) -> None:
        began = time.thread_time()
        self._pieces.append(solve_rows(self._job, self._done, self._done + points))
        if timed:
            self._timed.append((points, time.thread_time() - began))
        self._done += points

    def run(self) -> Iterator[tuple[int, pa.Table]]:
        """Solve the probes; yield the chunks they finish (only if the first has one point)."""
        size = self._stop - self._done
        self._solve(1, timed=False)
        if size >= 2:
            self._solve(1, timed=True)
        if size >= 4:
            self._solve(min(PROBE_POINTS, size - 2), timed=True)
        if size == 1 and len(self._indices) > 1:
            yield self._indices[0], chunk_table(self._pieces)
            self._pieces = []
            index = self._indices[1]
            start, stop = self._job.bounds(index)
            began = time.thread_time()
            table = solve_chunk(self._job, index)
            self._timed.append((stop - start, time.thread_time() - began))
            self.chunks = 2
            yield index, table

    def estimate(self, indices: Sequence[int]) -> float:
        """CPU seconds that the chunks ``indices`` would take in this thread."""
        (one_points, one), *more = self._timed or [(1, 0.0)]
        per_point, per_call = one / one_points, 0.0
        if more := [timed for timed in more if timed[0] > one_points]:
            # One point, then several: the cost of a call and of a point told apart, from the
            # call of the most points (the rest of the chunk, once finished).
            points, many = max(more)
            per_point = max(0.0, (many - one) / (points - one_points))
            per_call = max(0.0, one - per_point * one_points)
        points = sum(b - a for a, b in map(self._job.bounds, indices))
        return per_call * len(indices) + per_point * points

    def finish(self) -> tuple[int, pa.Table] | None:
        """Solve the rest of the first chunk; it and its table, or None if already given."""
        if not self._pieces:
            return None
        if self._done < self._stop:
            self._solve(self._stop - self._done, timed=True)
        table = chunk_table(self._pieces)
        self._pieces = []
        return self._indices[0], table


#: Seconds between two looks at how many threads a Dask cluster has.
WINDOW_REFRESH = 1.0


class _Window:
    """Two chunks in flight per thread of a Dask cluster, as many threads as it has now.

    A cluster that gains workers during a sweep (scaled up, or still starting) is used at its
    new size. The scheduler is asked at most every :data:`WINDOW_REFRESH` seconds, a round trip
    against chunks that take seconds.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._size = 0
        self._asked = -math.inf

    def size(self) -> int:
        """Chunks to keep in flight."""
        if time.monotonic() - self._asked >= WINDOW_REFRESH:
            self._size = 2 * max(1, sum(self._client.nthreads().values()))
            self._asked = time.monotonic()
        return self._size
