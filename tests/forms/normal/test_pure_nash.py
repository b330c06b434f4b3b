import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal import pure_nash as pure_nash_module
from kurilsim.forms.normal.pure_nash import (
    best_responses,
    pure_nash,
    pure_nash_mask,
    streamed_best_responses,
    taken_at,
)
from kurilsim.forms.normal.regret import normalised_payoffs, player_scales
from tests import literature
from tests.strategies import payoff_arrays


def brute_force_pure_nash(payoffs):
    """Check every unilateral deviation of every profile, one by one."""
    shape = payoffs.shape[:-1]
    found = []
    for profile in itertools.product(*(range(n) for n in shape)):
        stable = True
        for i, n in enumerate(shape):
            for s in range(n):
                deviation = list(profile)
                deviation[i] = s
                if payoffs[tuple(deviation)][i] > payoffs[profile][i]:
                    stable = False
        if stable:
            found.append(profile)
    return found


@pytest.mark.parametrize(("game", "expected"), literature.cases("game", "pure"))
def test_known_games(game, expected):
    assert pure_nash(game.payoffs) == expected


def test_all_profiles_of_a_constant_game_are_equilibria():
    payoffs = np.full((2, 3, 2, 3), 7.0)
    assert len(pure_nash(payoffs)) == 12


def test_tolerance_is_relative_to_payoff_scale():
    # Player 1 gains 1e-3 by deviating from (0, 0): with payoffs in billions, that is a tie.
    base = np.array([[[1.0, 1.0], [0.0, 0.0]], [[1.0 + 1e-12, 0.0], [0.0, 1.0]]])
    big = base * 1e9
    assert (0, 0) in pure_nash(big, tol=1e-9)
    assert (0, 0) not in pure_nash(big, tol=1e-15)
    assert pure_nash(big) == pure_nash(base)


def test_player_scales_over_a_batch_match_game_by_game():
    rng = np.random.default_rng(3)
    batch = rng.normal(size=(5, 2, 3, 2)) * rng.uniform(0.1, 100, size=(5, 1, 1, 1))
    np.testing.assert_allclose(player_scales(batch), [player_scales(g) for g in batch])


def test_each_player_is_judged_on_their_own_scale():
    # Player 2's stakes are a millionth of player 1's; a 1e-7 gain is still a real deviation.
    payoffs = np.zeros((2, 2, 2))
    payoffs[0, 0, 0] = 1e6  # the row player's only stake
    payoffs[0, 1, 1] = 1e-6  # the column player's only stake
    assert pure_nash(payoffs) == [(0, 1), (1, 1)]


def test_rejects_arrays_too_small_for_their_players():
    with pytest.raises(ValueError, match="cannot hold"):
        pure_nash_mask(np.zeros((2, 3)))


@settings(max_examples=200, deadline=None)
@given(payoff_arrays())
def test_agrees_with_brute_force(payoffs):
    # Small integer payoffs make ties common, which is where tolerance handling matters.
    assert pure_nash(payoffs) == brute_force_pure_nash(payoffs)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_batch_equals_game_by_game(n_players, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 4, size=n_players))
    batch = rng.integers(-2, 3, size=(6, *shape, n_players)).astype(float)
    mask = pure_nash_mask(batch)
    for k in range(6):
        np.testing.assert_array_equal(mask[k], pure_nash_mask(batch[k]))


def test_two_batch_axes():
    rng = np.random.default_rng(0)
    batch = rng.normal(size=(3, 4, 2, 2, 2, 3))
    mask = pure_nash_mask(batch)
    assert mask.shape == (3, 4, 2, 2, 2)
    np.testing.assert_array_equal(mask[2, 1], pure_nash_mask(batch[2, 1]))


def test_games_taken_in_blocks_give_the_same_answer(monkeypatch):
    # Small integers: many ties. Player 1's payoffs are the same in every game and player 2's
    # ignore player 0's strategy, so blocks must also handle arrays of length 1.
    rng = np.random.default_rng(7)
    arrays = [
        rng.integers(-2, 3, size=(2, 3, 2, 50)).astype(float),
        rng.integers(-2, 3, size=(2, 3, 2, 1)).astype(float),
        rng.integers(-2, 3, size=(1, 3, 2, 50)).astype(float) * 2.0**-900,
    ]
    whole = best_responses(arrays, 3)
    monkeypatch.setattr(pure_nash_module, "BLOCK_ELEMENTS", 25)
    blocked = best_responses(arrays, 3)
    np.testing.assert_array_equal(blocked.mask, np.broadcast_to(whole.mask, (2, 3, 2, 50)))
    for part, one in zip(blocked.best, whole.best, strict=True):
        np.testing.assert_array_equal(part, one)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([DEFAULT_TOL, 1e-3, 3e-14, 1e-15]))
def test_deviations_within_rounding_of_the_tolerance_are_decided_as_normalised(seed, tol):
    # Gaps a few units in the last place either side of tol times the range, in games shifted
    # by up to 2**26 and scaled by 2**-996 to 2**996: the cheap comparisons must hand every
    # close call to the exact test on normalised payoffs.
    rng = np.random.default_rng(seed)
    games = 40
    scale = np.ldexp(1.0, rng.integers(-996, 997, size=(games, 1)))
    shift = rng.integers(-(2**26), 2**26, size=(games, 1)).astype(float)
    spread = rng.uniform(0.5, 1.0, size=(games, 1)) * 2.0 ** rng.integers(-30, 1, size=(games, 1))
    near = spread * (tol + rng.integers(-64, 65, size=(games, 4)) * 2.0**-53)
    top = shift + spread
    own = np.concatenate([top, top - near, shift, top], axis=1)  # ties, close calls, the minimum
    own = np.ldexp(own, np.log2(scale).astype(int)) * rng.choice([-1.0, 1.0], size=(games, 1))
    payoffs = np.zeros((games, own.shape[1], 2, 2))
    payoffs[..., 0] = own[:, :, None]
    payoffs[..., 1] = rng.integers(-2, 3, size=(games, own.shape[1], 2))
    normalised = normalised_payoffs(payoffs)
    expected = np.ones(payoffs.shape[:-1], dtype=bool)
    for i in range(2):
        expected &= normalised[..., i] >= normalised[..., i].max(axis=1 + i, keepdims=True) - tol
    np.testing.assert_array_equal(pure_nash_mask(payoffs, tol), expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([DEFAULT_TOL, 1e-3, 3e-14, 1e-15]))
def test_the_bound_made_without_the_map_is_the_mapped_one(seed, tol):
    # Games from subnormal payoffs to near overflow, constant ones, ranges that overflow, and
    # smallest payoffs far below the largest (subnormal once scaled): where the bound is made
    # without the map, it is the same number as the one made from the map, to the bit.
    rng = np.random.default_rng(seed)
    factor = tol + 2 * pure_nash_module._MARGIN
    with np.errstate(over="ignore"):  # some payoffs and ranges overflow, as they may
        high = rng.normal(size=60) * np.ldexp(1.0, rng.integers(-1074, 1024, size=60))
        gaps = np.abs(rng.normal(size=60)) * np.ldexp(1.0, rng.integers(-1074, 1024, size=60))
        low = high - gaps
    low[:4] = high[:4]  # constant games
    low[4:8] = -high[4:8] * 2.0**-1060  # a smallest payoff that the map scales to a subnormal
    low, high = np.minimum(low, high), np.maximum(low, high)
    made = 0
    for game in range(60):
        pair = low[game : game + 1], high[game : game + 1]
        bound = pure_nash_module._unmapped_bound(factor, *pair)
        if bound is None:
            continue
        made += 1
        largest = np.maximum(np.abs(pair[0]), np.abs(pair[1]))
        _, divisor, exponent = pure_nash_module._payoff_map(*pair, largest)
        mapped = pure_nash_module._gap_bound(factor, divisor, exponent, np.inf)
        assert np.array_equal(bound, mapped), (pair, bound, mapped)
    assert made >= 20  # most games: the comparison is made, not skipped


@settings(max_examples=50, deadline=None)
@given(
    full=st.lists(st.integers(1, 4), min_size=1, max_size=5),
    narrow=st.lists(st.booleans(), min_size=5, max_size=5),
    seed=st.integers(0, 2**32 - 1),
    transposed=st.booleans(),
)
def test_taken_at_is_indexing_the_broadcast_array(full, narrow, seed, transposed):
    rng = np.random.default_rng(seed)
    shape = tuple(1 if cut else n for n, cut in zip(full, narrow, strict=False))
    values = rng.normal(size=shape[::-1]).T if transposed else rng.normal(size=shape)
    index = tuple(rng.integers(0, n, size=7) for n in full)
    expected = np.broadcast_to(values, tuple(full))[index]
    assert np.array_equal(taken_at(values, index), expected)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(-1100, 1100) | st.sampled_from([-1075, -1024, -1023, -1022, 1022, 1023, 1024]),
    st.integers(0, 2) | st.integers(0, 60),
)
def test_scaling_by_a_power_of_two_is_ldexp_to_the_bit(seed, shift, spread):
    # Values from subnormal to near overflow, with zeros, infinities and nan; results that
    # underflow, round as subnormals or overflow.
    rng = np.random.default_rng(seed)
    values = rng.normal(size=40) * np.ldexp(1.0, rng.integers(-1074, 1023, size=40))
    values[:4] = [0.0, -np.inf, np.inf, np.nan]
    exponent = shift + rng.integers(0, spread + 1, size=40)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = np.ldexp(values, exponent)
        scaled = pure_nash_module._ldexp(values, exponent)
    assert np.array_equal(scaled, expected, equal_nan=True)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([np.nan, np.inf, -np.inf, None]),
    st.booleans(),
)
def test_finite_says_whether_every_payoff_is(seed, bad, blocked):
    # Player 1's payoffs do not vary with their own strategy (length 1 on their axis): their
    # check is not read from the best-reply test's minimum and maximum.
    rng = np.random.default_rng(seed)
    arrays = [
        rng.normal(size=(2, 3, 2, 9)),
        rng.normal(size=(2, 1, 2, 9)),
        rng.normal(size=(1, 3, 2, 1)),
    ]
    if bad is not None:
        player = int(rng.integers(3))
        arrays[player][tuple(int(rng.integers(n)) for n in arrays[player].shape)] = bad
    if blocked:
        pure_nash_module.BLOCK_ELEMENTS, old = 13, pure_nash_module.BLOCK_ELEMENTS
    try:
        with np.errstate(invalid="ignore", over="ignore"):
            found = best_responses(arrays, 3)
    finally:
        if blocked:
            pure_nash_module.BLOCK_ELEMENTS = old
    assert found.finite == all(np.isfinite(a).all() for a in arrays)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([np.nan, np.inf, -np.inf, None]),
    st.sampled_from([DEFAULT_TOL, 1e-3, 1e-15]),
    st.booleans(),
)
def test_players_tested_as_their_payoffs_come_give_the_same_answer(seed, bad, tol, blocked):
    # Ties (small integers), arrays of length 1 along some players' axes and the games' axis,
    # payoffs that are not finite; and games too many for one block, which are taken whole.
    rng = np.random.default_rng(seed)
    games = int(rng.integers(1, 12))
    arrays = [
        rng.integers(-2, 3, size=(2, 3, 2, games)).astype(float),
        rng.integers(-2, 3, size=(2, 1, 2, games)).astype(float),
        rng.integers(-2, 3, size=(1, 3, 2, 1)).astype(float) * 2.0 ** int(rng.integers(-900, 900)),
    ]
    if bad is not None:
        player = int(rng.integers(3))
        arrays[player][tuple(int(rng.integers(n)) for n in arrays[player].shape)] = bad
    given_to = []

    def evaluated():
        for array in arrays:
            given_to.append(array)  # each array only once it is asked for
            yield array

    with np.errstate(invalid="ignore", over="ignore"):
        whole = best_responses(arrays, 3, tol)
        if blocked:
            pure_nash_module.BLOCK_ELEMENTS, old = 2 * 3 * 2, pure_nash_module.BLOCK_ELEMENTS
        try:
            taken, streamed = streamed_best_responses(evaluated(), (2, 3, 2), games, tol)
        finally:
            if blocked:
                pure_nash_module.BLOCK_ELEMENTS = old
    assert all(a is b for a, b in zip(taken, arrays, strict=True)) and len(given_to) == 3
    np.testing.assert_array_equal(streamed.mask, whole.mask)
    assert streamed.mask.shape == whole.mask.shape and streamed.finite == whole.finite
    for one, other in zip(streamed.best, whole.best, strict=True):
        np.testing.assert_array_equal(one, other)
