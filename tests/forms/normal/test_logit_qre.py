"""Tests of kurilsim.forms.normal.logit_qre, its plot and the ``kurilsim qre`` command.

pygambit (GPL) appears here only as an independent reference: its logit QRE tracer checks ours at
given lambdas and at the limit; none of its code is used by kurilsim.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import kurilsim
from kurilsim import IterationLimitError, solve, write_nfg
from kurilsim.core.errors import InputError, KurilsimError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms import catalogue
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.logit_qre import (
    LogitBranch,
    logit_correspondence,
    logit_nash,
    logit_qre,
)
from kurilsim.forms.normal.regret import (
    FloatArray,
    is_equilibrium,
    normalised_payoffs,
    strategy_payoffs,
)
from kurilsim.forms.normal.support_enumeration import support_enumeration
from tests import literature
from tests.helpers import ROOT, run_cli
from tests.literature import OCHS
from tests.strategies import STAG_HUNT, random_game

Profile = tuple[FloatArray, ...]


def stack(*tables: object) -> FloatArray:
    """Payoff tensor from one table per player."""
    return np.stack([np.asarray(t, dtype=float) for t in tables], axis=-1)


def distance(first: Profile, second: Profile) -> float:
    return max(
        float(np.abs(np.asarray(p) - np.asarray(q)).max())
        for p, q in zip(first, second, strict=True)
    )


def logit_response(payoffs: FloatArray, profile: Profile, lam: float) -> Profile:
    """Each player's logit response to the profile, computed from its definition."""
    out = []
    for values in strategy_payoffs(payoffs, profile):
        weights = np.exp(lam * (values - values.max()))
        out.append(weights / weights.sum())
    return tuple(out)


def gambit_game(payoffs: FloatArray) -> gbt.Game:
    return gbt.Game.from_arrays(*[payoffs[..., i] for i in range(payoffs.shape[-1])])


def gambit_profile(game: gbt.Game, profile: object) -> Profile:
    return tuple(
        np.array([float(profile[s]) for s in player.strategies])  # type: ignore[index]
        for player in game.players
    )


# --- the QRE at given lambdas -----------------------------------------------------------------


@pytest.mark.parametrize(
    "payoffs",
    [
        pytest.param(catalogue.battle_of_the_sexes().payoffs, id="battle_of_the_sexes"),
        pytest.param(catalogue.rock_paper_scissors().payoffs, id="rock_paper_scissors"),
        pytest.param(catalogue.jordan_three_player_pennies().payoffs, id="jordan"),
        pytest.param(random_game(0, (3, 2, 4)), id="random_3x2x4"),
    ],
)
def test_at_lambda_zero_the_qre_is_the_centroid(payoffs):
    for p, n in zip(logit_qre(payoffs, 0.0), payoffs.shape[:-1], strict=True):
        np.testing.assert_array_equal(p, np.full(n, 1 / n))


@pytest.mark.parametrize("lam", [0.1, 1.0, 7.5, 100.0])
def test_matching_pennies_is_uniform_at_every_lambda(lam):
    for p in logit_qre(catalogue.matching_pennies().payoffs, lam):
        np.testing.assert_allclose(p, [0.5, 0.5], atol=1e-12)


@pytest.mark.parametrize("lam", [0.25, 1.0, 3.0, 12.0])
@pytest.mark.parametrize(("units", "column_range"), [("payoff", 2.5), ("relative", 1.0)])
def test_a_dominance_game_matches_its_closed_form(lam, units, column_range):
    # Row's payoff depends only on its own strategy (Top is worth 1 more, Row's whole range), so
    # Row plays Top with p = 1 / (1 + exp(-lam)); Column earns c for matching Row, so it plays
    # Left with 1 / (1 + exp(-lam * c * (2p - 1))), where c counts as 1 in relative units.
    c = 2.5
    payoffs = stack([[1, 1], [0, 0]], [[c, 0], [0, c]])
    row, column = logit_qre(payoffs, lam, units=units)
    p = 1 / (1 + np.exp(-lam))
    q = 1 / (1 + np.exp(-lam * column_range * (2 * p - 1)))
    np.testing.assert_allclose(row, [p, 1 - p], rtol=0, atol=1e-8)
    np.testing.assert_allclose(column, [q, 1 - q], rtol=0, atol=1e-8)


def test_a_one_player_game_is_a_logit_choice():
    values = np.array([1.0, 0.0, 0.5])
    (p,) = logit_qre(values[:, None], 2.0)
    np.testing.assert_allclose(p, np.exp(2 * values) / np.exp(2 * values).sum(), atol=1e-12)


@pytest.mark.parametrize(
    ("shape", "seed"), [((2, 2, 2), 3), ((3, 3, 2), 4), ((2, 2, 2, 2), 5), ((3, 2, 2, 2), 6)]
)
@pytest.mark.parametrize("units", ["relative", "payoff"])
def test_every_point_of_the_branch_is_a_logit_qre(shape, seed, units):
    payoffs = random_game(seed, shape)
    branch = logit_correspondence(payoffs, lam_max=20.0, units=units)
    # In relative units each player responds to their payoffs mapped onto [0, 1].
    responding = normalised_payoffs(payoffs) if units == "relative" else payoffs
    for k in range(0, len(branch), 3):
        profile = branch.profile(k)
        for p in profile:
            assert p.min() > 0 and p.sum() == pytest.approx(1, abs=1e-12)
        assert distance(profile, logit_response(responding, profile, branch.lambdas[k])) < 1e-9


def test_lambda_in_payoff_units_is_in_the_games_units():
    payoffs = random_game(7, (2, 3, 2))
    scaled = 1e9 * payoffs + 3e9
    found = logit_qre(scaled, 2e-9, units="payoff")
    assert distance(logit_qre(payoffs, 2.0, units="payoff"), found) < 1e-9
    assert distance(logit_nash(payoffs, units="payoff"), logit_nash(scaled, units="payoff")) < 1e-9


def test_relative_lambda_is_a_pure_number():
    payoffs = random_game(7, (2, 3, 2))
    scaled = 1e9 * payoffs + 3e9
    assert distance(logit_qre(payoffs, 2.0), logit_qre(scaled, 2.0)) < 1e-9
    assert distance(logit_nash(payoffs), logit_nash(scaled)) < 1e-9


def test_an_unknown_unit_is_refused():
    with pytest.raises(InputError, match="units must be one of relative, payoff, got 'euros'"):
        logit_qre(catalogue.stag_hunt().payoffs, 1.0, units="euros")  # type: ignore[arg-type]


# --- the branch converges to a Nash equilibrium ------------------------------------------------


def test_the_stag_hunt_branch_selects_the_risk_dominant_equilibrium():
    # Both hunting hare risk-dominates both hunting stag (Harsanyi and Selten 1988): the losses
    # from a unilateral deviation are 3 at (Hare, Hare) and 1 at (Stag, Stag). In symmetric 2x2
    # coordination games the principal logit branch goes to the risk-dominant equilibrium.
    payoffs = catalogue.stag_hunt().payoffs
    branch = logit_correspondence(payoffs)
    assert np.all(np.diff(branch.profiles[0][:, 0]) < 1e-12)  # stag is abandoned steadily
    assert distance(branch.profile(-1), (np.array([0, 1]), np.array([0, 1]))) < 1e-9
    assert distance(logit_nash(payoffs), (np.array([0.0, 1.0]), np.array([0.0, 1.0]))) == 0


def test_ochs_asymmetric_pennies_own_payoff_effect_and_limit():
    branch = logit_correspondence(OCHS)
    assert np.all(branch.profiles[0][1:, 0] > 0.5)  # McKelvey and Palfrey 1995, section 4
    assert branch.max_regrets[-1] < 1e-2
    row, column = logit_nash(OCHS)
    np.testing.assert_allclose(row, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(column, [0.1, 0.9], atol=1e-12)


@pytest.mark.parametrize(
    "game",
    [
        pytest.param(catalogue.battle_of_the_sexes(), id="battle_of_the_sexes"),
        pytest.param(catalogue.stag_hunt(), id="stag_hunt"),
        pytest.param(catalogue.jordan_three_player_pennies(), id="jordan"),
        pytest.param(NormalFormGame(("A",) * 1, (("x", "y"),), [[1.0], [0.0]]), id="one_player"),
    ],
)
def test_max_regret_goes_to_zero_as_lambda_grows(game):
    branch = logit_correspondence(game.payoffs, lam_max=1e4)
    regrets = branch.max_regrets
    # Regret falls at least like 1/lambda once lambda is large: compare decades.
    for lam in (100.0, 1000.0):
        here = regrets[np.searchsorted(branch.lambdas, lam)]
        assert here <= 0.2 * regrets[np.searchsorted(branch.lambdas, lam / 10)] + 1e-12
    assert regrets[-1] < 1e-3
    limit = logit_nash(game.payoffs)
    assert is_equilibrium(game.payoffs, limit, DEFAULT_TOL)
    assert distance(limit, branch.profile(-1)) < 1e-3


def test_jordans_pennies_stay_at_the_uniform_equilibrium():
    branch = logit_correspondence(catalogue.jordan_three_player_pennies().payoffs, lam_max=1e3)
    for p in branch.profiles:
        np.testing.assert_allclose(p, 0.5, atol=1e-12)
    for p in logit_nash(catalogue.jordan_three_player_pennies().payoffs):
        np.testing.assert_allclose(p, [0.5, 0.5], atol=1e-12)


# --- against pygambit ------------------------------------------------------------------------


@pytest.mark.reference
@pytest.mark.parametrize(
    ("shape", "seed"),
    [((2, 2, 2), 11), ((3, 3, 3), 12), ((2, 2, 2, 2), 13), ((3, 2, 3, 2), 14), ((2, 2, 2, 2), 15)],
)
def test_agrees_with_gambit_at_given_lambdas_and_at_the_limit(shape, seed):
    payoffs = random_game(seed, shape)
    game = gambit_game(payoffs)
    for lam in (0.3, 1.0, 3.0):
        reference = gbt.qre.logit_solve_lambda(game, lam)
        reference = reference[0] if isinstance(reference, list) else reference
        found = logit_qre(payoffs, lam, units="payoff")  # Gambit's lambda is in payoff units
        assert distance(found, gambit_profile(game, reference.profile)) < 1e-6
    # Gambit stops its trace once the branch's regret is below 1e-8, a few 1e-7 from the limit.
    limit = gbt.nash.logit_solve(game).equilibria[0]
    assert distance(logit_nash(payoffs, units="payoff"), gambit_profile(game, limit)) < 1e-5


#: Positive affine maps of every payoff, including ones whose results carry rounding errors.
RESCALINGS = [
    pytest.param(lambda u: u, id="as-is"),
    pytest.param(lambda u: u * 1e9, id="times-1e9"),
    pytest.param(lambda u: u / 3 + 1e6, id="thirds-plus-1e6"),
    pytest.param(lambda u: u * 1e-7 + 1e6, id="times-1e-7-plus-1e6"),
]


@pytest.mark.reference
@pytest.mark.parametrize(
    ("payoffs", "limit"),
    literature.cases("payoffs", "logit_limit", where=literature.has_logit_limit),
)
@pytest.mark.parametrize("rescale", RESCALINGS)
def test_the_limit_is_where_the_branch_ends(payoffs, limit, rescale):
    game = np.asarray(payoffs, dtype=float)
    found = logit_nash(rescale(game))
    assert distance(found, tuple(np.array(p, dtype=float) for p in limit)) < 1e-4
    reference_game = gambit_game(game.astype(int))
    reference = gbt.nash.logit_solve(reference_game).equilibria[0]
    assert distance(found, gambit_profile(reference_game, reference)) < 1e-3


@pytest.mark.parametrize("rescale", RESCALINGS)
def test_shifted_payoffs_do_not_stall_the_trace(rescale):
    # Payoffs of 1e6 plus a small range once lost most of their digits in the branch's
    # equations, and the trace stopped at its step bound.
    payoffs = random_game(3, (3, 2))
    expected = logit_nash(payoffs)
    assert distance(logit_nash(rescale(payoffs)), expected) < 1e-6


# --- the two N-player methods check each other -------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "seed"),
    [((2, 2, 2, 2), s) for s in (0, 1, 3, 7, 23)] + [((2, 2, 2), s) for s in range(100, 110)],
)
def test_logit_limit_is_among_the_supports_enumerated(shape, seed):
    payoffs = random_game(seed, shape)
    limit = logit_nash(payoffs)
    found, complete = support_enumeration(payoffs)
    assert complete
    assert is_equilibrium(payoffs, limit, DEFAULT_TOL)
    assert all(is_equilibrium(payoffs, eq, DEFAULT_TOL) for eq in found)
    assert min(distance(limit, eq) for eq in found) < 1e-6


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.sampled_from([(2, 2), (3, 2), (2, 2, 2), (3, 2, 2), (2, 2, 2, 2)]),
)
def test_the_limit_is_a_verified_equilibrium_of_any_random_game(seed, shape):
    payoffs = random_game(seed, shape)
    assert is_equilibrium(payoffs, logit_nash(payoffs), DEFAULT_TOL)


def test_the_facade_verifies_and_reports_the_logit_limit():
    solution = solve(catalogue.battle_of_the_sexes(), "logit")
    assert solution.method == "logit" and solution.complete
    assert "logit QRE" in solution.scope
    (equilibrium,) = solution
    all_equilibria = solve(catalogue.battle_of_the_sexes(), "vertex-enumeration")
    assert min(distance(equilibrium.profile, eq.profile) for eq in all_equilibria) < 1e-9


# --- bounds and bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda u: logit_nash(u, max_steps=1), id="logit_nash"),
        pytest.param(lambda u: logit_correspondence(u, max_steps=1), id="correspondence"),
        pytest.param(lambda u: logit_qre(u, 5.0, max_steps=1), id="logit_qre"),
    ],
)
def test_max_steps_raises_a_clear_iteration_limit_error(call):
    with pytest.raises(IterationLimitError, match=r"max_steps=1; the branch reached lambda=") as e:
        call(catalogue.stag_hunt().payoffs)
    assert e.value.method == "logit"
    assert "max regret" in str(e.value)


def test_a_failed_solve_at_the_target_lambda_is_reported(monkeypatch):
    monkeypatch.setattr("kurilsim.forms.normal.logit_qre._newton", lambda *args, **kwargs: None)
    with pytest.raises(KurilsimError, match="did not converge at lambda=2"):
        logit_qre(catalogue.stag_hunt().payoffs, 2.0)


@pytest.mark.parametrize(("seconds", "shown"), [(1e-9, "1e-09"), (0.0, "0")])
def test_time_bound_raises_through_the_facade(seconds, shown):
    # 0 is a bound like any other, as the command line's --max-seconds takes it for every method.
    with pytest.raises(IterationLimitError, match=rf"max_seconds={shown};"):
        solve(catalogue.stag_hunt(), "logit", max_seconds=seconds)


@pytest.mark.parametrize(
    ("payoffs", "options", "message"),
    [
        (np.zeros((2, 2)), {}, "shape"),
        (np.full((2, 2, 2), np.nan), {}, "finite"),
        (np.zeros((2, 2, 2)), {"lam": -1.0}, "lam must be"),
        (np.zeros((2, 2, 2)), {"lam": np.inf}, "lam must be"),
        (np.zeros((2, 2, 2)), {"max_steps": 0}, "max_steps"),
        (np.zeros((2, 2, 2)), {"max_seconds": -1.0}, "max_seconds"),
        (np.zeros((2, 2, 2)), {"max_seconds": np.nan}, "max_seconds"),
        (np.zeros((2, 2, 2)), {"max_accel": 0.5}, "max_accel"),
        (np.zeros((2, 2, 2)), {"first_step": -1.0}, "first_step"),
    ],
)
def test_bad_input_is_refused(payoffs, options, message):
    options = {"lam": 1.0, **options}
    with pytest.raises(InputError, match=message):
        logit_qre(payoffs, **options)


# --- the branch as data and as a figure --------------------------------------------------------


@pytest.fixture(scope="module")
def bos_branch() -> LogitBranch:
    game = catalogue.battle_of_the_sexes()
    return logit_correspondence(game.payoffs, lam_max=50.0).labelled(game)


def test_branch_to_frame_is_tidy(bos_branch):
    frame = bos_branch.to_frame()
    assert list(frame.columns) == ["step", "lambda", "player", "strategy", "probability"]
    assert len(frame) == len(bos_branch) * 4
    sums = frame.groupby(["step", "player"])["probability"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)
    wife_opera = frame[(frame.player == "Wife") & (frame.strategy == "Opera")]
    np.testing.assert_allclose(wife_opera["probability"], bos_branch.profiles[0][:, 0])
    np.testing.assert_allclose(wife_opera["lambda"], bos_branch.lambdas)


def test_branch_starts_at_zero_and_ends_at_lam_max(bos_branch):
    assert bos_branch.lambdas[0] == 0 and bos_branch.lambdas[-1] == 50.0
    points = bos_branch.to_dict()["points"]
    assert len(points) == len(bos_branch)
    assert points[-1]["profile"]["Wife"]["Opera"] == pytest.approx(bos_branch.profiles[0][-1, 0])


def test_labelled_refuses_a_game_of_another_shape(bos_branch):
    with pytest.raises(InputError, match="shape"):
        bos_branch.labelled(catalogue.rock_paper_scissors())


def test_plot_draws_every_strategy_against_lambda(bos_branch):
    figure = kurilsim.plot(bos_branch, kind="probabilities")
    assert isinstance(figure, Figure)
    (axes,) = figure.axes
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == [
        "Wife: Opera",
        "Wife: Fight",
        "Husband: Opera",
        "Husband: Fight",
    ]
    for line, (player, k) in zip(lines, [(0, 0), (0, 1), (1, 0), (1, 1)], strict=True):
        np.testing.assert_array_equal(line.get_xdata(), bos_branch.lambdas)
        np.testing.assert_array_equal(line.get_ydata(), bos_branch.profiles[player][:, k])
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert axes.get_xscale() == "symlog"
    assert "lambda" in axes.get_xlabel() and axes.get_ylabel() == "probability"
    assert axes.get_legend() is not None


def test_plot_draws_on_given_axes_with_a_linear_lambda(bos_branch):
    figure = Figure()
    axes = figure.add_subplot()
    assert kurilsim.plot(bos_branch, kind="probabilities", ax=axes, log_lambda=False) is figure
    assert axes.get_xscale() == "linear"


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def pennies_file(tmp_path):
    path = tmp_path / "jordan.nfg"
    write_nfg(catalogue.jordan_three_player_pennies(), path)
    return path


def test_qre_prints_the_branch_and_its_limit_and_saves_the_plot(capsys, pennies_file, tmp_path):
    figure = tmp_path / "branch.png"
    code, out, err = run_cli(capsys, "qre", pennies_file, "--lambda-max", 20, "--plot", figure)
    assert code == 0, err
    assert "lambda" in out and "Player 1: H" in out and "max regret" in out
    assert "Its limit:" in out and "method logit" in out
    assert figure.stat().st_size > 0


def test_qre_json_holds_every_point_and_the_limit(capsys, tmp_path):
    scenario = tmp_path / "stag.yaml"
    scenario.write_text(STAG_HUNT, encoding="utf-8")
    code, out, err = run_cli(capsys, "qre", scenario, "--set", "stag=5", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    points = result["branch"]["points"]
    assert points[0]["lambda"] == 0 and points[0]["profile"]["A"] == {"stag": 0.5, "hare": 0.5}
    assert result["limit"]["method"] == "logit"
    assert result["limit"]["parameters"]["stag"] == 5.0
    assert len(result["limit"]["equilibria"]) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "x=1"], "parameters can only be set"),
        (["--plot", "branch.txt"], "--plot"),
        (["--lambda-max", "-1"], "--lambda-max"),
    ],
)
def test_qre_refuses_bad_options(capsys, pennies_file, extra, message):
    code, _, err = run_cli(capsys, "qre", pennies_file, *extra)
    assert code == 2 and message in err


@pytest.mark.parametrize(
    ("name", "what"),
    [("bargaining_2016.yaml", "a bargaining problem"), ("conflict_2018.yaml", "a conflict")],
)
def test_qre_refuses_a_scenario_without_a_normal_form_in_one_line(capsys, name, what):
    path = ROOT / "scenarios" / name
    code, _, err = run_cli(capsys, "qre", path)
    assert code == 2
    assert err.strip().splitlines() == [
        f"kurilsim: error: {path}: {what} has no normal form: it is not a game in strategies"
    ]


def test_qre_of_a_game_tree_ends_where_compare_puts_the_tree_logit_qre(capsys):
    path = ROOT / "scenarios" / "sequence_1956.yaml"
    code, out, err = run_cli(capsys, "qre", path, "--format", "json")
    assert code == 0, err
    limit = json.loads(out)["limit"]
    (equilibrium,) = limit["equilibria"]
    scenario = kurilsim.load_scenario(path)
    tree = scenario.game()
    mixtures = [np.array(list(equilibrium["profile"][p].values())) for p in tree.players]
    # The distribution over leaves the limit induces, as compare computes it for its QRE row.
    reach = np.zeros(len(tree.leaves))
    for profile in itertools.product(*(range(len(mix)) for mix in mixtures)):
        weight = float(np.prod([mix[s] for mix, s in zip(mixtures, profile, strict=True)]))
        reach += weight * tree.leaf_probabilities(tree.profile_choices(profile))
    end = scenario.solve().path_text(np.eye(len(tree.leaves))[int(np.argmax(reach))])
    panel = scenario.form.compare(scenario, scenario.defaults(), None, None, DEFAULT_TOL, None)
    (row,) = [p for p in panel.predictions if p.concept.startswith("logit QRE")]
    assert row.outcome == end


def test_run_accepts_the_logit_method(capsys, pennies_file):
    code, out, err = run_cli(capsys, "run", pennies_file, "--method", "logit")
    assert code == 0, err
    assert "1 equilibrium" in out and "H 0.5, T 0.5" in out


def test_a_branch_stopped_short_at_an_equilibrium_returns_it():
    """A degenerate 6 x 10 game of 0/1 payoffs, found by a random search over such games.

    The steps become too short to follow the branch near lambda 4e7, where its point already
    passes the regret check (2.5e-10 of a payoff range), while the polish on its support does
    not converge. The probabilities below 1e-6 it keeps on four strategies are needed: without
    them the row player's regret is 2.3e-8.
    """
    payoffs = np.random.default_rng(68).integers(0, 2, (6, 10, 2)).astype(float)
    profile = logit_nash(payoffs)
    assert is_equilibrium(payoffs, profile, DEFAULT_TOL)
    assert all(abs(p.sum() - 1) < 1e-12 and p.min() >= 0 for p in profile)
    assert abs(profile[1][2] - 0.5) < 1e-5 and abs(profile[1][3] - 0.5) < 1e-5
