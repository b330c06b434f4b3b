"""The likelihood of the record: the traced QRE against a brute-force fixed point, the unit
invariance, and the forms without a probability model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

import kurilsim
from kurilsim.analysis.likelihood import profile_probabilities, record_probability
from kurilsim.core.errors import InputError
from tests.helpers import SCENARIOS

# A 2x2 coordination game with a parameter: a unique QRE at low precision.
GAME = """\
kurilsim: 1
title: coordination
parameters:
  gain: {default: 2.0, range: [0.5, 4.0], unit: u, description: gain, assumption: test}
players:
  A: [left, right]
  B: [left, right]
payoff_table:
  - {profile: [left, left], payoffs: [gain, 1]}
  - {profile: [left, right], payoffs: [0, 0]}
  - {profile: [right, left], payoffs: [0, 0]}
  - {profile: [right, right], payoffs: [1, 3]}
history:
  summary: both right
  outcome: {A: right, B: right}
  evidence: [E01]
"""


def brute_force(gain: float, lam: float) -> float:
    """P(right, right) from the logit fixed point on normalised payoffs, by root finding."""
    a = np.array([[gain, 0.0], [0.0, 1.0]]) / max(gain, 1.0)  # A's payoffs mapped onto [0, 1]
    b = np.array([[1.0, 0.0], [0.0, 3.0]]) / 3.0

    def gap(p: float) -> float:  # p: P(A plays left)
        q = 1 / (1 + np.exp(-lam * (b[:, 0] - b[:, 1]) @ [p, 1 - p]))  # P(B left)
        return float(1 / (1 + np.exp(-lam * (a[0] - a[1]) @ [q, 1 - q])) - p)

    p = optimize.brentq(gap, 0.0, 1.0, xtol=1e-14)
    q = 1 / (1 + np.exp(-lam * (b[:, 0] - b[:, 1]) @ [p, 1 - p]))
    return float((1 - p) * (1 - q))


@pytest.mark.parametrize(("gain", "lam"), [(2.0, 0.5), (0.5, 1.5), (4.0, 2.0), (1.0, 3.0)])
def test_the_record_probability_is_the_brute_force_fixed_point(gain, lam):
    # At these precisions the QRE is unique (lambda below 4 in units of each player's range).
    game = kurilsim.parse_scenario(GAME)
    got = record_probability(game, {"gain": gain}, lam)
    assert got[0] == pytest.approx(brute_force(gain, lam), abs=1e-9)


def test_a_batch_gives_each_point_its_own_probability():
    game = kurilsim.parse_scenario(GAME)
    got = record_probability(game, {"gain": [2.0, 0.5]}, [0.5, 1.5])
    np.testing.assert_allclose(got, [brute_force(2.0, 0.5), brute_force(0.5, 1.5)], atol=1e-9)


def test_profile_probabilities_are_distributions():
    era = kurilsim.load_scenario(SCENARIOS / "era_2013.yaml")
    p = profile_probabilities(era, {}, [0.0, 3.0, 40.0])
    np.testing.assert_allclose(p.reshape(3, -1).sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], 1 / p[0].size)


def test_rescaling_a_players_payoffs_changes_nothing():
    scaled = GAME.replace("payoffs: [gain, 1]", "payoffs: [gain, 10]").replace(
        "payoffs: [1, 3]", "payoffs: [1, 30]"
    )
    first = record_probability(kurilsim.parse_scenario(GAME), {}, 2.5)
    second = record_probability(kurilsim.parse_scenario(scaled), {}, 2.5)
    assert first[0] == pytest.approx(second[0], abs=1e-12)


def test_bad_input_is_refused_in_one_line():
    game = kurilsim.parse_scenario(GAME)
    with pytest.raises(InputError, match="precision must be"):
        record_probability(game, {}, -1.0)
    with pytest.raises(InputError, match="outside its declared range"):
        record_probability(game, {"gain": 9.0}, 1.0)
    conflict = kurilsim.load_scenario(SCENARIOS / "conflict_2018.yaml")
    with pytest.raises(InputError, match="not defined for the conflict form"):
        record_probability(conflict, {}, 1.0)
    no_history = kurilsim.load_scenario(SCENARIOS / "general.yaml")
    with pytest.raises(InputError, match="records no history"):
        record_probability(no_history, {}, 1.0)
