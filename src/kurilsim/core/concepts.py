"""What a solution concept predicts for a scenario, in the terms every form shares.

Each game form's ``compare`` returns a :class:`ConceptPanel`: one :class:`Prediction` per concept
and predicted outcome, the deal nearest to equilibrium play and who would leave it.
:func:`kurilsim.compare` counts the agreement and writes the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kurilsim.core.deals import Blocker

#: Default logit precision, relative to each player's payoff range: a payoff difference of a tenth
#: of a player's own payoff range multiplies the odds of the better strategy by e.
DEFAULT_PRECISION = 10.0


@dataclass(frozen=True)
class Prediction:
    """One outcome one concept predicts.

    Attributes
    ----------
    concept
        The solution concept, e.g. ``"Nash (pure)"`` or ``"subgame-perfect"``.
    outcome
        The outcome's label.
    deal
        The probability that the predicted play is a deal (1 or 0 for a sure outcome), or None
        when no deal condition applies.
    note
        What else to know: a probability, a non-credible threat, a counterfactual.
    counted
        False for rows shown for contrast (a solution without ratification) and for a concept
        with nothing to predict; they do not enter the agreement count.
    profiles
        The predicted play as data, one entry per equilibrium behind the row: player ->
        strategy -> probability (normal form), player -> node -> action (a tree's
        subgame-perfect plan), or deal -> probability (a bargaining lottery); empty where the
        outcome is only a label.
    """

    concept: str
    outcome: str
    deal: float | None = None
    note: str = ""
    counted: bool = True
    profiles: tuple[Mapping[str, Any], ...] = ()


def probability(p: float) -> float:
    """``p`` with rounding noise (below 1e-12 off 0 or 1) removed."""
    return float(np.clip(np.round(p, 12), 0.0, 1.0))


@dataclass(frozen=True)
class ConceptPanel:
    """What one form's concepts predict for a scenario at one point.

    Attributes
    ----------
    predictions
        One row per concept and predicted outcome, in the order to show them.
    deal
        The deal condition used, or None where none applies.
    nearest
        The name of the deal nearest to equilibrium play, or empty.
    blockers
        Who would leave the nearest deal, and why.
    reason
        Why no deal is struck, where the form can say it directly (an empty bargaining range,
        ratification); empty otherwise, and the verdict is read off the blockers.
    """

    predictions: tuple[Prediction, ...]
    deal: str | None
    nearest: str = ""
    blockers: tuple[Blocker, ...] = ()
    reason: str = ""
