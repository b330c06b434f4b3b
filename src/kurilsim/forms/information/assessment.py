r"""Check an assessment (behaviour and beliefs) by Bayes' rule and sequential rationality.

An *assessment* gives every player's behaviour at each information set and, at each set, a
belief: a probability over the set's nodes (Kreps and Wilson 1982). It is

* **consistent on the path** when, at every set reached with positive probability, the belief is
  what Bayes' rule gives from chance and the behaviour;
* **sequentially rational** when, at every set, the mover's behaviour from there on is a best
  reply to the belief and the others' behaviour: no continuation strategy does better.

A perfect Bayesian equilibrium is an assessment with both; a sequential equilibrium asks in
addition that off-path beliefs be limits of fully mixed play, which this check does not test.

:func:`check_assessment` takes the behaviour and the beliefs the caller holds off the path (on the
path it computes them) and reports, per information set, the belief used, whether the set is
reached, how far a given belief is from Bayes' rule and how much the mover would gain from the
best continuation. The best continuation is found by a pass over the mover's later sets with the
weights the belief at the set induces, as in :mod:`~kurilsim.forms.information.regret`.

References
----------
.. [1] D. M. Kreps and R. Wilson, "Sequential equilibria", Econometrica 50 (1982) 863-894.
.. [2] D. Fudenberg and J. Tirole, Game Theory, MIT Press, 1991, chapter 8.

Examples
--------
Selten's horse: A continues (C) or drops (D); after C, B continues (c) or drops (d); after
either drop, C moves at a set of two nodes without knowing who dropped.

>>> import numpy as np
>>> from kurilsim.forms.information.catalogue import seltens_horse
>>> horse = seltens_horse()
>>> [horse.infoset_name(h) for h in range(3)]
['A: A', 'B: B', 'C: C']
>>> play = tuple(np.array(p, dtype=float) for p in ([1, 0], [1, 0], [0, 1]))  # C, c, R
>>> horse.infosets[2].nodes  # C's nodes: after C then d, and after D
(3, 6)
>>> check = check_assessment(horse, play, beliefs={"C: C": [2/3, 1/3]})
>>> check.reached, check.consistent(), check.sequentially_rational()
((True, True, False), True, True)

The Nash equilibrium (D, c, L) is not sequentially rational: B, never asked to move, would
drop to get 4 rather than 1.

>>> play = tuple(np.array(p, dtype=float) for p in ([0, 1], [1, 0], [1, 0]))  # D, c, L
>>> check_assessment(horse, play).failures()
['B: B: a better continuation gains 3']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.arguments import check_array, check_mapping
from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.extensive.game import CHANCE
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.regret import best_sequence_values, payoff_scale
from kurilsim.forms.information.sequence_form import Behaviour, SequenceForm, sequence_form

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class AssessmentCheck:
    """What :func:`check_assessment` found, per information set (in the tree's order).

    Attributes
    ----------
    tree
        The tree.
    beliefs
        The belief at each set: Bayes' rule where it is reached, else the one given.
    reached
        Whether play reaches the set with positive probability.
    bayes_gaps
        The largest difference between a given belief and Bayes' rule (0 where none was given
        or the set is not reached).
    gains
        What the mover gains at the set by the best continuation over the given behaviour, in
        payoff units, under the set's belief.
    tol
        The relative tolerance of :meth:`consistent` and :meth:`sequentially_rational`.
    scale
        The payoff scale the tolerance multiplies.
    """

    tree: InformationTree
    beliefs: tuple[FloatArray, ...]
    reached: tuple[bool, ...]
    bayes_gaps: FloatArray
    gains: FloatArray
    tol: float
    scale: float

    def consistent(self) -> bool:
        """Whether every given belief on the path is Bayes' rule (within ``tol``)."""
        return bool(np.all(self.bayes_gaps <= self.tol * 10))

    def sequentially_rational(self) -> bool:
        """Whether no mover gains by another continuation at any set (within ``tol * scale``)."""
        return bool(np.all(self.gains <= self.tol * self.scale))

    def failures(self) -> list[str]:
        """One line per set where the assessment fails, naming the set."""
        lines = []
        for h in range(len(self.beliefs)):
            name = self.tree.infoset_name(h)
            if self.bayes_gaps[h] > self.tol * 10:
                lines.append(f"{name}: belief differs from Bayes' rule by {self.bayes_gaps[h]:.3g}")
            if self.gains[h] > self.tol * self.scale:
                lines.append(f"{name}: a better continuation gains {self.gains[h]:.3g}")
        return lines


def node_reach(tree: InformationTree, behaviour: Behaviour) -> FloatArray:
    """Per node: the probability that play reaches it (chance and every player's behaviour)."""
    reach = np.ones(tree.n_nodes)
    for v in range(1, tree.n_nodes):
        parent = int(tree.parents[v])
        reach[v] = reach[parent] * _step(tree, behaviour, parent, v)
    return reach


def _step(tree: InformationTree, behaviour: Behaviour, parent: int, child: int) -> float:
    """The probability of the move from ``parent`` to ``child``."""
    if tree.movers[parent] == CHANCE:
        return float(tree.probabilities[child])
    return float(behaviour[int(tree.infoset_of[parent])][int(tree.moves[child])])


def bayes_beliefs(tree: InformationTree, behaviour: Behaviour) -> tuple[FloatArray | None, ...]:
    """Per information set: the belief by Bayes' rule, or None where the set is not reached."""
    reach = node_reach(tree, behaviour)
    beliefs: list[FloatArray | None] = []
    for entry in tree.infosets:
        weights = reach[list(entry.nodes)]
        total = float(weights.sum())
        beliefs.append(weights / total if total > 0 else None)
    return tuple(beliefs)


def check_assessment(
    tree: InformationTree,
    behaviour: Behaviour,
    beliefs: Mapping[str, ArrayLike] | None = None,
    tol: float = DEFAULT_TOL,
) -> AssessmentCheck:
    """Check beliefs by Bayes' rule on the path and sequential rationality at every set.

    Parameters
    ----------
    tree
        The tree.
    behaviour
        One probability vector per information set, in the order of ``tree.infosets``.
    beliefs
        Beliefs by the set's name ``"player: label"`` (:meth:`InformationTree.infoset_name`):
        a probability per node of the set, nodes in prefix order. Needed at every set of two
        or more nodes that play does not reach; where play reaches, a given belief is compared
        with Bayes' rule.
    tol
        Relative tolerance.

    Returns
    -------
    AssessmentCheck

    Raises
    ------
    InputError
        If a behaviour or belief vector has the wrong length or is not a probability vector, a
        belief names an unknown set, or an unreached set of several nodes has no belief.
    """
    tol = check_tolerance(tol)
    behaviour = _checked_behaviour(tree, behaviour)
    given = _checked_beliefs(tree, beliefs)
    bayes = bayes_beliefs(tree, behaviour)
    form = sequence_form(tree)
    used: list[FloatArray] = []
    gaps = np.zeros(len(tree.infosets))
    gains = np.zeros(len(tree.infosets))
    for h, entry in enumerate(tree.infosets):
        belief = bayes[h]
        if belief is not None:
            if h in given:
                gaps[h] = float(np.abs(given[h] - belief).max())
        elif h in given:
            belief = given[h]
        elif len(entry.nodes) == 1:
            belief = np.ones(1)
        else:
            raise InputError(
                f"information set {tree.infoset_name(h)!r} is not reached; give a belief over "
                f"its {len(entry.nodes)} nodes"
            )
        used.append(belief)
        gains[h] = _continuation_gain(form, behaviour, h, belief)
    return AssessmentCheck(
        tree,
        tuple(used),
        tuple(b is not None for b in bayes),
        gaps,
        gains,
        tol,
        payoff_scale(tree),
    )


def _continuation_gain(
    form: SequenceForm, behaviour: Behaviour, infoset: int, belief: FloatArray
) -> float:
    """Best continuation from the set less the behaviour's, under the belief."""
    tree = form.tree
    player = tree.infosets[infoset].player
    n_leaves = len(tree.leaves)
    others = np.zeros(n_leaves)  # chance and others' moves below the set, times the belief
    own = np.zeros(n_leaves)  # the player's own moves below the set
    for node, weight in zip(tree.infosets[infoset].nodes, belief.tolist(), strict=True):
        end = int(tree.subtree_ends[node])
        weight_other = {node: weight}
        weight_own = {node: 1.0}
        for v in range(node + 1, end):
            parent = int(tree.parents[v])
            step = _step(tree, behaviour, parent, v)
            mine = tree.movers[parent] == player
            weight_other[v] = weight_other[parent] * (1.0 if mine else step)
            weight_own[v] = weight_own[parent] * (step if mine else 1.0)
            leaf = int(tree.leaf_of[v])
            if leaf >= 0:
                others[leaf] = weight_other[v]
                own[leaf] = weight_own[v]
    current = float((others * own) @ tree.payoffs[:, player])
    values, _ = best_sequence_values(form, player, others)
    first = int(form.first_sequence[infoset])
    best = float(values[first : first + len(tree.infosets[infoset].actions)].max())
    return max(best - current, 0.0)


def _checked_behaviour(tree: InformationTree, behaviour: Behaviour) -> Behaviour:
    if len(behaviour) != len(tree.infosets):
        raise InputError(
            f"expected one probability vector per information set ({len(tree.infosets)}), got "
            f"{len(behaviour)}"
        )
    checked = []
    for h, probabilities in enumerate(behaviour):
        values = check_array(f"behaviour[{h}]", probabilities, ndim=1)
        _check_distribution(tree, h, values, len(tree.infosets[h].actions), "actions")
        checked.append(values)
    return tuple(checked)


def _checked_beliefs(
    tree: InformationTree, beliefs: Mapping[str, ArrayLike] | None
) -> dict[int, FloatArray]:
    names = {tree.infoset_name(h): h for h in range(len(tree.infosets))}
    checked = {}
    for name, belief in check_mapping("beliefs", beliefs).items():
        if name not in names:
            raise InputError(
                f"unknown information set {name!r}; expected one of {', '.join(names)}",
                field="beliefs",
            )
        h = names[name]
        values = check_array(f"beliefs[{name!r}]", belief, ndim=1)
        _check_distribution(tree, h, values, len(tree.infosets[h].nodes), "nodes")
        checked[h] = values
    return checked


def _check_distribution(
    tree: InformationTree, h: int, values: FloatArray, size: int, what: str
) -> None:
    if len(values) != size or np.any(values < 0) or abs(float(values.sum()) - 1) > 1e-9:
        raise InputError(
            f"at information set {tree.infoset_name(h)!r}: expected {size} probabilities (one "
            f"per {what[:-1]}) summing to 1, got {values.tolist()}"
        )
