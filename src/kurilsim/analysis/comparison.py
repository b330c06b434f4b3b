"""Every solution concept on one scenario: what each predicts, how many agree, what blocks a deal.

:func:`compare` solves a scenario under each concept its game form admits:

* normal form: pure Nash, mixed Nash, the logit quantal response equilibrium at a chosen
  precision, and the limit of the logit branch (the equilibrium it selects);
* game tree: subgame perfection, the Nash equilibria of the reduced normal form (naming those
  that rest on a non-credible threat), and the logit QRE of the normal form;
* bargaining: the Nash, Kalai-Smorodinsky and Rubinstein solutions under ratification, beside the
  same solutions without it (shown, not counted);
* conflict: Nash, general metarational, symmetric metarational and sequential stability.

Each prediction is an outcome label; the result counts how many concepts predict each outcome.
Given a *deal* condition (by default ``islands > 0`` where the scenario has that variable), it
also says in plain words whether the status quo holds and what blocks a deal: a party that would
walk away and the payoff terms that make it (a ratification cost, say), a third party's move (a
threat, pressure), ratifiers who would reject the deal, or an empty bargaining range.

Examples
--------
>>> from kurilsim import load_scenario
>>> comparison = compare(load_scenario("scenarios/sochi_2016.yaml"))
>>> comparison.consensus()[1:]  # the concepts that predict the most agreed outcome, of all
(3, 3)
>>> print(comparison.verdict)  # doctest: +ELLIPSIS
The status quo holds ...: Russia would switch from two_islands to joint_economic ...
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kurilsim.analysis.blocking import (
    Blocker,
    NearestDeal,
    conflict_blockers,
    deals_where,
    default_deal,
    normal_form_blockers,
    normal_form_deals,
    option_columns,
    state_name,
    tree_blockers,
    tree_outcomes,
)
from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.errors import InputError, IterationLimitError
from kurilsim.forms.bargaining.game import DISAGREEMENT
from kurilsim.forms.bargaining.result import BargainingSolution, Outcome
from kurilsim.forms.bargaining.scenario import BargainingScenario
from kurilsim.forms.conflict.scenario import ConflictScenario
from kurilsim.forms.conflict.stability import CONCEPT_NAMES as STABILITY_NAMES
from kurilsim.forms.extensive.game import ExtensiveFormGame
from kurilsim.forms.extensive.result import TreeSolution
from kurilsim.forms.extensive.scenario import ExtensiveScenario
from kurilsim.forms.normal.logit_qre import logit_qre
from kurilsim.forms.normal.regret import DEFAULT_TOL, payoff_scale
from kurilsim.forms.normal.scenario import Scenario
from kurilsim.forms.normal.solve import solve
from kurilsim.sweeps.labels import OutcomeLabels, outcome_labels

FloatArray = NDArray[np.float64]
AnyScenario = Scenario | ExtensiveScenario | BargainingScenario | ConflictScenario

#: Default logit precision, per unit of the game's payoff scale: a payoff difference of a tenth
#: of the largest payoff range multiplies the odds of the better strategy by e.
DEFAULT_PRECISION = 10.0
#: The note on a listing cut short by its method's bound.
BOUND_NOTE = "the method reached its bound; equilibria may be missing"
#: Largest reduced normal form of a tree whose logit QRE is computed.
MAX_TREE_PROFILES = 20_000
#: Names of the bargaining concepts in tables.
BARGAINING_NAMES = {
    "nash": "Nash bargaining",
    "kalai-smorodinsky": "Kalai-Smorodinsky",
    "rubinstein": "Rubinstein",
}


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
    """

    concept: str
    outcome: str
    deal: float | None = None
    note: str = ""
    counted: bool = True


@dataclass(frozen=True, eq=False)
class Comparison:
    """The predictions of every concept that applies to one scenario, and why the status quo holds.

    Create one with :func:`compare`.

    Attributes
    ----------
    title
        The scenario's title.
    form
        ``"normal"``, ``"extensive"``, ``"bargaining"`` or ``"conflict"``.
    predictions
        One row per concept and predicted outcome.
    deal
        The deal condition used, or None.
    nearest
        The deal nearest to equilibrium play, named, or empty where no deal condition applies.
    blockers
        Who would leave the nearest deal, and why (empty where a deal holds or none applies).
    verdict
        The plain-language summary: which outcome the concepts agree on, whether the status quo
        holds, and what blocks a deal.
    parameters
        The parameter values used.
    """

    title: str
    form: str
    predictions: tuple[Prediction, ...]
    deal: str | None
    nearest: str
    blockers: tuple[Blocker, ...]
    verdict: str
    parameters: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))

    def concepts(self) -> tuple[str, ...]:
        """The concepts that predicted something and are counted, in order."""
        return tuple(dict.fromkeys(p.concept for p in self.predictions if p.counted))

    def agreement(self) -> dict[str, int]:
        """Outcome -> how many counted concepts predict it, most agreed first.

        Examples
        --------
        >>> rows = (Prediction("a", "x"), Prediction("b", "x"), Prediction("b", "y"))
        >>> Comparison("t", "normal", rows, None, "", (), "").agreement()
        {'x': 2, 'y': 1}
        """
        counts: dict[str, set[str]] = {}
        for p in self.predictions:
            if p.counted:
                counts.setdefault(p.outcome, set()).add(p.concept)
        ranked = sorted(counts.items(), key=lambda item: -len(item[1]))
        return {outcome: len(concepts) for outcome, concepts in ranked}

    def consensus(self) -> tuple[str, int, int]:
        """The most agreed outcome, how many concepts predict it, and how many concepts count."""
        agreement = self.agreement()
        if not agreement:
            return ("none", 0, 0)
        outcome, count = next(iter(agreement.items()))
        return outcome, count, len(self.concepts())

    def to_frame(self) -> pd.DataFrame:
        """One row per concept and predicted outcome."""
        return pd.DataFrame(
            [
                {
                    "concept": p.concept,
                    "outcome": p.outcome,
                    "deal": p.deal,
                    "note": p.note,
                    "counted": p.counted,
                }
                for p in self.predictions
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        outcome, count, total = self.consensus()
        return {
            "title": self.title,
            "form": self.form,
            "parameters": dict(self.parameters),
            "predictions": self.to_frame().to_dict(orient="records"),
            "agreement": self.agreement(),
            "consensus": {"outcome": outcome, "concepts": count, "of": total},
            "deal": self.deal,
            "nearest_deal": self.nearest or None,
            "blockers": [
                {
                    "player": b.player,
                    "node": b.node or None,
                    "move": b.move,
                    "deviation": b.deviation,
                    "gain": b.gain,
                    "leaves_deal": b.leaves_deal,
                    "terms": [{"term": t, "contribution": v} for t, v in b.terms],
                }
                for b in self.blockers
            ],
            "verdict": self.verdict,
        }

    def to_text(self) -> str:
        """The panel as a plain-text table with the agreement count and the verdict."""
        outcome, count, total = self.consensus()
        lines = [f"{self.title}: every solution concept of the {self.form} form"]
        if self.parameters:
            lines.append(
                "parameters: " + ", ".join(f"{k}={v:g}" for k, v in self.parameters.items())
            )
        if self.deal:
            lines.append(f"deal: {self.deal}")
        header = ["concept", "predicted outcome", "deal", "note"]
        lines += text_table(header, [self._cells(p) for p in self.predictions])
        lines.append(f"agreement: {count} of {total} concepts predict {outcome}")
        lines.append(self.verdict)
        return "\n".join(lines)

    def _cells(self, p: Prediction) -> list[str]:
        deal = "" if p.deal is None else f"{p.deal:.3g}"
        note = p.note if p.counted else f"{p.note} (not counted)".lstrip()
        return [p.concept, p.outcome, deal, note]

    def _repr_html_(self) -> str:
        outcome, count, total = self.consensus()
        return (
            html_heading(self.title, f"{count} of {total} concepts predict {outcome}")
            + html_table(
                ["concept", "predicted outcome", "deal", "note"],
                [self._cells(p) for p in self.predictions],
            )
            + f"<p>{html.escape(self.verdict)}</p>"
        )

    def __repr__(self) -> str:
        outcome, count, total = self.consensus()
        return f"<Comparison {self.title!r}: {count} of {total} concepts predict {outcome!r}>"


def compare(
    scenario: AnyScenario,
    overrides: Mapping[str, float] | None = None,
    *,
    deal: str | None = None,
    precision: float | None = None,
    tol: float = DEFAULT_TOL,
    max_seconds: float | None = 60.0,
) -> Comparison:
    """Solve a scenario under every concept its game form admits and explain the outcome.

    Parameters
    ----------
    scenario
        A loaded scenario of any form (see :func:`kurilsim.load_scenario`).
    overrides
        Parameter values; defaults fill the rest.
    deal
        A condition over the scenario's outcome variables (options, for a conflict) that is
        true on the outcomes that settle the dispute, such as ``"islands > 0"`` or
        ``"treaty == 1"``. Default: :data:`~kurilsim.analysis.blocking.DEFAULT_DEAL` where the
        scenario
        has an ``islands`` variable, else none (no verdict on the status quo).
    precision
        The logit QRE's lambda, in the game's payoff units. Default: :data:`DEFAULT_PRECISION`
        divided by the game's payoff scale.
    tol
        Relative tolerance of every solver and of the blocking analysis.
    max_seconds
        Time bound of support enumeration and of the logit trace.

    Returns
    -------
    Comparison

    Raises
    ------
    InputError
        For a bad parameter value, deal condition or precision.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> comparison = compare(load_scenario("scenarios/bargaining_2016.yaml"))
    >>> sorted(comparison.agreement().items())[:1]
    [('joint_economic', 3)]
    >>> print(comparison.verdict)  # doctest: +ELLIPSIS
    The status quo holds under every concept: ratification blocks a deal; without it ...
    """
    try:
        if precision is not None and not (np.isfinite(precision) and precision >= 0):
            raise InputError(f"precision (lambda) must be a number >= 0, got {precision!r}")
        if isinstance(scenario, Scenario):
            return _normal(scenario, overrides, deal, precision, tol, max_seconds)
        if isinstance(scenario, ExtensiveScenario):
            return _tree(scenario, overrides, deal, precision, tol, max_seconds)
        if isinstance(scenario, BargainingScenario):
            return _bargaining(scenario, overrides, deal, tol)
        return _conflict(scenario, overrides, deal, tol)
    except InputError as exc:
        if exc.file is None:
            raise InputError(exc.reason, file=scenario.source, field=exc.field) from None
        raise


# --------------------------------------------------------------------------- normal form


def _normal(
    scenario: Scenario,
    overrides: Mapping[str, float] | None,
    deal: str | None,
    precision: float | None,
    tol: float,
    max_seconds: float | None,
) -> Comparison:
    values = scenario.parameter_values(overrides)
    game = scenario.game(overrides)
    labels = outcome_labels(scenario)
    deal = deal or default_deal([o.name for o in scenario.compiled.outcomes])
    deals = None if deal is None else normal_form_deals(scenario, values, deal).astype(float)
    bound: dict[str, Any] = {"max_seconds": max_seconds} if game.n_players > 2 else {}
    solution = solve(game, "auto", tol, **bound)
    rows: list[Prediction] = []
    for eq in solution:
        label = _profile_label(labels, eq.profile)
        rows.append(Prediction(f"Nash ({eq.kind})", label, _mass(deals, eq.profile)))
    if not solution.complete:
        rows.append(Prediction("Nash", "listing incomplete", note=BOUND_NOTE, counted=False))
    elif not any(r.concept == "Nash (mixed)" for r in rows):
        rows.append(Prediction("Nash (mixed)", "none beyond the pure ones", counted=False))
    lam = precision if precision is not None else DEFAULT_PRECISION / payoff_scale(game.payoffs)
    concept = f"logit QRE (lambda {lam:.3g})"
    try:
        qre = logit_qre(game.payoffs, lam, max_seconds=max_seconds)
        modal = tuple(np.eye(len(p))[int(np.argmax(p))] for p in qre)
        likely = float(np.prod([p.max() for p in qre]))
        note = f"its most likely play, p = {likely:.2f}"
        rows.append(Prediction(concept, _profile_label(labels, modal), _mass(deals, qre), note))
        (limit,) = solve(game, "logit", tol, max_seconds=max_seconds)
        note = "the equilibrium the logit branch selects"
        label = _profile_label(labels, limit.profile)
        rows.append(Prediction("logit limit", label, _mass(deals, limit.profile), note))
    except IterationLimitError as exc:
        rows.append(Prediction("logit", "not computed", note=str(exc), counted=False))
    nearest = (
        NearestDeal(-1, ()) if deal is None else normal_form_blockers(scenario, values, deal, tol)
    )
    name = labels.pure(nearest.outcome) if nearest.outcome >= 0 else ""
    return _comparison(scenario, "normal", rows, deal, name, nearest.blockers, values)


def _profile_label(labels: OutcomeLabels, profile: Sequence[FloatArray]) -> str:
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
    return _probability(float(mass))


def _probability(p: float) -> float:
    """``p`` with rounding noise (below 1e-12 off 0 or 1) removed."""
    return float(np.clip(np.round(p, 12), 0.0, 1.0))


# --------------------------------------------------------------------------- game trees


def _tree(
    scenario: ExtensiveScenario,
    overrides: Mapping[str, float] | None,
    deal: str | None,
    precision: float | None,
    tol: float,
    max_seconds: float | None,
) -> Comparison:
    values = scenario.parameter_values(overrides)
    solution = scenario.solve(overrides, tol=tol)
    game = solution.game
    columns = tree_outcomes(scenario, values)
    deal = deal or default_deal(list(columns))
    deals = None
    if deal is not None:
        deals = deals_where(columns, len(game.leaves), deal, "outcome variables")

    def share(leaf_probabilities: FloatArray) -> float | None:
        return None if deals is None else _probability(float(leaf_probabilities @ deals))

    rows = [
        Prediction("subgame-perfect", solution.path_text(eq.leaf_probabilities),
                   share(eq.leaf_probabilities))
        for eq in solution
    ]  # fmt: skip
    if not solution.complete:
        rows.append(
            Prediction("subgame-perfect", "listing incomplete", note=BOUND_NOTE, counted=False)
        )
    rows += _tree_nash(solution, share)
    rows.append(_tree_logit(solution.path_text, game, precision, share, max_seconds))
    nearest = NearestDeal(-1, ())
    if deals is not None:
        nearest = tree_blockers(game, solution[0].choices, deals, tol)
    name = game.node_name(game.leaves[nearest.outcome]) if nearest.outcome >= 0 else ""
    return _comparison(scenario, "extensive", rows, deal, name, nearest.blockers, values)


def _tree_nash(
    solution: TreeSolution, share: Callable[[FloatArray], float | None]
) -> list[Prediction]:
    """The normal form's Nash equilibria by the path of play, one row per path."""
    if solution.nash is None:
        return [Prediction("Nash (normal form)", "not computed", note=solution.note, counted=False)]
    paths: dict[str, FloatArray] = {}
    credible: dict[str, list[bool | None]] = {}
    mixed = 0
    for k, eq in enumerate(solution.nash):
        path = solution.nash_path(eq)
        if path is None:
            mixed += 1
            continue
        text = solution.path_text(path)
        paths[text] = path
        credible.setdefault(text, []).append(solution.subgame_perfect[k])
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
        rows.append(Prediction("Nash (normal form)", text, share(path), ", ".join(parts)))
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
    lam = precision if precision is not None else DEFAULT_PRECISION / payoff_scale(normal.payoffs)
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


# --------------------------------------------------------------------------- bargaining


def _bargaining(
    scenario: BargainingScenario,
    overrides: Mapping[str, float] | None,
    deal: str | None,
    tol: float,
) -> Comparison:
    solution = scenario.solve(overrides, tol=tol)
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
        return _probability(sum(p for name, p in lottery.items() if deals.get(name, False)))

    rows = []
    for c in solution:
        note = c.outcome.describe() + ("; ratification binds" if c.binds else "")
        name = BARGAINING_NAMES[c.concept]
        rows.append(Prediction(name, _deal_kind(c.outcome), share(c.outcome.lottery), note))
    for c in solution:
        rows.append(
            Prediction(
                f"{BARGAINING_NAMES[c.concept]}, no ratification",
                _deal_kind(c.unconstrained),
                share(c.unconstrained.lottery),
                c.unconstrained.describe() + "; the deal if no one had to ratify it",
                counted=False,
            )
        )
    reason = _bargaining_reason(solution, deals)
    values = scenario.parameter_values(overrides)
    return _comparison(scenario, "bargaining", rows, deal, "", (), values, reason)


def _deal_kind(outcome: Outcome) -> str:
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


# --------------------------------------------------------------------------- conflicts


def _conflict(
    scenario: ConflictScenario,
    overrides: Mapping[str, float] | None,
    deal: str | None,
    tol: float,
) -> Comparison:
    table = scenario.solve(overrides, tol=tol)
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
    values = scenario.parameter_values(overrides)
    return _comparison(scenario, "conflict", rows, deal, name, nearest.blockers, values)


# --------------------------------------------------------------------------- the verdict


def _comparison(
    scenario: AnyScenario,
    form: str,
    rows: Sequence[Prediction],
    deal: str | None,
    nearest: str,
    blockers: tuple[Blocker, ...],
    values: Mapping[str, float],
    reason: str = "",
) -> Comparison:
    merged = _merged(rows)
    verdict = _verdict(merged, deal, nearest, blockers, reason)
    return Comparison(scenario.title, form, merged, deal, nearest, blockers, verdict, values)


def _merged(rows: Sequence[Prediction]) -> tuple[Prediction, ...]:
    """One row per concept and outcome.

    Equilibria a concept finds with the same outcome (two mixed equilibria on the same supports,
    say) are counted in the note.
    """
    groups: dict[tuple[str, str, bool], list[Prediction]] = {}
    for row in rows:
        groups.setdefault((row.concept, row.outcome, row.counted), []).append(row)
    merged = []
    for group in groups.values():
        first = group[0]
        if len(group) == 1:
            merged.append(first)
            continue
        shares = [r.deal for r in group if r.deal is not None]
        note = "; ".join(
            dict.fromkeys([f"{len(group)} equilibria", *(r.note for r in group if r.note)])
        )
        deal = max(shares) if shares else None
        merged.append(Prediction(first.concept, first.outcome, deal, note, first.counted))
    return tuple(merged)


def _verdict(
    rows: Sequence[Prediction],
    deal: str | None,
    nearest: str,
    blockers: Sequence[Blocker],
    reason: str,
) -> str:
    """The plain-language line: does the status quo hold, and what blocks a deal."""
    counted = [r for r in rows if r.counted]
    concepts = list(dict.fromkeys(r.concept for r in counted))
    if not concepts:
        return "No concept predicted anything within its bounds."
    if deal is None:
        return "No deal condition: give one (such as 'treaty > 0') to ask what blocks a deal."

    def deal_rows(concept: str) -> list[bool]:
        return [(r.deal or 0) >= 0.5 for r in counted if r.concept == concept]

    admitting = [c for c in concepts if any(deal_rows(c))]
    if all(all(deal_rows(c)) for c in concepts):
        return f"A deal ({deal}) holds under every concept."
    if len(admitting) == len(concepts):
        head = "Every concept admits a deal, some the status quo as well"
    elif admitting:
        head = (
            f"{len(admitting)} of {len(concepts)} concepts admit a deal "
            f"({', '.join(admitting)}); the others keep the status quo"
        )
    else:
        head = "The status quo holds under every concept"
    if reason:
        return f"{head}: {reason}."
    if not nearest:
        return f"{head}: no outcome satisfies the deal condition {deal!r}."
    if not blockers:
        return (
            f"{head}: {nearest} is an equilibrium, so whether a deal is struck is a matter of "
            "coordination."
        )
    walk = [b.describe() for b in blockers if b.leaves_deal]
    press = [b.describe() for b in blockers if not b.leaves_deal]
    parts = []
    if walk:
        parts.append("a party walks away: " + "; ".join(walk))
    if press:
        parts.append("a third party's move breaks it: " + "; ".join(press))
    return f"{head}: in the nearest deal ({nearest}), " + "; and ".join(parts) + "."
