"""Subgame-perfect equilibria of game trees with perfect information, by backward induction.

In a finite game of perfect information, working from the leaves up, each mover picks an action
that is best for them given what is picked below; chance nodes average over their branches. Kuhn
(1953) showed that this yields an equilibrium in pure strategies, and Selten (1965, 1975) named the
profiles it yields *subgame-perfect*: they prescribe a best reply in every subgame, on the path of
play and off it, so they contain no threat a player would not carry out. A Nash equilibrium of the
normal form need not be subgame-perfect: the threat that supports it may be one the threatening
player would not carry out if called upon (a *non-credible* threat).

When a mover has several best actions (a tie), each of them starts its own subgame-perfect
equilibrium. Two values of an action are tied when they differ by at most ``tol`` times the
smaller of two scales: the mover's payoff range over all leaves, and the size of the stakes at
the node (the largest, over its actions, of the expected largest absolute payoff of a leaf in the
play below). The
second scale keeps small early stakes apart in trees whose payoffs grow by orders of magnitude
along the way (a long centipede game); the first keeps payoffs with a large common offset
apart.
:func:`subgame_perfect_equilibria` returns every combination of such choices.
:func:`backward_induction_batch` solves a whole batch of payoff arrays over one tree in the same
numpy calls, keeping the first best action at each node and marking where ties occur, for
parameter sweeps.

References
----------
.. [1] H. W. Kuhn, "Extensive games and the problem of information", in *Contributions to the
   Theory of Games II*, Princeton University Press, 1953, pp. 193-216.
.. [2] R. Selten, "Spieltheoretische Behandlung eines Oligopolmodells mit Nachfragetraegheit",
   *Zeitschrift fuer die gesamte Staatswissenschaft* 121, 1965, pp. 301-324 and 667-689.
.. [3] R. Selten, "Reexamination of the perfectness concept for equilibrium points in extensive
   games", *International Journal of Game Theory* 4, 1975, pp. 25-55.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.deadline import Deadline
from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.extensive.game import CHANCE, TERMINAL, ExtensiveFormGame
from kurilsim.forms.normal.regret import player_scales

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Default bound on the number of subgame-perfect equilibria listed (ties multiply them).
MAX_EQUILIBRIA: Final = 10_000
#: Seconds the listing of tied equilibria may grow; past them, each node left keeps only its
#: first best play, so a tree tied everywhere still ends promptly with one equilibrium.
MAX_LISTING_SECONDS: Final = 10.0
#: Most node choices (equilibria times nodes) a listing holds: a long tree tied everywhere lists
#: fewer equilibria than ``max_equilibria``, the same number on every run.
MAX_LISTED_CELLS: Final = 20_000_000
#: The reason a listing cut short by :data:`MAX_LISTED_CELLS` gives (``incomplete_reason``).
LISTED_CELLS_LIMIT: Final = "limit: listed cells"


def most_listed(n_nodes: int) -> int:
    """How many equilibria a listing of a tree of ``n_nodes`` nodes holds at most.

    :data:`MAX_LISTED_CELLS` bounds its node choices, equilibria times nodes.

    Examples
    --------
    >>> most_listed(2_001), most_listed(10**8)
    (9995, 1)
    """
    return max(1, MAX_LISTED_CELLS // n_nodes)


#: The options that bound a listing of subgame-perfect equilibria: a tree sweep takes these.
LISTING_OPTIONS: Final = ("max_equilibria", "listing_seconds", "max_seconds")


class ListingBounds(NamedTuple):
    """How far a listing of :func:`subgame_perfect_equilibria` may go, and what set its time.

    ``time_option`` names the option that set ``seconds``, as :func:`listing_reason` reports it.
    """

    max_equilibria: int = MAX_EQUILIBRIA
    seconds: float | None = MAX_LISTING_SECONDS
    time_option: str = "listing_seconds"


def listing_bounds(
    options: Mapping[str, Any], max_seconds_too: bool
) -> tuple[ListingBounds, dict[str, Any]]:
    """The listing's bounds that ``options`` set, and the options left for another method.

    ``max_equilibria`` and ``listing_seconds`` are the listing's; ``max_seconds`` stands for
    ``listing_seconds``, when that is not given, if ``max_seconds_too`` (the tree solved by
    backward induction alone, no normal-form method taking it), as ``kurilsim run`` and a tree
    sweep read it.

    Examples
    --------
    >>> listing_bounds({"max_equilibria": 5, "max_seconds": 2.0}, True)
    (ListingBounds(max_equilibria=5, seconds=2.0, time_option='max_seconds'), {})
    >>> listing_bounds({"max_seconds": 2.0}, False)
    (ListingBounds(max_equilibria=10000, seconds=10.0, time_option='listing_seconds'), \
{'max_seconds': 2.0})
    """
    rest = dict(options)
    max_equilibria = rest.pop("max_equilibria", MAX_EQUILIBRIA)
    seconds = rest.pop("listing_seconds", MAX_LISTING_SECONDS)
    if max_seconds_too and "max_seconds" in rest:
        max_seconds = rest.pop("max_seconds")
        if "listing_seconds" not in options:
            return ListingBounds(max_equilibria, max_seconds, "max_seconds"), rest
    return ListingBounds(max_equilibria, seconds), rest


def listing_reason(
    listed: int,
    complete: bool,
    n_nodes: int,
    max_equilibria: int = MAX_EQUILIBRIA,
    time_option: str = "listing_seconds",
) -> str | None:
    """Why a listing of :func:`subgame_perfect_equilibria` stopped short, None if it did not.

    The bound it reached: ``"max_equilibria"``, :data:`LISTED_CELLS_LIMIT`, or else its time
    bound, named by ``time_option`` (the option that set it).

    Examples
    --------
    >>> listing_reason(3, True, 9), listing_reason(1, False, 9), listing_reason(5, False, 9, 5)
    (None, 'listing_seconds', 'max_equilibria')
    """
    if complete:
        return None
    if listed >= max_equilibria:
        return "max_equilibria"
    if listed >= most_listed(n_nodes):
        return LISTED_CELLS_LIMIT
    return time_option


def leaf_scales(payoffs: FloatArray) -> FloatArray:
    """Each player's payoff range over the leaves, 1 where it is constant.

    Parameters
    ----------
    payoffs
        Shape ``(n_leaves, N)``, or ``(G, n_leaves, N)`` for a batch.

    Returns
    -------
    numpy.ndarray
        Shape ``(N,)`` or ``(G, N)``.

    Examples
    --------
    >>> import numpy as np
    >>> leaf_scales(np.array([[0.0, 5.0], [4.0, 5.0], [1.0, 5.0]])).tolist()
    [4.0, 1.0]
    """
    n_players = payoffs.shape[-1]
    # Seen as a normal form whose first player has one strategy per leaf and the others one
    # each, the leaves are the profiles: the normal-form rule then applies unchanged.
    spacer = (1,) * (n_players - 1)
    return player_scales(payoffs.reshape((*payoffs.shape[:-1], *spacer, n_players)))


def tie_slack(tol: float, scales: FloatArray, magnitudes: FloatArray | float) -> FloatArray:
    """How far below the best value an action may be and still tie with it.

    Parameters
    ----------
    tol
        Relative tolerance.
    scales
        Each player's payoff range over the leaves (:func:`leaf_scales`), shape ``(..., N)``
        or broadcastable.
    magnitudes
        The size of the stakes: over the plays compared, the largest expected value of a
        leaf's largest absolute payoff, shape ``(...)`` or broadcastable.

    Returns
    -------
    numpy.ndarray
        ``tol * min(scales, magnitudes)``, elementwise.

    Examples
    --------
    >>> import numpy as np
    >>> tie_slack(0.5, np.array([4.0, 4.0]), np.array([1.0, 10.0])).tolist()
    [0.5, 2.0]
    """
    return np.asarray(tol * np.minimum(scales, magnitudes), dtype=np.float64)


def subgame_perfect_equilibria(
    game: ExtensiveFormGame,
    tol: float = DEFAULT_TOL,
    max_equilibria: int = MAX_EQUILIBRIA,
    max_seconds: float | None = MAX_LISTING_SECONDS,
) -> tuple[tuple[IntArray, ...], bool]:
    """Every subgame-perfect equilibrium in pure behaviour strategies, by backward induction.

    The equilibria come in a fixed order: at each node, the combinations of the plays listed
    below its children (the last child's varying fastest), each followed by the mover's tied
    best actions in order. A listing cut short by ``max_equilibria`` or
    :data:`MAX_LISTED_CELLS` holds the first equilibria of that order, the same on every run;
    one cut short by ``max_seconds`` holds the first equilibrium only.

    Parameters
    ----------
    game
        The game tree.
    tol
        Relative tolerance: actions whose value to the mover is within ``tol`` times the mover's
        payoff scale of the best are tied (see :func:`tie_slack`), and each starts an
        equilibrium.
    max_equilibria
        Stop listing after this many equilibria (or as many as :data:`MAX_LISTED_CELLS` node
        choices hold, if fewer).
    max_seconds
        Stop growing the listing after this many seconds (None: no limit); the nodes not yet
        solved then keep only their first best play, so that the listing holds the first
        equilibrium only. The first equilibrium is always found.

    Returns
    -------
    equilibria : tuple of numpy.ndarray
        Each of shape ``(n_nodes,)`` (the rows of one array): the index of the action taken at
        every decision node, on the path of play and off it; -1 at chance and terminal nodes.
        The first one takes the first best action at every node (as
        :func:`backward_induction_batch` does).
    complete : bool
        False if one of its bounds left equilibria out; a time bound that passes where no
        node left ties, and no node solved holds more than one play, leaves none out.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> game = catalogue.entry_deterrence()
    >>> (choices,), complete = subgame_perfect_equilibria(game)
    >>> [game.actions[v][choices[v]] for v in game.decision_nodes()], complete
    (['In', 'Accommodate'], True)
    """
    if max_equilibria < 1:
        raise InputError(f"max_equilibria must be at least 1, got {max_equilibria}")
    if max_seconds is not None and not (math.isfinite(max_seconds) and max_seconds >= 0):
        raise InputError(f"max_seconds must be None or a number >= 0, got {max_seconds!r}")
    deadline = Deadline(max_seconds)
    scales = leaf_scales(game.payoffs)
    complete = True
    cap = min(max_equilibria, most_listed(game.n_nodes))
    # Per node, from its pass until its parent's: its first plays' payoffs (m, N) and stakes
    # (m,), the stakes being the expected largest absolute payoff of the leaf reached.
    plays: dict[int, tuple[FloatArray, FloatArray]] = {}
    steps: dict[int, _Step] = {}
    leaf_values = game.payoffs[:, None]
    leaf_stakes = np.abs(game.payoffs).max(axis=1, initial=0.0, keepdims=True)
    movers, leaf_of = game.movers.tolist(), game.leaf_of.tolist()
    # Reverse prefix order visits every child before its parent.
    for v in reversed(range(game.n_nodes)):
        if cap > 1 and deadline.expired():
            # Each node left keeps its first play: a cut where a subtree done holds more than
            # one, or (below) where a node left ties.
            cap = 1
            complete &= all(len(stakes) == 1 for _, stakes in plays.values())
        mover = movers[v]
        if mover == TERMINAL:
            plays[v] = (leaf_values[leaf_of[v]], leaf_stakes[leaf_of[v]])
            continue
        children = game.children[v]
        below = [plays.pop(c) for c in children]
        sizes = tuple(min(len(stakes), cap) for _, stakes in below)
        combinations = math.prod(sizes)
        complete &= combinations <= cap
        if combinations == 1 and mover != CHANCE:
            # No ties below, the common case: the test below in Python numbers, faster on one
            # combination than numpy's calls.
            own_values = [float(x[0, mover]) for x, _ in below]
            best = max(own_values)
            slack = float(tie_slack(tol, scales[mover], max(float(s[0]) for _, s in below)))
            tied = [a for a, x in enumerate(own_values) if x >= best - slack]
            if len(tied) == 1:
                steps[v] = _Step(None, np.array(tied), sizes)
                plays[v] = (below[tied[0]][0][:1], below[tied[0]][1][:1])
                continue
        # Per child, its play in each combination: the first ``cap`` of their product.
        picks = (
            np.unravel_index(np.arange(min(combinations, cap)), sizes)
            if combinations > 1
            else (_FIRST,) * len(sizes)
        )
        if mover == CHANCE:
            # Summed child by child, as each play's expectation is defined.
            weights = game.probabilities[list(children)]
            parts = [
                (w * x[pick], w * s[pick])
                for w, (x, s), pick in zip(weights, below, picks, strict=True)
            ]
            steps[v] = _Step(None, None, sizes)
            plays[v] = (
                sum((x for x, _ in parts), np.zeros_like(parts[0][0])),
                sum((s for _, s in parts), np.zeros_like(parts[0][1])),
            )
            continue
        # Per action (row) and combination (column): the value to the mover, and the stakes.
        own = np.array([x[:, mover][pick] for (x, _), pick in zip(below, picks, strict=True)])
        stake = np.array([s[pick] for (_, s), pick in zip(below, picks, strict=True)])
        good = own >= own.max(axis=0) - tie_slack(tol, scales[mover], stake.max(axis=0))
        # Combination by combination, each tied action in order.
        combination, action = np.nonzero(good.T)
        forced = len(action) == good.shape[1]  # one play per combination, in order
        if len(action) > cap:
            complete = False
            combination, action = combination[:cap], action[:cap]
        steps[v] = _Step(None if forced else combination.astype(np.int32), action, sizes)
        # Each kept play's payoffs, read from the children's plays stacked in one array.
        stacked = np.concatenate([x for x, _ in below])
        first = np.cumsum([0, *(len(x) for x, _ in below[:-1])])
        taken = np.array(picks)[action, combination] + first[action]
        plays[v] = (stacked[taken], stake[action, combination])
    return tuple(_choices(game, steps, len(plays[0][1]))), complete


#: The one combination of children that have one play each: their first.
_FIRST = np.zeros(1, dtype=np.intp)


class _Step(NamedTuple):
    """How a node's plays were built from its children's.

    Per play: the combination of the children's plays it extends (an index into their product;
    None when it is the play's own index) and the action taken (None at a chance node). Then the
    number of plays of each child.
    """

    combination: NDArray[np.int32] | None
    action: IntArray | None
    sizes: tuple[int, ...]


def _choices(game: ExtensiveFormGame, steps: dict[int, _Step], count: int) -> IntArray:
    """The choices of the root's ``count`` plays, shape ``(count, n_nodes)``.

    From the root down, each node's play in every listed equilibrium, so that one numpy call per
    node sets a column.
    """
    choices = np.full((count, game.n_nodes), -1, dtype=np.int64)
    if count == 1:
        # The first equilibrium takes every node's first play.
        for v, step in steps.items():
            if step.action is not None:
                choices[0, v] = step.action[0]
        return choices
    plays = {0: np.arange(count)}
    for v in range(game.n_nodes):
        if v not in steps:  # a leaf
            continue
        step, play = steps.pop(v), plays.pop(v)
        if step.action is not None:
            choices[:, v] = step.action[play]
        combination = play if step.combination is None else step.combination[play]
        picks = np.unravel_index(combination, step.sizes)
        for c, pick in zip(game.children[v], picks, strict=True):
            if c in steps:
                plays[c] = pick
    return choices


def subgame_regrets(game: ExtensiveFormGame, choices: ArrayLike) -> FloatArray:
    """Each player's largest gain from changing their action at one of their nodes.

    The continuation of play below every node follows ``choices``; a profile is subgame-perfect
    exactly when no player gains from such a one-shot change anywhere, reached or not (the
    one-shot deviation principle), so this is the verification of subgame perfection.

    Parameters
    ----------
    game
        The game tree.
    choices
        A pure behaviour profile: per node, the index of the action taken there; or a stack of
        them, one per row, all verified in one pass over the tree.

    Returns
    -------
    numpy.ndarray
        Shape ``(N,)``, or ``(M, N)`` for ``M`` rows of ``choices``; never negative.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> game = catalogue.entry_deterrence()
    >>> subgame_regrets(game, [0, -1, 0, -1, -1]).tolist()  # Out, Fight: a non-credible threat
    [0.0, 2.0]
    >>> subgame_regrets(game, [[0, -1, 0, -1, -1], [1, -1, 1, -1, -1]]).tolist()
    [[0.0, 2.0], [0.0, 0.0]]
    """
    chosen = np.asarray(choices, dtype=np.int64)
    rows = np.atleast_2d(chosen)
    regrets = np.zeros((len(rows), game.n_players))
    for block in _blocks(game, len(rows)):
        for _, mover, taken, best, _ in _decisions(game, rows[block]):
            regrets[block, mover] = np.maximum(regrets[block, mover], best - taken)
    return regrets if chosen.ndim == 2 else regrets[0]


def non_credible_moves(
    game: ExtensiveFormGame, choices: ArrayLike, tol: float = DEFAULT_TOL
) -> tuple[int, ...]:
    """The decision nodes where the prescribed action is not a best reply in the subgame there.

    These are the threats (or promises) a profile relies on that the mover would not carry out
    if play reached the node: a Nash equilibrium with such a move is not subgame-perfect.

    Parameters
    ----------
    game
        The game tree.
    choices
        Per node, the index of the action taken there. -1 at a decision node leaves it open (a
        reduced strategy does not say what a player does where their own moves exclude); the
        mover is then taken to play their first best action.
    tol
        Relative tolerance, as in :func:`subgame_perfect_equilibria`.

    Returns
    -------
    tuple of int
        The nodes, in prefix order.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> game = catalogue.entry_deterrence()
    >>> [game.node_name(v) for v in non_credible_moves(game, [0, -1, 0, -1, -1])]
    ['In']
    """
    flagged = non_credible_table(game, np.asarray(choices, dtype=np.int64)[None], tol)[0]
    return tuple(int(v) for v in np.flatnonzero(flagged))


def non_credible_table(
    game: ExtensiveFormGame, choices: ArrayLike, tol: float = DEFAULT_TOL
) -> NDArray[np.bool_]:
    """:func:`non_credible_moves` of many profiles at once, in one pass over the tree.

    Parameters
    ----------
    game
        The game tree.
    choices
        Shape ``(M, n_nodes)``: one profile per row, as :func:`non_credible_moves` takes it.
    tol
        Relative tolerance, as in :func:`subgame_perfect_equilibria`.

    Returns
    -------
    numpy.ndarray
        Shape ``(M, n_nodes)``: true where a row's move would not be made.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> game = catalogue.entry_deterrence()
    >>> non_credible_table(game, [[0, -1, 0, -1, -1], [1, -1, 1, -1, -1]])[:, 2].tolist()
    [True, False]
    """
    rows = np.asarray(choices, dtype=np.int64)
    scales = leaf_scales(game.payoffs)
    flagged = np.zeros(rows.shape, dtype=bool)
    for block in _blocks(game, len(rows)):
        for v, mover, taken, best, stakes in _decisions(game, rows[block]):
            flagged[block, v] = taken < best - tie_slack(tol, scales[mover], stakes)
    return flagged


#: Most numbers one block of profiles may hold at once in a pass over the tree.
CELLS_PER_BLOCK: Final = 2_000_000


def _blocks(game: ExtensiveFormGame, count: int) -> list[slice]:
    """Blocks of ``count`` profiles, each passed over the tree within :data:`CELLS_PER_BLOCK`.

    A pass holds a node's values from when they are computed to when its parent reads them: the
    most held at once, counted here from the tree's shape, bounds a block's memory.
    """
    held = peak = 1
    for v in reversed(range(game.n_nodes)):
        below = len(game.children[v])
        peak = max(peak, held + below)
        held += 1 - below
    size = max(1, CELLS_PER_BLOCK // (peak * (game.n_players + 1)))
    return [slice(start, start + size) for start in range(0, count, size)]


def _decisions(
    game: ExtensiveFormGame, chosen: IntArray
) -> Iterator[tuple[int, int, FloatArray, FloatArray, FloatArray]]:
    """Play each row of ``chosen`` (shape ``(M, n_nodes)``) backwards from the leaves.

    At each decision node, from the last in prefix order to the root, yields the node, its
    mover, and per row: the mover's value of the action taken, of their best action, and the
    stakes there (over the actions, the largest expected largest absolute payoff of the leaf
    reached below). A row with -1 at a decision node takes the mover's first best action.
    """
    m, n = len(chosen), game.n_players
    rows = np.arange(m)
    # below.flat[action * n * m + cells] is below[action, :, rows]: one value per row, at its action
    cells = np.arange(n)[:, None] * m + rows
    # Per node, from its pass until its parent's: the values (N, M or 1) and the stakes (M or 1);
    # rows last, so that a mover's values over the actions are contiguous rows of ``below``.
    values: dict[int, FloatArray] = {}
    sizes: dict[int, FloatArray] = {}
    for v in reversed(range(game.n_nodes)):
        mover = int(game.movers[v])
        if mover == TERMINAL:
            leaf = game.payoffs[game.leaf_of[v]]
            values[v] = leaf[:, None]
            sizes[v] = np.abs(leaf).max(initial=0.0, keepdims=True)
            continue
        children = game.children[v]
        below = np.empty((len(children), n, m))
        stakes = np.empty((len(children), m))
        for a, c in enumerate(children):
            below[a] = values.pop(c)
            stakes[a] = sizes.pop(c)
        if mover == CHANCE:
            weights = game.probabilities[list(children)]
            values[v] = np.einsum("k,knm->nm", weights, below)
            sizes[v] = weights @ stakes
            continue
        own = below[:, mover]
        action = np.where(chosen[:, v] >= 0, chosen[:, v], own.argmax(axis=0))
        values[v] = np.take(below, action * (n * m) + cells)
        sizes[v] = stakes[action, rows]
        yield v, mover, own[action, rows], own.max(axis=0), stakes.max(axis=0)


@dataclass(frozen=True, eq=False)
class SubgamePerfectBatch:
    """Backward induction over a batch of payoff arrays on one tree.

    Attributes
    ----------
    choices
        Shape ``(G, n_nodes)``: the action taken at every decision node (the first best one where
        several tie), -1 at chance and terminal nodes.
    payoffs
        Shape ``(G, N)``: each player's expected payoff under those choices.
    leaf_probabilities
        Shape ``(G, n_leaves)``: the probability of reaching each leaf (the path of play).
    ties
        Shape ``(G, n_nodes)``: true at decision nodes where the mover has more than one best
        action given the choices below.
    """

    choices: IntArray = field(repr=False)
    payoffs: FloatArray = field(repr=False)
    leaf_probabilities: FloatArray = field(repr=False)
    ties: NDArray[np.bool_] = field(repr=False)

    @property
    def unique(self) -> NDArray[np.bool_]:
        """Shape ``(G,)``: true where the subgame-perfect equilibrium is unique (no tie anywhere).

        Without a tie every mover's choice is forced, so the equilibrium is unique; a tie at any
        node gives a second equilibrium that takes the other best action there.
        """
        return np.asarray(~self.ties.any(axis=1))

    def __len__(self) -> int:
        return len(self.choices)

    def __repr__(self) -> str:
        return f"<SubgamePerfectBatch: {len(self)} games, {int(self.unique.sum())} without ties>"


def backward_induction_batch(
    game: ExtensiveFormGame,
    payoffs: ArrayLike,
    probabilities: ArrayLike | None = None,
    tol: float = DEFAULT_TOL,
) -> SubgamePerfectBatch:
    """Backward induction on one tree for a whole batch of payoffs, in the same numpy calls.

    Parameters
    ----------
    game
        The tree; its own payoffs are not used.
    payoffs
        Shape ``(G, n_leaves, N)``: the leaf payoffs of each game in the batch.
    probabilities
        Chance probabilities per node, as :attr:`ExtensiveFormGame.probabilities`: shape
        ``(n_nodes,)`` for the whole batch or ``(G, n_nodes)``; the tree's own by default.
        They are not checked here.
    tol
        Relative tolerance for ties, as in :func:`subgame_perfect_equilibria`.

    Returns
    -------
    SubgamePerfectBatch
        For each game: the choices of the first subgame-perfect equilibrium that
        :func:`subgame_perfect_equilibria` lists, its payoffs and path, and where ties occur.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms import catalogue
    >>> game = catalogue.entry_deterrence()
    >>> fight_pays = game.payoffs.copy()
    >>> fight_pays[1] = [-1, 3]  # an incumbent who likes to fight
    >>> batch = backward_induction_batch(game, np.stack([game.payoffs, fight_pays]))
    >>> batch.leaf_probabilities.tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    >>> batch.unique.tolist()
    [True, True]
    """
    values = np.asarray(payoffs, dtype=np.float64)
    n_leaves, n_players = len(game.leaves), game.n_players
    if values.ndim != 3 or values.shape[1:] != (n_leaves, n_players):
        raise InputError(
            f"payoffs have shape {values.shape}; expected (G, {n_leaves}, {n_players})"
        )
    size = len(values)
    chance = np.broadcast_to(
        np.asarray(game.probabilities if probabilities is None else probabilities, np.float64),
        (size, game.n_nodes),
    )
    scales = leaf_scales(values)  # (G, N)
    rows = np.arange(size)
    choices = np.full((size, game.n_nodes), -1, dtype=np.int64)
    ties = np.zeros((size, game.n_nodes), dtype=bool)
    # Per pending node: its value (G, N) and its stakes (G,).
    pending: dict[int, tuple[FloatArray, FloatArray]] = {}
    for v in reversed(range(game.n_nodes)):
        mover = int(game.movers[v])
        children = list(game.children[v])
        if mover == TERMINAL:
            leaf = values[:, game.leaf_of[v]]
            pending[v] = (leaf, np.abs(leaf).max(axis=1, initial=0.0))
            continue
        parts = [pending.pop(c) for c in children]
        below = np.stack([p[0] for p in parts], axis=1)  # (G, k, N)
        sizes = np.stack([p[1] for p in parts], axis=1)  # (G, k)
        if mover == CHANCE:
            weights = chance[:, children]
            pending[v] = (
                np.einsum("gk,gkn->gn", weights, below),
                np.einsum("gk,gk->g", weights, sizes),
            )
            continue
        own = below[:, :, mover]
        slack = tie_slack(tol, scales[:, mover], sizes.max(axis=1))
        # The first action within the tolerance of the best, as the one-tree listing puts first.
        good = own >= (own.max(axis=1) - slack)[:, None]
        first = good.argmax(axis=1)
        ties[:, v] = good.sum(axis=1) > 1
        choices[:, v] = first
        pending[v] = (below[rows, first], sizes[rows, first])
    # Forward: the probability of reaching each node under the choices.
    reach = np.zeros((size, game.n_nodes))
    reach[:, 0] = 1.0
    for v in range(1, game.n_nodes):
        parent = int(game.parents[v])
        if game.movers[parent] == CHANCE:
            reach[:, v] = reach[:, parent] * chance[:, v]
        else:
            reach[:, v] = reach[:, parent] * (choices[:, parent] == game.moves[v])
    return SubgamePerfectBatch(
        choices=choices,
        payoffs=pending[0][0],
        leaf_probabilities=reach[:, list(game.leaves)],
        ties=ties,
    )
