"""What keeps a game tree off a deal: the movers who, looking ahead, prefer another move."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deals import Blocker, NearestDeal
from kurilsim.core.scenario import Scenario
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.extensive.backward_induction import leaf_scales
from kurilsim.forms.extensive.game import ExtensiveFormGame
from kurilsim.forms.extensive.scenario import CompiledTree

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def tree_outcomes(scenario: Scenario, values: Mapping[str, float]) -> dict[str, FloatArray]:
    """Each outcome variable of a tree scenario at every leaf (0 where a leaf sets none).

    Parameters
    ----------
    scenario
        The tree scenario.
    values
        Every parameter's value, as numbers.
    """
    return leaf_outcomes(scenario.compiled, values)


def leaf_outcomes(compiled: CompiledTree, values: Mapping[str, float]) -> dict[str, FloatArray]:
    """Each outcome variable of a compiled tree at every leaf (0 where a leaf sets none)."""
    columns = {name: np.zeros(len(compiled.skeleton.leaves)) for name in compiled.outcomes}
    for k, leaf in enumerate(compiled.leaf_values):
        env: dict[str, Any] = dict(values)
        for name, expression in zip(compiled.outcomes, leaf or (), strict=False):
            env[name] = columns[name][k] = float(expression.evaluate(env))
    return columns


def tree_blockers(
    game: ExtensiveFormGame, choices: NDArray[np.int64], deals: BoolArray, tol: float = DEFAULT_TOL
) -> NearestDeal:
    """The moves of subgame-perfect play that keep the game off the nearest deal leaf.

    Parameters
    ----------
    game
        The tree.
    choices
        A subgame-perfect equilibrium: the action index taken at each node.
    deals
        True at the deal leaves (leaves in prefix order).
    tol
        Relative tolerance: a gain within ``tol`` times the mover's payoff range is no gain.

    Returns
    -------
    NearestDeal
        The deal leaf whose path subgame-perfect play departs from least, with a blocker per
        decision node on that path where the mover prefers another move, root first; no
        blockers when play reaches a deal leaf.

    Examples
    --------
    >>> from kurilsim import solve_tree
    >>> from kurilsim.forms import catalogue
    >>> game = catalogue.entry_deterrence()
    >>> spe = solve_tree(game)[0]
    >>> deals = np.array([False, True, False])  # the entrant entering and being fought
    >>> [b.describe() for b in tree_blockers(game, spe.choices, deals).blockers]
    ["Incumbent would switch from Fight to Accommodate at 'In' (gain 2)"]
    """
    leaves = game.leaves
    reached = game.leaf_probabilities(choices)[deals] > 0
    if reached.any():
        return NearestDeal(int(np.flatnonzero(deals)[np.argmax(reached)]), ())
    scales = leaf_scales(game.payoffs)
    leaf_of = game.leaf_of
    best: tuple[tuple[int, int, float], int, list[Blocker]] | None = None
    for k in np.flatnonzero(deals):
        blockers = []
        first = game.n_nodes
        for depth, (node, action) in enumerate(game.path(leaves[int(k)])):
            mover = int(game.movers[node])
            taken = int(choices[node])
            if mover < 0 or taken == action:
                continue
            values = [_continuation(game, choices, c)[mover] for c in game.children[node]]
            gain = float(values[taken] - values[action])
            if gain <= tol * scales[mover]:
                continue  # a tie: the mover would as soon take the deal's move
            first = min(first, depth)
            chosen = game.children[node][taken]
            below = leaf_of[chosen : int(game.subtree_ends[chosen])]
            blockers.append(
                Blocker(
                    player=game.players[mover],
                    move=game.actions[node][action],
                    deviation=game.actions[node][taken],
                    gain=gain,
                    # A move after which no deal can follow ends it; any other (a threat, say)
                    # changes the terms the others face.
                    leaves_deal=not deals[below[below >= 0]].any(),
                    node=game.node_name(node) if node else "start",
                )
            )
        # Fewest departures, then the earliest (the decisive one), then the smallest gains.
        relative = sum(b.gain / scales[game.player_index(b.player)] for b in blockers)
        key = (len(blockers), first, relative)
        if best is None or key < best[0]:
            best = (key, int(k), blockers)
    return NearestDeal(best[1], tuple(best[2])) if best else NearestDeal(-1, ())


def _continuation(game: ExtensiveFormGame, choices: NDArray[np.int64], node: int) -> FloatArray:
    """Each player's expected payoff from ``node`` on when play follows ``choices``."""
    end = int(game.subtree_ends[node])
    return game.subgame(node).expected_payoffs(np.asarray(choices)[node:end])
