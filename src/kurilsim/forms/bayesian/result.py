"""The results of games of incomplete information: equilibria named by types, messages, actions.

:class:`SignallingSolution` lists the perfect Bayesian equilibria of a signalling game, each with
its beliefs (Bayes' rule on the path, the supporting region off it), the intuitive criterion's
verdict and the probability of each outcome. :class:`BayesianSolution` lists the Bayesian Nash
equilibria of a simultaneous game, each type's behaviour by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kurilsim.core.concepts import probability
from kurilsim.core.display import html_heading, html_table
from kurilsim.core.result import EquilibriumListing, incomplete_text
from kurilsim.core.text import counted, limited, number, parameters_line
from kurilsim.forms.bayesian.assessment import (
    ZERO_MASS,
    expected_outcomes,
    expected_payoffs,
    receiver_payoff,
    type_payoffs,
)
from kurilsim.forms.bayesian.bayesian_nash import BayesianEquilibrium, expected_values
from kurilsim.forms.bayesian.bayesian_nash import expected_outcomes as bayesian_outcomes
from kurilsim.forms.bayesian.bayesian_nash import type_payoffs as bayesian_type_payoffs
from kurilsim.forms.bayesian.beliefs import region_text
from kurilsim.forms.bayesian.game import BayesianGame, SignallingGame
from kurilsim.forms.bayesian.perfect_bayesian import SignallingEquilibrium
from kurilsim.forms.normal.result import mixture_text

FloatArray = NDArray[np.float64]


def _mixture(names: tuple[str, ...], probs: FloatArray) -> dict[str, float]:
    return {n: probability(float(p)) for n, p in zip(names, probs, strict=True) if p > ZERO_MASS}


@dataclass(frozen=True, eq=False)
class SignallingSolution(EquilibriumListing[SignallingEquilibrium]):
    """The perfect Bayesian equilibria of a signalling game.

    Attributes
    ----------
    game
        The game solved.
    equilibria
        Pure ones first, then hybrids.
    tol
        Relative tolerance.
    scope
        What the method promises to find.
    incomplete_reason
        ``None`` when the listing is complete (``complete`` is then True); otherwise why not
        (:class:`~kurilsim.core.result.Result`): ``"max_pairs"``, the bound on the strategy
        pairs visited.
    """

    game: SignallingGame
    equilibria: tuple[SignallingEquilibrium, ...]
    tol: float
    scope: str
    incomplete_reason: str | None = None
    method: str = "perfect-bayesian"
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)

    def labels(self) -> tuple[str, ...]:
        """Every equilibrium's :meth:`label`, in order."""
        return tuple(self.label(e) for e in self.equilibria)

    def outcome_probabilities(self, equilibrium: SignallingEquilibrium) -> dict[str, float]:
        """Outcome -> its probability (its expected value, for an outcome that is not 0/1)."""
        values = expected_outcomes(self.game, equilibrium.assessment)
        return {k: float(v) for k, v in zip(self.game.outcomes, values, strict=True)}

    def label(self, equilibrium: SignallingEquilibrium) -> str:
        """The play in words: what each type sends and how the receiver answers.

        Examples
        --------
        >>> from kurilsim.forms.bayesian.literature import beer_quiche
        >>> from kurilsim.forms.bayesian.solve import solve_signalling
        >>> solution = solve_signalling(beer_quiche())
        >>> solution.label(solution[0])
        'pooling: weak, strong send beer -> not_duel (unsent: quiche -> duel)'
        """
        game, a = self.game, equilibrium.assessment
        groups: dict[str, list[str]] = {}
        for t, name in enumerate(game.types):
            groups.setdefault(mixture_text(game.messages, a.sender[t]), []).append(name)
        parts = []
        for sent, types in groups.items():
            replies = [
                f"{game.messages[m]} -> {mixture_text(game.responses, a.receiver[m])}"
                for m in range(len(game.messages))
                if a.sender[game.types.index(types[0]), m] > ZERO_MASS
            ]
            what = replies[0].split(" -> ", 1)[1] if len(replies) == 1 else "; ".join(replies)
            parts.append(
                f"{', '.join(types)} send {sent} -> {what}"
                if len(replies) == 1
                else f"{', '.join(types)} send {sent} ({what})"
            )
        unsent = [
            f"{game.messages[m]} -> {mixture_text(game.responses, a.receiver[m])}"
            for m, region in enumerate(a.regions)
            if region is not None
        ]
        off = f" (unsent: {', '.join(unsent)})" if unsent else ""
        return f"{equilibrium.kind}: " + "; ".join(parts) + off

    def equilibrium_dict(self, equilibrium: SignallingEquilibrium) -> dict[str, Any]:
        """One equilibrium as JSON-ready data, every part named."""
        game, a = self.game, equilibrium.assessment
        on_path = a.on_path(game)
        data: dict[str, Any] = {
            "kind": equilibrium.kind,
            "label": self.label(equilibrium),
            "intuitive": equilibrium.intuitive,
            "intuitive_failure": equilibrium.failure,
            "sender": {t: _mixture(game.messages, a.sender[k]) for k, t in enumerate(game.types)},
            "receiver": {
                m: _mixture(game.responses, a.receiver[k]) for k, m in enumerate(game.messages)
            },
            "beliefs": {
                m: {t: probability(float(p)) for t, p in zip(game.types, a.beliefs[k], strict=True)}
                for k, m in enumerate(game.messages)
                if on_path[k]
            },
            "off_path": {
                m: {
                    "response": _mixture(game.responses, a.receiver[k]),
                    "supported_by": region_text(region, game.types),
                    "vertices": [dict(zip(game.types, map(float, v), strict=True)) for v in region],
                }
                for k, (m, region) in enumerate(zip(game.messages, a.regions, strict=True))
                if region is not None
            },
            "outcomes": self.outcome_probabilities(equilibrium),
            "payoffs": {
                game.sender: dict(zip(game.types, map(float, type_payoffs(game, a)), strict=True)),
                game.receiver: receiver_payoff(game, a),
            },
            "violation": equilibrium.violation,
        }
        if game.sender_acts:
            data["final_actions"] = {
                t: {
                    m: {r: game.actions[a.actions[i, j, k]] for k, r in enumerate(game.responses)}
                    for j, m in enumerate(game.messages)
                }
                for i, t in enumerate(game.types)
            }
        return data

    def to_dict(self) -> dict[str, Any]:
        """The game's names, the method and every equilibrium, as JSON-ready data."""
        game = self.game
        return {
            "method": self.method,
            "scope": self.scope,
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "tol": self.tol,
            "parameters": dict(self.parameters),
            "sender": game.sender,
            "receiver": game.receiver,
            "prior": dict(zip(game.types, map(float, game.prior), strict=True)),
            "equilibria": [self.equilibrium_dict(e) for e in self.equilibria],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium: kind, play, the criterion's verdict, outcome probabilities.

        Then each sender type's expected payoff, ``u(Sender[type])``, and each player's expected
        payoff before the type is drawn, ``payoff.PLAYER``, as the other forms name it.
        """
        rows = []
        for k, e in enumerate(self.equilibria, start=1):
            row: dict[str, Any] = {
                "equilibrium": k,
                "kind": e.kind,
                "label": self.label(e),
                "intuitive": e.intuitive,
            }
            row.update({f"P({o})": v for o, v in self.outcome_probabilities(e).items()})
            payoffs = type_payoffs(self.game, e.assessment)
            row.update(
                {
                    f"u({self.game.sender}[{t}])": float(v)
                    for t, v in zip(self.game.types, payoffs, strict=True)
                }
            )
            sender, receiver = expected_payoffs(self.game, e.assessment)
            row[f"payoff.{self.game.sender}"] = float(sender)
            row[f"payoff.{self.game.receiver}"] = float(receiver)
            rows.append(row)
        return pd.DataFrame(rows)

    def _lines(self, e: SignallingEquilibrium) -> list[str]:
        game, a = self.game, e.assessment
        lines = [f"  {self.label(e)}"]
        on_path = a.on_path(game)
        for m, name in enumerate(game.messages):
            if on_path[m]:
                belief = ", ".join(
                    f"{t} {p:.4g}" for t, p in zip(game.types, a.beliefs[m], strict=True)
                )
                lines.append(
                    f"    after {name}: belief {belief}; "
                    f"{mixture_text(game.responses, a.receiver[m])}"
                )
            else:
                region = a.regions[m]
                assert region is not None
                lines.append(
                    f"    after {name} (never sent): "
                    f"{mixture_text(game.responses, a.receiver[m])}, "
                    f"supported by {region_text(region, game.types)}"
                )
        outcomes = self.outcome_probabilities(e)
        if outcomes:
            lines.append("    " + ", ".join(f"P({k}) {v:.4g}" for k, v in outcomes.items()))
        lines.append(
            "    intuitive criterion: " + ("passes" if e.intuitive else f"fails ({e.failure})")
        )
        return lines

    def to_text(self, limit: int | None = None) -> str:
        """Every equilibrium with beliefs, outcome probabilities and the criterion's verdict.

        ``limit`` lists at most that many equilibria (None or 0: all).
        """
        game = self.game
        prior = ", ".join(f"{t} {p:.4g}" for t, p in zip(game.types, game.prior, strict=True))
        lines = [
            f"{game.title or 'Signalling game'}: {game.sender} ({prior}) signals to "
            f"{game.receiver}",
            f"method {self.method} ({self.scope}); tolerance {self.tol:g}",
        ]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        if not self.complete:
            lines.append(f"WARNING: {incomplete_text(self.incomplete_reason)}")
        lines.append(f"{counted(len(self.equilibria), 'equilibrium', 'equilibria')}:")
        shown, more = limited(self.equilibria, limit)
        for k, e in enumerate(shown, start=1):
            lines.append(f"{k}.")
            lines += self._lines(e)
        return "\n".join(lines + more)

    def _repr_html_(self) -> str:
        """The equilibria as a table."""
        frame = self.to_frame()
        heading = html_heading(
            counted(
                len(self.equilibria), "perfect Bayesian equilibrium", "perfect Bayesian equilibria"
            )
            + f" of {self.game.title or 'the game'}",
            f"{self.scope}"
            + ("" if self.complete else f"; {incomplete_text(self.incomplete_reason)}"),
        )
        rows = [
            [number(v) if isinstance(v, float) else str(v) for v in row]
            for row in frame.itertuples(index=False)
        ]
        return heading + html_table(list(frame.columns), rows)

    def __repr__(self) -> str:
        kinds = [e.kind for e in self.equilibria]
        return (
            f"<SignallingSolution: {counted(len(kinds), 'equilibrium', 'equilibria')}"
            f" ({', '.join(sorted(set(kinds))) or 'none'})>"
        )


@dataclass(frozen=True, eq=False)
class BayesianSolution(EquilibriumListing[BayesianEquilibrium]):
    """The Bayesian Nash equilibria of a simultaneous game of incomplete information."""

    game: BayesianGame
    equilibria: tuple[BayesianEquilibrium, ...]
    tol: float
    scope: str
    incomplete_reason: str | None = None
    method: str = "bayesian-nash"
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)

    def labels(self) -> tuple[str, ...]:
        """Every equilibrium's :meth:`label`, in order."""
        return tuple(self.label(e) for e in self.equilibria)

    def outcome_probabilities(self, equilibrium: BayesianEquilibrium) -> dict[str, float]:
        """Outcome -> its probability (expected value)."""
        values = bayesian_outcomes(self.game, equilibrium)
        return {k: float(v) for k, v in zip(self.game.outcomes, values, strict=True)}

    def kind(self, equilibrium: BayesianEquilibrium) -> str:
        """``"pure"`` when every type plays one action, else ``"mixed"``."""
        pure = all((b.max(axis=1) >= 1 - ZERO_MASS).all() for b in equilibrium.behaviour)
        return "pure" if pure else "mixed"

    def label(self, equilibrium: BayesianEquilibrium) -> str:
        """Each type's action, e.g. ``"Player1: B; Player2[meet]: B, Player2[avoid]: S"``."""
        game = self.game
        return "; ".join(
            ", ".join(
                f"{game.agent_name(i, t)}: {mixture_text(game.actions[i], b[t])}"
                for t in range(len(game.types[i]))
            )
            for i, b in enumerate(equilibrium.behaviour)
        )

    def equilibrium_dict(self, equilibrium: BayesianEquilibrium) -> dict[str, Any]:
        """Player -> type -> action -> probability, with outcomes and interim payoffs."""
        game = self.game
        payoffs = bayesian_type_payoffs(game, equilibrium)
        return {
            "kind": self.kind(equilibrium),
            "label": self.label(equilibrium),
            "behaviour": {
                p: {(t or p): _mixture(game.actions[i], b[k]) for k, t in enumerate(game.types[i])}
                for i, (p, b) in enumerate(zip(game.players, equilibrium.behaviour, strict=True))
            },
            "outcomes": self.outcome_probabilities(equilibrium),
            "payoffs": {
                p: {(t or p): float(v) for t, v in zip(game.types[i], payoffs[i], strict=True)}
                for i, p in enumerate(game.players)
            },
            "max_regret": equilibrium.max_regret,
        }

    def to_dict(self) -> dict[str, Any]:
        """The method and every equilibrium, as JSON-ready data."""
        game = self.game
        return {
            "method": self.method,
            "scope": self.scope,
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "tol": self.tol,
            "parameters": dict(self.parameters),
            "priors": {
                p: dict(zip(t, map(float, prior), strict=True))
                for p, t, prior in zip(game.players, game.types, game.priors, strict=True)
                if t != ("",)
            },
            "equilibria": [self.equilibrium_dict(e) for e in self.equilibria],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium: kind, each type's action, outcome probabilities, payoffs.

        ``payoff.PLAYER`` is the player's expected payoff before the types are drawn, as the
        other forms name a player's payoff.
        """
        rows = []
        game = self.game
        for k, e in enumerate(self.equilibria, start=1):
            row: dict[str, Any] = {"equilibrium": k, "kind": self.kind(e), "label": self.label(e)}
            row.update({f"P({o})": v for o, v in self.outcome_probabilities(e).items()})
            payoffs = expected_values(game, e.behaviour, game.payoffs)
            row.update(
                {f"payoff.{p}": float(v) for p, v in zip(game.players, payoffs, strict=True)}
            )
            row["max_regret"] = e.max_regret
            rows.append(row)
        return pd.DataFrame(rows)

    def to_text(self, limit: int | None = None) -> str:
        """Every equilibrium, by type, with its outcome probabilities (at most ``limit``)."""
        lines = [
            f"{self.game.title or 'Bayesian game'}: {', '.join(self.game.players)}",
            f"method {self.method} ({self.scope}); tolerance {self.tol:g}",
        ]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        if not self.complete:
            lines.append(f"WARNING: {incomplete_text(self.incomplete_reason)}")
        lines.append(f"{counted(len(self.equilibria), 'equilibrium', 'equilibria')}:")
        shown, more = limited(self.equilibria, limit)
        for k, e in enumerate(shown, start=1):
            lines.append(f"{k}. {self.kind(e)}: {self.label(e)}")
            outcomes = self.outcome_probabilities(e)
            if outcomes:
                lines.append("    " + ", ".join(f"P({o}) {v:.4g}" for o, v in outcomes.items()))
        return "\n".join(lines + more)

    def _repr_html_(self) -> str:
        """The equilibria as a table."""
        frame = self.to_frame()
        heading = html_heading(
            counted(len(self.equilibria), "Bayesian Nash equilibrium", "Bayesian Nash equilibria")
            + f" of {self.game.title or 'the game'}",
            self.scope,
        )
        rows = [
            [number(v) if isinstance(v, float) else str(v) for v in row]
            for row in frame.itertuples(index=False)
        ]
        return heading + html_table(list(frame.columns), rows)

    def __repr__(self) -> str:
        return f"<BayesianSolution: {counted(len(self.equilibria), 'equilibrium', 'equilibria')}>"
