"""Sweeps of game trees: the subgame-perfect equilibria of a whole chunk of trees on arrays.

A tree scenario's leaf payoffs and chance probabilities are evaluated once per chunk on parameter
arrays, and :func:`~kurilsim.forms.extensive.backward_induction.backward_induction_batch` solves
every tree of the chunk in the same numpy calls. Where a mover is indifferent (a tie, which gives
more than one subgame-perfect equilibrium), that point alone is listed in full by
:func:`~kurilsim.forms.extensive.backward_induction.subgame_perfect_equilibria`, so the table
holds every subgame-perfect equilibrium in pure strategies, as ``kurilsim run`` shows them.

Each equilibrium is written as a strategy profile of the tree's reduced normal form: one
probability column per plan of each player (a plan names the player's action at each of their
nodes, ``|``-joined, ``*`` where their own earlier moves rule the node out), so the table has the
columns of a normal-form sweep. Its ``label`` names the action at every node, as ``kurilsim run``
does, and a ``path`` column gives the play it leads to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.core.rules import SemanticError
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import no_reasons, reason_column
from kurilsim.core.text import DISPLAY_ZERO
from kurilsim.forms.extensive.backward_induction import (
    ListingBounds,
    backward_induction_batch,
    listing_reason,
    subgame_perfect_equilibria,
)
from kurilsim.forms.extensive.game import CHANCE, SEPARATOR, TERMINAL, ExtensiveFormGame
from kurilsim.forms.extensive.scenario import evaluate_tree
from kurilsim.forms.normal.labels import regime

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Most plans of one player a tree sweep tabulates (one probability column each).
MAX_PLANS = 256
#: The ``kind`` of the table's rows.
KIND = "subgame-perfect"


def plan_names(scenario: Scenario) -> tuple[tuple[str, ...], ...]:
    """Each player's plans (reduced strategies), the strategy columns of a tree sweep.

    Raises
    ------
    InputError
        If a player has more than :data:`MAX_PLANS` plans.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> plan_names(load_scenario("scenarios/sequence_1956.yaml"))[1]
    ('tolerate|*', 'threaten|keep_okinawa', 'threaten|return_okinawa')
    """
    tree = scenario.compiled.skeleton
    for player in scenario.players:
        count = tree.n_strategies(player)
        if count > MAX_PLANS:
            raise InputError(
                f"{player} has {count:,} plans in this tree, more than the {MAX_PLANS} a sweep "
                "tabulates (one column each)",
                file=scenario.source,
            )
    return tuple(tree.strategy_names(player) for player in scenario.players)


def tree_bytes_per_point(scenario: Scenario) -> int:
    """A generous estimate of the memory one point of a chunk needs while it is solved."""
    tree = scenario.compiled.skeleton
    players, leaves, nodes = tree.n_players, len(tree.leaves), tree.n_nodes
    arrays = leaves * (2 * players + len(scenario.compiled.outcomes) + 2)
    work = nodes * (2 * players + 6)  # choices, ties, reach, probabilities, values below
    plans = sum(tree.n_strategies(p) for p in scenario.players)
    return int(8 * (arrays + work + plans + players + 12))


def tree_rows(
    scenario: Scenario, values: Mapping[str, Any], tol: float, bounds: ListingBounds | None = None
) -> tuple[IntArray, dict[str, Any]]:
    """Every subgame-perfect equilibrium of a batch of trees, one row each.

    Parameters
    ----------
    scenario
        The tree scenario.
    values
        Every parameter (as from :meth:`Scenario.parameter_values`): a number or a 1-D array;
        arrays share one length ``G``.
    tol
        Relative tolerance for ties.
    bounds
        The bounds of the listing at a tied point, as :func:`kurilsim.solve_tree` sets them
        from its options (by default, its defaults): each point's rows are those of its run.

    Returns
    -------
    game : numpy.ndarray
        The game of the batch each row belongs to, ascending.
    columns : dict
        The table's columns from ``equilibrium`` to ``incomplete_reason``, with ``path`` after
        ``label``.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim import load_scenario
    >>> scenario = load_scenario("scenarios/sequence_1956.yaml")
    >>> values = scenario.parameter_values({"carry_out_cost": np.array([0.0, 0.6])})
    >>> game, columns = tree_rows(scenario, values, 1e-9)
    >>> game.tolist(), columns["path"].to_pylist()
    ([0, 1], ['offer_two > threaten > demand_four', 'offer_two > tolerate > accept_two'])
    """
    # Only sweeps build tables: reading a scenario does not load pyarrow.
    from kurilsim.core.arrow_columns import string_array

    tree = scenario.compiled.skeleton
    bounds = bounds or ListingBounds()
    try:
        payoffs, probabilities = evaluate_tree(scenario.compiled, values)
    except SemanticError as exc:
        raise InputError(exc.reason, file=scenario.source, field=exc.field) from None
    batch = backward_induction_batch(tree, payoffs, probabilities, tol)
    games = len(batch)
    game, choices = np.arange(games), batch.choices
    complete = np.ones(games, dtype=bool)
    reasons = no_reasons(games)
    tied = np.flatnonzero(~batch.unique)
    if tied.size:
        # Ties are rare (a mover exactly indifferent): list those points' equilibria in full.
        extra_game: list[int] = []
        extra_choices: list[IntArray] = []
        extra_complete: list[bool] = []
        extra_reasons: list[str | None] = []
        for g in tied:
            found, done = subgame_perfect_equilibria(
                tree.with_payoffs(payoffs[g], probabilities[g]),
                tol,
                bounds.max_equilibria,
                bounds.seconds,
            )
            reason = listing_reason(
                len(found), done, tree.n_nodes, bounds.max_equilibria, bounds.time_option
            )
            extra_game += [int(g)] * len(found)
            extra_choices += found
            extra_complete += [done] * len(found)
            extra_reasons += [reason] * len(found)
        keep = batch.unique
        game = np.concatenate([game[keep], np.asarray(extra_game, dtype=np.int64)])
        choices = np.concatenate([choices[keep], np.stack(extra_choices)])
        complete = np.concatenate([complete[keep], np.asarray(extra_complete, dtype=bool)])
        order = np.argsort(game, kind="stable")  # the full listing keeps its own order
        game, choices, complete = game[order], choices[order], complete[order]
        untied: list[str | None] = [None] * int(keep.sum())
        reasons = reason_column(np.array([*untied, *extra_reasons], dtype=object)[order].tolist())
    at = payoffs[game], probabilities[game]
    own, regret = play_values(tree, *at, choices)
    profiles = reduced_profiles(tree, choices)
    plans = plan_names(scenario)
    counts = np.bincount(game, minlength=games)
    number = np.arange(game.size) - np.repeat(np.cumsum(counts) - counts, counts) + 1

    columns: dict[str, Any] = {
        "equilibrium": number,
        "kind": string_array([KIND] * game.size, large=True),
    }
    for i, (player, names) in enumerate(zip(scenario.players, plans, strict=True)):
        one_hot = np.eye(len(names))[profiles[:, i]]
        columns.update({f"prob.{player}.{name}": one_hot[:, k] for k, name in enumerate(names)})
    columns.update({f"payoff.{p}": own[:, i] for i, p in enumerate(scenario.players)})
    columns["max_regret"] = regret
    label_of = _names(choices, lambda row: complete_plans(tree, row))
    columns["label"] = string_array(label_of, large=True)
    reach = leaf_reach(tree, probabilities[game], choices)
    columns["path"] = string_array(_names(reach, lambda row: path_text(tree, row)), large=True)
    columns["regime"] = _regime_column(label_of, counts, game)
    columns["complete"] = complete
    columns["incomplete_reason"] = reasons
    return game, columns


def _spans(counts: IntArray) -> list[tuple[int, int]]:
    ends = np.cumsum(counts)
    return list(zip((ends - counts).tolist(), ends.tolist(), strict=True))


def _regime_column(label_of: list[str], counts: IntArray, game: IntArray) -> Any:
    """The ``regime`` column: each point's regime stored once, dictionary-encoded, a code per row.

    A tied point's regime names all its equilibria and is on each of its rows: held as plain
    strings, the column would grow as the square of the point's equilibria.
    """
    from kurilsim.core.arrow_columns import dictionary_array  # sweeps alone load pyarrow

    code: dict[str, int] = {}
    of_point = [code.setdefault(regime(label_of[s:e]), len(code)) for s, e in _spans(counts)]
    # 32-bit codes, as the sweep file has them: the chunk is written without a cast.
    return dictionary_array(list(code), np.asarray(of_point, dtype=np.int32)[game])


def _names(rows: NDArray[Any], name: Any) -> list[str]:
    """``name(row)`` for each row, computed once per distinct row."""
    if not len(rows):
        return []
    distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    texts = [name(row) for row in distinct]
    return [texts[k] for k in inverse.reshape(-1)]


def complete_plans(tree: ExtensiveFormGame, choices: IntArray) -> str:
    """The name of a subgame-perfect equilibrium: every player's action at each of their nodes.

    Actions are ``|``-joined, as :meth:`~kurilsim.forms.extensive.result.TreeSolution.plan` writes
    them. Unlike the plans of the reduced normal form, this keeps the moves at nodes a player's own
    earlier moves rule out: subgame perfection is judged there too.
    """
    return ", ".join(
        f"{player}: "
        + (SEPARATOR.join(tree.actions[v][choices[v]] for v in tree.decision_nodes(player)) or "-")
        for player in tree.players
    )


def play_values(
    tree: ExtensiveFormGame, payoffs: FloatArray, probabilities: FloatArray, choices: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Expected payoffs of playing ``choices`` in each tree, and the largest one-shot gain.

    The gain is that of any player changing their action at any one decision node, reached or
    not, play below following ``choices``: zero (within the tolerance) for a subgame-perfect
    equilibrium, by the one-shot deviation principle. It is the verification of each row.

    Parameters
    ----------
    tree
        The tree; its own payoffs are not used.
    payoffs, probabilities, choices
        Shapes ``(R, n_leaves, N)``, ``(R, n_nodes)`` and ``(R, n_nodes)``.

    Returns
    -------
    payoffs : numpy.ndarray
        Shape ``(R, N)``.
    regret : numpy.ndarray
        Shape ``(R,)``.
    """
    rows = np.arange(len(choices))
    regret = np.zeros(len(choices))
    pending: dict[int, FloatArray] = {}
    for v in reversed(range(tree.n_nodes)):
        mover = int(tree.movers[v])
        if mover == TERMINAL:
            pending[v] = payoffs[:, tree.leaf_of[v]]
            continue
        children = list(tree.children[v])
        below = np.stack([pending.pop(c) for c in children], axis=1)  # (R, k, N)
        if mover == CHANCE:
            pending[v] = np.einsum("rk,rkn->rn", probabilities[:, children], below)
            continue
        taken = below[rows, choices[:, v]]
        regret = np.maximum(regret, below[:, :, mover].max(axis=1) - taken[:, mover])
        pending[v] = taken
    return pending[0], regret


def leaf_reach(tree: ExtensiveFormGame, probabilities: FloatArray, choices: IntArray) -> FloatArray:
    """The probability of reaching each leaf under ``choices``: shape ``(R, n_leaves)``."""
    reach = np.zeros((len(choices), tree.n_nodes))
    reach[:, 0] = 1.0
    for v in range(1, tree.n_nodes):
        parent = int(tree.parents[v])
        if tree.movers[parent] == CHANCE:
            reach[:, v] = reach[:, parent] * probabilities[:, v]
        else:
            reach[:, v] = reach[:, parent] * (choices[:, parent] == tree.moves[v])
    return reach[:, list(tree.leaves)]


def path_text(tree: ExtensiveFormGame, reach: FloatArray) -> str:
    """The path of play: each leaf reached, with its probability when below 1.

    As :meth:`~kurilsim.forms.extensive.result.TreeSolution.path_text`.
    """
    parts = []
    for k in np.flatnonzero(reach > DISPLAY_ZERO):
        name = tree.node_name(tree.leaves[k])
        p = float(reach[k])
        parts.append(name if p >= 1 - DISPLAY_ZERO else f"{name} [{p:.4g}]")
    return "; ".join(parts)


def reduced_profiles(tree: ExtensiveFormGame, choices: IntArray) -> IntArray:
    """Each row's plan of every player, as an index into ``tree.strategies(player)``.

    A plan leaves out (``-1``) the nodes the player's own moves rule out, as
    :meth:`~kurilsim.forms.extensive.game.ExtensiveFormGame.strategy_profile` does for one row.

    Returns
    -------
    numpy.ndarray
        Shape ``(R, N)``.
    """
    size = len(choices)
    own_reach = np.ones((size, tree.n_players, tree.n_nodes), dtype=bool)
    for v in range(1, tree.n_nodes):
        parent = int(tree.parents[v])
        own_reach[:, :, v] = own_reach[:, :, parent]
        mover = int(tree.movers[parent])
        if mover >= 0:
            own_reach[:, mover, v] &= choices[:, parent] == tree.moves[v]
    profiles = np.zeros((size, tree.n_players), dtype=np.int64)
    for i, player in enumerate(tree.players):
        own = list(tree.decision_nodes(player))
        if not own:
            continue  # one plan: no move
        plans = np.where(own_reach[:, i, own], choices[:, own], -1)
        table = {tuple(row): k for k, row in enumerate(tree.strategies(player).tolist())}
        distinct, inverse = np.unique(plans, axis=0, return_inverse=True)
        index = np.asarray([table[tuple(row)] for row in distinct.tolist()], dtype=np.int64)
        profiles[:, i] = index[inverse.reshape(-1)]
    return profiles
