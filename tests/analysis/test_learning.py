"""Learning dynamics: cross-checked with nashpy called directly, with independent integrators and
loops, and with what the literature proves (Robinson 1951, Shapley 1964, the replicator's constant
of motion in zero-sum games, logit rest points as logit QRE)."""

from __future__ import annotations

import itertools

import nashpy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import kurilsim
from kurilsim import NormalFormGame
from kurilsim.analysis.fictitious_play import _nashpy_counts, _own_counts
from kurilsim.analysis.learning import (
    DEFAULT_STEP_SIZE,
    DYNAMICS,
    TAKEN_BY,
    refuse_other_dynamics_options,
)
from kurilsim.analysis.replicator import own_replicator, replicator_field
from kurilsim.core.errors import InputError
from kurilsim.forms import catalogue
from kurilsim.forms.normal.logit_qre import logit_qre
from kurilsim.forms.normal.regret import max_regret, normalised_payoffs
from tests.helpers import SCENARIOS
from tests.strategies import small_games


def shapley_game() -> NormalFormGame:
    """Shapley's 3x3 game, where fictitious play cycles for ever.

    L. S. Shapley, "Some topics in two-person games", Advances in Game Theory, 1964.
    """
    row = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    column = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    return NormalFormGame(["Row", "Column"], [["a", "b", "c"]] * 2, np.stack([row, column], -1))


def generic_three_player() -> NormalFormGame:
    """A 2x3x2 game with payoffs drawn once from a fixed seed: no ties between best responses."""
    payoffs = np.random.default_rng(13).uniform(-1, 1, size=(2, 3, 2, 3))
    return NormalFormGame(["A", "B", "C"], [["x", "y"], ["x", "y", "z"], ["x", "y"]], payoffs)


TWO_PLAYER = [
    pytest.param(catalogue.matching_pennies(), id="pennies"),
    pytest.param(catalogue.battle_of_the_sexes(), id="sexes"),
    pytest.param(shapley_game(), id="shapley"),
]


def uniform(game: NormalFormGame) -> list[np.ndarray]:
    return [np.full(n, 1 / n) for n in game.shape]


@pytest.mark.reference
@pytest.mark.parametrize("game", TWO_PLAYER)
def test_fictitious_play_is_nashpys(game: NormalFormGame) -> None:
    """The same frequencies as nashpy's fictitious play, ties drawn from the same seed."""
    path = kurilsim.learn(game, "fictitious-play", steps=300, seed=7)
    np.random.seed(7)  # noqa: NPY002 (nashpy draws ties from the global state)
    counts = list(
        nashpy.Game(game.payoffs[..., 0], game.payoffs[..., 1]).fictitious_play(
            300, play_counts=uniform(game)
        )
    )
    for i in range(2):
        expected = np.array([c[i] / c[i].sum() for c in counts])
        np.testing.assert_array_equal(path.profiles[i], expected)


@pytest.mark.parametrize("game", TWO_PLAYER)
def test_own_fictitious_play_agrees_with_nashpy_without_ties(game: NormalFormGame) -> None:
    """The N-player code, run on two players from a start without ties, plays as nashpy does."""
    start = [np.array([0.61, 0.39, 0.0][:n]) / sum([0.61, 0.39, 0.0][:n]) for n in game.shape]
    start[1] = start[1][::-1].copy()
    own = _own_counts(game.payoffs, start, 200, seed=0)
    theirs = _nashpy_counts(game.payoffs, start, 200, seed=1)
    for mine, reference in zip(own, theirs, strict=True):
        np.testing.assert_array_equal(mine, reference)


def test_own_fictitious_play_matches_a_plain_loop_on_three_players() -> None:
    """Each round each player's count of a best response to the others' frequencies grows."""
    game = generic_three_player()
    start = [np.array([0.2, 0.8]), np.array([0.5, 0.25, 0.25]), np.array([0.9, 0.1])]
    path = kurilsim.learn(game, "fictitious-play", start=start, steps=150)
    counts = [p.copy() for p in start]
    for t in range(150):
        freqs = [c / c.sum() for c in counts]
        best = []
        for i, n in enumerate(game.shape):
            values = np.zeros(n)
            for cell in itertools.product(*(range(k) for k in game.shape)):
                weight = np.prod([freqs[j][cell[j]] for j in range(3) if j != i])
                values[cell[i]] += weight * game.payoffs[(*cell, i)]
            best.append(int(values.argmax()))
        for c, b in zip(counts, best, strict=True):
            c[b] += 1
        for i in range(3):
            np.testing.assert_allclose(path.profiles[i][t + 1], counts[i] / counts[i].sum())


def test_fictitious_play_converges_in_matching_pennies() -> None:
    """Robinson (1951): in a zero-sum game the empirical frequencies approach the equilibrium."""
    path = kurilsim.learn(catalogue.matching_pennies(), start=[[0.9, 0.1], [0.2, 0.8]])
    assert path.converged and path.complete
    assert path.equilibrium is not None and path.equilibrium_index == 1
    for frequencies, mixture in zip(path.limit, path.equilibrium, strict=True):
        np.testing.assert_allclose(frequencies, [0.5, 0.5], atol=0.01)
        np.testing.assert_allclose(mixture, [0.5, 0.5], atol=1e-12)  # the solver's equilibrium
    assert path.equilibrium_regret == max_regret(path.game.payoffs, path.equilibrium) < 1e-12


def test_fictitious_play_cycles_in_shapleys_game() -> None:
    """Shapley (1964): the frequencies circle the equilibrium and never settle."""
    path = kurilsim.learn(shapley_game(), start=[[0.5, 0.3, 0.2], [0.2, 0.5, 0.3]])
    assert path.status == "cycling"
    assert not path.converged and not path.complete and path.equilibrium is None
    assert path.incomplete_reason == "steps"
    assert path.limit_regret > 0.1
    assert "WARNING" in path.to_text()


def test_fictitious_play_circles_in_jordans_three_player_pennies() -> None:
    """Jordan (1993): in three-player matching pennies fictitious play does not converge.

    J. S. Jordan, "Three problems in learning mixed-strategy Nash equilibria", Games and
    Economic Behavior 5(3), 368-386, 1993. Played by kurilsim's own N-player code.
    """
    game = catalogue.jordan_three_player_pennies()
    path = kurilsim.learn(game, start=[[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]])
    assert path.status == "cycling" and path.equilibrium is None
    assert path.limit_regret > 0.1


def test_a_step_too_long_for_the_precision_is_reported_not_hidden() -> None:
    """At lambda times the payoff range of 1000 steps of 0.05 overshoot: the path never settles."""
    game = catalogue.battle_of_the_sexes()
    scale = float(np.ptp(game.payoffs))
    assert not kurilsim.learn(game, "logit", precision=1000 / scale).converged
    assert kurilsim.learn(game, "logit", precision=1000 / scale, step_size=0.0005).converged


@pytest.mark.reference
@pytest.mark.parametrize("game", TWO_PLAYER)
def test_replicator_is_nashpys(game: NormalFormGame) -> None:
    """nashpy's asymmetric replicator dynamics on the normalised payoffs, at the same times."""
    start = [np.array([0.6, 0.4, 0.0][:n]) + 0.1 for n in game.shape]
    start = [s / s.sum() for s in start]
    path = kurilsim.learn(game, "replicator", start=start, steps=200, step_size=0.1)
    norm = normalised_payoffs(game.payoffs)
    rows, columns = nashpy.Game(norm[..., 0], norm[..., 1]).asymmetric_replicator_dynamics(
        x0=start[0], y0=start[1], timepoints=np.arange(201) * 0.1
    )
    np.testing.assert_allclose(path.profiles[0], rows, atol=1e-12)
    np.testing.assert_allclose(path.profiles[1], columns, atol=1e-12)
    # kurilsim's own code, used for more players, follows the same curve.
    own = own_replicator(norm, start, 0.1, 200)
    np.testing.assert_allclose(own[0], rows, atol=1e-6)
    np.testing.assert_allclose(own[1], columns, atol=1e-6)


def test_replicator_keeps_cycling_in_rock_paper_scissors() -> None:
    """In zero-sum RPS the sum of the logs of all probabilities is a constant of motion."""
    start = [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]]
    path = kurilsim.learn(catalogue.rock_paper_scissors(), "replicator", start=start)
    constant = sum(np.log(p).sum(axis=1) for p in path.profiles)
    np.testing.assert_allclose(constant, constant[0], rtol=1e-6)
    assert path.status == "cycling" and path.equilibrium is None and not path.complete


def test_replicator_on_three_players_matches_scipy() -> None:
    """A 3-player game's path against scipy's solve_ivp at tight tolerance, on the plain field."""
    game = generic_three_player()
    start = [np.array([0.3, 0.7]), np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.4])]
    path = kurilsim.learn(game, "replicator", start=start, steps=100, step_size=0.05)
    norm = normalised_payoffs(game.payoffs)
    splits = np.cumsum(game.shape)[:-1]

    def field(_: float, x: np.ndarray) -> np.ndarray:
        return np.concatenate(replicator_field(norm, np.split(x, splits)))

    times = np.arange(101) * 0.05
    reference = solve_ivp(
        field, (0, times[-1]), np.concatenate(start), t_eval=times, rtol=1e-11, atol=1e-12
    )
    np.testing.assert_allclose(np.hstack(path.profiles), reference.y.T, atol=1e-7)


def test_replicator_reaches_the_payoff_dominant_stag_hunt_equilibrium_from_near_it() -> None:
    path = kurilsim.learn(catalogue.stag_hunt(), "replicator", start=[[0.9, 0.1]] * 2)
    assert path.converged and path.equilibrium is not None
    assert [p.tolist() for p in path.equilibrium] == [[1.0, 0.0], [1.0, 0.0]]
    assert path.equilibrium_regret == 0.0


@pytest.mark.parametrize(
    ("game", "precision"),
    [
        pytest.param(catalogue.stag_hunt(), 0.8, id="stag-hunt"),
        pytest.param(catalogue.battle_of_the_sexes(), 0.5, id="sexes"),
        pytest.param(generic_three_player(), 1.5, id="three-players"),
    ],
)
def test_logit_rest_point_is_the_logit_qre(game: NormalFormGame, precision: float) -> None:
    """From the centroid the logit dynamics come to rest at the principal branch's QRE."""
    path = kurilsim.learn(game, "logit", precision=precision, tol=1e-9)
    assert path.converged
    expected = logit_qre(game.payoffs, precision)
    for mine, reference in zip(path.limit, expected, strict=True):
        np.testing.assert_allclose(mine, reference, atol=1e-8)
    assert "logit quantal response equilibrium" in path.to_text()


def test_learning_on_the_2016_scenario() -> None:
    """From the uniform start fictitious play reaches a pure equilibrium that solve also finds."""
    scenario = kurilsim.load_scenario(SCENARIOS / "sochi_2016.yaml")
    path = kurilsim.learn(scenario, steps=2000)
    assert path.converged and path.equilibrium is not None
    chosen = tuple(int(p.argmax()) for p in path.equilibrium)
    assert [p.max() for p in path.equilibrium] == [1.0] * 4
    listed = kurilsim.solve(path.game)
    assert path.equilibrium_index is not None
    reached = listed[path.equilibrium_index - 1].profile
    assert chosen == tuple(int(p.argmax()) for p in reached)
    assert path.to_dict()["equilibrium"]["profile"]["Russia"]["joint_economic"] == 1.0
    assert path.parameters == scenario.parameter_values()


def test_an_equilibrium_in_a_continuum_is_the_last_point_itself() -> None:
    """Where every profile is an equilibrium, play stops where it starts, which no solver lists."""
    game = NormalFormGame(["A", "B"], [["x", "y"], ["x", "y"]], np.zeros((2, 2, 2)))
    path = kurilsim.learn(game, "replicator", start=[[0.3, 0.7], [0.6, 0.4]], steps=10)
    assert path.converged and path.equilibrium_index is None
    assert [p.tolist() for p in path.equilibrium] == [[0.3, 0.7], [0.6, 0.4]]
    assert path.equilibrium_regret == 0.0


def test_learning_in_the_normal_form_of_a_game_tree() -> None:
    """A tree scenario is played in its normal form; the equilibrium reached passes the check."""
    scenario = kurilsim.load_scenario(SCENARIOS / "sequence_1956.yaml")
    path = kurilsim.learn(scenario, steps=3000)
    values = scenario.parameter_values()
    assert path.game.players == scenario.form.normal_form(scenario, values).players
    assert path.converged and path.equilibrium is not None
    assert max_regret(path.game.payoffs, path.equilibrium) == path.equilibrium_regret
    assert path.equilibrium_regret <= path.tol * float(np.ptp(path.game.payoffs))


def test_result_protocol_and_representations() -> None:
    path = kurilsim.learn(catalogue.matching_pennies(), steps=20)
    assert isinstance(path, kurilsim.core.result.Result)
    frame = path.to_frame()
    assert list(frame.columns) == ["step", "time", "player", "strategy", "probability"]
    assert len(frame) == 21 * 4
    data = path.to_dict()
    assert data["method"] == "fictitious-play"
    assert len(data["trajectory"]["profiles"]["Even"]["Heads"]) == 21
    assert path.trajectory.shape == (21, 4)
    assert len(path.to_text(limit=0).splitlines()) == 3 + 1 + 21
    assert "<table" in path._repr_html_()


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ({"Nobody": [1, 0]}, "unknown player 'Nobody'"),
        ({"Even": [1, 0, 0]}, "start['Even']: expected 2 probabilities"),
        ({"Even": [1.5, -0.5]}, "must not be negative"),
        ([[1, 0]], "expected 2 mixtures"),
    ],
)
def test_bad_starts_are_refused(start: object, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        kurilsim.learn(catalogue.matching_pennies(), start=start)  # type: ignore[arg-type]


def test_bad_options_are_refused() -> None:
    game = catalogue.matching_pennies()
    with pytest.raises(InputError, match="unknown dynamics 'best-reply'"):
        kurilsim.learn(game, "best-reply")
    with pytest.raises(InputError, match="tol"):
        kurilsim.learn(game, tol=0.5)
    with pytest.raises(InputError, match="parameters can only be set for a scenario"):
        kurilsim.learn(game, parameters={"trust": 1.0})


@pytest.mark.parametrize(
    ("dynamics", "option", "message"),
    [
        ("fictitious-play", {"step_size": 0.1}, "replicator and logit, not of fictitious-play"),
        ("replicator", {"precision": 5.0}, "logit, not of replicator"),
        ("logit", {"seed": 3}, "fictitious-play, not of logit"),
    ],
)
def test_an_option_of_another_dynamics_is_refused(dynamics, option, message) -> None:
    # As the command line refuses it: an option that would change nothing is a mistake.
    (name,) = option
    with pytest.raises(InputError, match=f"^{name}: an option of {message}$"):
        kurilsim.learn(catalogue.matching_pennies(), dynamics, **option)


@pytest.mark.parametrize("dynamics", list(DYNAMICS))
def test_the_options_a_dynamics_takes_are_those_that_change_its_path(dynamics) -> None:
    """Each option of ``TAKEN_BY`` changes the path of the dynamics that take it, from a start
    with ties (which fictitious play breaks by the seed) or from one without; the others refuse
    it."""
    game = catalogue.rock_paper_scissors()
    others = {"seed": 5, "step_size": DEFAULT_STEP_SIZE / 2, "precision": 2.0}

    def path(start, **options):
        found = kurilsim.learn(game, dynamics, start=start, steps=40, **options)
        return np.concatenate([found.times, *(p.ravel() for p in found.profiles)])

    taken = {name for name, dynamics_taking in TAKEN_BY.items() if dynamics in dynamics_taking}
    for name in set(others) - taken:
        with pytest.raises(InputError, match=f"^{name}: an option of"):
            path(None, **{name: others[name]})
    changed = set()
    for start in (None, [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]):
        usual = path(start)
        changed |= {
            name for name in taken if not np.array_equal(path(start, **{name: others[name]}), usual)
        }
    assert changed == taken


@pytest.mark.parametrize("dynamics", list(DYNAMICS))
def test_a_path_too_long_to_hold_is_refused_before_it_is_run(dynamics: str) -> None:
    # 10^13 steps of 4 frequencies: 320 TB of path, refused at once rather than run for days.
    with pytest.raises(InputError, match="steps: a path of 10,000,000,000,000 steps"):
        kurilsim.learn(catalogue.matching_pennies(), dynamics, steps=10**13)


def brute_force_relative_regrets(payoffs: np.ndarray, profile: tuple[np.ndarray, ...]) -> list:
    """Each player's best gain from a pure deviation over their payoff range, from the joint law."""
    n = payoffs.shape[-1]
    joint = profile[0]
    for mixture in profile[1:]:
        joint = np.multiply.outer(joint, mixture)
    gains = []
    for i in range(n):
        u = payoffs[..., i]
        others = np.moveaxis(joint, i, 0).sum(axis=0)  # the others' joint law
        per_strategy = np.moveaxis(u, i, 0).reshape(u.shape[i], -1) @ others.reshape(-1)
        spread = float(np.ptp(u)) or 1.0
        gains.append((per_strategy.max() - float((u * joint).sum())) / spread)
    return gains


@settings(max_examples=20)
@given(small_games(), st.sampled_from(sorted(DYNAMICS)))
def test_paths_stay_on_the_simplex_and_equilibria_pass_a_brute_force_check(
    payoffs: np.ndarray, dynamics: str
) -> None:
    names = [[f"s{k}" for k in range(n)] for n in payoffs.shape[:-1]]
    game = NormalFormGame([f"P{i}" for i in range(payoffs.shape[-1])], names, payoffs)
    path = kurilsim.learn(game, dynamics, steps=200)
    for probs in path.profiles:
        assert probs.shape == (201, probs.shape[1])
        assert np.all(probs >= 0)
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)
    assert path.status in {"converged", "cycling", "not converged"}
    assert path.complete == (path.status == "converged")
    if path.equilibrium is not None:
        assert max(brute_force_relative_regrets(payoffs, path.equilibrium)) <= path.tol + 1e-9


def test_an_option_no_dynamics_lacks_is_refused_as_unknown() -> None:
    # Only the options of TAKEN_BY are checked: another is a mistake of the caller, said as one.
    with pytest.raises(
        InputError, match=r"^given: learn's check by dynamics has no option tol; options: "
    ):
        refuse_other_dynamics_options("logit", {"tol": "--tol"})
