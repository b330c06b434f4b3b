"""The Markov perfect equilibrium of a dynamic game at one point, with its path and its check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.result import ReadOnlyRun
from kurilsim.core.text import limited, number, parameters_line
from kurilsim.forms.dynamic.game import DynamicGame
from kurilsim.forms.dynamic.markov_perfect import MarkovStrategy
from kurilsim.forms.dynamic.path import EquilibriumPath
from kurilsim.forms.normal.labels import OutcomeLabels

if TYPE_CHECKING:
    import pandas as pd

    from kurilsim.forms.dynamic.one_shot_deviation import DeviationCheck


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
    def complete(self) -> bool:
        """True when the method converged and the equilibrium passed the one-shot check."""
        return self.converged and self.verified

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
