"""What every solver's result records, whatever the game form.

Each form has its own result type (equilibria of a normal-form game, subgame-perfect plays of a
tree, bargaining solutions, stability tables), and each satisfies :class:`Result`: it records how it
was produced and converts to the same representations, so that the command line, sweeps and
Jupyter treat every form alike.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd


@runtime_checkable
class Result(Protocol):
    """The shared face of every solver's result.

    Attributes
    ----------
    method
        The method that produced it, as the form's ``solve`` accepts it.
    tol
        The relative tolerance every answer was verified with.
    options
        The method options used.
    parameters
        The scenario parameter values the game was built at (empty for a game given directly).
    complete
        Whether the answer is all that was asked for: ``incomplete_reason is None``.
    incomplete_reason
        ``None`` when the answer is complete: the method finished, and it lists every answer
        its scope promises (for ``auto``, every equilibrium the form's enumeration lists).
        Otherwise what left it incomplete, one of

        * the name of the option whose bound cut the method short: ``"max_seconds"``,
          ``"max_pivots"``, ``"max_equilibria"``, ``"max_pairs"``, ``"max_iterations"``, ...
          (a method that finds one equilibrium and reaches its bound first raises instead);
        * ``"scope: one equilibrium"`` (:data:`ONE_EQUILIBRIUM`): ``auto`` answered with a
          method that finds one equilibrium where every one was asked for, others may exist;
        * ``"limit: ..."``: a fixed limit of the method, not an option, cut it short, e.g.
          ``"limit: combinations"``;
        * ``"unproved: ..."``: the method finished but could not prove its listing complete,
          e.g. ``"unproved: continuum"`` (:data:`UNPROVED_CONTINUUM`).

        The command line prints it in a warning line (``incomplete_reason`` in JSON) and exits
        with status 1.
    """

    @property
    def method(self) -> str: ...  # noqa: D102 (documented above)

    @property
    def tol(self) -> float: ...  # noqa: D102

    @property
    def options(self) -> Mapping[str, Any]: ...  # noqa: D102

    @property
    def parameters(self) -> Mapping[str, float]: ...  # noqa: D102

    @property
    def complete(self) -> bool: ...  # noqa: D102

    @property
    def incomplete_reason(self) -> str | None: ...  # noqa: D102

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the game, the method and every answer."""

    def to_frame(self) -> pd.DataFrame:
        """One row per answer (equilibrium, solution, stable state)."""

    def to_text(self, limit: int | None = None) -> str:
        """A plain-text report, as ``kurilsim run`` prints it.

        ``limit`` caps each listing of rows (equilibria, non-credible threats, states) at that
        many, followed by a line saying how many more there are
        (:func:`~kurilsim.core.text.limited`); None or 0 lists every row. JSON is never cut.
        """

    def _repr_html_(self) -> str:
        """The Jupyter display."""


#: The :attr:`Result.incomplete_reason` of an answer by a method that finds one equilibrium,
#: where ``auto`` was asked for every one.
ONE_EQUILIBRIUM = "scope: one equilibrium"

#: The :attr:`Result.incomplete_reason` of a listing of the extreme points of continua of
#: equilibria that could not be proved to hold every continuum.
UNPROVED_CONTINUUM = "unproved: continuum"

#: The reason a sweep point is incomplete where its listing is complete but the components its
#: regime counts are not proved (:attr:`kurilsim.Solution.components_complete`).
UNPROVED_COMPONENTS = "unproved: components"


def incomplete_text(reason: str | None, missing: str = "equilibria") -> str:
    """What a result says of itself when incomplete, naming why ("" when complete).

    Examples
    --------
    >>> incomplete_text("max_seconds")
    'incomplete (max_seconds): equilibria may be missing'
    >>> incomplete_text(None)
    ''
    """
    return "" if reason is None else f"incomplete ({reason}): {missing} may be missing"


def incomplete_points_text(reasons: Mapping[str, int], points: int) -> str:
    """At how many of ``points`` points an answer is incomplete, and why ("" when at none).

    ``reasons`` maps each :attr:`Result.incomplete_reason` to its number of points, as sweeps
    and sensitivity analyses count them.

    Examples
    --------
    >>> incomplete_points_text({"max_seconds": 3, "unproved: continuum": 1}, 48)
    'incomplete at 4 of 48 points (max_seconds: 3, unproved: continuum: 1)'
    >>> incomplete_points_text({}, 48)
    ''
    """
    if not reasons:
        return ""
    counts = ", ".join(f"{reason}: {n:,}" for reason, n in reasons.items())
    return f"incomplete at {sum(reasons.values()):,} of {points:,} points ({counts})"


def reason_counts(reasons: Iterable[str | None]) -> dict[str, int]:
    """How many points give each incomplete reason (``None``: complete).

    In the order of :func:`by_frequency`.

    Examples
    --------
    >>> reason_counts([None, "max_seconds", None, "max_equilibria", "max_seconds"])
    {'max_seconds': 2, 'max_equilibria': 1}
    """
    return by_frequency(collections.Counter(r for r in reasons if r is not None))


def by_frequency(counts: Mapping[str, int]) -> dict[str, int]:
    """Incomplete reasons with their counts, most frequent first and as frequent ones by name.

    One order however the points were counted: a sweep counts its chunks as they finish, in no
    fixed order.

    Examples
    --------
    >>> by_frequency({"max_seconds": 1, "limit: size": 3, "max_equilibria": 1})
    {'limit: size': 3, 'max_equilibria': 1, 'max_seconds': 1}
    """
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


class ReadOnlyRun:
    """Base of a frozen result dataclass: its ``options`` and ``parameters`` become read-only.

    The result keeps its own copies as :class:`~types.MappingProxyType` views, so that neither
    the caller's dictionaries nor the result's record of how it was produced can change later.
    ``complete`` is read from the ``incomplete_reason`` the result records.
    """

    options: Mapping[str, Any]
    parameters: Mapping[str, float]
    incomplete_reason: str | None

    @property
    def complete(self) -> bool:
        """Whether the answer is all that was asked for (see :class:`Result`)."""
        return self.incomplete_reason is None

    def __post_init__(self) -> None:
        # A flag passed where the reason belongs would read as "incomplete (True)".
        reason = getattr(self, "incomplete_reason", None)
        if reason is not None and not isinstance(reason, str):
            raise TypeError(f"incomplete_reason must be None or a str, got {reason!r}")
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))


Item = TypeVar("Item")


class EquilibriumListing(ReadOnlyRun, Generic[Item]):
    """Base of a frozen result that lists its ``equilibria``: its length, iteration, indexing.

    Examples
    --------
    >>> from dataclasses import dataclass, field
    >>> @dataclass(frozen=True)
    ... class Listed(EquilibriumListing[str]):
    ...     equilibria: tuple[str, ...]
    ...     options: Mapping[str, Any] = field(default_factory=dict)
    ...     parameters: Mapping[str, float] = field(default_factory=dict)
    >>> listed = Listed(("a", "b"), {"max_seconds": 5})
    >>> len(listed), list(listed), listed[1], dict(listed.options)
    (2, ['a', 'b'], 'b', {'max_seconds': 5})
    """

    equilibria: tuple[Item, ...]

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.equilibria)

    def __getitem__(self, index: int) -> Item:
        return self.equilibria[index]
