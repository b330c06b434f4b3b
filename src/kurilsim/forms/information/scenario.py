"""Scenario files of trees with information sets (``form: information``).

The file is a game tree as in ``form: extensive`` (players, outcome variables, payoff expressions,
a nested tree of decision, chance and leaf nodes, chance probabilities as expressions over the
parameters), with two additions:

* a decision node may name its ``infoset``: every decision node given the same name is one
  information set, whose player cannot tell its nodes apart. The nodes must belong to one player
  and offer the same actions, and the tree must have perfect recall. A node without a name is an
  information set of its own;
* a decision or chance node may give ``payoffs`` (every player's, numbers or expressions), paid on
  reaching it: an outcome at a non-terminal node, added to every leaf below.

The file is validated by :class:`InformationScenarioFile` and compiled by
:func:`compile_information`, which reuses the tree compiler of the extensive form for the
expressions, outcome variables and chance probabilities (checked to lie in [0, 1] and sum to 1 at
the defaults, and again at every point a game is built at).

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... form: information
... title: Matching pennies
... parameters:
...   stake: {default: 1, range: [0, 2], unit: coins, description: a round, assumption: x}
... players: [Even, Odd]
... tree:
...   player: Even
...   actions:
...     Heads:
...       player: Odd
...       infoset: guess
...       actions:
...         Heads: {payoffs: {Even: stake, Odd: -stake}}
...         Tails: {payoffs: {Even: -stake, Odd: stake}}
...     Tails:
...       player: Odd
...       infoset: guess
...       actions:
...         Heads: {payoffs: {Even: -stake, Odd: stake}}
...         Tails: {payoffs: {Even: stake, Odd: -stake}}
... '''
>>> scenario = parse_scenario(text)
>>> tree = scenario.game({"stake": 2})
>>> [(s.label, s.nodes) for s in tree.infosets], tree.payoffs[:, 0].tolist()
([('(root)', (0,)), ('guess', (1, 4))], [2.0, -2.0, -2.0, 2.0])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Discriminator, Field, Tag

from kurilsim.core.errors import InputError
from kurilsim.core.expr import Expression
from kurilsim.core.rules import Path, SemanticError, checked_expression
from kurilsim.core.schema import ExpressionText, Identifier
from kurilsim.forms.extensive.game import CHANCE, TERMINAL, ExtensiveFormGame, Node
from kurilsim.forms.extensive.scenario import (
    Branch,
    ChanceNode,
    CompiledTree,
    DecisionNode,
    ExtensiveScenarioFile,
    LeafNode,
    TreeCompiler,
    compile_extensive_tree,
    evaluate_tree,
    node_kind,
)
from kurilsim.forms.information.game import (
    ChanceNode as ChanceMove,
)
from kurilsim.forms.information.game import (
    InformationTree,
    NodeError,
    Outcome,
    PlayerNode,
    TerminalNode,
)
from kurilsim.forms.information.game import (
    Node as TreeNode,
)

FloatArray = NDArray[np.float64]


class InformationDecisionNode(DecisionNode):
    """A player's move, at an information set that may hold other nodes."""

    infoset: Identifier | None = Field(
        default=None,
        description="The information set: every decision node with this name is one set, "
        "whose player cannot tell its nodes apart. Omitted: a set of its own.",
    )
    payoffs: dict[Identifier, ExpressionText] | None = Field(
        default=None,
        description="Player -> payoff on reaching this node, added to every leaf below.",
    )
    actions: dict[Identifier, InformationNode] = Field(  # type: ignore[assignment]
        min_length=1, description="Action -> the node it leads to, in order."
    )


class InformationBranch(Branch):
    """One outcome of a chance move."""

    node: InformationNode


class InformationChanceNode(ChanceNode):
    """A move of nature: each branch has a probability (an expression) and leads to a node."""

    payoffs: dict[Identifier, ExpressionText] | None = Field(
        default=None,
        description="Player -> payoff on reaching this node, added to every leaf below.",
    )
    chance: dict[Identifier, InformationBranch] = Field(  # type: ignore[assignment]
        min_length=1, description="Branch -> its probability and node; probabilities sum to 1."
    )


#: Any node of a tree with information sets in a scenario file.
InformationNode = Annotated[
    Annotated[InformationDecisionNode, Tag("decision")]
    | Annotated[InformationChanceNode, Tag("chance")]
    | Annotated[LeafNode, Tag("leaf")],
    Discriminator(
        node_kind,
        custom_error_type="tree_node",
        custom_error_message="expected a node: a decision {player, actions, infoset}, a chance "
        "move {chance} or a leaf {outcome} or {payoffs}",
    ),
]

InformationDecisionNode.model_rebuild()
InformationBranch.model_rebuild()
InformationChanceNode.model_rebuild()


class InformationScenarioFile(ExtensiveScenarioFile):
    """A scenario file of a game tree with information sets, chance moves and outcomes."""

    form: Literal["information"] = Field(  # type: ignore[assignment]
        description="The game form: a game tree with information sets."
    )
    tree: InformationNode = Field(description="The root of the game tree.")


@dataclass(frozen=True, eq=False)
class CompiledInformationTree:
    """A checked scenario of a tree with information sets, ready to evaluate.

    Attributes
    ----------
    shape
        The tree compiled as the extensive form compiles it (its nodes, leaf payoffs and chance
        probabilities as expressions), without the information sets.
    skeleton
        The tree with information sets at the defaults.
    infosets
        Per node in prefix order: its information set's label (empty at chance and leaf nodes).
    node_payoffs
        The non-terminal nodes that pay on reaching them: node, and each player's payoff.
    """

    shape: CompiledTree
    skeleton: InformationTree
    infosets: tuple[str, ...]
    node_payoffs: tuple[tuple[int, tuple[Expression, ...]], ...]


class _InformationCompiler(TreeCompiler):
    """The extensive form's tree compiler, also collecting information sets and node payoffs."""

    def __init__(self, spec: InformationScenarioFile) -> None:
        super().__init__(spec)
        self.infosets: list[str] = []
        self.owners: dict[str, tuple[str, Path]] = {}
        self.node_payoffs: list[tuple[int, tuple[Expression, ...]]] = []

    def node(self, spec: DecisionNode | ChanceNode | LeafNode, path: Path) -> Node:
        index = len(self.paths)
        self.infosets.append("")
        given = getattr(spec, "payoffs", None)
        if isinstance(spec, InformationDecisionNode | InformationChanceNode) and given:
            self.node_payoffs.append((index, self._payoffs(given, (*path, "payoffs"))))
        if isinstance(spec, InformationDecisionNode) and spec.infoset is not None:
            where: Path = (*path, "infoset")
            owner = self.owners.setdefault(spec.infoset, (spec.player, path))
            if owner[0] != spec.player:
                raise SemanticError(
                    f"information set {spec.infoset!r} mixes players: {owner[0]} moves at "
                    f"{'.'.join(map(str, owner[1]))} and {spec.player} here; an information set "
                    "belongs to one player",
                    where,
                )
            self.infosets[index] = spec.infoset
        return super().node(spec, path)

    def _payoffs(self, given: Mapping[str, str], where: Path) -> tuple[Expression, ...]:
        players = self.spec.players
        for player in given:
            if player not in players:
                raise SemanticError(
                    f"unknown player {player!r}; expected one of {players}", (*where, player)
                )
        missing = [p for p in players if p not in given]
        if missing:
            raise SemanticError(f"no payoff given for {', '.join(missing)}", where)
        return tuple(
            checked_expression(given[p], self.parameters, (*where, p), "parameters")
            for p in players
        )


def compile_information(spec: InformationScenarioFile) -> CompiledInformationTree:
    """Check a scenario of a tree with information sets as a whole and compile it.

    Raises
    ------
    SemanticError
        Naming the field path of the first problem: those of
        :func:`~kurilsim.forms.extensive.scenario.compile_extensive`, an information set that
        mixes players or whose nodes offer different actions, or a tree without perfect recall.
    """
    compiler = _InformationCompiler(spec)
    shape = compile_extensive_tree(spec, compiler)
    tree = shape.skeleton
    labels = _infoset_labels(tree, compiler.infosets, shape.paths)
    skeleton = _checked(
        shape,
        labels,
        tree.payoffs,
        np.zeros((len(compiler.node_payoffs), tree.n_players)),
        tree.probabilities,
        compiler.node_payoffs,
    )
    return CompiledInformationTree(shape, skeleton, labels, tuple(compiler.node_payoffs))


def _infoset_labels(
    tree: ExtensiveFormGame, given: list[str], paths: tuple[Path, ...]
) -> tuple[str, ...]:
    """Each decision node's set: its given name, or its own set named after the node."""
    named = set(given)
    labels = []
    for v in range(tree.n_nodes):
        if tree.movers[v] < 0 or given[v]:
            labels.append(given[v])
            continue
        own = tree.node_name(v)
        if own in named:
            raise SemanticError(
                f"this node has no 'infoset' and its name {own!r} is that of an information set; "
                "give the node an 'infoset' name",
                paths[v],
            )
        labels.append(own)
    return tuple(labels)


def _checked(
    shape: CompiledTree,
    labels: tuple[str, ...],
    leaf_payoffs: FloatArray,
    node_payoffs: FloatArray,
    probabilities: FloatArray,
    paying: list[tuple[int, tuple[Expression, ...]]]
    | tuple[tuple[int, tuple[Expression, ...]], ...],
) -> InformationTree:
    """The tree at given numbers; a structural problem is reported at its node's field."""
    try:
        return build_tree(shape.skeleton, labels, leaf_payoffs, node_payoffs, probabilities, paying)
    except NodeError as exc:
        raise SemanticError(exc.reason, shape.paths[exc.node]) from None
    except InputError as exc:
        raise SemanticError(exc.reason, ("tree",)) from None


def build_tree(
    shape: ExtensiveFormGame,
    labels: tuple[str, ...],
    leaf_payoffs: FloatArray,
    node_payoffs: FloatArray,
    probabilities: FloatArray,
    paying: list[tuple[int, tuple[Expression, ...]]]
    | tuple[tuple[int, tuple[Expression, ...]], ...],
) -> InformationTree:
    """An :class:`InformationTree` of the shape's nodes, the sets' labels and the numbers given.

    ``leaf_payoffs`` is ``(n_leaves, N)``, ``node_payoffs`` one row per entry of ``paying``,
    ``probabilities`` per node as :attr:`ExtensiveFormGame.probabilities`.
    """
    outcome_at = {node: Outcome(row) for (node, _), row in zip(paying, node_payoffs, strict=True)}
    built: dict[int, TreeNode] = {}
    for v in reversed(range(shape.n_nodes)):
        children = [built.pop(c) for c in shape.children[v]]
        mover = int(shape.movers[v])
        label = shape.labels[v]
        if mover == TERMINAL:
            built[v] = TerminalNode(leaf_payoffs[int(shape.leaf_of[v])], label=label)
        elif mover == CHANCE:
            branches = {
                a: (float(probabilities[c]), child)
                for a, c, child in zip(shape.actions[v], shape.children[v], children, strict=True)
            }
            built[v] = ChanceMove(branches, outcome_at.get(v), label=label)
        else:
            actions = dict(zip(shape.actions[v], children, strict=True))
            built[v] = PlayerNode(
                shape.players[mover], labels[v], actions, outcome_at.get(v), label=label
            )
    return InformationTree(shape.players, built[0], shape.title)


def information_tree(
    compiled: CompiledInformationTree, values: Mapping[str, Any]
) -> InformationTree:
    """The tree at parameter ``values`` (numbers).

    Raises
    ------
    SemanticError
        Where a payoff is not finite or the chance probabilities at a node are negative, above 1
        or do not sum to 1, naming the parameter values and the field.
    """
    leaf_payoffs, probabilities = evaluate_tree(compiled.shape, values)
    node_payoffs = np.array(
        [[float(e.evaluate(values)) for e in row] for _, row in compiled.node_payoffs]
    ).reshape(len(compiled.node_payoffs), len(compiled.skeleton.players))
    if not np.all(np.isfinite(node_payoffs)):
        node = compiled.node_payoffs[int(np.argwhere(~np.isfinite(node_payoffs))[0][0])][0]
        raise SemanticError(
            "a payoff on reaching this node is not a finite number at these parameter values",
            (*compiled.shape.paths[node], "payoffs"),
        )
    return _checked(
        compiled.shape,
        compiled.infosets,
        leaf_payoffs[0],
        node_payoffs,
        probabilities[0],
        compiled.node_payoffs,
    )
