"""What blocks a deal: the players who would walk away from it, and the payoff terms that make them.

A *deal* is any outcome a condition marks, such as ``"islands > 0"`` (land changes hands). When no
equilibrium is a deal, the question an analyst asks is why not. For a game in normal form the
answer is read off the deal profile nearest to being an equilibrium: the players with a profitable
unilateral deviation from it, each with its best deviation, its gain and, where the player's payoff
is a sum of terms, the terms that account for the gain. For a game tree it is read off the path to
the deal leaf nearest to subgame-perfect play: the decision nodes on that path where the mover,
looking ahead, prefers another move.

Examples
--------
>>> from kurilsim import parse_scenario
>>> scenario = parse_scenario('''
... kurilsim: 1
... title: Deal or not
... parameters:
...   cost: {default: 2, range: [0, 3], unit: utils, description: ratification cost,
...          assumption: example}
... players: {R: [keep, cede], J: [wait, accept]}
... outcomes:
...   deal: {description: land changes hands, rules: [{when: {R: cede, J: accept}, value: 1}]}
... payoffs: {R: "1.5 * deal - cost * deal", J: "deal"}
... ''')
>>> nearest = normal_form_blockers(scenario, scenario.defaults(), "deal > 0")
>>> nearest.outcome  # the profile (cede, accept), flat index 3
3
>>> (blocker,) = nearest.blockers
>>> blocker.player, blocker.deviation, round(blocker.gain, 3)
('R', 'keep', 0.5)
>>> [(term, round(value, 3)) for term, value in blocker.terms]  # what leaving saves R
[('- cost * deal', 2.0)]
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.core.expr import Expression, parse_expression
from kurilsim.forms.conflict.game import Conflict
from kurilsim.forms.conflict.stability import StabilityTable
from kurilsim.forms.extensive.backward_induction import leaf_scales
from kurilsim.forms.extensive.game import ExtensiveFormGame
from kurilsim.forms.extensive.scenario import ExtensiveScenario
from kurilsim.forms.normal.regret import DEFAULT_TOL, player_scales
from kurilsim.forms.normal.scenario import Scenario, outcome_values

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: The deal condition used when none is given and the scenario has an ``islands`` variable:
#: every bundled Kuril scenario names the land transferred that way.
DEFAULT_DEAL = "islands > 0"


@dataclass(frozen=True)
class Blocker:
    """A player who would leave a deal, and why.

    Attributes
    ----------
    player
        Who leaves.
    move
        What the player does in the deal (a strategy, or the move at a decision node).
    deviation
        What the player prefers instead.
    gain
        The player's payoff gain from leaving, in the player's payoff units.
    leaves_deal
        Whether the deviation itself ends the deal (a party walking away), rather than changing
        the terms around it (a third party pressing, threatening or taking sides).
    terms
        The additive terms of the player's payoff with the largest contributions to the gain,
        largest first (empty where the payoff is not a sum of terms).
    node
        In a game tree: the decision node, by name; empty in a normal-form game.
    """

    player: str
    move: str
    deviation: str
    gain: float
    leaves_deal: bool
    terms: tuple[tuple[str, float], ...] = ()
    node: str = ""

    def describe(self) -> str:
        """One plain-language sentence.

        Examples
        --------
        >>> Blocker("US", "tolerate", "pressure", 0.07, False).describe()
        'US would switch from tolerate to pressure (gain 0.07)'
        """
        where = f" at '{self.node}'" if self.node else ""
        text = f"{self.player} would switch from {self.move} to {self.deviation}{where}"
        text += f" (gain {self.gain:.3g}"
        if self.terms:
            term, value = self.terms[0]
            text += f", mostly from {term.lstrip('+ ')} worth {value:.3g}"
        return text + ")"


@dataclass(frozen=True)
class NearestDeal:
    """The deal outcome nearest to equilibrium play, and who would leave it.

    Attributes
    ----------
    outcome
        The deal: a flat (C-order) strategy profile index in a normal-form game, a leaf index
        (leaves in prefix order) in a tree, a state index in a conflict; -1 when no outcome is a
        deal.
    blockers
        The players who would leave it; empty when it is an equilibrium outcome (or there is
        none).
    """

    outcome: int
    blockers: tuple[Blocker, ...]


def deal_condition(text: str, names: Sequence[str], what: str) -> Expression:
    """Parse a deal condition and check it names only ``names``.

    Parameters
    ----------
    text
        An expression in the payoff language (see :mod:`kurilsim.core.expr`).
    names
        The variables it may use.
    what
        What those variables are, for the error message (e.g. ``"outcome variables"``).

    Raises
    ------
    InputError
        For a malformed condition or an unknown name, naming the field ``deal``.

    Examples
    --------
    >>> deal_condition("islands > 0", ["islands", "treaty"], "outcome variables").names
    frozenset({'islands'})
    """
    try:
        condition = parse_expression(text)
    except InputError as exc:
        raise InputError(f"{exc.reason}: {text!r}", field="deal") from None
    unknown = sorted(condition.names.difference(names))
    if unknown:
        known = ", ".join(names) or "none"
        raise InputError(
            f"{', '.join(unknown)} in {text!r} is not among the {what} ({known})", field="deal"
        )
    return condition


def default_deal(names: Sequence[str]) -> str | None:
    """:data:`DEFAULT_DEAL` where the scenario has an ``islands`` variable, else None."""
    return DEFAULT_DEAL if "islands" in names else None


def normal_form_deals(scenario: Scenario, values: Mapping[str, Any], deal: str) -> BoolArray:
    """True on the strategy profiles where ``deal`` holds, shape ``(n_1, ..., n_N)``.

    Raises
    ------
    InputError
        If the condition names anything other than the scenario's outcome variables.
    """
    names = [outcome.name for outcome in scenario.compiled.outcomes]
    condition = deal_condition(deal, names, "outcome variables")
    env = outcome_values(scenario.compiled, values)
    shape = tuple(len(s) for s in scenario.strategies)
    return np.broadcast_to(np.not_equal(condition.evaluate(env), 0), shape).copy()


def normal_form_blockers(
    scenario: Scenario,
    values: Mapping[str, Any],
    deal: str,
    tol: float = DEFAULT_TOL,
    max_terms: int = 3,
) -> NearestDeal:
    """The players who would leave the deal profile nearest to being an equilibrium.

    The nearest deal profile is the one the fewest players would leave, then the one whose
    deviations gain least (each gain in proportion to the player's payoff range).

    Parameters
    ----------
    scenario
        A normal-form scenario.
    values
        Every parameter's value (see :meth:`Scenario.parameter_values`).
    deal
        The deal condition over the scenario's outcome variables.
    tol
        Relative tolerance: a gain within ``tol`` times the player's payoff range is no gain.
    max_terms
        How many of the largest contributing payoff terms to keep per blocker.

    Returns
    -------
    NearestDeal
        Its blockers are empty when some deal profile is an equilibrium.
    """
    mask = normal_form_deals(scenario, values, deal)
    if not mask.any():
        return NearestDeal(-1, ())
    payoffs = scenario.payoff_tensor(values)
    n = payoffs.shape[-1]
    scales = player_scales(payoffs)
    # gains[..., i]: player i's best unilateral gain at each profile.
    gains = np.stack(
        [payoffs[..., i].max(axis=i, keepdims=True) - payoffs[..., i] for i in range(n)], axis=-1
    )
    relative = np.where(gains > tol * scales, gains / scales, 0.0)
    leaving = (relative > 0).sum(axis=-1)
    # Order the deal profiles by (players leaving, total relative gain); take the first.
    candidates = np.flatnonzero(mask.reshape(-1))
    flat_leaving = leaving.reshape(-1)[candidates]
    flat_total = relative.sum(axis=-1).reshape(-1)[candidates]
    best = int(candidates[np.lexsort((flat_total, flat_leaving))[0]])
    cell = np.unravel_index(best, mask.shape)
    blockers = tuple(
        _normal_blocker(scenario, values, payoffs, mask, cell, int(i), max_terms)
        for i in np.flatnonzero(relative[cell] > 0)
    )
    return NearestDeal(best, blockers)


def _normal_blocker(
    scenario: Scenario,
    values: Mapping[str, Any],
    payoffs: FloatArray,
    mask: BoolArray,
    cell: tuple[Any, ...],
    i: int,
    max_terms: int,
) -> Blocker:
    names = scenario.strategies[i]
    row = payoffs[(*cell[:i], slice(None), *cell[i + 1 :], i)]
    to = int(np.argmax(row))
    moved = (*cell[:i], to, *cell[i + 1 :])
    terms = payoff_terms(scenario, values, i, cell, moved)
    ranked = sorted(terms, key=lambda item: -item[1])[:max_terms]
    return Blocker(
        player=scenario.players[i],
        move=names[int(cell[i])],
        deviation=names[to],
        gain=float(row[to] - row[int(cell[i])]),
        leaves_deal=not bool(mask[moved]),
        terms=tuple((term, value) for term, value in ranked if value > 0),
    )


def payoff_terms(
    scenario: Scenario,
    values: Mapping[str, Any],
    player: int,
    profile: tuple[Any, ...],
    moved: tuple[Any, ...],
) -> list[tuple[str, float]]:
    """How each additive term of a player's payoff changes from ``profile`` to ``moved``.

    Returns an empty list where the payoff is set by rules or a table at either profile, or is
    not a sum of terms, so that no attribution is ever made up.
    """
    ruled = scenario.compiled.payoffs[player]
    if any(rule.mask[profile] or rule.mask[moved] for rule in ruled.rules):
        return []
    parts = additive_terms(ruled.default.source)
    if len(parts) < 2:
        return []
    env = outcome_values(scenario.compiled, values)
    shape = tuple(len(s) for s in scenario.strategies)
    changes: list[tuple[str, float]] = []
    for sign, text in parts:
        value = sign * np.broadcast_to(parse_expression(text).evaluate(env), shape)
        shown = text if sign > 0 and not changes else f"{'+' if sign > 0 else '-'} {text}"
        changes.append((shown, float(value[moved] - value[profile])))
    return changes


def additive_terms(text: str) -> list[tuple[int, str]]:
    """Split expression text into its additive terms, as (sign, text) pairs.

    Sums in parentheses are split too: ``a - (b - c)`` is ``a``, ``-b`` and ``+c``.

    Examples
    --------
    >>> additive_terms("a * b - c + (d - e) - -f")
    [(1, 'a * b'), (-1, 'c'), (1, 'd'), (-1, 'e'), (-1, '-f')]
    >>> additive_terms("2 * max(a, b) - (x >= 2)")
    [(1, '2 * max(a, b)'), (-1, '(x >= 2)')]
    """
    source = " ".join(text.split())
    terms: list[tuple[int, str]] = []

    def walk(node: ast.expr, sign: int) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            walk(node.left, sign)
            walk(node.right, sign if isinstance(node.op, ast.Add) else -sign)
            return
        segment = ast.get_source_segment(source, node) or ""
        if isinstance(node, ast.Compare | ast.BoolOp | ast.IfExp):
            segment = f"({segment})"  # reads as one term after a sign
        terms.append((sign, segment))

    walk(ast.parse(source, mode="eval").body, 1)
    return terms


def deals_where(columns: Mapping[str, FloatArray], size: int, deal: str, what: str) -> BoolArray:
    """True on the outcomes where ``deal`` holds, given each variable's value per outcome.

    Parameters
    ----------
    columns
        Variable name -> its value at each of ``size`` outcomes (leaves, deals or states).
    size
        The number of outcomes.
    deal
        The condition.
    what
        What the variables are, for error messages.

    Examples
    --------
    >>> deals_where({"islands": np.array([0.0, 2.0, 4.0])}, 3, "islands == 2", "variables")
    array([False,  True, False])
    """
    condition = deal_condition(deal, list(columns), what)
    return np.broadcast_to(np.not_equal(condition.evaluate(columns), 0), (size,)).copy()


def tree_outcomes(
    scenario: ExtensiveScenario, values: Mapping[str, float]
) -> dict[str, FloatArray]:
    """Each outcome variable of a tree scenario at every leaf (0 where a leaf sets none).

    Parameters
    ----------
    scenario
        The tree scenario.
    values
        Every parameter's value, as numbers.
    """
    compiled = scenario.compiled
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


def conflict_blockers(
    table: StabilityTable, deals: BoolArray, tol: float = DEFAULT_TOL
) -> NearestDeal:
    """The decision makers who would leave the deal state nearest to sequential stability.

    The nearest deal state is the one sequentially stable (SEQ) for the most decision makers;
    each decision maker for whom it is not has an improvement no one sanctions, and leaves for
    the improvement it likes best.

    Parameters
    ----------
    table
        A stability analysis that includes the ``"seq"`` concept.
    deals
        True at the deal states.
    tol
        Relative tolerance of preference comparisons.

    Examples
    --------
    >>> from kurilsim.forms.conflict.game import Conflict
    >>> from kurilsim.forms.conflict.stability import stability
    >>> dilemma = Conflict.from_options(
    ...     {"A": ["a_defects"], "B": ["b_defects"]},
    ...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
    ... )
    >>> table = stability(dilemma)
    >>> mutual_restraint = np.array([True, False, False, False])  # sequentially stable
    >>> conflict_blockers(table, mutual_restraint).blockers
    ()
    >>> a_alone_defects = np.array([False, True, False, False])
    >>> [b.describe() for b in conflict_blockers(table, a_alone_defects).blockers]
    ['B would switch from state 2 to state 4 (A: a_defects; B: b_defects) (gain 1)']
    """
    conflict = table.conflict
    if "seq" not in table.concepts:
        raise InputError("the deal analysis of a conflict needs its SEQ stability")
    if not deals.any():
        return NearestDeal(-1, ())
    stable = table.stable[table.concepts.index("seq")]
    candidates = np.flatnonzero(deals)
    nearest = int(candidates[np.argmin((~stable[:, candidates]).sum(axis=0))])
    improvements = conflict.improvements(tol)
    blockers = []
    for i in np.flatnonzero(~stable[:, nearest]):
        scores = conflict.payoffs[i]
        targets = np.flatnonzero(improvements[i, nearest])
        to = int(targets[np.argmax(scores[targets])])
        blockers.append(
            Blocker(
                player=conflict.dms[int(i)],
                move=f"state {nearest + 1}",
                deviation=state_name(conflict, to),
                gain=float(scores[to] - scores[nearest]),
                leaves_deal=not bool(deals[to]),
            )
        )
    return NearestDeal(nearest, tuple(blockers))


def state_name(conflict: Conflict, state: int) -> str:
    """A conflict state by number (from 1) and the options taken in it.

    Examples
    --------
    >>> from kurilsim.forms.conflict.game import Conflict
    >>> c = Conflict.from_options({"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": ["b"]})
    >>> state_name(c, 3)
    'state 4 (A: a; B: b)'
    """
    taken = [f"{dm}: {', '.join(names)}" for dm, names in conflict.taken(state).items() if names]
    return f"state {state + 1} ({'; '.join(taken) or 'no option taken'})"


def option_columns(conflict: Conflict) -> dict[str, FloatArray]:
    """Each option of a conflict as a column over states: 1 where the state takes it."""
    states = conflict.states if conflict.states is not None else np.zeros((conflict.n_states, 0))
    return {name: states[:, k].astype(float) for k, name in enumerate(conflict.option_names)}
