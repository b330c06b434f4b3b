"""Tipping points: thresholds where the pure equilibria change, checked by direct solves."""

import numpy as np
import pandas as pd
import pytest

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.analysis.tipping import tipping_points
from kurilsim.forms.normal.labels import regime
from tests.strategies import STAG_HUNT


@pytest.fixture(scope="module")
def sochi(request):
    return kurilsim.load_scenario(request.config.rootpath / "scenarios" / "sochi_2016.yaml")


def pure_regime(scenario, values):
    solution = scenario.solve(values, method="pure")
    names = [
        ", ".join(
            f"{p}: {max(probs, key=probs.get)}" for p, probs in solution.profile_dict(eq).items()
        )
        for eq in solution
    ]
    return regime(names)


def test_stag_hunt_tips_where_the_stag_stops_paying():
    # (stag, stag) is an equilibrium while stag >= hare: moving hare up tips at stag = 2.5, to
    # within the solver's tolerance (ties count as equilibria).
    table = tipping_points(parse_scenario(STAG_HUNT), ["hare"], fixed={"stag": 2.5}).to_frame()
    up = table[table["direction"] == "up"].iloc[0]
    assert up["threshold"] == pytest.approx(2.5, abs=1e-8)
    assert up["flips_to"] == "A: hare, B: hare"
    assert up["distance"] == pytest.approx(1.5, abs=1e-8)
    assert up["share"] == pytest.approx(0.5, abs=1e-8)
    down = table[table["direction"] == "down"].iloc[0]
    assert np.isnan(down["threshold"]) and pd.isna(down["flips_to"])


def test_every_threshold_separates_the_default_regime_from_the_new_one(sochi):
    tipping = tipping_points(sochi)
    table = tipping.to_frame()
    defaults = sochi.defaults()
    assert tipping.baseline == pure_regime(sochi, defaults)
    tipped = table[table["threshold"].notna()]
    assert len(tipped) >= 5
    for row in tipped.itertuples():
        sign = 1 if row.direction == "up" else -1
        width = row.high - row.low
        before = row.threshold - sign * 1e-6 * width
        after = np.clip(row.threshold + sign * width / 1000, row.low, row.high)
        assert pure_regime(sochi, defaults | {row.parameter: before}) == tipping.baseline
        assert pure_regime(sochi, defaults | {row.parameter: after}) == row.flips_to
        assert row.distance == pytest.approx(abs(row.threshold - row.default))
    steady = table[table["threshold"].isna()]
    for row in steady.itertuples():
        end = row.low if row.direction == "down" else row.high
        assert pure_regime(sochi, defaults | {row.parameter: end}) == tipping.baseline


def test_text_lists_the_nearest_tipping_points_first(sochi):
    text = tipping_points(sochi, ["trust", "sanctions", "pressure_cost"]).to_text()
    lines = text.splitlines()
    assert lines[1].startswith("at the defaults: Russia: joint_economic")
    assert lines[2].startswith("  pressure_cost down from 0.13 to 0.1 (12% of its range)")
    assert lines[-1] == "no change anywhere in the range: trust down, trust up, pressure_cost up"


def test_bad_requests_are_input_errors(sochi):
    with pytest.raises(InputError, match="unknown parameter 'trusts'"):
        tipping_points(sochi, ["trusts"])
    with pytest.raises(InputError, match="outside its declared range"):
        tipping_points(sochi, fixed={"trust": 3})
    with pytest.raises(InputError, match="resolution"):
        tipping_points(sochi, resolution=1)
