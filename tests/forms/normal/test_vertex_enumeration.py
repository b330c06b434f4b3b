"""Tests of kurilsim.forms.normal.vertex_enumeration against known games, nashpy and Gambit."""

from __future__ import annotations

import nashpy
import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.regret import FloatArray, max_regret, payoff_scale
from kurilsim.forms.normal.vertex_enumeration import vertex_enumeration
from tests import literature
from tests.helpers import same_sets
from tests.literature import stack
from tests.strategies import float_bimatrices, integer_bimatrices, random_game, seeds

Profile = tuple[FloatArray, FloatArray]

# Deterministic, and with no deadline because the Gambit reference solve is slow on a cold start.
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


def gambit_enummixed(payoffs: FloatArray) -> list[Profile]:
    """Gambit's exact enummixed on an integer game (it may list an equilibrium twice)."""
    a = payoffs[..., 0].astype(int)
    b = payoffs[..., 1].astype(int)
    game = gbt.Game.from_arrays(a, b)
    result = gbt.nash.enummixed_solve(game, rational=True)
    found = []
    for eq in result.equilibria:
        x, y = (np.array([float(eq[s]) for s in player.strategies]) for player in game.players)
        found.append((x, y))
    return found


# Games from the literature with every extreme equilibrium.
KNOWN_GAMES = literature.cases("payoffs", "equilibria", where=literature.two_players)


@pytest.mark.parametrize(("payoffs", "expected"), KNOWN_GAMES)
def test_known_games(payoffs: FloatArray, expected: list[Profile]) -> None:
    found = vertex_enumeration(payoffs)
    assert len(found) == len(expected)
    assert same_sets(found, expected, atol=1e-12)


@pytest.mark.parametrize("scale", [1e9, 1e-9], ids=["times-1e9", "times-1e-9"])
@pytest.mark.parametrize(("payoffs", "expected"), KNOWN_GAMES)
def test_known_games_at_extreme_scales(
    payoffs: FloatArray, expected: list[Profile], scale: float
) -> None:
    found = vertex_enumeration(payoffs * scale)
    assert len(found) == len(expected)
    assert same_sets(found, expected, atol=1e-9)


def test_output_is_sorted_and_exact_on_unused_strategies() -> None:
    found = vertex_enumeration(stack([[2, 0], [0, 1]], [[1, 0], [0, 2]]))
    keys = [tuple(np.concatenate(p)) for p in found]
    assert keys == sorted(keys)
    assert found[0][0].tolist() == [0.0, 1.0]
    assert found[-1][1].tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    "payoffs",
    [
        pytest.param(np.zeros((2, 2)), id="two-dimensional"),
        pytest.param(np.zeros((2, 2, 3)), id="three-players"),
        pytest.param(np.zeros((0, 2, 2)), id="no-strategies"),
        pytest.param(np.full((2, 2, 2), np.nan), id="nan"),
        pytest.param(np.full((2, 2, 2), np.inf), id="infinite"),
    ],
)
def test_bad_payoffs_raise(payoffs: FloatArray) -> None:
    with pytest.raises(InputError):
        vertex_enumeration(payoffs)


@pytest.mark.parametrize("tol", [0.0, -1e-9, float("nan")])
def test_bad_tolerance_raises(tol: float) -> None:
    with pytest.raises(InputError, match="tol"):
        vertex_enumeration(random_game(0, (2, 2)), tol=tol)


@PROPERTY_SETTINGS
@given(payoffs=st.one_of(integer_bimatrices(), integer_bimatrices(-5, 5), float_bimatrices()))
def test_every_equilibrium_passes_the_regret_check(payoffs: FloatArray) -> None:
    found = vertex_enumeration(payoffs)
    assert found, "every finite game has an equilibrium"
    for x, y in found:
        for p in (x, y):
            assert np.all(p >= 0)
            assert p.sum() == pytest.approx(1.0, abs=1e-12)
        assert max_regret(payoffs, [x, y]) <= DEFAULT_TOL * payoff_scale(payoffs)


@PROPERTY_SETTINGS
@given(payoffs=st.one_of(integer_bimatrices(), float_bimatrices()))
def test_no_duplicates(payoffs: FloatArray) -> None:
    found = vertex_enumeration(payoffs)
    flat = np.array([np.concatenate(p) for p in found])
    distances = np.abs(flat[:, None, :] - flat[None, :, :]).max(axis=-1)
    np.fill_diagonal(distances, np.inf)
    assert distances.min(initial=np.inf) > 1e-6


@PROPERTY_SETTINGS
@given(payoffs=float_bimatrices())
def test_nondegenerate_games_have_an_odd_number_of_equilibria(payoffs: FloatArray) -> None:
    assert len(vertex_enumeration(payoffs)) % 2 == 1


@pytest.mark.reference
@PROPERTY_SETTINGS
@given(seed=seeds, m=st.integers(2, 5), n=st.integers(2, 5))
def test_agrees_with_nashpy_on_nondegenerate_games(seed: int, m: int, n: int) -> None:
    payoffs = random_game(seed, (m, n))
    reference = list(nashpy.Game(payoffs[..., 0], payoffs[..., 1]).vertex_enumeration())
    assert same_sets(vertex_enumeration(payoffs), reference)


@pytest.mark.reference
@PROPERTY_SETTINGS
@given(payoffs=st.one_of(integer_bimatrices(), integer_bimatrices(-3, 3)))
def test_agrees_with_gambit_enummixed_including_degenerate_games(payoffs: FloatArray) -> None:
    assert same_sets(vertex_enumeration(payoffs), gambit_enummixed(payoffs))


@PROPERTY_SETTINGS
@given(
    payoffs=st.one_of(integer_bimatrices(), float_bimatrices()),
    scales=st.tuples(st.sampled_from([1e-9, 0.5, 3.0, 1e9]), st.sampled_from([1e-6, 7.0, 1e6])),
    shifts=st.tuples(st.sampled_from([-1e3, 0.0, 2.5]), st.sampled_from([-4.0, 1e3])),
)
def test_positive_affine_maps_of_payoffs_change_nothing(
    payoffs: FloatArray, scales: tuple[float, float], shifts: tuple[float, float]
) -> None:
    # Shifts are in the game's own units, so that the map itself loses no precision.
    mapped = (payoffs + np.array(shifts)) * np.array(scales)
    assert same_sets(vertex_enumeration(mapped), vertex_enumeration(payoffs), atol=1e-9)


@PROPERTY_SETTINGS
@given(payoffs=st.one_of(integer_bimatrices(), float_bimatrices()))
def test_swapping_the_players_swaps_the_equilibria(payoffs: FloatArray) -> None:
    swapped = payoffs.transpose(1, 0, 2)[..., ::-1]
    expected = [(y, x) for x, y in vertex_enumeration(payoffs)]
    assert same_sets(vertex_enumeration(swapped), expected, atol=1e-9)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(payoffs=st.one_of(integer_bimatrices(smallest=2), float_bimatrices()))
def test_hull_vertices_are_the_vertices_every_basis_gives(payoffs: FloatArray) -> None:
    """The polar hull and the basis-by-basis fallback find the same vertices, labels and all."""
    from kurilsim.core.deadline import Deadline
    from kurilsim.forms.normal.bimatrix import normalised_bimatrix
    from kurilsim.forms.normal.vertex_enumeration import _basis_vertices, _hull_vertices

    for matrix in normalised_bimatrix(payoffs):
        if matrix.shape[1] < 2:
            continue
        by_hull = _hull_vertices(matrix, DEFAULT_TOL)
        by_bases = _basis_vertices(matrix, DEFAULT_TOL, Deadline(None))

        def labels(vertices: FloatArray, matrix: FloatArray = matrix) -> set[bytes]:
            zero = vertices <= DEFAULT_TOL
            tight = vertices @ matrix.T >= 1 - DEFAULT_TOL
            return {row.tobytes() for row in np.hstack([zero, tight])}

        assert labels(by_hull) == labels(by_bases)
