"""Beliefs that make a response a best reply: the region of the simplex behind each choice.

At a message off the equilibrium path Bayes' rule says nothing, so a perfect Bayesian
equilibrium may use any belief there that makes the receiver's choice optimal. The set of such
beliefs is a polytope: the beliefs ``mu`` over the sender's types (restricted to a support, for
the intuitive criterion) with ``mu . (u(r) - u(r')) >= 0`` for every other response ``r'``. It is
described here by its vertices, found by enumerating the constraints that hold with equality,
which is exact and cheap for the handful of types a signalling game has.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Two vertices closer than this (largest coordinate difference) are one.
VERTEX_TOL = 1e-9


def best_reply_region(payoffs: FloatArray, response: int, support: Sequence[int]) -> FloatArray:
    """The vertices of the beliefs over ``support`` under which ``response`` is a best reply.

    Parameters
    ----------
    payoffs
        The receiver's payoffs at one message, shape ``(n_types, n_responses)``.
    response
        The response's index.
    support
        The types the belief may put weight on (indices).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_vertices, n_types)``: each row a belief (zero outside ``support``); no rows
        when no such belief exists.

    Examples
    --------
    >>> import numpy as np
    >>> # Beer-quiche receiver: duel pays 1 against the weak type, not dueling 1 against the strong.
    >>> u = np.array([[1.0, 0.0], [0.0, 1.0]])  # rows: weak, strong; columns: duel, not
    >>> best_reply_region(u, 0, [0, 1]).round(3).tolist()  # duel iff P(weak) >= 1/2
    [[0.5, 0.5], [1.0, 0.0]]
    """
    n_types, n_responses = payoffs.shape
    support = list(support)
    k = len(support)
    sub = payoffs[support]
    # Inequalities A mu <= 0 over mu in R^k: -mu_s <= 0, and (u(r') - u(r)) . mu <= 0; a vertex
    # may violate them by rounding only, relative to the payoffs' size.
    rows = [-np.eye(k)[s] for s in range(k)]
    for other in range(n_responses):
        if other != response:
            rows.append(sub[:, other] - sub[:, response])
    a = np.array(rows)
    b = np.zeros(len(rows))
    rounding = 1e-9 * (1 + float(np.abs(payoffs).max(initial=0.0)))
    found: list[FloatArray] = []
    for active in itertools.combinations(range(len(rows)), k - 1):
        system = np.vstack([np.ones((1, k)), a[list(active)]])
        rhs = np.concatenate([[1.0], b[list(active)]])
        if abs(np.linalg.det(system)) < 1e-12:
            continue
        mu = np.linalg.solve(system, rhs)
        if (a @ mu <= rounding).all():
            mu = np.clip(mu, 0.0, None)
            mu /= mu.sum()
            if not any(np.abs(mu - v).max() <= VERTEX_TOL for v in found):
                found.append(mu)
    vertices = np.zeros((len(found), n_types))
    for i, mu in enumerate(sorted(found, key=lambda v: tuple(v))):
        vertices[i, support] = mu
    return vertices


def best_replies(payoffs: FloatArray, belief: FloatArray, slack: float) -> tuple[int, ...]:
    """The responses within ``slack`` of the best expected payoff under ``belief``.

    Examples
    --------
    >>> import numpy as np
    >>> best_replies(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.5, 0.5]), 1e-9)
    (0, 1)
    """
    values = belief @ payoffs
    return tuple(int(r) for r in np.flatnonzero(values >= values.max() - slack))


def region_text(vertices: FloatArray, types: Sequence[str]) -> str:
    """A belief region in words: an interval for two types, its vertices otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> region_text(np.array([[0.5, 0.5], [1.0, 0.0]]), ["weak", "strong"])
    'P(weak) in [0.5, 1]'
    >>> region_text(np.array([[0.0, 1.0], [1.0, 0.0]]), ["weak", "strong"])
    'any belief'
    """
    if len(vertices) == 0:
        return "no belief"
    if len(types) == 2:
        low, high = float(vertices[:, 0].min()), float(vertices[:, 0].max())
        if low <= VERTEX_TOL and high >= 1 - VERTEX_TOL:
            return "any belief"
        if high - low <= VERTEX_TOL:
            return f"P({types[0]}) = {low:.4g}"
        return f"P({types[0]}) in [{low:.4g}, {high:.4g}]"
    points = "; ".join(
        "(" + ", ".join(f"{t} {p:.3g}" for t, p in zip(types, v, strict=True)) + ")"
        for v in vertices
    )
    return f"the beliefs spanned by {points}"
