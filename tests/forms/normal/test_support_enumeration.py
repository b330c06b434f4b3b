"""Tests of kurilsim.forms.normal.support_enumeration.

pygambit (GPL) appears here only as an independent reference: its own solvers and its own regret
computation check ours; none of its code is used by kurilsim.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from kurilsim.core.errors import InputError
from kurilsim.forms.normal.regret import DEFAULT_TOL, FloatArray, max_regret, payoff_scale
from kurilsim.forms.normal.support_enumeration import support_enumeration
from tests.strategies import random_game, small_games

Profile = tuple[FloatArray, ...]


def _stack(*tables: object) -> FloatArray:
    """Payoff tensor from one table per player (nested lists indexed by strategies)."""
    return np.stack([np.asarray(t, dtype=float) for t in tables], axis=-1)


def _binary(*first_probabilities: float) -> Profile:
    """A profile of a game in which every player has two strategies, from P(first strategy)."""
    return tuple(np.array([p, 1.0 - p]) for p in first_probabilities)


def _difference_game(*differences: FloatArray) -> FloatArray:
    """A game of two strategies per player: player ``i`` gets ``differences[i][s]`` from their
    first strategy at profile ``s`` (indexed by all players, own axis ignored) and 0 from the
    second, so that player ``i`` prefers the first strategy exactly where the multilinear
    extension of ``differences[i]`` is positive."""
    n = len(differences)
    payoffs = np.zeros((2,) * n + (n,))
    for i, table in enumerate(differences):
        first = [slice(None)] * n
        first[i] = slice(0, 1)
        payoffs[(*first, i)] = np.take(np.broadcast_to(table, (2,) * n), [0], axis=i)
    return payoffs


def _first(i: int, n: int) -> FloatArray:
    """Indicator, on profiles of n two-strategy players, that player i plays the first."""
    shape = [1] * n
    shape[i] = 2
    return np.array([1.0, 0.0]).reshape(shape)


# The 2x2x2 example of McKelvey and McLennan with nine equilibria, two totally mixed (see their
# "Computation of equilibria in finite games", Handbook of Computational Economics vol. 1, 1996;
# the payoffs are those of the copy distributed with Gambit as contrib/games/2x2x2.nfg). The
# equilibria are verified here by hand: with p, q, r the probabilities of each player's first
# strategy, the payoff advantages of the first strategy are
#   player 1: (2q - 1)(12r - 3),  player 2: (2p - 1)(12r - 4),  player 3: 26pq - 8p - 8q + 2,
# which vanish together at (p, q, r) = (2/5, 1/2, 1/3) and (1/2, 2/5, 1/4); the other seven
# follow from the same best-response conditions.
MCKELVEY_MCLENNAN = np.zeros((2, 2, 2, 3))
MCKELVEY_MCLENNAN[0, 0, 0] = [9, 8, 12]
MCKELVEY_MCLENNAN[1, 1, 0] = [9, 8, 2]
MCKELVEY_MCLENNAN[1, 0, 1] = [3, 4, 6]
MCKELVEY_MCLENNAN[0, 1, 1] = [3, 4, 6]
MCKELVEY_MCLENNAN_EQUILIBRIA = [
    _binary(1, 1, 1),
    _binary(1, 0, 0),
    _binary(0, 1, 0),
    _binary(0, 0, 1),
    _binary(1 / 2, 1 / 2, 1),
    _binary(1 / 3, 1, 1 / 4),
    _binary(0, 1 / 4, 1 / 3),
    _binary(2 / 5, 1 / 2, 1 / 3),
    _binary(1 / 2, 2 / 5, 1 / 4),
]

# Constructed for this test: the first strategy's advantages are 3q + 3r - 4 (player 1),
# 6p - 6r + 1 (player 2) and 3pq - 1 (player 3). Best responses: p = 1 iff q + r > 4/3,
# q = 1 iff r < p + 1/6, r = 1 iff pq > 1/3. Pure: (1, 1, 1) and (0, 1, 0). Two mixers cannot
# be indifferent except players 1 and 3 with q = 1: r = 1/3, p = 1/3 (player 2 gains 1 > 0 from
# q = 1). All three mix where q = 7/6 - p, r = p + 1/6 and p(7/6 - p) = 1/3, so p = 1/2 or 2/3.
_p, _q, _r = (_first(i, 3) for i in range(3))
FIVE_EQUILIBRIA = _difference_game(3 * _q + 3 * _r - 4, 6 * _p - 6 * _r + 1, 3 * _p * _q - 1)
FIVE_EQUILIBRIA_EQUILIBRIA = [
    _binary(1, 1, 1),
    _binary(0, 1, 0),
    _binary(1 / 3, 1, 1 / 3),
    _binary(1 / 2, 2 / 3, 2 / 3),
    _binary(2 / 3, 1 / 2, 5 / 6),
]

# Jordan, "Three problems in learning mixed-strategy Nash equilibria", Games and Economic
# Behavior 5 (1993): player 1 wants to match player 2, player 2 to match player 3, player 3 to
# mismatch player 1. No pure profile is stable and each player is indifferent only when the
# next one mixes half and half, so the unique equilibrium is (1/2, 1/2, 1/2).
_match = np.eye(2)
JORDAN = np.stack(
    np.broadcast_arrays(_match[:, :, None], _match[None, :, :], 1 - _match[:, None, :]), axis=-1
)

# A linear public-goods game (Ledyard, "Public goods: a survey of experimental research", 1995):
# three players each contribute 0, 1 or 2 of an endowment of 2; the contributions are multiplied
# by 1.5 and shared equally, so each unit contributed returns 0.5 to the contributor:
# contributing is strictly dominated and the only equilibrium is pure (nobody contributes).
_c = np.arange(3.0)
_total = _c[:, None, None] + _c[None, :, None] + _c[None, None, :]
PUBLIC_GOODS = np.stack(
    np.broadcast_arrays(*(2 - own + 0.5 * _total for own in np.ix_(_c, _c, _c))), axis=-1
)

MATCHING_PENNIES = _stack([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
BATTLE_OF_THE_SEXES = _stack([[2, 0], [0, 1]], [[1, 0], [0, 2]])
BATTLE_OF_THE_SEXES_EQUILIBRIA = [
    _binary(1, 1),
    _binary(0, 0),
    _binary(2 / 3, 1 / 3),
]
_rps = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
ROCK_PAPER_SCISSORS = _stack(_rps, -_rps)
THIRDS = np.full(3, 1 / 3)


def _per_player_affine(payoffs: FloatArray, scales: Sequence[float]) -> FloatArray:
    """Each player's payoffs times a positive scale plus an offset of the same order."""
    scales_array = np.asarray(scales)
    return payoffs * scales_array + 3.0 * scales_array


KNOWN_GAMES = [
    pytest.param(MCKELVEY_MCLENNAN, MCKELVEY_MCLENNAN_EQUILIBRIA, id="mckelvey-mclennan-2x2x2"),
    pytest.param(
        MCKELVEY_MCLENNAN * 1e9, MCKELVEY_MCLENNAN_EQUILIBRIA, id="mckelvey-mclennan-times-1e9"
    ),
    pytest.param(
        _per_player_affine(MCKELVEY_MCLENNAN, [1e9, 1e-3, 7.0]),
        MCKELVEY_MCLENNAN_EQUILIBRIA,
        id="mckelvey-mclennan-per-player-scales",
    ),
    pytest.param(FIVE_EQUILIBRIA, FIVE_EQUILIBRIA_EQUILIBRIA, id="three-player-five-equilibria"),
    pytest.param(JORDAN, [_binary(0.5, 0.5, 0.5)], id="jordan-three-player-pennies"),
    pytest.param(
        PUBLIC_GOODS, [tuple(np.eye(3)[0] for _ in range(3))], id="three-player-only-pure"
    ),
    pytest.param(MATCHING_PENNIES, [_binary(0.5, 0.5)], id="matching-pennies"),
    pytest.param(BATTLE_OF_THE_SEXES, BATTLE_OF_THE_SEXES_EQUILIBRIA, id="battle-of-the-sexes"),
    pytest.param(
        BATTLE_OF_THE_SEXES * 1e9, BATTLE_OF_THE_SEXES_EQUILIBRIA, id="battle-of-the-sexes-1e9"
    ),
    pytest.param(ROCK_PAPER_SCISSORS, [(THIRDS, THIRDS)], id="rock-paper-scissors"),
]


def _flat(profiles: Sequence[Profile]) -> list[FloatArray]:
    return [np.concatenate(p) for p in profiles]


def _missing(found: Sequence[Profile], wanted: Sequence[Profile], atol: float) -> list[FloatArray]:
    """The profiles of ``wanted`` with no profile of ``found`` within ``atol``."""
    have = _flat(found)
    return [w for w in _flat(wanted) if not any(np.max(np.abs(h - w)) <= atol for h in have)]


def _assert_valid(payoffs: FloatArray, equilibria: Sequence[Profile]) -> None:
    n_strategies = payoffs.shape[:-1]
    for profile in equilibria:
        assert [len(x) for x in profile] == list(n_strategies)
        for x in profile:
            assert np.all(x >= 0)
            assert abs(x.sum() - 1) <= 1e-12
        assert max_regret(payoffs, profile) <= DEFAULT_TOL * payoff_scale(payoffs)


@pytest.mark.parametrize(("payoffs", "expected"), KNOWN_GAMES)
def test_known_games(payoffs: FloatArray, expected: list[Profile]) -> None:
    equilibria, complete = support_enumeration(payoffs)
    assert complete
    _assert_valid(payoffs, equilibria)
    assert len(equilibria) == len(expected)
    assert _missing(equilibria, expected, atol=1e-8) == []


def test_four_player_game_with_nine_totally_mixed_equilibria() -> None:
    # McKelvey and McLennan, "The maximal number of regular totally mixed Nash equilibria",
    # Journal of Economic Theory 72 (1997): when player i's advantage of the first strategy is
    # prod_{j != i} (x_j - c_ij), each derangement sigma of the players gives the totally mixed
    # equilibrium x_sigma(i) = c_i,sigma(i); four players have nine derangements, the maximum.
    n = 4
    c = np.random.default_rng(2024).uniform(0.1, 0.9, (n, n))
    x = [_first(j, n) for j in range(n)]
    differences = [
        functools.reduce(np.multiply, [x[j] - c[i, j] for j in range(n) if j != i])
        for i in range(n)
    ]
    payoffs = _difference_game(*differences)
    expected = []
    for sigma in itertools.permutations(range(n)):
        if all(sigma[i] != i for i in range(n)):
            probabilities = np.empty(n)
            probabilities[list(sigma)] = c[range(n), sigma]
            expected.append(_binary(*probabilities))
    assert len(expected) == 9

    equilibria, complete = support_enumeration(payoffs)

    assert complete
    _assert_valid(payoffs, equilibria)
    assert _missing(equilibria, expected, atol=1e-8) == []
    totally_mixed = [p for p in equilibria if all(np.all(x > 0) for x in p)]
    assert len(totally_mixed) == 9


def _gambit_game(payoffs: FloatArray) -> Any:
    gbt = pytest.importorskip("pygambit")
    return gbt.Game.from_arrays(*(payoffs[..., i] for i in range(payoffs.shape[-1])))


def _gambit_profiles(game: Any, result: Any) -> list[Profile]:
    players = list(game.players)
    return [
        tuple(np.array([float(eq[s]) for s in player.strategies]) for player in players)
        for eq in result.equilibria
    ]


def _gambit_regret(game: Any, profile: Profile) -> float:
    data = [[float(p) for p in x] for x in profile]
    return float(game.mixed_strategy_profile(data=data).max_regret())


@pytest.mark.parametrize(
    ("shape", "seed"),
    [pytest.param((2, 2, 2), seed, id=f"2x2x2-seed{seed}") for seed in range(20)]
    + [pytest.param((2, 2, 2, 2), seed, id=f"2x2x2x2-seed{seed}") for seed in range(4)],
)
def test_agrees_with_gambit_on_random_games(shape: tuple[int, ...], seed: int) -> None:
    gbt = pytest.importorskip("pygambit")
    payoffs = random_game(seed, shape)
    game = _gambit_game(payoffs)
    # By default enumpoly accepts a regret of 1e-4 times the payoff range, and then returns a
    # profile that is no equilibrium for some games (2x2x2x2 seed 1014); ask for exact ones.
    by_enumpoly = _gambit_profiles(game, gbt.nash.enumpoly_solve(game, maxregret=1e-8))
    by_gnm = _gambit_profiles(game, gbt.nash.gnm_solve(game))

    equilibria, complete = support_enumeration(payoffs)

    assert complete
    _assert_valid(payoffs, equilibria)
    scale = payoff_scale(payoffs)
    # Gambit's own regret confirms each of ours, including those its enumpoly misses: pygambit
    # 16.7's enumpoly returns one equilibrium fewer than we do (an even count) for 2x2x2 seeds 7
    # and 14 and 2x2x2x2 seed 3, and in each case its gnm finds the missing one.
    for profile in equilibria:
        assert _gambit_regret(game, profile) <= 1e-8 * scale
    assert _missing(equilibria, by_enumpoly, atol=1e-6) == []
    assert _missing(equilibria, by_gnm, atol=1e-6) == []
    # Wilson (1971): a generic game has an odd number of equilibria, so a miss would show.
    assert len(equilibria) % 2 == 1


def _pure_equilibria_by_brute_force(payoffs: FloatArray) -> list[Profile]:
    shape = payoffs.shape[:-1]
    found = []
    for cell in itertools.product(*(range(n) for n in shape)):
        stable = True
        for i in range(len(shape)):
            deviations = payoffs[(*cell[:i], slice(None), *cell[i + 1 :], i)]
            stable = stable and payoffs[(*cell, i)] >= deviations.max()
        if stable:
            found.append(tuple(np.eye(n)[s] for n, s in zip(shape, cell, strict=True)))
    return found


@settings(max_examples=40, deadline=None, derandomize=True)
@given(small_games())
def test_every_result_is_an_equilibrium_and_no_pure_one_is_missed(payoffs: FloatArray) -> None:
    equilibria, complete = support_enumeration(payoffs, max_seconds=None)
    assert complete
    _assert_valid(payoffs, equilibria)
    assert _missing(equilibria, _pure_equilibria_by_brute_force(payoffs), atol=0.0) == []


def test_no_time_returns_incomplete_with_the_pure_equilibria() -> None:
    equilibria, complete = support_enumeration(MCKELVEY_MCLENNAN, max_seconds=0.0)
    assert not complete
    assert len(equilibria) == 4
    assert _missing(equilibria, MCKELVEY_MCLENNAN_EQUILIBRIA[:4], atol=0.0) == []
    _assert_valid(MCKELVEY_MCLENNAN, equilibria)


def test_tiny_budget_stops_a_large_search_promptly() -> None:
    payoffs = random_game(5, (3, 3, 3, 3))
    started = time.perf_counter()
    equilibria, complete = support_enumeration(payoffs, max_seconds=0.05)
    assert not complete
    assert time.perf_counter() - started < 2.0
    _assert_valid(payoffs, equilibria)


def test_results_are_deterministic_and_do_not_depend_on_the_seed() -> None:
    payoffs = random_game(1, (2, 2, 2, 2))
    first, _ = support_enumeration(payoffs)
    again, _ = support_enumeration(payoffs)
    assert len(first) == len(again)
    for a, b in zip(first, again, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    other_seed, _ = support_enumeration(payoffs, seed=12345)
    assert len(other_seed) == len(first)
    assert _missing(other_seed, first, atol=1e-8) == []


def test_positive_affine_maps_per_player_do_not_change_the_equilibria() -> None:
    payoffs = random_game(3, (3, 2, 2))
    equilibria, _ = support_enumeration(payoffs)
    moved, _ = support_enumeration(_per_player_affine(payoffs, [1e6, 1e-6, 42.0]))
    assert len(moved) == len(equilibria)
    assert _missing(moved, equilibria, atol=1e-8) == []


@pytest.mark.parametrize(
    ("payoffs", "options"),
    [
        pytest.param(np.zeros((2, 2)), {}, id="one-player"),
        pytest.param(np.zeros((2, 2, 3)), {}, id="last-axis-not-n-players"),
        pytest.param(np.zeros((2, 0, 2)), {}, id="player-without-strategies"),
        pytest.param(np.full((2, 2, 2), np.nan), {}, id="nan-payoff"),
        pytest.param(MATCHING_PENNIES, {"tol": 0.0}, id="zero-tol"),
        pytest.param(MATCHING_PENNIES, {"tol": float("nan")}, id="nan-tol"),
        pytest.param(MATCHING_PENNIES, {"max_seconds": -1.0}, id="negative-max-seconds"),
        pytest.param(MATCHING_PENNIES, {"seed": -1}, id="negative-seed"),
    ],
)
def test_bad_input_is_reported(payoffs: FloatArray, options: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        support_enumeration(payoffs, **options)
