"""A bargaining scenario's concept panel: the three solutions with and without ratification."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kurilsim.core.concepts import ConceptPanel, Prediction, probability
from kurilsim.core.deals import deals_where, default_deal
from kurilsim.forms.bargaining.game import DISAGREEMENT
from kurilsim.forms.bargaining.result import BargainingSolution, Outcome

#: Names of the bargaining concepts in tables.
BARGAINING_NAMES = {
    "nash": "Nash bargaining",
    "kalai-smorodinsky": "Kalai-Smorodinsky",
    "rubinstein": "Rubinstein",
}


def bargaining_panel(solution: BargainingSolution, deal: str | None) -> ConceptPanel:
    """Nash, Kalai-Smorodinsky and Rubinstein under ratification, and without it (not counted)."""
    problem = solution.problem
    columns = {name: np.asarray(v, dtype=float) for name, v in problem.variables.items()}
    deal = deal or default_deal(list(columns))
    deals: dict[str, bool] | None = None
    if deal is not None:
        mask = deals_where(columns, problem.n_deals, deal, "deal variables")
        deals = dict(zip(problem.deals, mask.tolist(), strict=True))

    def share(lottery: Mapping[str, float]) -> float | None:
        if deals is None:
            return None
        return probability(sum(p for name, p in lottery.items() if deals.get(name, False)))

    rows = []
    for c in solution:
        note = c.outcome.describe() + ("; ratification binds" if c.binds else "")
        name = BARGAINING_NAMES[c.concept]
        lottery = (dict(c.outcome.lottery),)
        rows.append(
            Prediction(name, deal_kind(c.outcome), share(c.outcome.lottery), note, profiles=lottery)
        )
    for c in solution:
        rows.append(
            Prediction(
                f"{BARGAINING_NAMES[c.concept]}, no ratification",
                deal_kind(c.unconstrained),
                share(c.unconstrained.lottery),
                c.unconstrained.describe() + "; the deal if no one had to ratify it",
                counted=False,
                profiles=(dict(c.unconstrained.lottery),),
            )
        )
    reason = _bargaining_reason(solution, deals)
    return ConceptPanel(tuple(rows), deal, reason=reason)


def deal_kind(outcome: Outcome) -> str:
    """The deals of an outcome without their continuous terms.

    ``two_islands[package=1.7]`` is a ``two_islands`` deal: concepts that agree on the deal but
    not on its price count as agreeing.
    """
    kinds = dict.fromkeys(name.split("[", 1)[0] for name in outcome.lottery)
    return "no agreement" if set(kinds) == {DISAGREEMENT} else " or ".join(kinds)


def _bargaining_reason(solution: BargainingSolution, deals: Mapping[str, bool] | None) -> str:
    """Why no deal is agreed: an empty range, ratification, or a range without such deals."""
    if solution.zopa_empty:
        return (
            "the bargaining range is empty: no deal leaves both sides better off than the "
            "status quo"
        )
    problem = solution.problem
    for c in solution:
        wanted = [n for n in c.unconstrained.lottery if deals is None or deals.get(n, False)]
        if c.binds and wanted:
            rejecting = [r for r in problem.ratifiers if not set(wanted) <= set(problem.win_set(r))]
            who = f" ({', '.join(rejecting)} would reject it)" if rejecting else ""
            return (
                f"ratification blocks a deal; without it {BARGAINING_NAMES[c.concept]} would "
                f"predict {c.unconstrained.describe()}{who}"
            )
    return "both sides prefer other deals in the zone of possible agreement"
