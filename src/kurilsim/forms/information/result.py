"""The result of solving a tree with information sets: profiles in behaviour strategies.

A :class:`BehaviourSolution` holds what a method found (Nash equilibria, subgame-perfect
equilibria, or the logit QRE and its limit), each a :class:`BehaviourProfile`: a probability for
every action at every information set, every player's expected payoff, the probability of each
leaf (and of each named outcome), the beliefs Bayes' rule gives where play reaches, and the
profile's max regret, computed by a best-response pass over the tree independently of the method.
Players, information sets and actions are named by their labels in text, tables and JSON (a
profile as player -> information set -> action -> probability).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.result import ReadOnlyRun, incomplete_text
from kurilsim.core.text import DISPLAY_ZERO, counted, limited, number, parameters_line
from kurilsim.forms.information.game import InformationTree

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class BehaviourProfile:
    """One profile in behaviour strategies, with its verification.

    Attributes
    ----------
    behaviour
        One probability vector per information set, in the tree's order of sets.
    payoffs
        Each player's expected payoff, shape ``(N,)``.
    leaf_probabilities
        The probability of reaching each leaf, shape ``(n_leaves,)``.
    beliefs
        Per information set: the belief over its nodes by Bayes' rule, or None where play does
        not reach it.
    max_regret
        The most any player gains by a best reply (0 for an exact Nash equilibrium).
    concept
        What the profile is: ``"Nash"``, ``"subgame-perfect"``, ``"logit QRE"`` ...
    precision
        For a logit QRE, its precision (lambda); None otherwise.
    """

    behaviour: tuple[FloatArray, ...]
    payoffs: FloatArray
    leaf_probabilities: FloatArray
    beliefs: tuple[FloatArray | None, ...]
    max_regret: float
    concept: str
    precision: float | None = None

    @property
    def pure(self) -> bool:
        """Whether every information set has one action played with probability one."""
        return all(float(p.max()) >= 1 - DISPLAY_ZERO for p in self.behaviour)


@dataclass(frozen=True, eq=False)
class BehaviourSolution(ReadOnlyRun):
    """The profiles a method found for a tree with information sets, and how it found them.

    Attributes
    ----------
    game
        The tree solved.
    method
        The method's name, as :func:`kurilsim.solve` takes it.
    scope
        What the method promises, e.g. ``"one Nash equilibrium"``.
    tol
        Relative tolerance: a Nash equilibrium's ``max_regret`` is at most ``tol * scale``.
    scale
        The largest range of a player's leaf payoffs.
    profiles
        What was found.
    incomplete_reason
        ``None`` when the answer is complete (``complete`` is then True); otherwise why not
        (:class:`~kurilsim.core.result.Result`): the bound that stopped the method
        (``"max_seconds"``, ``"max_pivots"``), or ``"scope: one equilibrium"`` where ``auto``
        found one equilibrium by the sequence form.
    options
        The method options used.
    parameters
        Scenario parameter values the tree was built at.
    note
        A line on how the answer was found (e.g. the pivots made), or "".
    """

    game: InformationTree
    method: str
    scope: str
    tol: float
    scale: float
    profiles: tuple[BehaviourProfile, ...]
    incomplete_reason: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)
    note: str = ""

    def __len__(self) -> int:
        return len(self.profiles)

    def __iter__(self) -> Iterator[BehaviourProfile]:
        return iter(self.profiles)

    def __getitem__(self, index: int) -> BehaviourProfile:
        return self.profiles[index]

    def behaviour_dict(self, profile: BehaviourProfile) -> dict[str, dict[str, dict[str, float]]]:
        """Player -> information set -> action -> probability.

        Examples
        --------
        >>> from kurilsim import solve
        >>> from kurilsim.forms.information.catalogue import matching_pennies_tree
        >>> solution = solve(matching_pennies_tree(), method="sequence-lemke")
        >>> solution.behaviour_dict(solution[0])["Odd"]
        {'Odd': {'Heads': 0.5, 'Tails': 0.5}}
        """
        tree = self.game
        result: dict[str, dict[str, dict[str, float]]] = {p: {} for p in tree.players}
        for h, entry in enumerate(tree.infosets):
            result[tree.players[entry.player]][entry.label] = {
                a: _clean(float(p))
                for a, p in zip(entry.actions, profile.behaviour[h], strict=True)
            }
        return result

    def outcome_probabilities(self, profile: BehaviourProfile) -> dict[str, float]:
        """The probability of each leaf reached, by the leaf's name (its label or its path)."""
        tree = self.game
        return {
            tree.node_name(tree.leaves[k]): _clean(float(p))
            for k, p in enumerate(profile.leaf_probabilities)
            if p > DISPLAY_ZERO
        }

    def named_outcome_probabilities(self, profile: BehaviourProfile) -> dict[str, float]:
        """The probability of each named outcome (a label on outcomes, e.g. ``"deal"``) reached.

        An outcome counts when play passes a node holding it; unnamed outcomes are left out.
        """
        tree = self.game
        reach = np.zeros(tree.n_nodes)
        reach[list(tree.leaves)] = profile.leaf_probabilities
        for v in reversed(range(1, tree.n_nodes)):
            reach[tree.parents[v]] += reach[v]
        totals: dict[str, float] = {}
        for node in np.flatnonzero(tree.outcome_of >= 0).tolist():
            label = tree.outcomes[int(tree.outcome_of[node])].label
            if label:
                totals[label] = totals.get(label, 0.0) + float(reach[node])
        return {k: _clean(v) for k, v in totals.items()}

    def _profile_lines(self, k: int, profile: BehaviourProfile) -> list[str]:
        tree = self.game
        title = f"{profile.concept} {k}"
        if profile.precision is not None:
            title += f" (precision {number(profile.precision)})"
        lines = [
            f"{title}: payoffs "
            + ", ".join(
                f"{p} {number(float(v))}"
                for p, v in zip(tree.players, profile.payoffs, strict=True)
            )
            + f"; max regret {profile.max_regret:.3g}"
        ]
        rows = []
        for h, entry in enumerate(tree.infosets):
            played = [
                f"{a} {number(float(p), 4)}" if p < 1 - DISPLAY_ZERO else a
                for a, p in zip(entry.actions, profile.behaviour[h], strict=True)
                if p > DISPLAY_ZERO
            ]
            belief = profile.beliefs[h]
            shown = (
                "(not reached)"
                if belief is None
                else ", ".join(number(float(b), 4) for b in belief)
                if len(belief) > 1
                else ""
            )
            rows.append([tree.players[entry.player], entry.label, "; ".join(played), shown])
        lines += text_table(["player", "information set", "plays", "belief"], rows, indent="  ")
        leaves = sorted(self.outcome_probabilities(profile).items(), key=lambda item: -item[1])
        lines.append("  outcomes: " + "; ".join(f"{name} {number(p, 4)}" for name, p in leaves))
        return lines

    def _lines(self) -> list[str]:
        tree = self.game
        lines = [
            f"{tree.title or 'Game tree'}: {tree.summary()}",
            f"method {self.method} ({self.scope}); tolerance {self.tol:g} x each player's payoff "
            f"range (largest {self.scale:g})",
        ]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        if self.note:
            lines.append(self.note)
        found = counted(len(self.profiles), "profile")
        if not self.complete:
            lines.append(f"WARNING: {incomplete_text(self.incomplete_reason, 'profiles')}")
        lines.append(found)
        return lines

    def to_text(self, limit: int | None = None) -> str:
        """A plain-text report: how the profiles were found, then each with its moves and outcomes.

        Parameters
        ----------
        limit
            Show at most this many profiles, then say how many more there are (None or 0: all).

        Examples
        --------
        >>> from kurilsim import solve
        >>> from kurilsim.forms.information.catalogue import matching_pennies_tree
        >>> print(solve(matching_pennies_tree(), method="sequence-lemke").to_text())
        ... # doctest: +ELLIPSIS
        Matching pennies as a tree (von Neumann 1928): 2 players, 2 information sets, ...
        method sequence-lemke (one Nash equilibrium); tolerance 1e-09 x ...
        ...
        Nash 1: payoffs Even 0, Odd 0; max regret 0
          player  information set  plays                 belief
          Even    Even             Heads 0.5; Tails 0.5
          Odd     Odd              Heads 0.5; Tails 0.5  0.5, 0.5
          outcomes: Heads > Heads 0.25; Heads > Tails 0.25; Tails > Heads 0.25; Tails > Tails 0.25
        """
        shown, more = limited(list(enumerate(self.profiles, start=1)), limit)
        lines = self._lines()
        for k, profile in shown:
            lines += self._profile_lines(k, profile)
        return "\n".join(lines + more)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the tree, the method and every profile with its outcomes.

        Examples
        --------
        >>> from kurilsim import solve
        >>> from kurilsim.forms.information.catalogue import kuhn_poker
        >>> data = solve(kuhn_poker(), method="sequence-lemke").to_dict()
        >>> data["profiles"][0]["behaviour"]["Player 2"]["K after Bet"]
        {'Fold': 0.0, 'Call': 1.0}
        >>> round(data["profiles"][0]["payoffs"]["Player 1"] * 18, 6)
        -1.0
        """
        tree = self.game
        return {
            "game": {
                "title": tree.title,
                "form": "information",
                "players": list(tree.players),
                "information_sets": [
                    {
                        "player": tree.players[s.player],
                        "label": s.label,
                        "actions": list(s.actions),
                        "nodes": [tree.node_name(v) for v in s.nodes],
                    }
                    for s in tree.infosets
                ],
                "chance_nodes": len(tree.chance_nodes()),
                "leaves": len(tree.leaves),
            },
            "parameters": dict(self.parameters),
            "method": self.method,
            "scope": self.scope,
            "tol": self.tol,
            "scale": self.scale,
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "options": dict(self.options),
            "note": self.note or None,
            "profiles": [
                {
                    "concept": p.concept,
                    "precision": p.precision,
                    "behaviour": self.behaviour_dict(p),
                    "beliefs": {
                        tree.infoset_name(h): None if b is None else [_clean(float(x)) for x in b]
                        for h, b in enumerate(p.beliefs)
                    },
                    "payoffs": {
                        name: float(v) for name, v in zip(tree.players, p.payoffs, strict=True)
                    },
                    "outcome_probabilities": self.outcome_probabilities(p),
                    "named_outcome_probabilities": self.named_outcome_probabilities(p),
                    "max_regret": p.max_regret,
                }
                for p in self.profiles
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per profile, information set and action: its probability in the profile.

        Columns: ``profile``, ``concept``, ``player``, ``infoset``, ``action``, ``probability``.

        Examples
        --------
        >>> from kurilsim import solve
        >>> from kurilsim.forms.information.catalogue import matching_pennies_tree
        >>> frame = solve(matching_pennies_tree(), method="sequence-lemke").to_frame()
        >>> frame[["player", "infoset", "action", "probability"]].values.tolist()[:2]
        [['Even', 'Even', 'Heads', 0.5], ['Even', 'Even', 'Tails', 0.5]]
        """
        import pandas as pd  # imported when used: solving needs only numpy

        tree = self.game
        records = [
            [k, profile.concept, tree.players[entry.player], entry.label, action, _clean(float(p))]
            for k, profile in enumerate(self.profiles, start=1)
            for h, entry in enumerate(tree.infosets)
            for action, p in zip(entry.actions, profile.behaviour[h], strict=True)
        ]
        columns = ["profile", "concept", "player", "infoset", "action", "probability"]
        return pd.DataFrame(records, columns=columns)

    def _repr_html_(self) -> str:
        """Each profile's moves as a table, under the lines saying how they were found."""
        lines = self._lines()
        tables = []
        for k, profile in enumerate(self.profiles, start=1):
            rows = [
                [
                    self.game.players[entry.player],
                    entry.label,
                    "; ".join(
                        f"{a} {number(float(p), 4)}"
                        for a, p in zip(entry.actions, profile.behaviour[h], strict=True)
                        if p > DISPLAY_ZERO
                    ),
                ]
                for h, entry in enumerate(self.game.infosets)
            ]
            caption = f"{profile.concept} {k}; max regret {profile.max_regret:.3g}"
            tables.append(html_table(["player", "information set", "plays"], rows, caption))
        return html_heading(lines[0], " ".join(lines[1:])) + "".join(tables)

    def __repr__(self) -> str:
        return (
            f"<BehaviourSolution {self.method}: {counted(len(self.profiles), 'profile')}"
            f"{'' if self.complete else f', incomplete ({self.incomplete_reason})'}>"
        )


def _clean(value: float) -> float:
    """Rounding noise below the display threshold removed (and -0.0 made 0.0)."""
    return 0.0 if abs(value) < DISPLAY_ZERO else (1.0 if abs(value - 1) < DISPLAY_ZERO else value)
