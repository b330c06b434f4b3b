"""Tests of kurilsim.forms.normal.three_strategy_supports against the subdivision and known games.

Support profiles where one player mixes three strategies and one, two or three others mix two
are solved directly; on every support it claims, the solutions must be those the subdivision
certifies (once both are put through the regret check), every one solving the indifference
equations, and a support near a degenerate case must be left to the subdivision.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kurilsim.core.deadline import Deadline
from kurilsim.forms.normal.regret import FloatArray, max_regret, normalised_payoffs
from kurilsim.forms.normal.support_boxes import _subdivided, solve_supports
from kurilsim.forms.normal.support_enumeration import (
    support_enumeration,
    support_enumeration_with_reason,
)
from kurilsim.forms.normal.three_strategy_supports import solve_three_strategy_supports
from tests.forms.normal.support_checks import (
    all_support_masks,
    assert_roots_solve_their_supports,
    passing,
)
from tests.literature import twelve_totally_mixed_game
from tests.strategies import random_game, seeds

SHAPES = [(3, 2, 2), (3, 3, 3), (3, 3, 2, 2), (2, 3, 2), (2, 2, 3, 2, 1), (3, 2, 2, 2)]
#: Shapes with a profile where one player mixes three strategies and three others two.
FOUR_MIXERS = [(3, 2, 2, 2), (2, 2, 3, 2)]


def _inside(points: list[FloatArray], on: np.ndarray) -> list[FloatArray]:
    """The points whose every strategy on the support has probability above 1e-6."""
    return [p for p in points if np.all(p[on] > 1e-6)]


def _same_points(a: list[FloatArray], b: list[FloatArray]) -> bool:
    return len(a) == len(b) and all(any(np.max(np.abs(x - y)) <= 1e-7 for y in b) for x in a)


def _quarters(shape: tuple[int, ...]) -> st.SearchStrategy[FloatArray]:
    """Payoffs rounded to quarters: exact ties and proportional rows happen."""
    return arrays(np.float64, (*shape, len(shape)), elements=st.integers(-8, 8)).map(
        lambda u: u / 4
    )


@settings(max_examples=16, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.builds(random_game, seeds, st.sampled_from(SHAPES)),
        # Small integer payoffs: ties, continua and degenerate supports are common.
        st.sampled_from([*SHAPES[:2], *FOUR_MIXERS]).flatmap(
            lambda shape: arrays(np.float64, (*shape, len(shape)), elements=st.integers(0, 1))
        ),
        st.sampled_from([*SHAPES[:3], *FOUR_MIXERS]).flatmap(_quarters),
    )
)
def test_the_supports_solved_have_the_subdivisions_solutions(payoffs: FloatArray) -> None:
    norm = normalised_payoffs(payoffs)
    masks = all_support_masks(payoffs.shape[:-1])
    roots, solved = solve_three_strategy_supports(norm, masks)
    claimed = np.flatnonzero(solved)
    if not len(claimed):
        assert roots == []
        return
    reference, finished = _subdivided(norm, [m[solved] for m in masks], 1e-9, Deadline(None))
    assert finished
    assert_roots_solve_their_supports(norm, masks, roots, solved)
    ours = passing(norm, roots)
    theirs = passing(norm, [(int(claimed[k]), p) for k, p in reference.roots])
    for k in claimed.tolist():
        # A solution on a face of the simplices solves a smaller support too, where it is
        # found; either method may or may not return it on this one.
        on = np.concatenate([m[k] for m in masks])
        assert _same_points(_inside(ours.get(k, []), on), _inside(theirs.get(k, []), on))
    # A support solved here holds no continuum.
    assert reference.continua == []


def _three_by_two_by_two(rng: np.random.Generator, x: FloatArray, q: float, r: float) -> FloatArray:
    """A 3 x 2 x 2 game with ``(x, (1 - q, q), (1 - r, r))`` solving the full support's system.

    Player 1's advantages of strategies 2 and 3 over 1 are random bilinear functions vanishing
    at ``(q, r)``; players 2's and 3's advantages are random and then made to vanish at ``x``.
    """
    payoffs = np.zeros((3, 2, 2, 3))
    corners = np.array([0.0, 1.0])
    for t in (1, 2):
        a, b, c = rng.uniform(0.5, 1.5, 3) * rng.choice([-1, 1], 3)
        dq, dr = (corners - q)[:, None], (corners - r)[None, :]
        payoffs[t, :, :, 0] = a * dq + b * dr + c * dq * dr
    for player in (1, 2):
        gain = rng.standard_normal((3, 2))
        at = gain @ np.array([1 - (r if player == 1 else q), r if player == 1 else q])
        gain -= np.outer(x, np.ones(2)) * (at @ x) / (x @ x)
        if player == 1:
            payoffs[:, 1, :, 1] = gain
        else:
            payoffs[:, :, 1, 2] = gain
    return payoffs


FULL = [np.ones((1, 3), dtype=bool), np.ones((1, 2), dtype=bool), np.ones((1, 2), dtype=bool)]


def test_a_constructed_totally_mixed_solution_is_found_here() -> None:
    rng = np.random.default_rng(7)
    x = np.array([0.2, 0.5, 0.3])
    payoffs = _three_by_two_by_two(rng, x, 0.35, 0.6)
    roots, solved = solve_three_strategy_supports(normalised_payoffs(payoffs), FULL)
    assert solved.tolist() == [True]
    expected = np.concatenate((x, [0.65, 0.35], [0.4, 0.6]))
    assert any(np.max(np.abs(np.concatenate(p) - expected)) <= 1e-12 for _, p in roots)
    equilibria, complete = support_enumeration(payoffs)
    assert complete
    assert any(np.max(np.abs(np.concatenate(p) - expected)) <= 1e-9 for p in equilibria)


def test_a_line_of_solutions_is_left_to_the_subdivision() -> None:
    # Players 2's and 3's advantages are one linear function of player 1's mixture, whatever
    # the others do: at the solution (q, r) every x on a line through the simplex makes both
    # indifferent.
    rng = np.random.default_rng(11)
    x = np.array([0.2, 0.5, 0.3])
    payoffs = _three_by_two_by_two(rng, x, 0.35, 0.6)
    gain = payoffs[:, 1, 0, 1] - x * (payoffs[:, 1, 0, 1] @ x) / (x @ x)
    payoffs[:, 1, :, 1] = gain[:, None]
    payoffs[:, :, 1, 2] = -1.5 * gain[:, None]
    norm = normalised_payoffs(payoffs)
    roots, solved = solve_three_strategy_supports(norm, FULL)
    assert solved.tolist() == [False]
    assert roots == []
    found, finished = solve_supports(norm, FULL, 1e-9, Deadline(None))
    assert finished
    assert [k for k, _, _ in found.continua] == [0]


def test_a_curve_whose_eliminant_is_rounding_noise_is_left_to_the_subdivision() -> None:
    # Player 1's advantage of strategy 3 is 0.7 times that of strategy 2: both vanish along a
    # curve through (q, r) = (0.35, 0.6), along which x moves. The quadratic P is zero but for
    # rounding, and relative to its own size looks like any other.
    x = np.array([0.2, 0.5, 0.3])
    payoffs = _three_by_two_by_two(np.random.default_rng(0), x, 0.35, 0.6)
    payoffs[2, :, :, 0] = 0.7 * payoffs[1, :, :, 0]
    norm = normalised_payoffs(payoffs)
    assert solve_three_strategy_supports(norm, FULL)[1].tolist() == [False]
    found, _ = solve_supports(norm, FULL, 1e-9, Deadline(None))
    assert [k for k, _, _ in found.continua] == [0]


def test_player_ones_proportional_advantages_are_left_to_the_subdivision() -> None:
    # One mixer besides player 1: player 1's two advantages, linear in q, vanish at one q
    # only if proportional; here they are, and player 1 mixes along a line there.
    payoffs = random_game(5, (3, 2, 2))
    payoffs[2, :, :, 0] = payoffs[0, :, :, 0] + 2.0 * (payoffs[1, :, :, 0] - payoffs[0, :, :, 0])
    masks = [np.ones((1, 3), dtype=bool), np.array([[True, True]]), np.array([[True, False]])]
    norm = normalised_payoffs(payoffs)
    assert solve_three_strategy_supports(norm, masks)[1].tolist() == [False]
    # Generic payoffs: no solution, claimed here.
    norm = normalised_payoffs(random_game(5, (3, 2, 2)))
    roots, solved = solve_three_strategy_supports(norm, masks)
    assert roots == []
    assert solved.tolist() == [True]


def _trilinear(rng: np.random.Generator, q: float, r: float, s: float) -> FloatArray:
    """A random function on the corners of ``(q, r, s)`` whose multilinear extension vanishes
    at ``(q, r, s)`` (no constant term in the differences from it)."""
    corners = np.array([0.0, 1.0])
    dq, dr, ds = np.meshgrid(corners - q, corners - r, corners - s, indexing="ij")
    terms = [dq, dr, ds, dq * dr, dq * ds, dr * ds, dq * dr * ds]
    signs = rng.choice([-1, 1], len(terms))
    return sum(
        (c * t for c, t in zip(rng.uniform(0.5, 1.5, len(terms)) * signs, terms, strict=True)),
        np.zeros((2, 2, 2)),
    )


def _three_by_two_cubed(
    rng: np.random.Generator, x: FloatArray, q: float, r: float, s: float
) -> FloatArray:
    """A 3 x 2 x 2 x 2 game with ``(x, q, r, s)`` solving the full support's system.

    Player 1's advantages of strategies 2 and 3 over 1 vanish at ``(q, r, s)``; each other
    player's advantage of their second strategy is random, then made to vanish at ``x``.
    """
    payoffs = np.zeros((3, 2, 2, 2, 4))
    payoffs[1, ..., 0] = _trilinear(rng, q, r, s)
    payoffs[2, ..., 0] = _trilinear(rng, q, r, s)
    for player in (1, 2, 3):
        gain = rng.standard_normal((3, 2, 2))
        at = gain.reshape(3, 4) @ np.outer(
            *[(1 - v, v) for j, v in enumerate((q, r, s)) if j != player - 1]
        ).reshape(4)
        gain -= x[:, None, None] * (at @ x) / (x @ x)
        index: list[object] = [slice(None)] * 4 + [player]
        index[player] = 1
        payoffs[tuple(index)] = gain
    return payoffs


FOUR = [np.ones((1, 3), dtype=bool)] + [np.ones((1, 2), dtype=bool)] * 3


def _as_flat(x: FloatArray, q: float, r: float, s: float) -> FloatArray:
    return np.concatenate((x, [1 - q, q], [1 - r, r], [1 - s, s]))


def test_a_constructed_solution_with_three_partners_is_found_here() -> None:
    x = np.array([0.3, 0.45, 0.25])
    payoffs = _three_by_two_cubed(np.random.default_rng(5), x, 0.35, 0.6, 0.2)
    roots, solved = solve_three_strategy_supports(normalised_payoffs(payoffs), FOUR)
    assert solved.tolist() == [True]
    expected = _as_flat(x, 0.35, 0.6, 0.2)
    assert any(np.max(np.abs(np.concatenate(p) - expected)) <= 1e-12 for _, p in roots)
    equilibria, complete = support_enumeration(payoffs)
    assert complete
    assert any(np.max(np.abs(np.concatenate(p) - expected)) <= 1e-9 for p in equilibria)


def test_three_partners_with_three_totally_mixed_solutions_have_them_all() -> None:
    # The first of 4,000 seeds whose random 3x2x2x2 game has three totally mixed equilibria.
    norm = normalised_payoffs(random_game(310, (3, 2, 2, 2)))
    roots, solved = solve_three_strategy_supports(norm, FOUR)
    assert solved.tolist() == [True]
    ours = _inside(passing(norm, roots).get(0, []), np.ones(9, dtype=bool))
    assert len(ours) == 3
    reference, _ = _subdivided(norm, FOUR, 1e-9, Deadline(None))
    theirs = _inside(passing(norm, reference.roots).get(0, []), np.ones(9, dtype=bool))
    assert _same_points(ours, theirs)


def test_the_game_with_twelve_totally_mixed_equilibria_is_left_to_the_subdivision() -> None:
    # Built as McKelvey and McLennan's: player 1's first advantage vanishes for every r where
    # q and s take its roots, so the resultant, divided by such points, is zero throughout.
    # The subdivision finds all twelve, the most this shape allows.
    payoffs, expected = twelve_totally_mixed_game()
    roots, solved = solve_three_strategy_supports(normalised_payoffs(payoffs), FOUR)
    assert (roots, solved.tolist()) == ([], [False])
    equilibria, complete = support_enumeration(payoffs)
    assert complete
    totally_mixed = [np.concatenate(p) for p in equilibria if all(np.all(x > 0) for x in p)]
    assert _same_points(totally_mixed, [_as_flat(e[:3], *e[3:]) for e in expected])


def test_a_solution_where_the_resultant_is_divided_is_left_to_the_subdivision() -> None:
    # Player 1's first advantage vanishes for every r at (q, s) = (0.35, 0.2), the solution's:
    # a point divided out of the resultant, where the solution would be lost.
    rng = np.random.default_rng(8)
    x = np.array([0.3, 0.45, 0.25])
    payoffs = _three_by_two_cubed(rng, x, 0.35, 0.6, 0.2)
    corners = np.array([0.0, 1.0])
    dq, ds = np.meshgrid(corners - 0.35, corners - 0.2, indexing="ij")
    for r in (0, 1):
        a, b, c = rng.uniform(0.5, 1.5, 3) * rng.choice([-1, 1], 3)
        payoffs[1, :, r, :, 0] = a * dq + b * ds + c * dq * ds
    norm = normalised_payoffs(payoffs)
    assert solve_three_strategy_supports(norm, FOUR)[1].tolist() == [False]
    equilibria, complete = support_enumeration(payoffs)
    assert complete
    expected = _as_flat(x, 0.35, 0.6, 0.2)
    assert any(np.max(np.abs(np.concatenate(p) - expected)) <= 1e-8 for p in equilibria)


def test_a_line_of_solutions_with_three_partners_is_left_to_the_subdivision() -> None:
    # The other players' advantages are multiples of one linear function of player 1's
    # mixture, whatever the others do: at the solution (q, r, s) every x on a line through
    # the simplex makes all three indifferent.
    x = np.array([0.3, 0.45, 0.25])
    payoffs = _three_by_two_cubed(np.random.default_rng(9), x, 0.35, 0.6, 0.2)
    gain = np.array([1.0, -0.4, 0.3])
    gain -= x * (gain @ x) / (x @ x)
    payoffs[:, 1, :, :, 1] = gain[:, None, None]
    payoffs[:, :, 1, :, 2] = -0.8 * gain[:, None, None]
    payoffs[:, :, :, 1, 3] = 1.3 * gain[:, None, None]
    norm = normalised_payoffs(payoffs)
    roots, solved = solve_three_strategy_supports(norm, FOUR)
    assert (roots, solved.tolist()) == ([], [False])
    found, finished = solve_supports(norm, FOUR, 1e-9, Deadline(None))
    assert finished
    assert [k for k, _, _ in found.continua] == [0]


def _with_solutions(rng: np.random.Generator, points: list[FloatArray]) -> FloatArray:
    """A random 3 x 2 x 2 x 2 game whose full support's system has each ``(x, q, r, s)``.

    Each indifference is linear in the payoffs at a given point: a random game is projected on
    the payoffs making all of them hold at every point.
    """
    shape = (3, 2, 2, 2)
    rows = []
    for point in points:
        mixtures = [point[:3], *([1 - v, v] for v in point[3:])]
        for player, n in enumerate(shape):
            for strategy in range(1, n):
                weights = [np.asarray(m, dtype=float) for m in mixtures]
                weights[player] = np.eye(n)[strategy] - np.eye(n)[0]
                row = np.zeros((*shape, 4))
                row[..., player] = np.einsum("a,b,c,d->abcd", *weights)
                rows.append(row.reshape(-1))
    a = np.array(rows)
    u = rng.standard_normal(a.shape[1])
    u -= a.T @ np.linalg.solve(a @ a.T, a @ u)
    return u.reshape(*shape, 4)


def test_three_solutions_sharing_an_s_are_found_or_left_to_the_subdivision() -> None:
    # At an s shared by three solutions, P vanishes for every q, so the resultant has a root
    # of multiplicity four or more there: computed, its roots scatter off the real line, and
    # the solutions there, and any near them, would be lost.
    inside = np.array([0.22, 0.36, 0.42, 0.72, 0.53, 0.35])
    others = [
        np.array([0.14, 0.66, 0.2, 0.28, 0.77, 0.35]),
        np.array([0.76, 0.03, 0.21, 0.36, 0.85, 0.35]),
    ]
    payoffs = _with_solutions(np.random.default_rng(19), [inside, *others])
    norm = normalised_payoffs(payoffs)
    roots, solved = solve_three_strategy_supports(norm, FOUR)
    reference, _ = _subdivided(norm, FOUR, 1e-9, Deadline(None))
    on = np.ones(9, dtype=bool)
    theirs = _inside(passing(norm, reference.roots).get(0, []), on)
    expected = _as_flat(inside[:3], *inside[3:])
    assert any(np.max(np.abs(p - expected)) <= 1e-8 for p in theirs)
    if solved[0]:
        assert _same_points(_inside(passing(norm, roots).get(0, []), on), theirs)
    equilibria, complete = support_enumeration(payoffs)
    assert complete
    assert any(np.max(np.abs(np.concatenate(p) - expected)) <= 1e-8 for p in equilibria)


@pytest.mark.parametrize(
    ("seed", "point", "direction"),
    [
        (11, [0.32, 0.47, 0.21, 0.34, 0.3, 0.68], [-0.1, 0.05, 0.05, -0.06, -0.06, 0.002]),
        (8, [0.38, 0.3, 0.32, 0.67, 0.47, 0.47], [-0.1, 0.08, 0.02, 0.04, 0.1, -0.002]),
    ],
)
def test_a_line_of_solutions_steep_in_s_is_not_lost(
    seed: int, point: list[float], direction: list[float]
) -> None:
    # A line of solutions through the simplices along which s barely moves: at every other s
    # in [0, 1] it lies far outside them, where Newton's method fails on it (the system is
    # singular along a line), or, rounded, it leaves no root at all, only a cluster of complex
    # roots near the s where it crosses: either says the support is not safe to solve so.
    line = [np.array(point) + t * np.array(direction) for t in (-1, -0.5, 0, 0.5, 1)]
    payoffs = _with_solutions(np.random.default_rng(seed), line)
    middle = line[2]
    profile = (middle[:3], *(np.array([1 - v, v]) for v in middle[3:]))
    assert max_regret(payoffs, profile) <= 1e-9
    assert solve_three_strategy_supports(normalised_payoffs(payoffs), FOUR)[1].tolist() == [False]
    equilibria, reason = support_enumeration_with_reason(payoffs)
    on_line = [
        np.concatenate(p)
        for p in equilibria
        if all(np.all(x > 0) for x in p) and max_regret(payoffs, p) <= 1e-9
    ]
    assert reason is not None or on_line
