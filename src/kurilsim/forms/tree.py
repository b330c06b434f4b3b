"""The flat game tree both tree forms store: nodes numbered in prefix order, one array per field.

A game tree has player nodes, chance nodes and terminal nodes (leaves). :class:`FlatTree` holds
one without nesting: the nodes are numbered in *prefix order* (a node, then the subtree of its
first action, then that of its second, ...), so the root is node 0 and the subtree of node ``v``
is the contiguous range ``v .. subtree_ends[v] - 1``. Per node it stores who moves, the parent,
the action at the parent that leads there, the action labels, an optional name and the chance
probability; the leaves, in the same order, carry the payoffs.

The perfect-information tree (:class:`~kurilsim.forms.extensive.game.ExtensiveFormGame`) and the
tree with information sets (:class:`~kurilsim.forms.information.game.InformationTree`) are both
a :class:`FlatTree`, built by :func:`number_nodes` from their own node types; each adds what only
it has (strategies and subgames; information sets and outcomes).

Examples
--------
>>> from kurilsim.forms import catalogue
>>> entry = catalogue.entry_deterrence()
>>> isinstance(entry, FlatTree), entry.children, entry.subtree_ends.tolist()
(True, ((1, 2), (), (3, 4), (), ()), [5, 2, 5, 4, 5])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.arguments import check_array, check_text, is_real, player_position, shown
from kurilsim.core.errors import ArgumentTypeError, InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: ``movers[v]`` of a chance node.
CHANCE: Final = -1
#: ``movers[v]`` of a terminal node.
TERMINAL: Final = -2
#: Largest number of nodes a tree may have.
MAX_NODES: Final = 1_000_000
#: Probabilities at a chance node may miss a sum of 1 by this much (rounding in files).
PROBABILITY_SLACK: Final = 1e-9


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


NodeT = TypeVar("NodeT", bound=_Labelled)
#: An action or chance branch below a node: its label, its probability (1 for a player's
#: action) and the node it leads to.
Branch = tuple[str, float, NodeT]


@dataclass(frozen=True, eq=False)
class LabelledPayoffs:
    """One payoff per player (in the game's player order), with an optional name.

    The base of a perfect-information tree's leaf and of an outcome in a tree with information
    sets; instances are equal only to themselves.

    Parameters
    ----------
    payoffs
        One number per player.
    label
        An optional name.

    Raises
    ------
    ArgumentTypeError
        If ``payoffs`` is not a list of numbers or ``label`` not a string.

    Examples
    --------
    >>> LabelledPayoffs([1, 2], "deal")
    LabelledPayoffs(payoffs=(1.0, 2.0), label='deal')
    """

    payoffs: tuple[float, ...]
    label: str = ""

    def __init__(self, payoffs: ArrayLike, label: str = "") -> None:
        values = check_array("payoffs", payoffs, ndim=1, finite=False)
        object.__setattr__(self, "payoffs", tuple(float(x) for x in values))
        object.__setattr__(self, "label", check_text("label", label))


@dataclass(frozen=True, eq=False, init=False)
class FlatTree:
    """A finite game tree stored flat, nodes in prefix order; the base of the tree forms' games.

    A subclass builds the fields from its own node types (with :func:`number_nodes`) and sets
    them with :meth:`_freeze`, which derives the children, leaves and subtree ends.

    Attributes
    ----------
    players, title, notes
        The players' names; a title; what a reader changed to make the tree, one line each.
    movers
        Per node, in prefix order: the index of the player who moves, :data:`CHANCE` or
        :data:`TERMINAL`.
    parents, moves
        Per node: its parent (-1 for the root) and the index of the action (or branch) at the
        parent that leads to it (-1 for the root).
    actions, labels
        Per node: the labels of its actions or branches (empty for leaves); its optional name.
    probabilities
        Per node: the probability of the chance move leading to it (1 below player nodes and
        at the root).
    payoffs
        Shape ``(n_leaves, N)``: what each leaf pays, leaves in prefix order.
    """

    players: tuple[str, ...]
    title: str
    movers: IntArray = field(repr=False)
    parents: IntArray = field(repr=False)
    moves: IntArray = field(repr=False)
    actions: tuple[tuple[str, ...], ...] = field(repr=False)
    labels: tuple[str, ...] = field(repr=False)
    probabilities: FloatArray = field(repr=False)
    payoffs: FloatArray = field(repr=False)
    notes: tuple[str, ...] = field(repr=False)
    # Derived structure, set by _freeze.
    _children: tuple[tuple[int, ...], ...] = field(init=False, repr=False)
    _leaves: tuple[int, ...] = field(init=False, repr=False)
    _leaf_of: IntArray = field(init=False, repr=False)
    _ends: IntArray = field(init=False, repr=False)

    @property
    def n_players(self) -> int:
        """Number of players."""
        return len(self.players)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.movers)

    @property
    def children(self) -> tuple[tuple[int, ...], ...]:
        """Per node: its children, in the order of its actions."""
        return self._children

    @property
    def leaves(self) -> tuple[int, ...]:
        """The terminal nodes, in prefix order (row ``k`` of :attr:`payoffs` is leaf ``k``)."""
        return self._leaves

    @property
    def leaf_of(self) -> IntArray:
        """Per node: its row of :attr:`payoffs` if it is a leaf, else -1."""
        return self._leaf_of

    @property
    def subtree_ends(self) -> IntArray:
        """Per node ``v``: one past the last node of its subtree (the subtree is ``v..end-1``)."""
        return self._ends

    def player_index(self, player: str) -> int:
        """Return the position of ``player`` in :attr:`players`.

        Raises
        ------
        InputError
            If there is no such player.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.entry_deterrence().player_index("Incumbent")
        1
        """
        return player_position(self.players, player)

    def chance_nodes(self) -> tuple[int, ...]:
        """The chance nodes, in prefix order."""
        return tuple(int(v) for v in np.flatnonzero(self.movers == CHANCE))

    def node_name(self, node: int) -> str:
        """A readable name: the node's label, or the actions leading to it joined by ``" > "``.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> catalogue.entry_deterrence().node_name(3)
        'In > Fight'
        """
        names = self._node_names
        if node not in names:  # named once: a listing names each node in every equilibrium
            names[node] = path_name(self.actions, self.parents, self.moves, self.labels, node)
        return names[node]

    @functools.cached_property
    def _node_names(self) -> dict[int, str]:
        """The names :meth:`node_name` has given, by node."""
        return {}

    def reach_weights(self) -> FloatArray:
        """Per node: the product of the chance probabilities on the way to it.

        Examples
        --------
        >>> from kurilsim.forms.extensive.game import Chance, ExtensiveFormGame, Terminal
        >>> game = ExtensiveFormGame(["A"], Chance({
        ...     "h": (0.25, Terminal([1])),
        ...     "t": (0.75, Chance({"h": (0.5, Terminal([2])), "t": (0.5, Terminal([3]))})),
        ... }))
        >>> game.reach_weights().tolist()
        [1.0, 0.25, 0.75, 0.375, 0.375]
        """
        weights = self.probabilities.copy()
        for v in range(1, self.n_nodes):
            weights[v] *= weights[self.parents[v]]
        return weights

    def _freeze(
        self,
        players: tuple[str, ...],
        title: str,
        movers: ArrayLike,
        parents: ArrayLike,
        moves: ArrayLike,
        actions: Sequence[tuple[str, ...]],
        labels: Sequence[str],
        probabilities: ArrayLike,
        payoffs: ArrayLike,
        notes: tuple[str, ...],
        **extra: object,
    ) -> None:
        """Set the fields (arrays copied, read-only) and ``extra``; derive the structure."""
        movers_f = read_only(movers, np.int64)
        parents_f = read_only(parents, np.int64)
        n_nodes = len(movers_f)
        children: list[list[int]] = [[] for _ in range(n_nodes)]
        for v in range(1, n_nodes):
            children[int(parents_f[v])].append(v)
        ends = np.arange(1, n_nodes + 1, dtype=np.int64)
        for v in reversed(range(1, n_nodes)):
            ends[parents_f[v]] = max(ends[parents_f[v]], ends[v])
        leaves = tuple(int(v) for v in np.flatnonzero(movers_f == TERMINAL))
        leaf_of = np.full(n_nodes, -1, dtype=np.int64)
        leaf_of[list(leaves)] = np.arange(len(leaves))
        for name, value in {
            "players": players,
            "title": title,
            "movers": movers_f,
            "parents": parents_f,
            "moves": read_only(moves, np.int64),
            "actions": tuple(actions),
            "labels": tuple(labels),
            "probabilities": read_only(probabilities, np.float64),
            "payoffs": read_only(payoffs, np.float64),
            "notes": notes,
            "_children": tuple(tuple(c) for c in children),
            "_leaves": leaves,
            "_leaf_of": read_only(leaf_of, np.int64),
            "_ends": read_only(ends, np.int64),
            **extra,
        }.items():
            object.__setattr__(self, name, value)


def read_only(values: ArrayLike, dtype: type[np.generic]) -> NDArray[np.generic]:
    """A read-only copy of ``values`` as an array of ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> read_only([1, 2], np.int64).flags.writeable
    False
    """
    array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


@dataclass
class Numbering:
    """The per-node lists :func:`number_nodes` fills, in prefix order (see :class:`FlatTree`)."""

    movers: list[int] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    moves: list[int] = field(default_factory=list)
    actions: list[tuple[str, ...]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    probabilities: list[float] = field(default_factory=list)

    def name(self, node: int) -> str:
        """The name of a node numbered so far, as :meth:`FlatTree.node_name` gives it."""
        return path_name(self.actions, self.parents, self.moves, self.labels, node)


def number_nodes(
    root: NodeT,
    visit: Callable[[NodeT, int, Numbering], tuple[int, Sequence[Branch[NodeT]]]],
) -> Numbering:
    """Number the nodes below ``root`` in prefix order, without recursion (trees may be deep).

    Parameters
    ----------
    root
        The root of a tree of nodes with a ``label``.
    visit
        Called once per node, in prefix order, as ``visit(node, number, numbering)`` once the
        node's parent, move, label and probability are recorded; returns who moves there (a
        player's index, :data:`CHANCE` or :data:`TERMINAL`) and its branches, ``(action label,
        probability, child)`` in order. It may raise, naming the node by ``numbering.name``.

    Raises
    ------
    InputError
        If the tree has more than :data:`MAX_NODES` nodes.

    Examples
    --------
    >>> from kurilsim.forms.extensive.game import Decision, Terminal
    >>> root = Decision("A", {"l": Terminal([0]), "r": Decision("A", {"x": Terminal([1])})})
    >>> def visit(node, number, numbering):
    ...     if isinstance(node, Terminal):
    ...         return TERMINAL, ()
    ...     return 0, [(a, 1.0, child) for a, child in node.actions]
    >>> numbering = number_nodes(root, visit)
    >>> numbering.parents, numbering.actions, numbering.name(3)
    ([-1, 0, 0, 2], [('l', 'r'), (), ('x',), ()], 'r > x')
    """
    numbering = Numbering()
    stack: list[tuple[NodeT, int, int, float]] = [(root, -1, -1, 1.0)]
    while stack:
        node, parent, move, probability = stack.pop()
        if len(numbering.movers) >= MAX_NODES:
            raise InputError(f"the tree has more than {MAX_NODES:,} nodes")
        index = len(numbering.movers)
        numbering.parents.append(parent)
        numbering.moves.append(move)
        numbering.labels.append(node.label)
        numbering.probabilities.append(probability)
        mover, branches = visit(node, index, numbering)
        numbering.movers.append(mover)
        numbering.actions.append(tuple(a for a, _, _ in branches))
        # Push in reverse so that the first action's subtree is numbered first.
        for k in reversed(range(len(branches))):
            stack.append((branches[k][2], index, k, branches[k][1]))
    return numbering


def path_name(
    actions: Sequence[Sequence[str]],
    parents: Sequence[int] | IntArray,
    moves: Sequence[int] | IntArray,
    labels: Sequence[str],
    node: int,
) -> str:
    """A node's label, or the actions from the root to it joined by ``" > "``.

    The per-node sequences are those of :class:`FlatTree`; only the node's ancestors need
    their actions, so a tree still being numbered can name its newest node.

    Examples
    --------
    >>> path_name([("l", "r"), (), ("x",), ()], [-1, 0, 0, 2], [-1, 0, 1, 0], ["", "", "", ""], 3)
    'r > x'
    """
    if labels[node]:
        return labels[node]
    steps = []
    while parents[node] >= 0:
        steps.append(actions[int(parents[node])][int(moves[node])])
        node = int(parents[node])
    return " > ".join(reversed(steps)) if steps else "(root)"


def check_branch(
    name: str, value: object, check_node: Callable[[str, object], NodeT]
) -> tuple[float, NodeT]:
    """``value`` as ``(probability, node)``, if it is a pair of a number and a node.

    Whether the probabilities are valid is for the tree to say, naming the node by its path.

    Examples
    --------
    >>> check_branch("branches", (0.5, "leaf"), lambda name, node: node)
    (0.5, 'leaf')
    >>> check_branch("branches", 0.5, lambda name, node: node)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.ArgumentTypeError: branches: expected a pair (probability, node), got 0.5
    (float)
    """
    if not isinstance(value, tuple | list) or len(value) != 2 or not is_real(value[0]):
        raise ArgumentTypeError(
            f"expected a pair (probability, node), got {shown(value)}", field=name
        )
    return float(value[0]), check_node(name, value[1])


def actions_problem(names: Sequence[str]) -> str:
    """What is wrong with the action labels of a non-terminal node, or ``""`` if nothing.

    Examples
    --------
    >>> actions_problem(("l", "r")), actions_problem(())
    ('', 'has no actions; every non-terminal node needs one')
    >>> actions_problem(("l", "l"))
    "needs unique, non-empty action labels, got ['l', 'l']"
    """
    if not names:
        return "has no actions; every non-terminal node needs one"
    if len(set(names)) != len(names) or not all(names):
        return f"needs unique, non-empty action labels, got {list(names)}"
    return ""


def probability_problem(probabilities: FloatArray) -> str:
    """What is wrong with the probabilities of a chance move, or ``""`` if nothing.

    Examples
    --------
    >>> import numpy as np
    >>> probability_problem(np.array([0.5, 0.5])), probability_problem(np.array([0.5, 0.6]))
    ('', 'probabilities that sum to 1.1, not 1')
    """
    if not np.all(np.isfinite(probabilities)) or np.any(probabilities < 0):
        return f"probabilities that are negative or not finite: {probabilities.tolist()}"
    total = float(probabilities.sum())
    if abs(total - 1.0) > PROBABILITY_SLACK:
        return f"probabilities that sum to {total:.12g}, not 1"
    return ""
