"""A loaded scenario of any game form, and the protocol every game form implements.

A :class:`Scenario` is immutable. What every scenario shares (title, description, sources,
parameters with defaults, ranges, units and evidence, a recorded history) lives here; what depends
on the game form is asked of the :class:`GameForm` the scenario holds.

A *game form* (the normal form, game trees, bargaining problems, conflicts ...) is the unit of
extension. Each is one subpackage of :mod:`kurilsim.forms` whose ``form.py`` defines one object
satisfying :class:`GameForm`, registered under the name a scenario file gives in ``form:``. Every
stage of the pipeline (loading, solving, sweeping, comparing concepts, explaining, displaying) is
written once against this protocol and the :class:`~kurilsim.core.result.Result` protocol, so a new
form is one new folder and one registry entry. The form is given the :class:`Scenario` it belongs
to, whose ``compiled`` attribute holds what the form's :meth:`GameForm.compile` returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.arguments import (
    check_array,
    check_mapping,
    check_real,
    check_solver_options,
    check_text,
    is_real,
    shown,
)
from kurilsim.core.display import PARAMETER_HEADER, html_heading, html_table, parameter_rows
from kurilsim.core.errors import ArgumentTypeError, in_file
from kurilsim.core.parameters import resolve
from kurilsim.core.schema import Parameter, ScenarioHeader, Source
from kurilsim.core.text import shortened
from kurilsim.core.tolerance import DEFAULT_TOL

if TYPE_CHECKING:
    from kurilsim.core.concepts import ConceptPanel
    from kurilsim.core.result import Result
    from kurilsim.core.sweep_rows import SweepRows

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
        The game form (:class:`GameForm`) the file declares.
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
    def labels(self) -> tuple[str, ...]:
        """The distinct texts of the file's ``labels`` block, in file order; empty without one.

        Examples
        --------
        >>> from kurilsim import parse_scenario
        >>> parse_scenario(
        ...     "{kurilsim: 1, title: t, players: {A: [x, y], B: [u]}, payoffs: {A: 1, B: 1},"
        ...     " labels: [{when: {A: x}, label: left}, {when: {A: y}, label: right}]}").labels
        ('left', 'right')
        """
        return tuple(dict.fromkeys(entry.label for entry in getattr(self.spec, "labels", ())))

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
        ArgumentTypeError
            If ``overrides`` is not a mapping of names to numbers (an array included: one game
            takes one value of each parameter).
        InputError
            For a refused parameter value, or a payoff that is not finite at these values.
        """
        checked = check_mapping("overrides", overrides, check_real)
        return self._at(lambda values: self.form.game(self, values, **options), checked)

    def payoffs(self, overrides: Mapping[str, ArrayLike] | None = None) -> NDArray[np.float64]:
        """The payoffs as arrays, over a batch when values are 1-D arrays of one length ``G``.

        A normal-form scenario gives its payoff tensor, shape ``(n_1, ..., n_N, N)`` or
        ``(G, n_1, ..., n_N, N)``; a game tree its leaf payoffs, ``(n_leaves, N)`` or
        ``(G, n_leaves, N)``.

        Raises
        ------
        ArgumentTypeError
            If ``overrides`` is not a mapping of names to numbers or 1-D arrays of numbers.
        InputError
            For a refused value, a payoff that is not finite, or a form without payoff arrays.
        """
        checked = check_mapping("overrides", overrides, _check_override)
        return self._at(lambda values: self.form.payoffs(self, values), checked)

    def solve(
        self,
        overrides: Mapping[str, float] | None = None,
        method: str = "auto",
        tol: float = DEFAULT_TOL,
        **options: Any,
    ) -> Result:
        """Solve the game at the given parameter values; see :func:`kurilsim.solve`.

        The result records the parameter values used.

        Raises
        ------
        ArgumentTypeError
            If ``overrides`` is not a mapping of names to numbers or 1-D arrays of numbers,
            ``method`` not a string, ``tol`` not a number, or an option of the wrong type;
            also for ``parameters=``, the name :func:`kurilsim.solve` gives them.
        InputError
            For a refused value, method, tolerance or option.
        """
        if "parameters" in options:  # the name ``kurilsim.solve`` gives them
            raise ArgumentTypeError(
                "a scenario takes its parameter values as overrides, the first argument",
                field="parameters",
            )
        checked = check_mapping("overrides", overrides, _check_override)
        method = check_text("method", method)
        tol = check_real("tol", tol)
        options = check_solver_options(options)
        return self._at(
            lambda values: self.form.solve_scenario(self, values, method, tol, **options),
            checked,
        )

    def _at(
        self, build: Callable[[dict[str, Any]], T], overrides: Mapping[str, ArrayLike] | None
    ) -> T:
        """Call ``build`` at the parameter values; errors without a file name get this one."""
        values = self.parameter_values(overrides)
        with in_file(self.source):
            return build(values)

    def _repr_html_(self) -> str:
        """What the game is made of, then every parameter with its range, unit and evidence."""
        _, subtitle, tables = self.form.describe(self)
        heading = html_heading(
            self.title, subtitle or shortened(self.description, DESCRIPTION_SHOWN)
        )
        parameters = html_table(PARAMETER_HEADER, parameter_rows(self.header.parameters))
        return heading + tables + parameters

    def __repr__(self) -> str:
        summary, _, _ = self.form.describe(self)
        return f"<Scenario {self.title!r} ({self.form.name}): {summary}>"


def _check_override(name: str, value: object) -> Any:
    """One parameter override: a number, or a 1-D array of numbers for a batch."""
    if is_real(value):
        return check_real(name, value)
    try:
        return check_array(name, value, ndim=1)
    except ArgumentTypeError:
        what = "a number or a 1-D array of numbers"
        raise ArgumentTypeError(f"expected {what}, got {shown(value)}", field=name) from None


@runtime_checkable
class GameForm(Protocol):
    """A game form: its file schema, its games, the methods that solve them, how to show them.

    Attributes
    ----------
    name
        The name a scenario file gives in ``form:`` (``"normal"`` when a file gives none).
    description
        What the form's games are called in messages, e.g. ``"normal-form game"``.
    file_model
        The pydantic model of its scenario files (a subclass of
        :class:`~kurilsim.core.schema.ScenarioHeader`).
    game_types
        The game classes the form solves; :func:`kurilsim.solve` dispatches on them.
    methods
        The methods :meth:`solve` accepts, ``"auto"`` first: the default, which picks the concept
        or concepts the game calls for.
    vectorised
        Methods that solve a whole batch of points on arrays in a sweep (empty when every point
        is solved alone).
    compare_options
        The options of :meth:`compare` its concepts use: ``precision`` (a logit QRE),
        ``max_seconds`` (a method run against a time bound); the others would change nothing.
    """

    @property
    def name(self) -> str: ...  # noqa: D102 (documented above)

    @property
    def description(self) -> str: ...  # noqa: D102

    @property
    def file_model(self) -> type[Any]: ...  # noqa: D102

    @property
    def game_types(self) -> tuple[type, ...]: ...  # noqa: D102

    @property
    def methods(self) -> tuple[str, ...]: ...  # noqa: D102

    @property
    def vectorised(self) -> frozenset[str]: ...  # noqa: D102

    @property
    def compare_options(self) -> frozenset[str]: ...  # noqa: D102

    def compile(self, spec: Any, source: str) -> Any:
        """Compile a validated file, checking that it evaluates at its defaults.

        Raises :class:`~kurilsim.core.rules.SemanticError` for whole-document problems.
        """

    def players(self, scenario: Scenario) -> tuple[str, ...]:
        """The players (decision makers), in order."""

    def strategies(self, scenario: Scenario) -> tuple[tuple[str, ...], ...]:
        """Each player's strategies as a sweep table names them (empty tuples where none)."""

    def game(self, scenario: Scenario, values: Mapping[str, Any], **options: Any) -> Any:
        """The form's game at parameter ``values`` (one number each)."""

    def payoffs(self, scenario: Scenario, values: Mapping[str, Any]) -> NDArray[np.float64]:
        """The payoffs as arrays, over a batch when values are 1-D arrays of one length.

        Raises :class:`~kurilsim.core.errors.InputError` where the form has no payoff array.
        """

    def normal_form(self, scenario: Scenario, values: Mapping[str, Any]) -> Any:
        """The normal form of the scenario's game at ``values`` (one number each).

        A :class:`~kurilsim.forms.normal.game.NormalFormGame`: a normal-form game is its own; a
        game tree gives its reduced normal form. Raises
        :class:`~kurilsim.core.errors.InputError` where the form's games are not games in
        strategies, or the normal form would be too large.
        """

    def solve(
        self, game: Any, method: str, tol: float, parameters: Mapping[str, Any], **options: Any
    ) -> Result:
        """Solve a game of this form by ``method``; every answer verified."""

    def solve_scenario(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        **options: Any,
    ) -> Result:
        """Solve the scenario's game at ``values``, with the options its file sets."""

    def compare(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        deal: str | None,
        precision: float | None,
        tol: float,
        max_seconds: float | None,
    ) -> ConceptPanel:
        """Every concept the form admits, with the deal nearest to equilibrium and its blockers."""

    def explain(self, scenario: Scenario) -> dict[str, dict[str, str]]:
        """Sections of the evidence trail that depend on the form.

        Keys among ``payoffs``, ``outcomes``, ``deals``, ``options``, ``information_sets`` and
        ``recorded`` (the recorded outcome per player, where the form reads the record its own
        way), each a mapping of name to text.
        """

    def describe(self, scenario: Scenario) -> tuple[str, str, str]:
        """A one-line summary, a subtitle and HTML tables of what the scenario's game is made of.

        The summary goes into ``repr``; the subtitle and tables into the Jupyter display, above
        the parameter table every scenario shows.
        """

    def sweep_method(
        self, scenario: Scenario, method: str | None, tol: float, options: Mapping[str, Any]
    ) -> str:
        """Check a sweep's method and options before any point runs; return the method."""

    def bytes_per_point(self, scenario: Scenario, method: str) -> int:
        """A generous estimate of the memory one point of a chunk needs while it is solved."""

    def sweep_rows(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        method: str,
        tol: float,
        options: Mapping[str, Any],
    ) -> SweepRows:
        """Solve every point of a batch into rows of a sweep table.

        ``values`` holds every parameter, checked against its range: a number, or a 1-D array
        of the batch's length.
        """
