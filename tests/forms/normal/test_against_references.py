"""kurilsim's normal-form solvers against independent solvers, on games chosen to be hard.

The references are pygambit's exact ``enummixed`` (all extreme equilibria of a two-player game in
rational arithmetic), ``enumpure`` and ``enumpoly`` (all isolated equilibria of an N-player game),
nashpy's vertex enumeration, scipy's linear programming for the value of zero-sum games, and a
brute-force pure-equilibrium check written from the definition. pygambit (GPL) appears here only
as a reference; none of its code is used by kurilsim.

The games are integer games with few distinct payoffs, which are highly degenerate (ties,
dominated strategies, continua of equilibria), then mapped by positive affine maps that leave the
equilibria unchanged: scaled by ``1e9`` or ``1e-7``, shifted by ``1e6``, or mapped so that the
payoffs carry rounding errors (thirds plus ``1e6``). Every map must give the equilibria of the
integer game, each listed once.
"""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Callable, Sequence

import nashpy
import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog
from scipy.spatial import QhullError

from kurilsim import NormalFormGame, solve
from kurilsim.cli import main
from kurilsim.forms.normal import vertex_enumeration as vertex_enumeration_module
from kurilsim.forms.normal.lemke_howson import lemke_howson
from kurilsim.forms.normal.nfg import write_nfg
from kurilsim.forms.normal.pure_nash import pure_nash, pure_nash_mask
from kurilsim.forms.normal.regret import FloatArray, is_equilibrium
from kurilsim.forms.normal.support_enumeration import support_enumeration
from kurilsim.forms.normal.vertex_enumeration import vertex_enumeration
from tests.helpers import Profile, close, distinct
from tests.strategies import integer_bimatrices, payoff_arrays

pytestmark = pytest.mark.reference

Rescaling = Callable[[FloatArray], FloatArray]

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)

#: Positive affine maps of all payoffs: the equilibria of the image are those of the game.
RESCALINGS: dict[str, Rescaling] = {
    "as-is": lambda u: u,
    "times-1e9": lambda u: u * 1e9,
    "times-1e-7": lambda u: u * 1e-7,
    "plus-1e6": lambda u: u + 1e6,
    "times-1e12-minus-3e12": lambda u: u * 1e12 - 3e12,
    # These carry rounding errors of about 1e-10 of the payoff range, which split the vertices
    # of degenerate best-response polytopes.
    "thirds-plus-1e6": lambda u: u / 3 + 1e6,
    "times-1e-6-plus-5": lambda u: u * 1e-6 + 5,
}
rescalings = st.sampled_from(sorted(RESCALINGS))


def bimatrix(a: Sequence[Sequence[int]], b: Sequence[Sequence[int]]) -> FloatArray:
    return np.stack([np.array(a, dtype=float), np.array(b, dtype=float)], axis=-1)


def gambit_game(payoffs: FloatArray) -> gbt.Game:
    return gbt.Game.from_arrays(*[payoffs[..., i].astype(int) for i in range(payoffs.shape[-1])])


def gambit_profiles(game: gbt.Game, equilibria: Sequence[object]) -> list[Profile]:
    return [
        tuple(np.array([float(eq[s]) for s in player.strategies]) for player in game.players)  # type: ignore[index]
        for eq in equilibria
    ]


def enummixed(payoffs: FloatArray) -> list[Profile]:
    """All extreme equilibria of an integer bimatrix game, exactly, each listed once."""
    game = gambit_game(payoffs)
    found = gambit_profiles(game, gbt.nash.enummixed_solve(game, rational=True).equilibria)
    return distinct(found)


def assert_same_equilibria(found: Sequence[Profile], expected: Sequence[Profile]) -> None:
    """Each expected equilibrium found, nothing else found, nothing listed twice."""
    assert len(distinct(found)) == len(found), "an equilibrium is listed twice"
    missed = [e for e in expected if not any(close(e, f) for f in found)]
    extra = [f for f in found if not any(close(e, f) for e in expected)]
    assert not missed, f"missed {missed}"
    assert not extra, f"not an extreme equilibrium: {extra}"


def game_of(payoffs: FloatArray) -> NormalFormGame:
    names = [[f"s{k}" for k in range(n)] for n in payoffs.shape[:-1]]
    return NormalFormGame([f"p{i}" for i in range(payoffs.shape[-1])], names, payoffs)


# --- vertex enumeration: all extreme equilibria ------------------------------------------------

#: Integer games whose rescaled copies once gave an equilibrium twice, a point that failed the
#: regret check, or a near copy of an equilibrium 2e-6 away from it.
DEGENERATE_7X7_A = bimatrix(
    [[2, 4, 5, 3, 3, 2, 4], [1, 2, 3, 1, 0, 5, 1], [1, 5, 0, 0, 1, 2, 4], [5, 2, 4, 2, 1, 4, 2],
     [0, 1, 4, 1, 3, 1, 1], [5, 3, 5, 2, 3, 3, 3], [5, 2, 5, 4, 4, 4, 2]],
    [[2, 5, 4, 2, 5, 0, 4], [0, 4, 3, 0, 0, 1, 0], [1, 4, 2, 3, 4, 2, 1], [1, 1, 2, 2, 5, 4, 3],
     [2, 4, 4, 4, 2, 2, 2], [4, 2, 0, 0, 1, 2, 2], [2, 4, 3, 2, 0, 3, 4]],
)  # fmt: skip
DEGENERATE_7X7_B = bimatrix(
    [[4, 2, 5, 3, 4, 1, 1], [3, 5, 3, 1, 4, 3, 3], [2, 4, 3, 5, 1, 3, 4], [0, 3, 0, 4, 2, 1, 2],
     [5, 3, 2, 2, 0, 2, 5], [0, 3, 4, 3, 3, 5, 5], [2, 5, 5, 5, 2, 3, 3]],
    [[0, 0, 2, 1, 3, 1, 1], [1, 0, 2, 4, 0, 4, 3], [1, 2, 0, 4, 4, 5, 4], [0, 0, 5, 1, 4, 1, 1],
     [3, 1, 5, 5, 4, 4, 1], [4, 1, 0, 3, 4, 3, 3], [1, 3, 2, 0, 3, 3, 3]],
)  # fmt: skip
DEGENERATE_7X7_C = bimatrix(
    [[0, 2, 1, 2, 1, 1, 0], [2, 2, 2, 2, 0, 1, 2], [1, 1, 2, 2, 1, 0, 0], [0, 2, 0, 1, 1, 1, 0],
     [0, 1, 2, 0, 0, 2, 2], [2, 0, 1, 2, 0, 2, 1], [0, 1, 2, 2, 1, 0, 1]],
    [[0, 0, 0, 0, 0, 1, 2], [0, 2, 2, 2, 1, 1, 2], [2, 0, 2, 1, 2, 1, 1], [1, 1, 1, 0, 0, 0, 0],
     [2, 2, 1, 0, 1, 1, 1], [1, 1, 1, 1, 1, 2, 0], [1, 1, 2, 2, 2, 1, 1]],
)  # fmt: skip
DEGENERATE_6X6_A = bimatrix(
    [[0, 0, 2, 0, 0, 0], [2, 0, 1, 0, 1, 2], [2, 1, 2, 2, 2, 0], [2, 0, 1, 2, 0, 0],
     [0, 2, 0, 1, 2, 0], [0, 1, 0, 1, 1, 2]],
    [[0, 1, 1, 1, 1, 1], [1, 0, 1, 2, 2, 0], [0, 1, 0, 0, 0, 0], [1, 1, 0, 2, 1, 2],
     [0, 2, 1, 1, 2, 2], [2, 0, 0, 1, 1, 1]],
)  # fmt: skip
DEGENERATE_6X6_B = bimatrix(
    [[5, 0, 0, 5, 4, 5], [2, 0, 3, 0, 4, 0], [0, 5, 0, 5, 4, 2], [2, 1, 0, 4, 5, 0],
     [1, 2, 3, 5, 4, 0], [0, 2, 0, 0, 2, 5]],
    [[4, 3, 4, 4, 4, 2], [1, 0, 3, 1, 1, 2], [0, 0, 3, 1, 5, 0], [3, 4, 3, 4, 2, 4],
     [5, 1, 5, 5, 5, 3], [3, 2, 3, 1, 0, 3]],
)  # fmt: skip

DEGENERATE_GAMES = [
    pytest.param(DEGENERATE_7X7_A, id="7x7-a"),
    pytest.param(DEGENERATE_7X7_B, id="7x7-b"),
    pytest.param(DEGENERATE_7X7_C, id="7x7-c"),
    pytest.param(DEGENERATE_6X6_A, id="6x6-a"),
    pytest.param(DEGENERATE_6X6_B, id="6x6-b"),
]


@pytest.mark.parametrize("payoffs", DEGENERATE_GAMES)
@pytest.mark.parametrize("rescaling", sorted(RESCALINGS))
def test_vertex_enumeration_of_rescaled_degenerate_games(payoffs, rescaling):
    expected = enummixed(payoffs)
    found = vertex_enumeration(RESCALINGS[rescaling](payoffs))
    assert_same_equilibria(found, expected)


@pytest.mark.parametrize("payoffs", DEGENERATE_GAMES)
@pytest.mark.parametrize("rescaling", ["as-is", "thirds-plus-1e6", "times-1e-6-plus-5"])
def test_vertex_enumeration_by_faces_of_rescaled_degenerate_games(payoffs, rescaling, monkeypatch):
    # Larger games complete each degenerate vertex of one polytope from its face of the other,
    # not from all the other's vertices; these games are made to as well.
    monkeypatch.setattr(vertex_enumeration_module, "_MAX_MATCHED_DIMENSION", 0)
    assert_same_equilibria(vertex_enumeration(RESCALINGS[rescaling](payoffs)), enummixed(payoffs))


@pytest.mark.parametrize("rescaling", sorted(RESCALINGS))
def test_solve_verifies_every_equilibrium_of_a_rescaled_degenerate_game(rescaling):
    # The facade's regret check once failed on these payoffs: expected payoffs near 1e6 were
    # rounded to 1e-10, above the tolerance of a game whose payoff range is 1/3.
    solution = solve(game_of(RESCALINGS[rescaling](DEGENERATE_7X7_B)))
    assert len(solution) == len(enummixed(DEGENERATE_7X7_B))


@SETTINGS
@given(payoffs=integer_bimatrices(largest=6), rescaling=rescalings)
def test_vertex_enumeration_equals_exact_enummixed(payoffs, rescaling):
    assert_same_equilibria(vertex_enumeration(RESCALINGS[rescaling](payoffs)), enummixed(payoffs))


@SETTINGS
@given(payoffs=integer_bimatrices(high=5, smallest=2))
def test_vertex_enumeration_equals_nashpy_where_nashpy_is_complete(payoffs):
    # nashpy enumerates vertex pairs with exact float comparisons (and fails on 1 x n games), so
    # in degenerate games it can list fewer than all extreme equilibria; where it lists as many
    # as Gambit, kurilsim must list the same ones.
    reference = enummixed(payoffs)
    game = nashpy.Game(payoffs[..., 0], payoffs[..., 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nashpy warns about degenerate games
        try:
            theirs = distinct([tuple(map(np.asarray, eq)) for eq in game.vertex_enumeration()])
        except (TypeError, ValueError, QhullError):  # its polytopes of constant payoffs fail
            return
    ours = vertex_enumeration(payoffs)
    if len(theirs) == len(reference):
        assert_same_equilibria(ours, theirs)


@pytest.mark.parametrize(("m", "n"), [(1, 1), (1, 4), (4, 1), (3, 3), (2, 6), (6, 3)])
def test_a_constant_game_returns_every_pure_profile(m, n):
    # Every profile is an equilibrium; the extreme points of the product of simplices are the
    # pure profiles.
    payoffs = np.full((m, n, 2), 7.0)
    found = vertex_enumeration(payoffs)
    expected = [(np.eye(m)[i], np.eye(n)[j]) for i in range(m) for j in range(n)]
    assert_same_equilibria(found, expected)
    assert_same_equilibria(found, enummixed(payoffs))


def test_a_strictly_dominated_strategy_is_never_played():
    # Row's third strategy is beaten by the first everywhere.
    payoffs = bimatrix([[3, 1, 2], [1, 3, 2], [2, 0, 1]], [[1, 3, 0], [3, 1, 0], [0, 0, 5]])
    found = vertex_enumeration(payoffs)
    assert found and all(x[2] == 0 for x, _ in found)
    assert_same_equilibria(found, enummixed(payoffs))


def zero_sum_value(a: FloatArray) -> float:
    """The row player's value of the zero-sum game ``a``, by linear programming."""
    m, n = a.shape
    # Variables (x, v): maximise v subject to x^T a >= v, sum x = 1, x >= 0.
    result = linprog(
        c=np.r_[np.zeros(m), -1.0],
        A_ub=np.c_[-a.T, np.ones(n)],
        b_ub=np.zeros(n),
        A_eq=np.r_[np.ones(m), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(None, None)],
    )
    assert result.success
    return float(-result.fun)


@SETTINGS
@given(
    a=st.integers(1, 6).flatmap(
        lambda m: st.integers(1, 6).flatmap(
            lambda n: arrays(np.int64, (m, n), elements=st.integers(-3, 3))
        )
    ),
    rescaling=rescalings,
)
def test_zero_sum_equilibria_all_earn_the_value(a, rescaling):
    payoffs = bimatrix(a, -a)
    scaled = RESCALINGS[rescaling](payoffs)
    # A shift applies to both players, which keeps the game constant-sum.
    value = zero_sum_value(scaled[..., 0])
    found = vertex_enumeration(scaled)
    assert_same_equilibria(found, enummixed(payoffs))
    spread = float(np.ptp(scaled[..., 0])) or 1.0
    for x, y in found:
        assert abs(x @ scaled[..., 0] @ y - value) <= 1e-8 * spread


# --- Lemke-Howson: one extreme equilibrium from every label ------------------------------------


@pytest.mark.parametrize("payoffs", DEGENERATE_GAMES)
def test_lemke_howson_from_every_label_ends_at_an_extreme_equilibrium(payoffs):
    expected = enummixed(payoffs)
    for label in range(sum(payoffs.shape[:2])):
        x, y = lemke_howson(payoffs, initial_dropped_label=label)
        assert any(close((x, y), e) for e in expected), f"label {label}"


@SETTINGS
@given(payoffs=integer_bimatrices(high=1, largest=6), rescaling=rescalings)
def test_lemke_howson_on_binary_games(payoffs, rescaling):
    expected = enummixed(payoffs)
    scaled = RESCALINGS[rescaling](payoffs)
    for label in range(sum(payoffs.shape[:2])):
        x, y = lemke_howson(scaled, initial_dropped_label=label)
        assert is_equilibrium(scaled, (x, y))
        assert any(close((x, y), e) for e in expected)


# --- pure equilibria of N-player games ---------------------------------------------------------


def brute_force_pure(payoffs: FloatArray, tol: float) -> list[tuple[int, ...]]:
    """Pure equilibria from the definition: no player gains more than tol times their range."""
    n_players = payoffs.shape[-1]
    flat = payoffs.reshape(-1, n_players)
    ranges = flat.max(axis=0) - flat.min(axis=0)
    ranges[ranges == 0] = 1.0
    shape = payoffs.shape[:-1]
    found = []
    for cell in itertools.product(*map(range, shape)):
        stable = True
        for i in range(n_players):
            for s in range(shape[i]):
                other = list(cell)
                other[i] = s
                if payoffs[(*other, i)] > payoffs[(*cell, i)] + tol * ranges[i]:
                    stable = False
        if stable:
            found.append(cell)
    return found


@SETTINGS
@given(payoffs=payoff_arrays(min_players=2, max_players=5, low=0, high=2), rescaling=rescalings)
def test_pure_equals_brute_force_and_enumpure(payoffs, rescaling):
    game = gambit_game(payoffs)
    theirs = sorted(
        tuple(int(np.argmax(p)) for p in eq)
        for eq in gambit_profiles(game, gbt.nash.enumpure_solve(game).equilibria)
    )
    scaled = RESCALINGS[rescaling](payoffs)
    assert pure_nash(scaled) == brute_force_pure(scaled, 1e-9) == theirs


def test_pure_ties_within_the_tolerance_count_and_larger_gaps_do_not():
    payoffs = np.zeros((2, 2, 2))
    payoffs[0, 0, 0] = 1.0
    payoffs[1, 0, 0] = 1.0 - 0.5e-9  # row loses half the tolerance by playing 1 against 0
    assert (1, 0) in pure_nash(payoffs)
    payoffs[1, 0, 0] = 1.0 - 2e-9
    assert (1, 0) not in pure_nash(payoffs)
    assert pure_nash(payoffs * 1e12 + 1e3) == pure_nash(payoffs)


def test_pure_mask_of_a_batch_equals_one_game_at_a_time():
    batch = np.random.default_rng(0).integers(0, 3, size=(300, 2, 3, 2, 3)).astype(float)
    mask = pure_nash_mask(batch)
    for k in range(len(batch)):
        assert [tuple(map(int, c)) for c in np.argwhere(mask[k])] == brute_force_pure(
            batch[k], 1e-9
        )


# --- support enumeration: N players ------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "seed"),
    [((2, 2, 2), s) for s in range(4)] + [((2, 2, 3), 4), ((3, 2, 2), 5), ((2, 2, 2, 2), 6)],
)
def test_support_enumeration_finds_every_equilibrium_enumpoly_finds(shape, seed):
    payoffs = np.random.default_rng(seed).integers(0, 101, size=(*shape, len(shape))).astype(float)
    game = gambit_game(payoffs)
    theirs = gambit_profiles(game, gbt.nash.enumpoly_solve(game).equilibria)
    for rescaling in ("as-is", "thirds-plus-1e6", "times-1e-7"):
        ours, complete = support_enumeration(RESCALINGS[rescaling](payoffs))
        assert complete
        assert len(distinct(ours)) == len(ours)
        for eq in theirs:
            assert any(close(eq, found, atol=1e-6) for found in ours), (rescaling, eq)


# --- results: listed once, in a fixed order ----------------------------------------------------


@pytest.mark.parametrize("method", ["vertex-enumeration", "support-enumeration", "pure"])
def test_the_order_of_equilibria_does_not_change_between_runs(method):
    game = game_of(DEGENERATE_6X6_A)
    first = [np.concatenate(eq.profile) for eq in solve(game, method)]
    second = [np.concatenate(eq.profile) for eq in solve(game, method)]
    np.testing.assert_array_equal(first, second)
    assert len(distinct([(p,) for p in first])) == len(first)


def test_the_cli_solves_an_nfg_file_with_rescaled_payoffs(tmp_path, capsys):
    path = tmp_path / "game.nfg"
    write_nfg(game_of(RESCALINGS["thirds-plus-1e6"](DEGENERATE_6X6_A)), path)
    assert main(["run", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "vertex-enumeration"
    found = [
        tuple(np.array(list(eq["profile"][p].values())) for p in ("p0", "p1"))
        for eq in data["equilibria"]
    ]
    assert_same_equilibria(found, enummixed(DEGENERATE_6X6_A))
