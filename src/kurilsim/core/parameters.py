"""Parameter values: defaults, user overrides, and the checks every game form shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from kurilsim.core.errors import InputError, did_you_mean
from kurilsim.core.schema import Parameter


def unknown_parameter(name: str, parameters: Iterable[str]) -> InputError:
    """The error for a parameter ``name`` the scenario does not have, suggesting a close one.

    Examples
    --------
    >>> print(unknown_parameter("sanction", ["trust", "sanctions"]))
    unknown parameter 'sanction'; did you mean 'sanctions'? This scenario has: trust, sanctions
    >>> print(unknown_parameter("x", []))
    unknown parameter 'x'; this scenario has no parameters
    """
    known = list(parameters)
    if not known:
        return InputError(f"unknown parameter {name!r}; this scenario has no parameters")
    suggestion = did_you_mean(name, known)
    has = " This scenario has" if suggestion else "; this scenario has"
    return InputError(f"unknown parameter {name!r}{suggestion}{has}: {', '.join(known)}")


def resolve(
    parameters: Mapping[str, Parameter], overrides: Mapping[str, ArrayLike] | None = None
) -> dict[str, Any]:
    """Every parameter's default, updated by ``overrides``, each checked against its range.

    Parameters
    ----------
    parameters
        The scenario's parameter declarations.
    overrides
        Parameter name -> a number, or a 1-D array of values for a batch of games.

    Returns
    -------
    dict
        Name -> float, or 1-D float array where an array was given.

    Raises
    ------
    InputError
        For an unknown name, a value that is not a finite number, a value outside the declared
        range, or arrays of different lengths.

    Examples
    --------
    >>> p = Parameter(default=0.5, range=(0, 1), unit="share", description="x", assumption="y")
    >>> resolve({"x": p}, {"x": 0.25})
    {'x': 0.25}
    >>> resolve({"x": p}, {"x": 2})
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: parameter 'x' = 2 is outside its declared range [0, 1] (share)
    """
    values: dict[str, Any] = {name: p.default for name, p in parameters.items()}
    lengths = set()
    for name, raw in (overrides or {}).items():
        if name not in parameters:
            raise unknown_parameter(name, parameters)
        try:
            value = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"parameter {name!r}: expected a number, got {raw!r}") from None
        if value.ndim > 1:
            raise InputError(f"parameter {name!r}: expected a number or a 1-D array")
        if not np.all(np.isfinite(value)):
            raise InputError(f"parameter {name!r}: values must be finite numbers")
        low, high = parameters[name].range
        if value.size and (value.min() < low or value.max() > high):
            bad = value.min() if value.min() < low else value.max()
            raise InputError(
                f"parameter {name!r} = {bad:g} is outside its declared range "
                f"[{low:g}, {high:g}] ({parameters[name].unit})"
            )
        if value.ndim == 1:
            lengths.add(value.size)
        values[name] = value if value.ndim == 1 else float(value)
    if len(lengths) > 1:
        raise InputError(f"parameter arrays have different lengths: {sorted(lengths)}")
    return values
