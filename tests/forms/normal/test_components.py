"""Continua of equilibria reported as components: kurilsim.forms.normal.components, single_mixer.

The checks are independent of how the components were found: every extreme point passes the regret
check, the points of a segment between two members that differ in one player's mixture are
equilibria, and, where one player mixes, a fine grid of that player's mixtures finds exactly the
interval between the reported extreme points. pygambit (GPL) is used only as a reference.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kurilsim import NormalFormGame, load_scenario, solve
from kurilsim.analysis.comparison import compare
from kurilsim.cli import main
from kurilsim.core.deadline import Deadline
from kurilsim.forms.normal.components import equilibrium_components
from kurilsim.forms.normal.curve_certificate import curves_cover_leftovers
from kurilsim.forms.normal.curve_components import (
    N_SAMPLES,
    _SupportSystem,
    curves_between,
    trace_support_curves,
)
from kurilsim.forms.normal.game_rows import component_names
from kurilsim.forms.normal.labels import OutcomeLabels
from kurilsim.forms.normal.nfg import write_nfg
from kurilsim.forms.normal.regret import ScaledPayoffs, is_equilibrium, normalised_payoffs
from kurilsim.forms.normal.single_mixer import single_mixer_polytopes
from kurilsim.forms.normal.solve import METHODS
from kurilsim.forms.normal.support_boxes import solve_supports
from kurilsim.forms.normal.vertex_enumeration import vertex_enumeration
from kurilsim.sweeps import sweep
from tests.helpers import SCENARIOS
from tests.strategies import integer_bimatrices

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True)
ERA_1956 = SCENARIOS / "era_1956.yaml"


def test_era_1956_reports_one_segment_with_a_pure_end(capsys):
    assert main(["run", str(ERA_1956), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    (component,) = result["components"]
    assert component["dimension"] == 1
    assert component["shape"] == "segment"
    ends = [result["equilibria"][k] for k in component["extreme_points"]]
    assert sorted(e["kind"] for e in ends) == ["mixed", "pure"]
    japan = sorted(e["profile"]["Japan"]["demand_four_if_threatened"] for e in ends)
    assert japan[1] == 1.0 and 0 < japan[0] < 1
    assert main(["run", str(ERA_1956)]) == 0
    assert "2 extreme equilibria in 1 component (1 segment)" in capsys.readouterr().out


def test_era_1956_holds_the_equilibrium_gambit_finds():
    game = load_scenario(ERA_1956).game()
    solution = solve(game)
    reference = gbt.Game.from_arrays(*(game.payoffs[..., i] for i in range(game.n_players)))
    (point,) = gbt.nash.enumpoly_solve(reference).equilibria
    profile = tuple(
        np.array([float(point[s]) for s in player.strategies]) for player in reference.players
    )
    members = [solution[k].profile for k in solution.components[0].members]
    assert len(equilibrium_components([*members, profile])) == 1


def test_compare_counts_the_segment_once():
    rows = compare(load_scenario(ERA_1956)).predictions
    nash = [r for r in rows if r.concept.startswith("Nash") and r.counted]
    assert [r.concept for r in nash] == ["Nash (continuum)"]
    assert "segment" in nash[0].note and len(nash[0].profiles) == 2
    limit = next(r for r in rows if r.concept == "logit limit")
    assert limit.outcome == nash[0].outcome  # the logit limit lies on the segment


def _segment_points(x: tuple[np.ndarray, ...], y: tuple[np.ndarray, ...]):
    for t in (0.25, 0.5, 0.75):
        yield tuple(t * a + (1 - t) * b for a, b in zip(x, y, strict=True))


@SETTINGS
@given(integer_bimatrices(high=1, largest=4))
def test_bimatrix_components_are_connected_sets_of_equilibria(payoffs):
    extreme = vertex_enumeration(payoffs)
    components = equilibrium_components(extreme)
    assert sorted(k for members, _ in components for k in members) == list(range(len(extreme)))
    label = {k: c for c, (members, _) in enumerate(components) for k in members}
    for p, x in enumerate(extreme):
        for q, y in enumerate(extreme[:p]):
            one_player = sum(not np.allclose(a, b, atol=1e-9) for a, b in zip(x, y, strict=True))
            if one_player == 1:
                assert label[p] == label[q]
                for point in _segment_points(x, y):
                    assert is_equilibrium(payoffs, point, 1e-9)
    for members, dimension in components:
        assert (dimension == 0) == (len(members) == 1)


@SETTINGS
@given(arrays(np.int64, (2, 2, 2, 3), elements=st.integers(0, 2)))
def test_single_mixer_polytopes_match_a_grid_search(payoffs):
    norm = normalised_payoffs(payoffs.astype(float))
    polytopes, complete = single_mixer_polytopes(norm, 1e-9)
    assert complete
    found = {}
    for vertices in polytopes:
        for profile in vertices:
            assert is_equilibrium(norm, profile, 1e-9)
        mixer = next(i for i in range(3) if not np.allclose(vertices[0][i], vertices[-1][i]))
        others = tuple(int(np.argmax(p)) for i, p in enumerate(vertices[0]) if i != mixer)
        ends = sorted(float(v[mixer][0]) for v in vertices)
        found[mixer, others] = (ends[0], ends[-1])
    grid = np.linspace(0, 1, 401)
    mixtures = np.column_stack([grid, 1 - grid])
    scaled = ScaledPayoffs.of(norm)  # the regret check of is_equilibrium, on every point at once
    for mixer in range(3):
        for others in np.ndindex(2, 2):
            pure = [np.tile(np.eye(2)[s], (len(grid), 1)) for s in others]
            regrets = scaled.relative_regrets_of_many([*pure[:mixer], mixtures, *pure[mixer:]])
            inside = grid[np.all(regrets <= 1e-9, axis=1)].tolist()
            if (mixer, others) in found:
                low, high = found[mixer, others]
                assert abs(inside[0] - low) <= 1 / 400 and abs(inside[-1] - high) <= 1 / 400
                assert all(low - 1e-9 <= g <= high + 1e-9 for g in inside)
            else:
                # No continuum: at most one isolated mixture on the grid (or none).
                assert len(inside) <= 2 or np.ptp(inside) < 2 / 400


def _catalogue_payoffs(name: str) -> np.ndarray:
    game = gbt.catalog.load(name)
    shape = [len(p.strategies) for p in game.players]
    payoffs = np.zeros((*shape, len(shape)))
    for cell in np.ndindex(*shape):
        outcome = game[
            tuple(list(p.strategies)[i] for p, i in zip(game.players, cell, strict=True))
        ]
        payoffs[cell] = [float(outcome[p]) for p in game.players]
    return payoffs


@pytest.mark.parametrize(
    "name",
    [
        "journals/ijgt/nau2004/sec3",
        "journals/other/shapley1974/fig2",
        "journals/other/shapley1974/fig3",
    ],
)
def test_gambit_catalogue_bimatrix_games_against_exact_enummixed(name):
    """Two-player games of Gambit's catalogue (Nau et al. 2004; Shapley 1974)."""
    payoffs = _catalogue_payoffs(name)
    game = gbt.catalog.load(name)
    exact = {
        tuple(float(p[s]) for player in game.players for s in player.strategies)
        for p in gbt.nash.enummixed_solve(game, rational=True).equilibria
    }
    ours = [tuple(np.concatenate(x)) for x in vertex_enumeration(payoffs)]
    assert len(ours) == len(exact)
    assert all(min(np.max(np.abs(np.subtract(o, e))) for e in exact) < 1e-9 for o in ours)


def _curve_game(player_three: str) -> np.ndarray:
    """Players 1 and 2 are indifferent exactly when player 3 mixes half and half (``z = 1/2``).

    Player 3 gains ``x - y`` from its first strategy (``"straight"``: the equilibria with all
    three mixing form the segment ``x = y``, ``z = 1/2``) or ``x y - 1/4`` (``"curved"``: the
    hyperbola ``x y = 1/4``, from ``x = 1/4`` to ``x = 1``), where ``x`` and ``y`` are the
    weights of players 1 and 2 on their first strategies.
    """
    u = np.zeros((2, 2, 2, 3))
    u[0, :, 0, 0], u[1, :, :, 0] = 1, 0.5  # player 1: z - 1/2
    u[:, 0, 0, 1], u[:, 1, :, 1] = 1, 0.5  # player 2: z - 1/2
    if player_three == "straight":
        u[0, :, 0, 2], u[:, 0, 1, 2] = 1, 1
    else:
        u[0, 0, 0, 2], u[:, :, 1, 2] = 1, 0.25
    return u


@pytest.mark.parametrize(
    ("player_three", "shape", "on_curve", "ends"),
    [
        ("straight", "segment", lambda x, y: x - y, [(0.0, 0.0), (1.0, 1.0)]),
        ("curved", "curve", lambda x, y: x * y - 0.25, [(0.25, 1.0), (1.0, 0.25)]),
    ],
)
def test_a_curve_on_which_three_players_mix_is_traced_end_to_end(
    player_three, shape, on_curve, ends
):
    payoffs = _curve_game(player_three)
    found = trace_support_curves(payoffs, [(0, 1)] * 3, 1e-9)
    assert found.complete
    (curve,) = found.curves
    assert curve.shape == shape and curve.dimension == 1
    assert len(curve.samples) == N_SAMPLES
    for profile in curve.samples:
        assert is_equilibrium(payoffs, profile, 1e-9)
        x, y, z = (p[0] for p in profile)
        assert abs(on_curve(x, y)) < 1e-9 and abs(z - 0.5) < 1e-9
    found_ends = sorted((float(e[0][0]), float(e[1][0])) for e in curve.ends)
    assert np.allclose(found_ends, ends, atol=1e-9)


@pytest.mark.parametrize("player_three", ["straight", "curved"])
def test_the_traced_curve_accounts_for_every_box_the_subdivision_leaves(player_three):
    payoffs = _curve_game(player_three)
    support = [(0, 1)] * 3
    full = np.ones((1, 2), dtype=bool)
    found, _ = solve_supports(payoffs, [full] * 3, 1e-9, Deadline(None))
    ((_, low, high),) = found.boxes
    (path,) = trace_support_curves(payoffs, support, 1e-9).paths

    def covers(paths):
        return curves_cover_leftovers(payoffs, support, paths, (low, high), 1e-9, Deadline(None))

    assert covers([path])
    # Half of the curve, or none of it, leaves boxes that hold equilibria: nothing is proved.
    assert not covers([path[: len(path) // 2]])
    assert not covers([])
    assert not curves_cover_leftovers(payoffs, support, [path], (low, high), 1e-9, Deadline(0.0))


def test_boxes_beside_a_face_hold_no_equilibrium_of_the_larger_support():
    """A 0/1 game where player 1 pure and player 3 mixing form a segment of equilibria.

    On the support where player 1 mixes too, the subdivision leaves boxes reaching 1e-4 off
    that face; the payoff gaps, affine in player 1's weight, show none holds an equilibrium
    with the larger support (the least regret found there by sampling falls with that weight).
    """
    payoffs = normalised_payoffs(
        np.random.default_rng(3).integers(0, 2, (3, 3, 3, 3)).astype(float)
    )
    support = [(0, 2), (1,), (0, 1)]
    masks = [np.isin(np.arange(3), s)[None] for s in support]
    found, _ = solve_supports(payoffs, masks, 1e-9, Deadline(None))
    ((_, low, high),) = found.boxes
    assert np.max(1 - low[:, 1]) > 1e-5  # player 1's weight on strategy 0 is 1 - y
    assert curves_cover_leftovers(payoffs, support, [], (low, high), 1e-9, Deadline(None))
    rng = np.random.default_rng(0)
    for q, z in zip(10 ** rng.uniform(-6, 0, 200), rng.uniform(0, 1, 200), strict=True):
        profile = (np.array([q, 0, 1 - q]), np.eye(3)[1], np.array([1 - z, z, 0]))
        assert not is_equilibrium(payoffs, profile, 1e-9)


@pytest.mark.parametrize("player_three", ["straight", "curved"])
def test_a_game_whose_only_continuum_is_a_proved_curve_is_complete(player_three):
    game = NormalFormGame(["A", "B", "C"], [["a", "b"]] * 3, _curve_game(player_three))
    solution = solve(game, "support-enumeration")
    assert solution.complete
    (component,) = [c for c in solution.components if c.curves]
    assert component.dimension == 1


def test_the_pure_players_of_single_mixer_vertices_own_their_vectors():
    """A row of an identity matrix, kept as a pure strategy, would keep the matrix alive."""
    norm = np.zeros((2, 300, 2))
    norm[:, 0, 1] = 1.0  # the column player's first strategy is best; the row player ties
    polytopes, complete = single_mixer_polytopes(norm, 1e-9)
    assert complete and [len(vertices) for vertices in polytopes] == [2]
    for profile in polytopes[0]:
        column = profile[1]
        assert column.tolist() == np.eye(300)[0].tolist()
        assert column.base is None or column.base.nbytes == column.nbytes


def test_curves_between_stops_at_its_deadline_and_says_so():
    payoffs = _curve_game("curved")
    half = np.array([0.5, 0.5])
    ends = [
        (np.array([0.25, 0.75]), np.eye(2)[0], half),
        (np.eye(2)[0], np.array([0.25, 0.75]), half),
    ]
    assert curves_between(payoffs, ends, 1e-9).links
    cut = curves_between(payoffs, ends, 1e-9, Deadline(0.0))
    assert not cut.links and not cut.complete and "time bound" in str(cut.problem)
    traced = trace_support_curves(payoffs, [(0, 1)] * 3, 1e-9, deadline=Deadline(0.0))
    assert not traced.curves and not traced.complete and "time bound" in str(traced.problem)


def test_the_time_bound_covers_component_tracing_and_a_cut_is_reported(monkeypatch):
    """The listing comes back finished, but the bound is spent before any curve is traced.

    The ends of the hyperbola are then not shown as a proved curve, and the result says that
    its components are not proved, in the text and in JSON.
    """
    game = NormalFormGame(["A", "B", "C"], [["a", "b"]] * 3, _curve_game("curved"))
    listed = solve(game, "support-enumeration")
    assert listed.components_complete and any(c.curves for c in listed.components)
    profiles = [eq.profile for eq in listed]
    method = METHODS["support-enumeration"]
    quick = dataclasses.replace(method, run=lambda payoffs, tol, options: (profiles, None))
    monkeypatch.setitem(METHODS, "support-enumeration", quick)
    cut = solve(game, "support-enumeration", max_seconds=0)
    assert cut.complete and len(cut) == len(listed)
    assert not cut.components_complete and "time bound" in str(cut.components_problem)
    assert not any(c.curves for c in cut.components)
    assert "WARNING: components not proved" in cut.to_text()
    record = cut.to_dict()
    assert record["components_complete"] is False
    assert "time bound" in record["components_problem"]


def test_run_reports_components_cut_by_the_time_bound(tmp_path, capsys):
    # The ends of the segment, where players 1 and 2 are pure, are listed before any bound is
    # checked; joining them takes tracing the segment.
    path = tmp_path / "segment.nfg"
    write_nfg(NormalFormGame(["A", "B", "C"], [["a", "b"]] * 3, _curve_game("straight")), path)
    main(["run", str(path), "--max-seconds", "0", "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert result["components_complete"] is False
    assert "time bound" in result["components_problem"]
    main(["run", str(path), "--max-seconds", "0"])
    assert "WARNING: components not proved" in capsys.readouterr().out


def test_a_curve_of_three_mixers_joins_its_ends_into_one_component():
    """The ends of the hyperbola, listed by support enumeration, are one component."""
    game = NormalFormGame(["A", "B", "C"], [["a", "b"]] * 3, _curve_game("curved"))
    solution = solve(game, "support-enumeration")
    assert all(is_equilibrium(game.payoffs, eq.profile, 1e-9) for eq in solution.equilibria)
    (curved,) = [c for c in solution.components if c.curves]
    assert curved.shape == "curve" and curved.dimension == 1
    ends = {tuple(np.round(solution[k].profile[0], 9)) for k in curved.members}
    assert {(0.25, 0.75), (1.0, 0.0)} <= ends


def test_a_curve_ending_where_an_outside_strategy_ties_lists_that_end():
    """Player 3 gets a third strategy paying 0.8: the segment ``x = y`` now ends at ``x = 0.8``.

    That end has the segment's own support, so only tracing the curve lists it.
    """
    payoffs = np.zeros((2, 2, 3, 3))
    payoffs[:, :, :2] = _curve_game("straight")
    payoffs[:, :, 2, 2] = 0.8
    game = NormalFormGame(["A", "B", "C"], [["a", "b"], ["a", "b"], ["a", "b", "c"]], payoffs)
    solution = solve(game, "support-enumeration")
    end = (np.array([0.8, 0.2]), np.array([0.8, 0.2]), np.array([0.5, 0.5, 0.0]))
    assert is_equilibrium(payoffs, end, 1e-12)
    (k,) = [
        k
        for k, eq in enumerate(solution.equilibria)
        if all(np.allclose(a, b, atol=1e-9) for a, b in zip(eq.profile, end, strict=True))
    ]
    (component,) = [c for c in solution.components if k in c.members]
    # With c pure, players 1 and 2 each mix freely up to 0.8: the component is a face too.
    assert component.curves and component.dimension == 2


@pytest.mark.parametrize("seed", [2, 5])
def test_every_traced_curve_of_a_degenerate_game_joins_listed_ends_through_equilibria(seed):
    payoffs = np.random.default_rng(seed).integers(0, 2, (2, 2, 2, 3)).astype(float)
    game = NormalFormGame(["A", "B", "C"], [["a", "b"]] * 3, payoffs)
    solution = solve(game, "support-enumeration")
    curves = [(c, curve) for c in solution.components for curve in c.curves]
    for component, curve in curves:
        listed = [np.concatenate(solution[k].profile) for k in component.members]
        for end in curve.ends:
            assert min(np.max(np.abs(np.concatenate(end) - x)) for x in listed) < 1e-6
        for profile in curve.samples:
            assert is_equilibrium(payoffs, profile, 1e-9)
        # Points between the ends lie inside the support the curve was traced on.
        for profile in curve.samples[1:-1]:
            assert all(np.all(p[list(s)] > 0) for p, s in zip(profile, curve.support, strict=True))
    if seed == 2:
        # Player 1 is indifferent everywhere; player 2 ties when y = x / (1 - x), player 3 when
        # z = (1 - 2x) / (2 - 3x) (x, y, z: first-strategy weights): a curve from x = 0 to 1/2.
        (curve,) = [curve for _, curve in curves if curve.shape == "curve"]
        assert curve.support == ((0, 1), (0, 1), (0, 1))
        for profile in curve.samples:
            x, y, z = (p[0] for p in profile)
            assert abs(y - x / (1 - x)) < 1e-9 and abs(z - (1 - 2 * x) / (2 - 3 * x)) < 1e-9


def test_a_generic_three_player_game_has_no_curves():
    rng = np.random.default_rng(3)
    game = NormalFormGame(["A", "B", "C"], [["a", "b"]] * 3, rng.random((2, 2, 2, 3)))
    solution = solve(game, "support-enumeration")
    assert solution.complete
    assert all(c.dimension == 0 and not c.curves for c in solution.components)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(2, 3), min_size=3, max_size=4).flatmap(
        lambda shape: st.tuples(
            arrays(np.float64, (*shape, len(shape)), elements=st.floats(-5, 5, width=32)),
            st.lists(st.integers(0, 2**31), min_size=1, max_size=1),
        )
    )
)
def test_the_curve_systems_jacobian_is_the_derivative_of_its_equations(case):
    payoffs, (seed,) = case
    rng = np.random.default_rng(seed)
    support = [
        sorted(rng.choice(n, rng.integers(1, n + 1), replace=False)) for n in payoffs.shape[:-1]
    ]
    system = _SupportSystem(payoffs, support, 1e-8)
    z = system.random_point(rng)
    n_players = payoffs.shape[-1]

    def equations(z):
        # Written out with every probability as a weight, away from the simplex too.
        profile = system.profile(z)
        rows = []
        for i, own in enumerate(support):
            operands = [payoffs[..., i], list(range(n_players))]
            for k in range(n_players):
                if k != i:
                    operands += [profile[k], [k]]
            values = np.einsum(*operands, [i])[own]
            rows += [*(values[1:] - values[0]), z[system.offsets[i] : system.offsets[i + 1]].sum()]
        return np.array(rows)

    # The equations are linear in each probability: central differences are exact to rounding.
    numeric = np.column_stack([(equations(z + e) - equations(z - e)) / 2 for e in np.eye(len(z))])
    assert np.allclose(system.jacobian(z), numeric, atol=1e-9)


def test_a_totally_mixed_continuum_of_three_players_is_one_component():
    """Nau, Gomez Canovas and Hansen (2004), section 5: a continuum of totally mixed equilibria.

    On it player 3 mixes ``1/4, 3/4`` and ``2 x y = 3 (1 - x) (1 - y)`` (derived by hand from
    the payoffs), a curve from ``(x, y) = (1, 0)`` to ``(0, 1)``; Gambit's ``enumpoly`` lists
    two pure equilibria of that component apart.
    """
    payoffs = _catalogue_payoffs("journals/ijgt/nau2004/sec5")
    game = NormalFormGame(["A", "B", "C"], [["a", "b"]] * 3, payoffs)
    solution = solve(game, "support-enumeration")
    (curved,) = [c for c in solution.components if c.curves]
    assert curved.shape == "curve"
    (curve,) = curved.curves
    for profile in curve.samples:
        assert is_equilibrium(payoffs, profile, 1e-9)
        x, y, z = (p[0] for p in profile)
        assert abs(2 * x * y - 3 * (1 - x) * (1 - y)) < 1e-9 and abs(z - 0.25) < 1e-9
    reference = gbt.catalog.load("journals/ijgt/nau2004/sec5")
    gambit = [
        tuple(np.array([float(point[s]) for s in p.strategies]) for p in reference.players)
        for point in gbt.nash.enumpoly_solve(reference).equilibria
    ]
    listed = [eq.profile for eq in solution.equilibria]
    links = [(a, b) for c in solution.components for a, b in _pairs(c.members)]
    joined = equilibrium_components([*listed, *gambit], links)
    # Gambit's three points fall into two components: the curve's and the pure (b, b, b).
    assert len({_component_of(joined, len(listed) + k) for k in range(len(gambit))}) == 2
    assert len(solution.components) == 2
    # The subdivision's leftover boxes all lie along the traced curve: nothing else exists.
    assert solution.complete


def test_a_sweep_of_era_1956_names_the_segment_once_per_point():
    result = sweep(ERA_1956, {"renounce_cost": (0.3, 0.6, 2)}, method="support-enumeration")
    for _, rows in result.to_frame().groupby("point"):
        assert len(rows) == 2 and rows["label"].nunique() == 1
        assert rows["regime"].iloc[0] == rows["label"].iloc[0]
        assert " or " not in rows["regime"].iloc[0]


def test_the_three_player_curve_is_one_name_in_a_regime():
    payoffs = _catalogue_payoffs("journals/ijgt/nau2004/sec5")
    game = NormalFormGame(["A", "B", "C"], [["a", "b"]] * 3, payoffs)
    solution = solve(game, "support-enumeration")
    labels = OutcomeLabels(game.players, game.strategies)
    names = component_names(solution, labels)
    assert len(set(names)) == len(solution.components) == 2 < len(names)
    assert labels.regime(names).count(" or ") == 1


def _pairs(members: tuple[int, ...]) -> list[tuple[int, int]]:
    return [(members[0], k) for k in members[1:]]


def _component_of(components: list[tuple[tuple[int, ...], int]], k: int) -> int:
    return next(c for c, (members, _) in enumerate(components) if k in members)
