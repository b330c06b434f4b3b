"""The concept panel of a game of incomplete information: each equilibrium's chance of a deal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.concepts import ConceptPanel, Prediction, probability
from kurilsim.core.deals import deals_where, default_deal
from kurilsim.core.result import incomplete_text
from kurilsim.forms.bayesian.assessment import history_probabilities
from kurilsim.forms.bayesian.bayesian_nash import expected_values
from kurilsim.forms.bayesian.blockers import information_problem
from kurilsim.forms.bayesian.game import BayesianGame, SignallingGame
from kurilsim.forms.bayesian.result import BayesianSolution, SignallingSolution

FloatArray = NDArray[np.float64]

#: The concept names in the panel.
PBE = "perfect Bayesian"
INTUITIVE = "intuitive criterion"
BAYESIAN_NASH = "Bayesian Nash"


def deal_text(outcomes: tuple[str, ...], deal: str | None) -> str | None:
    """The deal condition: the one given, ``islands > 0``, or ``deal > 0`` where defined."""
    return deal or default_deal(list(outcomes)) or ("deal > 0" if "deal" in outcomes else None)


def deal_array(game: SignallingGame | BayesianGame, deal: str) -> FloatArray:
    """1 where the end of play is a deal, shaped like the game's outcome values (less the last)."""
    values = game.outcome_values
    columns = {name: values[..., k].reshape(-1) for k, name in enumerate(game.outcomes)}
    size = int(np.prod(values.shape[:-1]))
    where = deals_where(columns, size, deal, "outcomes")
    return where.reshape(values.shape[:-1]).astype(float)


def chance_of_deal(
    solution: SignallingSolution | BayesianSolution, equilibrium: Any, deals: FloatArray
) -> float:
    """The probability that play in ``equilibrium`` ends in a deal.

    ``deals`` is 1 where the end of play is a deal (:func:`deal_array`).
    """
    game = solution.game
    if isinstance(game, SignallingGame):
        a = equilibrium.assessment
        taken = np.take_along_axis(deals, a.actions[..., None], axis=3)[..., 0]
        return probability(float((history_probabilities(game, a) * taken).sum()))
    return probability(float(expected_values(game, equilibrium.behaviour, deals[..., None])[0]))


def recorded_probability(
    solution: SignallingSolution | BayesianSolution,
    equilibrium: Any,
    recorded: Mapping[str, str | list[str]],
) -> float:
    """The probability of the recorded play: every named player's move among those recorded."""
    game = solution.game
    wanted = {p: {m} if isinstance(m, str) else set(m) for p, m in recorded.items()}
    if isinstance(game, SignallingGame):
        axes = [game.messages, game.responses, game.actions]
        owners = [game.sender, game.receiver, game.sender]
        shape = (len(game.types), *(len(a) for a in axes))
        where = np.ones(shape)
        for k, (names, owner) in enumerate(zip(axes, owners, strict=True)):
            if owner in wanted and any(n in wanted[owner] for n in names):
                keep = np.array([n in wanted[owner] for n in names], dtype=float)
                view = [1] * len(shape)
                view[k + 1] = len(names)
                where = where * keep.reshape(view)
        return chance_of_deal(solution, equilibrium, where)
    where = np.ones(game.outcome_values.shape[:-1])
    n = game.n_players
    for i, (player, names) in enumerate(zip(game.players, game.actions, strict=True)):
        if player in wanted:
            keep = np.array([a in wanted[player] for a in names], dtype=float)
            view = [1] * where.ndim
            view[n + i] = len(names)
            where = where * keep.reshape(view)
    return chance_of_deal(solution, equilibrium, where)


def signalling_panel(solution: SignallingSolution, deal: str | None) -> ConceptPanel:
    """Every perfect Bayesian equilibrium, those passing the intuitive criterion; why no deal."""
    game = solution.game
    deal = deal_text(game.outcomes, deal)
    deals = None if deal is None else deal_array(game, deal)
    rows = []
    chances = []
    for e in solution:
        chance = None if deals is None else chance_of_deal(solution, e, deals)
        chances.append(chance)
        outcomes = ", ".join(
            f"P({k}) {v:.3g}" for k, v in solution.outcome_probabilities(e).items()
        )
        profile = solution.equilibrium_dict(e)
        rows.append(Prediction(PBE, solution.label(e), chance, outcomes, profiles=(profile,)))
        if e.intuitive:
            rows.append(
                Prediction(INTUITIVE, solution.label(e), chance, outcomes, profiles=(profile,))
            )
    if not solution.complete:
        note = incomplete_text(solution.incomplete_reason)
        rows.append(Prediction(PBE, "(incomplete)", None, note, counted=False))
    reason = ""
    if deals is not None and solution.equilibria:
        # Explain the equilibrium that passes the criterion and comes nearest to a deal.
        order = sorted(
            range(len(solution.equilibria)),
            key=lambda k: (not solution[k].intuitive, -(chances[k] or 0.0)),
        )
        best = order[0]
        if (chances[best] or 0.0) < 1:
            e = solution[best]
            taken = np.take_along_axis(deals, e.assessment.actions[..., None], axis=3)[..., 0]
            problem = information_problem(game, e, taken)
            if problem:
                reason = (
                    f"talks fail with probability {1 - (chances[best] or 0.0):.3g} in "
                    f"'{solution.label(e)}': {problem}"
                )
    return ConceptPanel(tuple(rows), deal, reason=reason)


def bayesian_panel(solution: BayesianSolution, deal: str | None) -> ConceptPanel:
    """Every Bayesian Nash equilibrium with its chance of a deal."""
    game = solution.game
    deal = deal_text(game.outcomes, deal)
    deals = None if deal is None else deal_array(game, deal)
    rows = []
    for e in solution:
        chance = None if deals is None else chance_of_deal(solution, e, deals)
        outcomes = ", ".join(
            f"P({k}) {v:.3g}" for k, v in solution.outcome_probabilities(e).items()
        )
        rows.append(
            Prediction(
                BAYESIAN_NASH,
                solution.label(e),
                chance,
                outcomes,
                profiles=(solution.equilibrium_dict(e)["behaviour"],),
            )
        )
    if not solution.complete:
        note = incomplete_text(solution.incomplete_reason)
        rows.append(Prediction(BAYESIAN_NASH, "(incomplete)", None, note, counted=False))
    return ConceptPanel(tuple(rows), deal)


def panel(
    solution: SignallingSolution | BayesianSolution, values: Mapping[str, Any], deal: str | None
) -> ConceptPanel:
    """The panel for either kind."""
    if isinstance(solution, SignallingSolution):
        return signalling_panel(solution, deal)
    return bayesian_panel(solution, deal)
