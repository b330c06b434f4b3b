r"""Every equilibrium in which at most one player mixes, as the extreme points of polytopes.

Fix a player ``i`` and a pure strategy ``s_j`` for every other player. A mixture ``x`` of player
``i`` then makes ``(x, s_{-i})`` an equilibrium exactly when ``x`` puts weight only on best
responses ``B`` to ``s_{-i}`` and, for every other player ``j``, no strategy ``a_j`` earns more
than ``s_j`` against ``x`` and the rest:

.. math::

    x \in \Delta(B), \qquad
    \sum_{b \in B} x_b \bigl(u_j(a_j, b, s_{-ij}) - u_j(s_j, b, s_{-ij})\bigr) \le 0
    \quad \text{for all } j \ne i,\ a_j.

These are linear conditions on ``x``, so the set is a polytope, and every equilibrium where only
player ``i`` mixes lies in one of them. Player ``i``'s own indifference conditions put no
constraint on ``x``; that is why such supports never give isolated solutions of the indifference
equations. :func:`single_mixer_polytopes` lists the vertices of every such polytope with more
than one point: the extreme points of those continua (its pure vertices are pure equilibria).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.normal.pure_nash import pure_profile

FloatArray = NDArray[np.float64]
Profile = tuple[FloatArray, ...]

#: Largest number of candidate bases of one polytope that are tried; a polytope with more (a
#: player with many tied best responses facing many constraints) is reported as not enumerated.
MAX_BASES = 1 << 18


def single_mixer_polytopes(norm: FloatArray, tol: float) -> tuple[list[list[Profile]], bool]:
    """Vertices of every polytope of equilibria in which only one player mixes.

    Parameters
    ----------
    norm
        Payoff tensor ``(n_1, ..., n_N, N)`` with each player's payoffs in ``[0, 1]``.
    tol
        Tolerance on payoff differences (in those units) and on probabilities.

    Returns
    -------
    polytopes : list of list of profiles
        For each polytope with two or more vertices, its vertices as full profiles, in a fixed
        order (by player ``i``, then the others' pure profile, then the vertex, each
        lexicographically).
    complete : bool
        ``False`` if some polytope had more than :data:`MAX_BASES` candidate bases and was
        skipped.

    Examples
    --------
    The row player is indifferent between ``x`` and ``y``; the column player plays ``l`` as long
    as ``x`` has weight at least 1/2:

    >>> import numpy as np
    >>> norm = np.array([[[1, 1], [1, 0]], [[1, 0], [1, 1]]], dtype=float)
    >>> polytopes, complete = single_mixer_polytopes(norm, 1e-9)
    >>> [[p[0].tolist() for p in vertices] for vertices in polytopes], complete
    ([[[0.5, 0.5], [1.0, 0.0]], [[0.0, 1.0], [0.5, 0.5]]], True)
    """
    shape = norm.shape[:-1]
    polytopes: list[list[Profile]] = []
    complete = True
    for i, others in _tied_rest(norm, tol):
        index: list[int | slice] = list(others)
        index.insert(i, slice(None))
        own = norm[(*index, i)]
        best = np.flatnonzero(own >= own.max() - tol)
        constraints = _others_gains(norm, i, others, best)
        vertices = _simplex_polytope_vertices(constraints, tol)
        if vertices is None:
            complete = False
            continue
        if len(vertices) < 2:
            continue
        profiles = []
        for v in vertices:
            x = np.zeros(shape[i])
            x[best] = v
            profile = list(pure_profile(shape[:i] + shape[i + 1 :], others))
            profile.insert(i, x)
            profiles.append(tuple(profile))
        polytopes.append(profiles)
    return polytopes, complete


def _tied_rest(norm: FloatArray, tol: float) -> Iterator[tuple[int, tuple[int, ...]]]:
    """Each player ``i`` with each pure profile of the others where ``i`` has tied best replies.

    Two or more best responses within ``tol``, in order; found for all profiles at once.
    """
    for i in range(norm.shape[-1]):
        own = norm[..., i]
        best = np.count_nonzero(own >= own.max(axis=i, keepdims=True) - tol, axis=i)
        for others in np.argwhere(best >= 2).tolist():
            yield i, tuple(others)


def _others_gains(
    norm: FloatArray, i: int, others: tuple[int, ...], best: NDArray[np.intp]
) -> FloatArray:
    """Rows ``u_j(a_j, b, s_{-ij}) - u_j(s_j, b, s_{-ij})``, columns ``b`` in ``best``."""
    rows = []
    players = [j for j in range(norm.shape[-1]) if j != i]
    for j, s_j in zip(players, others, strict=True):
        axes = [np.array([s]) for s in others]
        axes.insert(i, best)
        axes[j] = np.arange(norm.shape[j])
        table = norm[..., j][np.ix_(*axes)]
        # Only the axes of i and j are longer than one; put j's strategies first.
        table = table.reshape(-1, norm.shape[j]).T if i < j else table.reshape(norm.shape[j], -1)
        gains = table - table[s_j]
        rows.append(np.delete(gains, s_j, axis=0))
    return np.vstack(rows) if rows else np.zeros((0, len(best)))


def _simplex_polytope_vertices(constraints: FloatArray, tol: float) -> FloatArray | None:
    """Vertices of ``{x >= 0, sum(x) = 1, constraints @ x <= 0}``, or ``None`` if too many bases.

    A vertex has ``b - 1`` tight inequalities (among ``x_k >= 0`` and the rows of
    ``constraints``) that, with ``sum(x) = 1``, determine it; every such choice is solved in one
    batched call and the feasible solutions are deduplicated.
    """
    b = constraints.shape[1]
    inequalities = np.vstack([-np.eye(b), constraints])
    count = len(inequalities)
    if math.comb(count, b - 1) > MAX_BASES:
        return None
    bases = np.array(list(itertools.combinations(range(count), b - 1)), dtype=np.intp)
    bases = bases.reshape(-1, b - 1)
    systems = np.concatenate([inequalities[bases], np.ones((len(bases), 1, b))], axis=1)
    rhs = np.zeros((len(bases), b))
    rhs[:, -1] = 1.0
    nonsingular = np.abs(np.linalg.det(systems)) > 1e-12
    points = np.linalg.solve(systems[nonsingular], rhs[nonsingular][..., None])[..., 0]
    feasible = np.all(points >= -tol, axis=1) & np.all(points @ constraints.T <= tol, axis=1)
    points = np.clip(points[feasible], 0.0, None)
    points /= points.sum(axis=1, keepdims=True)
    # Sorted lexicographically, one of each vertex that several bases define.
    unique = np.unique(np.round(points, 9), axis=0, return_index=True)[1]
    vertices: FloatArray = points[unique]
    return vertices
