"""The one result type every normal-form solver returns.

A :class:`Solution` records how it was produced (method, options, tolerance, whether the method
finished) and holds :class:`Equilibrium` objects, each carrying its own verification: the largest
gain any player could get from a unilateral deviation (``max_regret``). Solutions convert to
pandas, to JSON-ready dictionaries and to a plain-text table without loss of the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.result import EquilibriumListing, incomplete_text
from kurilsim.core.text import DISPLAY_ZERO, counted, limited, number, parameters_line
from kurilsim.forms.normal.components import equilibrium_components
from kurilsim.forms.normal.curve_components import CurveComponent, CurveLinks, curves_between
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.regret import normalised_payoffs

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One Nash equilibrium with its verification.

    Attributes
    ----------
    profile
        One probability vector per player.
    payoffs
        Each player's expected payoff, shape ``(N,)``.
    max_regret
        Largest gain any player gets from a unilateral deviation (0 for an exact equilibrium).
    method
        The method that found it.
    """

    profile: tuple[FloatArray, ...]
    payoffs: FloatArray
    max_regret: float
    method: str

    @property
    def kind(self) -> Literal["pure", "mixed"]:
        """``"pure"`` if every player puts all weight on one strategy, else ``"mixed"``."""
        pure = all(float(p.max()) >= 1 - DISPLAY_ZERO for p in self.profile)
        return "pure" if pure else "mixed"

    def support(self) -> tuple[tuple[int, ...], ...]:
        """Indices of the strategies each player plays with positive probability."""
        return tuple(tuple(int(i) for i in np.flatnonzero(p > DISPLAY_ZERO)) for p in self.profile)


@dataclass(frozen=True)
class Component:
    """A connected set of equilibria, given by the equilibria of a solution that lie in it.

    Attributes
    ----------
    members
        Indices, into :attr:`Solution.equilibria`, of the component's equilibria; when the method
        finds extreme equilibria (vertex enumeration, and support enumeration where one player
        mixes), these are the component's extreme points.
    dimension
        0 for an isolated equilibrium, 1 for a segment, 2 or more for a face of that dimension
        (the largest product of convex sets of mixtures inside the component; see
        :mod:`kurilsim.forms.normal.components`).
    curves
        The traced curves of equilibria (on which two or more players mix together) that join
        its members (:mod:`kurilsim.forms.normal.curve_components`), each with sample points.
    """

    members: tuple[int, ...]
    dimension: int
    curves: tuple[CurveComponent, ...] = ()

    @property
    def shape(self) -> str:
        """``"point"`` (dimension 0), ``"segment"`` or ``"curve"`` (1), or ``"face"`` (2 or more).

        A one-dimensional component is a ``"curve"`` when a traced curve in it is not straight.
        """
        if self.dimension == 1 and any(c.shape != "segment" for c in self.curves):
            return "curve"
        return ("point", "segment")[self.dimension] if self.dimension < 2 else "face"


@dataclass(frozen=True, eq=False)
class Solution(EquilibriumListing[Equilibrium]):
    """The equilibria a method found for a game, and how it found them.

    Attributes
    ----------
    game
        The game solved.
    method
        Name of the method, as accepted by :func:`kurilsim.solve`.
    scope
        What the method promises to find, e.g. ``"all pure equilibria"``.
    tol
        Relative tolerance; an equilibrium's ``max_regret`` is at most ``tol * scale``.
    scale
        The game's payoff scale (largest range of a player's payoffs).
    equilibria
        The equilibria found.
    incomplete_reason
        ``None`` when the listing is complete (``complete`` is then True); otherwise why not
        (:class:`~kurilsim.core.result.Result`): ``"max_seconds"`` when the method stopped at
        its time bound, ``"unproved: continuum"`` when support enumeration could not prove a
        continuum of equilibria where two or more players mix to be the traced curves.
    options
        Method options used.
    parameters
        Scenario parameter values the game was built at, if it came from a scenario.
    curve_links
        With three or more players, the traced curves of equilibria that join the equilibria
        into components, as :func:`~kurilsim.forms.normal.solve.solve` found them within its
        time bound; ``None``: traced, without a bound, when the components are first needed.
    """

    game: NormalFormGame
    method: str
    scope: str
    tol: float
    scale: float
    equilibria: tuple[Equilibrium, ...]
    incomplete_reason: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)
    curve_links: CurveLinks | None = field(default=None, repr=False)

    @cached_property
    def _links(self) -> CurveLinks:
        if self.curve_links is not None:
            return self.curve_links
        if self.game.n_players < 3:
            return CurveLinks(())
        # With three or more players two or more can mix along a curve of equilibria.
        norm = normalised_payoffs(self.game.payoffs)
        return curves_between(norm, [eq.profile for eq in self.equilibria], self.tol)

    @property
    def components_complete(self) -> bool:
        """Whether the components are proved: every curve that could join two equilibria traced.

        ``False`` (with :attr:`components_problem` saying why) when the time bound ran out
        before every curve was traced, or a set of equilibria could not be traced as curves:
        equilibria shown in separate components may then lie in one.
        """
        return self._links.complete

    @property
    def components_problem(self) -> str | None:
        """Why the components are not proved, or ``None``."""
        return self._links.problem

    @cached_property
    def components(self) -> tuple[Component, ...]:
        """The equilibria grouped into connected components, in order of first member.

        Two equilibria that differ in one player's mixture are joined by a segment of equilibria,
        so they are in one component (:func:`~kurilsim.forms.normal.components.\
equilibrium_components`). A method that lists every extreme equilibrium of a two-player game
        gives that game's components exactly.

        Examples
        --------
        >>> import numpy as np
        >>> from kurilsim import NormalFormGame, solve
        >>> game = NormalFormGame(["A", "B"], [["x", "y"], ["l", "r"]],
        ...                       np.array([[[1, 1], [1, 0]], [[1, 0], [1, 1]]]))
        >>> [(c.members, c.shape) for c in solve(game).components]
        [((0, 1, 2, 3), 'segment')]
        """
        profiles = [eq.profile for eq in self.equilibria]
        links = self._links.links
        pairs = [(a, b) for a, b, _ in links]
        return tuple(
            Component(m, d, tuple(c for a, _, c in links if a in m))
            for m, d in equilibrium_components(profiles, pairs)
        )

    def _component_column(self) -> list[str]:
        """Per equilibrium, its component's number and shape (empty when all are points)."""
        if all(c.dimension == 0 for c in self.components):
            return []
        column = [""] * len(self.equilibria)
        for number_, component in enumerate(self.components, start=1):
            dimension = f" (dim {component.dimension})" if component.shape == "face" else ""
            for k in component.members:
                column[k] = f"{number_} {component.shape}{dimension}"
        return column

    def _components_warning(self) -> str:
        return (
            f"WARNING: components not proved ({self.components_problem}); equilibria shown "
            "apart may lie in one component"
        )

    def _count_line(self) -> str:
        """``"3 equilibria:"``, or with continua ``"3 extreme equilibria in 1 component ..."``."""
        shapes = [c.shape for c in self.components]
        if all(shape == "point" for shape in shapes):
            return f"{counted(len(self.equilibria), 'equilibrium', 'equilibria')}:"
        kinds = ", ".join(counted(shapes.count(s), s, s + "s") for s in dict.fromkeys(shapes))
        return (
            f"{counted(len(self.equilibria), 'extreme equilibrium', 'extreme equilibria')} in "
            f"{counted(len(shapes), 'component', 'components')} ({kinds}):"
        )

    def profile_dict(self, equilibrium: Equilibrium) -> dict[str, dict[str, float]]:
        """Player -> strategy -> probability, with rounding noise below 1e-12 removed."""
        return {
            player: {s: float(p) for s, p in zip(names, clean_probabilities(probs), strict=True)}
            for player, names, probs in zip(
                self.game.players, self.game.strategies, equilibrium.profile, strict=True
            )
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the game, the method and every equilibrium.

        Examples
        --------
        >>> import numpy as np
        >>> from kurilsim import NormalFormGame, solve
        >>> game = NormalFormGame(["A", "B"], [["x", "y"], ["x", "y"]],
        ...                       np.array([[[1, 1], [0, 0]], [[0, 0], [1, 1]]]))
        >>> [e["profile"]["A"] for e in solve(game, "pure").to_dict()["equilibria"]]
        [{'x': 1.0, 'y': 0.0}, {'x': 0.0, 'y': 1.0}]
        """
        game = self.game
        return {
            "game": {
                "title": game.title,
                "players": list(game.players),
                "strategies": {
                    p: list(s) for p, s in zip(game.players, game.strategies, strict=True)
                },
            },
            "parameters": dict(self.parameters),
            "method": self.method,
            "scope": self.scope,
            "tol": self.tol,
            "scale": self.scale,
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "components_complete": self.components_complete,
            "components_problem": self.components_problem,
            "options": dict(self.options),
            "equilibria": [
                {
                    "kind": eq.kind,
                    "profile": self.profile_dict(eq),
                    "payoffs": {p: float(v) for p, v in zip(game.players, eq.payoffs, strict=True)},
                    "max_regret": eq.max_regret,
                    "method": eq.method,
                }
                for eq in self.equilibria
            ],
            "components": [
                {
                    "extreme_points": list(c.members),
                    "dimension": c.dimension,
                    "shape": c.shape,
                }
                for c in self.components
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium: kind, probabilities, payoffs, max regret and method.

        :meth:`components_frame` says which equilibria form each component.

        Probability columns are named ``prob.<player>.<strategy>``, payoff columns
        ``payoff.<player>``.
        """
        import pandas as pd  # imported when used: solving needs only numpy

        rows = []
        for k, eq in enumerate(self.equilibria, start=1):
            row: dict[str, Any] = {"equilibrium": k, "kind": eq.kind}
            for player, probs in self.profile_dict(eq).items():
                row.update({f"prob.{player}.{s}": p for s, p in probs.items()})
            row.update(
                {
                    f"payoff.{p}": float(v)
                    for p, v in zip(self.game.players, eq.payoffs, strict=True)
                }
            )
            row.update({"max_regret": eq.max_regret, "method": eq.method})
            rows.append(row)
        columns = ["equilibrium", "kind"]
        columns += [
            f"prob.{p}.{s}"
            for p, names in zip(self.game.players, self.game.strategies, strict=True)
            for s in names
        ]
        columns += [f"payoff.{p}" for p in self.game.players] + ["max_regret", "method"]
        return pd.DataFrame(rows, columns=columns)

    def components_frame(self) -> pd.DataFrame:
        """One row per component: its number, dimension, shape and equilibria.

        ``equilibria`` lists the numbers of its equilibria (the ``equilibrium`` column of
        :meth:`to_frame`, from 1); for a continuum found by an enumeration method, its extreme
        points.

        Examples
        --------
        >>> import numpy as np
        >>> from kurilsim import NormalFormGame, solve
        >>> game = NormalFormGame(["A", "B"], [["x", "y"], ["l", "r"]],
        ...                       np.array([[[1, 1], [1, 0]], [[1, 0], [1, 1]]]))
        >>> solve(game).components_frame().to_dict("records")
        [{'component': 1, 'dimension': 1, 'shape': 'segment', 'equilibria': [1, 2, 3, 4]}]
        """
        import pandas as pd  # imported when used: solving needs only numpy

        rows = [
            {
                "component": number_,
                "dimension": c.dimension,
                "shape": c.shape,
                "equilibria": [k + 1 for k in c.members],
            }
            for number_, c in enumerate(self.components, start=1)
        ]
        return pd.DataFrame(rows, columns=["component", "dimension", "shape", "equilibria"])

    def to_text(self, limit: int | None = None) -> str:
        """A plain-text table naming players and strategies, with probabilities and payoffs.

        Parameters
        ----------
        limit
            List at most this many equilibria, then say how many more there are (None or 0:
            all of them).

        Examples
        --------
        >>> import numpy as np
        >>> from kurilsim import NormalFormGame, solve
        >>> game = NormalFormGame(["A", "B"], [["x", "y"], ["x", "y"]],
        ...                       np.array([[[1, 1], [0, 0]], [[0, 0], [1, 1]]]))
        >>> print(solve(game, "pure").to_text(limit=1))  # doctest: +NORMALIZE_WHITESPACE
        Game: 2 players, 2 x 2 strategies
        method pure (all pure equilibria); tolerance 1e-09 x payoff scale 1
        2 equilibria:
        #  kind  A  B  u(A)  u(B)  max regret
        1  pure  x  x  1     1     0.0e+00
        ... and 1 more (--limit 0 shows all)
        """
        game = self.game
        lines = [
            f"{game.title or 'Game'}: {game.n_players} players, "
            f"{' x '.join(map(str, game.shape))} strategies",
            f"method {self.method} ({self.scope}); tolerance {self.tol:g} x payoff scale "
            f"{self.scale:g}",
        ]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        if not self.complete:
            lines.append(f"WARNING: {incomplete_text(self.incomplete_reason)}")
        if not self.components_complete:
            lines.append(self._components_warning())
        if not self.equilibria:
            lines.append("no equilibrium found")
            return "\n".join(lines)
        component = self._component_column()
        header = ["#", *(["component"] if component else []), "kind", *game.players]
        header += [*(f"u({p})" for p in game.players), "max regret"]
        table = [header]
        shown, more = limited(self.equilibria, limit)
        for k, eq in enumerate(shown, start=1):
            table.append(
                [str(k), *([component[k - 1]] if component else []), eq.kind]
                + [
                    mixture_text(names, probs)
                    for names, probs in zip(game.strategies, eq.profile, strict=True)
                ]
                + [number(v) for v in eq.payoffs]
                + [f"{eq.max_regret:.1e}"]
            )
        lines.append(self._count_line())
        lines += text_table(table[0], table[1:]) + more
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The equilibria as a table, under a line saying how they were found."""
        game = self.game
        status = "" if self.complete else f"; {incomplete_text(self.incomplete_reason)}"
        if not self.components_complete:
            status += f"; {self._components_warning().removeprefix('WARNING: ')}"
        heading = html_heading(
            f"{counted(len(self.equilibria), 'equilibrium', 'equilibria')} of "
            f"{game.title or 'the game'}",
            f"method {self.method} ({self.scope}); tolerance {self.tol:g} x payoff scale "
            f"{self.scale:g}{status}",
        )
        component = self._component_column()
        header = ["#", *(["component"] if component else []), "kind", *game.players]
        header += [*(f"u({p})" for p in game.players), "max regret"]
        rows = [
            [str(k), *([component[k - 1]] if component else []), eq.kind]
            + [mixture_text(n, p) for n, p in zip(game.strategies, eq.profile, strict=True)]
            + [number(v) for v in eq.payoffs]
            + [f"{eq.max_regret:.1e}"]
            for k, eq in enumerate(self.equilibria, start=1)
        ]
        return heading + html_table(header, rows)

    def __repr__(self) -> str:
        kinds = [eq.kind for eq in self.equilibria]
        return (
            f"<Solution {self.method}: {counted(len(kinds), 'equilibrium', 'equilibria')} "
            f"({kinds.count('pure')} pure, {kinds.count('mixed')} mixed)"
            f"{'' if self.complete else f', incomplete ({self.incomplete_reason})'}>"
        )


def clean_probabilities(probs: FloatArray) -> FloatArray:
    """The probabilities with rounding noise below :data:`DISPLAY_ZERO` off 0 and 1 removed.

    Examples
    --------
    >>> clean_probabilities(np.array([1e-15, 0.25, 1 - 1e-15, -1e-16])).tolist()
    [0.0, 0.25, 1.0, 0.0]
    """
    near_one = np.where(np.abs(probs - 1) < DISPLAY_ZERO, 1.0, probs)
    cleaned: FloatArray = np.where(np.abs(probs) < DISPLAY_ZERO, 0.0, near_one)
    return cleaned


def mixture_text(names: Sequence[str], probs: FloatArray) -> str:
    """A strategy's name if it is played for sure, else ``"name p, name p"`` over its support.

    Examples
    --------
    >>> import numpy as np
    >>> mixture_text(["H", "T"], np.array([1.0, 0.0])), mixture_text(["H", "T"], np.full(2, 0.5))
    ('H', 'H 0.5, T 0.5')
    """
    played = [(n, float(p)) for n, p in zip(names, probs, strict=True) if p > DISPLAY_ZERO]
    if len(played) == 1:
        return played[0][0]
    return ", ".join(f"{n} {p:.4g}" for n, p in played)
