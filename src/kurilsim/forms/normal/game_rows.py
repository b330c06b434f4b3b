"""Sweep rows of the methods that solve one game at a time, built as arrays for a whole chunk.

Each game of a chunk is solved with :func:`kurilsim.solve`. The probabilities, payoffs and
regrets of every equilibrium of the chunk are gathered into one matrix and its text columns into
one Arrow array each, so a chunk makes one array per column rather than a table per game, and
loads no pandas. The rows are those of :meth:`Solution.to_frame` (without the method), one per
equilibrium, or a ``none`` row where a game has none; then the label of the equilibrium's
component, the regime at its point, whether the method finished there (and proved the
components the regime counts) and, if not, why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arrow_columns import string_array
from kurilsim.core.result import UNPROVED_COMPONENTS
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows, reason_column
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.labels import NO_EQUILIBRIUM, OutcomeLabels, outcome_labels
from kurilsim.forms.normal.payoffs import payoff_tensor
from kurilsim.forms.normal.result import Solution, clean_probabilities
from kurilsim.forms.normal.solve import solve

FloatArray = NDArray[np.float64]


def profile_columns(players: Sequence[str], strategies: Sequence[Sequence[str]]) -> list[str]:
    """Column names of strategy probabilities and payoffs, as in :meth:`Solution.to_frame`."""
    return [
        f"prob.{p}.{s}" for p, names in zip(players, strategies, strict=True) for s in names
    ] + [f"payoff.{p}" for p in players]


def component_names(solution: Solution, labels: OutcomeLabels) -> list[str]:
    """Per equilibrium, the name of its component: its support, or the continuum's strategies.

    Every extreme point of a continuum gets the continuum's name (as ``compare`` names it), so
    the regime of a point counts each component once, not each point a method lists.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim import NormalFormGame, solve
    >>> game = NormalFormGame(["A", "B"], [["x", "y"], ["l", "r"]],
    ...                       np.array([[[1, 1], [1, 0]], [[1, 0], [1, 1]]]))
    >>> labels = OutcomeLabels(game.players, game.strategies)
    >>> names = component_names(solve(game), labels)
    >>> len(names), labels.regime(names)
    (4, 'mixed: A: x/y, B: l/r')
    """
    names = [""] * len(solution.equilibria)
    for component in solution.components:
        members = [solution[k] for k in component.members]
        if component.dimension == 0:
            name = labels.support(members[0].support())
        else:
            name = labels.union([eq.profile for eq in members])
        for k in component.members:
            names[k] = name
    return names


def game_by_game_rows(
    scenario: Scenario,
    values: Mapping[str, Any],
    method: str,
    tol: float,
    options: Mapping[str, Any],
) -> SweepRows:
    """The rows of a batch of points, each game solved with :func:`kurilsim.solve`.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> hunt = load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: the catches
    >>> at = hunt.parameter_values({"stag": np.array([0.0, 4.0])})
    >>> rows = game_by_game_rows(hunt, at, "vertex-enumeration", 1e-9, {})
    >>> rows.game.tolist(), rows.columns["kind"].to_pylist()
    ([0, 1, 1, 1], ['pure', 'pure', 'mixed', 'pure'])
    >>> rows.columns["label"].to_pylist()[2], rows.columns["prob.A.stag"].round(3).tolist()
    ('mixed: A: stag/hare, B: stag/hare', [0.0, 0.0, 0.25, 1.0])
    """
    labels = outcome_labels(scenario)
    payoffs = payoff_tensor(scenario.compiled, values, scenario.source)
    players, strategies = scenario.compiled.players, scenario.compiled.strategies
    numbers = [*profile_columns(players, strategies), "max_regret"]
    probabilities = sum(len(s) for s in strategies)
    none = np.full((1, len(numbers)), np.nan)
    blocks: list[FloatArray] = []
    games: list[int] = []
    equilibrium: list[int] = []
    kinds: list[str] = []
    names: list[str] = []
    regimes: list[str] = []
    complete: list[bool] = []
    reasons: list[str | None] = []
    for g in range(payoffs.shape[0]):
        game = NormalFormGame(players, strategies, payoffs[g], scenario.title)
        solution = solve(game, method, tol, **options)
        found = component_names(solution, labels)
        rows = len(found) or 1
        if found:
            blocks.append(
                np.array(
                    [np.concatenate([*eq.profile, eq.payoffs, [eq.max_regret]]) for eq in solution]
                )
            )
            kinds += [eq.kind for eq in solution]
            equilibrium += range(1, rows + 1)
        else:
            blocks.append(none)
            kinds.append("none")
            equilibrium.append(0)
        games += [g] * rows
        names += found or [NO_EQUILIBRIUM]
        regimes += [labels.regime(found, NO_EQUILIBRIUM)] * rows
        # A regime counts components: one not proved may be counted as several.
        complete += [solution.complete and solution.components_complete] * rows
        reason = solution.incomplete_reason
        if reason is None and not solution.components_complete:
            reason = UNPROVED_COMPONENTS
        reasons += [reason] * rows
    table = np.concatenate(blocks)
    table[:, :probabilities] = clean_probabilities(table[:, :probabilities])
    columns: dict[str, Any] = {
        "equilibrium": np.asarray(equilibrium, dtype=np.int64),
        "kind": string_array(kinds, large=True),
    }
    # One contiguous array per column, as a table of one game per row would give.
    columns.update({name: table[:, j].copy() for j, name in enumerate(numbers)})
    columns["label"] = string_array(names, large=True)
    columns["regime"] = string_array(regimes, large=True)
    columns["complete"] = np.asarray(complete, dtype=bool)
    columns["incomplete_reason"] = reason_column(reasons)
    return SweepRows(np.asarray(games, dtype=np.int64), columns)
