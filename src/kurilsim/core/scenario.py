"""A loaded scenario of any game form: its metadata, parameters and evidence, and its form.

A :class:`Scenario` is immutable. What every scenario shares (title, description, sources,
parameters with defaults, ranges, units and evidence, a recorded history) lives here; what depends
on the game form is asked of the :class:`~kurilsim.core.form.GameForm` the scenario holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.display import PARAMETER_HEADER, html_heading, html_table, parameter_rows
from kurilsim.core.errors import InputError
from kurilsim.core.parameters import resolve
from kurilsim.core.schema import Parameter, ScenarioHeader, Source
from kurilsim.core.tolerance import DEFAULT_TOL

if TYPE_CHECKING:
    from kurilsim.core.form import GameForm
    from kurilsim.core.result import Result

T = TypeVar("T")

#: Characters of a scenario's description shown in its Jupyter display.
DESCRIPTION_SHOWN = 300


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario: metadata, parameters and evidence, and its game form.

    Create one with :func:`kurilsim.load_scenario` or :func:`kurilsim.parse_scenario`.

    Attributes
    ----------
    form
        The game form (:class:`~kurilsim.core.form.GameForm`) the file declares.
    spec
        The file's content as validated data.
    compiled
        What the form compiled the file into: its rules and expressions, ready to evaluate.
    source
        Where the scenario was read from (a path, or ``"<string>"``).

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> scenario = load_scenario("scenarios/sequence_1956.yaml")
    >>> scenario.form.name, scenario.players
    ('extensive', ('USSR', 'US', 'Japan'))
    >>> scenario.solve().method
    'backward-induction'
    """

    form: GameForm
    spec: Any
    compiled: Any = field(repr=False)
    source: str

    @property
    def header(self) -> ScenarioHeader:
        """The fields every scenario file has (title, parameters, sources, history ...)."""
        header: ScenarioHeader = self.spec
        return header

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self.header.title

    @property
    def description(self) -> str:
        """The scenario's description, on one line."""
        return " ".join((self.header.description or "").split())

    @property
    def players(self) -> tuple[str, ...]:
        """The players (a conflict's decision makers), in order."""
        return self.form.players(self)

    @property
    def strategies(self) -> tuple[tuple[str, ...], ...]:
        """Each player's strategies (a tree's plans, a conflict's options; none in bargaining)."""
        return self.form.strategies(self)

    @property
    def parameters(self) -> Mapping[str, Parameter]:
        """Parameter name -> its declaration (default, range, unit, evidence)."""
        return MappingProxyType(self.header.parameters)

    @property
    def sources(self) -> tuple[Source, ...]:
        """The publications the scenario cites."""
        return self.header.sources

    def defaults(self) -> dict[str, float]:
        """Every parameter's default value."""
        return resolve(self.header.parameters)

    def parameter_values(self, overrides: Mapping[str, ArrayLike] | None = None) -> dict[str, Any]:
        """Defaults updated by ``overrides``; see :func:`~kurilsim.core.parameters.resolve`."""
        return resolve(self.header.parameters, overrides)

    def game(self, overrides: Mapping[str, float] | None = None, **options: Any) -> Any:
        """The form's game at the given parameter values (defaults for the rest).

        A normal-form game, a game tree, a bargaining problem or a conflict, as the form has it;
        ``options`` are the form's (``points`` for a bargaining problem's grid).

        Raises
        ------
        InputError
            For a refused parameter value, an array given for one game, or a payoff that is not
            finite at these values.
        """
        for name, value in (overrides or {}).items():
            if np.ndim(value) != 0:
                raise InputError(f"parameter {name!r}: expected a single number for one game")
        return self._at(lambda values: self.form.game(self, values, **options), overrides)

    def payoffs(self, overrides: Mapping[str, ArrayLike] | None = None) -> NDArray[np.float64]:
        """The payoffs as arrays, over a batch when values are 1-D arrays of one length ``G``.

        A normal-form scenario gives its payoff tensor, shape ``(n_1, ..., n_N, N)`` or
        ``(G, n_1, ..., n_N, N)``; a game tree its leaf payoffs, ``(n_leaves, N)`` or
        ``(G, n_leaves, N)``.

        Raises
        ------
        InputError
            For a refused value, a payoff that is not finite, or a form without payoff arrays.
        """
        return self._at(lambda values: self.form.payoffs(self, values), overrides)

    def solve(
        self,
        overrides: Mapping[str, float] | None = None,
        method: str = "auto",
        tol: float = DEFAULT_TOL,
        **options: Any,
    ) -> Result:
        """Solve the game at the given parameter values; see :func:`kurilsim.solve`.

        The result records the parameter values used.
        """
        return self._at(
            lambda values: self.form.solve_scenario(self, values, method, tol, **options),
            overrides,
        )

    def _at(
        self, build: Callable[[dict[str, Any]], T], overrides: Mapping[str, ArrayLike] | None
    ) -> T:
        """Call ``build`` at the parameter values; errors without a file name get this one."""
        values = self.parameter_values(overrides)
        try:
            return build(values)
        except InputError as exc:
            if exc.file is None:
                raise InputError(exc.reason, file=self.source, field=exc.field) from None
            raise

    def _repr_html_(self) -> str:
        """What the game is made of, then every parameter with its range, unit and evidence."""
        _, subtitle, tables = self.form.describe(self)
        heading = html_heading(self.title, subtitle or self.description[:DESCRIPTION_SHOWN])
        parameters = html_table(PARAMETER_HEADER, parameter_rows(self.header.parameters))
        return heading + tables + parameters

    def __repr__(self) -> str:
        summary, _, _ = self.form.describe(self)
        return f"<Scenario {self.title!r} ({self.form.name}): {summary}>"
