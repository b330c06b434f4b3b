"""Sweeps of normal-form scenarios: every pure equilibrium of a whole chunk of games on arrays.

For pure Nash each payoff is evaluated once per chunk, along the axes it depends on, with the
games on the last axis (:func:`~kurilsim.forms.normal.payoffs.each_player_payoff`), and the whole
chunk is solved in the same numpy calls, each player's best replies found as soon as their
payoffs are evaluated (:func:`~kurilsim.forms.normal.pure_nash.streamed_best_responses`); other
methods solve one game at a time.
Each row has the columns of :meth:`Solution.to_frame` (without the method, which the sweep
records once), then the equilibrium's label, the regime at its point and whether the method
finished there. The label of an equilibrium on a continuum is the continuum's
(:func:`~kurilsim.forms.normal.game_rows.component_names`), so a regime counts components, not
the points a method lists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import check_method_options
from kurilsim.core.errors import InputError
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows, no_reasons
from kurilsim.core.tolerance import check_tolerance
from kurilsim.forms.normal.game_rows import game_by_game_rows, profile_columns
from kurilsim.forms.normal.labels import (
    NO_PURE,
    OutcomeLabels,
    outcome_labels,
)
from kurilsim.forms.normal.payoffs import check_finite, each_player_payoff
from kurilsim.forms.normal.pure_nash import BestResponses, streamed_best_responses, taken_at
from kurilsim.forms.normal.solve import METHODS, default_method

#: Most bytes the rows of the pure equilibria of one batch of points may take.
ROW_MEMORY = 1 << 30

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _strings(categories: Sequence[str], codes: IntArray) -> Any:
    """A column of strings picked by ``codes``, dictionary-encoded (an Arrow dictionary array).

    No Python string is made per row, and Parquet stores the few distinct strings once per
    chunk; readers get plain strings back (:func:`~kurilsim.sweeps.store.decoded`).
    """
    # Only sweeps build tables: reading a scenario does not load pyarrow.
    from kurilsim.core.arrow_columns import dictionary_array

    distinct, index = np.unique(np.asarray(categories, dtype=object), return_inverse=True)
    # The narrowest codes, as a pandas categorical has them; the sweep file widens them all.
    # Narrowed before the rows pick them: one pass over the rows, not two.
    narrow = index.astype(np.min_scalar_type(-len(distinct) - 1))
    return dictionary_array(distinct.tolist(), narrow[codes])


def _pure_rows(
    payoffs: list[FloatArray], found: BestResponses, games: int, labels: OutcomeLabels
) -> SweepRows:
    """Every pure equilibrium of ``games`` games, one row each; a ``none`` row where none.

    ``payoffs`` holds one array per player, games last, as
    :func:`~kurilsim.forms.normal.payoffs.player_payoffs` gives them with ``games_last``;
    ``found``, their best replies (:func:`~kurilsim.forms.normal.pure_nash.best_responses`).
    """
    shape = labels.shape
    # The equilibria's positions in the (profiles, games) mask, then ordered by point and, at
    # each point, by profile, as pure_nash lists them: a stable sort of the few positions costs
    # less than a copy of the mask games first.
    positions = np.flatnonzero(np.broadcast_to(found.mask, (*shape, games)))
    order = np.argsort(positions % games, kind="stable")
    positions = positions[order]
    flat, point = np.divmod(positions, games)
    counts = np.bincount(point, minlength=games)  # equilibria per game
    _check_row_memory(counts, shape)
    number = np.arange(flat.size) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    cells = np.unravel_index(flat, shape)
    at = (*cells, point)
    own = [_taken_at_positions(p, at, positions, (*shape, games)) for p in payoffs]
    # The best payoff over one's own strategies, the others' fixed, less the payoff played.
    regret = np.zeros(flat.size)
    for i, best in enumerate(found.best):
        regret = np.maximum(regret, taken_at(best, at) - own[i])
    # Each player's probabilities, one contiguous row per strategy: a column of the table each.
    probs = [
        np.equal(np.arange(n)[:, None], c).astype(np.float64)
        for n, c in zip(shape, cells, strict=True)
    ]
    # The profiles that are equilibria at some point, and each row's among them: np.unique's
    # answer, counted rather than sorted, as the profiles are few.
    present = np.bincount(flat, minlength=math.prod(shape)) > 0
    profiles, name_code = np.flatnonzero(present), (np.cumsum(present) - 1)[flat]
    names = [labels.pure(int(f)) for f in profiles] + [NO_PURE]
    regimes, regime_code = _regimes(labels, point, flat, games)
    kind = np.zeros(flat.size, dtype=np.int64)  # codes of ("pure", "none")
    numbers = [*probs, *own]
    empty = np.flatnonzero(counts == 0)
    rows = point
    if empty.size:
        rows = np.concatenate([point, empty])
        order = np.argsort(rows, kind="stable")
        rows = rows[order]
        number = np.concatenate([number, np.zeros(empty.size, dtype=np.int64)])[order]
        kind = np.concatenate([kind, np.ones(empty.size, dtype=np.int64)])[order]
        gaps = np.full(empty.size, np.nan)
        numbers = [np.concatenate([column, gaps])[order] for column in _columns(numbers)]
        regret = np.concatenate([regret, gaps])[order]
        name_code = np.concatenate([name_code, np.full(empty.size, len(names) - 1)])[order]
    columns: dict[str, Any] = {"equilibrium": number, "kind": _strings(("pure", "none"), kind)}
    names_of = profile_columns(labels.players, labels.strategies)
    columns.update(zip(names_of, _columns(numbers), strict=True))
    columns["max_regret"] = regret
    columns["label"] = _strings(names, name_code)
    columns["regime"] = _strings(regimes, regime_code[rows])
    columns["complete"] = np.ones(rows.size, dtype=bool)
    columns["incomplete_reason"] = no_reasons(rows.size)
    return SweepRows(rows, columns)


def _columns(blocks: list[FloatArray]) -> list[FloatArray]:
    """Columns, in order, of 2-D blocks (one column per row of a block) and 1-D arrays."""
    return [column for block in blocks for column in (block if block.ndim == 2 else [block])]


def _regimes(
    labels: OutcomeLabels, point: IntArray, flat: IntArray, games: int
) -> tuple[list[str], IntArray]:
    """The distinct regimes of a batch, and each game's code.

    ``point`` and ``flat`` give each pure equilibrium's game and profile, ordered by game.
    """
    profiles = math.prod(labels.shape)
    if profiles <= 64:
        # The set of equilibria of each game as the bits of one integer: a flat sort.
        # Each game's equilibria are consecutive: one OR over each game's run of them.
        keys = np.zeros(games, dtype=np.uint64)
        if flat.size:
            starts = np.flatnonzero(np.concatenate([[True], point[1:] != point[:-1]]))
            bits = np.left_shift(np.uint64(1), flat.astype(np.uint64))
            keys[point[starts]] = np.bitwise_or.reduceat(bits, starts)
        distinct, inverse = _distinct_in_runs(keys)
        sets = [[f for f in range(profiles) if int(key) >> f & 1] for key in distinct]
    else:
        mask = np.zeros((games, profiles), dtype=bool)
        mask[point, flat] = True
        _, first, inverse = np.unique(mask, axis=0, return_index=True, return_inverse=True)
        sets = [np.flatnonzero(mask[g]).tolist() for g in first]
    texts = [labels.regime([labels.pure(f) for f in found]) for found in sets]
    return texts, inverse.reshape(-1)


def _distinct_in_runs(keys: NDArray[np.uint64]) -> tuple[NDArray[np.uint64], IntArray]:
    """``np.unique(keys, return_inverse=True)``, sorting only the first key of each run.

    Neighbouring points of a grid mostly share their regime: a chunk's 16,384 keys come in a
    few hundred runs, and sorting one key per run costs a tenth of sorting them all.

    Examples
    --------
    >>> keys = np.array([5, 5, 2, 2, 2, 5, 9], dtype=np.uint64)
    >>> distinct, inverse = _distinct_in_runs(keys)
    >>> distinct.tolist(), inverse.tolist()
    ([2, 5, 9], [1, 1, 0, 0, 0, 1, 2])
    """
    if keys.size == 0:
        distinct, inverse = np.unique(keys, return_inverse=True)
        return distinct, inverse
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    distinct, code = np.unique(keys[starts], return_inverse=True)
    lengths = np.diff(starts, append=keys.size)
    return distinct, np.repeat(code.reshape(-1), lengths)


def _taken_at_positions(
    values: FloatArray, index: tuple[IntArray, ...], positions: IntArray, whole: tuple[int, ...]
) -> FloatArray:
    """:func:`taken_at`, given also the flat positions of ``index`` in the shape ``whole``.

    An array of that whole shape is read at those positions directly.
    """
    if values.shape == whole and values.flags.c_contiguous:
        taken: FloatArray = values.reshape(-1)[positions]
        return taken
    return taken_at(values, index)


def sweep_method(
    scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
) -> str:
    """The method of a sweep: ``"pure"`` when none is given; ``"auto"`` as :func:`solve` picks.

    Raises
    ------
    InputError
        For an unknown method, one that does not apply to the scenario's game, an option the
        method does not have, or a tolerance outside (0, 1e-3].
    """
    check_tolerance(tol)
    name = "pure" if method is None else method
    if name == "auto":
        name = default_method(scenario.game())
    if name not in METHODS:
        raise InputError(f"unknown method {method!r}; expected auto or one of {', '.join(METHODS)}")
    spec = METHODS[name]
    if spec.players == "2" and len(scenario.players) != 2:
        raise InputError(
            f"method {name!r} solves 2-player games; this scenario has {len(scenario.players)}"
        )
    check_method_options(name, options, spec.options)
    return name


def bytes_per_point(scenario: Scenario) -> int:
    """A generous estimate of the memory one point of a chunk needs while it is solved.

    The payoff evaluation holds a few arrays over every strategy profile per player and per
    outcome variable (measured at about half of this estimate on the bundled scenario); the table
    holds one row per equilibrium.
    """
    strategies = scenario.compiled.strategies
    profiles = math.prod(len(s) for s in strategies)
    players = len(strategies)
    arrays = players + len(scenario.compiled.outcomes) + 4
    columns = sum(len(s) for s in strategies) + players + 12
    return 8 * (profiles * arrays + columns)


def _check_row_memory(counts: NDArray[np.int64], shape: tuple[int, ...]) -> None:
    """Refuse, in one line, pure equilibria whose rows would not fit in :data:`ROW_MEMORY`.

    Each equilibrium is a row with a probability for every strategy: a game in which most
    profiles are equilibria (payoffs that hardly depend on one's own strategy) has too many.
    """
    width = sum(shape) + len(shape) + 1
    if int(counts.sum()) * width * 8 <= ROW_MEMORY:
        return
    most = int(counts.max())
    if most * width * 8 > ROW_MEMORY:
        raise InputError(
            f"at one point {most:,} of the {math.prod(shape):,} strategy profiles are pure "
            f"equilibria, too many to list in a sweep (each a row of {width:,} numbers)"
        )
    raise InputError(
        f"the {counts.size:,} points of one chunk have {int(counts.sum()):,} pure equilibria, "
        f"rows of {width:,} numbers each: over {ROW_MEMORY >> 30} GB; use a smaller --chunk-size"
    )


def sweep_rows(
    scenario: Scenario,
    values: Mapping[str, Any],
    method: str,
    tol: float,
    options: Mapping[str, Any],
) -> SweepRows:
    """The rows of a batch of points: pure equilibria on arrays, other methods game by game."""
    labels = outcome_labels(scenario)
    if method == "pure":
        games = max(np.size(v) for v in values.values())
        compiled, source = scenario.compiled, scenario.source
        # Checked finite in the pass that finds best replies, rather than in a pass of its own;
        # each player's tested as soon as evaluated.
        evaluated = each_player_payoff(compiled, values, games_last=True)
        with np.errstate(invalid="ignore", over="ignore"):  # raised just below, if so
            players, found = streamed_best_responses(evaluated, labels.shape, games, tol)
        if not found.finite:
            check_finite(compiled, values, players, source, games_last=True)
        return _pure_rows(players, found, games, labels)
    return game_by_game_rows(scenario, values, method, tol, options)
