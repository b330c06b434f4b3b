"""Shared steps of the two-player methods: input checks, normalisation, output order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kurilsim.core.errors import InputError
from kurilsim.forms.normal.regret import FloatArray, normalised_payoffs


def normalised_bimatrix(payoffs: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Check a two-player payoff array and return both players' payoffs mapped into ``[1, 2]``.

    Each player's matrix is mapped by its own positive affine transformation
    (:func:`~kurilsim.forms.normal.regret.normalised_payoffs`, plus one), which changes no best
    response; a player whose payoffs are all equal gets a matrix of ones.
    """
    array = np.asarray(payoffs, dtype=np.float64)
    if array.ndim != 3 or array.shape[2] != 2 or array.shape[0] < 1 or array.shape[1] < 1:
        raise InputError(
            f"a two-player game needs payoffs of shape (m, n, 2), got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        raise InputError("payoffs must be finite numbers (found NaN or infinity)")
    shifted = 1.0 + normalised_payoffs(array)
    return shifted[:, :, 0], shifted[:, :, 1]


def check_tol(tol: float) -> None:
    """Raise :class:`InputError` unless ``tol`` is a positive finite number."""
    if not (np.isfinite(tol) and tol > 0):
        raise InputError(f"tol must be a positive number, got {tol!r}")


def to_probabilities(vertex: FloatArray) -> FloatArray:
    """Scale a nonzero, nonnegative polytope point to a probability vector."""
    return np.asarray(vertex / vertex.sum(), dtype=np.float64)


def sorted_profiles(
    profiles: Sequence[tuple[FloatArray, FloatArray]],
) -> list[tuple[FloatArray, FloatArray]]:
    """Sort profiles lexicographically by the row player's mixture, then the column player's."""
    if not profiles:
        return []
    order = _lexicographic_order(
        np.array([x for x, _ in profiles]), np.array([y for _, y in profiles])
    )
    return [profiles[i] for i in order]


def sorted_pairs(xs: FloatArray, ys: FloatArray) -> list[tuple[FloatArray, FloatArray]]:
    """:func:`sorted_profiles` of the pairs of rows ``(xs[k], ys[k])``, given as two arrays."""
    return [(xs[i], ys[i]) for i in _lexicographic_order(xs, ys)]


def _lexicographic_order(xs: FloatArray, ys: FloatArray) -> list[int]:
    """The order of the rows ``(xs[k], ys[k])`` sorted lexicographically."""
    # Rounding the keys keeps the order stable when equal probabilities differ in the last bit.
    keys = np.concatenate([xs, ys], axis=1).round(12).tolist()
    # Rows compared as tuples: a lexsort would make one pass per strategy, slow for 2 x 20,000.
    return sorted(range(len(keys)), key=keys.__getitem__)
