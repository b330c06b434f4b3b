"""A dynamic game's Markov perfect equilibria at one point, each with its path and its check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.result import UNPROVED_CONTINUUM, EquilibriumListing, ReadOnlyRun
from kurilsim.core.text import limited, number, parameters_line
from kurilsim.forms.dynamic.enumeration import MarkovEnumeration
from kurilsim.forms.dynamic.game import DynamicGame
from kurilsim.forms.dynamic.markov_perfect import MarkovStrategy
from kurilsim.forms.dynamic.path import EquilibriumPath
from kurilsim.forms.normal.labels import OutcomeLabels

if TYPE_CHECKING:
    import pandas as pd

    from kurilsim.forms.dynamic.one_shot_deviation import DeviationCheck


def check_reason(converged: bool, verified: bool) -> str | None:
    """Why a Markov perfect equilibrium is incomplete, or None.

    ``"max_iterations"`` where value iteration did not converge, ``"unproved: one-shot
    deviation check"`` where the equilibrium failed that check.

    Examples
    --------
    >>> check_reason(True, True), check_reason(False, True), check_reason(True, False)
    (None, 'max_iterations', 'unproved: one-shot deviation check')
    """
    if not converged:
        return "max_iterations"
    return None if verified else "unproved: one-shot deviation check"


@dataclass(frozen=True, eq=False)
class DynamicSolution(ReadOnlyRun):
    """A Markov perfect equilibrium, its path from the initial state, and its verification.

    Attributes
    ----------
    game
        The game solved (a batch of one point).
    labels
        The names of each round's profiles.
    round_names
        The name of each round shown.
    strategy
        The equilibrium strategy and the values found with it.
    path
        Play from the initial state: profiles, states and the probability of a deal by round.
    check
        The one-shot deviation check: exact values and each player's best one-round gain.
    threshold
        The largest gain the check accepts (the tolerance times the game's payoff scale).
    method, selection, tol, options, parameters
        How the equilibrium was found, the rule that picked it where a stage had several, the
        tolerance, the options, the parameter values.
    """

    game: DynamicGame = field(repr=False)
    labels: tuple[OutcomeLabels, ...] = field(repr=False)
    round_names: tuple[str, ...]
    strategy: MarkovStrategy = field(repr=False)
    path: EquilibriumPath = field(repr=False)
    check: DeviationCheck = field(repr=False)
    threshold: float
    method: str
    selection: str
    tol: float
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)

    @property
    def converged(self) -> bool:
        """Whether value iteration met its bound (always true for backward induction)."""
        return bool(self.strategy.converged.all())

    @property
    def verified(self) -> bool:
        """Whether no player gains more than :attr:`threshold` by any one-round deviation."""
        return self.check.max_gain <= self.threshold

    @property
    def incomplete_reason(self) -> str | None:  # type: ignore[override]
        """None when the method converged and the equilibrium passed the one-shot check.

        Otherwise ``"max_iterations"`` (value iteration did not converge) or ``"unproved:
        one-shot deviation check"``; see :class:`~kurilsim.core.result.Result`.
        """
        return check_reason(self.converged, self.verified)

    def outcomes(self) -> list[tuple[str, float]]:
        """Each round's most likely profile on the path, and its probability."""
        out = []
        for labels, profile in zip(self.labels, self.path.profiles, strict=True):
            flat = profile[0].ravel()
            best = int(flat.argmax())
            out.append((labels.pure(best), float(flat[best])))
        return out

    def values(self) -> dict[str, float]:
        """Each player's value of the game from the initial state (exact, from the check)."""
        at = self.check.values[0, 0, self.game.grid.initial]
        return {p: float(v) for p, v in zip(self.game.players, at, strict=True)}

    def rows(self) -> list[dict[str, Any]]:
        """One record per round of the path."""
        names = self.game.grid.names
        rows = []
        for t, (outcome, chance) in enumerate(self.outcomes()):
            rows.append(
                {
                    "round": self.round_names[t],
                    "stage": self.path.stages[t],
                    "outcome": outcome,
                    "probability": chance,
                    "deal": float(self.path.deal[0, t]),
                    "deal_by": float(self.path.deal_by[0, t]),
                    **{
                        f"state.{n}": float(self.path.state_means[0, t, k])
                        for k, n in enumerate(names)
                    },
                }
            )
        return rows

    def status(self) -> str:
        """Whether the answer is complete, and if not, why."""
        problems = []
        if not self.converged:
            problems.append(
                f"value iteration did not converge in {self.strategy.iterations} rounds "
                "(unconverged)"
            )
        if not self.verified:
            problems.append(
                f"a one-round deviation gains {self.check.max_gain:.3g}, above {self.threshold:.3g}"
            )
        if problems:
            return "INCOMPLETE: " + "; ".join(problems)
        return (
            f"verified: no one-round deviation gains more than {self.threshold:.3g} "
            f"(largest {self.check.max_gain:.3g})"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the method, the check and the path."""
        return {
            "method": self.method,
            "selection": self.selection,
            "tol": self.tol,
            "options": dict(self.options),
            "parameters": dict(self.parameters),
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "converged": self.converged,
            "iterations": self.strategy.iterations,
            "max_deviation_gain": self.check.max_gain,
            "threshold": self.threshold,
            "values": self.values(),
            "initial_state": self.game.grid.describe(self.game.grid.initial),
            "rounds": self.rows(),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per round of the path."""
        import pandas as pd

        return pd.DataFrame(self.rows())

    def to_text(self, limit: int | None = None) -> str:
        """The method, the check, and the path round by round."""
        grid = self.game.grid
        lines = [
            f"{self.game.title}: Markov perfect equilibrium by {self.method}, "
            f"{self.selection} where a stage has several",
            f"  {grid.size} states ({', '.join(grid.names)}), from {grid.describe(grid.initial)}",
            f"  {self.status()}",
            "  value from the start: "
            + ", ".join(f"{p} {number(v, 4)}" for p, v in self.values().items()),
        ]
        if self.parameters:
            lines.append("  " + parameters_line(self.parameters))
        shown, more = limited(self.rows(), limit)
        header = ["round", "stage", "most likely play", "P", "P(deal)", "P(deal by)"]
        header += list(grid.names)
        body = [
            [
                row["round"],
                row["stage"],
                row["outcome"],
                number(row["probability"], 3),
                number(row["deal"], 3),
                number(row["deal_by"], 3),
                *(number(row[f"state.{n}"], 3) for n in grid.names),
            ]
            for row in shown
        ]
        return "\n".join(lines + text_table(header, body, indent="  ") + more)

    def _repr_html_(self) -> str:
        grid = self.game.grid
        header = ["round", "stage", "most likely play", "P", "P(deal)", "P(deal by)", *grid.names]
        body = [
            [
                row["round"],
                row["stage"],
                row["outcome"],
                number(row["probability"], 3),
                number(row["deal"], 3),
                number(row["deal_by"], 3),
                *(number(row[f"state.{n}"], 3) for n in grid.names),
            ]
            for row in self.rows()
        ]
        subtitle = f"Markov perfect equilibrium by {self.method}; {self.status()}"
        return html_heading(self.game.title, subtitle) + html_table(header, body)

    def __repr__(self) -> str:
        deal = float(np.asarray(self.path.deal_by)[0, -1])
        return (
            f"<DynamicSolution {self.game.title!r}: {self.method}, P(deal by the end) "
            f"{deal:.3g}, {'complete' if self.complete else 'INCOMPLETE'}>"
        )


@dataclass(frozen=True, eq=False)
class DynamicEquilibria(EquilibriumListing[DynamicSolution]):
    """Every Markov perfect equilibrium of a finite horizon up to a bound, each verified.

    Attributes
    ----------
    equilibria
        One :class:`DynamicSolution` per equilibrium, each with its path and its own one-shot
        deviation check.
    enumeration
        What the search met: stage games solved, how many had several equilibria, continua,
        and whether the bound cut it short
        (:class:`~kurilsim.forms.dynamic.enumeration.MarkovEnumeration`).
    method, tol, options, parameters
        As for :class:`DynamicSolution`.
    """

    equilibria: tuple[DynamicSolution, ...]
    enumeration: MarkovEnumeration = field(repr=False)
    method: str
    tol: float
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)

    selection = "all"

    @property
    def verified(self) -> bool:
        """Whether every listed equilibrium passed the one-shot deviation check."""
        return all(eq.verified for eq in self.equilibria)

    @property
    def incomplete_reason(self) -> str | None:  # type: ignore[override]
        """None when every equilibrium is listed (no bound, no continuum) and each is verified.

        Otherwise the first of ``"max_equilibria"``, ``"max_seconds"`` (a stage game's
        enumeration), ``"unproved: continuum"`` (only a continuum's extreme points followed),
        ``"unproved: three or more players"`` (support enumeration of a stage game) and
        ``"unproved: one-shot deviation check"``; see :class:`~kurilsim.core.result.Result`.
        """
        found = self.enumeration
        for reason, applies in (
            ("max_equilibria", found.cut),
            ("max_seconds", found.timed_out),
            (UNPROVED_CONTINUUM, found.continua),
            ("unproved: three or more players", found.local),
            ("unproved: one-shot deviation check", not self.verified),
        ):
            if applies:
                return reason
        return None

    def status(self) -> str:
        """How many were found, and if the listing is not complete, why."""
        found = self.enumeration
        paths = len({tuple(row[1:4]) for row in self.summaries()})
        head = (
            f"{len(self.equilibria)} Markov perfect equilibri{'um' if len(self) == 1 else 'a'} "
            f"({paths} distinct path{'' if paths == 1 else 's'} from the start); "
            f"{found.several} of {found.stage_games} stage games solved had several equilibria"
        )
        problems = []
        if found.cut:
            problems.append(
                f"the bound of {found.max_equilibria} equilibria cut the search short; raise "
                "max_equilibria to list more"
            )
        if found.continua:
            problems.append(
                "a continuum of stage equilibria (only its extreme points are followed) at "
                + "; ".join(found.continua)
            )
        if found.timed_out:
            problems.append(
                "a stage game's enumeration hit its time bound at " + "; ".join(found.timed_out)
            )
        if found.local:
            problems.append(
                "three or more players with a choice (support enumeration, not known to find "
                "every equilibrium) at " + "; ".join(found.local)
            )
        unverified = [k + 1 for k, eq in enumerate(self.equilibria) if not eq.verified]
        if unverified:
            problems.append(f"equilibria {unverified} fail the one-shot deviation check")
        if problems:
            return f"INCOMPLETE: {head}; " + "; ".join(problems)
        return f"complete: {head}; each verified by the one-shot deviation check"

    def rows(self) -> list[dict[str, Any]]:
        """One record per equilibrium and round of its path."""
        return [
            {"equilibrium": k + 1, **row}
            for k, eq in enumerate(self.equilibria)
            for row in eq.rows()
        ]

    def summaries(self) -> list[list[str]]:
        """Per equilibrium: its number, path, P(deal) by round, state trajectory and values."""
        names = self.equilibria[0].game.grid.names if self.equilibria else ()
        return [
            [
                str(k + 1),
                " -> ".join(outcome for outcome, _ in eq.outcomes()),
                ", ".join(number(float(p), 3) for p in eq.path.deal_by[0]),
                "; ".join(
                    f"{name} "
                    + ", ".join(number(float(x), 3) for x in eq.path.state_means[0, :, v])
                    for v, name in enumerate(names)
                ),
                ", ".join(f"{p} {number(v, 4)}" for p, v in eq.values().items()),
            ]
            for k, eq in enumerate(self.equilibria)
        ]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the search's counts and every equilibrium's own record."""
        found = self.enumeration
        return {
            "method": self.method,
            "selection": self.selection,
            "tol": self.tol,
            "options": dict(self.options),
            "parameters": dict(self.parameters),
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "status": self.status(),
            "max_equilibria": found.max_equilibria,
            "bound_reached": found.cut,
            "stage_games": found.stage_games,
            "stage_games_with_several": found.several,
            "continua": list(found.continua),
            "three_or_more_choosing": list(found.local),
            "equilibria": [eq.to_dict() for eq in self.equilibria],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium and round of its path."""
        import pandas as pd

        return pd.DataFrame(self.rows())

    def to_text(self, limit: int | None = None) -> str:
        """The search's status, then one line per equilibrium: path, P(deal by), values."""
        title = self.equilibria[0].game.title if self.equilibria else ""
        lines = [
            f"{title}: every Markov perfect equilibrium by {self.method} (selection all)",
            f"  {self.status()}",
        ]
        if self.parameters:
            lines.append("  " + parameters_line(self.parameters))
        shown, more = limited(self.summaries(), limit)
        header = ["#", "path", "P(deal by) per round", "state per round", "value from the start"]
        return "\n".join(lines + text_table(header, shown, indent="  ") + more)

    def _repr_html_(self) -> str:
        title = self.equilibria[0].game.title if self.equilibria else ""
        header = ["#", "path", "P(deal by) per round", "state per round", "value from the start"]
        return html_heading(title, self.status()) + html_table(header, self.summaries())

    def __repr__(self) -> str:
        return (
            f"<DynamicEquilibria: {len(self)} Markov perfect equilibria, "
            f"{'complete' if self.complete else 'INCOMPLETE'}>"
        )
