r"""Support profiles on which each mixing player mixes two strategies, solved by elimination.

Let ``k`` players mix, each between two strategies ``a_i`` and ``b_i`` (weight ``p_i`` on
``b_i``), the others playing a pure strategy. Mixer ``i``'s indifference
``D_i = u_i(b_i, x_{-i}) - u_i(a_i, x_{-i}) = 0`` does not depend on ``p_i`` and is of degree at
most one in each other ``p_j``; its values at the ``2**(k - 1)`` corners of the others' cube
define it. Such a system is small enough to solve directly:

- ``k = 2``: each equation is linear in the other's probability.
- ``k = 3``: ``D_1`` gives ``p_2`` and ``D_2`` gives ``p_1`` as ratios of functions linear in
  ``p_3``; put into ``D_3`` they leave a quadratic in ``p_3``.
- ``k = 4``: the same with ``p_4 = t`` held fixed leaves a quadratic ``F(p_3; t)`` and, from
  ``D_4``, a cubic ``G(p_3; t)``; their resultant in ``p_3`` is a polynomial of degree at most 13
  in ``t``. Four of its roots are no solutions: where ``D_2`` vanishes for every ``p_1`` (or
  ``D_1`` for every ``p_2``), so that the ratio is ``0/0``, each the root of a quadratic in
  ``t``. Divided by those, it leaves a polynomial of degree 9 (the nine regular solutions a
  four-player game can have [1]_), interpolated at Chebyshev points on ``[0, 1]`` (the
  coefficients above degree 9 must vanish: a check), whose roots are the eigenvalues of its
  colleague matrix. A solution at a point divided out is possible only in a degenerate game,
  and is tested for.

Every root in the unit interval is carried back to a full solution and polished by Newton's
method on the ``k`` equations. A support is *solved* here only if nothing is near a degenerate
case: no vanishing denominator, leading coefficient or resultant, no root near the interval
with a small imaginary part, no two roots close together, no possible solution where the
resultant was divided, no second common root of the last two equations at a root, every
polished solution regular (Newton's method converges and the Jacobian is well conditioned)
and no two alike. Any other support, and any support where more than :data:`MAX_MIXERS`
players or a player with three or more strategies mix, is left to the subdivision
(:func:`~kurilsim.forms.normal.support_boxes.solve_supports`), which also finds continua and
singular solutions. On the supports solved here every solution in the players' simplices is
found: each one is a real root of the linear equation, the quadratic or the
degree-9 polynomial in the unit interval. The regret check is left to the caller: solutions
where a strategy outside the support pays more are returned too.

References
----------
.. [1] R. D. McKelvey and A. McLennan, "The maximal number of regular totally mixed Nash
   equilibria", *Journal of Economic Theory* 72(2), 411-425, 1997.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.normal.support_layouts import kept_between_calls

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]

#: Support profiles with more mixers than this go to the subdivision.
MAX_MIXERS = 4

#: Differences, denominators and leading coefficients (relative to their scale) below this are
#: treated as degenerate: the support goes to the subdivision.
DEGENERATE = 1e-7

#: A leading coefficient below this times the largest is taken for zero.
_NEGLIGIBLE = 1e-12

#: Roots of the eliminant farther than this outside ``[0, 1]`` lie outside the simplices.
MARGIN = 1e-7

#: Roots with an imaginary part below this (in the unit interval's scale) are real; up to
#: :data:`AMBIGUOUS` they might be a pair of close real roots, and the support is left alone.
_REAL = 1e-7
AMBIGUOUS = 1e-3

#: Two roots closer than this may be one double root: the support is left alone.
_CLOSE = 1e-5

#: Roots (real or not) within this of one near the interval, counted: a root of multiplicity
#: ``m`` is scattered by rounding to about the ``m``-th root of the relative error, so four or
#: more here may be one root (or a near-continuum) whose real roots have left the real line.
_CLUSTER = 0.05

#: Newton steps to polish a solution, and the step below which it has converged.
_NEWTON_STEPS = 8
_CONVERGED = 1e-10

#: A polished solution whose Jacobian has a singular value below this is not regular.
SINGULAR = 1e-6

#: Chebyshev points at which the four-mixer resultant (degree 13) is interpolated, and the
#: degree left once its four extraneous roots are divided out.
_NODES = 14
_DEGREE = 9


def solve_binary_supports(
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
        ``roots``); the others are left to the subdivision.

    Examples
    --------
    Matching pennies has one solution on the full supports, half and half:

    >>> import numpy as np
    >>> u = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], dtype=float)
    >>> full = np.ones((1, 2), dtype=bool)
    >>> roots, solved = solve_binary_supports(u, [full, full])
    >>> [(k, [x.tolist() for x in p]) for k, p in roots], solved.tolist()
    ([(0, [[0.5, 0.5], [0.5, 0.5]])], [True])
    """
    layout = _layout(norm.shape[:-1], masks)
    solved = np.zeros(len(masks[0]), dtype=bool)
    if not len(layout.rows):
        return [], solved
    n_rows, width = layout.slots.shape
    flat = norm.reshape(-1)
    # Each mixer's advantage at every corner; a padding slot's "equation" is p = 0.
    g = np.where(layout.padding, layout.corner_bits, flat[layout.high] - flat[layout.low])
    found, ok = [], np.ones(n_rows, dtype=bool)
    for k, group in layout.groups:
        # The mixers' own axes, the padding axes fixed at zero.
        own = g[group, :k].reshape(len(group), k, 2**k, -1)[..., 0]
        p, candidate, fine = _SOLVERS[k](own.reshape(len(group), k, *([2] * k)))
        ok[group] = fine
        r, c = np.nonzero(candidate & fine[:, None])
        padded = np.zeros((len(r), width))
        padded[:, :k] = p[r, c]
        found.append((group[r], padded))
    row = np.concatenate([r for r, _ in found])
    p = np.concatenate([p for _, p in found])
    if len(row):
        p, regular = newton_polished(g[row], p)
        ok &= np.bincount(row, weights=~regular, minlength=n_rows) == 0
        ok &= ~coincident_solutions(row, p, n_rows)
    solved[layout.rows[ok]] = True
    keep = ok[row] & np.all((p >= -MARGIN) & (p <= 1 + MARGIN), axis=1)
    row, p = row[keep], np.clip(p[keep], 0.0, 1.0)
    # Each player's weight on the high strategy (a pure player's: none).
    weight = np.take_along_axis(
        np.concatenate((p, np.zeros((len(row), 1))), axis=1), layout.position[row], axis=1
    )
    mixtures = []
    for i, m in enumerate(masks):
        x = np.zeros((len(row), m.shape[1]))
        x[np.arange(len(row)), layout.low_strategy[row, i]] += 1.0 - weight[:, i]
        x[np.arange(len(row)), layout.high_strategy[row, i]] += weight[:, i]
        mixtures.append(x)
    supports = layout.rows[row].tolist()
    return sorted(
        zip(supports, zip(*mixtures, strict=True), strict=True), key=lambda root: root[0]
    ), solved


@dataclass(frozen=True)
class _Layout:
    """The binary support profiles among some, and where their corners' payoffs are.

    Attributes
    ----------
    rows
        ``(R,)``: the support profiles (of those given) solved here.
    slots
        ``(R, K)``: the mixers of each, in order of the players, padded (``K`` the most mixers).
    padding
        ``(R, K, 1)``: which slots are padding.
    corner_bits
        ``(K, 2**K)``: slot ``l``'s bit at each corner (first slot slowest).
    high, low
        ``(R, K, 2**K)``: where in the flattened payoffs slot ``l``'s player's payoff of their
        high (low) strategy is, at each corner's others' strategies.
    groups
        ``(k, positions in rows)`` per number of mixers.
    position
        ``(R, N)``: each player's slot, or ``K`` for a pure player.
    low_strategy, high_strategy
        ``(R, N)``: each player's two strategies (the same for a pure player).
    """

    rows: IntArray
    slots: IntArray
    padding: BoolArray
    corner_bits: FloatArray
    high: IntArray
    low: IntArray
    groups: list[tuple[int, IntArray]]
    position: IntArray
    low_strategy: IntArray
    high_strategy: IntArray


def _made_layout(shape: tuple[int, ...], masks: list[BoolArray]) -> _Layout:
    n_players = len(shape)
    sizes = np.stack([m.sum(axis=1) for m in masks], axis=1)  # (S, N)
    mixing = sizes > 1
    count = mixing.sum(axis=1)
    rows = np.flatnonzero(np.all(sizes <= 2, axis=1) & (count >= 2) & (count <= MAX_MIXERS))
    width = int(count[rows].max(initial=0))
    mixing, count = mixing[rows], count[rows]
    low = np.stack([np.argmax(m[rows], axis=1) for m in masks], axis=1)
    high = np.stack([m.shape[1] - 1 - np.argmax(m[rows, ::-1], axis=1) for m in masks], axis=1)
    slots = np.argsort(~mixing, axis=1, kind="stable")[:, :width]
    position = np.where(mixing, np.cumsum(mixing, axis=1) - 1, width)
    bits = cube_corners(width)  # (2**K, K)
    # Each player's strategy at each corner: the high one where the player's slot's bit is set.
    on = np.concatenate((bits, np.zeros((len(bits), 1), dtype=np.intp)), axis=1)[:, position]
    strategies = low[:, None, :] + (high - low)[:, None, :] * on.transpose(1, 0, 2)
    # Slot l's player's own strategy set to high (low) at every corner, the others as they are.
    indices = []
    for own in (high, low):
        chosen = np.repeat(strategies[:, None], width, axis=1)  # (R, K, 2**K, N)
        player = np.take_along_axis(own, slots, axis=1)  # (R, K)
        np.put_along_axis(chosen, slots[:, :, None, None], player[:, :, None, None], axis=3)
        cell = np.ravel_multi_index(tuple(np.moveaxis(chosen, -1, 0)), shape)
        indices.append(cell * n_players + slots[:, :, None])
    padding = (np.arange(width)[None] >= count[:, None])[:, :, None]
    groups = [(k, np.flatnonzero(count == k)) for k in range(2, width + 1)]
    return _Layout(
        rows,
        slots,
        padding,
        bits.T.astype(float),
        indices[0],
        indices[1],
        [(k, group) for k, group in groups if len(group)],
        position,
        low,
        high,
    )


#: Support profiles' layouts, kept between calls for a small game shape.
_layout = kept_between_calls(_made_layout)


@functools.cache
def cube_corners(k: int) -> IntArray:
    """The ``2**k`` corners of the unit cube, first axis slowest."""
    return np.array(list(itertools.product((0, 1), repeat=k)), dtype=np.intp).reshape(2**k, k)


def _two_mixers(g: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Each equation linear in the other's probability: one solution, or a degenerate support."""
    d0 = g[:, 0, 0, :]  # mixer 0's advantage along mixer 1's axis
    d1 = g[:, 1, :, 0]
    slope0, slope1 = d0[:, 0] - d0[:, 1], d1[:, 0] - d1[:, 1]
    ok = (np.abs(slope0) > DEGENERATE) & (np.abs(slope1) > DEGENERATE)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.stack((d1[:, 0] / slope1, d0[:, 0] / slope0), axis=1)[:, None, :]
    inside = np.all((p >= -MARGIN) & (p <= 1 + MARGIN), axis=-1)
    return finite(p), inside, ok


def finite(x: FloatArray) -> FloatArray:
    """``x`` with what is not finite set to zero (in slots whose results are not used)."""
    out: FloatArray = np.where(np.isfinite(x), x, 0.0)
    return out


def line_coefficients(v: FloatArray) -> FloatArray:
    """The line through values ``v[..., 0]`` at 0 and ``v[..., 1]`` at 1, as coefficients."""
    line: FloatArray = v @ _TO_COEFFICIENTS
    return line


#: Values at 0 and 1 (a row) to the coefficients of degree 0 and 1 of the line through them.
_TO_COEFFICIENTS = np.array([[1.0, -1.0], [0.0, 1.0]])


@functools.cache
def _convolution(m: int, n: int) -> FloatArray:
    """``C[i, j, i + j] = 1``: coefficients of degrees ``i`` and ``j`` multiply into ``i + j``."""
    out = np.zeros((m, n, m + n - 1))
    for i, j in itertools.product(range(m), range(n)):
        out[i, j, i + j] = 1.0
    return out


def _eliminated(
    g: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Mixers 0 and 1 eliminated through the equations of mixers 1 and 0, ``s = p_2`` left.

    ``g`` is ``(..., m, 2, 2, 2)``: the first three mixers' advantages over the axes of mixers
    0, 1, 2 (others fixed). Returns ``p_0 = -a_0 / (b_0 - a_0)`` as ``(a_0, b_0)`` linear in
    ``s``, the same for ``p_1``, and the products ``w[q0, q1]`` (quadratic in ``s``) by which
    ``(1 - p_0, p_0)[q0] (1 - p_1, p_1)[q1]`` times both denominators is given.
    """
    alpha0, beta0 = (
        line_coefficients(g[..., 0, 0, 0, :]),
        line_coefficients(g[..., 0, 0, 1, :]),
    )  # mixer 0 at p_1 = 0, 1
    alpha1, beta1 = (
        line_coefficients(g[..., 1, 0, 0, :]),
        line_coefficients(g[..., 1, 1, 0, :]),
    )  # mixer 1 at p_0 = 0, 1
    # p_0 = alpha1 / (alpha1 - beta1), 1 - p_0 = -beta1 / (alpha1 - beta1); p_1 likewise.
    weights = np.einsum(
        "...ai,...bj,ijm->...abm",
        np.stack((-beta1, alpha1), axis=-2),
        np.stack((-beta0, alpha0), axis=-2),
        _convolution(2, 2),
    )
    return alpha1, beta1, alpha0, beta0, weights


def _three_mixers(g: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Mixer 2's equation with ``p_0, p_1`` eliminated: a quadratic in ``p_2``."""
    alpha1, beta1, alpha0, beta0, weights = _eliminated(g)
    quadratic = np.einsum("rab,rabd->rd", g[:, 2, :, :, 0], weights)
    s, candidate, ok = roots_on_unit_interval(quadratic)
    lines = (alpha1[:, None], beta1[:, None], alpha0[:, None], beta0[:, None])
    return _back_substituted(s[..., None], lines, candidate, ok, s)


def _four_mixers(g: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """The resultant in ``p_2`` of the last two equations, interpolated in ``t = p_3``."""
    t = chebyshev_nodes(_NODES)
    # The first three mixers' advantages at each node t (along mixer 3's axis): (R, T, 3, 2, 2, 2)
    along = g[:, None, :3, ..., 0] * (1.0 - t)[None, :, None, None, None, None]
    along = along + g[:, None, :3, ..., 1] * t[None, :, None, None, None, None]
    _, _, _, _, weights = _eliminated(along)
    quadratic = np.einsum("rtab,rtabd->rtd", along[:, :, 2, :, :, 0], weights)
    last = line_coefficients(
        g[:, 3, :, :, :, 0]
    )  # mixer 3's advantage, (R, 2, 2, 2 coefficients in s)
    cubic = np.einsum("rabi,rtabj,ijm->rtm", last, weights, _convolution(2, 3))
    matrices = sylvester(quadratic, cubic)
    values = np.linalg.det(matrices)
    scale = np.prod(np.sqrt(np.sum(matrices**2, axis=-1)), axis=-1)
    # Where mixer 1's (or 0's) equation vanishes for every p_0 (p_1), both polynomials do: those
    # two points each are roots of the resultant but no solutions. Divided out, a polynomial of
    # degree 9 is left, whose higher coefficients must vanish.
    sides = (
        (along[:, :, 1, 0, 0, :], along[:, :, 1, 1, 0, :]),  # mixer 1 at p_0 = 0 and 1
        (along[:, :, 0, 0, 0, :], along[:, :, 0, 0, 1, :]),  # mixer 0 at p_1 = 0 and 1
    )
    # (each pair, linear in s, has a common root where this quadratic in t vanishes)
    extraneous = np.prod([a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0] for a, b in sides], axis=0)
    ok = np.max(np.abs(values), axis=1) > DEGENERATE * np.max(scale, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        resultant = (values / extraneous) @ chebyshev_fit(_NODES).T
    size = np.max(np.abs(resultant), axis=1)
    ok &= np.all(np.isfinite(resultant), axis=1)
    ok &= np.max(np.abs(resultant[:, _DEGREE + 1 :]), axis=1) <= DEGENERATE * size
    t_roots, candidate, fine = chebyshev_roots(finite(resultant[:, : _DEGREE + 1]))
    ok &= fine & _no_solution_where_divided(g)
    # Back at each root t: the advantages at t, then p_2 as the common root of both polynomials.
    tt = np.clip(t_roots, 0.0, 1.0)
    at = (
        g[:, None, ..., 0] * (1.0 - tt)[..., None, None, None, None]
        + g[:, None, ..., 1] * tt[..., None, None, None, None]
    )
    alpha1, beta1, alpha0, beta0, weights = _eliminated(at[:, :, :3])
    quadratic = np.einsum("rcab,rcabd->rcd", at[:, :, 2, :, :, 0], weights)
    cubic = np.einsum("rabi,rtabj,ijm->rtm", last, weights, _convolution(2, 3))
    # Each polynomial scaled to unit size, so that the singular values compare the two.
    with np.errstate(divide="ignore", invalid="ignore"):
        matrices = sylvester(
            quadratic / np.linalg.norm(quadratic, axis=-1, keepdims=True),
            cubic / np.linalg.norm(cubic, axis=-1, keepdims=True),
        )
    _, singular, vh = np.linalg.svd(finite(matrices))
    # Two common roots at t (a solution where a point is divided out, at another s) leave a
    # plane of null vectors, any of whose s is no solution: left to the subdivision.
    ok &= ~np.any(candidate & ~(singular[..., -2] > SINGULAR * singular[..., 0]), axis=1)
    null = vh[..., -1, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = null[..., 3] / null[..., 4]
    p, candidate, ok = _back_substituted(
        np.stack((s, tt), axis=-1), (alpha1, beta1, alpha0, beta0), candidate, ok, s
    )
    return p, candidate, ok


def _no_solution_where_divided(g: FloatArray) -> BoolArray:
    """Whether no solution can lie at the points divided out of the four-mixer resultant.

    At such a point mixer 1's advantage vanishes at ``p_0 = 0`` and at ``p_0 = 1``, so its
    equation holds for every ``p_0`` (or mixer 0's, for every ``p_1``); a solution there needs
    the other's probability from its own equation and then one ``p_0`` (``p_1``) solving the
    two remaining equations, both linear in it. That happens only in a degenerate game: then,
    or where a point cannot be made out, ``False``.
    """
    n_rows = len(g)
    # Per pair (mixer 1 over p_0, mixer 0 over p_1), the mixer's advantage at the other's
    # probability 0 and at 1, over the axes of s and t: (R, 2, 2, 2).
    low = np.stack((g[:, 1, 0, 0], g[:, 0, 0, 0]), axis=1)
    high = np.stack((g[:, 1, 1, 0], g[:, 0, 0, 1]), axis=1)
    # Both are linear in s: they vanish at one s where this quadratic in t does.
    quadratic = polynomial_products(
        line_coefficients(low[:, :, 0]), line_coefficients(high[:, :, 1])
    ) - polynomial_products(line_coefficients(low[:, :, 1]), line_coefficients(high[:, :, 0]))
    c, b, a = quadratic[..., 0], quadratic[..., 1], quadratic[..., 2]
    scale = np.max(np.abs(quadratic), axis=-1)
    ok: BoolArray = np.all(scale > DEGENERATE, axis=1)
    with np.errstate(all="ignore"):
        root = np.sqrt((b * b - 4 * a * c).astype(complex))
        t = np.where(
            (np.abs(a) <= _NEGLIGIBLE * scale)[..., None],
            np.stack((-c / b, np.full(c.shape, np.nan)), axis=-1),
            np.stack(((-b + root) / (2 * a), (-b - root) / (2 * a)), axis=-1),
        )
    near = np.isfinite(t) & (np.abs(t.imag) <= AMBIGUOUS)
    t = np.where(near, t.real, 0.5)  # (R, 2 pairs, 2 roots)
    # Where low (else high) vanishes along s at that t.
    ends = [
        side[..., None, 0] * (1 - t)[:, :, None] + side[..., None, 1] * t[:, :, None]
        for side in (low, high)
    ]
    slope = [e[:, :, 0] - e[:, :, 1] for e in ends]
    with np.errstate(all="ignore"):
        s_at = np.where(
            np.abs(slope[0]) >= np.abs(slope[1]),
            ends[0][:, :, 0] / slope[0],
            ends[1][:, :, 0] / slope[1],
        )
    ok &= ~np.any(
        near & (np.maximum(np.abs(slope[0]), np.abs(slope[1])) <= DEGENERATE), axis=(1, 2)
    )
    inside = near & (t >= -0.01) & (t <= 1.01) & (s_at >= -0.01) & (s_at <= 1.01)
    s_at = np.where(inside, s_at, 0.5)
    flat = np.repeat(g.reshape(n_rows, 4, 16), 8, axis=0)
    # Points (R, pair, root, the varied probability at 0 and at 1, p): first the mixer's own
    # probability varies, and the other's equation (linear in it) gives it.
    points = np.zeros((n_rows, 2, 2, 2, 4))
    points[..., 2], points[..., 3] = s_at[..., None], t[..., None]
    points[:, 0, :, 1, 1] = points[:, 1, :, 1, 0] = 1.0
    values = _at(flat, points.reshape(-1, 4)).reshape(points.shape)
    equation = np.stack((values[:, 0, :, :, 0], values[:, 1, :, :, 1]), axis=1)
    at_low, at_high = equation[..., 0], equation[..., 1]
    steep = np.abs(at_low - at_high) > DEGENERATE
    ok &= ~np.any(inside & ~steep, axis=(1, 2))
    weight = np.where(steep, at_low / np.where(steep, at_low - at_high, 1.0), 0.5)
    points[:, 0, :, :, 1], points[:, 1, :, :, 0] = weight[:, 0, :, None], weight[:, 1, :, None]
    # Then the free probability varies: mixers 2 and 3 are linear in it.
    points[:, 0, :, 0, 0] = points[:, 1, :, 0, 1] = 0.0
    points[:, 0, :, 1, 0] = points[:, 1, :, 1, 1] = 1.0
    values = _at(flat, points.reshape(-1, 4)).reshape(points.shape)
    # A common root only if this vanishes.
    consistency = values[..., 0, 2] * values[..., 1, 3] - values[..., 0, 3] * values[..., 1, 2]
    ok &= ~np.any(inside & ~(np.abs(consistency) > DEGENERATE), axis=(1, 2))
    return ok


def polynomial_products(a: FloatArray, b: FloatArray) -> FloatArray:
    """The product of polynomials given by coefficients (lowest first) along the last axis."""
    product: FloatArray = np.einsum(
        "...i,...j,ijm->...m", a, b, _convolution(a.shape[-1], b.shape[-1])
    )
    return product


def sylvester(a: FloatArray, b: FloatArray) -> FloatArray:
    """Sylvester matrices of polynomials ``a`` and ``b`` (coefficients lowest first, last axis).

    Of degrees ``m`` and ``n``, the matrix is ``(..., m + n, m + n)``: ``n`` rows of ``a``'s
    coefficients, then ``m`` of ``b``'s, highest first, each shifted one column further. At a
    common root ``z`` its null vector is ``(z**(m + n - 1), ..., z, 1)``.
    """
    m, n = a.shape[-1] - 1, b.shape[-1] - 1
    out = np.zeros((*a.shape[:-1], m + n, m + n))
    for row in range(n):
        out[..., row, row : row + m + 1] = a[..., ::-1]
    for row in range(m):
        out[..., n + row, row : row + n + 1] = b[..., ::-1]
    return out


def _back_substituted(
    rest: FloatArray,
    lines: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    candidate: BoolArray,
    ok: BoolArray,
    s: FloatArray,
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """``p_0`` and ``p_1`` from ``s = p_2`` (``rest`` holds ``p_2`` and any later ones)."""

    def at(line: FloatArray) -> FloatArray:
        value: FloatArray = line[..., 0] + line[..., 1] * s
        return value

    # (Slots that hold no candidate may hold anything: their results are not used.)
    with np.errstate(all="ignore"):
        alpha1, beta1, alpha0, beta0 = (at(line) for line in lines)
        p0 = alpha1 / (alpha1 - beta1)
        p1 = alpha0 / (alpha0 - beta0)
        scale = np.maximum.reduce([np.abs(alpha1), np.abs(beta1), np.abs(alpha0), np.abs(beta0)])
        tiny = np.minimum(np.abs(alpha1 - beta1), np.abs(alpha0 - beta0)) <= (
            DEGENERATE * np.maximum(scale, DEGENERATE)
        )
    ok = ok & ~np.any(candidate & (tiny | ~np.isfinite(s)), axis=1)
    p = np.concatenate((p0[..., None], p1[..., None], rest), axis=-1)
    return finite(p), candidate, ok


def roots_on_unit_interval(quadratic: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """The real roots in ``[0, 1]`` of quadratics ``(R, 3)``, two slots each, and which are."""
    c, b, a = quadratic[:, 0], quadratic[:, 1], quadratic[:, 2]
    scale = np.max(np.abs(quadratic), axis=1)
    # (an eliminant that vanishes identically, rounding noise, would pass the relative tests)
    ok = (scale > DEGENERATE) & (np.abs(a) > DEGENERATE * scale)
    discriminant = b * b - 4 * a * c
    # A discriminant near zero: two close roots or none, near a double one.
    ok &= np.abs(discriminant) > DEGENERATE * scale * scale
    root = np.sqrt(np.maximum(discriminant, 0.0))
    # The root of larger size by the formula, the other from the product (no cancellation).
    with np.errstate(divide="ignore", invalid="ignore"):
        q = -0.5 * (b + np.copysign(root, b))
        s = np.stack((q / a, c / q), axis=1)
    real = (discriminant > 0)[:, None] & np.isfinite(s)
    candidate = real & (s >= -MARGIN) & (s <= 1 + MARGIN)
    ok &= ~np.any(real & (np.abs(s[:, :1] - s[:, 1:]) < _CLOSE) & candidate, axis=1)
    return np.where(candidate, s, 0.5), candidate, ok


@functools.cache
def chebyshev_nodes(count: int) -> FloatArray:
    """``count`` Chebyshev points of the first kind on ``[0, 1]``."""
    x = np.cos(np.pi * (np.arange(count) + 0.5) / count)
    nodes: FloatArray = (1.0 + x) / 2
    return nodes


@functools.cache
def chebyshev_fit(count: int) -> FloatArray:
    """The matrix taking values at :func:`chebyshev_nodes` to Chebyshev coefficients."""
    angles = np.pi * (np.arange(count) + 0.5) / count
    fit: FloatArray = 2.0 / count * np.cos(np.outer(np.arange(count), angles))
    fit[0] /= 2
    return fit


def chebyshev_roots(
    coefficients: FloatArray, cluster: int | None = None
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Real roots in ``[0, 1]`` of Chebyshev series ``(R, n + 1)`` on ``[0, 1]``.

    Returns them ``(R, n)`` (the eigenvalues of the colleague matrix, mapped to ``[0, 1]``),
    which are real roots in the interval, and whether the support is safe to solve so; with
    ``cluster``, not where that many roots lie within :data:`_CLUSTER` of one near the interval.
    """
    n = coefficients.shape[1] - 1
    scale = np.max(np.abs(coefficients), axis=1)
    lead = coefficients[:, -1]
    # (A monic polynomial's leading Chebyshev coefficient is 2**(1 - n): small, not degenerate.)
    ok = np.abs(lead) > _NEGLIGIBLE * scale
    safe = np.where(ok, lead, 1.0)
    colleague = np.zeros((len(coefficients), n, n))
    index = np.arange(n - 1)
    colleague[:, index, index + 1] = 0.5
    colleague[:, index + 1, index] = 0.5
    colleague[:, 0, 1] = 1.0
    colleague[:, -1, :] -= 0.5 * coefficients[:, :-1] / safe[:, None]
    x = np.linalg.eigvals(colleague)
    t = (1.0 + x) / 2
    inside = (t.real >= -MARGIN) & (t.real <= 1 + MARGIN)
    near = (t.real >= -0.01) & (t.real <= 1.01)
    real = np.abs(t.imag) <= _REAL
    candidate = inside & real & ok[:, None]
    ok &= ~np.any(near & ~real & (np.abs(t.imag) <= AMBIGUOUS), axis=1)
    # Two real roots close together may be one double root, badly resolved.
    close = np.abs(t.real[:, :, None] - t.real[:, None, :]) < _CLOSE
    close &= (candidate[:, :, None] | candidate[:, None, :]) & ~np.eye(n, dtype=bool)
    ok &= ~np.any(close & real[:, :, None] & real[:, None, :], axis=(1, 2))
    if cluster is not None:
        around = np.abs(t[:, :, None] - t[:, None, :]) <= _CLUSTER  # (R, n, n), itself too
        crowded = near & (np.abs(t.imag) <= _CLUSTER) & (np.sum(around, axis=2) >= cluster)
        ok &= ~np.any(crowded, axis=1)
    return t.real, candidate, ok


def _at(g: FloatArray, p: FloatArray) -> FloatArray:
    """The equations' values ``(C, K)`` at points ``p`` ``(C, K)``, from ``g`` ``(C, K, 2**K)``."""
    high = cube_corners(p.shape[1]).T[None] == 1
    values: FloatArray = np.einsum(
        "clq,cq->cl", g, np.prod(np.where(high, p[..., None], 1.0 - p[..., None]), axis=1)
    )
    return values


def coincident_solutions(row: IntArray, p: FloatArray, n_rows: int) -> BoolArray:
    """Per support, whether two of its polished solutions are one.

    Newton's method took a root carried back badly (near a double root or a point divided out)
    on to another solution: the root's own solution may be lost.
    """
    order = np.argsort(row, kind="stable")
    rows = row[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)  # place among its support's
    table = np.full((n_rows, int(rank.max()) + 1, p.shape[1]), np.nan)
    table[rows, rank] = p[order]
    apart = np.max(np.abs(table[:, :, None] - table[:, None]), axis=-1)  # nan where no solution
    same = (apart <= _CLOSE) & ~np.eye(table.shape[1], dtype=bool)
    coincident: BoolArray = np.any(same, axis=(1, 2))
    return coincident


def newton_polished(g: FloatArray, p: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Solutions polished by Newton's method on all the equations, and which are regular.

    ``g`` is ``(C, K, 2**K)``: each equation's values at the corners (a padding slot's: its
    probability, so that it stays zero). A solution is regular if Newton's method converges
    on it and its Jacobian is well conditioned there.
    """
    width = p.shape[1]
    high = cube_corners(width).T[None] == 1  # (1, K, 2**K)
    sign = np.where(high, 1.0, -1.0)[:, None]
    own = np.eye(width, dtype=bool)[None, :, :, None]
    identity = np.eye(width)
    step = np.zeros_like(p)
    jacobian = np.broadcast_to(identity, (len(p), width, width))
    # (Newton's method may run away from a candidate, which is then not regular.)
    with np.errstate(all="ignore"):
        for _ in range(_NEWTON_STEPS):
            factors = np.where(high, p[..., None], 1.0 - p[..., None])  # (C, K, 2**K)
            residual = np.einsum("clq,cq->cl", g, np.prod(factors, axis=1))
            # d weights / d p_j: the factor of p_j replaced by its sign.
            derivative = np.prod(np.where(own, sign, factors[:, None]), axis=2)
            jacobian = np.einsum("clq,cjq->clj", g, derivative)
            jacobian = np.where(np.isfinite(jacobian), jacobian, identity)
            try:
                step = np.linalg.solve(jacobian, residual[..., None])[..., 0]
            except np.linalg.LinAlgError:
                step = (np.linalg.pinv(jacobian) @ residual[..., None])[..., 0]
            p = p - step
            if np.all(np.abs(step) <= _CONVERGED):
                break  # converging quadratically: what is left is below rounding
    singular = np.linalg.svd(jacobian, compute_uv=False)[:, -1]
    regular = np.all(np.abs(step) <= _CONVERGED, axis=1) & (singular > SINGULAR)
    return p, regular


_SOLVERS = {2: _two_mixers, 3: _three_mixers, 4: _four_mixers}
