"""Tests of kurilsim.forms.normal.binary_supports against the subdivision and known games.

Support profiles on which each mixer mixes two strategies are solved by elimination; on every
support it claims, the solutions must be those the subdivision certifies (once both are put
through the regret check), every one solving the indifference equations, and a support near a
degenerate case must be left to the subdivision.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kurilsim.core.deadline import Deadline
from kurilsim.forms.normal.binary_supports import (
    _NODES,
    MAX_MIXERS,
    chebyshev_nodes,
    solve_binary_supports,
)
from kurilsim.forms.normal.regret import FloatArray, max_regret, normalised_payoffs
from kurilsim.forms.normal.support_boxes import _subdivided, solve_supports
from kurilsim.forms.normal.support_enumeration import support_enumeration
from tests.forms.normal.support_checks import (
    Profile,
    all_support_masks,
    assert_roots_solve_their_supports,
    passing,
)
from tests.literature import binary, difference_game, first, nine_totally_mixed_game
from tests.strategies import random_game, seeds

SHAPES = [(2, 2, 2), (2, 2, 2, 2), (3, 3, 2, 2), (3, 2, 3), (2, 2, 2, 2, 2)]


def _binary_masks(shape: tuple[int, ...]) -> list[np.ndarray]:
    """Every support profile of the shape that the module may solve (two strategies per mixer)."""
    masks = all_support_masks(shape)
    sizes = np.stack([m.sum(axis=1) for m in masks])
    chosen = np.all(sizes <= 2, axis=0) & (np.sum(sizes > 1, axis=0) <= MAX_MIXERS)
    return [m[chosen] for m in masks]


def _same_points(a: list[FloatArray], b: list[FloatArray]) -> bool:
    return len(a) == len(b) and all(any(np.max(np.abs(x - y)) <= 1e-7 for y in b) for x in a)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.builds(random_game, seeds, st.sampled_from(SHAPES)),
        # Small integer payoffs: ties, continua and degenerate supports are common.
        st.sampled_from(SHAPES[:2]).flatmap(
            lambda shape: arrays(np.float64, (*shape, len(shape)), elements=st.integers(-2, 2))
        ),
    )
)
def test_the_supports_solved_have_the_subdivisions_solutions(payoffs: FloatArray) -> None:
    norm = normalised_payoffs(payoffs)
    masks = _binary_masks(payoffs.shape[:-1])
    roots, solved = solve_binary_supports(norm, masks)
    reference, finished = _subdivided(norm, masks, 1e-9, Deadline(None))
    assert finished
    assert_roots_solve_their_supports(norm, masks, roots, solved)
    ours, theirs = passing(norm, roots), passing(norm, reference.roots)
    for k in np.flatnonzero(solved).tolist():
        assert _same_points(ours.get(k, []), theirs.get(k, []))
        # A support solved here holds no continuum.
        assert all(k != c for c, _, _ in reference.continua)


def test_four_mixers_with_three_totally_mixed_solutions_have_them_all() -> None:
    # The first of 3,000 seeds whose random 2x2x2x2 game has three totally mixed equilibria.
    norm = normalised_payoffs(random_game(491, (2, 2, 2, 2)))
    full = [np.ones((1, 2), dtype=bool)] * 4

    roots, solved = solve_binary_supports(norm, full)

    assert solved.tolist() == [True]
    found = [np.concatenate(p) for _, p in roots]
    assert len(found) == 3
    reference, _ = _subdivided(norm, full, 1e-9, Deadline(None))
    assert _same_points(found, [np.concatenate(p) for _, p in reference.roots])


def test_the_game_with_nine_totally_mixed_equilibria_is_left_to_the_subdivision() -> None:
    # McKelvey and McLennan (1997): when player i's advantage is prod_{j != i} (x_j - c_ij),
    # the nine derangements of four players give nine totally mixed equilibria (found by the
    # subdivision: see test_support_enumeration). Each advantage vanishes for every x_i along
    # whole lines, and solutions share probabilities: degenerate cases for the elimination.
    payoffs, _ = nine_totally_mixed_game()
    norm = normalised_payoffs(payoffs)
    full = [np.ones((1, 2), dtype=bool)] * 4
    roots, solved = solve_binary_supports(norm, full)
    assert roots == []
    assert solved.tolist() == [False]


def test_a_support_with_a_continuum_is_left_to_the_subdivision() -> None:
    # Player 1 is indifferent everywhere: on the full supports the equations leave a curve.
    payoffs = np.random.default_rng(3).standard_normal((2, 2, 2, 3))
    payoffs[..., 0] = 0.0
    full = np.ones((1, 2), dtype=bool)
    assert solve_binary_supports(normalised_payoffs(payoffs), [full] * 3)[1].tolist() == [False]


def test_a_curve_whose_eliminant_is_rounding_noise_is_left_to_the_subdivision() -> None:
    # Players 0 and 1 have the same advantage, 0.3 - x + (0.2 x - 0.5) p_2 in the other's
    # probability x, and player 2's is 1.7 (p_0 - p_1): the totally mixed equilibria form the
    # curve p_0 = p_1 = (0.3 - 0.5 p_2) / (1 - 0.2 p_2), p_2 in [0, 0.6]. Eliminating p_0 and
    # p_1 leaves a quadratic that is zero but for rounding (about 1e-17), whose roots are
    # anywhere; relative to its own size it looks like any other.
    payoffs = np.random.default_rng(1).normal(size=(2, 2, 2, 3))
    a, b, c = np.meshgrid(*[np.arange(2)] * 3, indexing="ij")
    payoffs[1, :, :, 0] = payoffs[0, :, :, 0] + 0.3 - b[0] + (0.2 * b[0] - 0.5) * c[0]
    payoffs[:, 1, :, 1] = payoffs[:, 0, :, 1] + 0.3 - a[:, 0] + (0.2 * a[:, 0] - 0.5) * c[:, 0]
    payoffs[:, :, 1, 2] = payoffs[:, :, 0, 2] + 1.7 * (a[..., 0] - b[..., 0])
    p_2 = 0.3
    p = (0.3 - 0.5 * p_2) / (1 - 0.2 * p_2)
    on_curve = (np.array([1 - p, p]), np.array([1 - p, p]), np.array([1 - p_2, p_2]))
    assert max_regret(payoffs, on_curve) < 1e-12
    full = [np.ones((1, 2), dtype=bool)] * 3

    norm = normalised_payoffs(payoffs)

    assert solve_binary_supports(norm, full)[1].tolist() == [False]
    reference, _ = _subdivided(norm, full, 1e-9, Deadline(None))
    assert [k for k, _, _ in reference.continua] == [0]


def test_a_solution_where_the_resultant_is_divided_is_left_to_the_subdivision() -> None:
    # Player 2's advantage is x1 A + (1 - x1) B with A and B vanishing at (x3, x4) = (0.3, 0.6):
    # there it holds for every x1, a point divided out of the resultant, and the others' make
    # (0.7, 0.4, 0.3, 0.6) a regular solution there.
    n = 4
    x = [first(j, n) for j in range(n)]
    c = np.random.default_rng(3).uniform(0.5, 1.5, 24) * np.random.default_rng(4).choice(
        [-1, 1], 24
    )
    x1, x2, a, b = x[0] - 0.7, x[1] - 0.4, x[2] - 0.3, x[3] - 0.6
    differences = [
        c[0] * x2 + c[1] * a + c[2] * b + c[3] * x2 * a + c[4] * a * b + c[5] * x2 * b,
        x[0] * (c[6] * a + c[7] * b + c[8] * a * b)
        + (1 - x[0]) * (c[9] * a + c[10] * b + c[11] * a * b),
        c[12] * x1 + c[13] * x2 + c[14] * b + c[15] * x1 * x2 + c[16] * x1 * b + c[17] * x2 * b,
        c[18] * x1 + c[19] * x2 + c[20] * a + c[21] * x1 * x2 + c[22] * x1 * a + c[23] * x2 * a,
    ]
    payoffs = difference_game(*differences)
    full = np.ones((1, 2), dtype=bool)

    assert solve_binary_supports(normalised_payoffs(payoffs), [full] * n)[1].tolist() == [False]
    equilibria, complete = support_enumeration(payoffs)
    assert complete
    expected = np.concatenate(binary(0.7, 0.4, 0.3, 0.6))
    assert any(np.max(np.abs(np.concatenate(p) - expected)) <= 1e-8 for p in equilibria)


def _multilinear(rng: np.random.Generator, *factors: FloatArray) -> FloatArray:
    """A multilinear polynomial in ``factors`` with random coefficients and no constant term."""
    products = itertools.chain.from_iterable(
        itertools.combinations(factors, r) for r in range(1, len(factors) + 1)
    )
    return sum(
        (
            rng.uniform(0.5, 1.5) * rng.choice([-1, 1]) * functools.reduce(np.multiply, product)
            for product in products
        ),
        np.zeros((1,) * len(factors[0].shape)),
    )


@pytest.mark.parametrize("seed", range(30))
def test_a_solution_beside_a_point_divided_out_is_found(seed: int) -> None:
    # Where x4 is the solution's, player 2's advantage vanishes for every x1 at another x3 (a
    # point divided out of the resultant): there the last two equations have two common roots
    # in x3, and the solution's x3 is not the only null vector of the Sylvester matrix.
    rng = np.random.default_rng(seed)
    n = 4
    x = [first(j, n) for j in range(n)]
    solution = rng.uniform(0.05, 0.95, n)
    d1, d2, d3, d4 = (x[j] - solution[j] for j in range(n))
    e = x[2] - rng.uniform(0.05, 0.95)
    a, b, c, d, f = rng.uniform(0.5, 1.5, 5) * rng.choice([-1, 1], 5)
    other = -a * solution[0] / (1 - solution[0])  # so that player 2's advantage vanishes there
    differences = [
        _multilinear(rng, d2, d3, d4),
        x[0] * (a * e + b * d4 + c * e * d4) + (1 - x[0]) * (other * e + d * d4 + f * e * d4),
        _multilinear(rng, d1, d2, d4),
        _multilinear(rng, d1, d2, d3),
    ]
    norm = normalised_payoffs(difference_game(*differences))
    full = [np.ones((1, 2), dtype=bool)] * n
    expected = np.concatenate(binary(*solution))

    def has_it(roots: list[tuple[int, Profile]]) -> bool:
        return any(np.max(np.abs(np.concatenate(p) - expected)) <= 1e-8 for _, p in roots)

    roots, solved = solve_binary_supports(norm, full)
    assert has_it(roots) or not solved[0]
    assert has_it(solve_supports(norm, full, 1e-9, Deadline(None))[0].roots)


@pytest.mark.parametrize(
    ("seed", "offset"),
    [(157, 1e-13), (351, 1e-14), (625, 1e-13), (539, 1e-10), (670, 1e-9), (158, 1e-8)],
)
def test_a_support_whose_solutions_coincide_once_polished_is_left_to_the_subdivision(
    seed: int, offset: float
) -> None:
    # Player 2's advantage vanishes for every x1 at a point whose x4 lies a hair from a
    # Chebyshev node: the resultant is divided there by almost zero, and near it the
    # Sylvester matrix has two small singular values. A solution then may be carried back to
    # the wrong x3 and polished on to another solution: two alike, and one perhaps lost.
    rng = np.random.default_rng(seed)
    n = 4
    x = [1 - first(j, n) for j in range(n)]
    at = chebyshev_nodes(_NODES)[seed % _NODES] + offset * rng.choice([-1, 1])
    s, t = x[2] - rng.uniform(0, 1), x[3] - at
    c = rng.standard_normal(6)
    others = [rng.standard_normal((2,) * n) for _ in range(3)]
    for i, table in zip((0, 2, 3), others, strict=True):
        table[(slice(None),) * i + (1,)] = table[(slice(None),) * i + (0,)]  # own axis unused
    differences = [
        others[0],
        (1 - x[0]) * (c[0] * s + c[1] * t + c[2] * s * t)
        + x[0] * (c[3] * s + c[4] * t + c[5] * s * t),
        others[1],
        others[2],
    ]
    norm = normalised_payoffs(difference_game(*differences))
    full = [np.ones((1, 2), dtype=bool)] * n
    roots, solved = solve_binary_supports(norm, full)
    found = [np.concatenate(p) for _, p in roots]
    assert all(np.max(np.abs(a - b)) > 1e-7 for k, a in enumerate(found) for b in found[:k])
    if solved[0]:
        reference, _ = _subdivided(norm, full, 1e-9, Deadline(None))
        assert _same_points(found, [np.concatenate(p) for _, p in reference.roots])
