r"""Lemke's algorithm for the linear complementarity problem, with lexicographic pivoting.

The problem: given ``M`` (``n`` by ``n``) and ``q``, find ``z >= 0`` with ``w = q + M z >= 0`` and
``z . w = 0``. Lemke (1965) adds an artificial variable ``z0`` with a covering vector ``d > 0``,
starts where ``z0`` is just large enough for ``z = 0`` to be feasible, and pivots along a path
of almost-complementary bases (each pivot brings in the complement of the variable that just
left) until ``z0`` leaves. Ties in the ratio test are broken lexicographically by the rows of the
basis inverse, which makes every basis nondegenerate in effect and the path finite.

The algorithm may end on a ray instead; for the sequence form of a two-player game with
negative payoffs it never does (Koller, Megiddo and von Stengel 1996), which
:mod:`~kurilsim.forms.information.sequence_lemke` relies on.

References
----------
.. [1] C. E. Lemke, "Bimatrix equilibrium points and mathematical programming", Management
   Science 11 (1965) 681-689.
.. [2] R. W. Cottle, J.-S. Pang and R. E. Stone, The Linear Complementarity Problem, Academic
   Press, 1992, section 4.4.

Examples
--------
>>> import numpy as np
>>> z, pivots, finished = lemke(np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([-5.0, -6.0]))
>>> z.round(6).tolist(), finished
([1.333333, 2.333333], True)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import KurilsimError

FloatArray = NDArray[np.float64]

#: Entries of the tableau below this (relative to the column's largest) count as zero.
PIVOT_TOL = 1e-11


def lemke(
    matrix: FloatArray,
    q: FloatArray,
    covering: FloatArray | None = None,
    max_pivots: int = 100_000,
) -> tuple[FloatArray, int, bool]:
    """Solve ``w = q + M z``, ``w, z >= 0``, ``z . w = 0`` by Lemke's algorithm.

    Parameters
    ----------
    matrix
        ``M``, shape ``(n, n)``.
    q
        Shape ``(n,)``.
    covering
        The covering vector ``d``, all entries positive; ones by default.
    max_pivots
        The most pivots to make.

    Returns
    -------
    z
        The solution (the last basis's ``z`` when the bound was hit).
    pivots
        How many pivots were made.
    finished
        False when ``max_pivots`` was reached first.

    Raises
    ------
    KurilsimError
        If the path ends on a ray (no solution found from this start).
    """
    n = len(q)
    d = np.ones(n) if covering is None else np.asarray(covering, dtype=np.float64)
    if np.all(q >= 0):
        return np.zeros(n), 0, True
    # Columns: w (0..n-1), z (n..2n-1), z0 (2n); the tableau reads I w - M z - d z0 = q.
    tableau = np.hstack([np.eye(n), -np.asarray(matrix, dtype=np.float64), -d[:, None]])
    rhs = np.asarray(q, dtype=np.float64).copy()
    basis = list(range(n))
    artificial = 2 * n
    # z0 enters where q / d is most negative; afterwards every right-hand side is >= 0.
    row = int(np.argmin(rhs / d))
    _pivot(tableau, rhs, row, artificial)
    leaving, basis[row] = basis[row], artificial
    for pivots in range(1, max_pivots + 1):
        entering = leaving + n if leaving < n else leaving - n
        row = _ratio_test(tableau, rhs, basis, entering, artificial)
        if row < 0:
            raise KurilsimError(
                "Lemke's algorithm ended on a ray; this is a bug in kurilsim for the sequence "
                "form, please report it"
            )
        _pivot(tableau, rhs, row, entering)
        leaving, basis[row] = basis[row], entering
        if leaving == artificial:
            return _solution(rhs, basis, n), pivots, True
    return _solution(rhs, basis, n), max_pivots, False


def _pivot(tableau: FloatArray, rhs: FloatArray, row: int, column: int) -> None:
    factor = tableau[row, column]
    tableau[row] /= factor
    rhs[row] /= factor
    weights = tableau[:, column].copy()
    weights[row] = 0.0
    tableau -= np.outer(weights, tableau[row])
    rhs -= weights * rhs[row]


def _ratio_test(
    tableau: FloatArray, rhs: FloatArray, basis: list[int], entering: int, artificial: int
) -> int:
    """The leaving row by the lexicographic minimum ratio; z0 leaves whenever it ties; -1: ray."""
    column = tableau[:, entering]
    scale = max(float(np.abs(column).max()), 1.0)
    candidates = np.flatnonzero(column > PIVOT_TOL * scale)
    if len(candidates) == 0:
        return -1
    n = tableau.shape[0]
    # Compare (rhs, rows of the basis inverse) / column entry, one component at a time.
    for k in range(-1, n):
        values = (rhs if k < 0 else tableau[:, k])[candidates] / column[candidates]
        best = float(values.min())
        candidates = candidates[values <= best + 1e-12 * max(1.0, abs(best))]
        if any(basis[r] == artificial for r in candidates):
            return next(int(r) for r in candidates if basis[r] == artificial)
        if len(candidates) == 1:
            break
    return int(candidates[0])


def _solution(rhs: FloatArray, basis: list[int], n: int) -> FloatArray:
    z = np.zeros(n)
    for row, variable in enumerate(basis):
        if n <= variable < 2 * n:
            z[variable - n] = max(float(rhs[row]), 0.0)
    return z
