"""A game tree's concept panel: subgame perfection, the normal form's Nash equilibria, the QRE."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.concepts import (
    DEFAULT_PRECISION,
    ConceptPanel,
    Prediction,
    probability,
)
from kurilsim.core.deals import NearestDeal, deals_where, default_deal
from kurilsim.core.errors import IterationLimitError
from kurilsim.core.result import incomplete_text
from kurilsim.core.scenario import Scenario
from kurilsim.forms.extensive.blockers import tree_blockers, tree_outcomes
from kurilsim.forms.extensive.game import ExtensiveFormGame
from kurilsim.forms.extensive.result import TreeSolution
from kurilsim.forms.normal.logit_qre import logit_qre

FloatArray = NDArray[np.float64]


#: Largest reduced normal form of a tree whose logit QRE is computed.
MAX_TREE_PROFILES = 20_000


def tree_panel(
    scenario: Scenario,
    solution: TreeSolution,
    values: Mapping[str, Any],
    deal: str | None,
    precision: float | None,
    tol: float,
    max_seconds: float | None,
) -> ConceptPanel:
    """Subgame perfection, the Nash equilibria of the reduced normal form and the logit QRE."""
    game = solution.game
    columns = tree_outcomes(scenario, values)
    deal = deal or default_deal(list(columns))
    deals = None
    if deal is not None:
        deals = deals_where(columns, len(game.leaves), deal, "outcome variables")

    def share(leaf_probabilities: FloatArray) -> float | None:
        return None if deals is None else probability(float(leaf_probabilities @ deals))

    rows = [
        Prediction("subgame-perfect", solution.path_text(eq.leaf_probabilities),
                   share(eq.leaf_probabilities), profiles=(solution.plans(eq),))
        for eq in solution
    ]  # fmt: skip
    if solution.listing_reason is not None:
        note = incomplete_text(solution.listing_reason)
        rows.append(Prediction("subgame-perfect", "listing incomplete", note=note, counted=False))
    rows += _tree_nash(solution, share)
    rows.append(_tree_logit(solution.path_text, game, precision, share, max_seconds))
    nearest = NearestDeal(-1, ())
    if deals is not None:
        nearest = tree_blockers(game, solution[0].choices, deals, tol)
    name = game.node_name(game.leaves[nearest.outcome]) if nearest.outcome >= 0 else ""
    return ConceptPanel(tuple(rows), deal, name, nearest.blockers)


def _tree_nash(
    solution: TreeSolution, share: Callable[[FloatArray], float | None]
) -> list[Prediction]:
    """The normal form's Nash equilibria by the path of play, one row per path."""
    if solution.nash is None:
        return [Prediction("Nash (normal form)", "not computed", note=solution.note, counted=False)]
    paths: dict[str, FloatArray] = {}
    credible: dict[str, list[bool | None]] = {}
    profiles: dict[str, list[dict[str, dict[str, float]]]] = {}
    mixed = 0
    for k, eq in enumerate(solution.nash):
        path = solution.nash_path(eq)
        if path is None:
            mixed += 1
            continue
        text = solution.path_text(path)
        paths[text] = path
        credible.setdefault(text, []).append(solution.subgame_perfect[k])
        profiles.setdefault(text, []).append(solution.nash.profile_dict(eq))
    rows = []
    for text, path in paths.items():
        verdicts = credible[text]
        threats = verdicts.count(False)
        parts = [f"{len(verdicts)} equilibria"] if len(verdicts) > 1 else []
        if threats:
            many = len(verdicts) > 1
            parts.append(
                f"{threats} on a non-credible threat" if many else "rests on a non-credible threat"
            )
        rows.append(
            Prediction(
                "Nash (normal form)",
                text,
                share(path),
                ", ".join(parts),
                profiles=tuple(profiles[text]),
            )
        )
    if mixed:
        rows.append(Prediction("Nash (normal form)", f"{mixed} mixed", None, counted=False))
    return rows


def _tree_logit(
    path_text: Callable[[FloatArray], str],
    game: ExtensiveFormGame,
    precision: float | None,
    share: Callable[[FloatArray], float | None],
    max_seconds: float | None,
) -> Prediction:
    """The logit QRE of the tree's reduced normal form, as the distribution of play it induces."""
    size = game.normal_form_size()
    problem = game.normal_form_problem()
    if problem or size > MAX_TREE_PROFILES:
        why = problem or f"{size:,} strategy profiles, more than {MAX_TREE_PROFILES:,}"
        return Prediction("logit QRE", "not computed", note=why, counted=False)
    normal = game.to_normal_form()
    lam = precision if precision is not None else DEFAULT_PRECISION
    try:
        qre = logit_qre(normal.payoffs, lam, max_seconds=max_seconds)
    except IterationLimitError as exc:
        return Prediction("logit QRE", "not computed", note=str(exc), counted=False)
    reach = np.zeros(len(game.leaves))
    for profile in itertools.product(*(range(len(p)) for p in qre)):
        weight = float(np.prod([p[s] for p, s in zip(qre, profile, strict=True)]))
        reach += weight * game.leaf_probabilities(game.profile_choices(profile))
    modal = int(np.argmax(reach))
    return Prediction(
        f"logit QRE (lambda {lam:.3g})",
        path_text(np.eye(len(game.leaves))[modal]),
        share(reach),
        f"its most likely end, p = {reach[modal]:.2f}",
    )
