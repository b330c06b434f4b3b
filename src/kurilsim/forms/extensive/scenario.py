"""Scenario files of game trees (``form: extensive``): sequential moves and chance.

A tree scenario names its players, declares outcome variables (land transferred, a treaty
signed, a threat carried out...), and states the game as a nested tree: a decision node names the
player who moves and maps each action to the node it leads to; a chance node maps each branch to
its probability (an expression over the parameters) and node; a leaf either sets outcome
variables, from which the ``payoffs`` expressions give every player's payoff, or gives the payoffs
directly. The tree is compiled once; its leaf payoffs and chance probabilities are then evaluated
on numbers or on 1-D parameter arrays, so a batch of trees costs one pass of numpy work.

The file is validated by :class:`ExtensiveScenarioFile`, checked as a whole and compiled by
:func:`compile_extensive`, and loaded into a :class:`~kurilsim.core.scenario.Scenario` of the
extensive form.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... form: extensive
... title: Entry deterrence
... parameters:
...   fight_cost:
...     {default: 2, range: [0, 4], unit: profit, description: what fighting costs, assumption: x}
... players: [Entrant, Incumbent]
... tree:
...   player: Entrant
...   actions:
...     Out: {payoffs: {Entrant: 0, Incumbent: 2}}
...     In:
...       player: Incumbent
...       actions:
...         Fight: {payoffs: {Entrant: -1, Incumbent: 1 - fight_cost}}
...         Accommodate: {payoffs: {Entrant: 1, Incumbent: 1}}
... '''
>>> scenario = parse_scenario(text)
>>> from kurilsim.forms.extensive.form import solve_batch
>>> [scenario.solve().plan(scenario.solve()[0], p) for p in scenario.players]
['In', 'Accommodate']
>>> batch = solve_batch(scenario, {"fight_cost": [2.0, 0.0]})  # fighting free: entry deterred
>>> batch.leaf_probabilities.tolist()
[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
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
from kurilsim.core.parameters import resolve
from kurilsim.core.rules import (
    Path,
    SemanticError,
    check_variable_names,
    checked_expression,
    expression_payoffs,
)
from kurilsim.core.schema import (
    ExpressionText,
    FrozenModel,
    Identifier,
    ScenarioHeader,
    Text,
)
from kurilsim.forms.extensive.game import (
    PROBABILITY_SLACK,
    Chance,
    Decision,
    ExtensiveFormGame,
    Node,
    Terminal,
    probability_problem,
)

FloatArray = NDArray[np.float64]

#: Most nodes a scenario's tree may have.
MAX_TREE_NODES = 100_000


NodeLabel = Annotated[str, Field(min_length=1, max_length=200, description="A name for the node.")]


class LeafNode(FrozenModel):
    """The end of play: the outcome variables it sets, or every player's payoff (one of the two)."""

    label: NodeLabel | None = None
    outcome: dict[Identifier, ExpressionText] | None = Field(
        default=None,
        description="Outcome variable -> its value here (number or expression over parameters); "
        "variables not named take their default.",
    )
    payoffs: dict[Identifier, ExpressionText] | None = Field(
        default=None, description="Player -> payoff here (number or expression over parameters)."
    )


class DecisionNode(FrozenModel):
    """A player's move: each action leads to a node."""

    player: Identifier = Field(description="The player who moves.")
    label: NodeLabel | None = None
    actions: dict[Identifier, TreeNode] = Field(
        min_length=1, description="Action -> the node it leads to, in order."
    )


class Branch(FrozenModel):
    """One outcome of a chance move."""

    probability: ExpressionText = Field(
        description="Its probability: a number or an expression over parameters."
    )
    node: TreeNode


class ChanceNode(FrozenModel):
    """A move of nature: each branch has a probability and leads to a node."""

    label: NodeLabel | None = None
    chance: dict[Identifier, Branch] = Field(
        min_length=1, description="Branch -> its probability and node; probabilities sum to 1."
    )


def node_kind(value: Any) -> str | None:
    """Which kind of node a mapping is, from its keys, so errors speak of the right kind."""
    if isinstance(value, dict):
        if "player" in value or "actions" in value:
            return "decision"
        return "chance" if "chance" in value else "leaf"
    if isinstance(value, DecisionNode):
        return "decision"
    if isinstance(value, ChanceNode):
        return "chance"
    return "leaf" if isinstance(value, LeafNode) else None


#: Any node of a tree in a scenario file.
TreeNode = Annotated[
    Annotated[DecisionNode, Tag("decision")]
    | Annotated[ChanceNode, Tag("chance")]
    | Annotated[LeafNode, Tag("leaf")],
    Discriminator(
        node_kind,
        custom_error_type="tree_node",
        custom_error_message="expected a node: a decision {player, actions}, a chance move "
        "{chance} or a leaf {outcome} or {payoffs}",
    ),
]

DecisionNode.model_rebuild()
Branch.model_rebuild()
ChanceNode.model_rebuild()


class TreeOutcome(FrozenModel):
    """A named quantity that leaves set, such as islands transferred or a treaty signed."""

    description: Text
    unit: str | None = None
    default: ExpressionText = Field(
        default=0.0, description="Value at leaves that do not set it (expression over parameters)."
    )


class ExtensiveScenarioFile(ScenarioHeader):
    """A scenario file of a game tree with perfect information and chance moves."""

    form: Literal["extensive"] = Field(description="The game form: a game tree.")
    players: Annotated[list[Identifier], Field(min_length=1)] = Field(
        description="The players, in order."
    )
    outcomes: dict[Identifier, TreeOutcome] = Field(default_factory=dict)
    tree: TreeNode = Field(description="The root of the game tree.")
    payoffs: dict[Identifier, ExpressionText] | None = Field(
        default=None,
        description="Player -> payoff expression over parameters and outcome variables, used at "
        "every leaf that sets outcome variables.",
    )


@dataclass(frozen=True, eq=False)
class CompiledTree:
    """A checked tree scenario, ready to evaluate.

    Attributes
    ----------
    skeleton
        The tree, with zero payoffs and the chance probabilities at the defaults.
    paths
        Per node, in prefix order: where it is in the file.
    outcomes
        The outcome variables' names.
    leaf_values
        Per leaf: the value of each outcome variable (None at leaves that give payoffs).
    leaf_payoffs
        Per leaf: each player's payoff, where the leaf gives them (else None).
    payoffs
        Per player: the payoff expression over parameters and outcome variables, if given.
    probabilities
        Per chance branch: the node it leads to and its probability.
    """

    skeleton: ExtensiveFormGame
    paths: tuple[Path, ...]
    outcomes: tuple[str, ...]
    leaf_values: tuple[tuple[Expression, ...] | None, ...]
    leaf_payoffs: tuple[tuple[Expression, ...] | None, ...]
    payoffs: tuple[Expression, ...] | None
    probabilities: tuple[tuple[int, Expression], ...]


class TreeCompiler:
    """Walks the file's tree in prefix order, checking each node and collecting its parts."""

    def __init__(self, spec: ExtensiveScenarioFile) -> None:
        self.spec = spec
        self.parameters = set(spec.parameters)
        self.defaults = resolve(spec.parameters)
        self.outcome_defaults = {
            name: checked_expression(
                o.default, self.parameters, ("outcomes", name, "default"), "parameters"
            )
            for name, o in spec.outcomes.items()
        }
        self.paths: list[Path] = []
        self.leaf_values: list[tuple[Expression, ...] | None] = []
        self.leaf_payoffs: list[tuple[Expression, ...] | None] = []
        self.probabilities: list[tuple[int, Expression]] = []

    def node(self, spec: DecisionNode | ChanceNode | LeafNode, path: Path) -> Node:
        """Check the node at ``path`` and its subtree; return it as a node of the game."""
        if len(self.paths) >= MAX_TREE_NODES:
            raise SemanticError(f"the tree has more than {MAX_TREE_NODES:,} nodes", ("tree",))
        self.paths.append(path)
        label = spec.label or ""
        if isinstance(spec, DecisionNode):
            if spec.player not in self.spec.players:
                raise SemanticError(
                    f"unknown player {spec.player!r}; expected one of {self.spec.players}",
                    (*path, "player"),
                )
            children = {a: self.node(n, (*path, "actions", a)) for a, n in spec.actions.items()}
            return Decision(spec.player, children, label=label)
        if isinstance(spec, ChanceNode):
            return self._chance(spec, path, label)
        self._leaf(spec, path)
        return Terminal(np.zeros(len(self.spec.players)), label=label)

    def _chance(self, spec: ChanceNode, path: Path, label: str) -> Chance:
        branches = {}
        at_defaults = []
        for name, branch in spec.chance.items():
            where: Path = (*path, "chance", name, "probability")
            expression = checked_expression(
                branch.probability, self.parameters, where, "parameters"
            )
            self.probabilities.append((len(self.paths), expression))
            probability = float(expression.evaluate(self.defaults))
            at_defaults.append(probability)
            branches[name] = (probability, self.node(branch.node, (*path, "chance", name, "node")))
        problem = probability_problem(np.array(at_defaults))
        if problem:
            raise SemanticError(
                f"the branches have {problem} at the parameter defaults", (*path, "chance")
            )
        return Chance(branches, label=label)

    def _leaf(self, spec: LeafNode, path: Path) -> None:
        players = self.spec.players
        if (spec.outcome is None) == (spec.payoffs is None):
            both = spec.outcome is not None
            raise SemanticError(
                "a leaf gives exactly one of 'outcome' (outcome variables) or 'payoffs'"
                + (", not both" if both else ""),
                path,
            )
        if spec.payoffs is not None:
            where: Path = (*path, "payoffs")
            for player in spec.payoffs:
                if player not in players:
                    raise SemanticError(
                        f"unknown player {player!r}; expected one of {players}", (*where, player)
                    )
            missing = [p for p in players if p not in spec.payoffs]
            if missing:
                raise SemanticError(f"no payoff given for {', '.join(missing)}", where)
            self.leaf_payoffs.append(
                tuple(
                    checked_expression(spec.payoffs[p], self.parameters, (*where, p), "parameters")
                    for p in players
                )
            )
            self.leaf_values.append(None)
            return
        assert spec.outcome is not None  # the model guarantees one of the two
        if self.spec.payoffs is None:
            raise SemanticError(
                "this leaf sets outcome variables, so the file needs 'payoffs' expressions over "
                "them (or give the leaf's 'payoffs' directly)",
                (*path, "outcome"),
            )
        values = dict(self.outcome_defaults)
        for name, text in spec.outcome.items():
            where = (*path, "outcome", name)
            if name not in values:
                raise SemanticError(
                    f"unknown outcome variable {name!r}; declared: {', '.join(values) or 'none'}",
                    where,
                )
            values[name] = checked_expression(text, self.parameters, where, "parameters")
        self.leaf_values.append(tuple(values.values()))
        self.leaf_payoffs.append(None)


def compile_extensive(spec: ExtensiveScenarioFile) -> CompiledTree:
    """Check a tree scenario as a whole and compile it.

    Raises
    ------
    SemanticError
        Naming the field path of the first problem found: an unknown player, outcome or name in
        an expression, chance probabilities that are negative or do not sum to 1 at the
        defaults, a leaf without the payoffs it needs, or a history naming no action of a player.
    """
    return compile_extensive_tree(spec, TreeCompiler(spec))


def compile_extensive_tree(spec: ExtensiveScenarioFile, compiler: TreeCompiler) -> CompiledTree:
    """Compile a tree scenario with the given compiler (a form's own, for its kinds of node)."""
    players = spec.players
    repeated = sorted({p for p in players if players.count(p) > 1})
    if repeated:
        raise SemanticError(
            f"player names must be unique; repeated: {', '.join(repeated)}", ("players",)
        )
    check_variable_names(spec.parameters, spec.outcomes)
    root = compiler.node(spec.tree, ("tree",))
    payoffs = None
    if spec.payoffs is not None:
        known = set(spec.parameters) | set(spec.outcomes)
        payoffs = tuple(p.default for p in expression_payoffs(spec.payoffs, players, known))
    try:
        skeleton = ExtensiveFormGame(players, root, title=spec.title)
    except InputError as exc:
        raise SemanticError(exc.reason, ("tree",)) from None
    if spec.history is not None:
        _check_history(spec, skeleton)
    return CompiledTree(
        skeleton=skeleton,
        paths=tuple(compiler.paths),
        outcomes=tuple(spec.outcomes),
        leaf_values=tuple(compiler.leaf_values),
        leaf_payoffs=tuple(compiler.leaf_payoffs),
        payoffs=payoffs,
        probabilities=tuple(compiler.probabilities),
    )


def _check_history(spec: ExtensiveScenarioFile, tree: ExtensiveFormGame) -> None:
    """The recorded actions must be actions of the player somewhere in the tree."""
    assert spec.history is not None
    for player, match in spec.history.outcome.items():
        path: Path = ("history", "outcome", player)
        if player not in spec.players:
            raise SemanticError(f"unknown player {player!r}; expected one of {spec.players}", path)
        actions = {a for v in tree.decision_nodes(player) for a in tree.actions[v]}
        for name in [match] if isinstance(match, str) else match:
            if name not in actions:
                raise SemanticError(
                    f"{player} has no action {name!r} in the tree; expected one of "
                    f"{sorted(actions)}",
                    path,
                )


def evaluate_tree(
    compiled: CompiledTree, values: Mapping[str, Any]
) -> tuple[FloatArray, FloatArray]:
    """Leaf payoffs and chance probabilities at parameter ``values`` (numbers or 1-D arrays).

    Returns
    -------
    payoffs : numpy.ndarray
        Shape ``(G, n_leaves, N)``, with ``G = 1`` when every value is a number.
    probabilities : numpy.ndarray
        Shape ``(G, n_nodes)``, as :attr:`ExtensiveFormGame.probabilities`.

    Raises
    ------
    SemanticError
        Where a payoff is not finite, or the probabilities at a chance node are negative or do not
        sum to 1, naming the parameter values.
    """
    sizes = {np.size(v) for v in values.values() if np.ndim(v) == 1}
    size = sizes.pop() if sizes else 1
    # Parameters as rows (1, G), outcome variables as (n_leaves, G): one contiguous row per leaf.
    env: dict[str, Any] = {
        k: np.reshape(v, (1, -1)) if np.ndim(v) == 1 else v for k, v in values.items()
    }
    skeleton = compiled.skeleton
    n_leaves, n_players = len(skeleton.leaves), skeleton.n_players

    def row(expression: Expression) -> FloatArray:
        value: FloatArray = np.broadcast_to(expression.evaluate(env), (1, size))[0]
        return value

    by_leaf = [(k, v) for k, v in enumerate(compiled.leaf_values) if v is not None]
    for j, name in enumerate(compiled.outcomes):
        rows = np.zeros((n_leaves, size))
        for k, leaf_values in by_leaf:
            rows[k] = row(leaf_values[j])
        env[name] = rows
    payoffs = np.zeros((n_players, n_leaves, size))
    if compiled.payoffs is not None and by_leaf:
        for i, expression in enumerate(compiled.payoffs):
            payoffs[i] = expression.evaluate(env)
    for k, given in enumerate(compiled.leaf_payoffs):
        for i, expression in enumerate(given or ()):
            payoffs[i, k] = row(expression)
    by_point = payoffs.transpose(2, 1, 0)
    _check_payoffs(compiled, by_point, values)
    probabilities = np.ones((skeleton.n_nodes, size))
    for node, expression in compiled.probabilities:
        probabilities[node] = row(expression)
    by_point_probabilities = probabilities.T
    _check_probabilities(compiled, by_point_probabilities, values)
    return by_point, by_point_probabilities


def _shown(values: Mapping[str, Any], point: int) -> str:
    """The parameter values at one point of a batch, for messages."""
    at = {k: float(np.asarray(v)[point] if np.ndim(v) == 1 else v) for k, v in values.items()}
    return ", ".join(f"{k}={v:g}" for k, v in at.items()) or "no parameters"


def _check_payoffs(compiled: CompiledTree, payoffs: FloatArray, values: Mapping[str, Any]) -> None:
    bad = np.argwhere(~np.isfinite(payoffs))
    if bad.size == 0:
        return
    point, leaf, player = (int(i) for i in bad[0])
    skeleton = compiled.skeleton
    name = skeleton.players[player]
    node = skeleton.leaves[leaf]
    given = compiled.leaf_payoffs[leaf] is not None
    path: Path = (*compiled.paths[node], "payoffs", name) if given else ("payoffs", name)
    raise SemanticError(
        f"the payoff of {name} at leaf {skeleton.node_name(node)!r} is "
        f"{payoffs[point, leaf, player]} (not a finite number) with {_shown(values, point)}; "
        "check the expression for division by zero, log of a non-positive number or overflow",
        path,
    )


def _check_probabilities(
    compiled: CompiledTree, probabilities: FloatArray, values: Mapping[str, Any]
) -> None:
    skeleton = compiled.skeleton
    for v in skeleton.chance_nodes():
        children = list(skeleton.children[v])
        at = probabilities[:, children]
        totals = at.sum(axis=1)
        bad = (
            ~np.isfinite(at).all(axis=1)
            | (at < 0).any(axis=1)
            | (np.abs(totals - 1) > PROBABILITY_SLACK)
        )
        if bad.any():
            point = int(np.flatnonzero(bad)[0])
            raise SemanticError(
                f"the branches have {probability_problem(at[point])} with {_shown(values, point)}",
                (*compiled.paths[v], "chance"),
            )
