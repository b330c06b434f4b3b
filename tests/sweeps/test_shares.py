"""Shares of outcomes and their Wilson intervals."""

import numpy as np
import pandas as pd
import pytest

from kurilsim.sweeps.shares import outcome_shares, wilson_interval


@pytest.mark.parametrize("trials", [1, 5, 10, 51, 1000, 123457])
def test_wilson_intervals_hold_the_observed_share_at_zero_and_one(trials):
    low, high = wilson_interval(np.array([0, trials]), trials)
    assert low[0] == 0 and high[1] == 1
    assert 0 < high[0] < 1 and 0 < low[1] < 1


def test_one_outcome_everywhere_has_an_interval_inside_zero_one():
    shares = outcome_shares(pd.Series(["A"] * 51))
    assert shares[["share", "high"]].to_numpy().tolist() == [[1.0, 1.0]]
    assert 0.9 < shares["low"].iloc[0] < 1


def test_a_grid_has_no_interval_and_grid_points_sharing_draws_count_as_the_draws():
    outcomes = pd.Series(["A"] * 300 + ["B"] * 100)  # 10 grid points x 40 draws
    grid = outcome_shares(outcomes, draws=0)
    assert grid[["low", "high"]].isna().all().all()
    pooled = outcome_shares(outcomes, draws=40)
    low, high = wilson_interval(np.array([30.0, 10.0]), 40)
    assert np.allclose(pooled["low"], low) and np.allclose(pooled["high"], high)
    independent = outcome_shares(outcomes)
    assert (independent["high"] - independent["low"] < pooled["high"] - pooled["low"]).all()
