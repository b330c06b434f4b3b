"""Readable names for equilibria, and for the regime (the set of equilibria) at a point.

A pure equilibrium is named by its strategy profile, ``"Russia: joint_economic, Japan:
economics_only, ..."``, unless the scenario file declares ``labels``: then every entry whose
``when`` matches the profile contributes its text once, in file order, joined by ``"; "`` (profiles
no entry matches keep their strategy names). A mixed equilibrium is named by its supports. The
*regime* at a point joins the names of its equilibria with ``" or "``: the categories of a regime
map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.core.rules import SemanticError, match_mask
from kurilsim.core.scenario import Scenario

BoolArray = NDArray[np.bool_]

#: The regime of a point with no pure equilibrium.
NO_PURE = "no pure equilibrium"
#: The regime of a point where a method found no equilibrium.
NO_EQUILIBRIUM = "no equilibrium found"
#: Joins the names of the equilibria at one point.
SEPARATOR = " or "


@dataclass(frozen=True)
class OutcomeLabels:
    """Names strategy profiles of one scenario; create with :func:`outcome_labels`.

    Attributes
    ----------
    players, strategies
        The scenario's players and their strategy names.
    declared
        The scenario's labels: each text with a flat mask over profiles (C order).
    """

    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    declared: tuple[tuple[str, BoolArray], ...] = field(default=(), repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        """The number of strategies of each player."""
        return tuple(len(s) for s in self.strategies)

    def pure(self, flat: int) -> str:
        """The name of the pure profile with flat (C-order) index ``flat``.

        Examples
        --------
        >>> labels = OutcomeLabels(("A", "B"), (("x", "y"), ("u", "v", "w")))
        >>> labels.pure(4)
        'A: y, B: v'
        """
        matched = dict.fromkeys(text for text, mask in self.declared if mask[flat])
        if matched:
            return "; ".join(matched)
        cell = np.unravel_index(flat, self.shape)
        return ", ".join(
            f"{player}: {names[int(s)]}"
            for player, names, s in zip(self.players, self.strategies, cell, strict=True)
        )

    def support(self, support: Sequence[Sequence[int]]) -> str:
        """The name of an equilibrium with the given supports (strategy indices per player).

        Examples
        --------
        >>> labels = OutcomeLabels(("A", "B"), (("x", "y"), ("u", "v")))
        >>> labels.support([[0], [1]])
        'A: x, B: v'
        >>> labels.support([[0, 1], [1]])
        'mixed: A: x/y, B: v'
        """
        if all(len(s) == 1 for s in support):
            return self.pure(int(np.ravel_multi_index([s[0] for s in support], self.shape)))
        return "mixed: " + ", ".join(
            f"{player}: {'/'.join(names[i] for i in s)}"
            for player, names, s in zip(self.players, self.strategies, support, strict=True)
        )

    def union(self, profiles: Sequence[Sequence[NDArray[np.float64]]]) -> str:
        """The name of a continuum of equilibria: the strategies some profile of it plays.

        Examples
        --------
        >>> labels = OutcomeLabels(("A", "B"), (("x", "y"), ("u", "v")))
        >>> e = np.eye(2)
        >>> labels.union([(e[0], e[1]), (np.array([0.5, 0.5]), e[1])])
        'mixed: A: x/y, B: v'
        """
        players = zip(*profiles, strict=True)
        used = [np.any([p > 1e-12 for p in player], axis=0) for player in players]
        return self.support([tuple(int(i) for i in np.flatnonzero(u)) for u in used])

    def regime(self, names: Sequence[str], none: str = NO_PURE) -> str:
        """The regime of equilibria with these names, in the order the file declares its labels.

        Names made of declared labels come first, in the order of the ``labels`` block, the
        others after them as given (in the order of the profiles): so one set of equilibria
        reads the same at every point, whichever profiles carry its labels there.

        Examples
        --------
        >>> both = np.array([1, 0, 1, 0], bool), np.array([0, 1, 0, 1], bool)
        >>> labels = OutcomeLabels(
        ...     ("A", "B"), (("x", "y"), ("u", "v")), (("cooperate", both[0]), ("defect", both[1])))
        >>> labels.regime([labels.pure(0), labels.pure(3)])
        'cooperate or defect'
        >>> labels.regime([labels.pure(1), labels.pure(2)])
        'cooperate or defect'
        """
        rank: dict[str, int] = {}
        for text, _ in self.declared:  # a text declared twice ranks where it first appears
            rank.setdefault(text, len(rank))

        def key(name: str) -> tuple[int, ...]:
            parts = name.split("; ")
            if all(part in rank for part in parts):
                return (0, *(rank[part] for part in parts))
            return (1,)

        return regime(sorted(dict.fromkeys(names), key=key), none)


def regime(names: Sequence[str], none: str = NO_PURE) -> str:
    """The regime at a point: its equilibria's distinct names, in order, or ``none``.

    Examples
    --------
    >>> regime(["A", "B", "A"])
    'A or B'
    >>> regime([])
    'no pure equilibrium'
    """
    return SEPARATOR.join(dict.fromkeys(names)) or none


def outcome_labels(scenario: Scenario) -> OutcomeLabels:
    """The names of ``scenario``'s profiles, from its ``labels`` where it declares them.

    Raises
    ------
    InputError
        If a label names a player or strategy the scenario does not have.

    Examples
    --------
    >>> from kurilsim import parse_scenario
    >>> hunt = parse_scenario(
    ...     "{kurilsim: 1, title: Hunt, players: {A: [stag, hare], B: [stag, hare]},"
    ...     " payoffs: {A: 1, B: 1}, labels: [{when: {A: stag, B: stag}, label: shared stag}]}")
    >>> names = outcome_labels(hunt)
    >>> names.pure(0), names.pure(3)
    ('shared stag', 'A: hare, B: hare')
    """
    declared = []
    for k, entry in enumerate(scenario.spec.labels):
        try:
            mask = match_mask(
                entry.when, scenario.players, scenario.strategies, ("labels", k, "when")
            )
        except SemanticError as exc:
            raise InputError(exc.reason, file=scenario.source, field=exc.field) from None
        declared.append((entry.label, mask.reshape(-1)))
    return OutcomeLabels(scenario.players, scenario.strategies, tuple(declared))
