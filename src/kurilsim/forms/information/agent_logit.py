r"""The agent logit quantal response equilibrium (McKelvey and Palfrey 1998).

At precision ``lambda`` every information set is played by an agent of its player who picks each
action with probability proportional to ``exp(lambda * v)``, ``v`` the action's expected payoff
at the set given the beliefs that the profile itself induces (every set is reached, since every
action has positive probability). At ``lambda = 0`` play is uniform; as ``lambda`` grows the
equilibria trace a branch whose limit is a Nash equilibrium (indeed a sequential one).

:func:`agent_logit_trace` follows the branch from 0: at each precision the equilibrium is the
fixed point of the logit response, found by damped iteration from the previous one, with steps
in ``lambda`` that grow while the iteration converges quickly and shrink when it does not. Where
they stall (the branch turns back at a fold, or its fixed point repels the iteration), the rest
of the branch is followed by pseudo-arclength continuation
(:func:`~kurilsim.forms.information.branch_continuation.follow_branch`), in steps in ``lambda``
that keep growing. The trace continues past the requested precision until the profile's max
regret is below :data:`LIMIT_REGRET` times the payoff scale, ``lambda`` reaches
:data:`MAX_PRECISION` times the inverse scale, :data:`MAX_TOTAL_ITERATIONS` iterations are
spent, or the continuation loses the branch; the last profile is the
branch's limit as far as it was traced, reported with its max regret (an approximate Nash
equilibrium, not an exact one: a limit with mixing is approached at a rate of ``1/lambda``).

Precision is in the units of the payoffs, as in Gambit: ``lambda = 1`` makes a payoff difference
of 1 multiply the odds of the better action by ``e``.

References
----------
.. [1] R. D. McKelvey and T. R. Palfrey, "Quantal response equilibria for extensive form
   games", Experimental Economics 1 (1998) 9-41.
.. [2] T. L. Turocy, "A dynamic homotopy interpretation of the logistic quantal response
   equilibrium correspondence", Games and Economic Behavior 51 (2005) 243-263.

Examples
--------
>>> from kurilsim.forms.information.catalogue import matching_pennies_tree
>>> trace = agent_logit_trace(matching_pennies_tree(), precision=2.0)
>>> [b.round(6).tolist() for b in trace.at_precision], trace.finished
([[0.5, 0.5], [0.5, 0.5]], True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Final

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.extensive.game import CHANCE
from kurilsim.forms.information.branch_continuation import (
    FIRST_ARC_STEP,
    LARGEST_ARC_STEP,
    STALLED_STEP,
    follow_branch,
)
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.regret import behaviour_regrets, payoff_scale
from kurilsim.forms.information.sequence_form import Behaviour, sequence_form

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Where the trace stops at the latest, in units of the inverse payoff scale.
MAX_PRECISION: Final = 1e4
#: The trace stops once the max regret is below this fraction of the payoff scale.
LIMIT_REGRET: Final = 1e-7
#: Fixed-point iterations allowed at one precision before the step is shortened.
MAX_ITERATIONS: Final = 2_000
#: Fixed-point iterations allowed over the whole trace.
MAX_TOTAL_ITERATIONS: Final = 100_000


@dataclass(frozen=True, eq=False)
class LogitTrace:
    """A traced branch of agent logit QRE.

    Attributes
    ----------
    precisions
        The precisions visited, increasing from 0.
    regrets
        The max regret of the profile at each precision.
    at_precision
        The equilibrium at the requested precision, or None if the trace stopped before it.
    limit
        The last profile of the trace: the limit of the branch as far as traced.
    final_precision
        The precision of ``limit``.
    steps
        How many precisions were visited.
    finished
        Whether the limit's max regret fell below :data:`LIMIT_REGRET` times the payoff scale.
    """

    precisions: FloatArray
    regrets: FloatArray
    at_precision: Behaviour | None
    limit: Behaviour
    final_precision: float
    steps: int
    finished: bool


class _Logit:
    """The tree as flat arrays, for the logit response of a whole behaviour profile at once."""

    def __init__(self, tree: InformationTree) -> None:
        self.tree = tree
        sizes = [len(s.actions) for s in tree.infosets]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.segment = np.repeat(np.arange(len(sizes)), sizes)
        depth = np.zeros(tree.n_nodes, dtype=np.int64)
        for v in range(1, tree.n_nodes):
            depth[v] = depth[tree.parents[v]] + 1
        self.levels = [np.flatnonzero(depth == d) for d in range(1, int(depth.max(initial=0)) + 1)]
        parents = tree.parents[1:]
        self.children = np.arange(1, tree.n_nodes)
        self.parents = parents
        self.chance = tree.movers[parents] == CHANCE
        player_parent = ~self.chance
        self.slot = np.zeros(len(parents), dtype=np.int64)
        infoset = tree.infoset_of[parents[player_parent]]
        self.slot[player_parent] = self.offsets[infoset] + tree.moves[1:][player_parent]
        self.player_moves = np.flatnonzero(player_parent)
        self.movers = tree.movers[parents[player_parent]]
        self.player_nodes = np.flatnonzero(tree.infoset_of >= 0)
        self.values_at_leaves = np.zeros((tree.n_nodes, tree.n_players))
        self.values_at_leaves[list(tree.leaves)] = tree.payoffs

    def response(self, flat: FloatArray, precision: float) -> FloatArray:
        """The logit response to the profile ``flat`` (all sets' probabilities, in order)."""
        tree = self.tree
        step = np.where(self.chance, tree.probabilities[1:], flat[self.slot])
        move = np.ones(tree.n_nodes)
        move[1:] = step
        reach = np.ones(tree.n_nodes)
        for level in self.levels:
            reach[level] = reach[tree.parents[level]] * move[level]
        values = self.values_at_leaves.copy()
        for level in reversed(self.levels):
            np.add.at(values, tree.parents[level], move[level, None] * values[level])
        # Action values at each set: reach-weighted child values of the set's mover.
        children = self.children[self.player_moves]
        weights = reach[self.parents[self.player_moves]]
        numerators = np.zeros(len(flat))
        np.add.at(
            numerators,
            self.slot[self.player_moves],
            weights * values[children, self.movers],
        )
        totals = np.zeros(len(self.offsets) - 1)
        np.add.at(totals, tree.infoset_of[self.player_nodes], reach[self.player_nodes])
        action_values = numerators / totals[self.segment]
        scaled = precision * action_values
        top = np.maximum.reduceat(scaled, self.offsets[:-1])
        weights_out = np.exp(scaled - top[self.segment])
        return np.asarray(
            weights_out / np.add.reduceat(weights_out, self.offsets[:-1])[self.segment]
        )

    def behaviour(self, flat: FloatArray) -> Behaviour:
        return tuple(
            flat[a:b].copy() for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)
        )


def _fixed_point(
    system: _Logit, start: FloatArray, precision: float, budget: list[int]
) -> FloatArray | None:
    """The logit equilibrium at ``precision`` by damped iteration from ``start``, or None.

    The damping halves whenever the residual grows and recovers while it shrinks; ``budget``
    holds the iterations left for the whole trace and is decreased.
    """
    damping, flat, residual = 1.0, start, np.inf
    for _ in range(MAX_ITERATIONS):
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        response = system.response(flat, precision)
        change = float(np.abs(response - flat).max())
        if change < 1e-12:
            return response
        if change > residual:
            damping /= 2
        else:
            damping = min(1.0, damping * 1.2)
        residual = change
        flat = (1 - damping) * flat + damping * response
    return None


def _gap(system: _Logit, scale: float, flat: FloatArray, relative: float) -> FloatArray:
    """The logit response less the profile, at precision ``relative / scale``: zero at a QRE."""
    return system.response(flat, relative / scale) - flat


def agent_logit_trace(tree: InformationTree, precision: float) -> LogitTrace:
    """Trace the principal branch of agent logit QRE from 0 to ``precision`` and on to its limit.

    Parameters
    ----------
    tree
        A tree with at least one information set.
    precision
        The precision (lambda) whose equilibrium is wanted, in payoff units.

    Returns
    -------
    LogitTrace
    """
    system = _Logit(tree)
    form = sequence_form(tree)
    scale = payoff_scale(tree)
    sizes = np.diff(system.offsets)
    flat = 1.0 / sizes[system.segment].astype(np.float64)
    current = 0.0
    step = 0.1 / scale
    cap = MAX_PRECISION / scale
    precisions, regrets = (
        [0.0],
        [float(behaviour_regrets(tree, system.behaviour(flat), form).max())],
    )
    at_precision = system.behaviour(flat) if precision == 0 else None
    finished = False
    budget = [MAX_TOTAL_ITERATIONS]
    # Once the steps in lambda stall, the rest of the branch is followed along its arc, in
    # lambda times the payoff scale (the continuation's relative units).
    along_arc = False
    while budget[0] > 0:
        target = min(current + step, cap)
        if at_precision is None:
            target = min(target, precision)
        if along_arc:
            # Steps along the arc in proportion to the step in lambda, which grows with lambda.
            width = (target - current) * scale
            found = follow_branch(
                partial(_gap, system, scale),
                flat,
                current * scale,
                target * scale,
                first_step=max(FIRST_ARC_STEP, width / 4),
                largest_step=max(LARGEST_ARC_STEP, width),
            )
            if found is None:
                break
        else:
            found = _fixed_point(system, flat, target, budget)
            if found is None:
                step /= 2
                along_arc = step < STALLED_STEP / scale
                continue
        flat, current = found, target
        regret = float(behaviour_regrets(tree, system.behaviour(flat), form).max())
        precisions.append(current)
        regrets.append(regret)
        if at_precision is None and current >= precision:
            at_precision = system.behaviour(flat)
        if at_precision is not None and regret <= LIMIT_REGRET * scale:
            finished = True
            break
        if current >= cap:
            break
        step *= 1.5
    return LogitTrace(
        np.array(precisions),
        np.array(regrets),
        at_precision,
        system.behaviour(flat),
        current,
        len(precisions),
        finished,
    )
