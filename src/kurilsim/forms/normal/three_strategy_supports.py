r"""Support profiles where one player mixes three strategies and one to three others two, solved.

Let player ``A`` mix three strategies ``a_0, a_1, a_2`` (mixture ``x``), player ``B`` two
(weight ``q`` on the second), possibly players ``C`` and ``D`` two (weights ``r`` and ``s``),
the others playing a pure strategy. ``A``'s two indifferences ``D_t = u_A(a_t, .) - u_A(a_0,
.) = 0`` (``t = 1, 2``) do not depend on ``x``; ``B``'s, ``C``'s and ``D``'s are linear in
``x``.

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
- ``B``, ``C`` and ``D`` mix with ``A``: each ``D_t`` is trilinear in ``(q, r, s)``. With ``s``
  held fixed, ``P(q)`` is as above, and ``(1 - r, r)`` is proportional to ``(L_{11},
  -L_{10})``; with these weights the three rows (``B``'s, ``C``'s and ``D``'s advantage of each
  of ``A``'s strategies) are of degrees 1, 1 and 2 in ``q``, and an ``x`` makes all three
  indifferent only where their determinant ``H(q)``, a quartic, vanishes. The resultant of
  ``P`` and ``H`` in ``q`` is a polynomial of degree at most 16 in ``s``. Where ``L_{10}`` and
  ``L_{11}`` share a root ``q`` (``A``'s first equation then holds for every ``r``), ``P``
  vanishes and ``H`` vanishes twice, at no solution: divided by the square of that quadratic
  in ``s``, a polynomial of degree 12 is left, the number of solutions such a system can have
  (the multihomogeneous Bezout number, reached by a game with twelve totally mixed
  equilibria built as McKelvey and McLennan's [1]_). It is interpolated at Chebyshev points,
  its coefficients above degree 12 must vanish (a check), and its roots in ``[0, 1]`` are the
  eigenvalues of its colleague matrix, as for four two-strategy mixers in
  :mod:`~kurilsim.forms.normal.binary_supports`. At each, ``q`` is the common root of ``P``
  and ``H`` (the null vector of their Sylvester matrix), ``r`` follows from ``A``'s equation
  steeper in ``r``, and ``x`` is the largest cross product of two of the three rows, scaled
  to sum to one. A solution at a point divided out is possible only in a degenerate game, and
  is tested for.

Every candidate is polished by Newton's method on the whole system (``A``'s mixture as two
free probabilities, on which every equation is affine, so the corner representation of
:mod:`~kurilsim.forms.normal.binary_supports` holds). A support is *solved* here only if
nothing is near a degenerate case: no vanishing determinant, resultant, leading coefficient,
discriminant or denominator, no root near the interval with a small imaginary part and no two
roots close together nor four crowded (within 0.05: one root of multiplicity four or more,
or a near-continuum, scattered), no second common root of ``P`` and ``H``, no ``s`` where
``P`` nearly vanishes for every ``q`` (a cluster of four or more roots), no possible solution
where the resultant was divided, no two rows nearly parallel (a line of solutions), no null vector
nearly summing to zero, every polished solution regular (even far outside the simplices:
Newton's method fails along a line of solutions, which may cross them at another ``s``) and
no two alike. Every other support is left to the subdivision
(:func:`~kurilsim.forms.normal.support_boxes.solve_supports`), which also finds continua and
singular solutions. The regret check is left to the caller.

References
----------
.. [1] R. D. McKelvey and A. McLennan, "The maximal number of regular totally mixed Nash
   equilibria", *Journal of Economic Theory* 72(2), 411-425, 1997.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.normal.binary_supports import (
    AMBIGUOUS,
    DEGENERATE,
    MARGIN,
    SINGULAR,
    chebyshev_fit,
    chebyshev_nodes,
    chebyshev_roots,
    coincident_solutions,
    cube_corners,
    finite,
    line_coefficients,
    newton_polished,
    polynomial_products,
    roots_on_unit_interval,
    sylvester,
)
from kurilsim.forms.normal.support_layouts import kept_between_calls

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]


def solve_three_strategy_supports(
    norm: FloatArray, masks: list[BoolArray]
) -> tuple[list[tuple[int, tuple[FloatArray, ...]]], BoolArray]:
    """Every solution on the simplices of the support profiles this module can solve.

    Those where one player mixes three strategies, one to three others two each and the rest
    play a pure strategy (see the module's description).

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
    found = []
    for mixers, candidates in (
        (layout.triples, _two_partners),
        (layout.quadruples, _three_partners),
    ):
        if len(mixers.rows):
            found.extend(_solved(flat[mixers.cells], mixers, candidates, masks, solved))
    return sorted(found, key=lambda root: root[0]), solved


def _solved(
    payoff: FloatArray,
    mixers: _Mixers,
    candidates: Callable[[FloatArray], tuple[FloatArray, BoolArray, BoolArray]],
    masks: list[BoolArray],
    solved: BoolArray,
) -> list[tuple[int, tuple[FloatArray, ...]]]:
    """The solutions of some support profiles alike, marked in ``solved`` where all are found.

    ``payoff`` is ``(R, players, 3 a, 2, ...)``: the mixers' payoffs; ``candidates`` gives each
    support's candidate solutions ``(R, C, 2 + k)`` as ``(x_1, x_2, q, ...)``, which are, and
    which supports are safe to solve so.
    """
    p, candidate, ok = candidates(payoff)
    row, slot = np.nonzero(candidate & ok[:, None])
    p = p[row, slot]
    if len(row):
        p, regular = newton_polished(_corner_values(payoff)[row], p)
        ok &= np.bincount(row, weights=~regular, minlength=len(ok)) == 0
        ok &= ~coincident_solutions(row, p, len(ok))
    solved[mixers.rows[ok]] = True
    # A's whole mixture (from its two free probabilities), then each partner's weight.
    x = np.concatenate((1.0 - p[:, :1] - p[:, 1:2], p), axis=1)
    keep = ok[row] & np.all((x >= -MARGIN) & (x <= 1 + MARGIN), axis=1)
    row, x = row[keep], np.clip(x[keep], 0.0, 1.0)
    mixtures = []
    for i, m in enumerate(masks):
        mixture = np.zeros((len(row), m.shape[1]))
        strategies = mixers.strategies[row, i]  # (C, 3): A's three, a mixer's two, a pure one
        weights = np.where((mixers.player[row, 0] == i)[:, None], x[:, :3], [1.0, 0.0, 0.0])
        for partner in range(1, mixers.player.shape[1]):
            weight = x[:, 2 + partner]
            weights = np.where(
                (mixers.player[row, partner] == i)[:, None],
                np.stack((1.0 - weight, weight, np.zeros(len(row))), axis=1),
                weights,
            )
        np.add.at(mixture, (np.arange(len(row))[:, None], strategies), weights)
        mixtures.append(mixture)
    supports = mixers.rows[row].tolist()
    return list(zip(supports, zip(*mixtures, strict=True), strict=True))


def _two_partners(payoff: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Candidate solutions where A mixes with ``B`` and ``C``, each at a root of ``P``.

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


#: Chebyshev points at which the three partners' resultant (degree 16) is interpolated, and the
#: degree left once the square of its extraneous quadratic is divided out.
_NODES = 17
_DEGREE = 12

#: A resultant whose values at the nodes are all below this times their bound (the product of
#: the Sylvester rows' lengths) vanishes throughout: rounding noise is below 1e-15 there, and a
#: game's resultant of degree 12 above 1e-10 in the random and small-integer games measured.
_VANISHING = 1e-12

#: Points in ``q`` at which the eliminants (of degree 4 at most) are evaluated, and the matrix
#: taking their values there to their coefficients (lowest first).
_POINTS = np.linspace(0.0, 1.0, 5)
_TO_POWERS = np.linalg.inv(np.vander(_POINTS, increasing=True)).T


def _three_partners(payoff: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Candidate solutions where A mixes with ``B``, ``C`` and ``D``, from a resultant in ``s``.

    Returns the candidates ``(R, 12, 5)`` as ``(x_1, x_2, q, r, s)``, which are candidates, and
    which supports are safe to solve so (see the module's description).
    """
    n_rows = len(payoff)
    nodes = np.broadcast_to(chebyshev_nodes(_NODES), (n_rows, _NODES))
    lines, quadratic, quartic = _eliminants(payoff, nodes)
    matrices = sylvester(quadratic, quartic)
    values = np.linalg.det(matrices)
    scale = np.prod(np.sqrt(np.sum(matrices**2, axis=-1)), axis=-1)
    # Where A's first equation vanishes for every r (its lines at r = 0 and 1 share a root q),
    # both polynomials vanish twice over: the resultant is divided by the square of this
    # quadratic in s, and a polynomial of degree 12 is left, whose higher coefficients must
    # vanish.
    first = lines[:, :, 0]  # (R, T, 2 r, 2 coefficients in q)
    extraneous = first[..., 0, 0] * first[..., 1, 1] - first[..., 0, 1] * first[..., 1, 0]
    ok = np.max(np.abs(values), axis=1) > _VANISHING * np.max(scale, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        resultant = (values / extraneous**2) @ chebyshev_fit(_NODES).T
    size = np.max(np.abs(resultant), axis=1)
    ok &= np.all(np.isfinite(resultant), axis=1)
    ok &= np.max(np.abs(resultant[:, _DEGREE + 1 :]), axis=1) <= DEGENERATE * size
    # (Where P nearly vanishes, or near a line of solutions, four or more roots crowd.)
    s_roots, candidate, fine = chebyshev_roots(finite(resultant[:, : _DEGREE + 1]), cluster=4)
    ok &= fine & _no_solution_where_divided(payoff) & ~_vanishing_quadratic(quadratic)
    p = np.zeros((n_rows, _DEGREE, 5))
    row, slot = np.nonzero(candidate & ok[:, None])
    if len(row):
        p[row, slot], fine = _back_substituted(payoff[row], np.clip(s_roots[row, slot], 0.0, 1.0))
        ok &= np.bincount(row, weights=~fine, minlength=n_rows) == 0
    return p, candidate, ok


#: Where ``P`` nearly vanishes for every ``q`` (its coefficients, quadratics in ``s``, all below
#: this times their largest on the interval), the resultant has a cluster of four or more
#: roots, which rounding scatters off the real line by its fourth root or more; and the points
#: (spaced by ``1 / _GRID``) at which that is looked for, over the interval the roots are taken
#: near. A quadratic's slope is at most 8 times its largest value there (Markov's inequality):
#: between two points ``P``'s size falls by at most ``4 / _GRID``, below this.
_FLAT = 1e-2
_GRID = 1024
_ALONG = np.linspace(-0.01, 1.01, int(1.02 * _GRID) + 1)


def _vanishing_quadratic(quadratic: FloatArray) -> BoolArray:
    """Whether ``P`` nearly vanishes for every ``q`` at some ``s`` near the interval.

    As it does at an ``s`` that three solutions share. ``quadratic`` is ``(R, nodes, 3)``:
    ``P``'s coefficients at the Chebyshev points in ``s``.
    """
    # Each coefficient is a quadratic in s: its first three Chebyshev coefficients are exact.
    series = (np.swapaxes(quadratic, 1, 2) @ chebyshev_fit(_NODES).T)[..., :3]  # (R, 3, 3)
    along = np.polynomial.chebyshev.chebvander(2.0 * _ALONG - 1.0, 2)  # (points, 3)
    size = np.linalg.norm(series @ along.T, axis=1)  # (R, points)
    flat: BoolArray = np.min(size, axis=1) <= _FLAT * np.max(size, axis=1)
    return flat


def _back_substituted(payoff: FloatArray, s: FloatArray) -> tuple[FloatArray, BoolArray]:
    """The solutions ``(C, 5)`` at roots ``s`` ``(C,)`` of the resultant, and which are safe.

    ``q`` is the common root of both eliminants at ``s``, ``r`` follows from A's equations,
    ``x`` from the rows of ``B``, ``C`` and ``D``. Not safe: two common roots (a solution where
    a point is divided out, at another ``q``), a vanishing denominator, or an ``x`` not made
    out (:func:`_null_mixtures`).
    """
    lines, quadratic, quartic = _eliminants(payoff, s[:, None])
    lines, quadratic, quartic = lines[:, 0], quadratic[:, 0], quartic[:, 0]
    # Each polynomial scaled to unit size, so that the singular values compare the two.
    with np.errstate(divide="ignore", invalid="ignore"):
        matrices = sylvester(
            quadratic / np.linalg.norm(quadratic, axis=-1, keepdims=True),
            quartic / np.linalg.norm(quartic, axis=-1, keepdims=True),
        )
    _, singular, vh = np.linalg.svd(finite(matrices))
    fine = singular[:, -2] > SINGULAR * singular[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = vh[:, -1, -2] / vh[:, -1, -1]
    fine &= np.isfinite(q)
    q = finite(q)
    # r from A's equation steeper in r (both vanish at one r where P does).
    at_q = lines[..., 0] + lines[..., 1] * q[:, None, None]  # (C, 2 t, 2 r)
    slope = at_q[..., 0] - at_q[..., 1]
    steeper = np.argmax(np.abs(slope), axis=-1)[:, None]
    denominator = np.take_along_axis(slope, steeper, axis=-1)[:, 0]
    reach = np.max(np.abs(at_q), axis=(-2, -1))
    fine &= np.abs(denominator) > DEGENERATE * np.maximum(reach, DEGENERATE)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = finite(np.take_along_axis(at_q[..., 0], steeper, axis=-1)[:, 0] / denominator)
    x, made_out = _null_mixtures(payoff, q[:, None], r[:, None], s[:, None])
    p = np.concatenate((x[:, 0, 1:], q[:, None], r[:, None], s[:, None]), axis=-1)
    return finite(p), fine & made_out[:, 0]


def _gains(payoff: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``B``'s, ``C``'s and ``D``'s advantage of each of ``A``'s strategies ``(R, 3 a, 2, 2)``.

    Over the corners of ``(r, s)``, ``(q, s)`` and ``(q, r)`` respectively.
    """
    return (
        payoff[:, 1][:, :, 1] - payoff[:, 1][:, :, 0],
        payoff[:, 2][:, :, :, 1] - payoff[:, 2][:, :, :, 0],
        payoff[:, 3][..., 1] - payoff[:, 3][..., 0],
    )


def _eliminants(payoff: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """At each ``s`` ``(R, C)``: A's lines, the quadratic ``P(q)`` and the quartic ``H(q)``.

    A's equations at ``s`` are ``D_t = (1 - r) L_{t0}(q) + r L_{t1}(q)`` (``lines``, ``(R, C,
    2 t, 2 r, 2 coefficients)``); both vanish at one ``r`` where ``P = L_{10} L_{21} - L_{11}
    L_{20}`` does, with ``(1 - r, r)`` proportional to ``(L_{11}, -L_{10})``. With those weights
    the rows of ``B``, ``C`` and ``D`` (each one's advantage of ``A``'s strategies) are of
    degrees 1, 1 and 2 in ``q``; ``x`` solves all three only where their determinant ``H``
    vanishes. Both are evaluated at :data:`_POINTS` and interpolated.
    """
    v = payoff[:, 0, 1:] - payoff[:, 0, :1]  # (R, 2 t, 2 q, 2 r, 2 s)
    at_s = _multilinear(v, [s])  # (R, C, 2 t, 2 q, 2 r)
    lines = line_coefficients(np.swapaxes(at_s, -1, -2))
    z = _POINTS
    # A's equations at each point q and corner r: (R, C, 2 t, 2 r, points)
    at = at_s[..., 0, :, None] * (1.0 - z) + at_s[..., 1, :, None] * z
    quadratic = at[:, :, 0, 0] * at[:, :, 1, 1] - at[:, :, 0, 1] * at[:, :, 1, 0]
    weights = np.stack((at[:, :, 0, 1], -at[:, :, 0, 0]), axis=2)  # (R, C, 2 r, points)
    b_gain, c_gain, d_gain = _gains(payoff)
    # The rows at each point: (R, C, points, 3 a)
    b_row = np.einsum("rcak,rckz->rcza", _multilinear(b_gain, [s]), weights)
    c_at = _multilinear(c_gain, [s])  # (R, C, 3 a, 2 q)
    c_row = c_at[..., None, :, 0] * (1.0 - z[:, None]) + c_at[..., None, :, 1] * z[:, None]
    d_at = d_gain[..., 0, :, None] * (1.0 - z) + d_gain[..., 1, :, None] * z  # (R, 3 a, 2 r, z)
    d_row = np.einsum("rakz,rckz->rcza", d_at, weights)
    quartic = np.sum(_cross(b_row, c_row) * d_row, axis=-1)
    return lines, (quadratic @ _TO_POWERS)[..., :3], quartic @ _TO_POWERS


def _null_mixtures(
    payoff: FloatArray, q: FloatArray, r: FloatArray, s: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """``A``'s mixtures ``(R, C, 3)`` making ``B``, ``C`` and ``D`` indifferent at ``(q, r, s)``.

    The three rows are dependent there: ``x`` is the largest cross product of two of them,
    scaled to sum to one. Also whether that is safe: not near a line of solutions (all cross
    products small) nor a null vector summing to zero.
    """
    b_gain, c_gain, d_gain = _gains(payoff)
    rows = (
        _multilinear(b_gain, [r, s]),
        _multilinear(c_gain, [q, s]),
        _multilinear(d_gain, [q, r]),
    )
    nulls = np.stack([_cross(rows[i], rows[j]) for i, j in ((0, 1), (1, 2), (2, 0))])
    sizes = np.max(np.abs(nulls), axis=-1)
    best = np.argmax(sizes, axis=0)
    null = np.take_along_axis(nulls, best[None, ..., None], axis=0)[0]
    size = np.take_along_axis(sizes, best[None], axis=0)[0]
    total = null.sum(axis=-1)
    lengths = np.stack([np.linalg.norm(row, axis=-1) for row in rows])
    reach = np.max(lengths, axis=0) ** 2
    fine = (size > DEGENERATE * np.maximum(reach, DEGENERATE)) & (
        np.abs(total) > DEGENERATE * np.maximum(size, DEGENERATE)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        x = null / total[..., None]
    return finite(x), fine


def _no_solution_where_divided(payoff: FloatArray) -> BoolArray:
    """Whether no solution can lie at the points divided out of the three partners' resultant.

    There A's first equation holds for every ``r`` (its lines at ``r = 0`` and ``1`` share a
    root ``q``, at a root ``s`` of a quadratic); a solution there needs ``r`` from the second
    equation and then ``B``'s, ``C``'s and ``D``'s rows to be dependent at that point. That
    happens only in a degenerate game: then, or where a point cannot be made out, ``False``.
    """
    v = payoff[:, 0, 1:] - payoff[:, 0, :1]  # (R, 2 t, 2 q, 2 r, 2 s)
    # A's first equation at r = 0 and 1, lines in q whose coefficients are lines in s.
    first = line_coefficients(np.moveaxis(line_coefficients(v[:, 0]), 1, -1))  # (R, r, s, q)
    quadratic = polynomial_products(first[:, 0, :, 0], first[:, 1, :, 1]) - polynomial_products(
        first[:, 0, :, 1], first[:, 1, :, 0]
    )
    c, b, a = quadratic[:, 0], quadratic[:, 1], quadratic[:, 2]
    scale = np.max(np.abs(quadratic), axis=-1)
    ok: BoolArray = scale > DEGENERATE
    with np.errstate(all="ignore"):
        root = np.sqrt((b * b - 4 * a * c).astype(complex))
        s = np.where(
            (np.abs(a) <= DEGENERATE * 1e-5 * scale)[:, None],
            np.stack((-c / b, np.full(c.shape, np.nan)), axis=-1),
            np.stack(((-b + root) / (2 * a), (-b - root) / (2 * a)), axis=-1),
        )
    near = np.isfinite(s) & (np.abs(s.imag) <= AMBIGUOUS)
    s = np.where(near, s.real, 0.5)  # (R, 2 roots)
    # The shared root q: of the line steeper in q.
    at_s = first[:, None, :, 0] + first[:, None, :, 1] * s[..., None, None]  # (R, 2, 2 r, q)
    steeper = np.argmax(np.abs(at_s[..., 1]), axis=-1)[..., None]
    line = np.take_along_axis(at_s, steeper[..., None], axis=-2)[..., 0, :]
    flat = np.abs(line[..., 1]) <= DEGENERATE
    with np.errstate(all="ignore"):
        q = np.where(flat, 0.5, -line[..., 0] / np.where(flat, 1.0, line[..., 1]))
    # r from the second equation, linear in r there.
    ends = _multilinear(np.moveaxis(v[:, 1], 2, 1), [q, s])  # (R, 2, 2 r)
    slope = ends[..., 0] - ends[..., 1]
    steep = np.abs(slope) > DEGENERATE
    r = np.where(steep, ends[..., 0] / np.where(steep, slope, 1.0), 0.5)

    def inside(*points: FloatArray) -> BoolArray:
        within: BoolArray = np.all([(p >= -0.01) & (p <= 1.01) for p in points], axis=0)
        return within

    ok &= ~np.any(near & inside(s) & flat, axis=1)
    ok &= ~np.any(near & inside(q, s) & ~steep, axis=1)
    b_gain, c_gain, d_gain = _gains(payoff)
    rows = (
        _multilinear(b_gain, [r, s]),
        _multilinear(c_gain, [q, s]),
        _multilinear(d_gain, [q, r]),
    )
    determinant = np.sum(_cross(rows[0], rows[1]) * rows[2], axis=-1)
    reach = np.prod([np.linalg.norm(row, axis=-1) for row in rows], axis=0)
    dependent = np.abs(determinant) <= DEGENERATE * np.maximum(reach, DEGENERATE)
    ok &= ~np.any(near & inside(q, r, s) & dependent, axis=1)
    return ok


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """Cross products of 3-vectors along the last axis (:func:`numpy.cross`, without its moves)."""
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return np.stack((a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0), axis=-1)


def _multilinear(table: FloatArray, points: list[FloatArray]) -> FloatArray:
    """Values ``(R, C, ...)`` of tables ``(R, ..., 2, ..., 2)`` at points, each ``(R, C)``.

    The last ``len(points)`` axes of ``table`` are those of the points, in order; the table
    is interpolated (multilinearly) along them, the axes between kept.
    """
    value = table[:, None]
    for p in reversed(points):
        at = p.reshape(*p.shape, *([1] * (value.ndim - 3)))
        value = value[..., 0] * (1.0 - at) + value[..., 1] * at
    return value


def _corner_values(payoff: FloatArray) -> FloatArray:
    """The equations' values ``(R, 2 + k, 2**(2 + k))`` at the corners of ``(x_1, x_2, q, ...)``.

    ``payoff`` is ``(R, 1 + k, 3 a, 2, ..., 2)``: the payoffs of ``A`` and its ``k`` partners.
    ``A``'s mixture at a corner is ``(1 - x_1 - x_2, x_1, x_2)``: every equation is affine in
    it, so its multilinear interpolation from the corners is the equation itself.
    """
    partners = payoff.shape[1] - 1
    corner = cube_corners(2 + partners)  # (2**(2 + k), 2 + k)
    mixture = np.stack((1 - corner[:, 0] - corner[:, 1], corner[:, 0], corner[:, 1]), axis=1)
    # Each corner's profile of the partners' strategies, as an index into their cube (first
    # partner slowest, as in the corners).
    tables = payoff.reshape(*payoff.shape[:3], 2**partners)
    profile = np.arange(len(corner)) % 2**partners
    own = tables[:, 0][:, :, profile]  # (R, 3 a, corners)
    equations = [own[:, 1] - own[:, 0], own[:, 2] - own[:, 0]]
    for j in range(partners):
        # Partner j's advantage of its second strategy, the others as at the corner.
        bit = 2 ** (partners - 1 - j)
        gain = tables[:, 1 + j][:, :, profile | bit] - tables[:, 1 + j][:, :, profile & ~bit]
        equations.append(np.einsum("rak,ka->rk", gain, mixture))
    values: FloatArray = np.stack(equations, axis=1)
    return values


@dataclass(frozen=True)
class _Mixers:
    """Support profiles where ``A`` mixes three strategies and ``k`` partners two each.

    Attributes
    ----------
    rows
        ``(R,)``: the support profiles (of those given).
    cells
        ``(R, 1 + k players, 3 a, 2, ..., 2)``: where the payoffs of ``A`` and its partners
        are in the flattened payoffs, over the mixers' strategy profiles.
    player
        ``(R, 1 + k)``: which players ``A`` and its partners are.
    strategies
        ``(R, N, 3)``: each player's strategies in the support (``A``'s three, a mixer's two
        then its first again, a pure player's one three times).
    """

    rows: IntArray
    cells: IntArray
    player: IntArray
    strategies: IntArray


@dataclass(frozen=True)
class _Layout:
    """The support profiles solved here among some, and where their payoffs are.

    Attributes
    ----------
    pairs
        ``(P,)``: support profiles where ``A`` and one other player mix.
    pair_cells
        ``(P, 3 a, 2 q)``: where ``A``'s payoff is in the flattened payoffs.
    triples, quadruples
        Those where ``A`` mixes with two, and with three, partners.
    """

    pairs: IntArray
    pair_cells: IntArray
    triples: _Mixers
    quadruples: _Mixers


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
    # Players by support size, larger first (A, then its partners).
    ranked = np.argsort(-sizes, axis=1, kind="stable")
    # (padded for fewer players, who have no profile of so many mixers)
    ranked = np.pad(ranked, ((0, 0), (0, max(0, 4 - n_players))))
    stride = np.array([int(np.prod(shape[i + 1 :])) for i in range(n_players)], dtype=np.intp)
    base = np.sum(strategies[:, :, 0] * stride, axis=1)  # every player on their first strategy

    def cells(rows: IntArray, mixers: int) -> IntArray:
        """Flat cells ``(R, 3 a[, 2 q[, 2 r ...]])`` of the mixers' strategy profiles."""
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

    def mixers(partners: int) -> _Mixers:
        rows = np.flatnonzero(plain & (two == partners))
        player = ranked[rows, : 1 + partners]
        spread = player.reshape(*player.shape, *([1] * (1 + partners)))
        return _Mixers(
            rows,
            cells(rows, 1 + partners)[:, None] * n_players + spread,
            player,
            strategies[rows],
        )

    pairs = np.flatnonzero(plain & (two == 1))
    pair_cells = cells(pairs, 2) * n_players + ranked[pairs, 0, None, None]
    return _Layout(pairs, pair_cells, mixers(2), mixers(3))


#: Support profiles' layouts, kept between calls for a small game shape.
_layout = kept_between_calls(_made_layout)
