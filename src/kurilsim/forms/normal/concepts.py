"""The normal form's concept panel: pure and mixed Nash, the logit QRE and its limit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.concepts import (
    DEFAULT_PRECISION,
    ConceptPanel,
    Prediction,
    probability,
)
from kurilsim.core.deals import NearestDeal, default_deal
from kurilsim.core.errors import IterationLimitError
from kurilsim.core.result import incomplete_text
from kurilsim.core.scenario import Scenario
from kurilsim.forms.normal.blockers import normal_form_blockers, normal_form_deals
from kurilsim.forms.normal.components import equilibrium_components
from kurilsim.forms.normal.labels import OutcomeLabels, outcome_labels
from kurilsim.forms.normal.logit_qre import logit_qre
from kurilsim.forms.normal.result import Solution
from kurilsim.forms.normal.solve import solve

FloatArray = NDArray[np.float64]


def normal_form_panel(
    scenario: Scenario,
    values: Mapping[str, Any],
    deal: str | None,
    precision: float | None,
    tol: float,
    max_seconds: float | None,
) -> ConceptPanel:
    """Pure and mixed Nash, the logit QRE at ``precision`` and the logit limit."""
    game = scenario.game(values)
    labels = outcome_labels(scenario)
    deal = deal or default_deal([o.name for o in scenario.compiled.outcomes])
    deals = None if deal is None else normal_form_deals(scenario, values, deal).astype(float)
    bound: dict[str, Any] = {"max_seconds": max_seconds} if game.n_players > 2 else {}
    solution = solve(game, "auto", tol, **bound)
    rows = nash_rows(solution, labels, deals)
    if not solution.complete:
        note = incomplete_text(solution.incomplete_reason)
        rows.append(Prediction("Nash", "listing incomplete", note=note, counted=False))
    elif not any(r.concept != "Nash (pure)" for r in rows):
        rows.append(Prediction("Nash (mixed)", "none beyond the pure ones", counted=False))
    lam = precision if precision is not None else DEFAULT_PRECISION
    concept = f"logit QRE (lambda {lam:.3g})"
    try:
        qre = logit_qre(game.payoffs, lam, max_seconds=max_seconds)
        modal = tuple(np.eye(len(p))[int(np.argmax(p))] for p in qre)
        likely = float(np.prod([p.max() for p in qre]))
        note = f"its most likely play, p = {likely:.2f}"
        rows.append(Prediction(concept, profile_label(labels, modal), _mass(deals, qre), note))
        (limit,) = solve(game, "logit", tol, max_seconds=max_seconds)
        note = "the equilibrium the logit branch selects"
        label = _component_label(solution, labels, limit.profile)
        profile = (solution.profile_dict(limit),)
        rows.append(
            Prediction("logit limit", label, _mass(deals, limit.profile), note, profiles=profile)
        )
    except IterationLimitError as exc:
        rows.append(Prediction("logit", "not computed", note=str(exc), counted=False))
    nearest = (
        NearestDeal(-1, ()) if deal is None else normal_form_blockers(scenario, values, deal, tol)
    )
    name = labels.pure(nearest.outcome) if nearest.outcome >= 0 else ""
    return ConceptPanel(tuple(rows), deal, name, nearest.blockers)


def nash_rows(
    solution: Solution, labels: OutcomeLabels, deals: FloatArray | None
) -> list[Prediction]:
    """One row per component of the equilibria: an isolated equilibrium, or a continuum.

    A continuum (a segment or face of equilibria) is one prediction, named by the strategies its
    extreme points use, with the pure profiles among them in the note and the largest deal
    probability over them (payoffs and deal probabilities are multilinear, so the extremes bound
    them on a segment or face; on a curve the traced sample points are included too);
    ``compare`` so counts components, not the points a method happens to list.
    """
    rows = []
    for component in solution.components:
        members = [solution[k] for k in component.members]
        profiles = tuple(solution.profile_dict(eq) for eq in members)
        if component.dimension == 0:
            (eq,) = members
            label = profile_label(labels, eq.profile)
            rows.append(
                Prediction(f"Nash ({eq.kind})", label, _mass(deals, eq.profile), profiles=profiles)
            )
            continue
        label = labels.union([eq.profile for eq in members])
        pure = [profile_label(labels, eq.profile) for eq in members if eq.kind == "pure"]
        note = f"a {component.shape} of equilibria with {len(members)} extreme points"
        if pure:
            note += f", among them the pure {'; '.join(pure)}"
        points = [eq.profile for eq in members]
        # Along a curve the deal probability need not peak at an end: its samples count too.
        points += [p for curve in component.curves for p in curve.samples]
        masses = [m for m in (_mass(deals, p) for p in points) if m is not None]
        deal = max(masses) if masses else None
        rows.append(Prediction("Nash (continuum)", label, deal, note, profiles=profiles))
    return rows


def _component_label(
    solution: Solution, labels: OutcomeLabels, profile: Sequence[FloatArray]
) -> str:
    """A profile's label, or its component's when it lies on a continuum of the solution."""
    for component in solution.components:
        if component.dimension == 0:
            continue
        members = [solution[k].profile for k in component.members]
        joined = equilibrium_components([*members, tuple(profile)])
        if len(joined) == 1:
            return labels.union(members)
    return profile_label(labels, profile)


def profile_label(labels: OutcomeLabels, profile: Sequence[FloatArray]) -> str:
    """A pure profile's outcome label, or the supports the players mix over."""
    support = [tuple(int(i) for i in np.flatnonzero(p > 1e-12)) for p in profile]
    if all(len(s) == 1 for s in support):
        flat = int(np.ravel_multi_index([s[0] for s in support], labels.shape))
        return labels.pure(flat)
    return labels.support(support)


def _mass(deals: FloatArray | None, profile: Sequence[FloatArray]) -> float | None:
    """The probability of a deal when each player mixes independently by ``profile``."""
    if deals is None:
        return None
    mass: Any = deals
    for p in reversed(profile):
        mass = mass @ p
    return probability(float(mass))
