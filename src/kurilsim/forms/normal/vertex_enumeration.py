r"""All extreme Nash equilibria of a two-player game by vertex enumeration.

Let the row player have ``m`` pure strategies and payoff matrix ``A``, and the column player ``n``
strategies and payoff matrix ``B``. After a positive affine map that makes every payoff lie in
``[1, 2]`` (equilibria do not change), the *best-response polytopes* are

.. math::

    P = \{x \in \mathbb{R}^m : x \ge 0,\ B^\top x \le 1\}, \qquad
    Q = \{y \in \mathbb{R}^n : A y \le 1,\ y \ge 0\}.

A point carries *label* ``i < m`` when strategy ``i`` of the row player is unused (``x_i = 0``) or
a best response (``(A y)_i = 1``), and label ``m + j`` likewise for strategy ``j`` of the column
player. A pair ``(x, y) != (0, 0)`` is an equilibrium, after scaling ``x`` and ``y`` to
probabilities, exactly when every one of the ``m + n`` labels appears at ``x`` or at ``y``. The
equilibria of a degenerate game can form continua; each such component is a union of products of
faces of ``P`` and ``Q``, so the *extreme* equilibria, the vertices of the components, are the
completely labelled pairs of vertices. That is the set this module returns, as Gambit's
``enummixed`` and ``lrsnash`` do (Avis, Rosenberg, Savani and von Stengel 2010; von Stengel 2002,
see :func:`vertex_enumeration`).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations, islice

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deadline import Deadline
from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.bimatrix import (
    check_tol,
    normalised_bimatrix,
    sorted_profiles,
    to_probabilities,
)
from kurilsim.forms.normal.regret import FloatArray, indifferent_everywhere

BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]

#: Default wall-clock budget of :func:`bounded_vertex_enumeration`, in seconds: 15x15 games take
#: seconds (minutes by the basis-by-basis fallback).
DEFAULT_MAX_SECONDS = 60.0

#: Bases whose estimated reciprocal condition number is below this are treated as singular: the
#: rounding of exactly singular matrices leaves them near ``1e-16``, and a vertex computed from a
#: worse-conditioned basis would not be accurate to the tolerance anyway.
_RCOND = 1e-12

#: Number of square systems solved in one batch, to bound memory on larger games.
_CHUNK = 1 << 14

#: Vertices of a best-response polytope closer than this (largest coordinate difference) are
#: taken for one vertex split by rounding, when one point satisfies all their labels; see
#: :func:`_merged`.
_MERGE = 1e-5


def vertex_enumeration(
    payoffs: FloatArray, tol: float = DEFAULT_TOL
) -> list[tuple[FloatArray, FloatArray]]:
    """Return every extreme Nash equilibrium of a two-player game, however long it takes.

    :func:`bounded_vertex_enumeration` without a time bound; see there.

    Examples
    --------
    >>> import numpy as np
    >>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
    >>> [(x.tolist(), y.tolist()) for x, y in vertex_enumeration(pd)]
    [([0.0, 1.0], [0.0, 1.0])]
    """
    return bounded_vertex_enumeration(payoffs, tol, max_seconds=None)[0]


def bounded_vertex_enumeration(
    payoffs: FloatArray, tol: float = DEFAULT_TOL, max_seconds: float | None = DEFAULT_MAX_SECONDS
) -> tuple[list[tuple[FloatArray, FloatArray]], bool]:
    """Return every extreme Nash equilibrium of a two-player game, within a time bound.

    The vertices of both best-response polytopes (see the module docstring) are the facets of
    their polar polytopes, computed by one call to Qhull's convex hull each (as in QuantEcon's
    ``vertex_enumeration``); each vertex is recomputed from the constraints tight at it, and its
    labels are read from the point with tolerance ``tol``, so a degenerate vertex (more tight
    constraints than its dimension) keeps every label. Vertices are identified by their label
    sets, so a vertex that several bases define is kept once. Every pair of vertices whose
    labels together cover all ``m + n`` labels is then returned; pairs are found by hashing label
    sets as bit strings (the partner of a nondegenerate vertex has exactly the complementary
    labels) and by testing each degenerate vertex against every vertex of the other polytope.
    This is the vertex-enumeration method of [1]_ and [2]_. Should Qhull fail on an input, or
    the polytope be a segment, every basis is solved instead: for every support size ``k``, each
    set of ``k`` strategies and each set of ``k`` tight constraints, in batched numpy calls.

    Parameters
    ----------
    payoffs
        Array of shape ``(m, n, 2)``: ``payoffs[i, j, 0]`` is the row player's payoff and
        ``payoffs[i, j, 1]`` the column player's when they play ``i`` and ``j``.
    tol
        Relative tolerance. Payoffs are rescaled so that each player's lie in ``[1, 2]``, which
        makes every tolerance test independent of the units of the payoffs.
    max_seconds
        Wall-clock budget (default :data:`DEFAULT_MAX_SECONDS`); ``None`` for none. It is checked
        before each polytope's hull (Qhull itself is not interrupted, so the bound can be
        overrun by one hull's time) and between batches of bases in the fallback. When it runs
        out, no further vertices are computed and the equilibria among the vertices found so far
        are returned.

    Returns
    -------
    equilibria : list of (ndarray, ndarray)
        The extreme equilibria as pairs ``(x, y)`` of probability vectors of lengths ``m`` and
        ``n``, without duplicates, sorted lexicographically by ``x`` and then ``y``. Unused
        strategies have probability exactly 0.
    complete : bool
        ``False`` if ``max_seconds`` ran out first.

    Raises
    ------
    InputError
        If ``payoffs`` does not have shape ``(m, n, 2)`` with ``m, n >= 1``, is not finite, or
        ``tol`` is not a positive number.

    Notes
    -----
    When each player's payoff does not depend on their own strategy (all payoffs tied, as in an
    all-zero game), every profile is an equilibrium and the extreme ones are the pure profiles; they
    are returned at once. Otherwise the cost grows with the number of vertices of the polytopes,
    exponentially with the size of the game: milliseconds up to 10x10, seconds at 15x15.
    Vertices are computed in floating point. Payoffs that are not exact in binary (``k / 3 +
    1e6``) split a vertex of a degenerate polytope into nearby vertices; those are merged back (see
    ``_merged``), so each equilibrium is listed once, provided the payoffs' rounding errors,
    relative to their range, are below ``tol``. Every pair returned has each player's regret
    within ``tol`` (payoffs in ``[1, 2]``).

    References
    ----------
    .. [1] D. Avis, G. D. Rosenberg, R. Savani and B. von Stengel, "Enumeration of Nash equilibria
       for two-player games", *Economic Theory* 42 (2010), 9-37.
    .. [2] B. von Stengel, "Computing equilibria for two-person games", chapter 45 of *Handbook of
       Game Theory with Economic Applications*, vol. 3, R. J. Aumann and S. Hart (eds.), Elsevier
       (2002), 1723-1759.

    Examples
    --------
    Battle of the sexes has two pure equilibria and one mixed one:

    >>> import numpy as np
    >>> payoffs = np.array([[[2, 1], [0, 0]], [[0, 0], [1, 2]]], dtype=float)
    >>> equilibria, complete = bounded_vertex_enumeration(payoffs)
    >>> for x, y in equilibria:
    ...     print(np.round(x, 4), np.round(y, 4))
    [0. 1.] [0. 1.]
    [0.6667 0.3333] [0.3333 0.6667]
    [1. 0.] [1. 0.]

    In a degenerate game the equilibria can form segments, and only their ends are returned.
    Here the row player is indifferent, so (x, left) is an equilibrium whenever
    ``x[0] >= 1/2``, (x, right) whenever ``x[0] <= 1/2``, and (uniform, y) for every y:

    >>> payoffs = np.array([[[1, 1], [1, 0]], [[1, 0], [1, 1]]], dtype=float)
    >>> for x, y in vertex_enumeration(payoffs):
    ...     print(x, y)
    [0. 1.] [0. 1.]
    [0.5 0.5] [0. 1.]
    [0.5 0.5] [1. 0.]
    [1. 0.] [1. 0.]
    """
    a, b = normalised_bimatrix(payoffs)
    check_tol(tol)
    if max_seconds is not None and not max_seconds >= 0:
        raise InputError(f"max_seconds must be None or a number >= 0, got {max_seconds!r}")
    if indifferent_everywhere(np.stack([a, b], axis=-1), tol):
        rows, columns = np.eye(a.shape[0]), np.eye(a.shape[1])
        return sorted_profiles([(rows[i], columns[j]) for i, j in np.ndindex(*a.shape)]), True
    deadline = Deadline(max_seconds)
    # P's labels are "x_i = 0" for the row player's strategies, then "(B^T x)_j = 1".
    x_vertices, x_zero, x_tight = _polytope_vertices(b.T, tol, deadline)
    x_labels = np.hstack([x_zero, x_tight])
    # Q's labels are "(A y)_i = 1" for the row player's strategies, then "y_j = 0".
    y_vertices, y_zero, y_tight = _polytope_vertices(a, tol, deadline)
    y_labels = np.hstack([y_tight, y_zero])
    pairs = _completely_labelled(x_labels, y_labels, a.shape[0])
    equilibria = [
        (to_probabilities(x_vertices[p]), to_probabilities(y_vertices[q])) for p, q in pairs
    ]
    # Labels read within tol bound each regret by a small multiple of tol, not by tol itself;
    # a pair over it is no equilibrium at this tolerance (a near-tie of a perturbed game).
    found = sorted_profiles([(x, y) for x, y in equilibria if _within_tol(a, b, x, y, tol)])
    return found, not deadline.hit


def _completely_labelled(x_labels: BoolArray, y_labels: BoolArray, m: int) -> IntArray:
    """Pairs ``(p, q)`` of vertices whose labels together are all ``m + n`` labels.

    A vertex of ``P`` (dimension ``m``) has at least ``m`` labels and one of ``Q`` at least
    ``n``; a pair is completely labelled when ``q`` has every label ``p`` lacks. When both have
    exactly their dimension's number (nondegenerate vertices), that means ``q``'s label set
    *is* the complement of ``p``'s, found by hashing the label sets as bit strings; a pair with
    a degenerate vertex (more labels) is tested against every vertex of the other polytope.
    """
    n = y_labels.shape[1] - m
    lacking = ~x_labels
    index = {row.tobytes(): q for q, row in enumerate(np.packbits(y_labels, axis=1))}
    found = {
        (p, index[row.tobytes()])
        for p, row in enumerate(np.packbits(lacking, axis=1))
        if row.tobytes() in index
    }
    # Entry (p, q) counts the labels p lacks that q lacks too: zero for a complete pair.
    degenerate_y = np.flatnonzero(y_labels.sum(axis=1) > n)
    if len(degenerate_y):
        missing = lacking.astype(np.float32) @ (~y_labels[degenerate_y]).astype(np.float32).T
        found.update((int(p), int(degenerate_y[q])) for p, q in np.argwhere(missing == 0))
    degenerate_x = np.flatnonzero(x_labels.sum(axis=1) > m)
    if len(degenerate_x):
        missing = lacking[degenerate_x].astype(np.float32) @ (~y_labels).astype(np.float32).T
        found.update((int(degenerate_x[p]), int(q)) for p, q in np.argwhere(missing == 0))
    return np.array(sorted(found), dtype=np.intp).reshape(-1, 2)


def _within_tol(a: FloatArray, b: FloatArray, x: FloatArray, y: FloatArray, tol: float) -> bool:
    """Whether neither player gains more than ``tol`` (payoffs in ``[1, 2]``) by deviating."""
    row, column = a @ y, x @ b
    return bool(row.max() - x @ row <= tol and column.max() - column @ y <= tol)


def _polytope_vertices(
    matrix: FloatArray, tol: float, deadline: Deadline
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Nonzero vertices of ``{z >= 0, matrix @ z <= 1}`` for a matrix with positive entries.

    Returns the vertices as rows, whether each coordinate is zero (label ``z_i = 0``) and
    whether each constraint is tight (label ``(matrix @ z)_r = 1``), one row per vertex, with
    each vertex listed once and coordinates within ``tol`` of zero set to exactly zero. The
    vertices come from the convex hull of the polar polytope (:func:`_hull_vertices`); should
    Qhull fail on an input it cannot handle, from every basis (:func:`_basis_vertices`).
    """
    from scipy.spatial import QhullError  # imported here: solving small games needs no scipy

    n_rows, dim = matrix.shape
    if deadline.expired():
        return np.zeros((0, dim)), np.zeros((0, dim), dtype=bool), np.zeros((0, n_rows), dtype=bool)
    vertices = None
    # Qhull works in two or more dimensions; a segment's two bases are solved directly.
    if matrix.shape[1] >= 2:
        try:
            vertices = _hull_vertices(matrix, tol)
        except QhullError:
            vertices = None
    if vertices is None:
        vertices = _basis_vertices(matrix, tol, deadline)
    zero = vertices <= tol
    tight = vertices @ matrix.T >= 1.0 - tol
    # A vertex is the only point of the polytope where its tight constraints hold, so equal
    # label sets mean the same vertex, found from different bases of a degenerate polytope.
    _, first = np.unique(_row_keys(np.hstack([zero, tight])), return_index=True)
    first.sort()
    vertices = np.where(zero, 0.0, vertices)[first]
    return _merged(matrix, vertices, zero[first], tight[first], tol)


def _hull_vertices(matrix: FloatArray, tol: float) -> FloatArray:
    """Nonzero vertices of ``{z >= 0, matrix @ z <= 1}``, from the facets of its polar.

    With a point ``c`` inside the polytope, write each constraint as ``a_k . (z - c) <= b_k``
    (``b_k > 0``). The polar polytope, the convex hull of the points ``a_k / b_k``, has one facet
    ``{p : v . p = 1}`` for each vertex ``c + v`` of the polytope, also where more constraints
    than the dimension are tight (a degenerate vertex; Qhull then reports several simplices on
    one hyperplane, which give the same vertex). Each vertex is then recomputed from the
    constraints tight there, to full precision, when they determine it; the origin, a vertex
    that is no equilibrium, is dropped.
    """
    from scipy.spatial import ConvexHull

    n_rows, dim = matrix.shape
    centre = np.full(dim, 0.5 / matrix.sum(axis=1).max())
    normals = np.vstack([matrix, -np.eye(dim)])
    bounds = np.concatenate([np.ones(n_rows), np.zeros(dim)])
    hull = ConvexHull(normals / (bounds - normals @ centre)[:, None])
    planes = hull.equations
    points = centre - planes[:, :-1] / planes[:, -1:]
    # Constraints within this of tight at Qhull's point: candidates for the vertex's basis.
    tight = np.abs(points @ normals.T - bounds) <= 1e-7
    _, which = np.unique(_row_keys(tight), return_index=True)
    points, patterns = points[which], tight[which]
    refined = np.array(points)
    square = patterns.sum(axis=1) == dim
    if np.any(square):
        rows = np.nonzero(patterns[square])[1].reshape(-1, dim)
        systems = normals[rows]
        nonsingular = np.linalg.det(systems) != 0.0
        solved = np.linalg.solve(systems[nonsingular], bounds[rows][nonsingular][..., None])
        refined[np.flatnonzero(square)[nonsingular]] = solved[..., 0]
    for k in np.flatnonzero(~square):
        tight_rows = np.flatnonzero(patterns[k])
        refined[k] = np.linalg.lstsq(normals[tight_rows], bounds[tight_rows])[0]
    # A refinement that leaves the constraints Qhull's point has tight, or the polytope, is
    # discarded in favour of Qhull's point.
    values = refined @ normals.T - bounds
    kept = np.all(values <= tol, axis=1) & np.all(np.abs(values) <= tol, axis=1, where=patterns)
    points = np.where(kept[:, None], refined, points)
    nonzero = points.max(axis=1) > tol
    return np.asarray(points[nonzero], dtype=np.float64)


def _row_keys(rows: BoolArray) -> NDArray[np.void]:
    """One hashable, sortable key per row of a boolean matrix (its bits, packed)."""
    packed = np.ascontiguousarray(np.packbits(rows, axis=1))
    return packed.view(np.dtype((np.void, packed.shape[1]))).ravel()


def _basis_vertices(matrix: FloatArray, tol: float, deadline: Deadline) -> FloatArray:
    """Nonzero vertices of ``{z >= 0, matrix @ z <= 1}``, by solving every basis."""
    n_rows, dim = matrix.shape
    found = [np.zeros((0, dim))]
    for k in range(1, min(n_rows, dim) + 1):
        found.extend(_vertices_of_support_size(matrix, k, tol, deadline))
    return np.vstack(found)


def _merged(
    matrix: FloatArray, vertices: FloatArray, zero: BoolArray, tight: BoolArray, tol: float
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Replace each cluster of nearly equal vertices by the one vertex they approximate.

    Payoffs that are not exact binary fractions (``k / 3 + 1e6``, or integers times ``1e-6``
    plus 5) carry rounding errors of about ``1e-10`` of their range, which split a vertex of a
    degenerate polytope into several vertices up to about ``1e-6`` apart, each with only some
    of its labels: the same equilibrium would be listed several times, or at a point whose
    regret exceeds the tolerance. Vertices closer than :data:`_MERGE` are clustered, and a
    cluster is replaced by the least-squares solution of the union of its members' labels
    when that point satisfies all of them within ``tol``; otherwise its members are kept.
    """
    if len(vertices) < 2:
        return vertices, zero, tight
    pairs = _close_pairs(vertices)
    if len(pairs) == 0:
        return vertices, zero, tight
    # Imported here: they take a third of a second, and most games need neither.
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    _, cluster = connected_components(
        coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(vertices),) * 2),
        directed=False,
    )
    keep = np.ones(len(vertices), dtype=bool)
    for members in _clusters(cluster):
        union_zero = zero[members].any(axis=0)
        union_tight = tight[members].any(axis=0)
        free = ~union_zero
        if not free.any() or not union_tight.any():
            continue
        point = np.zeros(vertices.shape[1])
        system = matrix[union_tight][:, free]
        point[free] = np.linalg.lstsq(system, np.ones(len(system)))[0]
        point[union_zero] = 0.0
        values = matrix @ point
        labels_hold = (
            np.all(point[free] >= -tol)
            and np.all(values <= 1.0 + tol)
            and np.all(values[union_tight] >= 1.0 - tol)
            and np.all(point[union_zero] == 0.0)
            and np.all(point[free] > tol)
        )
        if not labels_hold:
            continue
        first = members[0]
        vertices[first] = point
        zero[first] = union_zero
        tight[first] = union_tight
        keep[members[1:]] = False
    return vertices[keep], zero[keep], tight[keep]


def _close_pairs(vertices: FloatArray) -> IntArray:
    """Pairs of rows no more than :data:`_MERGE` apart in every coordinate.

    Rows are sorted by a weighted sum of their coordinates, which two such rows cannot differ
    in by more than ``_MERGE`` times the sum of the weights; only rows that close in it are
    compared (a k-d tree is slow in the ten or more dimensions of larger games).
    """
    weights = np.linspace(1.0, 2.0, vertices.shape[1])
    keys = vertices @ weights
    order = np.argsort(keys)
    ends = np.searchsorted(keys[order], keys[order] + _MERGE * weights.sum(), side="right")
    sorted_vertices = vertices[order]
    pairs = [np.zeros((0, 2), dtype=np.intp)]
    # Each row against the row ``offset`` places later in the order, for all rows at once.
    starts = np.arange(len(order))
    for offset in range(1, int((ends - starts).max())):
        first = np.flatnonzero(starts + offset < ends)
        second = first + offset
        close = np.max(np.abs(sorted_vertices[first] - sorted_vertices[second]), axis=1) <= _MERGE
        pairs.append(np.column_stack([order[first[close]], order[second[close]]]))
    return np.vstack(pairs)


def _clusters(cluster: NDArray[np.int32]) -> Iterator[NDArray[np.intp]]:
    """Indices of the members of each cluster of two or more, in order of first member."""
    order = np.argsort(cluster, kind="stable")
    bounds = np.flatnonzero(np.diff(cluster[order])) + 1
    for members in np.split(order, bounds):
        if len(members) > 1:
            yield np.sort(members)


def _vertices_of_support_size(
    matrix: FloatArray, k: int, tol: float, deadline: Deadline
) -> Iterator[FloatArray]:
    """Yield, in batches, the feasible basic solutions whose support has ``k`` coordinates.

    Stops, without a word, once ``deadline`` has expired (it remembers that it did).

    Such a solution is fixed by choosing the support ``K`` and ``k`` constraints ``T`` that are
    tight: ``matrix[T][:, K] @ z[K] = 1`` with every other coordinate zero.
    """
    n_rows, dim = matrix.shape
    if deadline.expired():
        return
    # Bases are generated lazily: listing them all first would take minutes and gigabytes on
    # games too large to finish anyway, before the deadline is ever checked.
    bases = (
        (*tight, *support)
        for tight in combinations(range(n_rows), k)
        for support in combinations(range(dim), k)
    )
    while chunk := list(islice(bases, _CHUNK)):
        if deadline.expired():
            return
        pairs = np.array(chunk, dtype=np.intp)
        tight, support = pairs[:, :k], pairs[:, k:]
        systems = matrix[tight[:, :, None], support[:, None, :]]
        # det never raises, and a nonzero det means the same LU factorisation inside solve and
        # inv meets no zero pivot, so neither can fail on the systems that pass this filter.
        nonzero = np.linalg.det(systems) != 0.0
        systems, support = systems[nonzero], support[nonzero]
        values = np.linalg.solve(systems, np.ones((len(systems), k, 1)))[:, :, 0]
        points = np.zeros((len(values), dim))
        np.put_along_axis(points, support, values, axis=1)
        feasible = np.all(values >= -tol, axis=1) & np.all(points @ matrix.T <= 1.0 + tol, axis=1)
        # Few systems are feasible, so the condition estimate is computed for those alone.
        systems, points = systems[feasible], points[feasible]
        rcond = 1.0 / (_norm1(systems) * _norm1(np.linalg.inv(systems)))
        yield points[rcond > _RCOND]


def _norm1(matrices: FloatArray) -> FloatArray:
    """Induced 1-norm (largest absolute column sum) of each matrix in a stack."""
    norms: FloatArray = np.abs(matrices).sum(axis=-2).max(axis=-1)
    return norms
