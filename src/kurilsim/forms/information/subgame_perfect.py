r"""Subgame-perfect equilibria of a tree with information sets (Selten 1965, 1975).

A *proper subgame* starts at a node whose information set is that node alone and contains every
node of every information set it touches. A subgame-perfect equilibrium plays a Nash equilibrium
in every proper subgame. This module finds them the way backward induction does, one subgame at a
time: take a smallest proper subgame, find every extreme equilibrium of it (through its reduced
normal form), and for each replace the subgame by a leaf paying that equilibrium's payoffs; then
solve what is left the same way and combine. With one equilibrium per subgame this is one pass; a
subgame with several equilibria multiplies the answers, up to :data:`MAX_COMBINATIONS`.

Every answer is checked independently: its max regret is computed in every proper subgame.

Examples
--------
Selten's horse has no proper subgame but itself: every Nash equilibrium is subgame-perfect.
The entry game as a tree drops the Nash equilibrium that rests on the threat to fight:

>>> from kurilsim.forms import catalogue
>>> from kurilsim.forms.information.game import InformationTree
>>> entry = InformationTree.from_extensive(catalogue.entry_deterrence())
>>> proper_subgames(entry)
(0, 2)
>>> found, incomplete_reason, note = subgame_perfect(entry)
>>> [[b.tolist() for b in behaviour] for behaviour in found]
[[[0.0, 1.0], [0.0, 1.0]]]
"""

from __future__ import annotations

import time
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import KurilsimError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.extensive.game import CHANCE, TERMINAL
from kurilsim.forms.information.game import (
    ChanceNode,
    InformationTree,
    Node,
    PlayerNode,
    TerminalNode,
)
from kurilsim.forms.information.reduced_normal_form import (
    mixed_to_behaviour,
    reduced_normal_form,
)
from kurilsim.forms.information.regret import behaviour_regrets, payoff_scale
from kurilsim.forms.information.sequence_form import Behaviour, sequence_form
from kurilsim.forms.normal.solve import solve as solve_normal

FloatArray = NDArray[np.float64]

#: Most subgame-perfect equilibria combined from the subgames' equilibria.
MAX_COMBINATIONS: Final = 1_000

#: An information set by its player and label: the same in a tree and in its subgames.
Key = tuple[int, str]


def proper_subgames(tree: InformationTree) -> tuple[int, ...]:
    """The roots of the proper subgames, in prefix order (the root, 0, always among them)."""
    ends = tree.subtree_ends
    # For each node: the smallest and largest node number of any information set it belongs to.
    low = np.arange(tree.n_nodes)
    high = np.arange(tree.n_nodes)
    for entry in tree.infosets:
        nodes = list(entry.nodes)
        low[nodes], high[nodes] = min(nodes), max(nodes)
    roots = []
    for v in range(tree.n_nodes):
        if tree.movers[v] == TERMINAL:
            continue
        h = int(tree.infoset_of[v])
        if h >= 0 and len(tree.infosets[h].nodes) > 1:
            continue
        inside = slice(v, int(ends[v]))
        if low[inside].min() >= v and high[inside].max() < ends[v]:
            roots.append(v)
    return tuple(roots)


def subgame_perfect(
    tree: InformationTree, tol: float = DEFAULT_TOL, max_seconds: float | None = None
) -> tuple[list[Behaviour], str | None, str]:
    """Every subgame-perfect equilibrium built from the subgames' extreme equilibria.

    Parameters
    ----------
    tree
        The tree.
    tol
        Relative tolerance of the normal-form solvers and of the checks.
    max_seconds
        A bound on the time spent in each subgame's normal-form solver.

    Returns
    -------
    found
        The equilibria in behaviour strategies.
    incomplete_reason
        None, or why the listing is incomplete (see
        :attr:`~kurilsim.core.result.Result.incomplete_reason`): a solver's bound, or
        ``"limit: combinations"`` where :data:`MAX_COMBINATIONS` cut it short.
    note
        How many proper subgames were solved.

    Raises
    ------
    KurilsimError
        If an answer is not a Nash equilibrium of some proper subgame (a bug).
    """
    started = time.monotonic()
    options: dict[str, Any] = {} if max_seconds is None else {"max_seconds": max_seconds}
    solved, reason = _solve(tree, tol, options)
    keys = [(s.player, s.label) for s in tree.infosets]
    found = [tuple(profile[k] for k in keys) for profile in solved]
    roots = proper_subgames(tree)
    for behaviour in found:
        _check_every_subgame(tree, roots, behaviour, tol)
    note = (
        f"{len(roots)} proper subgames (the game included), solved from the last up in "
        f"{time.monotonic() - started:.2g} s"
    )
    return found, reason, note


def _solve(
    tree: InformationTree, tol: float, options: dict[str, Any]
) -> tuple[list[dict[Key, FloatArray]], str | None]:
    """Subgame-perfect profiles as information set key -> probabilities."""
    roots = proper_subgames(tree)
    inner = [v for v in roots if v > 0]
    if not inner:
        return _nash(tree, tol, options)
    # A smallest proper subgame: one without another proper subgame inside.
    ends = tree.subtree_ends
    root = next(v for v in reversed(inner) if not any(v < w < ends[v] for w in inner))
    below, reason = _nash(_subtree(tree, root), tol, options)
    combined: list[dict[Key, FloatArray]] = []
    for part in below:
        value = _value(tree, root, part)
        above, above_reason = _solve(_replaced(tree, root, value), tol, options)
        reason = reason or above_reason
        for rest in above:
            if len(combined) >= MAX_COMBINATIONS:
                return combined, "limit: combinations"
            combined.append({**rest, **part})
    return combined, reason


def _nash(
    tree: InformationTree, tol: float, options: dict[str, Any]
) -> tuple[list[dict[Key, FloatArray]], str | None]:
    """Every extreme Nash equilibrium of a tree (through its reduced normal form), by key."""
    if not tree.infosets:
        return [{}], None
    form = sequence_form(tree)
    game, plans = reduced_normal_form(tree, form)
    method = "vertex-enumeration" if tree.n_players == 2 else "support-enumeration"
    solution = solve_normal(game, method, tol, **options)
    found: list[dict[Key, FloatArray]] = []
    for equilibrium in solution:
        behaviour = mixed_to_behaviour(form, plans, equilibrium.profile)
        profile = {(s.player, s.label): b for s, b in zip(tree.infosets, behaviour, strict=True)}
        if not any(_same(profile, other) for other in found):
            found.append(profile)
    return found, solution.incomplete_reason


def _same(first: dict[Key, FloatArray], second: dict[Key, FloatArray]) -> bool:
    return all(np.allclose(first[k], second[k], atol=1e-9) for k in first)


def _value(tree: InformationTree, root: int, part: dict[Key, FloatArray]) -> FloatArray:
    """Each player's expected leaf payoff in the subgame at ``root`` under ``part``."""
    sub = _subtree(tree, root)
    behaviour = tuple(part[(s.player, s.label)] for s in sub.infosets)
    return np.asarray(sequence_form(sub).outcome_probabilities(behaviour) @ sub.payoffs)


def _subtree(tree: InformationTree, root: int) -> InformationTree:
    """The subgame at ``root`` as a tree (leaf payoffs as in the whole tree)."""
    return InformationTree(tree.players, _nested(tree, root, {}), tree.title)


def _replaced(tree: InformationTree, root: int, value: FloatArray) -> InformationTree:
    """The tree with the subgame at ``root`` replaced by a leaf paying ``value``."""
    return InformationTree(tree.players, _nested(tree, 0, {root: value}), tree.title)


def _nested(tree: InformationTree, start: int, leaves: dict[int, FloatArray]) -> Node:
    """The subtree at ``start`` as nodes, with the nodes in ``leaves`` made leaves paying those."""
    built: dict[int, Node] = {}
    for v in reversed(range(start, int(tree.subtree_ends[start]))):
        if any(w < v < tree.subtree_ends[w] for w in leaves):
            continue  # inside a replaced subgame
        label = tree.labels[v]
        if v in leaves:
            built[v] = TerminalNode(leaves[v], label=label)
            continue
        mover = int(tree.movers[v])
        if mover == TERMINAL:
            built[v] = TerminalNode(tree.payoffs[int(tree.leaf_of[v])], label=label)
            continue
        children = [built.pop(c) for c in tree.children[v]]
        if mover == CHANCE:
            built[v] = ChanceNode(
                {
                    a: (float(tree.probabilities[c]), child)
                    for a, c, child in zip(tree.actions[v], tree.children[v], children, strict=True)
                },
                label=label,
            )
        else:
            entry = tree.infosets[int(tree.infoset_of[v])]
            built[v] = PlayerNode(
                tree.players[mover],
                entry.label,
                dict(zip(tree.actions[v], children, strict=True)),
                label=label,
            )
    return built[start]


def _check_every_subgame(
    tree: InformationTree, roots: tuple[int, ...], behaviour: Behaviour, tol: float
) -> None:
    by_key = {(s.player, s.label): b for s, b in zip(tree.infosets, behaviour, strict=True)}
    for root in roots:
        sub = _subtree(tree, root)
        restricted = tuple(by_key[(s.player, s.label)] for s in sub.infosets)
        regret = float(behaviour_regrets(sub, restricted).max()) if sub.infosets else 0.0
        if regret > tol * payoff_scale(sub):
            raise KurilsimError(
                f"a subgame-perfect profile has max regret {regret:.3g} in the subgame at node "
                f"{tree.node_name(root)!r}; this is a bug in kurilsim, please report it"
            )
