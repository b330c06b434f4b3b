"""One entry point for game trees: ``solve_tree(game, method, tol, **options)``.

It lists the subgame-perfect equilibria by backward induction and verifies each one (no player
gains by changing their move at any node), builds the reduced normal form, solves it with a
normal-form method through :func:`kurilsim.solve`, and marks which Nash equilibria are
subgame-perfect. The two sets side by side show the non-credible threats: Nash equilibria that
rely on a move the mover would not make if play reached it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import (
    check_instance,
    check_mapping,
    check_real,
    check_solver_options,
    check_text,
)
from kurilsim.core.errors import InputError, KurilsimError
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.extensive.backward_induction import (
    CELLS_PER_BLOCK,
    leaf_scales,
    listing_bounds,
    listing_reason,
    non_credible_table,
    subgame_perfect_equilibria,
    subgame_regrets,
)
from kurilsim.forms.extensive.game import ExtensiveFormGame
from kurilsim.forms.extensive.result import SubgamePerfectEquilibrium, TreeSolution
from kurilsim.forms.normal.regret import payoff_scale
from kurilsim.forms.normal.result import Solution
from kurilsim.forms.normal.solve import METHODS, solve

#: The method for game trees; ``"auto"`` stands for it.
BACKWARD_INDUCTION: Final = "backward-induction"
#: Every method name a game tree accepts: backward induction, or a normal-form method for the
#: Nash equilibria shown beside the subgame-perfect ones.
TREE_METHODS: Final = (BACKWARD_INDUCTION, *METHODS)
#: The normal-form method used for the Nash equilibria unless another is named: subgame-perfect
#: equilibria are pure, so the pure equilibria are the ones to compare them with.
NASH_METHOD: Final = "pure"
#: Most node values (equilibria times nodes) computed judging which Nash equilibria are
#: subgame-perfect.
MAX_JUDGED_NODES: Final = 20_000_000

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def solve_tree(
    game: ExtensiveFormGame,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    parameters: Mapping[str, float] | None = None,
    **options: Any,
) -> TreeSolution:
    """Subgame-perfect equilibria of a game tree, beside the Nash equilibria of its normal form.

    Parameters
    ----------
    game
        The game tree.
    method
        ``"auto"`` or ``"backward-induction"``: the subgame-perfect equilibria, and the pure Nash
        equilibria of the reduced normal form. A normal-form method name (``"pure"``,
        ``"vertex-enumeration"``, ...; see :func:`kurilsim.solve`) solves the normal form with that
        method instead.
    tol
        Relative tolerance: ties are judged against ``tol`` times the smaller of the mover's payoff
        range over the leaves and the stakes at the node (see
        :func:`~kurilsim.forms.extensive.backward_induction.tie_slack`); regrets against ``tol``
        times the payoff range.
    parameters
        Scenario parameter values the tree was built at, recorded in the result.
    **options
        ``max_equilibria`` (default 10,000) and ``listing_seconds`` (default 10) bound the
        listing of subgame-perfect equilibria when moves tie; other options go to the
        normal-form method. With ``auto`` or backward induction, ``max_seconds`` stands for
        ``listing_seconds`` when that is not given.

    Returns
    -------
    TreeSolution
        The normal form is left out, with a note, when it is beyond the bounds of
        :meth:`~kurilsim.forms.extensive.game.ExtensiveFormGame.normal_form_problem`.

    Raises
    ------
    ArgumentTypeError
        For an argument or option of the wrong type.
    InputError
        For an unknown method or option, an option out of range, or a tolerance that is not a
        small positive number.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> solution = solve_tree(catalogue.entry_deterrence())
    >>> [solution.plan(solution[0], p) for p in solution.game.players]
    ['In', 'Accommodate']
    >>> solution.subgame_perfect  # (Out, Fight) is Nash but rests on a threat to fight
    (False, True)
    """
    check_instance("game", game, ExtensiveFormGame, "an ExtensiveFormGame")
    check_text("method", method)
    parameters = check_mapping("parameters", parameters, check_real)
    options = check_solver_options(options)
    if method not in ("auto", *TREE_METHODS):
        raise InputError(
            f"unknown method {method!r} for a game tree; expected auto, {BACKWARD_INDUCTION}, "
            f"or a normal-form method for its Nash equilibria: {', '.join(METHODS)}"
        )
    check_tolerance(tol)
    # The pure-Nash step of auto has no time bound to take; the listing is what can run long.
    bounds, nash_options = listing_bounds(options, max_seconds_too=method not in METHODS)
    found, complete = subgame_perfect_equilibria(game, tol, bounds.max_equilibria, bounds.seconds)
    note = game.normal_form_problem()
    nash = None
    if not note:
        nash_method = method if method in METHODS else NASH_METHOD
        nash = solve(game.to_normal_form(), nash_method, tol, parameters, **nash_options)
    equilibria = _verified(game, np.array(found, dtype=np.int64), tol, nash is not None)
    verdicts: list[bool | None] = []
    threats: list[tuple[int, ...]] = []
    if nash is not None and len(nash) * game.n_nodes > MAX_JUDGED_NODES:
        # Judging computes values at every node for every equilibrium: beyond the budget,
        # leave it open.
        note = (
            f"{len(nash):,} Nash equilibria on {game.n_nodes:,} nodes are too many to judge "
            "one by one; which are subgame-perfect is left open"
        )
        verdicts, threats = [None] * len(nash), [()] * len(nash)
    elif nash is not None:
        verdicts, threats = _judged(game, nash, equilibria, complete, tol)
    return TreeSolution(
        game=game,
        method=BACKWARD_INDUCTION,
        tol=tol,
        scale=payoff_scale(game.payoffs),
        equilibria=equilibria,
        listing_reason=listing_reason(
            len(found), complete, game.n_nodes, bounds.max_equilibria, bounds.time_option
        ),
        nash=nash,
        subgame_perfect=tuple(verdicts),
        non_credible=tuple(threats),
        note=note,
        options=options,
        parameters=parameters or {},
    )


def _verified(
    game: ExtensiveFormGame, found: IntArray, tol: float, with_profile: bool
) -> tuple[SubgamePerfectEquilibrium, ...]:
    """Verify the listed profiles (rows of ``found``), with their payoffs, paths and profiles.

    Blocks of rows are handled in the same numpy calls, so many tied equilibria cost little; the
    verification takes all rows in one pass over the tree (it holds little per row).
    """
    all_regrets = subgame_regrets(game, found)
    if np.any(all_regrets > tol * leaf_scales(game.payoffs)):
        raise KurilsimError(
            "backward induction returned a profile with a one-shot gain of "
            f"{all_regrets.max():.3g}; this is a bug in kurilsim, please report it"
        )
    block = max(1, CELLS_PER_BLOCK // max(1, game.n_nodes * game.n_players))
    # Each player's strategies by their moves, to look plans up in: made once for all blocks.
    indexes = [
        {row.tobytes(): k for k, row in enumerate(game.strategies(player))}
        for player in (game.players if with_profile else ())
    ]
    results: list[SubgamePerfectEquilibrium] = []
    for start in range(0, len(found), block):
        choices = found[start : start + block]
        regrets = all_regrets[start : start + block]
        reach = _reach(game, choices)
        paths = reach[:, list(game.leaves)]
        payoffs = paths @ game.payoffs
        profiles = _profiles(game, choices, indexes) if with_profile else [None] * len(choices)
        results.extend(
            SubgamePerfectEquilibrium(
                choices=choices[k],
                payoffs=payoffs[k],
                leaf_probabilities=paths[k],
                profile=profiles[k],
                max_regret=float(regrets[k].max()),
            )
            for k in range(len(choices))
        )
    return tuple(results)


def _reach(game: ExtensiveFormGame, choices: IntArray) -> FloatArray:
    """Per row of ``choices``: the probability of reaching each node, shape ``(M, n_nodes)``."""
    reach = np.zeros(choices.shape)
    reach[:, 0] = 1.0
    for v in range(1, game.n_nodes):
        parent = int(game.parents[v])
        if game.movers[parent] >= 0:
            reach[:, v] = reach[:, parent] * (choices[:, parent] == game.moves[v])
        else:
            reach[:, v] = reach[:, parent] * game.probabilities[v]
    return reach


def _profiles(
    game: ExtensiveFormGame, choices: IntArray, indexes: list[dict[bytes, int]]
) -> list[tuple[int, ...] | None]:
    """Per row of ``choices``: each player's reduced strategy (as ``strategy_profile`` gives).

    ``indexes`` gives, per player, each reduced strategy's index by the bytes of its row.
    """
    # own[:, i, v]: player i's own moves do not rule node v out.
    own = np.ones((len(choices), game.n_players, game.n_nodes), dtype=bool)
    for v in range(1, game.n_nodes):
        parent = int(game.parents[v])
        own[:, :, v] = own[:, :, parent]
        mover = int(game.movers[parent])
        if mover >= 0:
            own[:, mover, v] &= choices[:, parent] == game.moves[v]
    columns = []
    for i, player in enumerate(game.players):
        nodes = list(game.decision_nodes(player))
        rows = np.where(own[:, i, nodes], choices[:, nodes], -1)
        columns.append([indexes[i][row.tobytes()] for row in np.ascontiguousarray(rows)])
    return [tuple(column[k] for column in columns) for k in range(len(choices))]


def _judged(
    game: ExtensiveFormGame,
    nash: Solution,
    perfect: tuple[SubgamePerfectEquilibrium, ...],
    complete: bool,
    tol: float,
) -> tuple[list[bool | None], list[tuple[int, ...]]]:
    """Per Nash equilibrium: whether it is subgame-perfect, and the non-credible moves it relies on.

    The moves are judged from the tree, for every pure equilibrium not among the listed
    subgame-perfect ones at once: one pass over the tree per block of equilibria.
    """
    listed = {eq.profile for eq in perfect}
    verdicts: list[bool | None] = []
    threats: list[tuple[int, ...]] = [()] * len(nash)
    doubted: list[tuple[int, tuple[int, ...]]] = []
    for k, equilibrium in enumerate(nash):
        if equilibrium.kind == "mixed":
            # With one subgame-perfect equilibrium and no ties every mover's choice is forced,
            # so no equilibrium that mixes is subgame-perfect; with ties a mixture of best
            # moves may be.
            verdicts.append(False if complete and len(perfect) == 1 else None)
            continue
        profile = tuple(int(np.argmax(p)) for p in equilibrium.profile)
        if profile in listed:
            verdicts.append(True)
        else:
            verdicts.append(False if complete else None)
            doubted.append((k, profile))
    block = max(1, CELLS_PER_BLOCK // game.n_nodes)
    for start in range(0, len(doubted), block):
        part = doubted[start : start + block]
        choices = game.profile_choices(np.array([profile for _, profile in part]))
        for (k, _), row in zip(part, non_credible_table(game, choices, tol), strict=True):
            threats[k] = tuple(int(v) for v in np.flatnonzero(row))
    return verdicts, threats
