"""The solver facade: known equilibria of literature games; methods checked against each other."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim import InputError, NormalFormGame, solve
from kurilsim.forms import catalogue
from kurilsim.forms.normal.regret import max_regret, payoff_scale
from tests import literature

THIRD, HALF = 1 / 3, 1 / 2


def as_set(profiles, digits=6):
    return sorted(
        tuple(np.round(np.concatenate([np.asarray(p, float) for p in prof]), digits))
        for prof in profiles
    )


@pytest.mark.parametrize(
    ("make", "expected"), literature.cases("make", "equilibria", where=literature.two_players)
)
def test_vertex_enumeration_finds_exactly_the_known_equilibria(make, expected):
    solution = solve(make(), "vertex-enumeration")
    assert as_set(eq.profile for eq in solution) == as_set(expected)
    assert solution.complete


@pytest.mark.parametrize(
    ("make", "expected"),
    literature.cases("make", "equilibria", where=literature.nondegenerate),
)
def test_support_enumeration_agrees_on_nondegenerate_games(make, expected):
    assert as_set(eq.profile for eq in solve(make(), "support-enumeration")) == as_set(expected)


@pytest.mark.parametrize(
    ("make", "expected"), literature.cases("make", "equilibria", where=literature.two_players)
)
def test_lemke_howson_finds_one_of_them(make, expected):
    (equilibrium,) = solve(make(), "lemke-howson").equilibria
    assert as_set([equilibrium.profile])[0] in as_set(expected)


def test_three_player_mixed_equilibrium_of_jordans_game():
    solution = solve(catalogue.jordan_three_player_pennies())
    assert solution.method == "support-enumeration"
    assert as_set(eq.profile for eq in solution) == as_set([[[HALF, HALF]] * 3])
    (equilibrium,) = solution.equilibria
    assert equilibrium.kind == "mixed"
    np.testing.assert_allclose(equilibrium.payoffs, 0, atol=1e-9)


def test_every_equilibrium_records_its_verification():
    solution = solve(catalogue.battle_of_the_sexes())
    for equilibrium in solution:
        assert equilibrium.max_regret == pytest.approx(
            max_regret(solution.game.payoffs, equilibrium.profile)
        )
        assert equilibrium.max_regret <= solution.tol * solution.scale
        assert equilibrium.method == "vertex-enumeration"


def test_results_convert_to_frame_and_dict():
    solution = solve(catalogue.battle_of_the_sexes())
    frame = solution.to_frame()
    assert len(frame) == 3
    assert list(frame.columns[:4]) == ["equilibrium", "kind", "prob.Wife.Opera", "prob.Wife.Fight"]
    assert solution.components_frame()["shape"].tolist() == ["point"] * 3
    assert frame["max_regret"].max() <= 1e-9
    data = solution.to_dict()
    assert data["method"] == "vertex-enumeration"
    assert len(data["equilibria"]) == 3
    assert "Wife" in solution.to_text()


@pytest.mark.parametrize(
    ("method", "kwargs", "words"),
    [
        pytest.param("magic", {}, "unknown method 'magic'", id="unknown-method"),
        pytest.param("pure", {"max_iter": 3}, "has no option max_iter", id="unknown-option"),
        pytest.param("pure", {"tol": 0.0}, "tolerance must lie in (0, 0.001]", id="zero-tol"),
        pytest.param("pure", {"tol": 0.5}, "tolerance must lie in (0, 0.001]", id="loose-tol"),
    ],
)
def test_bad_requests(method, kwargs, words):
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        solve(catalogue.prisoners_dilemma(), method, **kwargs)


@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e9])
def test_payoff_scale_does_not_change_the_answer(scale):
    game = catalogue.stag_hunt()
    scaled = NormalFormGame(game.players, game.strategies, game.payoffs * scale)
    for method in ("vertex-enumeration", "support-enumeration", "pure"):
        assert as_set(eq.profile for eq in solve(scaled, method)) == as_set(
            eq.profile for eq in solve(game, method)
        )


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_two_player_methods_agree_on_random_games(m, n, seed):
    rng = np.random.default_rng(seed)
    game = NormalFormGame(
        ["R", "C"],
        [[f"r{i}" for i in range(m)], [f"c{j}" for j in range(n)]],
        rng.normal(size=(m, n, 2)),
    )
    vertex = solve(game, "vertex-enumeration")
    support = solve(game, "support-enumeration")
    pure = solve(game, "pure")
    # Random real payoffs are nondegenerate almost surely: both enumerations find every equilibrium.
    assert as_set(eq.profile for eq in vertex) == as_set(eq.profile for eq in support)
    assert len(vertex) % 2 == 1
    assert set(as_set(eq.profile for eq in pure)) <= set(as_set(eq.profile for eq in vertex))
    (lh,) = solve(game, "lemke-howson").equilibria
    assert as_set([lh.profile])[0] in as_set(eq.profile for eq in vertex)
    for equilibrium in (*vertex, *support, lh):
        assert equilibrium.max_regret <= 1e-9 * payoff_scale(game.payoffs)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 3), st.integers(2, 3), st.integers(0, 2**32 - 1))
def test_pure_equilibria_of_vertex_enumeration_match_pure_method_on_tied_games(m, n, seed):
    rng = np.random.default_rng(seed)
    payoffs = rng.integers(0, 3, size=(m, n, 2)).astype(float)
    game = NormalFormGame(
        ["R", "C"], [[str(i) for i in range(m)], [str(j) for j in range(n)]], payoffs
    )
    vertex_pure = [eq for eq in solve(game, "vertex-enumeration") if eq.kind == "pure"]
    assert as_set(eq.profile for eq in vertex_pure) == as_set(
        eq.profile for eq in solve(game, "pure")
    )


def test_auto_solves_a_one_player_game_by_its_best_strategies():
    game = NormalFormGame(["Solo"], [["x", "y", "z"]], [[1.0], [3.0], [3.0]])
    solution = solve(game)
    assert solution.method == "pure"
    assert [eq.profile[0].tolist() for eq in solution] == [[0, 1, 0], [0, 0, 1]]


def test_a_method_returning_non_probabilities_is_caught(monkeypatch):
    from kurilsim.core.errors import KurilsimError
    from kurilsim.forms.normal import solve as facade

    # In a game of constant payoffs every weight vector has zero regret; only the simplex check
    # sees that these are no mixed strategy.
    def broken(payoffs, tol, options):
        return [(np.array([1.5, -0.5]), np.array([0.0, 1.0]))], True

    constant = NormalFormGame(["A", "B"], [["x", "y"], ["l", "r"]], np.zeros((2, 2, 2)))

    spec = facade.METHODS["pure"]
    monkeypatch.setitem(
        facade.METHODS,
        "pure",
        facade.Method(spec.name, spec.scope, spec.players, spec.options, broken),
    )
    with pytest.raises(KurilsimError, match="not probabilities"):
        solve(constant, "pure")


def _on_the_simplex(x):
    return x.min() >= 0 and abs(float(np.sum(x)) - 1) <= len(x) * np.finfo(float).eps


@pytest.mark.parametrize("method", ["support-enumeration", "vertex-enumeration"])
@pytest.mark.parametrize("make", [catalogue.matching_pennies, catalogue.prisoners_dilemma])
def test_a_boundary_solution_is_reported_on_the_simplex_and_verified_there(
    monkeypatch, method, make
):
    """A root clipped onto a face, a little off the simplex, is put on it before it is checked.

    Each equilibrium moved by a rounding error of the size a boundary root has: probabilities
    of -1e-10 on the strategies not played, sums off by a few 1e-10.
    """
    from kurilsim.forms.normal import solve as facade

    game = make()
    exact = [eq.profile for eq in solve(game, method)]
    moved = [tuple(x + 1e-10 * np.where(x == 0, -1.0, 2.0) for x in p) for p in exact]
    spec = facade.METHODS[method]
    run = lambda payoffs, tol, options: (moved, None)  # noqa: E731
    monkeypatch.setitem(facade.METHODS, method, dataclasses.replace(spec, run=run))
    reported = solve(game, method)
    assert len(reported) == len(exact)
    for eq, near in zip(reported, exact, strict=True):
        assert all(_on_the_simplex(x) for x in eq.profile)
        assert np.allclose(np.concatenate(eq.profile), np.concatenate(near), atol=1e-9)
        # The regret reported is that of the profile reported.
        assert eq.max_regret == max_regret(game.payoffs, eq.profile)
