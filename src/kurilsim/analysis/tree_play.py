"""Where play ends in trees and games with private information, over a batch of parameter points.

Scenarios of the forms ``extensive`` (game trees), ``information`` (trees with information sets)
and ``bayesian`` (signalling games, as trees by the Harsanyi transformation:
:func:`~kurilsim.forms.bayesian.harsanyi.to_information_tree`) all end play at the leaves of a
tree. This module gives, at each point of a batch:

- which leaves are deals (:func:`leaf_deals`), under a condition on the outcome variables;
- which leaves are the recorded history (:func:`recorded_leaves`);
- the probability of each leaf under the agent logit QRE in relative payoff units
  (:func:`agent_qre_leaves`; :mod:`~kurilsim.forms.information.logit_batch`);
- the probability of a deal in each equilibrium the form's default method finds
  (:func:`equilibrium_deals`): subgame-perfect play read off the vectorised tree sweep, or the
  form's own solutions point by point (information sets, signalling).

A simultaneous Bayesian game (``kind: simultaneous``) has no tree here: it is refused, in one line.

Examples
--------
>>> import kurilsim
>>> sequence = kurilsim.load_scenario("scenarios/sequence_1956.yaml")
>>> recorded_leaves(sequence).astype(int).tolist()  # offer_two > threaten > demand_four
[0, 0, 0, 0, 1, 0]
>>> values = sequence.parameter_values({"carry_out_cost": np.array([0.0, 0.6])})
>>> game, deal, reasons = equilibrium_deals(sequence, values, "islands > 0", 1e-9)
>>> game.tolist(), deal.tolist()  # the threat deters, then it does not
([0, 1], [0.0, 1.0])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deals import deals_where, default_deal
from kurilsim.core.errors import InputError
from kurilsim.core.rules import SemanticError
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import point_reasons
from kurilsim.forms.bayesian.concepts import chance_of_deal, deal_array, deal_text
from kurilsim.forms.bayesian.game import SignallingGame
from kurilsim.forms.bayesian.harsanyi import to_information_tree
from kurilsim.forms.extensive import record
from kurilsim.forms.extensive.blockers import leaf_outcomes
from kurilsim.forms.extensive.scenario import evaluate_tree
from kurilsim.forms.extensive.sweep import leaf_reach
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.logit_batch import agent_logit_leaves
from kurilsim.forms.information.scenario import information_tree

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
ObjectArray = NDArray[np.object_]
IntArray = NDArray[np.int64]

#: The forms whose play ends at the leaves of a tree.
TREE_FORMS = ("extensive", "information", "bayesian")


def is_tree_form(scenario: Scenario) -> bool:
    """Whether the scenario's form is one of :data:`TREE_FORMS`."""
    return scenario.form.name in TREE_FORMS


def _batch_size(values: Mapping[str, Any]) -> int:
    return max((len(v) for v in values.values() if np.ndim(v) == 1), default=1)


def _points(values: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Each point of a batch, as numbers."""
    for g in range(_batch_size(values)):
        yield {k: (float(v[g]) if np.ndim(v) == 1 else v) for k, v in values.items()}


def _signalling(scenario: Scenario, values: Mapping[str, Any]) -> SignallingGame:
    game = scenario.form.game(scenario, values)
    if not isinstance(game, SignallingGame):
        raise InputError(
            "a simultaneous Bayesian game is not played as a tree here: its deals and record "
            "have no probabilities of play; a signalling game has",
            file=scenario.source,
        )
    return game


def _point_tree(scenario: Scenario, at: Mapping[str, Any]) -> InformationTree:
    """The scenario's tree at one point (numbers)."""
    name = scenario.form.name
    if name == "extensive":
        return InformationTree.from_extensive(scenario.form.game(scenario, at))
    if name == "information":
        try:
            return information_tree(scenario.compiled, at)
        except SemanticError as exc:
            raise InputError(exc.reason, file=scenario.source, field=exc.field) from None
    if name == "bayesian":
        return to_information_tree(_signalling(scenario, at))
    raise InputError(
        f"the {scenario.form.description} (form: {name}) does not end play at the leaves of a "
        f"tree; forms that do: {', '.join(TREE_FORMS)}",
        file=scenario.source,
    )


def tree_shape(scenario: Scenario) -> InformationTree:
    """The scenario's tree at its defaults: the shape every point of a batch shares."""
    return _point_tree(scenario, scenario.parameter_values())


def tree_numbers(scenario: Scenario, values: Mapping[str, Any]) -> tuple[FloatArray, FloatArray]:
    """Leaf payoffs ``(G, n_leaves, N)`` and chance probabilities ``(G, n_nodes)`` of a batch.

    ``values`` holds every parameter (numbers or 1-D arrays of one length ``G``).
    """
    if scenario.form.name == "extensive":  # the only form whose trees evaluate on arrays
        try:
            payoffs, chance = evaluate_tree(scenario.compiled, values)
        except SemanticError as exc:
            raise InputError(exc.reason, file=scenario.source, field=exc.field) from None
        size = _batch_size(values)
        return (
            np.broadcast_to(payoffs, (size, *payoffs.shape[1:])),
            np.broadcast_to(chance, (size, chance.shape[1])),
        )
    trees = [_point_tree(scenario, at) for at in _points(values)]
    return np.stack([t.payoffs for t in trees]), np.stack([t.probabilities for t in trees])


def _outcome_names(scenario: Scenario) -> list[str]:
    """The scenario's outcome variables."""
    compiled = scenario.compiled
    if scenario.form.name == "information":
        compiled = compiled.shape
    return list(compiled.outcomes)


def status_quo_leaves(scenario: Scenario) -> BoolArray:
    """The leaves at which no land moves at the defaults (every leaf without ``islands``).

    Examples
    --------
    >>> import kurilsim
    >>> status_quo_leaves(kurilsim.load_scenario("scenarios/sequence_1956.yaml")).astype(int)
    array([0, 1, 0, 0, 1, 1])
    """
    size = len(tree_shape(scenario).leaves)
    if "islands" not in _outcome_names(scenario):
        return np.ones(size, dtype=bool)
    quo: BoolArray = leaf_deals(scenario, scenario.parameter_values(), "islands == 0")[0]
    return quo


def check_deal(scenario: Scenario, condition: str) -> str:
    """The deal condition (the form's default if empty), checked at the scenario's defaults.

    Raises
    ------
    InputError
        If the scenario has no default deal and none is given, or the condition names
        something that is not an outcome variable.
    """
    if scenario.form.name == "bayesian":
        chosen = deal_text(scenario.compiled.outcomes, condition or None)
    else:
        chosen = condition or default_deal(_outcome_names(scenario))
    if not chosen:
        raise InputError(
            "the scenario has no 'islands' variable; give the deal, e.g. 'deal-share:treaty > 0'",
            file=scenario.source,
        )
    leaf_deals(scenario, scenario.parameter_values(), chosen)
    return chosen


def leaf_deals(scenario: Scenario, values: Mapping[str, Any], condition: str) -> BoolArray:
    """True at the leaves where ``condition`` holds, at each point: shape ``(G, n_leaves)``."""
    rows = []
    for at in _points(values):
        if scenario.form.name == "bayesian":
            rows.append(deal_array(_signalling(scenario, at), condition).reshape(-1) > 0)
            continue
        shape = scenario.compiled if scenario.form.name == "extensive" else scenario.compiled.shape
        columns = leaf_outcomes(shape, at)
        size = len(shape.skeleton.leaves)
        rows.append(deals_where(columns, size, condition, "outcome variables"))
    return np.stack(rows)


def recorded_leaves(scenario: Scenario) -> BoolArray:
    """The leaves consistent with the scenario's ``history`` block.

    As :func:`kurilsim.forms.extensive.record.recorded_leaves` reads it: for every player the
    history names, the path has at least one of the recorded moves, and makes one at every node
    where that player could.

    Raises
    ------
    InputError
        If the scenario records no history.
    """
    history = scenario.spec.history
    if history is None:
        raise InputError("the scenario records no history to test against", file=scenario.source)
    return record.recorded_leaves(tree_shape(scenario), history.outcome)


def agent_qre_leaves(
    scenario: Scenario, values: Mapping[str, Any], precision: FloatArray
) -> FloatArray:
    """The probability of each leaf under the agent logit QRE (relative units), per point.

    Parameters
    ----------
    scenario
        A scenario of one of :data:`TREE_FORMS`.
    values
        Every parameter: numbers or 1-D arrays of one length ``G``.
    precision
        Shape ``(G,)``: each point's precision, in units of each player's payoff range.

    Returns
    -------
    numpy.ndarray
        Shape ``(G, n_leaves)``; ``nan`` in a row whose QRE branch could not be followed.
    """
    payoffs, chance = tree_numbers(scenario, values)
    size = max(len(payoffs), len(precision))
    payoffs = np.broadcast_to(payoffs, (size, *payoffs.shape[1:]))
    chance = np.broadcast_to(chance, (size, chance.shape[1]))
    return agent_logit_leaves(tree_shape(scenario), payoffs, chance, np.asarray(precision))


def equilibrium_deals(
    scenario: Scenario,
    values: Mapping[str, Any],
    condition: str,
    tol: float,
    options: Mapping[str, Any] | None = None,
) -> tuple[IntArray, FloatArray, ObjectArray]:
    """The probability of a deal in each equilibrium the form's default method finds.

    Game trees: every subgame-perfect equilibrium in pure strategies, from the sweep rows of the
    whole batch (:func:`~kurilsim.forms.extensive.sweep.tree_rows`); trees with information sets
    and signalling games: each point's solution by the form's ``auto`` method. ``options`` go to
    the method as a sweep's do: for a game tree, the bounds of the listing at a tied point.

    Returns
    -------
    game, deal, reasons
        Per equilibrium: its point in the batch and the probability that its play ends in a
        deal; per point of the batch, why the method is incomplete there (None where it is
        complete; see :attr:`kurilsim.core.result.Result.incomplete_reason`), an array of
        objects, given also at a point where it found no equilibrium.
    """
    form, options = scenario.form, dict(options or {})
    if form.name == "extensive":
        return _subgame_perfect_deals(scenario, values, condition, tol, options)
    game: list[int] = []
    deal: list[float] = []
    reasons: list[str | None] = []
    for g, at in enumerate(_points(values)):
        solution: Any = form.solve_scenario(scenario, at, "auto", tol, **options)
        if form.name == "bayesian":
            deals = deal_array(solution.game, condition)
            found = [chance_of_deal(solution, e, deals) for e in solution]
        else:
            mask = leaf_deals(scenario, at, condition)[0]
            found = [float(profile.leaf_probabilities @ mask) for profile in solution]
        game += [g] * len(found)
        deal += found
        reasons.append(solution.incomplete_reason)
    return np.asarray(game, dtype=np.int64), np.asarray(deal), _objects(reasons)


def _subgame_perfect_deals(
    scenario: Scenario,
    values: Mapping[str, Any],
    condition: str,
    tol: float,
    options: Mapping[str, Any],
) -> tuple[IntArray, FloatArray, ObjectArray]:
    """Subgame-perfect play's chance of a deal, from the rows of one vectorised tree sweep."""
    method = scenario.form.sweep_method(scenario, None, tol, options)
    rows = scenario.form.sweep_rows(scenario, values, method, tol, options)
    tree = scenario.compiled.skeleton
    game = np.asarray(rows.game, dtype=np.int64)
    plans = np.stack(
        [
            np.stack(
                [np.asarray(rows.columns[f"prob.{p}.{s}"], dtype=float) for s in names], axis=1
            ).argmax(axis=1)
            for p, names in zip(scenario.players, scenario.strategies, strict=True)
        ],
        axis=1,
    )
    distinct, inverse = np.unique(plans, axis=0, return_inverse=True)
    choices = tree.profile_choices(distinct)[inverse.reshape(-1)]
    _, chance = tree_numbers(scenario, values)
    reach = leaf_reach(tree, chance[game], choices)
    deals = leaf_deals(scenario, values, condition)
    deal = (reach * deals[np.minimum(game, len(deals) - 1)]).sum(axis=1)
    reasons = rows.columns["incomplete_reason"].to_pylist()
    return game, deal, point_reasons(game, reasons, _batch_size(values))


def _objects(reasons: list[str | None]) -> ObjectArray:
    """The reasons as a numpy array of objects (``np.asarray`` of all None makes one too)."""
    out = np.empty(len(reasons), dtype=object)
    out[:] = reasons
    return out
