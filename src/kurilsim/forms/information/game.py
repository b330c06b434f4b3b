r"""Finite game trees with information sets, chance moves and outcomes at any node.

A tree has three kinds of node:

* a **player node**, where a player picks one of the labelled actions of the node's
  *information set*: the nodes a player cannot tell apart when moving; every node of an
  information set belongs to the same player and offers the same actions, in the same order;
* a **chance node**, where nature picks a labelled branch with a given probability;
* a **terminal node** (a leaf).

An :class:`Outcome` (a payoff to each player) may sit at any node; a leaf pays the sum of the
outcomes on its path, as in Gambit. One outcome object may sit at several nodes.

Build the tree from :class:`PlayerNode`, :class:`ChanceNode` and :class:`TerminalNode` and wrap
it in an :class:`InformationTree`, which stores it flat: nodes in *prefix order* (a node, then
the subtree of its first action, then that of its second, ...), information sets in the order in
which they are first met. The tree is checked for *perfect recall* (Kuhn 1953): at every node of an
information set, the player has made the same choices before, at the same information sets.

A perfect-information tree (every information set one node) is the special case that
:class:`~kurilsim.forms.extensive.game.ExtensiveFormGame` holds;
:meth:`InformationTree.from_extensive` converts one.

Examples
--------
Matching pennies as a tree: the second player does not see the first move.

>>> pennies = InformationTree(["Even", "Odd"], PlayerNode("Even", "E", {
...     "H": PlayerNode("Odd", "O", {"H": TerminalNode([1, -1]), "T": TerminalNode([-1, 1])}),
...     "T": PlayerNode("Odd", "O", {"H": TerminalNode([-1, 1]), "T": TerminalNode([1, -1])}),
... }), title="Matching pennies")
>>> [(s.label, s.player, s.actions, s.nodes) for s in pennies.infosets]
[('E', 0, ('H', 'T'), (0,)), ('O', 1, ('H', 'T'), (1, 4))]
>>> pennies.payoffs.tolist()
[[1.0, -1.0], [-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]

A second move of the same player that forgets the first breaks perfect recall:

>>> InformationTree(["A"], PlayerNode("A", "first", {
...     "l": PlayerNode("A", "second", {"x": TerminalNode([1]), "y": TerminalNode([0])}),
...     "r": PlayerNode("A", "second", {"x": TerminalNode([0]), "y": TerminalNode([1])}),
... }))
Traceback (most recent call last):
...
kurilsim.forms.information.game.NodeError: information set 'second' of player 'A' breaks perfect
recall: ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.arguments import (
    check_instance,
    check_mapping,
    check_names,
    check_text,
)
from kurilsim.core.errors import InputError
from kurilsim.forms.extensive.game import Chance, Decision, ExtensiveFormGame, Terminal
from kurilsim.forms.tree import (
    CHANCE,
    TERMINAL,
    FlatTree,
    LabelledPayoffs,
    Numbering,
    actions_problem,
    check_branch,
    number_nodes,
    probability_problem,
    read_only,
)

__all__ = [
    "CHANCE",
    "TERMINAL",
    "ChanceNode",
    "InformationSet",
    "InformationTree",
    "NodeError",
    "Outcome",
    "PlayerNode",
    "TerminalNode",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class NodeError(InputError):
    """A problem at one node of a tree: ``node`` is its number in prefix order.

    Scenario files use the number to name the node's field and line.
    """

    def __init__(self, message: str, node: int) -> None:
        super().__init__(message)
        self.node = node


class Outcome(LabelledPayoffs):
    """A payoff to each player (in the game's player order), with an optional name.

    The same object placed at several nodes is one outcome (Gambit numbers it once).

    Parameters
    ----------
    payoffs
        One number per player.
    label
        An optional name, e.g. ``"deal"``.

    Examples
    --------
    >>> Outcome([1, 2], "deal")
    Outcome(payoffs=(1.0, 2.0), label='deal')
    """


def _check_outcome(value: object) -> Outcome | None:
    """An :class:`Outcome`, ``None``, or a list of payoffs made into an unnamed outcome."""
    if value is None or isinstance(value, Outcome):
        return value
    return Outcome(value)  # type: ignore[arg-type]  # checked by Outcome


@dataclass(frozen=True, eq=False)
class PlayerNode:
    """A node where ``player`` chooses one of the actions of information set ``infoset``.

    Parameters
    ----------
    player
        The name of the player who moves.
    infoset
        The label of the information set, unique among the player's sets: every node given the
        same player and label is in the same set.
    actions
        Action label -> the node it leads to, in order.
    outcome
        An :class:`Outcome` (or a list of payoffs) received on reaching this node, or None.
    label
        An optional name of the node.
    """

    player: str
    infoset: str
    actions: tuple[tuple[str, Node], ...]
    outcome: Outcome | None = None
    label: str = ""

    def __init__(
        self,
        player: str,
        infoset: str,
        actions: Mapping[str, Node],
        outcome: Outcome | ArrayLike | None = None,
        label: str = "",
    ) -> None:
        checked = check_mapping("actions", actions, _check_node, optional=False)
        object.__setattr__(self, "player", check_text("player", player))
        object.__setattr__(self, "infoset", check_text("infoset", infoset))
        object.__setattr__(self, "actions", tuple(checked.items()))
        object.__setattr__(self, "outcome", _check_outcome(outcome))
        object.__setattr__(self, "label", check_text("label", label))


@dataclass(frozen=True, eq=False)
class ChanceNode:
    """A node where nature picks a labelled branch with the given probability.

    Parameters
    ----------
    branches
        Branch label -> ``(probability, node)``, in order; the probabilities sum to 1.
    outcome
        An :class:`Outcome` (or a list of payoffs) received on reaching this node, or None.
    label
        An optional name of the node.
    """

    branches: tuple[tuple[str, float, Node], ...]
    outcome: Outcome | None = None
    label: str = ""

    def __init__(
        self,
        branches: Mapping[str, tuple[float, Node]],
        outcome: Outcome | ArrayLike | None = None,
        label: str = "",
    ) -> None:
        checked = check_mapping("branches", branches, _check_branch, optional=False)
        object.__setattr__(self, "branches", tuple((a, p, n) for a, (p, n) in checked.items()))
        object.__setattr__(self, "outcome", _check_outcome(outcome))
        object.__setattr__(self, "label", check_text("label", label))


@dataclass(frozen=True, eq=False)
class TerminalNode:
    """A leaf. It pays the outcomes on its path, its own included.

    Parameters
    ----------
    outcome
        An :class:`Outcome` or a list of payoffs, one per player; None for none (the leaf then
        pays only what the outcomes above it give).
    label
        An optional name of the leaf.
    """

    outcome: Outcome | None = None
    label: str = ""

    def __init__(self, outcome: Outcome | ArrayLike | None = None, label: str = "") -> None:
        object.__setattr__(self, "outcome", _check_outcome(outcome))
        object.__setattr__(self, "label", check_text("label", label))


#: Any node of a tree with information sets.
Node = PlayerNode | ChanceNode | TerminalNode
_Branch = tuple[str, float, Node]


def _check_node(name: str, value: object) -> Node:
    what = "a node (PlayerNode, ChanceNode or TerminalNode)"
    return check_instance(name, value, Node, what)  # type: ignore[arg-type]  # a union


def _check_branch(name: str, value: object) -> tuple[float, Node]:
    return check_branch(name, value, _check_node)


@dataclass(frozen=True)
class InformationSet:
    """One information set: whose it is, its label, its actions and its nodes (prefix order).

    Attributes
    ----------
    player
        The index of the player who moves there.
    label
        Its label, unique among the player's sets.
    actions
        The action labels, the same at every node.
    nodes
        Its nodes, in prefix order.
    """

    player: int
    label: str
    actions: tuple[str, ...]
    nodes: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class InformationTree(FlatTree):
    """A finite game tree with information sets, chance moves and outcomes, any number of players.

    Parameters
    ----------
    players
        The players' names, in order.
    root
        The root of the tree.
    title
        A human-readable title.
    notes
        What a reader changed to make the tree out of its file, one line each; empty for a tree
        built in code.

    Raises
    ------
    ArgumentTypeError
        If an argument has the wrong type.
    InputError
        If a node names an unknown player, has no actions or repeated action labels; the nodes of
        an information set offer different actions; the probabilities at a chance node are
        negative or do not sum to 1; an outcome has the wrong number of payoffs or a payoff that
        is not finite; the tree is larger than :data:`~kurilsim.forms.tree.MAX_NODES`
        nodes; or it breaks perfect recall. The message names the node by its path.

    Attributes
    ----------
    players, title, notes, movers, parents, moves, actions, labels, probabilities
        The flat tree, nodes in prefix order, as :class:`~kurilsim.forms.tree.FlatTree` has them.
    infosets
        The information sets of the players, in the order first met in prefix order.
    infoset_of
        Per node: its index in :attr:`infosets` (-1 at chance and terminal nodes).
    outcomes
        The distinct outcomes, in the order first met.
    outcome_of
        Per node: the index of its outcome in :attr:`outcomes`, or -1.
    payoffs
        Shape ``(n_leaves, N)``: what each leaf pays, the sum of the outcomes on its path.
    """

    infosets: tuple[InformationSet, ...] = field(repr=False)
    infoset_of: IntArray = field(repr=False)
    outcomes: tuple[Outcome, ...] = field(repr=False)
    outcome_of: IntArray = field(repr=False)

    def __init__(
        self, players: Sequence[str], root: Node, title: str = "", notes: Sequence[str] = ()
    ) -> None:
        names = check_names("players", players)
        if not names or len(set(names)) != len(names) or not all(names):
            raise InputError(f"a game needs unique, non-empty player names, got {list(names)}")
        root = _check_node("root", root)
        _build(self, names, root, check_text("title", title), check_names("notes", notes))

    # ------------------------------------------------------------------ conversions
    @classmethod
    def from_extensive(cls, game: ExtensiveFormGame) -> InformationTree:
        """The perfect-information tree ``game`` as a tree with one node per information set.

        Information sets are labelled by the node's name; leaves get an unnamed outcome each.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> tree = InformationTree.from_extensive(catalogue.entry_deterrence())
        >>> [s.label for s in tree.infosets], tree.payoffs.tolist()
        (['(root)', 'In'], [[0.0, 2.0], [-1.0, -1.0], [1.0, 1.0]])
        """
        check_instance("game", game, ExtensiveFormGame, "an ExtensiveFormGame")
        built: dict[int, Node] = {}
        for v in reversed(range(game.n_nodes)):
            children = [built.pop(c) for c in game.children[v]]
            mover = int(game.movers[v])
            if mover == TERMINAL:
                built[v] = TerminalNode(game.payoffs[int(game.leaf_of[v])], label=game.labels[v])
            elif mover == CHANCE:
                branches = {
                    a: (float(game.probabilities[c]), child)
                    for a, c, child in zip(game.actions[v], game.children[v], children, strict=True)
                }
                built[v] = ChanceNode(branches, label=game.labels[v])
            else:
                built[v] = PlayerNode(
                    game.players[mover],
                    game.node_name(v),
                    dict(zip(game.actions[v], children, strict=True)),
                    label=game.labels[v],
                )
        return cls(game.players, built[0], game.title, game.notes)

    def to_extensive(self) -> ExtensiveFormGame:
        """The same tree as an :class:`ExtensiveFormGame`, if every information set is one node.

        Raises
        ------
        InputError
            If an information set holds more than one node.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> entry = catalogue.entry_deterrence()
        >>> InformationTree.from_extensive(entry).to_extensive().payoffs.tolist()
        [[0.0, 2.0], [-1.0, -1.0], [1.0, 1.0]]
        """
        if not self.has_perfect_information:
            raise InputError(
                f"{self.title or 'the game'} has information sets of more than one node; "
                "a game of perfect information has none"
            )
        built: dict[int, Decision | Chance | Terminal] = {}
        for v in reversed(range(self.n_nodes)):
            children = [built.pop(c) for c in self.children[v]]
            mover = int(self.movers[v])
            if mover == TERMINAL:
                built[v] = Terminal(self.payoffs[int(self.leaf_of[v])], label=self.labels[v])
            elif mover == CHANCE:
                built[v] = Chance(
                    {
                        a: (float(self.probabilities[c]), child)
                        for a, c, child in zip(
                            self.actions[v], self.children[v], children, strict=True
                        )
                    },
                    label=self.labels[v],
                )
            else:
                built[v] = Decision(
                    self.players[mover],
                    dict(zip(self.actions[v], children, strict=True)),
                    label=self.labels[v],
                )
        return ExtensiveFormGame(self.players, built[0], self.title, self.notes)

    # ------------------------------------------------------------------ structure
    @property
    def has_perfect_information(self) -> bool:
        """Whether every information set holds one node."""
        return all(len(s.nodes) == 1 for s in self.infosets)

    def player_infosets(self, player: int) -> tuple[int, ...]:
        """The indices in :attr:`infosets` of player number ``player``'s sets."""
        return tuple(k for k, s in enumerate(self.infosets) if s.player == player)

    def infoset_name(self, infoset: int) -> str:
        """``"player: label"`` of information set number ``infoset``."""
        entry = self.infosets[infoset]
        return f"{self.players[entry.player]}: {entry.label}"

    def summary(self) -> str:
        """How big the game is, in words.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> InformationTree.from_extensive(catalogue.entry_deterrence()).summary()
        '2 players, 2 information sets, 2 player nodes, 0 chance nodes, 3 leaves'
        """
        counts = (
            (self.n_players, "player", "players"),
            (len(self.infosets), "information set", "information sets"),
            (int(np.count_nonzero(self.movers >= 0)), "player node", "player nodes"),
            (int(np.count_nonzero(self.movers == CHANCE)), "chance node", "chance nodes"),
            (len(self._leaves), "leaf", "leaves"),
        )
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts)


def _build(
    game: InformationTree, players: tuple[str, ...], root: Node, title: str, notes: tuple[str, ...]
) -> None:
    """Number the nodes in prefix order (without recursion), check them, and freeze the game."""
    infoset_keys: dict[tuple[int, str], int] = {}
    infoset_of: list[int] = []
    outcome_ids: dict[int, int] = {}
    outcomes: list[Outcome] = []
    outcome_of: list[int] = []

    def visit(node: Node, index: int, numbering: Numbering) -> tuple[int, list[_Branch]]:
        outcome = node.outcome
        if outcome is None:
            outcome_of.append(-1)
        else:
            if len(outcome.payoffs) != len(players):
                raise InputError(
                    f"the outcome at node {numbering.name(index)!r} has {len(outcome.payoffs)} "
                    f"payoffs; expected one for each of {len(players)} players"
                )
            if not all(np.isfinite(outcome.payoffs)):
                raise InputError(
                    f"a payoff at node {numbering.name(index)!r} is not a finite number"
                )
            if id(outcome) not in outcome_ids:
                outcome_ids[id(outcome)] = len(outcomes)
                outcomes.append(outcome)
            outcome_of.append(outcome_ids[id(outcome)])
        if isinstance(node, TerminalNode):
            infoset_of.append(-1)
            return TERMINAL, []
        if isinstance(node, PlayerNode):
            branches = [(a, 1.0, child) for a, child in node.actions]
            if node.player not in players:
                raise NodeError(
                    f"unknown player {node.player!r} at node {numbering.name(index)!r}; "
                    f"expected one of {list(players)}",
                    index,
                )
            if not node.infoset:
                raise InputError(
                    f"node {numbering.name(index)!r} needs a non-empty information set label"
                )
            mover = players.index(node.player)
            infoset_of.append(infoset_keys.setdefault((mover, node.infoset), len(infoset_keys)))
        else:
            branches = list(node.branches)
            mover = CHANCE
            infoset_of.append(-1)
        problem = actions_problem([a for a, _, _ in branches])
        if problem:
            raise InputError(f"node {numbering.name(index)!r} {problem}")
        if isinstance(node, ChanceNode):
            problem = probability_problem(np.array([p for _, p, _ in branches]))
            if problem:
                raise InputError(f"chance node {numbering.name(index)!r} has {problem}")
        return mover, branches

    numbering = number_nodes(root, visit)
    movers, parents, moves = numbering.movers, numbering.parents, numbering.moves
    actions = numbering.actions

    def where(node: int) -> str:
        return repr(numbering.name(node))

    n_nodes = len(movers)
    members: list[list[int]] = [[] for _ in infoset_keys]
    for v, h in enumerate(infoset_of):
        if h >= 0:
            members[h].append(v)
    infosets = []
    for (player, label), h in infoset_keys.items():
        first = members[h][0]
        for v in members[h][1:]:
            if actions[v] != actions[first]:
                raise NodeError(
                    f"information set {label!r} of player {players[player]!r} has the actions "
                    f"{list(actions[first])} at node {where(first)} but {list(actions[v])} at "
                    f"node {where(v)}; every node of an information set has the same actions",
                    v,
                )
        infosets.append(InformationSet(player, label, actions[first], tuple(members[h])))
    _check_perfect_recall(players, infosets, movers, parents, moves, infoset_of, where)

    node_payoffs = np.zeros((n_nodes, len(players)))
    for v, k in enumerate(outcome_of):
        if k >= 0:
            node_payoffs[v] = outcomes[k].payoffs
    with np.errstate(over="ignore", invalid="ignore"):
        for v in range(1, n_nodes):
            node_payoffs[v] += node_payoffs[parents[v]]
    overflow = np.flatnonzero(~np.all(np.isfinite(node_payoffs), axis=1))
    if len(overflow):
        bad = int(overflow[0])
        raise NodeError(
            f"the outcomes on the path to node {where(bad)} add up to a payoff out of the range "
            "of floating-point numbers",
            bad,
        )
    game._freeze(
        players,
        title,
        movers,
        parents,
        moves,
        actions,
        numbering.labels,
        numbering.probabilities,
        node_payoffs[np.array(movers) == TERMINAL],
        notes,
        infosets=tuple(infosets),
        infoset_of=read_only(infoset_of, np.int64),
        outcomes=tuple(outcomes),
        outcome_of=read_only(outcome_of, np.int64),
    )


def _check_perfect_recall(
    players: tuple[str, ...],
    infosets: list[InformationSet],
    movers: list[int],
    parents: list[int],
    moves: list[int],
    infoset_of: list[int],
    where: Callable[[int], str],
) -> None:
    """Every node of an information set has the same last own move (infoset, action) above it.

    By induction from the root this makes the whole sequence of the player's own information
    sets and actions the same at every node of the set, which is perfect recall; a set met twice
    on one path fails too, since its later node has the set itself above it.
    """
    n_nodes = len(movers)
    # last[v][i]: player i's last (infoset, action) on the path to v, as one number (-1: none).
    last = np.full((n_nodes, len(players)), -1, dtype=np.int64)
    width = max((len(s.actions) for s in infosets), default=1)
    for v in range(1, n_nodes):
        parent = parents[v]
        last[v] = last[parent]
        if movers[parent] >= 0:
            last[v, movers[parent]] = infoset_of[parent] * width + moves[v]
    for entry in infosets:
        seen = last[list(entry.nodes), entry.player]
        if np.all(seen == seen[0]):
            continue
        k = int(np.flatnonzero(seen != seen[0])[0])
        first, other = entry.nodes[0], entry.nodes[k]
        raise NodeError(
            f"information set {entry.label!r} of player {players[entry.player]!r} breaks perfect "
            f"recall: the player's own earlier moves differ between node {where(first)} "
            f"({_move_text(infosets, int(seen[0]), width)}) and node {where(other)} "
            f"({_move_text(infosets, int(seen[k]), width)})",
            other,
        )


def _move_text(infosets: list[InformationSet], code: int, width: int) -> str:
    if code < 0:
        return "no earlier move"
    entry = infosets[int(code) // width]
    return f"{entry.actions[int(code) % width]!r} at {entry.label!r}"
