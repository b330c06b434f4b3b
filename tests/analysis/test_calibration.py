"""Calibration: the sampler against a posterior computed by quadrature, recovery of known values,
resuming an interrupted run, diagnostics and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

import kurilsim
from kurilsim.analysis import calibration, likelihood
from kurilsim.analysis.calibration import (
    PRECISION_RANGE,
    calibrate,
    calibration_problem,
    era_scenarios,
    prior_of,
)
from kurilsim.core.errors import InputError
from kurilsim.io.shared_parameters import load_shared_parameters
from tests.analysis.calibration_toy import (
    CLOSED_FORM,
    STRATEGIES,
    choice_probabilities,
    write_eras,
)
from tests.helpers import SCENARIOS, run_cli

SHIFTS = [0.0, 0.2, 0.4, 0.1]


@pytest.fixture
def closed_form(monkeypatch):
    """The toy eras' QRE by its closed form: the same numbers, a thousand times faster."""
    monkeypatch.setitem(likelihood.RECORD_MODELS, "normal", CLOSED_FORM)


def test_the_closed_form_is_the_traced_qre(tmp_path):
    eras, _ = era_scenarios(write_eras(tmp_path, SHIFTS[:2], ["mid", "high"]))
    theta, precision = np.array([0.1, 0.5, 0.3]), np.array([0.5, 4.0, 30.0])
    for era, shift in zip(eras, SHIFTS, strict=False):
        traced = likelihood.profile_probabilities(era, {"theta": theta}, precision)
        expected = choice_probabilities(theta, shift, precision)
        np.testing.assert_allclose(traced[:, :, 0], expected, atol=1e-9)


def grid_posterior(shifts, choices, theta, log_precision):
    """The posterior on a grid (uniform theta, log-uniform precision), by the closed form."""
    t, z = np.meshgrid(theta, log_precision, indexing="ij")
    log_post = np.zeros_like(t)
    for shift, choice in zip(shifts, choices, strict=True):
        p = choice_probabilities(t.ravel(), shift, np.exp(z.ravel()))
        log_post += np.log(p[:, STRATEGIES.index(choice)]).reshape(t.shape)
    weights = np.exp(log_post - log_post.max())
    return weights / weights.sum()


def test_the_sampler_matches_the_posterior_by_quadrature(tmp_path, closed_form):
    choices = ["mid", "mid", "high", "mid"]
    fit = calibrate(write_eras(tmp_path, SHIFTS, choices), walkers=16, steps=400, seed=3)
    theta = np.linspace(0, 0.6, 301)
    log_precision = np.linspace(*np.log(PRECISION_RANGE), 301)
    weights = grid_posterior(SHIFTS, choices, theta, log_precision)
    for k, (grid, draws) in enumerate(
        [(theta, fit.samples[:, 0]), (log_precision, np.log(fit.samples[:, 1]))]
    ):
        marginal = weights.sum(axis=1 - k)
        cdf = np.cumsum(marginal)
        for q in (0.1, 0.5, 0.9):
            exact = np.interp(q, cdf, grid)
            # Monte Carlo error of a quantile of correlated draws: a few percent of the range.
            assert np.quantile(draws, q) == pytest.approx(exact, abs=0.06 * (grid[-1] - grid[0]))
    # 400 steps are about 15 autocorrelation times: accurate here, yet short of emcee's 50.
    assert fit.diagnostics.too_short and max(fit.diagnostics.autocorr_time) < 40
    assert 0.15 < fit.diagnostics.acceptance < 0.8


def test_known_values_are_recovered(tmp_path, closed_form):
    # Truths drawn from the prior: then the 90% posterior interval holds the truth with
    # probability 0.9 exactly, and 5 or fewer hits in 10 has probability 0.0016.
    rng = np.random.default_rng(2026)
    shifts = [0.0, 0.1, 0.2, 0.3, 0.4, 0.0, 0.2, 0.4]
    covered = []
    for repetition in range(10):
        theta = rng.uniform(0, 0.6)
        precision = np.exp(rng.uniform(*np.log(PRECISION_RANGE)))
        probabilities = choice_probabilities(
            np.full(len(shifts), theta), 0.0, np.full(len(shifts), precision)
        )
        choices = []
        for shift in shifts:
            p = choice_probabilities(np.array([theta]), shift, np.array([precision]))[0]
            choices.append(STRATEGIES[rng.choice(3, p=p)])
        assert probabilities.shape == (len(shifts), 3)
        fit = calibrate(
            write_eras(tmp_path / str(repetition), shifts, choices),
            walkers=8,
            steps=150,
            seed=repetition,
        )
        summary = fit.summary()
        covered.append(summary["theta"]["q05"] <= theta <= summary["theta"]["q95"])
    assert sum(covered) >= 6, covered


def test_an_interrupted_run_resumes_to_the_same_chain(tmp_path, closed_form, monkeypatch):
    folder = write_eras(tmp_path / "eras", SHIFTS, ["mid", "low", "high", "mid"])
    whole = calibrate(folder, walkers=6, steps=9, seed=5, checkpoint=2)
    written = []
    write = calibration._ChainStore.write

    def interrupted(store, index, part):
        # Stopped (as by Ctrl-C) once two parts are written and the third is computed.
        if index == 2:
            raise KeyboardInterrupt
        written.append(index)
        write(store, index, part)

    out = tmp_path / "run"
    monkeypatch.setattr(calibration._ChainStore, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        calibrate(folder, walkers=6, steps=9, seed=5, checkpoint=2, output=out)
    assert sorted(p.name for p in out.glob("part-*")) == ["part-00000.npz", "part-00001.npz"]
    monkeypatch.setattr(calibration._ChainStore, "write", write)
    with pytest.raises(InputError, match="--resume"):
        calibrate(folder, walkers=6, steps=9, seed=5, checkpoint=2, output=out)
    with pytest.raises(InputError, match="differs in seed"):
        calibrate(folder, walkers=6, steps=9, seed=6, output=out, resume=True)
    resumed = calibrate(folder, walkers=6, steps=9, seed=5, checkpoint=2, output=out, resume=True)
    np.testing.assert_array_equal(resumed.chain, whole.chain)
    np.testing.assert_array_equal(resumed.record, whole.record)
    assert resumed.diagnostics == whole.diagnostics


def test_a_short_chain_is_flagged(tmp_path, closed_form):
    fit = calibrate(write_eras(tmp_path, SHIFTS, ["mid"] * 4), walkers=4, steps=5, seed=0)
    assert fit.diagnostics.too_short
    assert "too short" in fit.to_text() and fit.to_dict()["diagnostics"]["too_short"]


def test_a_zero_record_probability_is_not_counted_as_an_untraced_point(tmp_path, monkeypatch):
    # Below theta = 0.3 the model answers: the record has probability 0. From 0.3 up it cannot
    # trace the QRE (nan). No position has a likelihood, so no walker moves off its start.
    def model(scenario, values, precision):
        p = CLOSED_FORM.probabilities(scenario, values, precision).copy()
        theta = np.broadcast_to(np.asarray(values["theta"], dtype=float), precision.shape)
        p[theta < 0.3] = 0.0
        p[theta >= 0.3] = np.nan
        return p

    traced_or_zero = likelihood.RecordModel(model, CLOSED_FORM.recorded)
    monkeypatch.setitem(likelihood.RECORD_MODELS, "normal", traced_or_zero)
    fit = calibrate(write_eras(tmp_path, SHIFTS[:2], ["mid"] * 2), walkers=4, steps=3, seed=1)
    theta = fit.chain[..., 0]
    assert 0 < (theta < 0.3).sum() < theta.size  # both kinds occur
    assert fit.diagnostics.zero_points == int((theta < 0.3).sum())
    assert fit.diagnostics.failed_points == int((theta >= 0.3).sum())
    diagnostics = fit.to_dict()["diagnostics"]
    assert diagnostics["zero_points"] + diagnostics["failed_points"] == theta.size
    assert any("record probability 0" in w for w in diagnostics["warnings"])


def test_walkers_must_outnumber_the_quantities(tmp_path):
    with pytest.raises(InputError, match="at least twice"):
        calibrate(write_eras(tmp_path, SHIFTS, ["mid"] * 4), walkers=2, steps=2)


def test_the_poll_prior_is_a_beta_of_the_stated_strength():
    shared = load_shared_parameters(SCENARIOS / "shared" / "parameters.yaml")
    prior = prior_of("opposition_two", shared.parameters["opposition_two"])
    assert (prior.a, prior.b) == pytest.approx((71.0, 29.0))
    x = np.array([0.6, 0.7, 0.75])
    expected = stats.beta(71, 29).logpdf(x)
    np.testing.assert_allclose(np.diff(prior.log_density(x)), np.diff(expected))
    draws = prior.sample(np.random.default_rng(0), 5000)
    assert draws.min() >= 0.56 and draws.max() <= 0.78


def test_the_bundled_eras_share_the_declared_parameters():
    eras, skipped = era_scenarios(SCENARIOS)
    problem = calibration_problem(eras)
    assert [e.spec.era for e in eras] == ["1956", "1983", "2013", "2014", "2016", "2018", "2020"]
    assert problem.names == (
        "settle_cost",
        "package",
        "je_share",
        "wedge_value",
        "failure_cost",
        "opposition_two",
        "precision",
    )
    # Trees and signalling games of an era that has its normal-form file are left out: one
    # record is one observation.
    assert ("sequence_1956.yaml", "era 1956 is taken from era_1956.yaml") in skipped
    assert ("reassurance_2016.yaml", "era 2016 is taken from sochi_2016.yaml") in skipped
    assert ("ratification_2018.yaml", "era 2018 is taken from era_2018.yaml") in skipped
    assert ("repeated_joint_activity.yaml", "repeated form") in skipped


def test_the_command_line_calibrates_and_plots(tmp_path, capsys, closed_form):
    folder = write_eras(tmp_path / "eras", SHIFTS, ["mid", "mid", "high", "mid"])
    figure = tmp_path / "records.png"
    code, out, err = run_cli(
        capsys,
        "calibrate",
        folder,
        "--walkers",
        "4",
        "--steps",
        "4",
        "--out",
        tmp_path / "run",
        "--plot",
        figure,
        "--plot-kind",
        "records",
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert set(data["posterior"]) == {"theta", "precision"}
    assert data["diagnostics"]["too_short"] and figure.stat().st_size > 0
    code, _, err = run_cli(capsys, "calibrate", folder, "--resume")
    assert code == 2 and err.count("\n") == 1 and "--out" in err


def test_every_figure_draws_the_posterior(tmp_path, closed_form):
    fit = calibrate(write_eras(tmp_path, SHIFTS, ["mid"] * 4), walkers=4, steps=6, seed=0)
    marginals = kurilsim.plot(fit, "marginals")
    assert [ax.get_title() for ax in marginals.axes] == ["theta", "precision"]
    pairs = kurilsim.plot(fit, "pairs").axes[0]
    np.testing.assert_array_equal(pairs.collections[0].get_offsets()[:, 0], fit.samples[:, 0])
    records = kurilsim.plot(fit, "records").axes[0]
    assert [t.get_text() for t in records.get_yticklabels()] == list(fit.eras)


def test_a_folder_without_eras_is_named_in_the_refusal(tmp_path):
    (tmp_path / "notes.yaml").write_text("# nothing here\nkurilsim-shared: 1\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"^{tmp_path}: no era scenario with a recorded history"):
        kurilsim.calibrate(tmp_path, walkers=4, steps=2)


def test_a_folder_without_eras_to_fit_is_named_in_the_refusal():
    # Eras there, but none up to the year fitted until: one refusal, naming the folder as well.
    folder = str(SCENARIOS)
    with pytest.raises(InputError, match=f"^{folder}: no era scenario with a recorded history"):
        kurilsim.calibrate(folder, walkers=4, steps=2, fit_until=1900)
