"""What keeps a repeated game off a deal: who defects from it under the harshest Nash reversion.

A deal profile repeated every round is sustained by grim trigger when, for every player, the
one-round gain from their best deviation is no more than what reverting to the stage equilibrium
worst for them costs from the next round on: ``d_i <= delta_i / (1 - delta_i) * (v_i - p_i)``.
A player for whom the gain is larger *blocks* the deal: the blocker's gain is the net gain of
defecting, ``d_i - delta_i / (1 - delta_i) * (v_i - p_i)``, in stage payoff units (a present value
over the whole repeated game, at the round of the defection). The nearest deal is the deal profile
with the smallest sum of these net gains. A player held below her pure minmax on the deal can be
kept there by no subgame-perfect equilibrium at all, whatever the punishment; the blocker says so
in its ``node``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from kurilsim.core.deals import Blocker, NearestDeal
from kurilsim.core.scenario import Scenario
from kurilsim.forms.normal.blockers import normal_form_deals
from kurilsim.forms.repeated.result import RepeatedSolution
from kurilsim.forms.repeated.scenario import CompiledRepeated, stage_values


def deal_cells(scenario: Scenario, values: Mapping[str, Any], deal: str) -> np.ndarray:
    """True on the repeated players' stage profiles where ``deal`` holds (held players fixed)."""
    compiled: CompiledRepeated = scenario.compiled
    full = normal_form_deals(compiled.stage, stage_values(compiled, values), deal)
    index: list[Any] = [slice(None)] * full.ndim
    for i, strategy in compiled.fixed:
        index[i] = strategy
    return np.asarray(full[tuple(index)], dtype=bool)


def repeated_blockers(solution: RepeatedSolution, deals: np.ndarray, tol: float) -> NearestDeal:
    """The deal profile nearest to being sustained by grim trigger, and who defects from it.

    Parameters
    ----------
    solution
        The repeated game's thresholds (method ``thresholds`` or ``auto``).
    deals
        True on the deal profiles, shape ``(n_1, ..., n_N)``.
    tol
        Relative tolerance: a net gain within ``tol`` times the player's payoff range is none.

    Returns
    -------
    NearestDeal
        The flat index of the nearest deal profile (-1 when none is a deal) and its blockers; no
        blockers when a deal is sustained.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms import catalogue
    >>> from kurilsim.forms.repeated.game import RepeatedGame
    >>> from kurilsim.forms.repeated.solve import solve
    >>> pd = catalogue.prisoners_dilemma()  # 3 each for cooperating, 5 / 0 / 1 otherwise
    >>> deals = np.array([[True, False], [False, False]])  # both cooperate
    >>> # Defecting gains 5 - 3 = 2 now and loses 0.2 / 0.8 * (3 - 1) = 0.5 later: net 1.5.
    >>> impatient = solve(RepeatedGame(pd, [0.2, 0.2]), "thresholds", 1e-9, {})
    >>> [(b.player, round(b.gain, 3)) for b in repeated_blockers(impatient, deals, 1e-9).blockers]
    [('Row', 1.5), ('Column', 1.5)]
    >>> repeated_blockers(solve(RepeatedGame(pd, [0.9, 0.9]), "thresholds", 1e-9, {}),
    ...                   deals, 1e-9).blockers
    ()
    """
    stage = solution.game.stage
    shape = deals.shape
    flat = [int(np.ravel_multi_index(cell, shape)) for cell in solution.cells]
    candidates = [k for k, f in enumerate(flat) if deals.flat[f]]
    if not candidates:
        return NearestDeal(-1, ())
    sustained = solution.sustained()
    held = [k for k in candidates if sustained[k]]
    if held:
        return NearestDeal(flat[held[0]], ())
    delta = np.asarray(solution.game.discount, dtype=np.float64)
    worst = np.min([eq.payoffs for eq in solution.stage.equilibria], axis=0)
    ranges = stage.payoffs.reshape(-1, stage.n_players)
    scale = np.maximum(ranges.max(axis=0) - ranges.min(axis=0), 1e-12)
    future = delta / (1 - delta)
    net = (
        solution.deviation_payoffs
        - solution.path_payoffs
        - future * (solution.path_payoffs - worst)
    )
    blocking = net > tol * scale
    best = min(candidates, key=lambda k: float(np.where(blocking[k], net[k], 0).sum()))
    cell = solution.cells[best]
    blockers = []
    for i, player in enumerate(stage.players):
        if not blocking[best, i]:
            continue
        others: tuple[Any, ...] = (slice(None), *(c for j, c in enumerate(cell) if j != i))
        own = np.moveaxis(stage.payoffs[..., i], i, 0)[others]
        below = solution.path_payoffs[best, i] < solution.minmax_pure[i] - tol * scale[i]
        node = f"the deal, below {player}'s pure minmax: no punishment holds it" if below else ""
        blockers.append(
            Blocker(
                player,
                stage.strategies[i][cell[i]],
                stage.strategies[i][int(own.argmax())],
                float(net[best, i]),
                True,
                node=node,
            )
        )
    return NearestDeal(flat[best], tuple(blockers))
