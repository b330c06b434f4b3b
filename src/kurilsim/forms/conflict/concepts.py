"""A conflict's concept panel: Nash, GMR, SMR and SEQ stability."""

from __future__ import annotations

from kurilsim.core.concepts import ConceptPanel, Prediction
from kurilsim.core.deals import NearestDeal, deals_where
from kurilsim.forms.conflict.blockers import conflict_blockers, option_columns, state_name
from kurilsim.forms.conflict.stability import CONCEPT_NAMES as STABILITY_NAMES
from kurilsim.forms.conflict.stability import StabilityTable


def conflict_panel(table: StabilityTable, deal: str | None, tol: float) -> ConceptPanel:
    """Each stability concept's equilibria, and who leaves the deal state nearest to SEQ."""
    conflict = table.conflict
    deals = None
    if deal is not None:
        deals = deals_where(option_columns(conflict), conflict.n_states, deal, "options")
    rows = []
    for concept in table.concepts:
        states = table.equilibria(concept)
        for s in states:
            share = None if deals is None else float(deals[s])
            rows.append(Prediction(STABILITY_NAMES[concept], state_name(conflict, s), share))
        if not states:
            rows.append(Prediction(STABILITY_NAMES[concept], "no equilibrium", counted=False))
    nearest = NearestDeal(-1, ()) if deals is None else conflict_blockers(table, deals, tol)
    name = state_name(conflict, nearest.outcome) if nearest.outcome >= 0 else ""
    return ConceptPanel(tuple(rows), deal, name, nearest.blockers)
