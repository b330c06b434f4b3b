"""What a sweep covers: a grid over 1 to 3 parameters, Monte Carlo samples, or both.

A :class:`SweepSpec` is plain data, as a user states it (``--grid sanctions=0:0.7:101``). It is
checked against a scenario by :func:`point_set`, which gives the :class:`PointSet`: every point of
the sweep, numbered ``0 .. size - 1``, whose parameter values any slice of points can produce on
its own. Points are ordered grid-major: with ``S`` samples, point ``i`` is sample ``i % S`` at grid
point ``i // S``, and the grid points run like nested loops, the last axis fastest. Every grid
point sees the same ``S`` draws of the sampled parameters (common random numbers), so differences
across the grid come from the grid parameters alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import DEFAULT_SEED
from kurilsim.core.errors import InputError
from kurilsim.core.parameters import unknown_parameter
from kurilsim.core.scenario import Scenario
from kurilsim.core.schema import Parameter
from kurilsim.sweeps.sampling import draw

FloatArray = NDArray[np.float64]

#: Most grid axes a sweep may have (a regime map shows two; a third can be sliced).
MAX_AXES = 3
#: Most points a sweep may have; far more than a table of results can usefully hold.
MAX_POINTS = 10**9
#: Most values one grid axis may have; each chunk of a sweep holds an axis's values (8 MB here).
MAX_AXIS_VALUES = 10**6


@dataclass(frozen=True)
class GridAxis:
    """Evenly spaced values of one parameter: ``n`` values from ``start`` to ``stop``, inclusive.

    Examples
    --------
    >>> axis = GridAxis.parse("sanctions=0:0.7:8")
    >>> axis
    GridAxis(name='sanctions', start=0.0, stop=0.7, n=8)
    >>> axis.values()[:3].round(2).tolist()
    [0.0, 0.1, 0.2]
    """

    name: str
    start: float
    stop: float
    n: int

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n <= 0:
            raise InputError(
                f"grid {self.name!r}: the number of values must be positive, got {self.n!r}"
            )
        if self.n > MAX_AXIS_VALUES:
            raise InputError(
                f"grid {self.name!r}: {self.n:,} values; an axis has at most {MAX_AXIS_VALUES:,}"
            )
        if not (math.isfinite(self.start) and math.isfinite(self.stop)):
            raise InputError(f"grid {self.name!r}: start and stop must be finite numbers")
        if self.n == 1 and self.start != self.stop:
            raise InputError(
                f"grid {self.name!r}: one value cannot span {self.start:g} to "
                f"{self.stop:g}; give N >= 2 or equal start and stop"
            )

    @classmethod
    def parse(cls, text: str) -> GridAxis:
        """Read ``NAME=START:STOP:N``, as given to ``kurilsim sweep --grid``.

        Raises
        ------
        InputError
            If the text does not have that form.
        """
        name, sep, rest = text.partition("=")
        parts = rest.split(":")
        if not sep or not name.strip() or len(parts) != 3:
            raise InputError(f"grid {text!r}: expected NAME=START:STOP:N, e.g. sanctions=0:0.7:71")
        try:
            start, stop = float(parts[0]), float(parts[1])
        except ValueError:
            raise InputError(f"grid {text!r}: START and STOP must be numbers") from None
        try:
            n = int(parts[2])
        except ValueError:
            raise InputError(f"grid {text!r}: N must be a whole number") from None
        return cls(name.strip(), start, stop, n)

    def values(self) -> FloatArray:
        """The ``n`` values, evenly spaced."""
        return np.linspace(self.start, self.stop, self.n)


@dataclass(frozen=True)
class SweepSpec:
    """The points a sweep covers, as the user states them.

    Attributes
    ----------
    grid
        Up to three axes; the sweep covers every combination of their values.
    samples
        Monte Carlo draws of every parameter that is neither on the grid nor in ``fixed``, from
        its declared distribution (uniform over its range when it declares none); 0 for none.
        With a grid, each grid point gets all ``samples`` draws.
    seed
        Seed of the draws.
    fixed
        Parameter values held for the whole sweep, as ``(name, value)`` pairs; defaults hold for
        every parameter not named anywhere.

    Examples
    --------
    >>> SweepSpec(grid=(GridAxis("trust", 0, 1, 11),), fixed=(("sanctions", 0.2),)).size
    11
    """

    grid: tuple[GridAxis, ...] = ()
    samples: int = 0
    seed: int = DEFAULT_SEED
    fixed: tuple[tuple[str, float], ...] = field(default=())

    def __post_init__(self) -> None:
        names = [axis.name for axis in self.grid] + [name for name, _ in self.fixed]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise InputError(
                f"parameter {', '.join(map(repr, repeated))} is given more than once "
                "(on the grid or fixed)"
            )
        if len(self.grid) > MAX_AXES:
            raise InputError(f"a grid has at most {MAX_AXES} axes, got {len(self.grid)}")
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) or self.samples < 0:
            raise InputError(f"samples must be a positive whole number, got {self.samples!r}")
        if not self.grid and not self.samples:
            raise InputError("a sweep needs a grid (NAME=START:STOP:N), samples, or both")
        if self.size > MAX_POINTS:
            raise InputError(
                f"the sweep has {self.size:,} points; at most {MAX_POINTS:,} are supported"
            )

    @property
    def shape(self) -> tuple[int, ...]:
        """The number of values on each grid axis."""
        return tuple(axis.n for axis in self.grid)

    @property
    def size(self) -> int:
        """The number of points: grid points times samples."""
        return math.prod(self.shape) * max(self.samples, 1)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description, as recorded in a sweep file's metadata."""
        return {
            "grid": [
                {"name": a.name, "start": a.start, "stop": a.stop, "n": a.n} for a in self.grid
            ],
            "samples": self.samples,
            "seed": self.seed,
            "fixed": dict(self.fixed),
        }


@dataclass(frozen=True)
class PointSet:
    """Every point of a sweep, checked against a scenario; any slice of points on demand.

    Create one with :func:`point_set`.

    Attributes
    ----------
    spec
        The user's specification.
    sampled
        The parameters drawn at random, with their declarations.
    """

    spec: SweepSpec
    sampled: tuple[tuple[str, Parameter], ...]

    @property
    def size(self) -> int:
        """The number of points."""
        return self.spec.size

    @property
    def varied(self) -> tuple[str, ...]:
        """The parameters that change from point to point: grid axes, then sampled ones."""
        return tuple(axis.name for axis in self.spec.grid) + tuple(n for n, _ in self.sampled)

    def values(self, start: int, stop: int) -> dict[str, FloatArray]:
        """The varied parameters' values at points ``start`` to ``stop - 1``.

        Examples
        --------
        >>> spec = SweepSpec(grid=(GridAxis("x", 0, 1, 3), GridAxis("y", 0, 10, 2)))
        >>> PointSet(spec, sampled=()).values(2, 5)
        {'x': array([0.5, 0.5, 1. ]), 'y': array([ 0., 10.,  0.])}
        """
        index = np.arange(start, stop, dtype=np.int64)
        samples = max(self.spec.samples, 1)
        values: dict[str, FloatArray] = {}
        if self.spec.grid:
            cells = np.unravel_index(index // samples, self.spec.shape)
            for axis, cell in zip(self.spec.grid, cells, strict=True):
                values[axis.name] = axis.values()[cell]
        if self.sampled:
            draws = draw([p for _, p in self.sampled], self.spec.seed, index % samples)
            for k, (name, _) in enumerate(self.sampled):
                values[name] = draws[:, k]
        return values


def point_set(scenario: Scenario, spec: SweepSpec) -> PointSet:
    """Check ``spec`` against ``scenario``'s parameters and number its points.

    Raises
    ------
    InputError
        For a parameter the scenario does not have, grid values or fixed values outside the
        declared range, or samples with no parameter left to draw.

    Examples
    --------
    >>> from kurilsim import parse_scenario
    >>> scenario = parse_scenario(
    ...     "{kurilsim: 1, title: t, players: {A: [a, b], B: [c]}, payoffs: {A: trust, B: 0},"
    ...     " parameters: {trust: {default: 0.5, range: [0, 1], unit: index,"
    ...     " description: trust, assumption: example}}}")
    >>> points = point_set(scenario, SweepSpec(grid=(GridAxis("trust", 0, 1, 3),)))
    >>> points.values(0, 3)
    {'trust': array([0. , 0.5, 1. ])}
    >>> point_set(scenario, SweepSpec(grid=(GridAxis("trust", 0, 2, 3),)))
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: grid 'trust': 2 is outside the declared range [0, 1] (index)
    """
    parameters = scenario.parameters
    for axis in spec.grid:
        _check_range(parameters, axis.name, (axis.start, axis.stop), f"grid {axis.name!r}")
    for name, value in spec.fixed:
        _check_range(parameters, name, (value,), f"parameter {name!r}")
    named = {axis.name for axis in spec.grid} | {name for name, _ in spec.fixed}
    sampled = tuple((n, p) for n, p in parameters.items() if n not in named) if spec.samples else ()
    if spec.samples and not sampled:
        raise InputError("samples were asked for, but every parameter is on the grid or fixed")
    return PointSet(spec, sampled)


def _check_range(
    parameters: Mapping[str, Parameter],
    name: str,
    values: tuple[float, ...],
    what: str,
) -> None:
    if name not in parameters:
        raise InputError(f"{what}: {unknown_parameter(name, parameters)}")
    low, high = parameters[name].range
    for value in values:
        if not (math.isfinite(value) and low <= value <= high):
            raise InputError(
                f"{what}: {value:g} is outside the declared range [{low:g}, {high:g}] "
                f"({parameters[name].unit})"
            )
