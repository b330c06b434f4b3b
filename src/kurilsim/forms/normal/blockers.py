"""What blocks a deal: the players who would walk away from it, and the payoff terms that make them.

A *deal* is any outcome a condition marks, such as ``"islands > 0"`` (land changes hands). When no
equilibrium is a deal, the question an analyst asks is why not. For a game in normal form the
answer is read off the deal profile nearest to being an equilibrium: the players with a profitable
unilateral deviation from it, each with its best deviation, its gain and, where the player's payoff
is a sum of terms, the terms that account for the gain. For a game tree it is read off the path to
the deal leaf nearest to subgame-perfect play: the decision nodes on that path where the mover,
looking ahead, prefers another move.

Examples
--------
>>> from kurilsim import parse_scenario
>>> scenario = parse_scenario('''
... kurilsim: 1
... title: Deal or not
... parameters:
...   cost: {default: 2, range: [0, 3], unit: utils, description: ratification cost,
...          assumption: example}
... players: {R: [keep, cede], J: [wait, accept]}
... outcomes:
...   deal: {description: land changes hands, rules: [{when: {R: cede, J: accept}, value: 1}]}
... payoffs: {R: "1.5 * deal - cost * deal", J: "deal"}
... ''')
>>> nearest = normal_form_blockers(scenario, scenario.defaults(), "deal > 0")
>>> nearest.outcome  # the profile (cede, accept), flat index 3
3
>>> (blocker,) = nearest.blockers
>>> blocker.player, blocker.deviation, round(blocker.gain, 3)
('R', 'keep', 0.5)
>>> [(term, round(value, 3)) for term, value in blocker.terms]  # what leaving saves R
[('- cost * deal', 2.0)]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deals import (
    Blocker,
    NearestDeal,
    additive_terms,
    deal_condition,
    deal_mask,
)
from kurilsim.core.expr import parse_expression
from kurilsim.core.scenario import Scenario
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.payoffs import outcome_values
from kurilsim.forms.normal.regret import player_scales

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def normal_form_deals(scenario: Scenario, values: Mapping[str, Any], deal: str) -> BoolArray:
    """True on the strategy profiles where ``deal`` holds, shape ``(n_1, ..., n_N)``.

    Raises
    ------
    InputError
        If the condition names anything other than the scenario's outcome variables.
    """
    names = [outcome.name for outcome in scenario.compiled.outcomes]
    condition = deal_condition(deal, names, "outcome variables")
    env = outcome_values(scenario.compiled, values)
    shape = tuple(len(s) for s in scenario.strategies)
    return deal_mask(condition, env, shape)


def normal_form_blockers(
    scenario: Scenario,
    values: Mapping[str, Any],
    deal: str,
    tol: float = DEFAULT_TOL,
    max_terms: int = 3,
) -> NearestDeal:
    """The players who would leave the deal profile nearest to being an equilibrium.

    The nearest deal profile is the one the fewest players would leave, then the one whose
    deviations gain least (each gain in proportion to the player's payoff range).

    Parameters
    ----------
    scenario
        A normal-form scenario.
    values
        Every parameter's value (see :meth:`Scenario.parameter_values`).
    deal
        The deal condition over the scenario's outcome variables.
    tol
        Relative tolerance: a gain within ``tol`` times the player's payoff range is no gain.
    max_terms
        How many of the largest contributing payoff terms to keep per blocker.

    Returns
    -------
    NearestDeal
        Its blockers are empty when some deal profile is an equilibrium.
    """
    mask = normal_form_deals(scenario, values, deal)
    if not mask.any():
        return NearestDeal(-1, ())
    payoffs = scenario.payoffs(values)
    n = payoffs.shape[-1]
    scales = player_scales(payoffs)
    # gains[..., i]: player i's best unilateral gain at each profile.
    gains = np.stack(
        [payoffs[..., i].max(axis=i, keepdims=True) - payoffs[..., i] for i in range(n)], axis=-1
    )
    relative = np.where(gains > tol * scales, gains / scales, 0.0)
    leaving = (relative > 0).sum(axis=-1)
    # Order the deal profiles by (players leaving, total relative gain); take the first.
    candidates = np.flatnonzero(mask.reshape(-1))
    flat_leaving = leaving.reshape(-1)[candidates]
    flat_total = relative.sum(axis=-1).reshape(-1)[candidates]
    best = int(candidates[np.lexsort((flat_total, flat_leaving))[0]])
    cell = np.unravel_index(best, mask.shape)
    blockers = tuple(
        _normal_blocker(scenario, values, payoffs, mask, cell, int(i), max_terms)
        for i in np.flatnonzero(relative[cell] > 0)
    )
    return NearestDeal(best, blockers)


def _normal_blocker(
    scenario: Scenario,
    values: Mapping[str, Any],
    payoffs: FloatArray,
    mask: BoolArray,
    cell: tuple[Any, ...],
    i: int,
    max_terms: int,
) -> Blocker:
    names = scenario.strategies[i]
    row = payoffs[(*cell[:i], slice(None), *cell[i + 1 :], i)]
    to = int(np.argmax(row))
    moved = (*cell[:i], to, *cell[i + 1 :])
    terms = payoff_terms(scenario, values, i, cell, moved)
    ranked = sorted(terms, key=lambda item: -item[1])[:max_terms]
    return Blocker(
        player=scenario.players[i],
        move=names[int(cell[i])],
        deviation=names[to],
        gain=float(row[to] - row[int(cell[i])]),
        leaves_deal=not bool(mask[moved]),
        terms=tuple((term, value) for term, value in ranked if value > 0),
    )


def payoff_terms(
    scenario: Scenario,
    values: Mapping[str, Any],
    player: int,
    profile: tuple[Any, ...],
    moved: tuple[Any, ...],
) -> list[tuple[str, float]]:
    """How each additive term of a player's payoff changes from ``profile`` to ``moved``.

    Returns an empty list where the payoff is set by rules or a table at either profile, or is
    not a sum of terms, so that no attribution is ever made up.
    """
    ruled = scenario.compiled.payoffs[player]
    if any(rule.mask[profile] or rule.mask[moved] for rule in ruled.rules):
        return []
    parts = additive_terms(ruled.default.source)
    if len(parts) < 2:
        return []
    env = outcome_values(scenario.compiled, values)
    shape = tuple(len(s) for s in scenario.strategies)
    changes: list[tuple[str, float]] = []
    for sign, text in parts:
        value = sign * np.broadcast_to(parse_expression(text).evaluate(env), shape)
        shown = text if sign > 0 and not changes else f"{'+' if sign > 0 else '-'} {text}"
        changes.append((shown, float(value[moved] - value[profile])))
    return changes
