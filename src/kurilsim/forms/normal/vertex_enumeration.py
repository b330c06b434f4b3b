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
from functools import lru_cache
from itertools import combinations, islice, permutations
from math import comb, factorial

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.abandonable import within_deadline
from kurilsim.core.deadline import Deadline
from kurilsim.core.errors import InputError, OutOfReachError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.bimatrix import (
    check_tol,
    normalised_bimatrix,
    sorted_pairs,
    sorted_profiles,
)
from kurilsim.forms.normal.regret import FloatArray

BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]

#: Default wall-clock budget of :func:`bounded_vertex_enumeration`, in seconds: 15x15 games take
#: seconds (minutes by the basis-by-basis fallback).
DEFAULT_MAX_SECONDS = 60.0

#: Bases whose reciprocal condition number (Frobenius norm) is below this are singular: the
#: rounding of exactly singular matrices leaves them near ``1e-16``, and a vertex computed from a
#: worse-conditioned basis would not be accurate to the tolerance anyway.
_RCOND = 1e-12

#: The rounding unit of float64, for bounds on rounding errors.
_EPS = float(np.finfo(np.float64).eps)

#: A vertex of ``P`` whose system ``A[S, K]`` has a reciprocal condition number below this is
#: completed as a degenerate one: payoffs rounded by up to ``tol`` (1e-9 by default) of their
#: range leave an exactly singular system near ``1e-10``, where its face of ``Q`` can be a
#: segment; in random games the condition stays above ``1e-6``.
_SOLVED_RCOND = 1e-8

#: A vertex of ``Q`` solved for a vertex of ``P`` that is within this of a bound of ``Q`` is left
#: to the degenerate completion: rounding errors may have moved it across.
_MARGIN = 1e-6

#: A degenerate vertex read from Qhull's facets that meets each of its tight constraints within
#: this is kept as read: it is then accurate to rounding, as a recomputation would make it.
_SETTLED = 1e-12

#: Stacks of at most this many systems are inverted rather than screened and solved.
_FEW_SYSTEMS = 64

#: Stacks of systems of at most this size are solved by cofactors (:func:`_solved_by_cofactors`):
#: a few numpy calls for the whole stack, where LAPACK makes one call per system.
_MAX_COFACTOR_SIZE = 4

#: Stacks of more partner systems ``A[S, K] y = 1`` of one support size than this are solved by
#: one Gaussian elimination vectorised across the stack (:func:`_eliminated`): numpy calls LAPACK
#: once per system, which for systems this small costs more than the arithmetic.
_ELIMINATED_SYSTEMS = 64

#: Largest backward error, in units of the rounding of one product, of a solution by
#: :func:`_eliminated` kept without solving its system again with row exchanges.
_BACKWARD_ERROR = 64.0

#: A vertex of ``P`` whose support has a row that a row off it exceeds by more than this in
#: every best-response column has no partner (:func:`_beaten`): twice :data:`_MARGIN`, twice
#: again for rounding.
_BEATEN_GAP = 4 * _MARGIN

#: Most vertex-and-row-pair entries screened by :func:`_beaten` at once (32 MB of integers).
_MAX_BEATEN = 1 << 22

#: Number of square systems solved in one batch, to bound memory on larger games.
_CHUNK = 1 << 14

#: Polytopes with at most this many bases are enumerated by solving every basis in one batch
#: (faster than a hull up to 4 x 4 games).
_MAX_BATCHED_BASES = 100

#: Where some vertices of ``P`` are degenerate, their partners are read from all vertices of
#: ``Q`` when ``Q`` has at most this dimension, and from their faces of ``Q`` otherwise.
_MAX_MATCHED_DIMENSION = 12

#: Games whose players have at most this many strategies are solved by pairing every vertex of
#: ``P`` with every vertex of ``Q`` by their labels (as bit masks) when their polytopes have at
#: most :data:`_MAX_BATCHED_BASES` bases or the payoffs have ties; others by completing each
#: vertex of ``P``, which saves the hull of ``Q`` where no vertex is degenerate.
_MAX_PAIRED_DIMENSION = 8

#: Games whose column player (the larger) has at most this many strategies complete the
#: nondegenerate vertices of ``P`` by ``n x n`` systems gathered in one call; larger ones by
#: systems of the size of each vertex's support, which cost less arithmetic.
_MAX_SOLVED_DIMENSION = 8

#: Up to this many vertex pairs are tested for complete labels at once.
_ALL_PAIRS = 1 << 12

#: In games whose row player has at most this many strategies, or where ``P`` has at most this
#: many vertices, the vertices of every support size are completed in one batch.
_PADDED_SIZE = 6
_PADDED_VERTICES = 256

#: Largest dimension handed to Qhull: beyond it the hull (and the ``dim x dim`` arrays around it)
#: would take hours and gigabytes; such polytopes (faces with few rows) are enumerated by their
#: supports, when they have at most :data:`_MAX_SUPPORT_BASES`, and refused in one line otherwise.
_MAX_HULL_DIMENSION = 40
_MAX_SUPPORT_BASES = 1_000_000

#: A hull whose polytope can have at most this many vertices (McMullen's upper bound, see
#: :func:`_most_vertices`) is computed in this process: Qhull takes about 20 microseconds a
#: vertex at 13 and 14 dimensions, so it ends within a second.
_INLINE_HULL_VERTICES = 20_000

#: Seconds a hull takes per vertex of its polytope, at most (five times the 20 microseconds
#: measured): a larger hull whose polytope's upper bound of vertices, at this cost, fits in the
#: time left is computed in this process too. Any other runs in a child process killed when the
#: time is up (:func:`~kurilsim.core.abandonable.within_deadline`), which costs a fork (from
#: this process, or from the fork server where other threads run) and the transfer of the
#: facets: from 12 x 12 to 15 x 15, 1.0 to 1.1 times the game's time with its hulls here when
#: forked from here, 1.1 to 1.5 times from the fork server (``benchmarks/bench_abandoned_hull.py``).
_HULL_SECONDS_PER_VERTEX = 1e-4

#: Most labels (vertices times facets) read from one polytope: 50 MB of booleans.
_MAX_LABELS = 50_000_000

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

    In the smallest games, and in games of up to eight strategies each with tied payoffs (which
    make degenerate vertices likely), the vertices of both best-response polytopes (see the
    module docstring) are enumerated: in the smallest games by solving every basis of both in
    one batch, otherwise as the facets of their polar polytopes, by one call to Qhull's convex
    hull each (as in QuantEcon's ``vertex_enumeration``). Labels are read from each vertex
    with tolerance ``tol``, so a degenerate vertex (more tight constraints than its dimension)
    keeps every label, and vertices are identified by their label sets; a pair of vertices is
    completely labelled when their label sets, as bit masks, cover all ``m + n`` labels. In
    other games only the polytope of the player with fewer strategies, ``P`` say, is
    enumerated, and each vertex ``x`` is completed, as in lrsnash [1]_: its partners are the
    vertices of ``Q`` that have the labels ``x`` lacks. For a nondegenerate ``x`` there is at
    most one, the solution of a square system, solved for all such vertices in batches; the
    other vertices are paired with the vertices of ``Q`` (up to 12 strategies) or of their faces
    of ``Q`` with the complementary labels. This is the vertex enumeration of [1]_ and [2]_.
    Nothing of size ``n x n`` is built for a player with ``n`` strategies. Should Qhull fail on
    an input, or the polytope be a segment, every basis is solved instead, in batched numpy
    calls.

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
        before each polytope's hull and between batches of bases in the fallback. Qhull cannot
        be interrupted, so a hull that may not end in time (its polytope can have more than
        :data:`_INLINE_HULL_VERTICES` vertices, more than fit in the time left at
        :data:`_HULL_SECONDS_PER_VERTEX`) runs in a child process, abandoned when the budget
        runs out; a shorter one can overrun it by under a second. When it runs out, no
        further vertices are computed and the equilibria among the vertices found so far are
        returned.

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
        ``tol`` is not a positive number; or if a polytope to enumerate has more than 40
        dimensions and more than a million bases, or more vertices than fit in 50 MB of labels
        (ties among thousands of strategies), which the message names.

    Notes
    -----
    When each player's payoff does not depend on their own strategy (all payoffs tied, as in an
    all-zero game), every profile is an equilibrium and the extreme ones are the pure profiles; they
    are returned at once. Otherwise the cost grows with the number of vertices of ``P``,
    exponentially with the size of the game: milliseconds up to 10x10, about a second at 15x15,
    a fraction of a second at 2x20000.
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
    # Every profile is an equilibrium (as in indifferent_everywhere, on payoffs already mapped).
    if (a.max(axis=0) - a.min(axis=0)).max() <= tol and (
        b.max(axis=1) - b.min(axis=1)
    ).max() <= tol:
        rows, columns = np.eye(a.shape[0]), np.eye(a.shape[1])
        return sorted_profiles([(rows[i], columns[j]) for i, j in np.ndindex(*a.shape)]), True
    deadline = Deadline(max_seconds)
    if a.shape[0] <= a.shape[1]:
        xs, ys = _extreme_equilibria(a, b, tol, deadline)
    else:
        # The method enumerates the polytope of the player with fewer strategies.
        ys, xs = _extreme_equilibria(b.T, a.T, tol, deadline)
    xs = xs / xs.sum(axis=1, keepdims=True)
    ys = ys / ys.sum(axis=1, keepdims=True)
    # Labels read within tol bound each regret by a small multiple of tol, not by tol itself;
    # a pair over it is no equilibrium at this tolerance (a near-tie of a perturbed game).
    row_payoffs, column_payoffs = ys @ a.T, xs @ b
    kept = (row_payoffs.max(axis=1) - (xs * row_payoffs).sum(axis=1) <= tol) & (
        column_payoffs.max(axis=1) - (ys * column_payoffs).sum(axis=1) <= tol
    )
    return sorted_pairs(xs[kept], ys[kept]), not deadline.hit


def _extreme_equilibria(
    a: FloatArray, b: FloatArray, tol: float, deadline: Deadline
) -> tuple[FloatArray, FloatArray]:
    """The completely labelled vertex pairs ``(x, y)`` of ``P`` and ``Q``, as two arrays of rows.

    ``a`` and ``b`` are the normalised payoffs of a game whose row player has no more
    strategies than the column player, so ``P`` is the polytope of lower dimension. In small
    games, and in games with ties (:func:`_has_ties`) of up to :data:`_MAX_PAIRED_DIMENSION`
    strategies, the vertices of both are enumerated and paired by their labels
    (:func:`_completely_labelled`). Otherwise those of ``P`` are enumerated, and each vertex
    ``x`` is paired with every vertex of ``Q`` that has the labels ``x`` lacks: the vertices of
    the face of ``Q`` where ``(A y)_i = 1`` on the support ``S`` of ``x`` and ``y_j = 0`` off
    its best responses ``K``. When ``x`` is nondegenerate (``|S| = |K|``) and ``A[S, K]`` is
    nonsingular, that face is at most the one point solving ``A[S, K] y_K = 1``
    (:func:`_solved_partners`). The partners of the other vertices are read from the vertices
    of ``Q`` when ``Q`` has a low dimension, and otherwise from the vertices of each face
    (:func:`_face_partners`). Nothing of size ``n x n`` is built, so a game with few row
    strategies and very many columns stays cheap.
    """
    m, n = a.shape
    few_bases = comb(m + n, m) <= _MAX_BATCHED_BASES
    # Ties decide how a game is solved from here up to the dimensions where Q's hull is read.
    tied = (
        n <= _MAX_MATCHED_DIMENSION
        and not (few_bases and n <= _MAX_PAIRED_DIMENSION)
        and _has_ties(a, b)
    )
    if n <= _MAX_PAIRED_DIMENSION and (few_bases or tied):
        if few_bases:
            if deadline.expired():
                return np.zeros((0, m)), np.zeros((0, n))
            (x_vertices, x_zero, x_tight), (y_vertices, y_zero, y_tight) = _paired_vertices(
                a, b, tol
            )
        else:
            x_vertices, x_zero, x_tight = _read_vertices(b.T, tol, deadline, merged=True)
            y_vertices, y_zero, y_tight = _read_vertices(a, tol, deadline, merged=True)
        pairs = _completely_labelled(
            np.concatenate([x_zero, x_tight], axis=1), np.concatenate([y_tight, y_zero], axis=1), m
        )
        return x_vertices[pairs[:, 0]], y_vertices[pairs[:, 1]]
    x_vertices, x_zero, x_tight = _read_vertices(b.T, tol, deadline)
    if n <= _MAX_SOLVED_DIMENSION:
        # Without ties, an exactly singular system is unlikely: the stack is inverted at once.
        solved, xs, ys = _solved_whole_partners(a, x_vertices, x_zero, x_tight, not tied)
    else:
        solved, xs, ys = _solved_partners(a, x_vertices, x_zero, x_tight)
    rest = np.flatnonzero(~solved)
    if len(rest) == 0 or deadline.expired():
        return xs, ys
    x_vertices, x_zero, x_tight = x_vertices[rest], x_zero[rest], x_tight[rest]
    if n <= _MAX_MATCHED_DIMENSION:
        # Q's labels are "(A y)_i = 1" for the row player's strategies, then "y_j = 0".
        y_vertices, y_zero, y_tight = _read_vertices(a, tol, deadline, merged=tied)
        pairs = _completely_labelled(
            np.concatenate([x_zero, x_tight], axis=1), np.concatenate([y_tight, y_zero], axis=1), m
        )
        more_xs, more_ys = x_vertices[pairs[:, 0]], y_vertices[pairs[:, 1]]
    else:
        more_xs, more_ys = _face_partners(a, x_vertices, ~x_zero, x_tight, tol, deadline)
    return np.concatenate([xs, more_xs]), np.concatenate([ys, more_ys])


def _has_ties(a: FloatArray, b: FloatArray) -> bool:
    """Whether a player has two equal payoffs against one strategy of the other.

    Such ties make degenerate vertices likely, which pairing the vertices of both polytopes
    handles in one pass, where completing each vertex of ``P`` needs a second one.
    """
    rows, columns = np.sort(a, axis=0), np.sort(b, axis=1)
    return bool((rows[1:] == rows[:-1]).any() or (columns[:, 1:] == columns[:, :-1]).any())


def _paired_vertices(
    a: FloatArray, b: FloatArray, tol: float
) -> tuple[tuple[FloatArray, BoolArray, BoolArray], tuple[FloatArray, BoolArray, BoolArray]]:
    """The labelled vertices of ``P`` and of ``Q`` of a small game, by one batch of solves.

    Every basis of both polytopes is solved at once (:func:`_paired_systems`), by cofactors
    when the systems have at most :data:`_MAX_COFACTOR_SIZE` rows; the vertices come as
    :func:`_polytope_vertices` gives them, labelled for both polytopes in one pass. Cheaper
    than two hulls for games of a few strategies, where each numpy call costs more than its
    arithmetic.
    """
    m, n = a.shape
    index, right = _paired_systems(m, n)
    source = np.concatenate([b.T.ravel(), a.ravel(), [0.0, 1.0]])
    systems = source[index]
    if n <= _MAX_COFACTOR_SIZE:
        good, points = _solved_by_cofactors(systems, right, _RCOND)
    else:
        good, points = _solved(systems, right, _RCOND)
    # The systems of P come first, as many as those of Q.
    in_p = int(good[: len(good) // 2].sum())
    # Each point's slack in its polytope's constraints, in the order of the labels of P and
    # of Q alike: x_i, then 1 - (B^T x)_j for P; 1 - (A y)_i, then y_j for Q.
    slack = np.empty((len(points), m + n))
    slack[:in_p, :m] = points[:in_p, :m]
    slack[:in_p, m:] = 1.0 - points[:in_p, :m] @ b
    slack[in_p:, :m] = 1.0 - points[in_p:] @ a.T
    slack[in_p:, m:] = points[in_p:]
    # Points of the polytopes other than 0 (P's are padded with zeros).
    kept = (slack.min(axis=1, initial=0.0) >= -tol) & (points.max(axis=1, initial=0.0) > tol)
    in_p = int(kept[:in_p].sum())
    slack = slack[kept]
    labels = slack <= tol
    in_q = np.arange(len(slack)) >= in_p
    if (labels.sum(axis=1) > np.where(in_q, n, m)).any():
        # A vertex with more labels than its dimension has several bases: kept once (as in
        # _labelled_vertices, each polytope's vertices by their label sets).
        first = _first_of_each(_row_keys(np.column_stack([labels, in_q])))
        slack, labels, in_q = slack[first], labels[first], in_q[first]
        in_p = int((~in_q).sum())
    coordinates = np.where(labels, 0.0, slack)
    x = coordinates[:in_p, :m], labels[:in_p, :m], labels[:in_p, m:]
    y = coordinates[in_p:, m:], labels[in_p:, m:], labels[in_p:, :m]
    # Vertices split by rounding (see _merged) have a slack between tol and the merge reach
    # (the larger of the two polytopes' here: _merged looks again with its polytope's own).
    reach = _MERGE * max(a.sum(axis=1).max(), b.sum(axis=0).max(), 1.0)
    near = ((slack > tol) & (slack <= reach)).any(axis=1)
    if near[:in_p].sum() > 1:
        x = _merged(b.T, x[0], x[0] @ b, *x[1:], tol)
    if near[in_p:].sum() > 1:
        y = _merged(a, y[0], y[0] @ a.T, *y[1:], tol)
    return x, y


@lru_cache(maxsize=64)
def _paired_systems(m: int, n: int) -> tuple[IntArray, FloatArray]:
    """Where the entries of every basis system of ``P`` and ``Q`` come from, and their right sides.

    Entries index ``concatenate([B.T.ravel(), A.ravel(), [0, 1]])``, so that one fancy index
    builds all the systems of a game with ``m <= n`` strategies: first those of ``P``, the
    sets of ``m`` of its ``n + m`` constraints (``B.T x <= 1``, then ``x >= 0``) taken as
    equations, then those of ``Q``, each padded with the identity to ``n x n`` (cached,
    read-only).
    """
    zero, one = 2 * m * n, 2 * m * n + 1
    indices, rights = [], []
    # (rows of the constraint matrix, dimension, where the matrix starts in the source)
    for n_rows, dim, start in ((n, m, 0), (m, n, m * n)):
        bases = _all_bases(n_rows + dim, dim)
        index = np.full((len(bases), n, n), zero, dtype=np.intp)
        right = np.zeros((len(bases), n))
        for system, basis in enumerate(bases):
            for row, constraint in enumerate(basis):
                if constraint < n_rows:
                    index[system, row, :dim] = start + constraint * dim + np.arange(dim)
                    right[system, row] = 1.0
                else:
                    index[system, row, constraint - n_rows] = one
            index[system, range(dim, n), range(dim, n)] = one
        indices.append(index)
        rights.append(right)
    index, right = np.concatenate(indices), np.concatenate(rights)
    index.flags.writeable = right.flags.writeable = False
    return index, right


def _solved_partners(
    a: FloatArray, x_vertices: FloatArray, x_zero: BoolArray, x_tight: BoolArray
) -> tuple[BoolArray, FloatArray, FloatArray]:
    """Partners of the vertices of ``P`` whose face of ``Q`` is one point, by batched solves.

    Returns whether each vertex was settled that way, and the pairs ``(x, y)`` found, as two
    arrays of rows. A vertex is settled when it is nondegenerate, ``A[S, K]`` is far from
    singular (:data:`_SOLVED_RCOND`), and the solution is inside ``Q`` or outside it by more
    than :data:`_MARGIN`. In small games all vertices are solved in one batch, their systems
    padded with the identity to ``m x m``; in larger ones, in one batch per support size,
    which saves the cubic cost of padding (:data:`_PADDED_SIZE`), each batch of systems up to
    :data:`_MAX_COFACTOR_SIZE` by cofactors (:func:`_solved_by_cofactors`), each other batch of
    many systems by elimination across the stack (:func:`_solved_by_elimination`).
    """
    m, n = a.shape
    sizes = m - x_zero.sum(axis=1)
    solvable = x_tight.sum(axis=1) == sizes
    # Vertices settled without a solve (beaten) stay solvable, with no partner.
    to_solve = solvable.copy()
    if n < 63 and len(x_vertices) * m * m <= _MAX_BEATEN:
        candidates = solvable.nonzero()[0]
        to_solve[candidates[_beaten(a, x_zero[candidates], x_tight[candidates])]] = False
    xs, ys = [np.zeros((0, m))], [np.zeros((0, n))]
    padded = m <= _PADDED_SIZE or len(x_vertices) <= _PADDED_VERTICES
    for size, members, r, c in _support_batches(x_zero, x_tight, sizes, to_solve, padded):
        if padded:
            inside = np.arange(size) < sizes[members, None]
            square = inside[:, :, None] & inside[:, None, :]
            systems = np.where(square, a[r[:, :, None], c[:, None, :]], np.eye(size))
        else:
            inside = np.ones((len(members), size), dtype=bool)
            systems = a[r[:, :, None], c[:, None, :]]
        if not padded and size <= _MAX_COFACTOR_SIZE:
            good, solved = _solved_by_cofactors(systems, inside * 1.0, _SOLVED_RCOND)
        elif not padded and len(members) > _ELIMINATED_SYSTEMS:
            good, solved = _solved_by_elimination(systems, inside * 1.0, _SOLVED_RCOND)
        else:
            good, solved = _solved(systems, inside * 1.0, _SOLVED_RCOND)
        solvable[members[~good]] = False
        members, inside, c = members[good], inside[good], c[good]
        # Padding columns are columns off K, distinct from those of K: they receive zeros.
        y = np.zeros((len(members), n))
        y[np.arange(len(members))[:, None], c] = np.where(inside, solved, 0.0)
        # Row i of A at the solution, on the rows off the support (the others are tight).
        high = np.where(x_zero[members], y @ a.T, 0.0).max(axis=1, initial=0.0)
        low = np.where(inside, solved, 1.0).min(axis=1, initial=1.0)
        # A solution on the boundary of Q (within the margin) is a degenerate vertex that
        # rounding may have pushed outside: such vertices are completed as degenerate ones.
        feasible = (low > _MARGIN) & (high < 1.0 - _MARGIN)
        solvable[members[~feasible & (low >= -_MARGIN) & (high <= 1.0 + _MARGIN)]] = False
        xs.append(x_vertices[members[feasible]])
        ys.append(y[feasible])
    return solvable, np.concatenate(xs), np.concatenate(ys)


def _support_batches(
    x_zero: BoolArray, x_tight: BoolArray, sizes: IntArray, chosen: BoolArray, padded: bool
) -> list[tuple[int, IntArray, IntArray, IntArray]]:
    """The ``chosen`` vertices of :func:`_solved_partners` in batches, with their systems' indices.

    Each batch is ``(size, members, rows, columns)``: the systems of the vertices ``members``
    are ``A[rows, columns]``, one ``size x size`` block per vertex. ``padded``: one batch of
    size ``m``, the support's rows and the best responses' columns first (each in increasing
    order), then the others, as padding. Otherwise one batch per support size, from one sort of
    the vertices by size, so that each size's supports and best responses are consecutive runs
    of one list of indices each.
    """
    m = x_zero.shape[1]
    if padded:
        members = chosen.nonzero()[0]
        rows = x_zero[members].argsort(axis=1, kind="stable")
        columns = (~x_tight[members]).argsort(axis=1, kind="stable")[:, :m]
        return [(m, members, rows, columns)] if len(members) else []
    members = np.flatnonzero(chosen)
    members = members[sizes[members].argsort(kind="stable")]
    support_rows = (~x_zero[members]).nonzero()[1]
    best_columns = x_tight[members].nonzero()[1]
    counts = np.bincount(sizes[members], minlength=m + 1).tolist()
    batches, first, entry = [], 0, 0
    for k in range(1, m + 1):
        if counts[k]:
            last, end = first + counts[k], entry + counts[k] * k
            rows, columns = support_rows[entry:end], best_columns[entry:end]
            batches.append((k, members[first:last], rows.reshape(-1, k), columns.reshape(-1, k)))
            first, entry = last, end
    return batches


def _read_vertices(
    matrix: FloatArray, tol: float, deadline: Deadline, merged: bool = False
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """:func:`_polytope_vertices`, read straight from the hull where its points are clean.

    Qhull's points are labelled in one pass (:func:`_clean_vertices`); only where they are not
    clean are they labelled, deduplicated, refined and merged the general way. ``merged``
    (for polytopes likely degenerate) is passed to :func:`_polar_facets`.
    """
    n_rows, dim = matrix.shape
    hull = None
    if (
        comb(n_rows + dim, dim) > _MAX_BATCHED_BASES
        and 2 <= dim <= _MAX_HULL_DIMENSION
        and not deadline.expired()
    ):
        hull = _qhull_points(matrix, merged, deadline)
    clean = None if hull is None else _clean_vertices(matrix, *hull, tol)
    if clean is None:
        return _polytope_vertices(matrix, tol, deadline, hull)
    return clean


def _clean_vertices(
    matrix: FloatArray, points: FloatArray, normals: FloatArray, bounds: FloatArray, tol: float
) -> tuple[FloatArray, BoolArray, BoolArray] | None:
    """:func:`_polytope_vertices` from Qhull's ``points``, when all of them are clean.

    Clean means that each point has at least ``dim`` labels, each met to within ``1e-7`` (and
    to within :data:`_SETTLED` at a degenerate vertex), and that no two vertices are close
    enough for :func:`_merged` to take them for one vertex split by rounding: then
    :func:`_vertices_read` and :func:`_labelled_vertices` would keep the first point of each
    vertex as read, coordinates within ``tol`` of zero set to zero, with these labels. Returns
    ``None`` otherwise.
    """
    dim = points.shape[1]
    if len(points) * len(normals) > _MAX_LABELS:
        return None  # refused in one line by _polytope_vertices
    slack = bounds - points @ normals.T
    labels = slack <= tol
    if not (labels == (np.abs(slack) <= 1e-7)).all():
        return None
    counts = labels.sum(axis=1)
    if counts.min(initial=dim) < dim:
        return None
    # Points with a constraint nearly but not quite tight may be one vertex split by rounding.
    # Labels are within 1e-7 of tight, so such a constraint adds to the count within the reach.
    reach = _MERGE * max(float(matrix.sum(axis=1).max()), 1.0)
    near = (slack <= reach).sum(axis=1) > counts
    # The origin is dropped: the only point whose coordinates are all within tol of zero.
    nonzero = np.logical_not(labels[:, -dim:].all(axis=1))
    if counts.max(initial=dim) > dim:
        degenerate = (counts > dim)[:, None] & labels
        if np.abs(slack).max(where=degenerate, initial=0.0) > _SETTLED:
            return None  # recomputed from its constraints the general way
        # A degenerate vertex lies on several of Qhull's simplices: it is kept once.
        first = _first_of_each(_row_keys(labels))
        rows = first[nonzero[first]]
    else:
        rows = np.flatnonzero(nonzero)
    # Each array is indexed once, by the rows kept.
    labels = labels[rows]
    zero = labels[:, -dim:]
    vertices = np.where(zero, 0.0, points[rows])
    candidates = np.flatnonzero(near[rows])
    if len(candidates) > 1 and len(_close_pairs(vertices[candidates])):
        return None
    return vertices, zero, labels[:, :-dim]


def _solved_whole_partners(
    a: FloatArray,
    x_vertices: FloatArray,
    x_zero: BoolArray,
    x_tight: BoolArray,
    regular: bool = False,
) -> tuple[BoolArray, FloatArray, FloatArray]:
    """As :func:`_solved_partners`, by ``n x n`` systems gathered in one call.

    Each partner ``y`` of a nondegenerate vertex ``x`` solves the ``n`` equations of the labels
    ``x`` lacks, ``y_j = 0`` off the best responses ``K`` and ``(A y)_i = 1`` on the support
    ``S``, the latter restricted to the columns ``K``: each system is ``A[S, K]`` bordered by
    ``-1`` on a diagonal, as well or ill conditioned as ``A[S, K]`` padded with the identity.
    One gather builds them all, where :func:`_solved_partners` takes a dozen calls; for small
    ``n`` the number of numpy calls, not their arithmetic, sets the cost. ``regular`` (no
    system expected exactly singular) is passed to :func:`_solved`.
    """
    m, n = a.shape
    # x's labels, "column j is a best response" then "x_i = 0", and Q's constraints in the
    # same order: -y_j <= 0, then (A y)_i <= 1.
    labels = np.concatenate([x_tight, x_zero], axis=1)
    normals = np.concatenate([_negative_identity(n), a])
    bounds = 1.0 - _unit_bounds(n, m)
    nondegenerate = np.flatnonzero(labels.sum(axis=1) == m)
    beaten = _beaten(a, x_zero[nondegenerate], x_tight[nondegenerate])
    solvable = np.zeros(len(x_vertices), dtype=bool)
    solvable[nondegenerate[beaten]] = True
    nondegenerate = nondegenerate[~beaten]
    labels = labels[nondegenerate]
    rows = np.nonzero(~labels)[1].reshape(-1, n)
    systems = np.where((rows >= n)[:, :, None] & ~labels[:, None, :n], 0.0, normals[rows])
    good, solved = _solved(systems, bounds[rows], _SOLVED_RCOND, regular)
    members, labels = nondegenerate[good], labels[good]
    ys = np.where(labels[:, :n], solved, 0.0)
    # The least slack of y in the constraints it need not meet with equality (x's labels).
    least = np.where(labels, bounds - ys @ normals.T, np.inf).min(axis=1)
    # As in _solved_partners: within the margin of Q's boundary, left to the completion of
    # degenerate vertices.
    solvable[members[np.abs(least) > _MARGIN]] = True
    feasible = least > _MARGIN
    return solvable, x_vertices[members[feasible]], ys[feasible]


def _beaten(a: FloatArray, zero: BoolArray, best: BoolArray) -> BoolArray:
    """Which nondegenerate vertices of ``P`` have no partner, seen without solving for one.

    A vertex's partner ``y >= 0`` has ``(A y)_s = 1`` on its support ``S`` and ``(A y)_i <= 1``
    off it, and is zero off its best responses ``K``. Where a row ``i`` off ``S`` exceeds a row
    ``s`` of ``S`` by more than :data:`_BEATEN_GAP` in every column of ``K``, ``(A y)_i`` exceeds
    ``(A y)_s`` by more than half that (payoffs at most 2 make ``y`` sum to at least 1/2): no
    point of ``Q`` comes within :data:`_MARGIN` of that face, so the vertex is settled without a
    partner, as its solve would settle it. ``zero`` and ``best`` are the vertices' labels
    ``x_i = 0`` and "column j is a best response"; ``A`` has fewer than 63 columns.
    """
    # Bit mask of the columns where row i does not exceed row s by the gap, for every pair
    # (i, s); then K must miss the mask of some pair with i off S and s in S. Masks are held in
    # the narrowest unsigned type of n bits: the arrays over (vertex, i, s) are the cost.
    narrow = np.min_scalar_type((1 << a.shape[1]) - 1)
    short = ~_bit_masks(a[:, None, :] - a[None, :, :] > _BEATEN_GAP).astype(narrow)
    within = (short[None] & _bit_masks(best).astype(narrow)[:, None, None]) == 0
    within &= zero[:, :, None]
    within &= ~zero[:, None, :]
    beaten: BoolArray = within.any(axis=(1, 2))
    return beaten


def _face_partners(
    a: FloatArray,
    x_vertices: FloatArray,
    support: BoolArray,
    best: BoolArray,
    tol: float,
    deadline: Deadline,
) -> tuple[FloatArray, FloatArray]:
    """Each ``x`` paired with every vertex of its face of ``Q``, as two arrays of rows.

    The face of ``x`` consists of the points of ``{y_K >= 0, A[:, K] y_K <= 1}`` (zero off the
    best responses ``K``) where the rows of the support ``S`` are tight; its vertices are those
    of that polytope with those rows tight, enumerated once for each distinct ``K``.
    """
    n = a.shape[1]
    xs, ys = [np.zeros((0, x_vertices.shape[1]))], [np.zeros((0, n))]
    faces: dict[bytes, tuple[FloatArray, BoolArray]] = {}
    for v in range(len(x_vertices)):
        if deadline.expired():
            break
        key = np.packbits(best[v]).tobytes()
        if key not in faces:
            vertices, _, tight = _polytope_vertices(a[:, best[v]], tol, deadline)
            faces[key] = vertices, tight
        vertices, tight = faces[key]
        partners = vertices[np.all(tight[:, support[v]], axis=1)]
        full = np.zeros((len(partners), n))
        full[:, best[v]] = partners
        xs.append(np.repeat(x_vertices[v : v + 1], len(partners), axis=0))
        ys.append(full)
    return np.vstack(xs), np.vstack(ys)


def _completely_labelled(x_labels: BoolArray, y_labels: BoolArray, m: int) -> IntArray:
    """Pairs ``(p, q)`` of vertices whose labels together are all ``m + n`` labels.

    A vertex of ``P`` (dimension ``m``) has at least ``m`` labels and one of ``Q`` at least
    ``n``; a pair is completely labelled when ``q`` has every label ``p`` lacks. Label sets are
    bit masks (``m + n`` is at most :data:`_MAX_MATCHED_DIMENSION` twice). Few pairs are all
    tested at once; among many, when both have exactly their dimension's number of labels
    (nondegenerate vertices), ``q``'s label set *is* the complement of ``p``'s, found by a
    sorted search, and only degenerate vertices (more labels) are tested against every vertex
    of the other polytope.
    Pairs are returned in increasing order.
    """
    n = y_labels.shape[1] - m
    full = (1 << (m + n)) - 1
    x_masks, y_masks = _bit_masks(x_labels), _bit_masks(y_labels)
    if len(x_masks) * len(y_masks) <= _ALL_PAIRS:
        return np.argwhere((x_masks[:, None] | y_masks[None, :]) == full)
    order = y_masks.argsort()
    # Masks of distinct vertices differ, so each complement is found at most once.
    at = np.minimum(y_masks[order].searchsorted(full ^ x_masks), len(order) - 1)
    found = [np.column_stack([np.arange(len(x_masks)), order[at]])]
    found[0] = found[0][y_masks[found[0][:, 1]] == full ^ x_masks]
    degenerate_x = np.flatnonzero(x_labels.sum(axis=1) > m)
    degenerate_y = np.flatnonzero(y_labels.sum(axis=1) > n)
    nondegenerate_x = np.flatnonzero(x_labels.sum(axis=1) == m)
    if len(degenerate_x):
        p, q = np.nonzero((x_masks[degenerate_x, None] | y_masks[None, :]) == full)
        found.append(np.column_stack([degenerate_x[p], q]))
    if len(degenerate_y):
        p, q = np.nonzero((x_masks[nondegenerate_x, None] | y_masks[None, degenerate_y]) == full)
        found.append(np.column_stack([nondegenerate_x[p], degenerate_y[q]]))
    pairs = np.vstack(found)
    return pairs[np.lexsort(pairs.T[::-1])]


def _polytope_vertices(
    matrix: FloatArray,
    tol: float,
    deadline: Deadline,
    hull: tuple[FloatArray, FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Nonzero vertices of ``{z >= 0, matrix @ z <= 1}`` for a matrix with positive entries.

    Returns the vertices as rows, whether each coordinate is zero (label ``z_i = 0``) and
    whether each constraint is tight (label ``(matrix @ z)_r = 1``), one row per vertex, with
    each vertex listed once and coordinates within ``tol`` of zero set to exactly zero. The
    vertices come from the convex hull of the polar polytope (:func:`_hull_points`); should
    Qhull fail on an input it cannot handle, from every basis (:func:`_basis_vertices`); none
    once ``deadline`` has expired, during the hull too. ``hull``, when given, is
    :func:`_hull_points` of ``matrix``, already computed.
    """
    n_rows, dim = matrix.shape
    if deadline.expired():
        return np.zeros((0, dim)), np.zeros((0, dim), dtype=bool), np.zeros((0, n_rows), dtype=bool)
    n_bases = comb(n_rows + dim, dim)
    if n_bases <= _MAX_BATCHED_BASES or dim < 2:
        # Few bases, or a segment (Qhull needs two dimensions): solve them all.
        vertices = _basis_vertices(matrix, tol, deadline)
    elif dim <= _MAX_HULL_DIMENSION:
        # Reached for the faces of degenerate vertices, likely degenerate themselves.
        hull = hull or _qhull_points(matrix, True, deadline)
        if hull is None:
            vertices = _basis_vertices(matrix, tol, deadline)
        else:
            vertices = _vertices_read(*hull, tol)
    else:
        # Many coordinates, few rows (a face of Q where one vertex of P ties with many of the
        # other player's strategies): a vertex's support has at most n_rows coordinates.
        n_supports = sum(comb(n_rows, k) * comb(dim, k) for k in range(1, n_rows + 1))
        if n_supports > _MAX_SUPPORT_BASES:
            raise OutOfReachError(
                f"vertex enumeration: a polytope of dimension {dim:,} with {n_rows + dim:,} "
                f"facets (up to {n_supports:.3g} vertices; many tied strategies) is out of "
                "reach",
                "lemke-howson",
            )
        vertices = _support_vertices(matrix, tol, deadline)
    if len(vertices) * (n_rows + dim) > _MAX_LABELS:
        raise OutOfReachError(
            f"vertex enumeration: a polytope of dimension {dim:,} has {len(vertices):,} "
            f"vertices, too many to label against its {n_rows + dim:,} facets",
            "lemke-howson",
        )
    return _labelled_vertices(matrix, vertices, tol)


def _labelled_vertices(
    matrix: FloatArray, points: FloatArray, tol: float
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Vertices of ``{z >= 0, matrix @ z <= 1}`` with their labels, each vertex once.

    ``points`` holds every vertex at least once (a degenerate one once per basis, or split by
    rounding), and nothing else; returns them as :func:`_polytope_vertices` does.
    """
    dim = matrix.shape[1]
    values = points @ matrix.T
    zero = points <= tol
    tight = values >= 1.0 - tol
    vertices = np.where(zero, 0.0, points)
    if (zero.sum(axis=1) + tight.sum(axis=1)).max(initial=0) > dim:
        # A vertex is the only point of the polytope where its tight constraints hold, so
        # equal label sets mean the same vertex, found from different bases of a degenerate
        # polytope (a vertex with exactly dim labels has one basis).
        first = _first_of_each(_row_keys(np.hstack([zero, tight])))
        vertices, values, zero, tight = vertices[first], values[first], zero[first], tight[first]
    return _merged(matrix, vertices, values, zero, tight, tol)


def _hull_points(
    matrix: FloatArray, merged: bool = False, deadline: Deadline | None = None
) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """Qhull's points for the vertices of ``{z >= 0, matrix @ z <= 1}``, and its constraints.

    With a point ``c`` inside the polytope, write each constraint as ``a_k . (z - c) <= b_k``
    (``b_k > 0``). The polar polytope, the convex hull of the points ``a_k / b_k``, has one facet
    ``{p : v . p = 1}`` for each vertex ``c + v`` of the polytope, also where more constraints
    than the dimension are tight (a degenerate vertex: one facet with more than ``dim``
    points, which Qhull's triangulated output reports as several simplices on one hyperplane,
    and its ``merged`` output once; see :func:`_polar_facets`). Returns one point per facet
    (or simplex) of the polar's hull, and the constraints ``normals @ z <= bounds``: the rows of
    ``matrix``, then ``-z_i <= 0``. :func:`_vertices_read` keeps each vertex once, recomputes a
    degenerate one that its point does not meet to rounding, and drops the origin. Returns
    None when ``deadline`` expired before the hull was done (:func:`_bounded_polar_facets`).
    """
    n_rows, dim = matrix.shape
    normals = np.concatenate([matrix, _negative_identity(dim)])
    sums = normals.sum(axis=1)
    # The centre (c, ..., c) is inside: its constraints have slack 1/2 and c.
    centre = 0.5 / sums[:n_rows].max()
    bounds = _unit_bounds(n_rows, dim)
    points = normals / (bounds - centre * sums)[:, None]
    planes = _bounded_polar_facets(points, merged, deadline or Deadline(None))
    if planes is None:
        return None
    return centre - planes[:, :-1] / planes[:, -1:], normals, bounds


def _bounded_polar_facets(
    points: FloatArray, merged: bool, deadline: Deadline
) -> FloatArray | None:
    """:func:`_polar_facets`, or None where ``deadline`` expired first.

    A hull whose polytope may have more vertices than :data:`_INLINE_HULL_VERTICES`, and than
    can be computed in the time left at :data:`_HULL_SECONDS_PER_VERTEX`, is computed in a child
    process that is killed when the deadline passes; any other (and every hull without a
    deadline) here.
    """
    n_points, dim = points.shape
    most = _most_vertices(n_points, dim)
    if most <= _INLINE_HULL_VERTICES or most * _HULL_SECONDS_PER_VERTEX <= deadline.remaining():
        return _polar_facets(points, merged)
    planes, _ = within_deadline(
        deadline, _polar_facets, points, merged, imports=("scipy.spatial._qhull",)
    )
    return planes


def _most_vertices(n_facets: int, dim: int) -> int:
    """The most vertices a polytope of dimension ``dim`` with ``n_facets`` facets can have.

    McMullen's upper bound theorem (1970): the polar of the cyclic polytope attains it.

    Examples
    --------
    >>> _most_vertices(4, 2), _most_vertices(6, 3), _most_vertices(24, 12)
    (4, 8, 24752)
    """
    return comb(n_facets - (dim + 1) // 2, n_facets - dim) + comb(
        n_facets - (dim + 2) // 2, n_facets - dim
    )


def _polar_facets(points: FloatArray, merged: bool) -> FloatArray:
    """The hyperplanes ``normal . p + offset = 0`` of the facets of the hull of ``points``.

    As ``scipy.spatial.ConvexHull(points).equations`` (the same Qhull run and options), without
    what ``ConvexHull`` also computes and this module never reads (the hull's volume and area,
    a fifth to a third of the hull's time). Qhull merges the simplices of a facet with more
    than ``dim`` points, and ``ConvexHull`` triangulates them again, each simplex keeping the
    merged facet's hyperplane; ``merged`` asks for each such facet once instead, which saves
    the triangulation and the duplicates where the polytope is degenerate, and costs a Python
    list per facet where it is not. Falls back to ``ConvexHull`` on a SciPy without its
    ``_Qhull`` class.
    """
    try:
        from scipy.spatial._qhull import _Qhull
    except ImportError:  # a SciPy that renamed its private class
        from scipy.spatial import ConvexHull

        return np.asarray(ConvexHull(points).equations, dtype=np.float64)
    # ConvexHull's default options: exact pre-merges (Qx) from five dimensions on.
    options = b"Qx" if points.shape[1] >= 5 else b""
    qhull = _Qhull(b"i", np.ascontiguousarray(points), options, None if merged else b"Qt")
    try:
        if merged:
            return np.asarray(qhull.get_hull_facets()[1], dtype=np.float64)
        qhull.triangulate()
        return np.asarray(qhull.get_simplex_facet_array()[2], dtype=np.float64)
    finally:
        qhull.close()


def _qhull_points(
    matrix: FloatArray, merged: bool, deadline: Deadline
) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """:func:`_hull_points`, or ``None`` where Qhull fails on the input or ``deadline`` expired."""
    from scipy.spatial import QhullError  # imported here: small games need no scipy

    try:
        return _hull_points(matrix, merged, deadline)
    except QhullError:
        return None


@lru_cache(maxsize=64)
def _negative_identity(dim: int) -> FloatArray:
    """``-np.eye(dim)``, the normals of the bounds ``z >= 0`` (cached, read-only)."""
    identity = -np.eye(dim)
    identity.flags.writeable = False
    return identity


@lru_cache(maxsize=64)
def _unit_bounds(ones: int, zeros: int) -> FloatArray:
    """``ones`` ones followed by ``zeros`` zeros (cached, read-only)."""
    bounds = np.concatenate([np.ones(ones), np.zeros(zeros)])
    bounds.flags.writeable = False
    return bounds


def _vertices_read(
    points: FloatArray, normals: FloatArray, bounds: FloatArray, tol: float
) -> FloatArray:
    """The nonzero vertices among Qhull's ``points``, each once, degenerate ones refined."""
    dim = points.shape[1]
    gaps = np.abs(points @ normals.T - bounds)
    # Constraints within this of tight at Qhull's point: candidates for the vertex's basis.
    patterns = gaps <= 1e-7
    # Where exactly dim constraints are tight, Qhull's point is accurate to rounding (the
    # equilibria among them are recomputed from their bases at the end).
    square = patterns.sum(axis=1) == dim
    if not square.all():
        # A degenerate vertex lies on several of Qhull's simplices: it is kept once.
        which = _first_of_each(_row_keys(patterns))
        points, gaps, patterns, square = points[which], gaps[which], patterns[which], square[which]
        # Where Qhull's point meets all its tight constraints to rounding (payoffs exact in
        # binary), no recomputation would improve it; elsewhere it is recomputed as the
        # least-squares solution of its tight constraints, from their normal equations.
        loose = ~square & (gaps.max(axis=1, where=patterns, initial=0.0) > _SETTLED)
        if loose.any():
            points = _refined(points, patterns, loose, normals, bounds, tol)
    nonzero = points.max(axis=1) > tol
    return np.asarray(points[nonzero], dtype=np.float64)


def _refined(
    points: FloatArray,
    patterns: BoolArray,
    loose: BoolArray,
    normals: FloatArray,
    bounds: FloatArray,
    tol: float,
) -> FloatArray:
    """``points`` with the ``loose`` ones recomputed from their tight constraints ``patterns``.

    Each is the least-squares solution of its constraints ``normals[k] . z = bounds[k]``, from
    the normal equations; one that leaves those constraints or the polytope (by more than
    ``tol``), or whose system is singular, is left as it was.
    """
    weights = patterns[loose].astype(np.float64)
    # normals.T @ diag(w) @ normals per point; one batched matmul (a three-operand einsum
    # loops in C without BLAS, ten times slower).
    gram = np.swapaxes(weights[:, :, None] * normals, 1, 2) @ normals
    good = _well_conditioned(gram)
    moments = (weights * bounds) @ normals
    refined = np.array(points)
    refined[np.flatnonzero(loose)[good]] = np.linalg.solve(gram[good], moments[good][..., None])[
        ..., 0
    ]
    values = refined @ normals.T - bounds
    kept = np.all(values <= tol, axis=1) & np.all(np.abs(values) <= tol, axis=1, where=patterns)
    return np.where(kept[:, None], refined, points)


def _first_of_each(keys: NDArray[np.void] | NDArray[np.int64]) -> IntArray:
    """Index of the first occurrence of each distinct key, in increasing order.

    As ``np.unique(keys, return_index=True)[1]``, sorted, in a few numpy calls rather than
    a few dozen (it runs once or twice per game).
    """
    order = keys.argsort(kind="stable")
    ordered = keys[order]
    first = order[np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))]
    first.sort()
    return first


def _row_keys(rows: BoolArray) -> NDArray[np.void] | NDArray[np.int64]:
    """One hashable, sortable key per row of a boolean matrix (its bits, packed)."""
    if rows.shape[1] < 63:
        # One integer per row: a single call, where packing takes four.
        return _bit_masks(rows)
    packed = np.ascontiguousarray(np.packbits(rows, axis=1))
    return packed.view(np.dtype((np.void, packed.shape[1]))).ravel()


def _bit_masks(rows: BoolArray) -> NDArray[np.int64]:
    """Each row of a boolean array of fewer than 63 columns as the integer of its bits."""
    masks: NDArray[np.int64] = rows @ _bit_weights(rows.shape[-1])
    return masks


@lru_cache(maxsize=64)
def _bit_weights(width: int) -> NDArray[np.int64]:
    """The powers of two ``1, 2, 4, ...`` below ``2**width`` (cached, read-only)."""
    weights = np.left_shift(1, np.arange(width, dtype=np.int64))
    weights.flags.writeable = False
    return weights


def _basis_vertices(matrix: FloatArray, tol: float, deadline: Deadline) -> FloatArray:
    """Nonzero vertices of ``{z >= 0, matrix @ z <= 1}``, by solving every basis.

    A basis is a set of ``dim`` constraints, among the ``n_rows`` rows of ``matrix`` and the
    ``dim`` bounds ``z_i >= 0``, taken as equations; where they determine a point that satisfies
    every other constraint, that point is a vertex. Bases are solved in batches (all at once in
    small games); the search stops, without a word, once ``deadline`` has expired (it
    remembers that it did).
    """
    n_rows, dim = matrix.shape
    constraints = np.concatenate([matrix, _negative_identity(dim)])
    bounds = np.concatenate([np.ones(n_rows), np.zeros(dim)])
    found = [np.zeros((0, dim))]
    for bases in _basis_batches(n_rows + dim, dim):
        if deadline.expired():
            break
        _, points = _solved(constraints[bases], bounds[bases], _RCOND)
        found.append(points[_inside(points, points @ matrix.T, tol)])
    return np.vstack(found)


def _inside(points: FloatArray, values: FloatArray, tol: float) -> BoolArray:
    """Which rows of ``points`` are points of ``{z >= 0, matrix @ z <= 1}`` other than 0.

    Within ``tol``; ``values`` is ``points @ matrix.T``.
    """
    inside: BoolArray = (
        (points.min(axis=1, initial=0.0) >= -tol)
        & (values.max(axis=1, initial=0.0) <= 1.0 + tol)
        & (points.max(axis=1, initial=0.0) > tol)
    )
    return inside


def _support_vertices(matrix: FloatArray, tol: float, deadline: Deadline) -> FloatArray:
    """Nonzero vertices of ``{z >= 0, matrix @ z <= 1}`` for a matrix of few rows, by supports.

    A vertex with ``k`` nonzero coordinates ``K`` has ``k`` rows ``T`` tight, with
    ``matrix[T][:, K] @ z[K] = 1``, and ``k`` is at most the number of rows; so each system is
    at most ``n_rows x n_rows`` however many coordinates there are, and no array of a batch
    grows with the dimension. Stops, without a word, once ``deadline`` has expired.
    """
    n_rows, dim = matrix.shape
    found = [np.zeros((0, dim))]
    for k in range(1, min(n_rows, dim) + 1):
        bases = (
            (*tight, *support)
            for tight in combinations(range(n_rows), k)
            for support in combinations(range(dim), k)
        )
        while chunk := list(islice(bases, _CHUNK)):
            if deadline.expired():
                return np.vstack(found)
            pairs = np.array(chunk, dtype=np.intp)
            tight, support = pairs[:, :k], pairs[:, k:]
            good, values = _solved(
                matrix[tight[:, :, None], support[:, None, :]], np.ones((len(pairs), k)), _RCOND
            )
            support = support[good]
            rows = np.einsum("rvk,vk->vr", matrix[:, support], values)
            feasible = (values >= -tol).all(axis=1) & (rows <= 1.0 + tol).all(axis=1)
            points = np.zeros((int(feasible.sum()), dim))
            points[np.arange(len(points))[:, None], support[feasible]] = values[feasible]
            found.append(points)
    return np.vstack(found)


def _basis_batches(n_constraints: int, dim: int) -> Iterator[IntArray]:
    """Every set of ``dim`` of ``n_constraints`` indices, as rows of arrays of bounded size."""
    if comb(n_constraints, dim) <= _MAX_BATCHED_BASES:
        yield _all_bases(n_constraints, dim)
        return
    # Bases are generated lazily: listing them all first would take minutes and gigabytes on
    # games too large to finish anyway, before the deadline is ever checked.
    bases = combinations(range(n_constraints), dim)
    while chunk := list(islice(bases, _CHUNK)):
        yield np.array(chunk, dtype=np.intp)


@lru_cache(maxsize=128)
def _all_bases(n_constraints: int, dim: int) -> IntArray:
    """Every set of ``dim`` of ``n_constraints`` indices, one per row (cached, read-only)."""
    bases = np.array(list(combinations(range(n_constraints), dim)), dtype=np.intp)
    bases = bases.reshape(-1, dim)
    bases.flags.writeable = False
    return bases


def _merged(
    matrix: FloatArray,
    vertices: FloatArray,
    values: FloatArray,
    zero: BoolArray,
    tight: BoolArray,
    tol: float,
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Replace each cluster of nearly equal vertices by the one vertex they approximate.

    Payoffs that are not exact binary fractions (``k / 3 + 1e6``, or integers times ``1e-6``
    plus 5) carry rounding errors of about ``1e-10`` of their range, which split a vertex of a
    degenerate polytope into several vertices up to about ``1e-6`` apart, each with only some
    of its labels: the same equilibrium would be listed several times, or at a point whose
    regret exceeds the tolerance. Vertices closer than :data:`_MERGE` are clustered, and a
    cluster is replaced by the least-squares solution of the union of its members' labels
    when that point satisfies all of them within ``tol``; otherwise its members are kept.
    ``values`` is ``vertices @ matrix.T``.
    """
    # Two vertices that close differ in a constraint tight at one and nearly tight at the
    # other, with a slack of at most _MERGE times the constraint's 1-norm: only the vertices
    # with such a constraint are compared (few, in a nondegenerate polytope).
    reach = _MERGE * max(matrix.sum(axis=1).max(), 1.0)
    near = ((vertices > 0.0) & (vertices <= reach)).any(axis=1) | (
        (values >= 1.0 - reach) & ~tight
    ).any(axis=1)
    candidates = near.nonzero()[0]
    if len(candidates) < 2:
        return vertices, zero, tight
    pairs = candidates[_close_pairs(vertices[candidates])]
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
        at_point = matrix @ point
        labels_hold = (
            np.all(point[free] >= -tol)
            and np.all(at_point <= 1.0 + tol)
            and np.all(at_point[union_tight] >= 1.0 - tol)
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
    in by more than ``_MERGE`` times the sum of the weights; only rows that close in it, and in
    a second weighted sum, are compared coordinate by coordinate (a k-d tree is slow in the ten
    or more dimensions of larger games).
    """
    weights = 1.0 + np.arange(vertices.shape[1]) / vertices.shape[1]
    keys = vertices @ weights
    order = keys.argsort()
    keys = keys[order]
    ends = keys.searchsorted(keys + _MERGE * weights.sum(), side="right")
    starts = np.arange(len(order))
    widest = int((ends - starts).max(initial=0))
    if widest <= 1:
        return np.zeros((0, 2), dtype=np.intp)
    others = vertices[order] @ weights[::-1]
    pairs = [np.zeros((0, 2), dtype=np.intp)]
    # Each row against the row ``offset`` places later in the order, for all rows at once.
    for offset in range(1, widest):
        near = (starts[:-offset] + offset < ends[:-offset]) & (
            np.abs(others[offset:] - others[:-offset]) <= _MERGE * weights.sum()
        )
        first = order[np.flatnonzero(near)]
        second = order[np.flatnonzero(near) + offset]
        close = np.max(np.abs(vertices[first] - vertices[second]), axis=1) <= _MERGE
        pairs.append(np.column_stack([first[close], second[close]]))
    return np.vstack(pairs)


def _clusters(cluster: NDArray[np.int32]) -> Iterator[NDArray[np.intp]]:
    """Indices of the members of each cluster of two or more, in order of first member."""
    for label in np.flatnonzero(np.bincount(cluster) > 1):
        yield np.flatnonzero(cluster == label)


def _solved(
    systems: FloatArray, right: FloatArray, rcond: float, regular: bool = False
) -> tuple[BoolArray, FloatArray]:
    """Which systems of a stack are well conditioned, and the solutions of those.

    A system counts when its reciprocal condition number is at least ``rcond``; ``right`` holds
    the right-hand sides, one row per system. A few systems, or any number where the caller
    expects none ``regular`` (exactly singular), are inverted at once, which gives the
    condition numbers with no second factorisation; many others are screened by their
    determinants first (:func:`_well_conditioned`), which costs less than inverting them all
    when some are singular (one singular system makes the inversion of the stack fail).
    """
    if regular or len(systems) <= _FEW_SYSTEMS:
        try:
            inverses = np.asarray(np.linalg.inv(systems), dtype=np.float64)
        except np.linalg.LinAlgError:
            pass  # an exactly singular system: screened below
        else:
            # |M|_F |M^-1|_F rcond <= 1, squared.
            good: BoolArray = (
                _squared_frobenius(systems) * _squared_frobenius(inverses) * rcond**2 <= 1.0
            )
            solutions: FloatArray = (inverses @ right[..., None])[good, :, 0]
            return good, solutions
    good = _well_conditioned(systems, rcond)
    solutions = np.asarray(np.linalg.solve(systems[good], right[good][..., None])[..., 0])
    return good, solutions


def _solved_by_cofactors(
    systems: FloatArray, right: FloatArray, rcond: float
) -> tuple[BoolArray, FloatArray]:
    """:func:`_solved` for a stack of small systems, by their determinants and cofactors.

    Each of the ``k * k`` cofactors is a sum over permutations (:func:`_expansions`), taken for
    the whole stack at once, and the determinant is their sum along the first row; the inverse
    is the transposed matrix of cofactors over the determinant, which gives the same condition
    number as :func:`_solved` (Frobenius norm) and the solutions. An exactly singular system has
    a zero determinant, or cofactors within their rounding error of zero (rank ``k - 2`` or
    less), and is left out, as are those below ``rcond``. For ``k`` up to
    :data:`_MAX_COFACTOR_SIZE`: each cofactor's sum has ``(k - 1)!`` terms.

    Examples
    --------
    >>> import numpy as np
    >>> systems = np.array([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 2.0], [2.0, 4.0]]])
    >>> good, solutions = _solved_by_cofactors(systems, np.ones((2, 2)), 1e-12)
    >>> good.tolist(), solutions.round(4).tolist()
    ([True, False], [[0.4, 0.2]])
    """
    count, k, _ = systems.shape
    # One row per entry of the matrices, one column per system: each term of a cofactor then
    # gathers whole rows, where the systems' own layout would gather entry by entry.
    entries = np.ascontiguousarray(systems.reshape(count, k * k).T)
    factors, cofactor_signs = _expansions(k)
    # Row i * k + j: the cofactor of entry (i, j); the determinant, along the first row. The
    # terms' products are taken factor by factor: a product over an axis of length k - 1 is a
    # reduction, several times slower than k - 2 multiplications of whole arrays.
    terms = entries[factors[0]] if factors else np.ones((1, 1, count))
    for factor in factors[1:]:
        terms *= entries[factor]
    cofactors = np.einsum("ctv,ct->cv", terms, cofactor_signs)
    determinants = np.einsum("jv,jv->v", entries[:k], cofactors[:k])
    # |M|_F |M^-1|_F rcond <= 1, with M^-1 = C^T / det, squared.
    adjugate_norms = np.einsum("iv,iv->v", cofactors, cofactors)
    norms = np.einsum("iv,iv->v", entries, entries) * adjugate_norms
    good: BoolArray = (determinants != 0.0) & (norms * rcond**2 <= determinants**2)
    if k > 2:
        # A system of rank k - 2 or less has every cofactor zero, which come out as rounding
        # noise (each a sum of (k - 1)! products of k - 1 entries), as does the determinant:
        # their ratio then says nothing of the inverse, and the system is left out, as LAPACK
        # leaves it. (Cofactors of 2 x 2 systems are entries, exact.)
        noise = 2 * k * k * _EPS * factorial(k - 1)
        good &= adjugate_norms > noise**2 * np.abs(entries).max(axis=0) ** (2 * k - 2)
    adjugate = cofactors[:, good].reshape(k, k, -1)
    solutions: FloatArray = np.einsum("jiv,vj->vi", adjugate, right[good])
    solutions /= determinants[good, None]
    return good, solutions


@lru_cache(maxsize=8)
def _expansions(k: int) -> tuple[tuple[IntArray, ...], FloatArray]:
    """Leibniz expansions of the cofactors of a ``k x k`` matrix (cached, read-only).

    Returns ``k - 1`` index arrays, one per factor (none for a 1 x 1 matrix, whose cofactor
    is the empty product, 1), of indices into the flattened matrix, and the signs: the cofactor
    of entry ``(i, j)`` is the sum, over the terms ``p``, of ``sign[i * k + j, p]`` times the
    product of the entries ``factor[i * k + j, p]`` of the factors: the permutations of the
    minor without row ``i`` and column ``j``, their signs including ``(-1) ** (i + j)``.

    Examples
    --------
    >>> factors, signs = _expansions(2)
    >>> factors[0].tolist(), signs.tolist()
    ([[3], [2], [1], [0]], [[1.0], [-1.0], [-1.0], [1.0]])
    """
    index, signs = [], []
    for i, j in np.ndindex(k, k):
        rows = [r for r in range(k) if r != i]
        columns = [c for c in range(k) if c != j]
        terms, term_signs = [], []
        for order in permutations(range(k - 1)):
            inversions = sum(a > b for a, b in combinations(order, 2))
            terms.append([rows[r] * k + columns[c] for r, c in enumerate(order)])
            term_signs.append((-1.0) ** (i + j + inversions))
        index.append(terms)
        signs.append(term_signs)
    index_table = np.array(index, dtype=np.intp).reshape(k * k, factorial(k - 1), k - 1)
    factors = tuple(np.ascontiguousarray(index_table[..., p]) for p in range(k - 1))
    sign_table = np.array(signs)
    for table in (*factors, sign_table):
        table.flags.writeable = False
    return factors, sign_table


def _solved_by_elimination(
    systems: FloatArray, right: FloatArray, rcond: float
) -> tuple[BoolArray, FloatArray]:
    """:func:`_solved` for a stack of systems whose leading blocks are expected regular.

    Each system is solved by :func:`_eliminated`, without row exchanges. A solution is kept
    when its system passes the determinant's bound of :func:`_well_conditioned` and the
    solution's backward error is within :data:`_BACKWARD_ERROR` roundings (as with row
    exchanges); the others, left in doubt (a small pivot, or a system near singular), are
    solved by :func:`_solved`.
    """
    solutions, determinants = _eliminated(systems, right)
    k = systems.shape[-1]
    norms = _frobenius(systems)
    with np.errstate(invalid="ignore", over="ignore"):  # solutions of a zero pivot
        residuals = np.abs(np.einsum("vij,vj->vi", systems, solutions) - right).max(axis=1)
        scale = norms * np.abs(solutions).max(axis=1) + np.abs(right).max(axis=1)
        good: BoolArray = (determinants * (np.sqrt(k) / norms) ** k >= 2.0 * rcond) & (
            residuals <= _BACKWARD_ERROR * k * np.finfo(np.float64).eps * scale
        )
    doubt = np.flatnonzero(~good)
    if len(doubt):
        settled, again = _solved(systems[doubt], right[doubt], rcond)
        good[doubt[settled]] = True
        solutions[doubt[settled]] = again
    return good, solutions[good]


def _eliminated(systems: FloatArray, right: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Solutions of a stack of systems by Gaussian elimination without row exchanges.

    Returns the solutions, one row per system, and the absolute values of the determinants
    (the products of the pivots). The stack is laid out with the systems last, so that each
    step of the elimination is a few numpy calls over all of them. A zero pivot gives a
    determinant of 0 and solutions that are not finite; a small one, an inaccurate solution:
    callers check both (:func:`_solved_by_elimination`).

    Examples
    --------
    >>> import numpy as np
    >>> systems = np.array([[[2.0, 1.0], [1.0, 3.0]], [[4.0, 0.0], [0.0, 1.0]]])
    >>> solutions, determinants = _eliminated(systems, np.array([[1.0, 1.0], [1.0, 0.0]]))
    >>> solutions.round(4).tolist(), determinants.tolist()
    ([[0.4, 0.2], [0.25, 0.0]], [5.0, 4.0])
    """
    count, k, _ = systems.shape
    work = np.empty((k, k + 1, count))
    work[:, :k] = systems.transpose(1, 2, 0)
    work[:, k] = right.T
    solutions = np.empty((k, count))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for c in range(k - 1):
            factors = work[c + 1 :, c] / work[c, c]
            work[c + 1 :, c + 1 :] -= factors[:, None, :] * work[c, None, c + 1 :]
        pivots = work[range(k), range(k)]
        for c in range(k - 1, -1, -1):
            tail = (work[c, c + 1 : k] * solutions[c + 1 :]).sum(axis=0)
            solutions[c] = (work[c, k] - tail) / pivots[c]
        determinants: FloatArray = np.abs(pivots.prod(axis=0))
    return solutions.T, determinants


def _well_conditioned(systems: FloatArray, rcond: float = _RCOND) -> BoolArray:
    """Which matrices of a stack have reciprocal condition number at least ``rcond``.

    The determinant bounds the reciprocal 2-norm condition number of a ``k x k`` matrix ``M``
    from below by ``|det M| (sqrt(k) / |M|_F)^k / 2`` (Guggenheimer, Edelman and Johnson,
    *SIAM J. Numer. Anal.* 32, 1995); only the matrices that bound leaves in doubt are
    inverted, to estimate their condition number in the Frobenius norm (within a factor ``k``
    of the 2-norm's).
    """
    k = systems.shape[-1]
    determinants: FloatArray = np.abs(np.linalg.det(systems))
    good: BoolArray = determinants * (np.sqrt(k) / _frobenius(systems)) ** k >= 2.0 * rcond
    doubt = (~good & (determinants > 0.0)).nonzero()[0]
    if len(doubt):
        # A nonzero determinant means the LU factorisation inside inv meets no zero pivot.
        inverses = np.asarray(np.linalg.inv(systems[doubt]), dtype=np.float64)
        good[doubt] = _frobenius(systems[doubt]) * _frobenius(inverses) * rcond <= 1.0
    return good


def _frobenius(matrices: FloatArray) -> FloatArray:
    """Frobenius norm of each matrix in a stack."""
    norms: FloatArray = np.sqrt(_squared_frobenius(matrices))
    return norms


def _squared_frobenius(matrices: FloatArray) -> FloatArray:
    """Squared Frobenius norm of each matrix in a stack."""
    squares: FloatArray = np.einsum("vij,vij->v", matrices, matrices)
    return squares
