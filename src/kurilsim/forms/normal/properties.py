"""Properties of strategy profiles, and which equilibria of a scenario have them.

Backtests and testable statements ask questions such as "is any pure equilibrium a transfer of
islands?" A *property* marks strategy profiles: either a partial strategy profile
(``{"Russia": ["two_islands"]}``) or a condition, an expression over the scenario's outcome
variables and parameters (``"islands > 0"``). :func:`equilibria_with` answers for a whole batch of
parameter points at once, with the vectorised pure-Nash solver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deals import deal_mask
from kurilsim.core.errors import InputError
from kurilsim.core.expr import ExpressionError, parse_expression
from kurilsim.core.rules import SemanticError, match_mask
from kurilsim.core.scenario import Scenario
from kurilsim.forms.normal.payoffs import outcome_values
from kurilsim.forms.normal.pure_nash import pure_nash_mask

BoolArray = NDArray[np.bool_]


def property_mask(
    scenario: Scenario,
    values: Mapping[str, Any],
    condition: str | None = None,
    outcome: Mapping[str, str | list[str]] | None = None,
) -> BoolArray:
    """Mark the profiles that have a property, at parameter ``values`` (numbers or 1-D arrays).

    Parameters
    ----------
    scenario
        A normal-form scenario.
    values
        Parameter values, as returned by :meth:`Scenario.parameter_values`.
    condition
        An expression over outcome variables and parameters; non-zero marks the profile.
    outcome
        A partial strategy profile: player -> strategy or list of strategies.

    Returns
    -------
    numpy.ndarray of bool
        Shape ``(G or 1, n_1, ..., n_N)`` for batched values, ``(n_1, ..., n_N)`` otherwise.

    Raises
    ------
    InputError
        If neither or both of ``condition`` and ``outcome`` are given, either names something
        the scenario does not have, or the condition is infinite or NaN at some profile.
    """
    if (condition is None) == (outcome is None):
        raise InputError("give exactly one of 'condition' or 'outcome'")
    profile_shape = tuple(len(s) for s in scenario.strategies)
    if outcome is not None:
        try:
            return match_mask(outcome, scenario.players, scenario.strategies, ("outcome",))
        except SemanticError as exc:
            raise InputError(exc.reason, field="outcome") from None
    assert condition is not None
    try:
        expression = parse_expression(condition)
    except ExpressionError as exc:
        raise InputError(exc.reason, field="condition") from None
    env = outcome_values(scenario.compiled, values)
    unknown = sorted(expression.names.difference(env))
    if unknown:
        raise InputError(
            f"unknown names {', '.join(unknown)} in {condition!r}; the scenario has "
            f"{', '.join(sorted(env))}",
            field="condition",
        )
    batch = int(any(np.ndim(v) == 1 for v in values.values()))
    return deal_mask(expression, env, (1,) * batch + profile_shape, field="condition")


def pure_equilibria(scenario: Scenario, values: Mapping[str, Any]) -> BoolArray:
    """Mark the pure Nash equilibria at ``values``: shape ``(G, n_1, ..., n_N)`` for a batch."""
    return pure_nash_mask(scenario.payoffs(values))


def equilibria_with(
    scenario: Scenario, values: Mapping[str, Any], mask: BoolArray
) -> tuple[BoolArray, BoolArray]:
    """Pure equilibria at ``values``, and which of them have the property ``mask``.

    Returns
    -------
    equilibria, with_property
        Boolean arrays over ``(G, n_1, ..., n_N)`` (no leading axis for a single point):
        the pure Nash equilibria, and those of them where ``mask`` holds.
    """
    equilibria = pure_equilibria(scenario, values)
    return equilibria, equilibria & mask


def profile_labels(scenario: Scenario, equilibria: BoolArray) -> list[str]:
    """Name each marked profile of one game, e.g. ``"Russia=keep_all, Japan=demand_four"``."""
    return [
        ", ".join(
            f"{player}={names[s]}"
            for player, names, s in zip(scenario.players, scenario.strategies, cell, strict=True)
        )
        for cell in np.argwhere(equilibria)
    ]
