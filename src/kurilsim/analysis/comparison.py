"""Every solution concept on one scenario: what each predicts, how many agree, what blocks a deal.

:func:`compare` solves a scenario under each concept its game form admits:

* normal form: pure Nash, mixed Nash, the logit quantal response equilibrium at a chosen
  precision, and the limit of the logit branch (the equilibrium it selects);
* game tree: subgame perfection, the Nash equilibria of the reduced normal form (naming those
  that rest on a non-credible threat), and the logit QRE of the normal form;
* bargaining: the Nash, Kalai-Smorodinsky and Rubinstein solutions under ratification, beside the
  same solutions without it (shown, not counted);
* conflict: Nash, general metarational, symmetric metarational and sequential stability;
* tree with information sets: Nash equilibria in behaviour strategies, subgame perfection and the
  agent logit QRE;
* incomplete information (bayesian): every equilibrium the form's concepts give (Bayesian Nash,
  perfect Bayesian, the intuitive criterion), each with its chance of a deal;
* repeated: the stage's Nash equilibria, then what grim trigger and the minmax sustain;
* over time (dynamic): the Markov perfect equilibrium under each selection rule.

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
1 of 3 concepts admit a deal (logit QRE (lambda 10) with probability 0.000619); the others keep
the status quo: ... Russia would switch from two_islands to joint_economic ...
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from kurilsim.core.arguments import (
    check_instance,
    check_known_options,
    check_mapping,
    check_real,
    check_text,
)
from kurilsim.core.concepts import Prediction
from kurilsim.core.deadline import DEFAULT_MAX_SECONDS
from kurilsim.core.deals import Blocker
from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.errors import InputError
from kurilsim.core.scenario import Scenario
from kurilsim.core.text import counted, parameters_line
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance


@dataclass(frozen=True, eq=False)
class Comparison:
    """The predictions of every concept that applies to one scenario, and why the status quo holds.

    Create one with :func:`compare`.

    Attributes
    ----------
    title
        The scenario's title.
    form
        The name of the scenario's game form: ``"normal"``, ``"extensive"``, ``"information"``,
        ``"bayesian"``, ``"repeated"``, ``"dynamic"``, ``"bargaining"``, ``"conflict"``, or that
        of a form added with :func:`~kurilsim.forms.registry.register_form`.
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

    def consensus_text(self) -> str:
        """The most agreed outcome in words, naming each concept that predicts others beside it.

        A concept may predict several outcomes (a signalling game's pooling and separating
        equilibria, say); it counts towards each of them, and the line says so.

        Examples
        --------
        >>> rows = (Prediction("a", "x"), Prediction("b", "x"), Prediction("b", "y"))
        >>> Comparison("t", "normal", rows, None, "", (), "").consensus_text()
        '2 of 2 concepts predict x (b among 2 outcomes)'
        """
        outcome, count, total = self.consensus()
        outcomes: dict[str, set[str]] = {}
        for p in self.predictions:
            if p.counted:
                outcomes.setdefault(p.concept, set()).add(p.outcome)
        several = [
            f"{concept} among {len(found)} outcomes"
            for concept, found in outcomes.items()
            if outcome in found and len(found) > 1
        ]
        text = f"{count} of {total} concepts predict {outcome}"
        return f"{text} ({', '.join(several)})" if several else text

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
        """A JSON-ready dictionary.

        Each prediction keeps its ``outcome`` label and gives the play behind it as data in
        ``profiles`` (see :class:`~kurilsim.core.concepts.Prediction`).

        Examples
        --------
        >>> from kurilsim import load_scenario
        >>> data = compare(load_scenario("scenarios/sochi_2016.yaml")).to_dict()
        >>> first = data["predictions"][0]
        >>> first["concept"], sorted(first["profiles"][0])
        ('Nash (pure)', ['China', 'Japan', 'Russia', 'US'])
        """
        outcome, count, total = self.consensus()
        predictions = [
            {**record, "profiles": [_plain(profile) for profile in p.profiles]}
            for record, p in zip(
                self.to_frame().to_dict(orient="records"), self.predictions, strict=True
            )
        ]
        return {
            "title": self.title,
            "form": self.form,
            "parameters": dict(self.parameters),
            "predictions": predictions,
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
        lines = [f"{self.title}: every solution concept of the {self.form} form"]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        if self.deal:
            lines.append(f"deal: {self.deal}")
        header = ["concept", "predicted outcome", "deal", "note"]
        lines += text_table(header, [self._cells(p) for p in self.predictions])
        lines.append(f"agreement: {self.consensus_text()}")
        lines.append(self.verdict)
        return "\n".join(lines)

    def _cells(self, p: Prediction) -> list[str]:
        deal = "" if p.deal is None else f"{p.deal:.3g}"
        note = p.note if p.counted else f"{p.note} (not counted)".lstrip()
        return [p.concept, p.outcome, deal, note]

    def _repr_html_(self) -> str:
        return (
            html_heading(self.title, self.consensus_text())
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
    scenario: Scenario,
    overrides: Mapping[str, float] | None = None,
    *,
    deal: str | None = None,
    precision: float | None = None,
    tol: float = DEFAULT_TOL,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> Comparison:
    """Solve a scenario under every concept its game form admits and explain the outcome.

    Parameters
    ----------
    scenario
        A loaded scenario of any form (see :func:`kurilsim.load_scenario`).
    overrides
        Parameter values; defaults fill the rest.
    deal
        A condition over the scenario's outcome variables (options, for a conflict) that is true on
        the outcomes that settle the dispute, such as ``"islands > 0"`` or ``"treaty == 1"``.
        Default: :data:`~kurilsim.core.deals.DEFAULT_DEAL` where the scenario has an ``islands``
        variable, else none (no verdict on the status quo).
    precision
        The logit QRE's lambda, relative to each player's payoff range (see
        :mod:`kurilsim.forms.normal.logit_qre`). Default:
        :data:`~kurilsim.core.concepts.DEFAULT_PRECISION`. Refused for a form without a logit
        QRE among its concepts.
    tol
        Relative tolerance of every solver and of the blocking analysis.
    max_seconds
        Time bound of support enumeration, the logit trace and a conflict's stability analysis;
        ``None`` for none. Default: :data:`~kurilsim.core.deadline.DEFAULT_MAX_SECONDS`. Any
        other value is refused for a form whose concepts run against no time bound.

    Returns
    -------
    Comparison

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For a bad parameter value, deal condition, precision or time bound, or a precision or
        time bound the form's concepts do not use.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> comparison = compare(load_scenario("scenarios/bargaining_2016.yaml"))
    >>> sorted(comparison.agreement().items())[:1]
    [('joint_economic', 3)]
    >>> print(comparison.verdict)  # doctest: +ELLIPSIS
    The status quo holds under every concept: ratification blocks a deal; without it ...
    """
    check_instance("scenario", scenario, Scenario, "a Scenario")
    try:
        overrides = check_mapping("overrides", overrides, check_real)
        deal = check_text("deal", deal, optional=True)
        precision = check_real("precision", precision, minimum=0, optional=True)
        tol = check_tolerance(tol)
        max_seconds = check_real("max_seconds", max_seconds, minimum=0, optional=True)
        values = scenario.parameter_values(overrides)
        given = {
            "precision": precision is not None,
            "max_seconds": max_seconds != DEFAULT_MAX_SECONDS,
        }
        refuse_unused_options(scenario, {name: name for name in given if given[name]})
        panel = scenario.form.compare(scenario, values, deal, precision, tol, max_seconds)
        merged = _merged(panel.predictions)
        verdict = _verdict(merged, panel.deal, panel.nearest, panel.blockers, panel.reason)
        return Comparison(
            scenario.title,
            scenario.form.name,
            merged,
            panel.deal,
            panel.nearest,
            panel.blockers,
            verdict,
            values,
        )
    except InputError as exc:
        if exc.file is None:
            raise type(exc)(exc.reason, file=scenario.source, field=exc.field) from None
        raise


#: Why a form refuses an option of :func:`compare` that is not among its ``compare_options``.
UNUSED_OPTIONS = {
    "precision": "the {form} form's concepts have no logit QRE to take it",
    "max_seconds": "no concept of the {form} form runs against a time bound",
}


def refuse_unused_options(scenario: Scenario, given: Mapping[str, str]) -> None:
    """Refuse an option of :func:`compare` given that no concept of the scenario's form uses.

    Parameters
    ----------
    scenario
        The scenario compared.
    given
        Each option given (``precision``, ``max_seconds``) with the name to refuse it by: the
        argument's, or the command line's (``--lambda``).

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For an option the form's ``compare_options`` leave out, naming it, or an option
        :func:`compare` does not have.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> bargaining = load_scenario("scenarios/bargaining_2016.yaml")
    >>> refuse_unused_options(bargaining, {"max_seconds": "--max-seconds"})
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: scenarios/bargaining_2016.yaml: --max-seconds: no concept ...
    """
    check_instance("scenario", scenario, Scenario, "a Scenario")
    given = check_mapping("given", given, check_text)
    check_known_options("compare's check by form", given, UNUSED_OPTIONS, field="given")
    for option, name in given.items():
        if option not in scenario.form.compare_options:
            reason = UNUSED_OPTIONS[option].format(form=scenario.form.name)
            raise InputError(reason, file=scenario.source, field=name)


# --------------------------------------------------------------------------- the verdict


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
            dict.fromkeys(
                [
                    counted(len(group), "equilibrium", "equilibria"),
                    *(r.note for r in group if r.note),
                ]
            )
        )
        deal = max(shares) if shares else None
        profiles = tuple(profile for r in group for profile in r.profiles)
        merged.append(Prediction(first.concept, first.outcome, deal, note, first.counted, profiles))
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
    chances = {c: [r.deal or 0.0 for r in counted if r.concept == c] for c in concepts}
    if all(p == 1 for ps in chances.values() for p in ps):
        return f"A deal ({deal}) holds under every concept."
    admitting = [_chance_text(c, ps) for c, ps in chances.items() if any(p > 0 for p in ps)]
    if len(admitting) == len(concepts):
        head = f"Every concept admits a deal ({', '.join(admitting)})"
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
        if admitting:
            # The form names no nearest deal, but the rows above already show the deals.
            return f"{head}."
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


def _chance_text(concept: str, chances: Sequence[float]) -> str:
    """A concept by name, with its predictions' chances of a deal unless each is a sure deal."""
    if all(p == 1 for p in chances):
        return concept
    shown = " or ".join(f"{p:.3g}" for p in sorted(set(chances), reverse=True))
    return f"{concept} with probability {shown}"


def _plain(profile: Mapping[str, Any]) -> dict[str, Any]:
    """A profile as plain, JSON-ready dictionaries."""
    return {
        key: _plain(value) if isinstance(value, Mapping) else value
        for key, value in profile.items()
    }
