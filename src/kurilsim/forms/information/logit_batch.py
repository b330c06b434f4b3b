r"""The agent logit QRE of a batch of trees of one shape, in relative payoff units.

Every tree of the batch has the nodes, information sets and actions of ``tree``; they differ in
their leaf payoffs and chance probabilities (a scenario at a batch of parameter points). Each
player's leaf payoffs are first mapped onto ``[0, 1]`` by an affine map of their own at each
point (:func:`relative_payoffs`), so the precision :math:`\lambda` is in units of each player's
payoff range, as in the normal form's ``units="relative"``
(:func:`~kurilsim.forms.normal.logit_qre.logit_qre`): rescaling one player's payoffs leaves the
probabilities unchanged.

The branch is followed from :math:`\lambda = 0` (uniform play) to each point's precision as
:func:`~kurilsim.forms.information.agent_logit.agent_logit_trace` follows it for one tree (the
fixed point of the logit response found by damped iteration from the previous precision, with
steps that grow while it converges and shrink when it does not, or when one step would move a
probability by more than :data:`MAX_MOVE`), for all points of the batch in
the same numpy calls. In a tree of perfect information the agent QRE is unique and is logit
backward induction; the iteration reaches it exactly, one level per iteration. With information
sets the branch can turn back (a fold), or its fixed point can repel the iteration; where the
steps in lambda stall, that point's branch is followed on by pseudo-arclength continuation
(:func:`~kurilsim.forms.information.branch_continuation.follow_branch`), which passes folds, to
the first point where it reaches the precision. A point whose branch cannot be
followed even so (at large precisions, where probabilities underflow) is reported as ``nan``.

Examples
--------
>>> import numpy as np
>>> from kurilsim.forms import catalogue
>>> from kurilsim.forms.information.game import InformationTree
>>> entry = InformationTree.from_extensive(catalogue.entry_deterrence())
>>> payoffs = np.broadcast_to(entry.payoffs, (2, *entry.payoffs.shape))
>>> chance = np.broadcast_to(entry.probabilities, (2, entry.n_nodes))
>>> leaves = agent_logit_leaves(entry, payoffs, chance, np.array([0.0, 50.0]))
>>> leaves.round(3).tolist()  # uniform at 0; the subgame-perfect path (In, Accommodate) at 50
[[0.5, 0.25, 0.25], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from functools import partial
from typing import Final

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.information.agent_logit import _Logit
from kurilsim.forms.information.branch_continuation import STALLED_STEP, follow_branch
from kurilsim.forms.information.game import InformationTree

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: The first step in precision (relative units).
FIRST_STEP: Final = 0.1
#: A fixed point is found when no probability changes by more than this in one iteration, within
#: this many damped iterations (else the step in lambda is halved).
CONVERGED: Final = 1e-12
MAX_ITERATIONS: Final = 500
#: The largest change of any probability in one accepted step in lambda: larger ones are taken
#: for a jump off the branch, and the step is halved.
MAX_MOVE: Final = 0.2
#: Steps of the trace allowed for one batch.
MAX_STEPS: Final = 10_000


def relative_payoffs(payoffs: FloatArray) -> FloatArray:
    """Each player's leaf payoffs mapped onto ``[0, 1]`` at each point (0 where constant).

    Parameters
    ----------
    payoffs
        Shape ``(G, n_leaves, N)``.

    Examples
    --------
    >>> relative_payoffs(np.array([[[2.0, 5.0], [4.0, 5.0], [3.0, 5.0]]]))[0].tolist()
    [[0.0, 0.0], [1.0, 0.0], [0.5, 0.0]]
    """
    low = payoffs.min(axis=1, keepdims=True)
    spread = payoffs.max(axis=1, keepdims=True) - low
    return np.asarray((payoffs - low) / np.where(spread > 0, spread, 1.0), dtype=np.float64)


class _BatchLogit:
    """The logit response of a batch of behaviour profiles, node-major arrays ``(n, G)``."""

    def __init__(self, tree: InformationTree, payoffs: FloatArray, chance: FloatArray) -> None:
        self.index = _Logit(tree)
        self.tree = tree
        size = len(payoffs)
        self.chance = np.asarray(chance, dtype=np.float64).T  # (n_nodes, G)
        self.leaf_values = np.zeros((tree.n_nodes, size, tree.n_players))
        self.leaf_values[list(tree.leaves)] = np.transpose(payoffs, (1, 0, 2))

    def reach(self, flat: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The probability of each node's move from its parent and of reaching it: ``(n, G)``."""
        index, tree = self.index, self.tree
        move = np.ones((tree.n_nodes, flat.shape[1]))
        move[1:] = np.where(index.chance[:, None], self.chance[1:], flat[index.slot])
        reach = np.ones_like(move)
        for level in index.levels:
            reach[level] = reach[tree.parents[level]] * move[level]
        return move, reach

    def response(self, flat: FloatArray, precision: FloatArray) -> FloatArray:
        """The logit response to each profile of ``flat`` (shape ``(n_actions, G)``)."""
        index, tree = self.index, self.tree
        move, reach = self.reach(flat)
        values = self.leaf_values.copy()
        for level in reversed(index.levels):
            np.add.at(values, tree.parents[level], move[level, :, None] * values[level])
        children = index.children[index.player_moves]
        weights = reach[index.parents[index.player_moves]]
        own = values[children, :, index.movers]  # (moves, G): the mover's value below
        numerators = np.zeros_like(flat)
        np.add.at(numerators, index.slot[index.player_moves], weights * own)
        totals = np.zeros((len(index.offsets) - 1, flat.shape[1]))
        np.add.at(totals, tree.infoset_of[index.player_nodes], reach[index.player_nodes])
        reached = totals[index.segment]
        # A set that chance never reaches has no beliefs; its play does not matter: uniform.
        action_values = np.where(reached > 0, numerators / np.where(reached > 0, reached, 1), 0)
        scaled = precision[None, :] * action_values
        top = np.maximum.reduceat(scaled, index.offsets[:-1], axis=0)
        exp = np.exp(scaled - top[index.segment])
        return np.asarray(exp / np.add.reduceat(exp, index.offsets[:-1], axis=0)[index.segment])


def _fixed_points(
    system: _BatchLogit, start: FloatArray, precision: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Damped iteration of each column's logit response; the profiles and which converged."""
    flat = start.copy()
    size = flat.shape[1]
    damping, residual = np.ones(size), np.full(size, np.inf)
    running, converged = np.ones(size, dtype=bool), np.zeros(size, dtype=bool)
    for _ in range(MAX_ITERATIONS):
        if not running.any():
            break
        cols = np.flatnonzero(running)
        part = system if cols.size == size else _sub(system, cols)
        response = part.response(flat[:, cols], precision[cols])
        change = np.abs(response - flat[:, cols]).max(axis=0)
        done = change < CONVERGED
        converged[cols[done]] = True
        flat[:, cols[done]] = response[:, done]
        running[cols[done]] = False
        # The damping halves where the residual grew and recovers where it shrank.
        grew = change > residual[cols]
        damping[cols] = np.where(grew, damping[cols] / 2, np.minimum(1.0, damping[cols] * 1.2))
        residual[cols] = change
        keep = ~done
        d = damping[cols[keep]]
        flat[:, cols[keep]] = (1 - d) * flat[:, cols[keep]] + d * response[:, keep]
    return flat, converged


def _sub(system: _BatchLogit, cols: NDArray[np.int64]) -> _BatchLogit:
    """The system restricted to some points of the batch."""
    part = object.__new__(_BatchLogit)
    part.index, part.tree = system.index, system.tree
    part.chance = system.chance[:, cols]
    part.leaf_values = system.leaf_values[:, cols]
    return part


def _gap(system: _BatchLogit, x: FloatArray, lam: float) -> FloatArray:
    """The logit response to ``x`` at ``lam`` less ``x``: zero at an agent QRE."""
    return system.response(x[:, None], np.array([lam]))[:, 0] - x


def agent_logit_leaves(
    tree: InformationTree, payoffs: FloatArray, chance: FloatArray, precision: FloatArray
) -> FloatArray:
    """The probability of each leaf under the agent logit QRE, at each point of a batch.

    Parameters
    ----------
    tree
        The shape: nodes, information sets, actions (its own payoffs are not used).
    payoffs
        Leaf payoffs, shape ``(G, n_leaves, N)``, in any units: they are made relative here.
    chance
        Chance probabilities per node, shape ``(G, n_nodes)``, as ``tree.probabilities``.
    precision
        The precision at each point, shape ``(G,)``, in units of each player's payoff range.

    Returns
    -------
    numpy.ndarray
        Shape ``(G, n_leaves)``, each row summing to 1; ``nan`` in a row whose branch could not
        be followed to its precision, by steps in lambda or along the arc.
    """
    size = len(payoffs)
    system = _BatchLogit(tree, relative_payoffs(np.asarray(payoffs, dtype=np.float64)), chance)
    segment = system.index.segment
    sizes = np.diff(system.index.offsets)
    flat = np.repeat((1.0 / sizes[segment])[:, None], size, axis=1)
    target = np.asarray(precision, dtype=np.float64)
    current = np.zeros(size)
    step = np.full(size, FIRST_STEP)
    failed = np.zeros(size, dtype=bool)
    for _ in range(MAX_STEPS):
        active = np.flatnonzero((current < target) & ~failed)
        if not active.size:
            break
        goal = np.minimum(current[active] + step[active], target[active])
        part = system if active.size == size else _sub(system, active)
        found, ok = _fixed_points(part, flat[:, active], goal)
        # A step that moves a probability far has crossed a fold or jumped to another branch.
        ok &= np.abs(found - flat[:, active]).max(axis=0) <= MAX_MOVE
        moved, stuck = active[ok], active[~ok]
        flat[:, moved], current[moved] = found[:, ok], goal[ok]
        step[moved] *= 1.5
        step[stuck] /= 2
        failed[stuck[step[stuck] < STALLED_STEP]] = True
    # Where the steps in lambda stalled, the branch turns back (a fold) or its fixed point repels
    # the iteration: follow it by arc length from the last point reached.
    for g in np.flatnonzero(failed | (current < target)):
        point = _sub(system, np.array([g]))
        arc = follow_branch(partial(_gap, point), flat[:, g], current[g], target[g])
        failed[g] = arc is None
        if arc is not None:
            flat[:, g] = arc
    _, reach = system.reach(flat)
    leaves = np.ascontiguousarray(reach[list(tree.leaves)].T)
    leaves[failed] = np.nan
    return leaves
