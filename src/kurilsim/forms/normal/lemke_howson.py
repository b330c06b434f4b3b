"""One Nash equilibrium of a two-player game by the Lemke-Howson algorithm, with a pivot bound.

The algorithm of Lemke and Howson (1964) works on the best-response polytopes ``P`` and ``Q``
described in :mod:`kurilsim.forms.normal.vertex_enumeration`, written as the systems ``B^T x + r =
1`` and ``A y + s = 1`` with ``x, r, y, s >= 0``. Variable ``x_i`` and slack ``s_i`` carry label
``i``; ``y_j`` and ``r_j`` carry label ``m + j``. Starting from the artificial equilibrium ``x = 0,
y = 0``, where every label appears, one label ``k`` is dropped by letting its variable enter a
basis. The variable that leaves has some label ``l``, which now appears twice, so the variable of
label ``l`` in the other system enters next; the path of these complementary pivots ends when the
variable that leaves carries ``k``, at a completely labelled pair, that is a Nash equilibrium.

In a degenerate game a ratio test can tie, and a careless choice can cycle. Ties are broken by
the lexicographic rule, which acts as a symbolic perturbation of the right-hand side and makes
every path finite and every pivot well defined (von Stengel 2002; references at
:func:`lemke_howson`).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError, IterationLimitError, KurilsimError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.bimatrix import (
    check_tol,
    normalised_bimatrix,
    sorted_profiles,
    to_probabilities,
)
from kurilsim.forms.normal.regret import FloatArray


def lemke_howson(
    payoffs: FloatArray,
    initial_dropped_label: int = 0,
    max_iter: int = 10_000,
    tol: float = DEFAULT_TOL,
) -> tuple[FloatArray, FloatArray]:
    """Return one Nash equilibrium of a two-player game by complementary pivoting.

    Payoffs are first mapped into ``[1, 2]`` for each player (as in
    :func:`~kurilsim.forms.normal.vertex_enumeration.vertex_enumeration`), so ``tol`` is relative to
    the scale of the payoffs. Each pivot is one iteration. The equilibrium found is a vertex
    pair of the best-response polytopes, so it is always one of the extreme equilibria that
    vertex enumeration returns. Different initial labels may lead to different equilibria, but
    not every equilibrium is reachable from some label.

    Parameters
    ----------
    payoffs
        Array of shape ``(m, n, 2)``: ``payoffs[i, j, 0]`` is the row player's payoff and
        ``payoffs[i, j, 1]`` the column player's.
    initial_dropped_label
        The label dropped first: ``0 <= label < m`` is a strategy of the row player, and
        ``m <= label < m + n`` strategy ``label - m`` of the column player.
    max_iter
        The largest number of pivots allowed.
    tol
        Relative tolerance: entries of the pivot column at or below it are treated as zero,
        ratios within it as ties.

    Returns
    -------
    tuple of ndarray
        The row player's and the column player's mixed strategies. Unused strategies have
        probability exactly 0.

    Raises
    ------
    InputError
        If the payoffs do not have shape ``(m, n, 2)`` or are not finite, the label is out of
        range, ``max_iter`` is not a positive integer or ``tol`` not a positive number.
    IterationLimitError
        If the path has not ended after ``max_iter`` pivots.

    Notes
    -----
    This is the complementary pivoting method of [1]_ on the tableaux of the best-response
    polytopes, with the lexicographic ratio test for degenerate games, as presented in [2]_.

    References
    ----------
    .. [1] C. E. Lemke and J. T. Howson, Jr., "Equilibrium points of bimatrix games", *Journal of
       the Society for Industrial and Applied Mathematics* 12 (1964), 413-423.
    .. [2] B. von Stengel, "Computing equilibria for two-person games", chapter 45 of *Handbook of
       Game Theory with Economic Applications*, vol. 3, R. J. Aumann and S. Hart (eds.), Elsevier
       (2002), 1723-1759.

    Examples
    --------
    >>> import numpy as np
    >>> sexes = np.array([[[2, 1], [0, 0]], [[0, 0], [1, 2]]], dtype=float)
    >>> x, y = lemke_howson(sexes, initial_dropped_label=0)
    >>> print(x, y)
    [1. 0.] [1. 0.]

    Matching pennies needs four pivots, so a bound of three stops it:

    >>> pennies = np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]], dtype=float)
    >>> print(*lemke_howson(pennies))
    [0.5 0.5] [0.5 0.5]
    >>> from kurilsim.core.errors import IterationLimitError
    >>> try:
    ...     lemke_howson(pennies, max_iter=3)
    ... except IterationLimitError as error:
    ...     print(error)
    lemke-howson stopped at its bound (max_iter=3) before finishing
    """
    a, b = normalised_bimatrix(payoffs)
    check_tol(tol)
    _check_max_iter(max_iter)
    n_labels = sum(a.shape)
    if (
        isinstance(initial_dropped_label, bool)
        or not isinstance(initial_dropped_label, Integral)
        or not 0 <= initial_dropped_label < n_labels
    ):
        raise InputError(
            f"initial_dropped_label must be an integer from 0 to {n_labels - 1} for a "
            f"{a.shape[0]}x{a.shape[1]} game, got {initial_dropped_label!r}"
        )
    x, y = _complementary_path(a, b, int(initial_dropped_label), max_iter, tol)
    return to_probabilities(x), to_probabilities(y)


def lemke_howson_all_labels(
    payoffs: FloatArray, max_iter: int = 10_000, tol: float = DEFAULT_TOL
) -> list[tuple[FloatArray, FloatArray]]:
    """Run :func:`lemke_howson` from every initial label and return the equilibria it reaches.

    Parameters
    ----------
    payoffs
        Array of shape ``(m, n, 2)``, as for :func:`lemke_howson`.
    max_iter
        The pivot bound of each of the ``m + n`` runs.
    tol
        Relative tolerance, as for :func:`lemke_howson`.

    Returns
    -------
    list of (ndarray, ndarray)
        The distinct equilibria found, sorted lexicographically by the row player's mixture and
        then the column player's. Two runs reach the same equilibrium when they end at the same
        pair of vertices, recognised by their label sets.

    Raises
    ------
    InputError
        As for :func:`lemke_howson`.
    IterationLimitError
        If any run reaches ``max_iter``.

    Examples
    --------
    In battle of the sexes every path from the artificial equilibrium ends at a pure one; the
    mixed equilibrium lies on paths that join it to the other pure one, so it is never found:

    >>> import numpy as np
    >>> sexes = np.array([[[2, 1], [0, 0]], [[0, 0], [1, 2]]], dtype=float)
    >>> for x, y in lemke_howson_all_labels(sexes):
    ...     print(x, y)
    [0. 1.] [0. 1.]
    [1. 0.] [1. 0.]
    """
    a, b = normalised_bimatrix(payoffs)
    check_tol(tol)
    _check_max_iter(max_iter)
    found: dict[bytes, tuple[FloatArray, FloatArray]] = {}
    for label in range(sum(a.shape)):
        x, y = _complementary_path(a, b, label, max_iter, tol)
        labels = np.concatenate([x <= tol, x @ b >= 1.0 - tol, a @ y >= 1.0 - tol, y <= tol])
        found.setdefault(labels.tobytes(), (to_probabilities(x), to_probabilities(y)))
    return sorted_profiles(list(found.values()))


def _check_max_iter(max_iter: int) -> None:
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral) or max_iter < 1:
        raise InputError(f"max_iter must be a positive integer, got {max_iter!r}")


def _complementary_path(
    a: FloatArray, b: FloatArray, dropped: int, max_iter: int, tol: float
) -> tuple[FloatArray, FloatArray]:
    """Follow the Lemke-Howson path for normalised payoffs ``a, b`` and return its end.

    The result is the pair of polytope points ``(x, y)``, with coordinates within ``tol`` of
    zero set to exactly zero.
    """
    m, n = a.shape
    # Columns are numbered by label, so a variable's column index is its label; the last column
    # is the right-hand side. The starting slack columns hold the inverse of the current basis.
    tableau_p = np.hstack([b.T, np.eye(n), np.ones((n, 1))])  # variables x_0.., r_0..
    basis_p = np.arange(m, m + n)
    tableau_q = np.hstack([np.eye(m), a, np.ones((m, 1))])  # variables s_0.., y_0..
    basis_q = np.arange(m)
    sides = [
        (tableau_p, basis_p, np.arange(m, m + n)),
        (tableau_q, basis_q, np.arange(m)),
    ]
    # The variable with the dropped label is nonbasic in P when it is some x_i, in Q otherwise.
    side = 0 if dropped < m else 1
    entering = dropped
    for _ in range(max_iter):
        tableau, basis, slack_columns = sides[side]
        leaving = _pivot(tableau, basis, entering, slack_columns, tol)
        if leaving == dropped:
            break
        # The leaving label now appears in both polytopes; its twin in the other one enters.
        entering, side = leaving, 1 - side
    else:
        raise IterationLimitError(method="lemke-howson", limit=f"max_iter={max_iter}")
    x = _basic_solution(tableau_p, basis_p, range(m))
    y = _basic_solution(tableau_q, basis_q, range(m, m + n))
    return np.where(x <= tol, 0.0, x), np.where(y <= tol, 0.0, y)


def _pivot(
    tableau: FloatArray,
    basis: NDArray[np.intp],
    entering: int,
    slack_columns: NDArray[np.intp],
    tol: float,
) -> int:
    """Pivot ``entering`` into the basis in place, by the lexicographic ratio test.

    Among the rows with the smallest ratio of right-hand side to pivot-column entry, ties are
    broken by the ratios of the basis-inverse columns, one column at a time. The rows of the
    basis inverse are linearly independent, so a unique row remains. Returns the variable that
    left the basis.
    """
    column = tableau[:, entering]
    rows = np.flatnonzero(column > tol)
    if rows.size == 0:
        # The polytopes are bounded, so this only happens when rounding has ruined the tableau.
        raise KurilsimError("lemke-howson: no pivot row; the tableau is numerically unstable")
    for key in (tableau.shape[1] - 1, *slack_columns):
        ratios = tableau[rows, key] / column[rows]
        best = ratios.min()
        rows = rows[ratios <= best + tol * max(1.0, abs(best))]
        if rows.size == 1:
            break
    row = int(rows[0])
    tableau[row] /= tableau[row, entering]
    factors = tableau[:, entering].copy()
    factors[row] = 0.0
    tableau -= np.outer(factors, tableau[row])
    leaving = int(basis[row])
    basis[row] = entering
    return leaving


def _basic_solution(tableau: FloatArray, basis: NDArray[np.intp], variables: range) -> FloatArray:
    """Values of ``variables`` (consecutive labels) in the basic solution of a tableau."""
    values = np.zeros(len(variables))
    for row, variable in enumerate(basis):
        if variable in variables:
            values[variable - variables.start] = tableau[row, -1]
    return values
