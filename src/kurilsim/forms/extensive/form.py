"""Game trees as a game form: players move in turn, chance between.

A file with ``form: extensive`` gives the players, a tree of decision, chance and leaf nodes, and
what each leaf pays (directly, or through outcome variables and payoff expressions). Its game is an
:class:`~kurilsim.forms.extensive.game.ExtensiveFormGame`, solved for every subgame-perfect
equilibrium by backward induction (:func:`~kurilsim.forms.extensive.solve.solve_tree`), beside
the Nash equilibria of its reduced normal form.

Examples
--------
>>> from kurilsim import load_scenario
>>> scenario = load_scenario("scenarios/sequence_1956.yaml")
>>> tree = scenario.game()
>>> [tree.node_name(v) for v in tree.decision_nodes("US")]
['offer_two', 'offer_two > threaten > accept_two']
>>> # USSR, US, Japan where Tokyo settles under the warning and Washington keeps Okinawa
>>> scenario.payoffs({"carry_out_cost": [0.2, 0.4]})[:, 2].round(2).tolist()
[[0.7, -1.0, -1.5], [0.7, -1.2, -1.5]]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.arguments import check_method_options
from kurilsim.core.concepts import ConceptPanel
from kurilsim.core.errors import InputError
from kurilsim.core.parameters import resolve
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.extensive.backward_induction import (
    LISTING_OPTIONS,
    SubgamePerfectBatch,
    backward_induction_batch,
    listing_bounds,
    subgame_perfect_equilibria,
)
from kurilsim.forms.extensive.concepts import tree_panel
from kurilsim.forms.extensive.game import ExtensiveFormGame
from kurilsim.forms.extensive.record import recorded_leaves
from kurilsim.forms.extensive.result import TreeSolution
from kurilsim.forms.extensive.scenario import (
    CompiledTree,
    ExtensiveScenarioFile,
    compile_extensive,
    evaluate_tree,
)
from kurilsim.forms.extensive.solve import BACKWARD_INDUCTION, TREE_METHODS, solve_tree
from kurilsim.forms.extensive.sweep import (
    path_text,
    plan_names,
    tree_bytes_per_point,
    tree_rows,
)
from kurilsim.forms.normal.game import NormalFormGame

FloatArray = NDArray[np.float64]


class ExtensiveForm:
    """Game trees of perfect information with chance moves; see the module docstring."""

    name = "extensive"
    description = "game tree"
    file_model = ExtensiveScenarioFile
    game_types = (ExtensiveFormGame,)
    methods = ("auto", *TREE_METHODS)
    vectorised = frozenset({BACKWARD_INDUCTION})
    compare_options: frozenset[str] = frozenset({"precision", "max_seconds"})

    def compile(self, spec: ExtensiveScenarioFile, source: str) -> CompiledTree:
        """Compile the tree; a file whose payoffs fail at its defaults is refused."""
        compiled = compile_extensive(spec)
        evaluate_tree(compiled, resolve(spec.parameters))
        return compiled

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The players, in order."""
        players: tuple[str, ...] = scenario.compiled.skeleton.players
        return players

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """Each player's plans: the strategies of the tree's reduced normal form."""
        return plan_names(scenario)

    def game(
        self, scenario: Scenario, values: Mapping[str, Any], **options: Any
    ) -> ExtensiveFormGame:
        """The game tree at ``values``."""
        payoffs, probabilities = evaluate_tree(scenario.compiled, values)
        skeleton: ExtensiveFormGame = scenario.compiled.skeleton
        return skeleton.with_payoffs(payoffs[0], probabilities[0])

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> FloatArray:
        """The payoffs at every leaf (prefix order), ``(n_leaves, N)`` or ``(G, n_leaves, N)``."""
        payoffs, _ = evaluate_tree(scenario.compiled, values)
        batched = any(np.ndim(v) == 1 for v in values.values())
        return payoffs if batched else payoffs[0]

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> NormalFormGame:
        """The tree's reduced normal form at ``values``; a too large one is refused."""
        return self.game(scenario, values).to_normal_form()

    def solve(
        self,
        game: ExtensiveFormGame,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        **options: Any,
    ) -> TreeSolution:
        """Subgame-perfect equilibria beside the normal form's Nash equilibria."""
        return solve_tree(game, method, tol, parameters=parameters, **options)

    def solve_scenario(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        **options: Any,
    ) -> TreeSolution:
        """Solve the tree at ``values``; see :func:`kurilsim.solve_tree`."""
        return solve_tree(self.game(scenario, values), method, tol, parameters=values, **options)

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """Subgame perfection, the normal form's Nash equilibria and its logit QRE."""
        solution = self.solve_scenario(scenario, values, "auto", tol)
        return tree_panel(scenario, solution, values, deal, precision, tol, max_seconds)

    def backtest_predictions(
        self, scenario: Scenario, values: Mapping[str, Any]
    ) -> tuple[tuple[str, bool], ...]:
        """Each subgame-perfect path of play, and whether it reaches the recorded leaves.

        The recorded leaves are those whose path agrees with the ``history`` block
        (:func:`~kurilsim.forms.extensive.record.recorded_leaves`). Only the subgame-perfect
        listing is made (no normal form): a backtest calls this at every draw of the box.
        """
        history = scenario.spec.history
        assert history is not None
        game = self.game(scenario, values)
        recorded = recorded_leaves(game, history.outcome)
        found, _ = subgame_perfect_equilibria(game, DEFAULT_TOL)
        reached = [game.leaf_probabilities(choices) for choices in found]
        return tuple((path_text(game, leaves), bool(leaves @ recorded > 0)) for leaves in reached)

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """The payoff expressions used at leaves that set outcome variables, and those variables."""
        spec: ExtensiveScenarioFile = scenario.spec
        payoffs = {player: str(expression) for player, expression in (spec.payoffs or {}).items()}
        outcomes = {name: " ".join(o.description.split()) for name, o in spec.outcomes.items()}
        return {"payoffs": payoffs, "outcomes": outcomes}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """The players and the tree's size."""
        tree: ExtensiveFormGame = scenario.compiled.skeleton
        players = ", ".join(self.players(scenario))
        summary = f"{players}, {tree.n_nodes} nodes, {len(scenario.parameters)} parameters"
        return summary, f"game tree of {players}: {tree.summary()}", ""

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """Backward induction, the one method a tree sweep runs, with its listing's options."""
        check_tolerance(tol)
        if method not in (None, "auto", BACKWARD_INDUCTION):
            raise InputError(
                f"a sweep of a game tree finds its subgame-perfect equilibria "
                f"({BACKWARD_INDUCTION}); got method {method!r}. For the Nash equilibria of "
                "one point's normal form, use kurilsim run --method"
            )
        check_method_options(BACKWARD_INDUCTION, options, LISTING_OPTIONS)
        return BACKWARD_INDUCTION

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """See :func:`kurilsim.forms.extensive.sweep.tree_bytes_per_point`."""
        return tree_bytes_per_point(scenario)

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """Every subgame-perfect equilibrium at every point, by backward induction on arrays.

        The options bound the listing at a tied point as they bound ``kurilsim run``'s.
        """
        bounds, _ = listing_bounds(options, max_seconds_too=True)
        return SweepRows(*tree_rows(scenario, values, tol, bounds))


def solve_batch(
    scenario: Scenario, overrides: Mapping[str, ArrayLike] | None = None, tol: float = DEFAULT_TOL
) -> SubgamePerfectBatch:
    """Backward induction at every point of a batch of parameter values, in one pass.

    Parameters
    ----------
    scenario
        A tree scenario (``form: extensive``).
    overrides
        Parameter name -> a number or a 1-D array; arrays must have one length ``G``.
    tol
        Relative tolerance for ties.

    Returns
    -------
    SubgamePerfectBatch
        One row per point (a single row when no array is given); see
        :func:`~kurilsim.forms.extensive.backward_induction.backward_induction_batch`.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim import load_scenario
    >>> scenario = load_scenario("scenarios/sequence_1956.yaml")
    >>> batch = solve_batch(scenario, {"carry_out_cost": np.linspace(0, 0.6, 7)})
    >>> tree = scenario.compiled.skeleton
    >>> [tree.node_name(tree.leaves[k]) for k in batch.leaf_probabilities.argmax(axis=1)]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['offer_two > threaten > demand_four', 'offer_two > threaten > demand_four',
     'offer_two > threaten > demand_four', 'offer_two > threaten > demand_four',
     'offer_two > tolerate > accept_two', 'offer_two > tolerate > accept_two',
     'offer_two > tolerate > accept_two']
    >>> batch.unique.tolist()  # at 0.3 the US is indifferent between keeping and returning
    [True, True, True, False, True, True, True]
    """
    values = scenario.parameter_values(overrides)
    payoffs, probabilities = evaluate_tree(scenario.compiled, values)
    return backward_induction_batch(scenario.compiled.skeleton, payoffs, probabilities, tol)


#: Game trees, as the registry holds them.
EXTENSIVE_FORM = ExtensiveForm()
