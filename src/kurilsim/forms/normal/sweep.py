"""Sweeps of normal-form scenarios: every pure equilibrium of a whole chunk of games on arrays.

For pure Nash the payoff expressions are evaluated once per chunk on parameter arrays and the
whole chunk is solved in the same numpy calls
(:func:`~kurilsim.forms.normal.pure_nash.pure_nash_mask`); other methods solve one game at a time.
Each row has the columns of :meth:`Solution.to_frame` (without the method, which the sweep
records once), then the equilibrium's label, the regime at its point and whether the method
finished there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows
from kurilsim.core.tolerance import check_tolerance
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.labels import (
    NO_EQUILIBRIUM,
    NO_PURE,
    OutcomeLabels,
    outcome_labels,
    regime,
)
from kurilsim.forms.normal.payoffs import payoff_tensor
from kurilsim.forms.normal.pure_nash import pure_nash_mask
from kurilsim.forms.normal.solve import METHODS, default_method, solve

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def profile_columns(players: Sequence[str], strategies: Sequence[Sequence[str]]) -> list[str]:
    """Column names of strategy probabilities and payoffs, as in :meth:`Solution.to_frame`."""
    return [
        f"prob.{p}.{s}" for p, names in zip(players, strategies, strict=True) for s in names
    ] + [f"payoff.{p}" for p in players]


def _strings(categories: Sequence[str], codes: IntArray) -> Any:
    """A column of strings picked by ``codes``, in pandas' default string type.

    Taking from the few distinct strings avoids converting one Python string per row.
    """
    import pandas as pd  # only sweeps build tables: reading a scenario does not load pandas

    return pd.Series(list(categories)).array.take(codes)


def _pure_rows(payoffs: FloatArray, tol: float, labels: OutcomeLabels) -> SweepRows:
    """Every pure equilibrium of a batch of games, one row each; a ``none`` row where none."""
    games, shape, n_players = payoffs.shape[0], labels.shape, len(labels.players)
    # The same values laid out player by player: pure_nash_mask reduces along each player's
    # payoffs, which is about 40% faster on contiguous memory than with the player axis last.
    payoffs = np.moveaxis(np.ascontiguousarray(np.moveaxis(payoffs, -1, 0)), 0, -1)
    mask = pure_nash_mask(payoffs, tol).reshape(games, -1)
    point, flat = np.nonzero(mask)  # ordered by point, then profile: as pure_nash lists them
    counts = mask.sum(axis=1)
    number = np.arange(flat.size) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    cells = np.unravel_index(flat, shape)
    own = payoffs.reshape(games, -1, n_players)[point, flat]
    regret = np.zeros(flat.size)
    for i, n in enumerate(shape):
        # Player i's payoff from each of their strategies, the others' strategies fixed.
        index = [point[:, None]] + [
            np.arange(n)[None, :] if j == i else c[:, None] for j, c in enumerate(cells)
        ]
        regret = np.maximum(regret, payoffs[(*index, i)].max(axis=1) - own[:, i])
    probs = np.column_stack([np.eye(n)[c] for n, c in zip(shape, cells, strict=True)])
    profiles, name_code = np.unique(flat, return_inverse=True)
    names = [labels.pure(int(f)) for f in profiles] + [NO_PURE]
    regimes, regime_code = _regimes(labels, mask)
    kind = np.zeros(flat.size, dtype=np.int64)  # codes of ("pure", "none")
    empty = np.flatnonzero(counts == 0)
    rows = point
    if empty.size:
        rows = np.concatenate([point, empty])
        order = np.argsort(rows, kind="stable")
        rows = rows[order]
        number = np.concatenate([number, np.zeros(empty.size, dtype=np.int64)])[order]
        kind = np.concatenate([kind, np.ones(empty.size, dtype=np.int64)])[order]
        probs = np.concatenate([probs, np.full((empty.size, probs.shape[1]), np.nan)])[order]
        own = np.concatenate([own, np.full((empty.size, n_players), np.nan)])[order]
        regret = np.concatenate([regret, np.full(empty.size, np.nan)])[order]
        name_code = np.concatenate([name_code, np.full(empty.size, len(names) - 1)])[order]
    columns: dict[str, Any] = {"equilibrium": number, "kind": _strings(("pure", "none"), kind)}
    names_of = profile_columns(labels.players, labels.strategies)
    columns.update(zip(names_of, np.column_stack([probs, own]).T, strict=True))
    columns["max_regret"] = regret
    columns["label"] = _strings(names, name_code)
    columns["regime"] = _strings(regimes, regime_code[rows])
    columns["complete"] = np.ones(rows.size, dtype=bool)
    return SweepRows(rows, columns)


def _regimes(labels: OutcomeLabels, mask: NDArray[np.bool_]) -> tuple[list[str], IntArray]:
    """The distinct regimes of a batch (games x profiles mask), and each game's code."""
    packed = np.packbits(mask, axis=1)
    words = -packed.shape[1] % 8
    keys = np.pad(packed, ((0, 0), (0, words))).view(np.uint64)
    # Up to 64 profiles, one integer per game: a flat sort, much faster than sorting rows.
    flat_keys = keys[:, 0] if keys.shape[1] == 1 else keys
    _, first, inverse = np.unique(
        flat_keys, axis=None if keys.shape[1] == 1 else 0, return_index=True, return_inverse=True
    )
    texts = [regime([labels.pure(int(f)) for f in np.flatnonzero(mask[g])]) for g in first]
    return texts, inverse.reshape(-1)


def _per_game_rows(
    scenario: Scenario,
    payoffs: FloatArray,
    labels: OutcomeLabels,
    method: str,
    tol: float,
    options: Mapping[str, Any],
) -> SweepRows:
    """Solve each game of a batch with :func:`kurilsim.solve`; a ``none`` row where none."""
    import pandas as pd  # only sweeps build tables: reading a scenario does not load pandas

    players, strategies = scenario.compiled.players, scenario.compiled.strategies
    empty = pd.DataFrame(
        {"equilibrium": [0], "kind": ["none"]}
        | {c: [np.nan] for c in profile_columns(players, strategies)}
        | {"max_regret": [np.nan]}
    )
    frames, games, names, regimes, complete = [], [], [], [], []
    for g in range(payoffs.shape[0]):
        game = NormalFormGame(players, strategies, payoffs[g], scenario.title)
        solution = solve(game, method, tol, **options)
        found = [labels.support(eq.support()) for eq in solution]
        frame = solution.to_frame().drop(columns="method") if found else empty
        frames.append(frame)
        games += [g] * len(frame)
        names += found or [NO_EQUILIBRIUM]
        regimes += [regime(found, NO_EQUILIBRIUM)] * len(frame)
        complete += [solution.complete] * len(frame)
    core = pd.concat(frames, ignore_index=True)
    columns: dict[str, Any] = {name: core[name].array for name in core.columns}
    columns["label"] = pd.Series(names).array
    columns["regime"] = pd.Series(regimes).array
    columns["complete"] = np.asarray(complete, dtype=bool)
    return SweepRows(np.asarray(games, dtype=np.int64), columns)


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
    unknown = sorted(set(options).difference(spec.options))
    if unknown:
        allowed = ", ".join(spec.options) or "none"
        raise InputError(f"method {name!r} has no option {', '.join(unknown)}; options: {allowed}")
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


def sweep_rows(
    scenario: Scenario,
    values: Mapping[str, Any],
    method: str,
    tol: float,
    options: Mapping[str, Any],
) -> SweepRows:
    """The rows of a batch of points: pure equilibria on arrays, other methods game by game."""
    payoffs = payoff_tensor(scenario.compiled, values, scenario.source)
    labels = outcome_labels(scenario)
    if method == "pure":
        return _pure_rows(payoffs, tol, labels)
    return _per_game_rows(scenario, payoffs, labels, method, tol, options)
