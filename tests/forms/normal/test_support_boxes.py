"""Tests of the box system of kurilsim.forms.normal.support_boxes against direct computation.

The system contracts the payoff tables of players (and pairs of players) alike in their numbers
of strategies together; these properties check its payoff ranges and Jacobian, on games of
mixed shapes, against sums written out profile by profile.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim.forms.normal.regret import FloatArray
from kurilsim.forms.normal.support_boxes import box_system


def _payoff(u: FloatArray, i: int, b: int, mixtures: list[FloatArray]) -> float:
    """Player ``i``'s expected payoff of pure strategy ``b`` against the others' mixtures."""
    total = 0.0
    for cell in itertools.product(*(range(len(x)) for x in mixtures)):
        if cell[i] != b:
            continue
        weight = np.prod(
            [x[s] for j, (x, s) in enumerate(zip(mixtures, cell, strict=True)) if j != i]
        )
        total += weight * u[(*cell, i)]
    return total


@st.composite
def games_with_boxes(
    draw: st.DrawFn,
) -> tuple[FloatArray, list[np.ndarray], FloatArray, FloatArray]:
    """A game of 3 or 4 players, one support profile, and a box in its free probabilities."""
    n_players = draw(st.integers(3, 4))
    shape = tuple(draw(st.integers(1, 3)) for _ in range(n_players))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    norm = rng.random((*shape, n_players))
    masks = []
    for n in shape:
        support = rng.random(n) < 0.7
        support[rng.integers(n)] = True
        masks.append(support[None])
    system = box_system(norm, masks)
    lo = rng.random((1, system.n_vars)) * 0.4 * system.active
    hi = lo + rng.random((1, system.n_vars)) * 0.4 * system.active
    return norm, masks, lo, hi


@settings(max_examples=40, deadline=None, derandomize=True)
@given(games_with_boxes())
def test_payoff_ranges_on_a_box_are_those_of_its_vertices_payoffs(
    case: tuple[FloatArray, list[np.ndarray], FloatArray, FloatArray],
) -> None:
    norm, masks, lo, hi = case
    system = box_system(norm, masks)
    sid = np.zeros(1, dtype=np.intp)
    points = system.vertices(sid, lo, hi)
    advantages = system.advantages(sid, points)
    # The same points in a list of one's own: the system stacks them, not reusing its groups.
    assert all(
        np.array_equal(a, b)
        for a, b in zip(advantages, system.advantages(sid, list(points)), strict=True)
    )
    for i, n in enumerate(norm.shape[:-1]):
        others = [range(len(points[j][0])) for j in range(len(points)) if j != i]
        for b in range(1, n):
            direct = []
            for chosen in itertools.product(*others):
                picks = iter(chosen)
                mixtures = [
                    points[j][0, 0] if j == i else points[j][0, next(picks)]
                    for j in range(len(points))
                ]
                direct.append(_payoff(norm, i, b, mixtures) - _payoff(norm, i, 0, mixtures))
            got = advantages[i][0, b - 1].ravel()
            np.testing.assert_allclose(np.sort(got), np.sort(direct), atol=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(games_with_boxes())
def test_the_jacobian_at_a_box_centre_is_the_equations_derivative(
    case: tuple[FloatArray, list[np.ndarray], FloatArray, FloatArray],
) -> None:
    norm, masks, lo, hi = case
    system = box_system(norm, masks)
    sid = np.zeros(1, dtype=np.intp)
    points = system.corners(sid, lo, hi)
    linearisation = system.jacobian(sid, points)
    again = system.jacobian(sid, list(points))
    np.testing.assert_array_equal(linearisation.at_centre, again.at_centre)
    np.testing.assert_array_equal(linearisation.low, again.low)
    np.testing.assert_array_equal(linearisation.high, again.high)

    def equations(y: FloatArray) -> FloatArray:
        mixtures = list(system.mixtures(0, y))
        out = np.where(system.active[0], 0.0, y)
        for i in range(system.n_players):
            block = slice(system.offsets[i], system.offsets[i + 1])
            payoffs = np.array([_payoff(norm, i, b, mixtures) for b in range(norm.shape[i])])
            out[block] += system.steps[i][0] @ payoffs
        return out

    centre = ((lo + hi) / 2)[0]
    np.testing.assert_allclose(
        system.residual(sid, centre[None], linearisation)[0], equations(centre), atol=1e-12
    )
    # The equations are multilinear, so a central difference is exact up to rounding.
    step = 1e-3
    for k in range(system.n_vars):
        e = np.zeros(system.n_vars)
        e[k] = step
        derivative = (equations(centre + e) - equations(centre - e)) / (2 * step)
        if not system.active[0, k]:
            derivative[k] = 1.0  # the dummy equation y = 0 of an inactive slot
        np.testing.assert_allclose(linearisation.at_centre[0][:, k], derivative, atol=1e-9)
        assert np.all(linearisation.low[0][:, k] <= linearisation.at_centre[0][:, k] + 1e-12)
        assert np.all(linearisation.at_centre[0][:, k] <= linearisation.high[0][:, k] + 1e-12)
