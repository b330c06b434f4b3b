"""Tests of kurilsim.forms.normal.support_enumeration.

pygambit (GPL) appears here only as an independent reference: its own solvers and its own regret
computation check ours; none of its code is used by kurilsim.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kurilsim.core.deadline import Deadline
from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms import catalogue
from kurilsim.forms.normal import support_boxes as support_boxes_module
from kurilsim.forms.normal import support_enumeration as support_enumeration_module
from kurilsim.forms.normal.curve_components import trace_support_curves
from kurilsim.forms.normal.regret import (
    FloatArray,
    indifferent_everywhere,
    max_regret,
    normalised_payoffs,
    payoff_scale,
)
from kurilsim.forms.normal.support_enumeration import support_enumeration
from tests import literature
from tests.literature import (
    MCKELVEY_MCLENNAN,
    MCKELVEY_MCLENNAN_EQUILIBRIA,
    binary,
    nine_totally_mixed_game,
)
from tests.strategies import random_game, seeds, small_games

Profile = tuple[FloatArray, ...]


MATCHING_PENNIES = catalogue.matching_pennies().payoffs


def _per_player_affine(payoffs: FloatArray, scales: Sequence[float]) -> FloatArray:
    """Each player's payoffs times a positive scale plus an offset of the same order."""
    scales_array = np.asarray(scales)
    return payoffs * scales_array + 3.0 * scales_array


# Every nondegenerate game of the literature, as is, with all payoffs in billions, and with each
# player's payoffs on a scale and offset of their own.
KNOWN_GAMES = [
    *literature.cases("payoffs", "equilibria", where=literature.nondegenerate),
    *literature.cases(
        "payoffs",
        "equilibria",
        where=literature.nondegenerate,
        rescale=lambda u: u * 1e9,
        suffix="times-1e9",
    ),
    *literature.cases(
        "payoffs",
        "equilibria",
        where=literature.nondegenerate,
        rescale=lambda u: _per_player_affine(u, [1e9, 1e-3, 7.0][: u.shape[-1]]),
        suffix="per-player-scales",
    ),
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
    payoffs, c = nine_totally_mixed_game()
    n = 4
    expected = []
    for sigma in itertools.permutations(range(n)):
        if all(sigma[i] != i for i in range(n)):
            probabilities = np.empty(n)
            probabilities[list(sigma)] = c[range(n), sigma]
            expected.append(binary(*probabilities))
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


@pytest.mark.reference
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


# A 3x3x3 game drawn by ``small_games`` (its tiniest payoffs set to zero) on which support
# enumeration cannot prove it has covered a set of equilibria, and says ``complete=False``.
UNCERTIFIED_3X3X3 = np.array(
    [
        [[-2.0, 2.0, 0.0], [2.0, 1.0, 0.0], [3.0, 0.0, 0.0]],
        [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [2.0, 0.0, 2.0]],
        [[0.0, 0.0, 0.0], [1e-05, -3.0, 2.0], [3.0, -2.0, -73.7732883]],
        [[-3.0, 0.0, 0.0], [0.0, -2.0, 2.0], [-1.0, -1e-12, -1.0]],
        [[3.0, 0.0, 2.0], [342.146956, -2.0, -2.0], [3.0, 435.457929, 1.0]],
        [[-2.0, -2.0, -3.0], [-991.720616, 0.0, 2.0], [543.071496, -2.0, 3.0]],
        [[-1.0, -387.379835, 913.820563], [552.401632, -674.511842, 0.0], [2.0, 0.0, 1.0]],
        [[-3.0, -1.0, -671.226895], [0.0, 1.0, 1e-15], [-832.677601, 536.307828, 0.0]],
        [[0.0, -1.0, -978.69246], [0.0, -1.0, -3.0], [0.99999, -229.696262, -771.332687]],
    ]
).reshape(3, 3, 3, 3)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, derandomize=True)
@given(small_games())
@example(UNCERTIFIED_3X3X3)
def test_every_result_is_an_equilibrium_and_no_pure_one_is_missed(payoffs: FloatArray) -> None:
    equilibria, complete = support_enumeration(payoffs, max_seconds=None)
    # Without a time limit, ``complete=False`` is the honest answer on a support holding a set
    # of equilibria the search cannot prove it has covered; the points it reports must still be
    # equilibria, and pure equilibria are tested one by one before any support, so none is
    # missed either way.
    event(f"complete={complete}")
    _assert_valid(payoffs, equilibria)
    assert _missing(equilibria, _pure_equilibria_by_brute_force(payoffs), atol=0.0) == []


def test_no_time_returns_incomplete_with_the_pure_equilibria() -> None:
    equilibria, complete = support_enumeration(MCKELVEY_MCLENNAN, max_seconds=0.0)
    assert not complete
    assert len(equilibria) == 4
    assert _missing(equilibria, MCKELVEY_MCLENNAN_EQUILIBRIA[:4], atol=0.0) == []
    _assert_valid(MCKELVEY_MCLENNAN, equilibria)


def test_a_spent_budget_stops_a_large_search_at_its_next_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Counted, not timed: once the budget is spent, the search must stop at the next check it
    # makes rather than finish the unit of work it is in.
    answers: list[bool] = []

    class CountedDeadline(Deadline):
        def expired(self) -> bool:
            answers.append(super().expired())
            return answers[-1]

    monkeypatch.setattr(support_enumeration_module, "Deadline", CountedDeadline)
    payoffs = random_game(5, (3, 3, 3, 3))
    equilibria, complete = support_enumeration(payoffs, max_seconds=0.0)
    assert not complete
    assert answers and answers.count(True) <= 2, answers
    _assert_valid(payoffs, equilibria)


def test_a_budget_spent_within_a_round_stops_it_before_its_next_block_of_boxes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Counted, not timed: one round of the subdivision can take long (many boxes, each with
    # many corners), so the deadline is also checked between the blocks of boxes a round tests.
    # Here a block is one box, and the budget runs out at the second check of the second round:
    # the first is the one before the round, the second comes between two of its blocks.
    events: list[str] = []
    monkeypatch.setattr(support_boxes_module, "_COMPARISONS_PER_BLOCK", 1)
    cut, block = support_boxes_module._cut, support_boxes_module._System._excluded_block

    def counted_cut(*args: Any) -> Any:
        events.append("cut")
        return cut(*args)

    def counted_block(*args: Any) -> Any:
        events.append("block")
        return block(*args)

    class SpentInTheSecondRound(Deadline):
        def expired(self) -> bool:
            after_cut = events[events.index("cut") :] if "cut" in events else []
            self.hit = self.hit or after_cut.count("check") >= 1
            events.append("spent" if self.hit else "check")
            return self.hit

    monkeypatch.setattr(support_boxes_module, "_cut", counted_cut)
    monkeypatch.setattr(support_boxes_module._System, "_excluded_block", counted_block)
    monkeypatch.setattr(support_enumeration_module, "Deadline", SpentInTheSecondRound)
    payoffs = random_game(2, (3, 3, 3))
    equilibria, complete = support_enumeration(payoffs, max_seconds=60.0)
    assert not complete
    spent = events.index("spent")
    # The round had begun (its check passed, a block was tested) and stopped at that check.
    assert events[events.index("cut") :].count("check") == 1
    assert events[spent - 1] == "block"
    assert "block" not in events[spent:] and "cut" not in events[spent:]
    _assert_valid(payoffs, equilibria)


def test_a_budget_spent_within_a_round_stops_its_krawczyk_test_before_the_next_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Counted, not timed: the Krawczyk test of a round's boxes can take seconds on its own (a
    # 0/1 game of five players with three strategies each, given 1 s, took 3.5 s), so it too
    # is run a block of boxes at a time, with the deadline checked between blocks. Here a
    # block is one box, and the budget runs out once a box has been tested.
    tested: list[int] = []
    monkeypatch.setattr(support_boxes_module, "_COMPARISONS_PER_BLOCK", 1)
    krawczyk = support_boxes_module._System.krawczyk

    def counted_krawczyk(self: Any, sid: Any, *args: Any) -> Any:
        tested.append(len(sid))
        return krawczyk(self, sid, *args)

    class SpentOnceTested(Deadline):
        def expired(self) -> bool:
            self.hit = self.hit or bool(tested)
            return self.hit

    monkeypatch.setattr(support_boxes_module._System, "krawczyk", counted_krawczyk)
    monkeypatch.setattr(support_enumeration_module, "Deadline", SpentOnceTested)
    payoffs = random_game(2, (3, 3, 3))
    equilibria, complete = support_enumeration(payoffs, max_seconds=60.0)
    assert not complete
    assert tested == [1]  # one block of one box, then the check that stopped the search
    _assert_valid(payoffs, equilibria)


def test_results_are_deterministic_and_do_not_depend_on_the_seed() -> None:
    payoffs = random_game(1, (2, 2, 2, 2))
    first, _ = support_enumeration(payoffs)
    again, _ = support_enumeration(payoffs)
    assert len(first) == len(again)
    for a, b in zip(first, again, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    other_seed, _ = support_enumeration(payoffs)
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
    ],
)
def test_bad_input_is_reported(payoffs: FloatArray, options: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        support_enumeration(payoffs, **options)


# --- completeness against a brute-force support search and Gambit, on degenerate games too ------


def _brute_force_support_search(payoffs: FloatArray) -> list[Profile]:
    """Equilibria from every support profile, each system solved by MINPACK from a grid of starts.

    Independent of the subdivision: no pruning, no bounds; each player's first support strategy
    is eliminated, the others' probabilities are the unknowns, started from every point of the
    grid {0.1, 0.25, 0.4} per unknown. Every solution that passes the regret check is kept.
    Supports where at most one player mixes are left out: their equilibria are the pure ones and
    the single-mixer polytopes, checked against brute force elsewhere.
    """
    from scipy import optimize

    shape = payoffs.shape[:-1]
    n = len(shape)
    subsets = [
        [c for k in range(1, m + 1) for c in itertools.combinations(range(m), k)] for m in shape
    ]
    found: list[Profile] = []
    for support in itertools.product(*subsets):
        free = [len(s) - 1 for s in support]
        if sum(k > 0 for k in free) < 2:
            continue

        def profile_of(z: FloatArray, support: tuple[tuple[int, ...], ...] = support) -> Profile:
            mixtures, start = [], 0
            for s, m in zip(support, shape, strict=True):
                x = np.zeros(m)
                x[list(s[1:])] = z[start : start + len(s) - 1]
                x[s[0]] = 1.0 - x.sum()
                start += len(s) - 1
                mixtures.append(x)
            return tuple(mixtures)

        def residual(z: FloatArray, support: tuple[tuple[int, ...], ...] = support) -> FloatArray:
            x = profile_of(z)
            rows = []
            for i in range(n):
                table = payoffs[..., i]
                for j in reversed(range(n)):
                    if j != i:
                        table = np.tensordot(table, x[j], axes=([j], [0]))
                rows.extend(table[list(support[i][1:])] - table[support[i][0]])
            return np.array(rows)

        dimension = sum(free)
        if dimension == 0:
            candidates = [np.zeros(0)]
        else:
            starts = itertools.product((0.2, 0.5, 0.8), repeat=dimension)
            candidates = [
                optimize.root(residual, np.array(z0) / 2, method="hybr").x for z0 in starts
            ]
        for z in candidates:
            x = profile_of(z)
            if min(p.min() for p in x) < -1e-9 or np.max(np.abs(residual(z)), initial=0) > 1e-9:
                continue
            x = tuple(np.clip(p, 0, None) / np.clip(p, 0, None).sum() for p in x)
            if max_regret(payoffs, x) <= 1e-7 * payoff_scale(payoffs) and _missing(
                found, [x], atol=1e-6
            ):
                found.append(x)
    return found


def _single_mixer(profile: Profile) -> bool:
    return sum(np.count_nonzero(x > 1e-9) > 1 for x in profile) <= 1


@functools.cache
def _traced(payoffs: bytes, shape: tuple[int, ...], support: tuple[tuple[int, ...], ...]) -> Any:
    norm = normalised_payoffs(np.frombuffer(payoffs).reshape(shape))
    return trace_support_curves(norm, support, DEFAULT_TOL)


def _on_traced_curve(payoffs: FloatArray, point: Profile, ours: Sequence[Profile]) -> bool:
    """Whether ``point`` lies on a curve traced on its support whose two ends we list."""
    support = tuple(tuple(int(s) for s in np.flatnonzero(x > 1e-9)) for x in point)
    traced = _traced(payoffs.tobytes(), payoffs.shape, support)
    flat = np.concatenate(point)
    for curve, path in zip(traced.curves, traced.paths, strict=True):
        listed = all(not _missing(ours, [end], atol=1e-6) for end in curve.ends)
        if listed and _distance_to_polyline(flat, path) < 1e-4:
            return True
    return False


def _distance_to_polyline(point: FloatArray, path: FloatArray) -> float:
    a, d = path[:-1], np.diff(path, axis=0)
    t = np.clip(np.einsum("ij,ij->i", point - a, d) / np.maximum((d * d).sum(axis=1), 1e-300), 0, 1)
    return float(np.min(np.linalg.norm(a + t[:, None] * d - point, axis=1)))


def _assert_covers(payoffs: FloatArray, reference: Sequence[Profile]) -> None:
    """Every reference equilibrium is one of ours, or lies in a continuum we report as such.

    Points of a continuum on which one player mixes are inside the polytope whose vertices we
    list (checked against a grid in test_components.py); points of a continuum on which two or
    more mix are not listed: the result is complete only if each lies on a traced curve whose
    ends we list, and otherwise ``complete`` must say so. When every profile is an equilibrium,
    the pure ones are the extreme points of that one component.
    """
    ours, complete = support_enumeration(payoffs, max_seconds=None)
    _assert_valid(payoffs, ours)
    if indifferent_everywhere(normalised_payoffs(payoffs), DEFAULT_TOL):
        return
    for profile in _missing(ours, reference, atol=1e-6):
        split = np.cumsum(payoffs.shape[:-1])[:-1]
        point = tuple(np.split(profile, split))
        assert _single_mixer(point) or not complete or _on_traced_curve(payoffs, point, ours)


@pytest.mark.parametrize("seed", [2, 11])
def test_a_degenerate_game_proved_complete_misses_nothing_a_brute_force_search_finds(seed):
    """Games with payoffs 0 or 1 whose continua on which two or more mix are proved curves."""
    payoffs = np.random.default_rng(seed).integers(0, 2, (2, 2, 2, 3)).astype(float)
    assert support_enumeration(payoffs, max_seconds=None)[1]
    _assert_covers(payoffs, _brute_force_support_search(payoffs))


def _small_integer_games(shapes: list[tuple[int, ...]]) -> st.SearchStrategy[FloatArray]:
    """Games with payoffs in -2..2: ties, dominated strategies and continua are common."""
    return st.sampled_from(shapes).flatmap(
        lambda shape: arrays(np.float64, (*shape, len(shape)), elements=st.integers(-2, 2))
    )


@pytest.mark.reference
@settings(max_examples=5, deadline=None, derandomize=True)
@given(
    st.one_of(_small_integer_games([(2, 2, 2)]), st.builds(random_game, seeds, st.just((2, 2, 2))))
)
def test_nothing_a_brute_force_support_search_finds_is_missed(payoffs: FloatArray) -> None:
    _assert_covers(payoffs, _brute_force_support_search(payoffs))


@pytest.mark.reference
@settings(max_examples=6, deadline=None, derandomize=True)
# Random games only: Gambit's enumpoly or gnm does not return on some degenerate games.
@given(st.builds(random_game, seeds, st.sampled_from([(3, 3, 3), (2, 2, 2, 2), (3, 3, 2, 2)])))
def test_nothing_enumpoly_or_gnm_finds_is_missed(payoffs: FloatArray) -> None:
    gbt = pytest.importorskip("pygambit")
    game = _gambit_game(payoffs)
    reference = _gambit_profiles(game, gbt.nash.enumpoly_solve(game, maxregret=1e-8))
    reference += _gambit_profiles(game, gbt.nash.gnm_solve(game))
    # Gambit's floating-point answers are checked by our regret first: gnm's are approximate.
    scale = payoff_scale(payoffs)
    exact = [p for p in reference if max_regret(payoffs, p) <= 1e-7 * scale]
    _assert_covers(payoffs, exact)


def test_a_support_whose_every_box_is_cut_away_leaves_no_root():
    # On this support of a random 8 x 8 game, tightening empties every box in a later round;
    # evaluating the corners of no box at all used to fail.
    from kurilsim.core.deadline import Deadline
    from kurilsim.forms.normal.support_boxes import solve_supports

    norm = normalised_payoffs(np.random.default_rng(8).standard_normal((8, 8, 2)))
    masks = [np.isin(np.arange(8), s)[None, :] for s in ([1, 5, 6], [0, 2, 4, 5, 6, 7])]
    found, finished = solve_supports(norm, masks, DEFAULT_TOL, Deadline(None))
    assert finished and found.roots == [] and found.continua == []


def test_support_profiles_are_made_in_chunks_in_one_order():
    # However the chunks are cut, the support profiles come in the same order, each once.
    from kurilsim.forms.normal.support_enumeration import _support_mask_chunks

    domains = [np.arange(4), np.array([0, 2, 3]), np.arange(2)]
    chunks = [list(_support_mask_chunks((4, 4, 2), domains, size)) for size in (1, 7, 4096)]
    stacked = [[np.concatenate([masks[i] for _, masks in run]) for i in range(3)] for run in chunks]
    for run in stacked[1:]:
        for a, b in zip(stacked[0], run, strict=True):
            np.testing.assert_array_equal(a, b)
    rows = {tuple(np.concatenate([m[k] for m in stacked[0]])) for k in range(len(stacked[0][0]))}
    assert len(rows) == len(stacked[0][0])
    assert [offset for offset, _ in chunks[1]] == list(range(0, len(stacked[0][0]), 7))


@pytest.mark.parametrize("grid_block", [1, 40, 2**15])
def test_support_profiles_come_by_total_size_then_spread_then_grid_order(grid_block, monkeypatch):
    # Against the definition: every profile of the players' supports (each player's by size,
    # then lexicographically) in which two or more mix, sorted stably by total size and spread;
    # whether the grid is sorted at once, a player's supports at a time, or in between.
    from kurilsim.forms.normal import support_enumeration
    from kurilsim.forms.normal.support_enumeration import _support_mask_chunks

    monkeypatch.setattr(support_enumeration, "_GRID_BLOCK", grid_block)

    domains = [np.arange(3), np.array([0, 2]), np.arange(3), np.array([0, 1])]
    shape = (3, 3, 3, 2)
    options = [
        [frozenset(c) for size in range(1, len(d) + 1) for c in itertools.combinations(d, size)]
        for d in domains
    ]
    expected = sorted(
        (p for p in itertools.product(*options) if sum(len(s) > 1 for s in p) >= 2),
        key=lambda p: (sum(map(len, p)), max(map(len, p)) - min(map(len, p))),
    )
    found = [
        tuple(frozenset(np.flatnonzero(m[k]).tolist()) for m in masks)
        for _, masks in _support_mask_chunks(shape, domains, 5)
        for k in range(len(masks[0]))
    ]
    assert found == expected


@settings(max_examples=15, deadline=None)
@given(
    core=arrays(np.float64, (2, 2, 2, 3), elements=st.integers(0, 2).map(float)),
    extra=st.integers(1, 5),
)
# A segment whose end, renormalised after the search for it, tipped over the tolerance: traced
# in the padded game, not in the core.
@example(
    core=np.array(
        [
            [[[0, 1, 0], [0, 0, 1]], [[2, 0, 1], [0, 1, 0]]],
            [[[0, 0, 0], [0, 1, 0]], [[2, 0, 0], [0, 2, 2]]],
        ],
        dtype=float,
    ),
    extra=2,
)
def test_strategies_dominated_outright_change_nothing_and_cost_little(core, extra):
    # Each player gets `extra` strategies that pay her less than anything in the core game,
    # whatever the others play: strictly dominated, so the equilibria are the core game's,
    # padded with zeros, and the supports are solved without them (8 x 8 x 8 once needed 6 GiB).
    # (A core where every profile is an equilibrium is one whole face, reported as such only
    # when it is the whole game.)
    assume(not indifferent_everywhere(core, DEFAULT_TOL))
    n = 2 + extra
    padded = np.full((n, n, n, 3), np.nan)
    grid = np.indices((n, n, n))
    for i in range(3):
        others = np.sin(grid.sum(axis=0) + i)  # arbitrary payoffs where the player's own is extra
        padded[..., i] = np.where(grid[i] >= 2, core.min() - 1.0 - others**2, others)
    padded[:2, :2, :2] = core
    small, small_complete = support_enumeration(core)
    big, big_complete = support_enumeration(padded)
    assert big_complete == small_complete
    expected = sorted(
        np.concatenate([np.pad(x, (0, extra)) for x in p]).round(8).tolist() for p in small
    )
    assert sorted(np.concatenate(p).round(8).tolist() for p in big) == expected


@pytest.mark.slow  # the unproved game takes over ten seconds
def test_the_reason_tells_a_spent_budget_from_an_unproved_continuum() -> None:
    """The same search, stopped by its time bound or finished without its proof."""
    from kurilsim.forms.normal.support_enumeration import support_enumeration_with_reason

    _, stopped = support_enumeration_with_reason(MCKELVEY_MCLENNAN, max_seconds=0.0)
    assert stopped == "max_seconds"
    _, unproved = support_enumeration_with_reason(UNCERTIFIED_3X3X3, max_seconds=None)
    assert unproved == "unproved: continuum"
    _, proved = support_enumeration_with_reason(MCKELVEY_MCLENNAN, max_seconds=None)
    assert proved is None
