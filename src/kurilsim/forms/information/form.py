"""Game trees with information sets as a game form (``form: information``).

A file gives the players, a tree whose decision nodes may share information sets, chance moves
with probabilities over the parameters, and what leaves (and nodes on the way) pay. Its game is an
:class:`~kurilsim.forms.information.game.InformationTree`, solved in behaviour strategies by the
methods of :mod:`~kurilsim.forms.information.solve`; ``.efg`` files with information sets load
into it too.

Examples
--------
>>> from kurilsim.forms.information.catalogue import kuhn_poker
>>> from kurilsim import solve
>>> solution = solve(kuhn_poker(), method="sequence-lemke")
>>> round(float(solution[0].payoffs[0]), 6)
-0.055556
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import check_method_options
from kurilsim.core.concepts import ConceptPanel, Prediction, probability
from kurilsim.core.deals import deals_where, default_deal
from kurilsim.core.errors import InputError
from kurilsim.core.parameters import resolve
from kurilsim.core.result import incomplete_text
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import SweepRows, rows_by_point
from kurilsim.core.tolerance import check_tolerance
from kurilsim.forms.extensive.blockers import leaf_outcomes
from kurilsim.forms.extensive.game import MAX_PROFILES
from kurilsim.forms.extensive.scenario import evaluate_tree
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.reduced_normal_form import (
    reduced_normal_form,
    reduced_plans,
    strategy_count,
)
from kurilsim.forms.information.result import BehaviourProfile, BehaviourSolution
from kurilsim.forms.information.scenario import (
    CompiledInformationTree,
    InformationScenarioFile,
    compile_information,
    information_tree,
)
from kurilsim.forms.information.sequence_form import sequence_form
from kurilsim.forms.information.solve import INFORMATION_METHODS, solve_information
from kurilsim.forms.normal.game import NormalFormGame

FloatArray = NDArray[np.float64]


class InformationForm:
    """Game trees with information sets; see the module docstring."""

    name = "information"
    description = "game tree with information sets"
    file_model = InformationScenarioFile
    game_types = (InformationTree,)
    methods = ("auto", *INFORMATION_METHODS)
    vectorised: frozenset[str] = frozenset()
    compare_options: frozenset[str] = frozenset({"precision", "max_seconds"})

    def compile(self, spec: InformationScenarioFile, source: str) -> CompiledInformationTree:
        """Compile the tree; one whose payoffs or probabilities fail at its defaults is refused."""
        compiled = compile_information(spec)
        information_tree(compiled, resolve(spec.parameters))
        return compiled

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The players, in order."""
        players: tuple[str, ...] = scenario.compiled.skeleton.players
        return players

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """Each player's reduced pure strategies (actions at its sets, ``*`` where ruled out).

        Raises
        ------
        InputError
            If a player has more than :data:`~kurilsim.forms.extensive.game.MAX_PROFILES`.
        """
        tree: InformationTree = scenario.compiled.skeleton
        form = sequence_form(tree)
        names = []
        for i, player in enumerate(tree.players):
            count = strategy_count(form, i)
            if count > MAX_PROFILES:
                raise InputError(f"{player} has {count:,} reduced strategies, too many to list")
            names.append(reduced_plans(form, i)[1])
        return tuple(names)

    def game(
        self, scenario: Scenario, values: Mapping[str, Any], **options: Any
    ) -> InformationTree:
        """The tree at ``values``."""
        return information_tree(scenario.compiled, values)

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> FloatArray:
        """Leaf payoffs (prefix order), ``(n_leaves, N)`` or ``(G, n_leaves, N)`` over a batch.

        Payoffs on reaching non-terminal nodes are added to the leaves below them.
        """
        compiled: CompiledInformationTree = scenario.compiled
        payoffs, _ = evaluate_tree(compiled.shape, values)
        shape = compiled.shape.skeleton
        for node, expressions in compiled.node_payoffs:
            end = int(shape.subtree_ends[node])
            below = [k for k, leaf in enumerate(shape.leaves) if node <= leaf < end]
            for i, expression in enumerate(expressions):
                value = np.broadcast_to(expression.evaluate(values), (payoffs.shape[0],))
                payoffs[:, below, i] += value[:, None]
        batched = any(np.ndim(v) == 1 for v in values.values())
        return payoffs if batched else payoffs[0]

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> NormalFormGame:
        """The reduced normal form at ``values``; a too large one is refused."""
        return reduced_normal_form(self.game(scenario, values))[0]

    def solve(
        self,
        game: InformationTree,
        method: str,
        tol: float,
        parameters: Mapping[str, Any],
        **options: Any,
    ) -> BehaviourSolution:
        """See :func:`~kurilsim.forms.information.solve.solve_information`."""
        return solve_information(game, method, tol, parameters=parameters, **options)

    def solve_scenario(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        **options: Any,
    ) -> BehaviourSolution:
        """Solve the tree at ``values``."""
        return solve_information(
            self.game(scenario, values), method, tol, parameters=values, **options
        )

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """Nash equilibria in behaviour strategies, subgame perfection and the agent logit QRE.

        Each row gives the probability that play ends in a deal (where the scenario's outcome
        variables define one).
        """
        compiled: CompiledInformationTree = scenario.compiled
        tree = self.game(scenario, values)
        columns = leaf_outcomes(compiled.shape, values)
        deal = deal or default_deal(list(columns))
        deals = (
            None
            if deal is None
            else deals_where(columns, len(tree.leaves), deal, "outcome variables")
        )
        options = {} if max_seconds is None else {"max_seconds": max_seconds}
        rows: list[Prediction] = []
        runs: list[tuple[str, dict[str, Any]]] = [("auto", options), ("subgame-perfect", options)]
        if precision is not None:
            runs.append(("logit", {"precision": precision}))
        for method, method_options in runs:
            solution = solve_information(tree, method, tol, parameters=values, **method_options)
            for profile in solution:
                rows.append(_prediction(solution, profile, deals))
            if not solution.complete:
                rows.append(
                    Prediction(
                        solution.method,
                        "(incomplete)",
                        note=incomplete_text(solution.incomplete_reason),
                        counted=False,
                    )
                )
        return ConceptPanel(tuple(rows), deal)

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """The payoff expressions, outcome variables, and the information sets.

        Each information set of two or more nodes is an entry of ``information_sets``: the nodes
        its player moves at without telling them apart.
        """
        spec: InformationScenarioFile = scenario.spec
        tree: InformationTree = scenario.compiled.skeleton
        payoffs = {player: str(expression) for player, expression in (spec.payoffs or {}).items()}
        outcomes = {name: " ".join(o.description.split()) for name, o in spec.outcomes.items()}
        sets = {
            tree.infoset_name(h): "; ".join(tree.node_name(v) for v in entry.nodes)
            for h, entry in enumerate(tree.infosets)
            if len(entry.nodes) > 1
        }
        return {"payoffs": payoffs, "outcomes": outcomes, "information_sets": sets}

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """The players and the tree's size."""
        tree: InformationTree = scenario.compiled.skeleton
        players = ", ".join(tree.players)
        summary = f"{players}, {tree.n_nodes} nodes, {len(tree.infosets)} information sets"
        return summary, f"game tree with information sets of {players}: {tree.summary()}", ""

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """Any of the form's methods; ``auto`` picks one for the tree at its defaults."""
        check_tolerance(tol)
        name = method or "auto"
        if name not in self.methods:
            raise InputError(f"unknown method {name!r}; expected one of {', '.join(self.methods)}")
        if name != "auto":
            check_method_options(name, options, INFORMATION_METHODS[name].options)
        return name

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """A generous estimate: the tree's arrays and the sequence form's tables."""
        tree: InformationTree = scenario.compiled.skeleton
        return 1_000_000 + 2_000 * tree.n_nodes

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """Solve the tree at each point; one row per profile, with payoffs and the play's leaves."""
        players = self.players(scenario)

        def solve_point(at: dict[str, Any]) -> BehaviourSolution:
            return self.solve_scenario(scenario, at, method, tol, **options)

        def rows_of(solution: BehaviourSolution) -> list[dict[str, Any]]:
            return [
                {
                    "label": _play_text(solution, profile),
                    "concept": profile.concept,
                    **{
                        f"payoff.{p}": float(v)
                        for p, v in zip(players, profile.payoffs, strict=True)
                    },
                    "max_regret": profile.max_regret,
                }
                for profile in solution
            ]

        return rows_by_point(values, solve_point, rows_of)


def _play_text(solution: BehaviourSolution, profile: BehaviourProfile) -> str:
    """The leaves play reaches, the likeliest first, with their probabilities below 1."""
    leaves = sorted(solution.outcome_probabilities(profile).items(), key=lambda item: -item[1])
    return "; ".join(name if p >= 1 - 1e-12 else f"{name} [{p:.3g}]" for name, p in leaves)


def _prediction(
    solution: BehaviourSolution, profile: BehaviourProfile, deals: NDArray[np.bool_] | None
) -> Prediction:
    share = None if deals is None else probability(float(profile.leaf_probabilities @ deals))
    concept = profile.concept
    if profile.precision is not None:
        concept += f" (precision {profile.precision:.4g})"
    return Prediction(
        concept,
        _play_text(solution, profile),
        share,
        note=f"max regret {profile.max_regret:.3g}",
        counted=profile.concept != "logit QRE",
        profiles=(solution.behaviour_dict(profile),),
    )


#: Trees with information sets, as the registry holds them.
INFORMATION_FORM = InformationForm()
