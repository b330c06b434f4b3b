"""Forecast scores against hand-computed values, the baselines, and the era years."""

from __future__ import annotations

import math

import numpy as np
import pytest

import kurilsim
from kurilsim.analysis import likelihood
from kurilsim.analysis.backtest import (
    EraForecast,
    ForecastScores,
    brier,
    forecast_scores,
    log_loss,
    status_quo_profiles,
)
from kurilsim.core.errors import InputError
from kurilsim.core.schema import STATEMENTS_FILE
from tests.analysis.calibration_toy import CLOSED_FORM, write_eras
from tests.helpers import SCENARIOS, run_cli


def test_scores_by_hand():
    assert float(log_loss(0.25)) == pytest.approx(math.log(4))
    assert float(brier(0.25)) == pytest.approx(0.5625)
    assert float(log_loss(1.0)) == 0.0 and math.isinf(float(log_loss(0.0)))
    scores = ForecastScores(
        2000,
        (
            EraForecast("2000", True, 0.5, 0.4, 0.6, 0.25, 0.125),
            EraForecast("2001", False, 0.8, 0.7, 0.9, 0.5, 0.25),
            EraForecast("2002", False, 0.2, 0.1, 0.3, 0.5, 0.25),
        ),
        walkers=4,
        steps=2,
    )
    inside, outside = scores.mean_scores(True), scores.mean_scores(False)
    assert inside["model"] == pytest.approx({"log_loss": math.log(2), "brier": 0.25})
    assert outside["model"]["log_loss"] == pytest.approx((-math.log(0.8) - math.log(0.2)) / 2)
    assert outside["model"]["brier"] == pytest.approx((0.04 + 0.64) / 2)
    assert outside["uniform"] == pytest.approx({"log_loss": math.log(4), "brier": 0.5625})
    assert "out of sample: mean log loss / Brier" in scores.to_text()


def test_the_baselines_count_profiles():
    era = kurilsim.load_scenario(SCENARIOS / "era_1956.yaml")
    quo = status_quo_profiles(era)
    # Land moves only where Moscow offers, Tokyo accepts and Washington lets it (3 of 12).
    assert quo.sum() == 9 and quo.size == 12


def test_forecasts_in_and_out_of_sample(tmp_path, monkeypatch):
    monkeypatch.setitem(likelihood.RECORD_MODELS, "normal", CLOSED_FORM)
    folder = write_eras(tmp_path, [0.0, 0.2, 0.4, 0.1], ["mid", "mid", "high", "mid"])
    scores = forecast_scores(folder, 2001, walkers=4, steps=20, seed=1, draws=30)
    assert [(e.era, e.in_sample) for e in scores.eras] == [
        ("2000", True),
        ("2001", True),
        ("2002", False),
        ("2003", False),
    ]
    # Every profile is status quo in the toy (no islands): both baselines give 1 in 3.
    assert all(e.uniform == e.status_quo == pytest.approx(1 / 3) for e in scores.eras)
    assert all(0 < e.model_q05 <= e.model <= e.model_q95 < 1 for e in scores.eras)
    with pytest.raises(InputError, match="no era on or before 1999"):
        forecast_scores(folder, 1999, walkers=4, steps=2)


def test_the_backtest_command_reports_scores(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(likelihood.RECORD_MODELS, "normal", CLOSED_FORM)
    folder = write_eras(tmp_path, [0.0, 0.2, 0.4], ["mid", "mid", "high"])
    code, out, err = run_cli(
        capsys,
        "backtest",
        folder,
        "--fit-until",
        "2000",
        "--walkers",
        "4",
        "--steps",
        "3",
        "--samples",
        "50",
    )
    assert code == 0, err
    assert "calibrated on the eras up to 2000" in out and "in sample: mean log loss" in out
    assert np.isfinite(
        float(
            out.split("out of sample: mean log loss / Brier (lower is better): model ")[1].split(
                " /"
            )[0]
        )
    )


TOY_STATEMENTS = """\
kurilsim-statements: 1
statements:
  - id: T1
    text: In the first era A takes the middle option.
    checks:
      - {scenario: ../era_0.yaml, kind: some_match, outcome: {A: mid}}
  - id: T2
    text: In the second era A never takes the middle option.
    checks:
      - {scenario: ../era_1.yaml, kind: none_match, outcome: {A: mid}}
  - id: T3
    text: Something the toy cannot say.
    not_expressible: the toy has no such variable.
"""


def test_statements_are_checked_at_the_shared_parameters_given(tmp_path):
    from kurilsim.analysis.statements import check_statements, load_statements

    # Era 0's middle option is worth theta + 0.7: A's best choice above theta = 0.3 only.
    folder = write_eras(tmp_path, [0.7, 0.0], ["mid", "high"])
    (folder / "statements").mkdir()
    (folder / STATEMENTS_FILE).write_text(TOY_STATEMENTS, encoding="utf-8")
    statements = load_statements(folder / STATEMENTS_FILE)
    for theta, first in ((0.5, True), (0.1, False)):
        # A name no scenario takes from the shared file (the QRE precision) is passed over.
        verdicts = check_statements(
            statements, folder / "statements", shared={"theta": theta, "precision": 9}
        )
        assert [v.holds for v in verdicts] == [first, True, None]


def test_statements_get_their_share_of_posterior_draws(tmp_path, monkeypatch):
    monkeypatch.setitem(likelihood.RECORD_MODELS, "normal", CLOSED_FORM)
    folder = write_eras(tmp_path, [0.7, 0.0], ["mid", "high"])
    (folder / "statements").mkdir()
    (folder / STATEMENTS_FILE).write_text(TOY_STATEMENTS, encoding="utf-8")
    scores = forecast_scores(folder, 2000, walkers=4, steps=20, seed=1, statement_draws=10)
    shares = dict(scores.statements)
    assert set(shares) == {"T1", "T2"}  # the inexpressible one has no share
    assert shares["T2"] == 1.0 and 0.0 <= shares["T1"] <= 1.0
    assert shares["T1"] == pytest.approx(round(shares["T1"] * 10) / 10)  # a share of 10 draws
    assert scores.to_dict()["statements"] == shares
    assert "T1 " in scores.to_text() and "T2 100%" in scores.to_text()
