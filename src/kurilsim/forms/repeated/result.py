"""What a repeated game sustains: thresholds per stage profile, checked profiles, the payoff set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.result import ReadOnlyRun, incomplete_text
from kurilsim.forms.normal.result import Solution
from kurilsim.forms.repeated.game import RepeatedGame
from kurilsim.forms.repeated.payoff_set import PayoffSet

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]


def profile_label(players: Iterable[str], plays: Iterable[str]) -> str:
    """A profile's name: each player's strategy or mix.

    A pure stage equilibrium and the same profile sustained by a punishment are named alike, so
    that they are one outcome where predictions are compared.

    Examples
    --------
    >>> profile_label(("USSR", "Japan"), ("two islands", "0.5 wait + 0.5 accept"))
    'USSR: two islands, Japan: 0.5 wait + 0.5 accept'
    """
    return ", ".join(f"{player}: {play}" for player, play in zip(players, plays, strict=True))


@dataclass(frozen=True, eq=False)
class RepeatedSolution(ReadOnlyRun):
    """Which pure stage profiles a repeated game sustains, and from what discount factor.

    Attributes
    ----------
    game
        The repeated game.
    tol
        Relative tolerance used.
    stage
        The stage game's Nash equilibria (all of them the stage method finds; see its scope).
    cells
        The pure stage profiles, as strategy-index tuples, in the order of the arrays below.
    path_payoffs, deviation_payoffs
        Shape ``(P, N)``: each player's payoff at each profile, and her best one-shot deviation's.
    nash_thresholds
        Shape ``(P, E, N)``: the discount factor from which grim trigger with reversion to stage
        equilibrium ``e`` keeps player ``i`` on the profile (``inf``: never below 1).
    grim
        Shape ``(P, N)``: the same with each deviator punished by the stage equilibrium worst for
        her.
    minmax_pure, minmax_mixed
        Each player's pure and (two players) mixed minmax payoff.
    floor_pure, floor_mixed
        Shape ``(P, N)``: below ``floor_mixed`` (two players) no subgame-perfect equilibrium
        repeats the profile; below ``floor_pure`` none in pure strategies does.
    sustained_by_grim
        Per profile: grim trigger sustains it at the game's discount factors (checked by the
        one-shot deviation principle).
    mutual_minmax
        Two players: the profile in which each holds the other to her pure minmax.
    punishment_rounds
        Per profile: the fewest rounds of mutual-minmax punishment that sustain it at the game's
        discount factors (checked by the one-shot deviation principle); 0 when none up to
        ``max_rounds`` does, or with more than two players.
    payoff_set
        Two players, method ``auto``: the outer approximation of the subgame-perfect payoff set.
    incomplete_reason
        ``None`` when complete (``complete`` is then True); otherwise why not
        (:class:`~kurilsim.core.result.Result`): the stage method's reason, or ``"limit:
        payoff set steps"`` when the payoff set did not converge.
    """

    game: RepeatedGame
    tol: float
    stage: Solution
    cells: tuple[tuple[int, ...], ...]
    path_payoffs: FloatArray = field(repr=False)
    deviation_payoffs: FloatArray = field(repr=False)
    nash_thresholds: FloatArray = field(repr=False)
    grim: FloatArray = field(repr=False)
    minmax_pure: FloatArray = field(repr=False)
    minmax_mixed: FloatArray | None = field(repr=False)
    floor_pure: FloatArray = field(repr=False)
    floor_mixed: FloatArray | None = field(repr=False)
    sustained_by_grim: NDArray[np.bool_] = field(repr=False)
    mutual_minmax: tuple[int, ...] | None
    punishment_rounds: NDArray[np.int64] = field(repr=False)
    payoff_set: PayoffSet | None
    method: str = "auto"
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    incomplete_reason: str | None = None

    def label(self, k: int) -> str:
        """The name of profile ``k``: each player's strategy."""
        stage = self.game.stage
        chosen = (names[s] for names, s in zip(stage.strategies, self.cells[k], strict=True))
        return profile_label(stage.players, chosen)

    def label_of(self, cell: tuple[int, ...] | None) -> str:
        """The name of the pure profile ``cell``."""
        if cell is None:
            return ""
        return self.label(self.cells.index(tuple(cell)))

    def sustained(self) -> NDArray[np.bool_]:
        """Per profile: sustained at the game's discount factors by grim trigger or the minmax."""
        return np.asarray(self.sustained_by_grim | (self.punishment_rounds > 0))

    def sustained_labels(self) -> list[str]:
        """The profiles sustained at the game's discount factors, by name."""
        return [self.label(int(k)) for k in np.flatnonzero(self.sustained())]

    def rows(self) -> list[dict[str, Any]]:
        """One record per pure stage profile."""
        players = self.game.players
        records = []
        for k in range(len(self.cells)):
            row: dict[str, Any] = {"label": self.label(k)}
            for i, p in enumerate(players):
                row[f"payoff.{p}"] = float(self.path_payoffs[k, i])
                row[f"gain.{p}"] = float(self.deviation_payoffs[k, i] - self.path_payoffs[k, i])
                row[f"grim.{p}"] = float(self.grim[k, i])
                row[f"floor_pure.{p}"] = float(self.floor_pure[k, i])
                if self.floor_mixed is not None:
                    row[f"floor_mixed.{p}"] = float(self.floor_mixed[k, i])
            row["sustained_by_grim"] = bool(self.sustained_by_grim[k])
            row["punishment_rounds"] = int(self.punishment_rounds[k])
            records.append(row)
        return records

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data (``inf`` thresholds as ``None``)."""
        players = self.game.players
        profiles = []
        for k, row in enumerate(self.rows()):
            row["reversion"] = [
                {p: _number(x) for p, x in zip(players, self.nash_thresholds[k, e], strict=True)}
                for e in range(self.nash_thresholds.shape[1])
            ]
            profiles.append({key: _number(v) for key, v in row.items()})
        payoff_set = None
        if self.payoff_set is not None:
            payoff_set = {
                "vertices": self.payoff_set.vertices.tolist(),
                "directions": self.payoff_set.directions,
                "steps": self.payoff_set.steps,
                "converged": self.payoff_set.converged,
            }
        return {
            "method": self.method,
            "discount": dict(zip(players, self.game.discount.tolist(), strict=True)),
            "stage_equilibria": [self.stage.profile_dict(e) for e in self.stage.equilibria],
            "stage_payoffs": [e.payoffs.tolist() for e in self.stage.equilibria],
            "minmax_pure": dict(zip(players, self.minmax_pure.tolist(), strict=True)),
            "minmax_mixed": (
                None
                if self.minmax_mixed is None
                else dict(zip(players, self.minmax_mixed.tolist(), strict=True))
            ),
            "sustained": self.sustained_labels(),
            "profiles": profiles,
            "payoff_set": payoff_set,
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "options": dict(self.options),
            "parameters": {k: float(v) for k, v in self.parameters.items()},
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per pure stage profile."""
        import pandas as pd

        return pd.DataFrame(self.rows())

    def _table(self) -> tuple[list[str], list[list[str]]]:
        players = self.game.players
        header = ["profile", "payoffs", *(f"grim {p}" for p in players)]
        header += [*(f"minmax {p}" for p in players), "sustained"]
        floor = self.floor_mixed if self.floor_mixed is not None else self.floor_pure
        rows = []
        for k in range(len(self.cells)):
            how = []
            if self.sustained_by_grim[k]:
                how.append("grim")
            if self.punishment_rounds[k]:
                how.append(f"minmax x{self.punishment_rounds[k]}")
            rows.append(
                [
                    self.label(k),
                    ", ".join(f"{x:.3g}" for x in self.path_payoffs[k]),
                    *(_threshold(x) for x in self.grim[k]),
                    *(_threshold(x) for x in floor[k]),
                    " + ".join(how) or "no",
                ]
            )
        return header, rows

    def _summary(self) -> str:
        players = self.game.players
        discount = ", ".join(f"{p} {d:g}" for p, d in zip(players, self.game.discount, strict=True))
        kind = "mixed" if self.minmax_mixed is not None else "pure"
        minmax = self.minmax_mixed if self.minmax_mixed is not None else self.minmax_pure
        values = ", ".join(f"{p} {v:.3g}" for p, v in zip(players, minmax, strict=True))
        return f"discount factors {discount}; {kind} minmax {values}"

    def to_text(self, limit: int | None = None) -> str:
        """The thresholds table, what is sustained, and the payoff set's corners.

        ``limit`` caps the rows of the table (the sustained profiles are listed in full below).
        """
        header, rows = self._table()
        hidden = 0 if limit is None else max(len(rows) - limit, 0)
        rows = rows[: len(rows) - hidden]
        lines = [f"{self.game.title}, repeated: {self._summary()}"]
        lines += [
            "Stage equilibria: "
            + "; ".join(
                ", ".join(f"{v:.3g}" for v in e.payoffs) + f" ({e.kind})"
                for e in self.stage.equilibria
            ),
            "Thresholds: grim = least discount factor under Nash reversion (worst stage "
            "equilibrium for the deviator); minmax = below it no subgame-perfect equilibrium "
            "repeats the profile ('-' = never below 1).",
            *text_table(header, rows),
        ]
        if hidden:
            lines.append(f"({hidden} more profiles not shown; raise the limit to see them)")
        sustained = self.sustained_labels()
        lines.append("Sustained now: " + ("; ".join(sustained) if sustained else "none"))
        if self.payoff_set is not None:
            noise = 1e-9 * self.stage.scale  # rounding far below the payoffs is shown as 0
            corners = (
                "none (empty)"
                if self.payoff_set.empty
                else "; ".join(
                    "(" + ", ".join(f"{x if abs(x) > noise else 0.0:.3g}" for x in v) + ")"
                    for v in self.payoff_set.vertices
                )
            )
            state = "" if self.payoff_set.converged else " (NOT converged)"
            lines.append(f"Subgame-perfect payoff set (outer approximation){state}: {corners}")
        if not self.complete:
            lines.append(f"WARNING: {incomplete_text(self.incomplete_reason, 'answers')}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        header, rows = self._table()
        return html_heading(f"{self.game.title}, repeated", self._summary()) + html_table(
            header, rows
        )

    def __repr__(self) -> str:
        return f"<RepeatedSolution {self.game.title!r}: {len(self.sustained_labels())} sustained>"


def _threshold(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{value:.3g}"


def _number(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
