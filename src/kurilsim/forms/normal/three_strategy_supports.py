r"""Support profiles where one player mixes three strategies and one or two others two, solved.

Let player ``A`` mix three strategies ``a_0, a_1, a_2`` (mixture ``x``), player ``B`` two
(weight ``q`` on the second), possibly player ``C`` two (weight ``r``), the others playing a
pure strategy. ``A``'s two indifferences ``D_t = u_A(a_t, .) - u_A(a_0, .) = 0`` (``t = 1, 2``)
do not depend on ``x``; ``B``'s and ``C``'s are linear in ``x``.

- ``B`` alone mixes with ``A``: each ``D_t`` is linear in ``q``, and both vanish at one ``q``
  only if their values at ``q = 0`` and ``q = 1`` are proportional. Unless that ``2 x 2``
  determinant is near zero (then the solutions, if any, form a continuum in ``x``), the
  support has no solution at all.
- ``B`` and ``C`` mix with ``A``: each ``D_t`` is bilinear in ``(q, r)``, so at most two
  isolated solutions. Writing ``D_t = (1 - r) L_{t0}(q) + r L_{t1}(q)``, both vanish at one
  ``r`` exactly where ``P(q) = L_{10} L_{21} - L_{11} L_{20}`` does: a quadratic. At each of
  its roots ``r`` follows from either equation, and ``x`` spans the null space of the two rows
  (``B``'s and ``C``'s advantage of each of ``A``'s strategies), their cross product scaled
  to sum to one.

Every candidate is polished by Newton's method on the whole system (``A``'s mixture as two
free probabilities, on which every equation is affine, so the corner representation of
:mod:`~kurilsim.forms.normal.binary_supports` holds). A support is *solved* here only if
nothing is near a degenerate case: no vanishing determinant, leading coefficient,
discriminant or denominator, no two rows nearly parallel (a line of solutions), no null vector
nearly summing to zero, every polished solution regular and no two alike. Every other support
is left to the subdivision (:func:`~kurilsim.forms.normal.support_boxes.solve_supports`),
which also finds continua and singular solutions. The regret check is left to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.normal.binary_supports import (
    DEGENERATE,
    MARGIN,
    coincident_solutions,
    cube_corners,
    line_coefficients,
    newton_polished,
    polynomial_products,
    roots_on_unit_interval,
)
from kurilsim.forms.normal.support_layouts import kept_between_calls

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]


def solve_three_strategy_supports(
    norm: FloatArray, masks: list[BoolArray]
) -> tuple[list[tuple[int, tuple[FloatArray, ...]]], BoolArray]:
    """Every solution on the simplices of the support profiles this module can solve.

    Parameters
    ----------
    norm
        Payoff tensor ``(n_1, ..., n_N, N)``, each player's payoffs within ``[0, 1]``.
    masks
        Per player, a boolean array ``(S, n_i)``: row ``k`` is the player's support in support
        profile ``k``.

    Returns
    -------
    roots : list of (int, tuple of ndarray)
        ``(support, mixtures)`` for every solution of the supports solved, by support.
    solved : ndarray of bool
        ``(S,)``: which support profiles were solved here (all their solutions are in
        ``roots``); the others are left to the subdivision (or to another direct solver).

    Examples
    --------
    In rock-paper-scissors against a player who mixes two strategies and pays nothing, no
    mixture of the second makes the first indifferent among all three strategies:

    >>> import numpy as np
    >>> rps = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=float)
    >>> u = np.zeros((3, 3, 2))
    >>> u[..., 0] = rps
    >>> masks = [np.ones((1, 3), dtype=bool), np.array([[True, True, False]])]
    >>> solve_three_strategy_supports((u + 1) / 2, masks)
    ([], array([ True]))
    """
    layout = _layout(norm.shape[:-1], masks)
    solved = np.zeros(len(masks[0]), dtype=bool)
    flat = norm.reshape(-1)
    # One mixer besides A: solved (with no solution) where A's two lines are not proportional.
    if len(layout.pairs):
        v = flat[layout.pair_cells[:, 1:]] - flat[layout.pair_cells[:, :1]]  # (R, 2 t, 2 q)
        determinant = v[:, 0, 0] * v[:, 1, 1] - v[:, 0, 1] * v[:, 1, 0]
        solved[layout.pairs] = np.abs(determinant) > DEGENERATE
    if not len(layout.triples):
        return [], solved
    payoff = flat[layout.triple_cells]  # (R, player A B C, 3 a, 2 q, 2 r)
    p, candidate, ok = _candidates(payoff)
    g = _corner_values(payoff)
    row, slot = np.nonzero(candidate & ok[:, None])
    p = p[row, slot]
    if len(row):
        p, regular = newton_polished(g[row], p)
        ok &= np.bincount(row, weights=~regular, minlength=len(ok)) == 0
        ok &= ~coincident_solutions(row, p, len(ok))
    solved[layout.triples[ok]] = True
    # A's whole mixture (from its two free probabilities), then q and r.
    x = np.concatenate((1.0 - p[:, :1] - p[:, 1:2], p), axis=1)
    keep = ok[row] & np.all((x >= -MARGIN) & (x <= 1 + MARGIN), axis=1)
    row, x = row[keep], np.clip(x[keep], 0.0, 1.0)
    mixtures = []
    for i, m in enumerate(masks):
        mixture = np.zeros((len(row), m.shape[1]))
        strategies = layout.strategies[row, i]  # (C, 3): A's three, a mixer's two, a pure one
        weights = np.where(
            (layout.player[row, 0] == i)[:, None],
            x[:, :3],
            np.where(
                (layout.player[row, 1] == i)[:, None],
                np.stack((1.0 - x[:, 3], x[:, 3], np.zeros(len(row))), axis=1),
                np.where(
                    (layout.player[row, 2] == i)[:, None],
                    np.stack((1.0 - x[:, 4], x[:, 4], np.zeros(len(row))), axis=1),
                    np.array([1.0, 0.0, 0.0]),
                ),
            ),
        )
        np.add.at(mixture, (np.arange(len(row))[:, None], strategies), weights)
        mixtures.append(mixture)
    supports = layout.triples[row].tolist()
    return sorted(
        zip(supports, zip(*mixtures, strict=True), strict=True), key=lambda root: root[0]
    ), solved


def _candidates(payoff: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Candidate solutions of support profiles of three mixers, each at a root of ``P``.

    Returns the candidates ``(R, 2, 4)`` as ``(x_1, x_2, q, r)``, which are candidates, and which
    supports are safe to solve so (see the module's description).
    """
    own = payoff[:, 0]  # A's payoffs (3 a, 2 q, 2 r)
    v = own[:, 1:] - own[:, :1]  # D_t at the corners of (q, r): (R, 2 t, 2 q, 2 r)
    at_r0, at_r1 = (
        line_coefficients(v[..., 0]),
        line_coefficients(v[..., 1]),
    )  # L_{t0}, L_{t1}: (R, 2 t, 2 coefficients)
    quadratic = polynomial_products(at_r0[:, 0], at_r1[:, 1]) - polynomial_products(
        at_r0[:, 1], at_r1[:, 0]
    )
    q, candidate, ok = roots_on_unit_interval(quadratic)
    low = at_r0[:, :, None, 0] + at_r0[:, :, None, 1] * q[:, None]  # L_{t0}(q): (R, 2 t, 2 roots)
    high = at_r1[:, :, None, 0] + at_r1[:, :, None, 1] * q[:, None]
    # r from the equation with the steeper line in r.
    slope = low - high
    steeper = np.argmax(np.abs(slope), axis=1)[:, None]
    denominator = np.take_along_axis(slope, steeper, axis=1)[:, 0]
    scale = np.max(np.maximum(np.abs(low), np.abs(high)), axis=1)
    ok &= ~np.any(
        candidate & (np.abs(denominator) <= DEGENERATE * np.maximum(scale, DEGENERATE)), axis=1
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.take_along_axis(low, steeper, axis=1)[:, 0] / denominator
    r = np.where(np.isfinite(r), r, 0.5)
    # B's and C's advantage of each of A's strategies, at r and at q: (R, 2 roots, 3 a)
    b_gain = payoff[:, 1, :, 1, :] - payoff[:, 1, :, 0, :]  # (R, 3 a, 2 r)
    c_gain = payoff[:, 2, :, :, 1] - payoff[:, 2, :, :, 0]  # (R, 3 a, 2 q)
    b_row = b_gain[:, None, :, 0] * (1.0 - r)[..., None] + b_gain[:, None, :, 1] * r[..., None]
    c_row = c_gain[:, None, :, 0] * (1.0 - q)[..., None] + c_gain[:, None, :, 1] * q[..., None]
    null = np.cross(b_row, c_row)
    size = np.max(np.abs(null), axis=-1)
    total = null.sum(axis=-1)
    rows_size = np.linalg.norm(b_row, axis=-1) * np.linalg.norm(c_row, axis=-1)
    ok &= ~np.any(
        candidate
        & (
            (size <= DEGENERATE * np.maximum(rows_size, DEGENERATE))
            | (np.abs(total) <= DEGENERATE * np.maximum(size, DEGENERATE))
        ),
        axis=1,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        x = null / total[..., None]
    p = np.concatenate((x[..., 1:], q[..., None], r[..., None]), axis=-1)
    return np.where(np.isfinite(p), p, 0.0), candidate, ok


def _corner_values(payoff: FloatArray) -> FloatArray:
    """The four equations' values ``(R, 4, 16)`` at the corners of ``(x_1, x_2, q, r)``.

    ``A``'s mixture at a corner is ``(1 - x_1 - x_2, x_1, x_2)``: every equation is affine in
    it, so its multilinear interpolation from the corners is the equation itself.
    """
    corner = cube_corners(4)  # (16, 4)
    mixture = np.stack((1 - corner[:, 0] - corner[:, 1], corner[:, 0], corner[:, 1]), axis=1)
    q, r = corner[:, 2], corner[:, 3]
    own = payoff[:, 0][:, :, q, r]  # (R, 3 a, 16)
    b_gain = payoff[:, 1][:, :, 1, r] - payoff[:, 1][:, :, 0, r]  # (R, 3 a, 16)
    c_gain = payoff[:, 2][:, :, q, 1] - payoff[:, 2][:, :, q, 0]
    values: FloatArray = np.stack(
        (
            own[:, 1] - own[:, 0],
            own[:, 2] - own[:, 0],
            np.einsum("rak,ka->rk", b_gain, mixture),
            np.einsum("rak,ka->rk", c_gain, mixture),
        ),
        axis=1,
    )
    return values


@dataclass(frozen=True)
class _Layout:
    """The support profiles solved here among some, and where their payoffs are.

    Attributes
    ----------
    pairs
        ``(P,)``: support profiles where ``A`` and one other player mix.
    pair_cells
        ``(P, 3 a, 2 q)``: where ``A``'s payoff is in the flattened payoffs.
    triples
        ``(R,)``: support profiles where ``A`` and two other players mix.
    triple_cells
        ``(R, 3 players, 3 a, 2 q, 2 r)``: where the payoffs of ``A``, ``B`` and ``C`` are.
    player
        ``(R, 3)``: which players ``A``, ``B`` and ``C`` are.
    strategies
        ``(R, N, 3)``: each player's strategies in the support (``A``'s three, a mixer's two
        then its first again, a pure player's one three times).
    """

    pairs: IntArray
    pair_cells: IntArray
    triples: IntArray
    triple_cells: IntArray
    player: IntArray
    strategies: IntArray


def _made_layout(shape: tuple[int, ...], masks: list[BoolArray]) -> _Layout:
    n_players = len(shape)
    sizes = np.stack([m.sum(axis=1) for m in masks], axis=1)  # (S, N)
    three = np.sum(sizes == 3, axis=1) == 1
    two = np.sum(sizes == 2, axis=1)
    plain = three & np.all(sizes <= 3, axis=1)
    # Each player's support strategies, in order, the first repeated to fill three.
    order = [np.argsort(~m, axis=1, kind="stable")[:, :3] for m in masks]
    strategies = np.stack(
        [
            np.where(
                np.arange(3)[None] < sizes[:, i, None],
                np.pad(o, ((0, 0), (0, 3 - o.shape[1]))),
                o[:, :1],
            )
            for i, o in enumerate(order)
        ],
        axis=1,
    )
    # Players by support size, larger first (A, then B and C).
    ranked = np.argsort(-sizes, axis=1, kind="stable")
    # (padded for two players, who have no profile of three mixers)
    ranked = np.pad(ranked, ((0, 0), (0, max(0, 3 - n_players))))
    stride = np.array([int(np.prod(shape[i + 1 :])) for i in range(n_players)], dtype=np.intp)
    base = np.sum(strategies[:, :, 0] * stride, axis=1)  # every player on their first strategy

    def cells(rows: IntArray, mixers: int) -> IntArray:
        """Flat cells ``(R, 3 a[, 2 q[, 2 r]])`` of the mixers' strategy profiles."""
        players = ranked[rows, :mixers]
        cell: IntArray = base[rows]
        for slot in range(mixers):
            who = players[:, slot]
            own = strategies[rows, who, : 3 if slot == 0 else 2]
            step = (own - own[:, :1]) * stride[who][:, None]
            cell = cell.reshape(*cell.shape, 1) + step.reshape(
                len(rows), *([1] * slot), step.shape[1]
            )
        return cell

    pairs = np.flatnonzero(plain & (two == 1))
    pair_cells = cells(pairs, 2) * n_players + ranked[pairs, 0, None, None]
    triples = np.flatnonzero(plain & (two == 2))
    player = ranked[triples, :3]
    triple_cells = cells(triples, 3)[:, None] * n_players + player[:, :, None, None, None]
    return _Layout(pairs, pair_cells, triples, triple_cells, player, strategies[triples])


#: Support profiles' layouts, kept between calls for a small game shape.
_layout = kept_between_calls(_made_layout)
