r"""Finite games in extensive form with perfect information and chance moves.

A game tree has three kinds of node:

* a **decision** node, where one player picks one of its labelled actions;
* a **chance** node, where nature picks one of its labelled branches with given probabilities;
* a **terminal** node (a leaf), which gives every player a payoff.

Every player sees every earlier move (perfect information), so each decision node is an
information set of its own and every non-terminal node starts a subgame.

Build a tree from :class:`Decision`, :class:`Chance` and :class:`Terminal` nodes and wrap it in an
:class:`ExtensiveFormGame`, which stores it flat: nodes are numbered in *prefix order* (a node,
then the subtree of its first action, then that of its second, ...), so the root is node 0 and
the subtree of node ``v`` is a contiguous range of numbers. Leaves are numbered in the same order,
and the payoffs are one array of shape ``(n_leaves, N)``.

A pure strategy of a player chooses an action at each of the player's decision nodes. Its name
joins those actions with ``|``, taking the player's nodes in prefix order. In the *reduced*
normal form (the default, as in Gambit) a strategy leaves out the nodes that its own earlier
choices rule out, shown as ``*``; the full normal form lists every combination.

Examples
--------
Selten's (1978) entry game: the entrant stays out or enters, and the incumbent then fights or
accommodates.

>>> entry = ExtensiveFormGame(
...     ["Entrant", "Incumbent"],
...     Decision("Entrant", {
...         "Out": Terminal([0, 2]),
...         "In": Decision("Incumbent", {"Fight": Terminal([-1, -1]),
...                                      "Accommodate": Terminal([1, 1])}),
...     }),
...     title="Entry deterrence",
... )
>>> entry.n_nodes, entry.leaves, entry.decision_nodes("Incumbent")
(5, (1, 3, 4), (2,))
>>> entry.node_name(3)
'In > Fight'
>>> normal = entry.to_normal_form()
>>> normal.strategies
(('Out', 'In'), ('Fight', 'Accommodate'))
>>> normal.payoffs[1, 1].tolist()
[1.0, 1.0]

A strategy that the player's own first move makes irrelevant is cut short in the reduced form:

>>> centipede = ExtensiveFormGame(["A", "B"], Decision("A", {
...     "take": Terminal([1, 0]),
...     "pass": Decision("B", {"take": Terminal([0, 2]),
...                            "pass": Decision("A", {"take": Terminal([3, 1]),
...                                                   "pass": Terminal([2, 4])})}),
... }))
>>> centipede.strategy_names("A")
('take|*', 'pass|take', 'pass|pass')
>>> centipede.strategy_names("A", reduced=False)
('take|take', 'take|pass', 'pass|take', 'pass|pass')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.arguments import (
    check_instance,
    check_mapping,
    check_names,
    check_text,
)
from kurilsim.core.display import html_heading, html_table
from kurilsim.core.errors import InputError
from kurilsim.forms.normal.game import NormalFormGame

# The tree's constants and probability check are re-exported ("X as X"): the tree forms'
# modules import them from here.
from kurilsim.forms.tree import CHANCE as CHANCE
from kurilsim.forms.tree import MAX_NODES as MAX_NODES
from kurilsim.forms.tree import PROBABILITY_SLACK as PROBABILITY_SLACK
from kurilsim.forms.tree import TERMINAL as TERMINAL
from kurilsim.forms.tree import (
    FlatTree,
    LabelledPayoffs,
    Numbering,
    actions_problem,
    check_branch,
    number_nodes,
    path_name,
)
from kurilsim.forms.tree import probability_problem as probability_problem

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Largest number of strategy profiles :meth:`ExtensiveFormGame.to_normal_form` builds.
MAX_PROFILES: Final = 1_000_000
#: Largest number of cells of the tables the normal form is built from: per player, strategies
#: times (own decision nodes + leaves). A long line of one player's moves has few profiles but
#: tables that grow with the square of its length.
MAX_TABLE_CELLS: Final = 20_000_000
#: Strategy name of a player who never moves.
NO_MOVE: Final = "(no move)"
#: Separator of the actions in a strategy name, and the mark of an excluded node.
SEPARATOR, EXCLUDED = "|", "*"


class Terminal(LabelledPayoffs):
    """A leaf: the end of play, with one payoff per player (in the game's player order).

    Parameters
    ----------
    payoffs
        One number per player.
    label
        An optional name of the leaf.

    Raises
    ------
    ArgumentTypeError
        If ``payoffs`` is not a list of numbers or ``label`` not a string.
    """


@dataclass(frozen=True, eq=False)
class Decision:
    """A node where ``player`` chooses one of the labelled actions, each leading to a node.

    Parameters
    ----------
    player
        The name of the player who moves.
    actions
        Action label -> the node it leads to, in order.
    label
        An optional name of the node.

    Raises
    ------
    ArgumentTypeError
        If ``player`` or ``label`` is not a string, or ``actions`` not a mapping of labels to
        nodes.
    """

    player: str
    actions: tuple[tuple[str, Node], ...]
    label: str = ""

    def __init__(self, player: str, actions: Mapping[str, Node], label: str = "") -> None:
        checked = check_mapping("actions", actions, _check_node, optional=False)
        object.__setattr__(self, "player", check_text("player", player))
        object.__setattr__(self, "actions", tuple(checked.items()))
        object.__setattr__(self, "label", check_text("label", label))


@dataclass(frozen=True, eq=False)
class Chance:
    """A node where nature picks a labelled branch with the given probability.

    Parameters
    ----------
    branches
        Branch label -> ``(probability, node)``, in order; the probabilities sum to 1.
    label
        An optional name of the node.

    Raises
    ------
    ArgumentTypeError
        If ``branches`` is not a mapping of labels to pairs of a number and a node, or ``label``
        not a string.
    """

    branches: tuple[tuple[str, float, Node], ...]
    label: str = ""

    def __init__(self, branches: Mapping[str, tuple[float, Node]], label: str = "") -> None:
        checked = check_mapping("branches", branches, _check_branch, optional=False)
        object.__setattr__(self, "branches", tuple((a, p, n) for a, (p, n) in checked.items()))
        object.__setattr__(self, "label", check_text("label", label))


#: Any node of a game tree.
Node = Decision | Chance | Terminal


def _check_node(name: str, value: object) -> Node:
    """``value``, if it is a node."""
    what = "a node (Decision, Chance or Terminal)"
    return check_instance(name, value, Node, what)  # type: ignore[arg-type]  # a union


def _check_branch(name: str, value: object) -> tuple[float, Node]:
    """``value`` as ``(probability, node)``, if it is a pair of a number and a node."""
    return check_branch(name, value, _check_node)


@dataclass(frozen=True, eq=False)
class ExtensiveFormGame(FlatTree):
    """A finite game tree with perfect information and chance moves, any number of players.

    Parameters
    ----------
    players
        The players' names, in order.
    root
        The root of the tree.
    title
        A human-readable title.
    notes
        What a reader changed to make the tree out of its file, one line each (such as a
        repeated action label made unique); empty for a tree built in code.

    Raises
    ------
    ArgumentTypeError
        If ``players`` is not a list of names, ``root`` not a node, ``title`` not a string or
        ``notes`` not a list of strings.
    InputError
        If a node names an unknown player, has no actions, repeats an action label, has
        probabilities that are negative or do not sum to 1, or a leaf has the wrong number of
        payoffs or a payoff that is not finite; the message names the node by its path.

    Attributes
    ----------
    players
        The players' names.
    title
        The title.
    notes
        What the reader changed, one line each.
    movers
        Per node, in prefix order: the index of the player who moves, :data:`CHANCE` or
        :data:`TERMINAL`.
    parents
        Per node: its parent (-1 for the root).
    moves
        Per node: the index of the action (or branch) at the parent that leads to it (-1 for
        the root).
    actions
        Per node: the labels of its actions or branches (empty for leaves).
    labels
        Per node: its optional name.
    probabilities
        Per node: the probability of the chance move leading to it; 1 below decision nodes and
        at the root.
    payoffs
        Shape ``(n_leaves, N)``: the payoffs at each leaf, leaves in prefix order.
    """

    # The player's own decision nodes, set by _assemble.
    _own_nodes: tuple[tuple[int, ...], ...] = field(init=False, repr=False)
    # Strategy tables by (player index, reduced), listed on first use.
    _tables: dict[tuple[int, bool], IntArray] = field(init=False, repr=False)

    def __init__(
        self, players: Sequence[str], root: Node, title: str = "", notes: Sequence[str] = ()
    ) -> None:
        names = check_names("players", players)
        _check_players(names)
        numbering, payoffs = _flatten(_check_node("root", root), names)
        _assemble(
            self,
            names,
            check_text("title", title),
            numbering.movers,
            numbering.parents,
            numbering.moves,
            tuple(numbering.actions),
            tuple(numbering.labels),
            numbering.probabilities,
            payoffs,
            notes=check_names("notes", notes),
        )

    # ------------------------------------------------------------------ structure
    def summary(self) -> str:
        """How big the game is, in words.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.entry_deterrence().summary()
        '2 players, 2 decision nodes, 0 chance nodes, 3 leaves'
        """
        counts = (
            (self.n_players, "player", "players"),
            (int(np.count_nonzero(self.movers >= 0)), "decision node", "decision nodes"),
            (int(np.count_nonzero(self.movers == CHANCE)), "chance node", "chance nodes"),
            (len(self._leaves), "leaf", "leaves"),
        )
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts)

    def decision_nodes(self, player: str | None = None) -> tuple[int, ...]:
        """The decision nodes of ``player`` (of every player if None), in prefix order."""
        if player is None:
            return tuple(int(v) for v in np.flatnonzero(self.movers >= 0))
        return self._own_nodes[self.player_index(player)]

    def mover_name(self, node: int) -> str:
        """Who moves at ``node``: a player's name, ``"chance"`` or ``"(end)"`` at a leaf."""
        mover = int(self.movers[node])
        if mover >= 0:
            return self.players[mover]
        return "chance" if mover == CHANCE else "(end)"

    def path(self, node: int) -> tuple[tuple[int, int], ...]:
        """The moves from the root to ``node``: ``(node, action index)`` pairs, root first.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.entry_deterrence().path(3)  # In (action 1 at the root), then Fight
        ((0, 1), (2, 0))
        """
        steps = []
        while node > 0:
            parent = int(self.parents[node])
            steps.append((parent, int(self.moves[node])))
            node = parent
        return tuple(reversed(steps))

    def subgames(self) -> tuple[int, ...]:
        """The roots of the subgames: with perfect information, every non-terminal node."""
        return tuple(int(v) for v in np.flatnonzero(self.movers != TERMINAL))

    def subgame(self, node: int) -> ExtensiveFormGame:
        """The subgame that starts at ``node``, as a game of its own (same players and title).

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.entry_deterrence().subgame(2).to_normal_form().strategies
        (('(no move)',), ('Fight', 'Accommodate'))
        """
        end = int(self._ends[node])
        nodes = slice(node, end)
        parents = np.where(np.arange(node, end) == node, -1, self.parents[nodes] - node)
        moves = self.moves[nodes].copy()
        moves[0] = -1
        probabilities = self.probabilities[nodes].copy()
        probabilities[0] = 1.0
        leaves = self._leaf_of[nodes]
        subgame = object.__new__(ExtensiveFormGame)
        _assemble(
            subgame,
            self.players,
            self.title,
            self.movers[nodes],
            parents,
            moves,
            self.actions[nodes],
            self.labels[nodes],
            probabilities,
            self.payoffs[leaves[leaves >= 0]],
            notes=self.notes,
        )
        return subgame

    # ------------------------------------------------------------------ payoffs and play
    def leaf_probabilities(self, choices: ArrayLike) -> FloatArray:
        """The probability of reaching each leaf when play follows ``choices``.

        Parameters
        ----------
        choices
            A pure behaviour profile: per node, the index of the action taken there (ignored at
            chance and terminal nodes, where -1 is customary).

        Returns
        -------
        numpy.ndarray
            Shape ``(n_leaves,)``; it sums to 1.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.entry_deterrence().leaf_probabilities([1, -1, 1, -1, -1]).tolist()
        [0.0, 0.0, 1.0]
        """
        chosen = np.asarray(choices, dtype=np.int64)
        reach = np.zeros(self.n_nodes)
        reach[0] = 1.0
        for v in range(1, self.n_nodes):
            parent = self.parents[v]
            if self.movers[parent] >= 0:
                reach[v] = reach[parent] * float(chosen[parent] == self.moves[v])
            else:
                reach[v] = reach[parent] * self.probabilities[v]
        return reach[list(self._leaves)]

    def expected_payoffs(self, choices: ArrayLike) -> FloatArray:
        """Each player's expected payoff when play follows ``choices``, shape ``(N,)``.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.entry_deterrence().expected_payoffs([0, -1, 0, -1, -1]).tolist()  # Out
        [0.0, 2.0]
        """
        return np.asarray(self.leaf_probabilities(choices) @ self.payoffs, dtype=np.float64)

    def with_payoffs(
        self, payoffs: ArrayLike, probabilities: ArrayLike | None = None
    ) -> ExtensiveFormGame:
        """The same tree with other leaf payoffs and, optionally, other chance probabilities.

        Parameters
        ----------
        payoffs
            Shape ``(n_leaves, N)``.
        probabilities
            Shape ``(n_nodes,)``, as :attr:`probabilities`; entries below decision nodes are
            ignored.

        Raises
        ------
        InputError
            If a payoff is not finite or the probabilities at a chance node are negative or do not
            sum to 1.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> entry = catalogue.entry_deterrence()
        >>> fighter = entry.with_payoffs([[0, 2], [-1, 3], [1, 1]])  # an incumbent keen to fight
        >>> fighter.to_normal_form().payoffs[1, 0].tolist(), entry.payoffs[1].tolist()
        ([-1.0, 3.0], [-1.0, -1.0])
        """
        game = object.__new__(ExtensiveFormGame)
        chance = self.probabilities if probabilities is None else probabilities
        _assemble(
            game,
            self.players,
            self.title,
            self.movers,
            self.parents,
            self.moves,
            self.actions,
            self.labels,
            np.asarray(chance, dtype=np.float64),
            np.asarray(payoffs, dtype=np.float64),
            notes=self.notes,
        )
        return game

    # ------------------------------------------------------------------ strategies
    def n_strategies(self, player: str, reduced: bool = True) -> int:
        """How many pure strategies ``player`` has, counted without listing them.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> game = catalogue.centipede(20)
        >>> game.n_strategies("A"), game.n_strategies("A", reduced=False)
        (11, 1024)
        """
        i = self.player_index(player)
        if not reduced:
            return math.prod(len(self.actions[v]) for v in self._own_nodes[i])
        return self._plan_counts(i)[0]

    def _plan_counts(self, i: int) -> list[int]:
        """Per node: how many reduced plans player ``i`` has in the subtree there."""
        counts = [1] * self.n_nodes
        movers = self.movers.tolist()
        for v in reversed(range(self.n_nodes)):
            if self._children[v]:
                below = [counts[c] for c in self._children[v]]
                counts[v] = sum(below) if movers[v] == i else math.prod(below)
        return counts

    def strategies(self, player: str, reduced: bool = True) -> IntArray:
        """The pure strategies of ``player``, one row each.

        Column ``k`` is the player's ``k``-th decision node in prefix order
        (:meth:`decision_nodes`); an entry is the index of the action taken there, or -1 where a
        reduced strategy's own earlier choices rule the node out. Rows are in lexicographic
        order of the actions.

        Raises
        ------
        InputError
            If the player has more than :data:`MAX_PROFILES` strategies, or a table of more
            than :data:`MAX_TABLE_CELLS` cells.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.centipede(4).strategies("B").tolist()  # B's two nodes; -1 where ruled out
        [[0, -1], [1, 0], [1, 1]]
        """
        i = self.player_index(player)
        if (i, reduced) in self._tables:
            return self._tables[i, reduced]
        counts = self._plan_counts(i) if reduced else None
        count = self.n_strategies(player, reduced) if counts is None else counts[0]
        if count > MAX_PROFILES or count * len(self._own_nodes[i]) > MAX_TABLE_CELLS:
            raise InputError(
                f"{player} has {count:,} pure strategies over {len(self._own_nodes[i]):,} nodes; "
                f"at most {MAX_PROFILES:,} strategies and {MAX_TABLE_CELLS:,} cells can be listed"
            )
        table = self._list_strategies(i, count, counts)
        table.flags.writeable = False
        self._tables[i, reduced] = table
        return table

    def _list_strategies(self, i: int, count: int, counts: list[int] | None) -> IntArray:
        """The table of player ``i``'s ``count`` strategies.

        The full strategies if ``counts`` is None, else the reduced ones, ``counts`` giving
        their number in each node's subtree.
        """
        own = self._own_nodes[i]
        if counts is None:
            sizes = tuple(len(self.actions[v]) for v in own)
            grid = np.unravel_index(np.arange(count), sizes) if own else ()
            return np.stack(grid, axis=1).astype(np.int64) if own else np.zeros((1, 0), np.int64)
        # From the root down, each node passes on, per table row that reaches it by the player's
        # own moves, the index of the row's plan for its subtree: the player's own node splits
        # its plans into its actions' blocks, in order; any other node's plans combine its
        # children's, the last child's varying fastest. Each cell is written once.
        owned = np.concatenate([[0], np.cumsum(self.movers == i)])
        column = {v: k for k, v in enumerate(own)}
        table = np.full((count, len(own)), -1, dtype=np.int64)
        rows = {0: (np.arange(count), np.arange(count))} if own else {}
        for v in range(self.n_nodes):
            if v not in rows:  # the player has no node below
                continue
            at, plan = rows.pop(v)
            children = self._children[v]
            below = [owned[self._ends[c]] > owned[c] for c in children]
            if self.movers[v] != i:
                picks = np.unravel_index(plan, [counts[c] for c in children])
                for c, pick, has_own in zip(children, picks, below, strict=True):
                    if has_own:
                        rows[c] = (at, pick)
                continue
            starts = list(itertools.accumulate((counts[c] for c in children), initial=0))
            action = np.searchsorted(starts, plan, side="right") - 1
            table[at, column[v]] = action
            for a, c in enumerate(children):
                if below[a]:
                    taken = action == a
                    rows[c] = (at[taken], plan[taken] - starts[a])
        return table

    def strategy_names(self, player: str, reduced: bool = True) -> tuple[str, ...]:
        """Readable names of :meth:`strategies`: actions joined by ``|``, ``*`` where excluded.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.centipede(4).strategy_names("B")
        ('take|*', 'pass|take', 'pass|pass')
        """
        own = self._own_nodes[self.player_index(player)]
        if not own:
            return (NO_MOVE,)
        return tuple(
            SEPARATOR.join(
                self.actions[v][a] if a >= 0 else EXCLUDED for v, a in zip(own, row, strict=True)
            )
            for row in self.strategies(player, reduced).tolist()
        )

    def strategy_profile(self, choices: ArrayLike, reduced: bool = True) -> tuple[int, ...]:
        """The normal-form strategy (row of :meth:`strategies`) each player uses under ``choices``.

        Parameters
        ----------
        choices
            A pure behaviour profile: per node, the index of the action taken there.
        reduced
            Whether to index the reduced strategies (the default) or the full ones.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> game = catalogue.centipede(4)
        >>> game.strategy_profile([0, -1, 0, -1, 0, -1, 0, -1, -1])  # everyone takes
        (0, 0)
        """
        chosen = np.asarray(choices, dtype=np.int64)
        own_reach = np.ones((self.n_players, self.n_nodes), dtype=bool)
        for v in range(1, self.n_nodes):
            parent = self.parents[v]
            own_reach[:, v] = own_reach[:, parent]
            mover = self.movers[parent]
            if mover >= 0 and chosen[parent] != self.moves[v]:
                own_reach[mover, v] = False
        profile = []
        for i, player in enumerate(self.players):
            own = list(self._own_nodes[i])
            row = chosen[own].copy()
            if reduced:
                row[~own_reach[i, own]] = -1
            table = self.strategies(player, reduced)
            profile.append(int(np.flatnonzero((table == row).all(axis=1))[0]))
        return tuple(profile)

    def profile_choices(self, profile: ArrayLike, reduced: bool = True) -> IntArray:
        """The moves of a pure strategy profile of the normal form (see :meth:`strategy_profile`).

        Parameters
        ----------
        profile
            Each player's strategy (an index into :meth:`strategies`), shape ``(N,)``; or one
            profile per row, shape ``(M, N)``.
        reduced
            Whether the indices are of the reduced strategies (the default) or the full ones.

        Returns
        -------
        numpy.ndarray
            Per node: the index of the action taken there; -1 at chance and terminal nodes and
            where a reduced strategy says nothing (its own moves rule the node out). Shape
            ``(n_nodes,)``, or ``(M, n_nodes)`` for ``M`` profiles.

        Raises
        ------
        InputError
            If a profile does not give one strategy per player.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.centipede(2).profile_choices([0, 1]).tolist()  # A takes; B would pass
        [0, -1, 1, -1, -1]
        >>> catalogue.centipede(2).profile_choices([[0, 1], [1, 0]]).tolist()
        [[0, -1, 1, -1, -1], [1, -1, 0, -1, -1]]
        """
        profiles = np.asarray(profile, dtype=np.int64)
        if profiles.ndim not in (1, 2) or profiles.shape[-1] != self.n_players:
            raise InputError(
                f"expected one strategy per player ({self.n_players}), got shape {profiles.shape}"
            )
        choices = np.full((*profiles.shape[:-1], self.n_nodes), -1, dtype=np.int64)
        for i, player in enumerate(self.players):
            table = self.strategies(player, reduced)
            choices[..., list(self.decision_nodes(player))] = table[profiles[..., i]]
        return choices

    def normal_form_size(self, reduced: bool = True) -> int:
        """The number of strategy profiles of the normal form, computed without building it.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> game = catalogue.centipede(40)
        >>> game.normal_form_size(), game.normal_form_size(reduced=False)
        (441, 1099511627776)
        """
        return math.prod(self.n_strategies(p, reduced) for p in self.players)

    def normal_form_problem(self, reduced: bool = True) -> str:
        """Why the normal form cannot be built within the bounds, or ``""`` if it can.

        The bounds are :data:`MAX_PROFILES` strategy profiles and :data:`MAX_TABLE_CELLS` cells
        of the strategy tables; both are counted without listing anything.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.centipede(40).normal_form_problem()
        ''
        >>> print(catalogue.centipede(40).normal_form_problem(reduced=False))
        the normal form of ... would have 1,099,511,627,776 strategy profiles (1048576 x 1048576);
        at most 1,000,000 are supported
        """
        counts = [self.n_strategies(p, reduced) for p in self.players]
        size = math.prod(counts)
        what = f"the {'reduced ' if reduced else ''}normal form of {self.title or 'this tree'}"
        if size > MAX_PROFILES:
            return (
                f"{what} would have {size:,} strategy profiles ({' x '.join(map(str, counts))}); "
                f"at most {MAX_PROFILES:,} are supported"
            )
        leaves = len(self._leaves)
        cells = sum(n * (len(own) + leaves) for n, own in zip(counts, self._own_nodes, strict=True))
        if cells > MAX_TABLE_CELLS:
            return (
                f"{what} would need strategy tables of {cells:,} cells; at most "
                f"{MAX_TABLE_CELLS:,} are supported"
            )
        return ""

    def to_normal_form(self, reduced: bool = True) -> NormalFormGame:
        """The normal form: every profile of pure strategies, payoffs in expectation over chance.

        Parameters
        ----------
        reduced
            Use reduced strategies (the default), which leave out the nodes a player's own
            choices rule out, or the full strategies.

        Raises
        ------
        InputError
            If the normal form is beyond the bounds of :meth:`normal_form_problem`, saying why.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> normal = catalogue.centipede(2).to_normal_form()
        >>> normal.strategies, normal.payoffs[:, 0, 1].tolist()
        ((('take', 'pass'), ('take', 'pass')), [0.1, 0.8])
        """
        problem = self.normal_form_problem(reduced)
        if problem:
            raise InputError(problem)
        counts = [self.n_strategies(p, reduced) for p in self.players]
        tables = [self.strategies(p, reduced) for p in self.players]
        compatible = [self._compatible(i, table) for i, table in enumerate(tables)]
        weights = self.reach_weights()[list(self._leaves)]
        payoffs = np.zeros((*counts, self.n_players))
        # A profile reaches a leaf exactly when every player's strategy takes the player's own
        # moves on the way to it; each leaf adds its weighted payoffs to those profiles.
        for leaf in np.flatnonzero(weights > 0):
            rows = [np.flatnonzero(c[:, leaf]) for c in compatible]
            payoffs[np.ix_(*rows)] += weights[leaf] * self.payoffs[leaf]
        names = [self.strategy_names(p, reduced) for p in self.players]
        return NormalFormGame(self.players, names, payoffs, title=self.title, notes=self.notes)

    def _compatible(self, player: int, table: IntArray) -> NDArray[np.bool_]:
        """Shape ``(n_strategies, n_leaves)``: whether each strategy takes its moves to the leaf."""
        column = {v: k for k, v in enumerate(self._own_nodes[player])}
        # From the root down (prefix order puts a parent first): a strategy reaches a node when
        # it reaches the parent and, at its own parent, takes the move to it.
        reaches = np.ones((self.n_nodes, len(table)), dtype=bool)
        for v in range(1, self.n_nodes):
            parent = int(self.parents[v])
            reaches[v] = reaches[parent]
            if self.movers[parent] == player:
                reaches[v] &= table[:, column[parent]] == self.moves[v]
        return np.ascontiguousarray(reaches[list(self._leaves)].T)

    # ------------------------------------------------------------------ display
    def _repr_html_(self) -> str:
        """The nodes in prefix order, indented by depth (up to 500 nodes)."""
        heading = html_heading(
            self.title or "Extensive-form game",
            f"{', '.join(self.players)}: {self.n_nodes} nodes, {len(self._leaves)} leaves",
        )
        if self.n_nodes > 500:
            return heading + "<p>(too many nodes to show)</p>"
        rows = []
        for v in range(self.n_nodes):
            depth = len(self.path(v))
            if self.movers[v] == TERMINAL:
                what = ", ".join(f"{x:.4g}" for x in self.payoffs[self._leaf_of[v]])
            elif self.movers[v] == CHANCE:
                what = ", ".join(
                    f"{a} {self.probabilities[c]:.4g}"
                    for a, c in zip(self.actions[v], self._children[v], strict=True)
                )
            else:
                what = ", ".join(self.actions[v])
            name = self.actions[self.parents[v]][self.moves[v]] if v else "(root)"
            rows.append(["\u2003" * depth + name, self.mover_name(v), what])
        return heading + html_table(["node", "mover", "actions or payoffs"], rows)

    def __repr__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        return (
            f"<ExtensiveFormGame{title}: {self.n_players} players ({', '.join(self.players)}), "
            f"{self.n_nodes} nodes, {len(self._leaves)} leaves>"
        )


def _check_players(players: tuple[str, ...]) -> None:
    if not players:
        raise InputError("a game needs at least one player")
    if len(set(players)) != len(players):
        raise InputError(f"player names must be unique, got {list(players)}")
    if not all(players):
        raise InputError("player names must not be empty")


_Branch = tuple[str, float, Node]


def _flatten(root: Node, players: tuple[str, ...]) -> tuple[Numbering, FloatArray]:
    """Number the nodes in prefix order; the leaves' payoffs, one row per leaf in that order."""
    payoffs: list[tuple[float, ...]] = []

    def visit(node: Node, index: int, numbering: Numbering) -> tuple[int, list[_Branch]]:
        if isinstance(node, Terminal):
            if len(node.payoffs) != len(players):
                raise InputError(
                    f"leaf {numbering.name(index)!r} has {len(node.payoffs)} payoffs; expected "
                    f"one for each of {len(players)} players"
                )
            payoffs.append(node.payoffs)
            return TERMINAL, []
        if isinstance(node, Decision):
            if node.player not in players:
                raise InputError(
                    f"unknown player {node.player!r} at node {numbering.name(index)!r}; "
                    f"expected one of {list(players)}"
                )
            return players.index(node.player), [(a, 1.0, child) for a, child in node.actions]
        return CHANCE, list(node.branches)

    numbering = number_nodes(root, visit)
    return numbering, np.array(payoffs, dtype=np.float64).reshape(len(payoffs), len(players))


def _assemble(
    game: ExtensiveFormGame,
    players: tuple[str, ...],
    title: str,
    movers: Sequence[int] | IntArray,
    parents: Sequence[int] | IntArray,
    moves: Sequence[int] | IntArray,
    actions: tuple[tuple[str, ...], ...],
    labels: tuple[str, ...],
    probabilities: Sequence[float] | FloatArray,
    payoffs: FloatArray,
    *,
    notes: tuple[str, ...],
) -> None:
    """Check the flat arrays and freeze them into ``game``, with each player's own nodes."""
    movers_a = np.asarray(movers, dtype=np.int64)
    parents_a = np.asarray(parents, dtype=np.int64)
    leaves = np.flatnonzero(movers_a == TERMINAL)
    expected = (len(leaves), len(players))
    if payoffs.shape != expected:
        raise InputError(f"leaf payoffs have shape {payoffs.shape}, expected {expected}")
    if not np.all(np.isfinite(payoffs)):
        bad = int(leaves[int(np.argwhere(~np.isfinite(payoffs))[0][0])])
        name = path_name(actions, parents_a, moves, labels, bad)
        raise InputError(f"a payoff at leaf {name!r} is not a finite number")
    chance = np.where(movers_a[np.maximum(parents_a, 0)] == CHANCE, probabilities, 1.0)
    chance[0] = 1.0
    own = tuple(tuple(int(v) for v in np.flatnonzero(movers_a == i)) for i in range(len(players)))
    game._freeze(
        players,
        title,
        movers_a,
        parents_a,
        moves,
        actions,
        labels,
        chance,
        payoffs,
        notes,
        _own_nodes=own,
        _tables={},
    )
    for v in range(game.n_nodes):
        problem = ""
        if movers_a[v] != TERMINAL:
            problem = actions_problem(actions[v])
        if not problem and movers_a[v] == CHANCE:
            problem = probability_problem(game.probabilities[list(game.children[v])])
            problem = problem and "has " + problem
        if problem:
            raise InputError(f"node {game.node_name(v)!r} {problem}")
