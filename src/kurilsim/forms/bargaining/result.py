"""The one result type of the bargaining solvers.

A :class:`BargainingSolution` holds, for each solution concept asked for, the predicted deal (or
lottery over deals) under the ratification constraint and without it, each side's gain over
disagreement, whether ratification binds, and the checks that verify the solution. It also
records the zone of possible agreement (ZOPA) and how the solution was produced (concepts,
lotteries or not, ratification mode, tolerance), and converts to text, a JSON-ready dictionary,
a pandas table; ``kurilsim.plot`` draws it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.result import ReadOnlyRun
from kurilsim.core.text import DISPLAY_ZERO, limited, number, parameters_line
from kurilsim.forms.bargaining.game import DISAGREEMENT, BargainingProblem

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]

#: How many deal names a text report lists before summarising the rest.
LISTED = 6

#: Display names of the solution concepts.
CONCEPT_NAMES = {
    "nash": "Nash bargaining",
    "kalai-smorodinsky": "Kalai-Smorodinsky",
    "rubinstein": "Rubinstein",
}


@dataclass(frozen=True)
class Check:
    """One verification of a solution: a residual that must not exceed its bound.

    Attributes
    ----------
    condition
        What is checked, in words.
    residual
        How far the solution is from satisfying it (0 when it holds exactly; never negative).
    bound
        The largest residual accepted: the tolerance times the problem's scale.
    """

    condition: str
    residual: float
    bound: float

    @property
    def passed(self) -> bool:
        """Whether the residual is within the bound."""
        return bool(self.residual <= self.bound)


@dataclass(frozen=True, eq=False)
class Outcome:
    """A feasible outcome: a lottery over deals (or disagreement) and what each side gets.

    Attributes
    ----------
    lottery
        Deal name (or ``"disagreement"``) -> probability; a single entry for a sure deal.
    utilities
        Shape ``(2,)``: each player's (expected) utility.
    gains
        Shape ``(2,)``: each player's utility minus its disagreement utility.
    """

    lottery: Mapping[str, float]
    utilities: FloatArray
    gains: FloatArray

    def __post_init__(self) -> None:
        object.__setattr__(self, "lottery", MappingProxyType(dict(self.lottery)))

    @property
    def agreement(self) -> bool:
        """False when the outcome is disagreement for sure."""
        return self.lottery.get(DISAGREEMENT, 0.0) < 1 - DISPLAY_ZERO

    def describe(self) -> str:
        """The deal's name, or the lottery as ``"a 60%, b 40%"``."""
        if len(self.lottery) == 1:
            (name,) = self.lottery
            return "no agreement" if name == DISAGREEMENT else name
        return ", ".join(f"{name} {p:.0%}" for name, p in self.lottery.items())


@dataclass(frozen=True, eq=False)
class ConceptSolution:
    """One solution concept's prediction, with and without ratification.

    Attributes
    ----------
    concept
        ``"nash"``, ``"kalai-smorodinsky"`` or ``"rubinstein"``.
    outcome
        The prediction under the ratification constraint.
    unconstrained
        The same concept's prediction if no ratification were needed.
    binds
        Whether ratification changes the deal agreed (the two predictions differ).
    checks
        The verification of ``outcome``.
    ties
        Other deals that do exactly as well by the concept's criterion (within tolerance).
    counter_offer
        Rubinstein only: what the second mover would propose if it were its turn.
    unique
        Rubinstein without lotteries: whether the stationary equilibria most and least
        favourable to the first mover coincide. True for the other concepts unless ``ties``.
    """

    concept: str
    outcome: Outcome
    unconstrained: Outcome
    binds: bool
    checks: tuple[Check, ...]
    ties: tuple[str, ...] = ()
    counter_offer: Outcome | None = None
    unique: bool = True

    @property
    def verified(self) -> bool:
        """Whether every check passed."""
        return all(c.passed for c in self.checks)


@dataclass(frozen=True, eq=False)
class BargainingSolution(ReadOnlyRun):
    """The solutions of a bargaining problem, the zone of possible agreement, and provenance.

    Attributes
    ----------
    problem
        The problem solved.
    method
        ``"auto"`` (every concept that applies) or the one concept asked for.
    concepts
        One :class:`ConceptSolution` per concept.
    tol
        Relative tolerance of every check.
    scale
        The problem's utility scale (largest range of either player's utilities).
    lotteries
        Whether lotteries over deals were feasible (the convex hull) or only the deals.
    ratification
        ``"win-set"``, ``"probability"`` or ``"none"``.
    available
        The deals the ratifiers allow: in every win-set (``"win-set"``), approved with positive
        probability (``"probability"``), or all (``"none"``).
    zopa
        Available deals that both sides prefer to disagreement (after ratification risk).
    zopa_unconstrained
        Deals both sides prefer to disagreement, ignoring ratification.
    zopa_empty
        True when no feasible outcome (lotteries included, if allowed) makes both sides better
        off than disagreement: every concept then predicts no agreement.
    options
        Solver options used.
    parameters
        Scenario parameter values the problem was built at, if it came from a scenario.
    """

    problem: BargainingProblem
    method: str
    concepts: tuple[ConceptSolution, ...]
    tol: float
    scale: float
    lotteries: bool
    ratification: str
    available: tuple[str, ...]
    zopa: tuple[str, ...]
    zopa_unconstrained: tuple[str, ...]
    zopa_empty: bool
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)

    @property
    def incomplete_reason(self) -> None:  # type: ignore[override]
        """Always None: every concept is solved exactly on the grid of deals."""
        return None

    def __len__(self) -> int:
        return len(self.concepts)

    def __iter__(self) -> Iterator[ConceptSolution]:
        return iter(self.concepts)

    def __getitem__(self, concept: str) -> ConceptSolution:
        """The solution of one concept, by name."""
        for solution in self.concepts:
            if solution.concept == concept:
                return solution
        raise KeyError(f"no solution for {concept!r}; have {[c.concept for c in self.concepts]}")

    @property
    def binds(self) -> bool:
        """Whether ratification changes the deal under at least one concept."""
        return any(c.binds for c in self.concepts)

    @property
    def win_sets(self) -> dict[str, tuple[str, ...]]:
        """Ratifier -> the deals whose approval reaches its threshold."""
        return {r: self.problem.win_set(r) for r in self.problem.ratifiers}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the problem, the options and every solution.

        Examples
        --------
        >>> from kurilsim.forms.bargaining.game import BargainingProblem
        >>> from kurilsim.forms.bargaining.solve import solve_bargaining
        >>> problem = BargainingProblem(["A", "B"], ["x", "y"], [[2, 1], [1, 2]], [0, 0])
        >>> solution = solve_bargaining(problem, "nash")
        >>> solution.to_dict()["solutions"]["nash"]["outcome"]["lottery"]
        {'x': 1.0}
        """
        problem = self.problem
        players = problem.players
        ratified = set(self.available)
        return {
            "problem": {
                "title": problem.title,
                "players": list(players),
                "disagreement": _per_player(players, problem.disagreement),
                "discount": None
                if problem.discount is None
                else _per_player(players, problem.discount),
                "first_mover": players[problem.first_mover],
                "ratifiers": {
                    r: {"threshold": float(t), "win_set": list(problem.win_set(r))}
                    for r, t in zip(problem.ratifiers, problem.thresholds, strict=True)
                },
                "deals": [
                    {
                        "name": name,
                        "utilities": _per_player(players, problem.utilities[k]),
                        "approval": {
                            r: float(a)
                            for r, a in zip(problem.ratifiers, problem.approval[k], strict=True)
                        },
                        "available": name in ratified,
                        "variables": {v: float(x[k]) for v, x in problem.variables.items()},
                    }
                    for k, name in enumerate(problem.deals)
                ],
            },
            "parameters": dict(self.parameters),
            "method": self.method,
            "tol": self.tol,
            "scale": self.scale,
            "lotteries": self.lotteries,
            "ratification": self.ratification,
            "options": dict(self.options),
            "zopa": list(self.zopa),
            "zopa_unconstrained": list(self.zopa_unconstrained),
            "zopa_empty": self.zopa_empty,
            "binds": self.binds,
            "solutions": {
                c.concept: {
                    "outcome": self._outcome_dict(c.outcome),
                    "unconstrained": self._outcome_dict(c.unconstrained),
                    "binds": c.binds,
                    "ties": list(c.ties),
                    "unique": c.unique,
                    "counter_offer": None
                    if c.counter_offer is None
                    else self._outcome_dict(c.counter_offer),
                    "checks": [
                        {
                            "condition": k.condition,
                            "residual": k.residual,
                            "bound": k.bound,
                            "passed": k.passed,
                        }
                        for k in c.checks
                    ],
                }
                for c in self.concepts
            },
        }

    def _outcome_dict(self, outcome: Outcome) -> dict[str, Any]:
        players = self.problem.players
        return {
            "agreement": outcome.agreement,
            "lottery": dict(outcome.lottery),
            "utilities": _per_player(players, outcome.utilities),
            "gains": _per_player(players, outcome.gains),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per concept: the deal, utilities and gains, with and without ratification.

        Columns: ``concept``, ``deal``, ``utility.<player>``, ``gain.<player>``, ``binds``,
        ``unconstrained_deal``, ``unconstrained_gain.<player>``, ``max_residual``, ``verified``.
        """
        import pandas as pd  # imported when used: solving needs only numpy

        players = self.problem.players
        rows = []
        for c in self.concepts:
            row: dict[str, Any] = {"concept": c.concept, "deal": c.outcome.describe()}
            row.update(
                {
                    f"utility.{p}": float(v)
                    for p, v in zip(players, c.outcome.utilities, strict=True)
                }
            )
            row.update(
                {f"gain.{p}": float(v) for p, v in zip(players, c.outcome.gains, strict=True)}
            )
            row["binds"] = c.binds
            row["unconstrained_deal"] = c.unconstrained.describe()
            row.update(
                {
                    f"unconstrained_gain.{p}": float(v)
                    for p, v in zip(players, c.unconstrained.gains, strict=True)
                }
            )
            row["max_residual"] = max((k.residual for k in c.checks), default=0.0)
            row["verified"] = c.verified
            rows.append(row)
        columns = [
            "concept",
            "deal",
            *(f"utility.{p}" for p in players),
            *(f"gain.{p}" for p in players),
            "binds",
            "unconstrained_deal",
            *(f"unconstrained_gain.{p}" for p in players),
            "max_residual",
            "verified",
        ]
        return pd.DataFrame(rows, columns=columns)

    def to_text(self, limit: int | None = None) -> str:
        """A plain-text report: the predicted deal per concept, gains, binding, the ZOPA.

        Parameters
        ----------
        limit
            List at most this many concepts' rows, then say how many more there are (None or
            0: all of them).
        """
        problem = self.problem
        players = problem.players
        lines = [
            f"{problem.title or 'Bargaining'}: {players[0]} and {players[1]} over "
            f"{problem.n_deals} deals",
            f"concepts {', '.join(c.concept for c in self.concepts)}; "
            f"{'lotteries over deals allowed' if self.lotteries else 'sure deals only'}; "
            f"ratification {self.ratification}; tolerance {self.tol:g} x utility scale "
            f"{self.scale:g}",
        ]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        lines.append(
            "disagreement: "
            + ", ".join(f"{p} {v:.4g}" for p, v in zip(players, problem.disagreement, strict=True))
        )
        if problem.discount is not None:
            lines.append(
                "discount factors: "
                + ", ".join(f"{p} {v:.4g}" for p, v in zip(players, problem.discount, strict=True))
                + f"; {players[problem.first_mover]} offers first"
            )
        for ratifier, deals in self.win_sets.items():
            lines.append(f"win-set of {ratifier}: {_names(deals, problem)}")
        if self.zopa_empty:
            lines.append(
                "zone of possible agreement: EMPTY (no feasible outcome both sides prefer to "
                "disagreement and can ratify): no agreement"
            )
        else:
            lines.append(f"zone of possible agreement: {_names(self.zopa, problem)}")
        if problem.ratifiers:
            lines.append(
                f"without ratification it would be: {_names(self.zopa_unconstrained, problem)}"
            )
        header = [
            "concept",
            "predicted deal",
            *(f"gain {p}" for p in players),
            "ratification binds",
            "deal without ratification",
        ]
        table = [header]
        shown, more = limited(self.concepts, limit)
        for c in shown:
            table.append(
                [
                    CONCEPT_NAMES[c.concept],
                    c.outcome.describe(),
                    *(number(g, 4) for g in c.outcome.gains),
                    "yes" if c.binds else "no",
                    c.unconstrained.describe(),
                ]
            )
        lines += text_table(table[0], table[1:]) + more
        for c in self.concepts:
            notes = []
            if c.ties:
                notes.append(f"tied with {_names(c.ties, problem)}")
            if not c.unique:
                notes.append("other stationary equilibria exist on this discrete deal space")
            if c.counter_offer is not None:
                notes.append(
                    f"{players[1 - problem.first_mover]} would counter with "
                    f"{c.counter_offer.describe()}"
                )
            if notes:
                lines.append(f"{CONCEPT_NAMES[c.concept]}: " + "; ".join(notes))
        residual = max((k.residual / k.bound for c in self.concepts for k in c.checks), default=0)
        count = sum(len(c.checks) for c in self.concepts)
        lines.append(
            f"verification: {count} check{'s' if count != 1 else ''} passed (largest residual "
            f"{residual:.1e} of its bound)"
        )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The predicted deal per concept, with and without ratification, then the ZOPA."""
        problem = self.problem
        players = problem.players
        heading = html_heading(
            f"{problem.title or 'Bargaining'}: {players[0]} and {players[1]} over "
            f"{problem.n_deals} deals",
            f"{'lotteries over deals allowed' if self.lotteries else 'sure deals only'}; "
            f"ratification {self.ratification}; tolerance {self.tol:g} x utility scale "
            f"{self.scale:g}",
        )
        header = [
            "concept",
            "predicted deal",
            *(f"gain {p}" for p in players),
            "ratification binds",
            "deal without ratification",
            "verified",
        ]
        rows = [
            [
                CONCEPT_NAMES[c.concept],
                c.outcome.describe(),
                *(number(g, 4) for g in c.outcome.gains),
                "yes" if c.binds else "no",
                c.unconstrained.describe(),
                "yes" if c.verified else "NO",
            ]
            for c in self.concepts
        ]
        zopa = "empty: no agreement" if self.zopa_empty else _names(self.zopa, problem)
        facts = [
            [
                "disagreement",
                ", ".join(
                    f"{p} {v:.4g}" for p, v in zip(players, problem.disagreement, strict=True)
                ),
            ],
            ["zone of possible agreement", zopa],
        ]
        if problem.ratifiers:
            facts.append(["without ratification", _names(self.zopa_unconstrained, problem)])
        facts += [[f"win-set of {r}", _names(d, problem)] for r, d in self.win_sets.items()]
        return heading + html_table(header, rows) + html_table(["", ""], facts)

    def __repr__(self) -> str:
        deals = ", ".join(f"{c.concept}: {c.outcome.describe()}" for c in self.concepts)
        return f"<BargainingSolution {deals}{'; ratification binds' if self.binds else ''}>"


def _per_player(players: tuple[str, str], values: FloatArray) -> dict[str, float]:
    return {p: float(v) for p, v in zip(players, values, strict=True)}


def _names(names: tuple[str, ...], problem: BargainingProblem) -> str:
    """``names`` summarised by family: deals spread over a grid share the name before ``[``."""
    if not names:
        return "none"
    families: dict[str, list[int]] = {}
    for name in names:
        families.setdefault(name.split("[", 1)[0], []).append(problem.deals.index(name))
    parts = []
    for family, rows in families.items():
        if len(rows) == 1:
            parts.append(problem.deals[rows[0]])
            continue
        spans = [
            f"{variable} {values[rows].min():g} to {values[rows].max():g}"
            for variable, values in problem.variables.items()
            if values[rows].min() < values[rows].max()
        ]
        parts.append(f"{family} x{len(rows)}" + (f" ({', '.join(spans)})" if spans else ""))
    shown = "; ".join(parts[:LISTED])
    more = f"; and {len(parts) - LISTED} more" if len(parts) > LISTED else ""
    return f"{len(names)} of {problem.n_deals} deals: {shown}{more}"
