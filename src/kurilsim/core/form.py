"""What a game form is: the protocol every form implements, and what it returns.

A *game form* (the normal form, game trees, bargaining problems, conflicts ...) is the unit of
extension. Each is one subpackage of :mod:`kurilsim.forms` whose ``form.py`` defines one object
satisfying :class:`GameForm`, registered under the name a scenario file gives in ``form:``. Every
stage of the pipeline (loading, solving, sweeping, comparing concepts, explaining, displaying) is
written once against this protocol and the :class:`~kurilsim.core.result.Result` protocol, so a new
form is one new folder and one registry entry.

The form is given the :class:`~kurilsim.core.scenario.Scenario` it belongs to, whose ``compiled``
attribute holds what the form's :meth:`GameForm.compile` returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from kurilsim.core.concepts import ConceptPanel
    from kurilsim.core.result import Result
    from kurilsim.core.scenario import Scenario

IntArray = NDArray[np.int64]


class SweepRows(NamedTuple):
    """Rows of a sweep table for a batch of points, as columns.

    Attributes
    ----------
    game
        For each row, the index of its point in the batch.
    columns
        Column name -> one value per row (a numpy array or a pandas categorical). Every form
        gives at least ``equilibrium`` (numbered from 1 at each point), ``label`` (the
        outcome's name), ``regime`` (all labels at the row's point) and ``complete``.
    """

    game: IntArray
    columns: dict[str, Any]


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

        Keys among ``payoffs``, ``outcomes``, ``deals``, ``options`` and ``recorded`` (the
        recorded outcome per player, where the form reads the record its own way), each a
        mapping of name to text.
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


def rows_by_point(
    values: Mapping[str, Any],
    solve_point: Callable[[dict[str, Any]], Any],
    rows_of: Callable[[Any], Sequence[Mapping[str, Any]]],
) -> SweepRows:
    """Sweep rows for a form whose games are solved one point at a time.

    Parameters
    ----------
    values
        Parameter name -> a number or a 1-D array; arrays have one length, the batch's.
    solve_point
        Solves the game at one point's values (numbers) and returns its result.
    rows_of
        One mapping per answer of a result, each with a ``label``; other keys become columns.

    Returns
    -------
    SweepRows
        With ``equilibrium`` numbered from 1 at each point, ``regime`` (the distinct labels at the
        point, joined by `` or ``, or ``"none"``) and ``complete`` from the result.

    Examples
    --------
    >>> import numpy as np
    >>> rows = rows_by_point(
    ...     {"x": np.array([1.0, 2.0])},
    ...     lambda at: at["x"],
    ...     lambda x: [{"label": "low"}] if x < 1.5 else [{"label": "hi"}, {"label": "lo"}] * 2,
    ... )
    >>> rows.game.tolist(), rows.columns["regime"]
    ([0, 1, 1, 1, 1], ['low', 'hi or lo', 'hi or lo', 'hi or lo', 'hi or lo'])
    """
    arrays = {k: np.atleast_1d(v) for k, v in values.items() if np.ndim(v) == 1}
    size = len(next(iter(arrays.values()))) if arrays else 1
    game: list[int] = []
    records: list[dict[str, Any]] = []
    for point in range(size):
        at = {k: (float(arrays[k][point]) if k in arrays else v) for k, v in values.items()}
        result = solve_point(at)
        rows = list(rows_of(result)) or [{"label": "none"}]
        regime = " or ".join(dict.fromkeys(str(row["label"]) for row in rows))
        for number, row in enumerate(rows, start=1):
            game.append(point)
            records.append(
                {
                    "equilibrium": number,
                    **row,
                    "regime": regime,
                    "complete": bool(getattr(result, "complete", True)),
                }
            )
    names = list(dict.fromkeys(k for record in records for k in record))
    columns = {name: [record.get(name) for record in records] for name in names}
    return SweepRows(np.asarray(game, dtype=np.int64), columns)
