"""Tests of kurilsim.forms.normal.vertex_enumeration against known games, nashpy and Gambit."""

from __future__ import annotations

import nashpy
import numpy as np
import pygambit as gbt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal import vertex_enumeration as vertex_enumeration_module
from kurilsim.forms.normal.pure_nash import pure_nash
from kurilsim.forms.normal.regret import FloatArray, max_regret, payoff_scale
from kurilsim.forms.normal.vertex_enumeration import vertex_enumeration
from tests import literature
from tests.helpers import same_sets
from tests.literature import stack
from tests.strategies import float_bimatrices, integer_bimatrices, random_game, seeds

Profile = tuple[FloatArray, FloatArray]

# Deterministic, and with no deadline because the Gambit reference solve is slow on a cold start.
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


def _hull_vertices(matrix: FloatArray) -> FloatArray:
    """The nonzero vertices of ``{z >= 0, matrix @ z <= 1}`` read from Qhull's points."""
    from kurilsim.forms.normal import vertex_enumeration as module

    return module._vertices_read(*module._hull_points(matrix), DEFAULT_TOL)


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
    from kurilsim.forms.normal.vertex_enumeration import _basis_vertices

    for matrix in normalised_bimatrix(payoffs):
        if matrix.shape[1] < 2:
            continue
        by_hull = _hull_vertices(matrix)
        by_bases = _basis_vertices(matrix, DEFAULT_TOL, Deadline(None))

        def labels(vertices: FloatArray, matrix: FloatArray = matrix) -> set[bytes]:
            zero = vertices <= DEFAULT_TOL
            tight = vertices @ matrix.T >= 1 - DEFAULT_TOL
            return {row.tobytes() for row in np.hstack([zero, tight])}

        assert labels(by_hull) == labels(by_bases)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(payoffs=st.one_of(integer_bimatrices(smallest=2, largest=7), float_bimatrices()))
def test_polar_facets_are_those_of_scipys_convex_hull(payoffs: FloatArray) -> None:
    """Triangulated, Qhull's hyperplanes are ConvexHull's; merged, each of them once."""
    from scipy.spatial import ConvexHull

    from kurilsim.forms.normal.bimatrix import normalised_bimatrix

    for matrix in normalised_bimatrix(payoffs):
        dim = matrix.shape[1]
        if dim < 2:
            continue
        normals = np.concatenate([matrix, -np.eye(dim)])
        bounds = np.concatenate([np.ones(len(matrix)), np.zeros(dim)])
        points = normals / (bounds - 0.25 / matrix.sum(axis=1).max() * normals.sum(axis=1))[:, None]
        expected = ConvexHull(points).equations
        triangulated = vertex_enumeration_module._polar_facets(points, merged=False)
        merged = vertex_enumeration_module._polar_facets(points, merged=True)
        np.testing.assert_array_equal(triangulated, expected)
        assert len(merged) <= len(expected)
        assert {row.tobytes() for row in merged} == {row.tobytes() for row in expected}


def test_polar_facets_fall_back_to_convex_hull_without_scipys_private_class() -> None:
    """A SciPy without ``_Qhull`` gives the same equilibria, through ``ConvexHull``."""
    import sys

    payoffs = random_game(7, (6, 7))
    tied = np.random.default_rng(7).integers(0, 3, size=(6, 6, 2)).astype(float)
    expected = [vertex_enumeration(payoffs), vertex_enumeration(tied)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "scipy.spatial._qhull", None)  # its import now fails
        with pytest.raises(ImportError):
            from scipy.spatial._qhull import _Qhull  # noqa: F401
        found = [vertex_enumeration(payoffs), vertex_enumeration(tied)]
    for before, after in zip(expected, found, strict=True):
        assert len(after) == len(before)
        assert same_sets(after, before, atol=1e-12)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    payoffs=integer_bimatrices(smallest=3, largest=7),
    inexact=st.booleans(),
)
def test_degenerate_vertices_kept_as_read_are_those_recomputed(
    payoffs: FloatArray, inexact: bool
) -> None:
    """Qhull's points that meet their tight constraints to rounding equal their recomputation."""
    from kurilsim.forms.normal import vertex_enumeration as module
    from kurilsim.forms.normal.bimatrix import normalised_bimatrix

    if inexact:
        # Payoffs not exact in binary: Qhull's points miss their constraints by more.
        payoffs = payoffs / 3.0 + 1e6
    for matrix in normalised_bimatrix(payoffs):
        if matrix.shape[1] < 2:
            continue
        as_read = _hull_vertices(matrix)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(module, "_SETTLED", -1.0)  # every degenerate vertex recomputed
            recomputed = _hull_vertices(matrix)
        assert as_read.shape == recomputed.shape
        np.testing.assert_allclose(as_read, recomputed, rtol=0, atol=1e-11)


# --- the two ways of completing a degenerate vertex, and games with one side much larger ---------


def gambit_floats(payoffs: FloatArray) -> list[Profile]:
    """Gambit's enummixed in floating point, for games with real payoffs."""
    game = gbt.Game.from_arrays(payoffs[..., 0], payoffs[..., 1])
    result = gbt.nash.enummixed_solve(game, rational=False)
    return [
        tuple(np.array([float(eq[s]) for s in player.strategies]) for player in game.players)  # type: ignore[misc]
        for eq in result.equilibria
    ]


def gambit_reference(payoffs: FloatArray) -> list[Profile]:
    """Gambit's equilibria: exact ``enummixed`` for integer payoffs, in floating point otherwise."""
    integer = bool(np.all(payoffs == np.round(payoffs)))
    return gambit_enummixed(payoffs) if integer else gambit_floats(payoffs)


#: Small games the routes of the search are checked on against one another and Gambit: integer
#: payoffs (with ties), signed ones, floats, and random games of 5 to 8 strategies.
SMALL_BIMATRICES = st.one_of(
    integer_bimatrices(smallest=2, largest=7),
    integer_bimatrices(-3, 3, smallest=2, largest=7),
    float_bimatrices(),
    st.builds(random_game, seeds, st.tuples(st.integers(5, 8), st.integers(5, 8))),
)


@pytest.mark.reference
@settings(max_examples=40, deadline=None, derandomize=True)
@given(payoffs=st.one_of(integer_bimatrices(largest=6), integer_bimatrices(-3, 3, largest=6)))
def test_completing_degenerate_vertices_by_their_faces_agrees_with_gambit(
    payoffs: FloatArray,
) -> None:
    # Games with more than a dozen columns complete the degenerate vertices of P from their
    # faces of Q rather than from all of Q's vertices; here small games are made to as well.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vertex_enumeration_module, "_MAX_MATCHED_DIMENSION", 0)
        found = vertex_enumeration(payoffs)
    assert same_sets(found, gambit_enummixed(payoffs))


@pytest.mark.reference
@settings(max_examples=8, deadline=None, derandomize=True)
@given(seed=seeds, m=st.integers(6, 8), n=st.integers(6, 9))
def test_agrees_with_gambit_on_larger_random_games(seed: int, m: int, n: int) -> None:
    # From 7 strategies on, the vertices of P come from a hull and are completed by solving.
    payoffs = random_game(seed, (m, n))
    found = vertex_enumeration(payoffs)
    assert len(found) % 2 == 1
    assert same_sets(found, gambit_floats(payoffs))


@pytest.mark.reference
@settings(max_examples=10, deadline=None, derandomize=True)
@given(seed=seeds, m=st.integers(1, 3), n=st.integers(12, 40), integers=st.booleans())
def test_games_with_one_side_much_larger_agree_with_gambit(
    seed: int, m: int, n: int, integers: bool
) -> None:
    rng = np.random.default_rng(seed)
    if integers:
        # Gambit's exact enummixed takes seconds on tied games of 3 x 40; kept smaller here.
        payoffs = rng.integers(0, 4, size=(min(m, 2), min(n, 20), 2)).astype(float)
    else:
        payoffs = rng.random((m, n, 2))
    reference = gambit_enummixed if integers else gambit_floats
    for game in (payoffs, payoffs.transpose(1, 0, 2)[..., ::-1]):
        assert same_sets(vertex_enumeration(game), reference(game))


@pytest.mark.reference
def test_faces_of_more_than_forty_dimensions_are_enumerated_by_their_supports() -> None:
    # The column player is indifferent, so each vertex of the row player's polytope ties with
    # all 42 columns: its face of Q has 42 dimensions and two rows, too many for a hull.
    rng = np.random.default_rng(3)
    payoffs = np.stack([rng.integers(0, 5, (2, 42)), np.zeros((2, 42))], axis=-1).astype(float)

    def keys(profiles: list[Profile]) -> list[tuple[float, ...]]:
        # Hundreds of equilibria: compared as sorted rounded rows rather than pair by pair.
        return sorted({tuple(np.round(np.concatenate(p), 9) + 0.0) for p in profiles})

    found = vertex_enumeration(payoffs)
    assert len(found) > 300
    assert keys(found) == keys(gambit_enummixed(payoffs)) and len(keys(found)) == len(found)


def test_a_two_by_twenty_thousand_game_is_solved_without_square_arrays() -> None:
    # Vertex enumeration once built a 20,000 x 20,000 array here (3.2 GB). The polytope of the
    # player with two strategies is a polygon; each of its vertices is completed by a 2 x 2
    # system, so this takes well under a second and a few megabytes.
    payoffs = np.random.default_rng(15).random((2, 20_000, 2))
    found = vertex_enumeration(payoffs)
    assert len(found) % 2 == 1, "a nondegenerate game has an odd number of equilibria"
    for x, y in found:
        assert max_regret(payoffs, [x, y]) <= DEFAULT_TOL * payoff_scale(payoffs)
    # The pure equilibria, found independently, are the pure profiles among them.
    pure = [np.concatenate([np.flatnonzero(x == 1.0), np.flatnonzero(y == 1.0)]) for x, y in found]
    assert sorted(tuple(map(int, p)) for p in pure if len(p) == 2) == pure_nash(payoffs)
    swapped = vertex_enumeration(payoffs.transpose(1, 0, 2)[..., ::-1])
    assert same_sets(swapped, [(q, p) for p, q in found], atol=1e-9)


def test_a_tied_two_by_twenty_thousand_game_is_refused_in_one_line() -> None:
    # With payoffs in 0..2 thousands of columns tie, and the equilibria are every pair of
    # columns that balance the row player: tens of millions of extreme points.
    payoffs = np.random.default_rng(15).integers(0, 3, size=(2, 20_000, 2)).astype(float)
    with pytest.raises(InputError, match="out of reach") as error:
        vertex_enumeration(payoffs)
    assert "\n" not in str(error.value)


# --- pairing the vertices of both polytopes, against completing each vertex of one ---------------


def test_ties_are_told_apart_from_distinct_payoffs() -> None:
    # Tied payoffs choose pairing for games too large for one batch of bases.
    tied = stack([[1, 0], [1, 2]], [[3, 1], [0, 2]])
    distinct_payoffs = stack([[1, 0], [2, 3]], [[3, 1], [0, 2]])
    assert vertex_enumeration_module._has_ties(tied[..., 0], tied[..., 1])
    assert not vertex_enumeration_module._has_ties(
        distinct_payoffs[..., 0], distinct_payoffs[..., 1]
    )


def always_tied(a: FloatArray, b: FloatArray) -> bool:
    """In place of the module's test for tied payoffs: pair both polytopes in every game."""
    return True


def with_constants(payoffs: FloatArray, **constants: object) -> list[Profile]:
    """Vertex enumeration with some of the module's thresholds (or helpers) changed."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in constants.items():
            patch.setattr(vertex_enumeration_module, name, value)
        return vertex_enumeration(payoffs)


@pytest.mark.reference
@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    payoffs=st.one_of(
        integer_bimatrices(largest=6), integer_bimatrices(-3, 3, largest=6), float_bimatrices()
    )
)
def test_pairing_both_polytopes_agrees_with_completing_each_vertex(payoffs: FloatArray) -> None:
    # Small games, and games with ties, pair every vertex of P with every vertex of Q, from one
    # batch of bases or two hulls; others complete each vertex of P. All give the same equilibria.
    by_completion = with_constants(payoffs, _MAX_PAIRED_DIMENSION=0)
    by_bases = with_constants(payoffs, _MAX_BATCHED_BASES=10**6)
    by_hulls = with_constants(payoffs, _MAX_BATCHED_BASES=0, _has_ties=always_tied)
    by_sorted_search = with_constants(payoffs, _ALL_PAIRS=0, _has_ties=always_tied)
    for found in (by_bases, by_hulls, by_sorted_search):
        assert same_sets(found, by_completion, atol=1e-9)
        assert len(found) == len(by_completion)


@pytest.mark.reference
@settings(max_examples=30, deadline=None, derandomize=True)
@given(payoffs=st.one_of(integer_bimatrices(largest=4), integer_bimatrices(-2, 2, largest=4)))
def test_pairing_by_every_basis_agrees_with_exact_enummixed(payoffs: FloatArray) -> None:
    # Every basis of both polytopes solved in one batch, also where a hull would be used.
    found = with_constants(payoffs, _MAX_BATCHED_BASES=10**6)
    assert same_sets(found, gambit_enummixed(payoffs))
    assert len(found) == len({tuple(np.round(np.concatenate(p), 9)) for p in found})


@pytest.mark.reference
@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    payoffs=st.one_of(integer_bimatrices(largest=4), integer_bimatrices(-3, 3, largest=4)),
    inexact=st.booleans(),
)
# Inexact, these split a vertex of P, and one of Q, that only merging lists once.
@example(
    payoffs=np.array(
        [
            [[2, -3], [-2, -1], [-3, 1], [0, -1]],
            [[3, -2], [-3, -1], [-2, -3], [-1, -3]],
            [[3, 0], [-1, -3], [-3, -2], [0, 3]],
        ],
        dtype=float,
    ),
    inexact=True,
)
@example(
    payoffs=np.array(
        [
            [[2, 3], [1, 1], [0, -1], [1, -1]],
            [[2, -3], [2, 0], [-1, 3], [0, -1]],
            [[3, 3], [0, 3], [2, 3], [2, 3]],
        ],
        dtype=float,
    ),
    inexact=True,
)
def test_labels_of_every_basis_read_in_one_pass_agree_with_the_general_way_and_gambit(
    payoffs: FloatArray, inexact: bool
) -> None:
    # Both polytopes' bases labelled together (deduplicated and merged per polytope) against
    # each polytope's bases labelled the general way, each vertex of P then completed.
    if inexact:
        # Rounding errors near the tolerance split degenerate vertices, which both ways merge
        # alike; Gambit's exact answer for the integers is not always kept at that precision.
        payoffs = payoffs / 7.0 + 1e7
    found = with_constants(payoffs, _MAX_BATCHED_BASES=10**6)
    general = with_constants(payoffs, _MAX_BATCHED_BASES=10**6, _MAX_PAIRED_DIMENSION=0)
    assert same_sets(found, general, atol=1e-9)
    assert len(found) == len(general)
    if not inexact:
        assert same_sets(found, gambit_enummixed(payoffs))


@pytest.mark.reference
@settings(max_examples=30, deadline=None, derandomize=True)
@given(payoffs=st.one_of(integer_bimatrices(smallest=3, largest=6), float_bimatrices()))
def test_pairing_by_sorted_search_agrees_with_exact_enummixed(payoffs: FloatArray) -> None:
    # Pairs among many vertices are found by searching sorted label masks, degenerate vertices
    # by testing them against every vertex of the other polytope; here small games do so too.
    found = with_constants(payoffs, _ALL_PAIRS=0, _MAX_BATCHED_BASES=0, _has_ties=always_tied)
    assert same_sets(found, gambit_reference(payoffs))


def never_clean(*args: object) -> None:
    """In place of the module's test for clean hull points: label every vertex the general way."""
    return None


@pytest.mark.reference
@settings(max_examples=40, deadline=None, derandomize=True)
@given(payoffs=SMALL_BIMATRICES, inexact=st.booleans())
def test_clean_hull_vertices_and_whole_systems_agree_with_the_general_way_and_gambit(
    payoffs: FloatArray, inexact: bool
) -> None:
    # Every game made to complete the vertices of P from one hull, or to pair those of both
    # hulls: read straight from Qhull's points where all are clean, each nondegenerate vertex
    # of P completed by one n x n system; against the general labelling, per-support systems
    # and Gambit.
    reference = gambit_reference(payoffs)
    if inexact:
        # Not exact in binary: degenerate vertices split by rounding, merged the general way.
        payoffs = payoffs / 3.0 + 1e6
    completing = {"_MAX_PAIRED_DIMENSION": 0, "_MAX_BATCHED_BASES": 0}
    pairing = {"_MAX_BATCHED_BASES": 0, "_has_ties": always_tied}
    for route in (completing, pairing):
        found = with_constants(payoffs, **route)
        general = with_constants(
            payoffs, **route, _clean_vertices=never_clean, _MAX_SOLVED_DIMENSION=0
        )
        assert same_sets(found, general, atol=1e-9)
        assert len(found) == len(general)
        assert same_sets(found, reference, atol=1e-6)


@pytest.mark.reference
@settings(max_examples=40, deadline=None, derandomize=True)
@given(payoffs=SMALL_BIMATRICES, inexact=st.booleans())
def test_partners_solved_by_elimination_agree_with_lapack_and_gambit(
    payoffs: FloatArray, inexact: bool
) -> None:
    # Every game made to complete the vertices of P by systems of their supports' sizes, each
    # stack solved by elimination without row exchanges (systems left in doubt by LAPACK),
    # against the same route solved by LAPACK only, and Gambit.
    reference = gambit_reference(payoffs)
    if inexact:
        payoffs = payoffs / 3.0 + 1e6
    by_support = {
        "_MAX_PAIRED_DIMENSION": 0,
        "_MAX_BATCHED_BASES": 0,
        "_MAX_SOLVED_DIMENSION": 0,
        "_PADDED_SIZE": 0,
        "_PADDED_VERTICES": 0,
    }
    found = with_constants(payoffs, **by_support, _ELIMINATED_SYSTEMS=0)
    by_lapack = with_constants(payoffs, **by_support, _ELIMINATED_SYSTEMS=10**9)
    assert same_sets(found, by_lapack, atol=1e-9)
    assert len(found) == len(by_lapack)
    assert same_sets(found, reference, atol=1e-6)


def test_elimination_leaves_to_lapack_the_systems_it_cannot_settle() -> None:
    # A zero leading pivot (solvable with a row exchange), an exactly singular system, a nearly
    # singular one and a regular one: the same verdicts and solutions as LAPACK's.
    systems = np.array(
        [
            [[0.0, 1.0], [1.0, 1.0]],
            [[1.0, 2.0], [2.0, 4.0]],
            [[1.0, 1.0], [1.0, 1.0 + 1e-13]],
            [[2.0, 1.0], [1.0, 3.0]],
        ]
    )
    right = np.ones((4, 2))
    module = vertex_enumeration_module
    good, solutions = module._solved_by_elimination(systems, right, module._SOLVED_RCOND)
    expected_good, expected = module._solved(systems, right, module._SOLVED_RCOND)
    assert good.tolist() == expected_good.tolist() == [True, False, False, True]
    assert np.allclose(solutions, expected, atol=1e-15)
    assert np.allclose(solutions, [[0.0, 1.0], [0.4, 0.2]], atol=1e-15)


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_cofactor_solutions_and_verdicts_agree_with_lapack(size: int) -> None:
    # Random systems, the identity, and (two strategies on) one with a zero row, one with two
    # proportional columns and one with two nearly equal columns: the same verdicts as
    # LAPACK's, and the same solutions to rounding.
    rng = np.random.default_rng(size)
    systems = 1.0 + rng.random((40, size, size))
    systems[0] = np.eye(size)
    if size > 1:
        systems[1, 0] = 0.0
        systems[2, :, 0] = 2.0 * systems[2, :, 1]
        systems[3, :, 0] = systems[3, :, 1] * (1.0 + 1e-14)
    right = rng.random((40, size))
    module = vertex_enumeration_module
    good, solutions = module._solved_by_cofactors(systems, right, module._RCOND)
    expected_good, expected = module._solved(systems, right, module._RCOND)
    assert good.tolist() == expected_good.tolist()
    assert good[0] and (size == 1 or not good[1:4].any())
    assert np.allclose(solutions, expected, rtol=1e-9, atol=1e-12)


def never_beaten(a: FloatArray, zero: np.ndarray, best: np.ndarray) -> np.ndarray:
    """In place of the module's screen of vertices without a partner: screen none."""
    return np.zeros(len(zero), dtype=bool)


@pytest.mark.reference
@settings(max_examples=40, deadline=None, derandomize=True)
@given(payoffs=SMALL_BIMATRICES, inexact=st.booleans())
def test_vertices_settled_without_a_solve_have_no_partner(
    payoffs: FloatArray, inexact: bool
) -> None:
    # Each vertex of P that a row off its support beats on all its best responses is settled
    # without solving its system: the solve finds no partner for any of them, and the
    # equilibria are those found solving every system (n x n systems, and systems of each
    # support size), and Gambit's.
    reference = gambit_reference(payoffs)
    if inexact:
        payoffs = payoffs / 3.0 + 1e6
    module = vertex_enumeration_module
    a, b = module.normalised_bimatrix(payoffs)
    if a.shape[0] > a.shape[1]:
        a, b = b.T, a.T
    vertices, zero, tight = module._polytope_vertices(b.T, DEFAULT_TOL, module.Deadline(None))
    nondegenerate = tight.sum(axis=1) == (~zero).sum(axis=1)
    beaten = np.flatnonzero(nondegenerate)[
        module._beaten(a, zero[nondegenerate], tight[nondegenerate])
    ]
    # Solved as the general way does, with no vertex screened, they find no partner.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "_beaten", never_beaten)
        _, partners, _ = module._solved_partners(a, vertices[beaten], zero[beaten], tight[beaten])
    assert len(partners) == 0
    whole = {"_MAX_PAIRED_DIMENSION": 0, "_MAX_BATCHED_BASES": 0}
    by_support = {**whole, "_MAX_SOLVED_DIMENSION": 0, "_PADDED_SIZE": 0, "_PADDED_VERTICES": 0}
    for route in (whole, by_support):
        found = with_constants(payoffs, **route)
        unscreened = with_constants(payoffs, **route, _beaten=never_beaten)
        assert same_sets(found, unscreened, atol=1e-9)
        assert len(found) == len(unscreened)
        assert same_sets(found, reference, atol=1e-6)


def test_cofactor_solves_leave_out_systems_of_rank_two_less_as_lapack_does() -> None:
    """Every cofactor of such a system is zero, computed as rounding noise, as is its determinant.

    Their ratio, the inverse's size, is then noise too: the system must be left out, not solved.
    """
    rng = np.random.default_rng(7)
    # Normalised integer payoffs (thirds, in [1, 2]) of rank 2: rows 0 and 1, then a copy of
    # row 0 and the mean of both.
    systems = rng.integers(0, 4, size=(2000, 4, 4)) / 3.0 + 1.0
    systems[:, 2] = systems[:, 0]
    systems[:, 3] = (systems[:, 0] + systems[:, 1]) / 2.0
    right = np.ones((2000, 4))
    module = vertex_enumeration_module
    for rcond in (module._RCOND, module._SOLVED_RCOND):
        by_lapack, _ = module._solved(systems, right, rcond)
        by_cofactors, _ = module._solved_by_cofactors(systems, right, rcond)
        assert not by_lapack.any()
        assert not by_cofactors.any()
