"""The likelihood of the record in trees and signalling games: hand computations, a brute-force
agent QRE by root finding, proper probabilities, and the limit of subgame-perfect / perfect
Bayesian play as the precision grows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

import kurilsim
from kurilsim.analysis.backtest import backtest_scenario, forecast_scores
from kurilsim.analysis.calibration import calibrate, era_scenarios
from kurilsim.analysis.likelihood import profile_probabilities, record_probability
from kurilsim.analysis.tree_play import check_deal, leaf_deals, recorded_leaves, tree_shape
from kurilsim.forms.bayesian.concepts import chance_of_deal, deal_array
from kurilsim.forms.bayesian.harsanyi import to_information_tree
from kurilsim.forms.information import logit_batch
from kurilsim.forms.information.agent_logit import _Logit
from kurilsim.forms.information.logit_batch import relative_payoffs
from tests.analysis.test_tree_outputs import OFFER, relative
from tests.helpers import SCENARIOS

#: A sender of two types (strong with probability ``p``) talks or keeps quiet; the receiver says
#: yes or no. Talk is cheap for the strong type only; yes pays the receiver against the strong.
SIGNAL = """\
kurilsim: 1
form: bayesian
kind: signalling
title: cheap talk for one type
parameters:
  p: {default: 0.4, range: [0.1, 0.9], unit: probability, description: p, assumption: toy}
sender: S
receiver: R
types:
  S: {strong: p, weak: 1 - p}
messages: [talk, quiet]
responses: ["yes", "no"]
outcomes:
  deal: {description: the receiver says yes, value: "yes"}
payoffs:
  S: 2 * yes - talk * (strong * 0.2 + weak * 1.5)
  R: yes * (strong - 0.5 * weak)
history:
  summary: the sender talked and the receiver said yes
  outcome: {S: talk, R: "yes"}
  evidence: [E01]
"""

TREES = ["sequence_1956.yaml", "credibility_1956.yaml", "reassurance_2016.yaml",
         "ratification_2018.yaml"]  # fmt: skip


def logistic(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


@pytest.mark.parametrize("lam", [0.0, 1.0, 4.0, 20.0])
def test_the_record_of_a_tree_is_logit_backward_induction_by_hand(lam):
    offer_tree = OFFER + (
        "history: {summary: offered and refused, outcome: {A: offer, B: reject}, evidence: [E01]}\n"
    )
    scenario = kurilsim.parse_scenario(offer_tree)
    got = record_probability(scenario, {"x": [1.0, 2.5]}, lam)
    for value, x in zip(got, [1.0, 2.5], strict=True):
        high = max(3.0, x)
        accept = logistic(lam * (relative(2, -1, 2) - relative(-1, -1, 2)))
        offered = accept * relative(3, -1, high) + (1 - accept) * relative(-1, -1, high)
        offer = logistic(lam * (offered - relative(x, -1, high)))
        assert value == pytest.approx(offer * (1 - accept), abs=1e-10)


def brute_force_signal(p: float, lam: float) -> float:
    """P(talk, yes) at the agent QRE of :data:`SIGNAL`, by root finding on its four equations."""
    rel_s = lambda u: (u + 1.5) / 3.5  # noqa: E731  S's payoffs run from -1.5 to 2
    rel_r = lambda u: (u + 0.5) / 1.5  # noqa: E731  R's from -0.5 to 1
    cost = {"strong": 0.2, "weak": 1.5}
    gain = {"strong": 1.0, "weak": -0.5}
    prior = {"strong": p, "weak": 1 - p}

    def gaps(x: np.ndarray) -> np.ndarray:
        talk = {"strong": x[0], "weak": x[1]}
        yes = {"talk": x[2], "quiet": x[3]}
        out = []
        for t in ("strong", "weak"):
            value_talk = yes["talk"] * rel_s(2 - cost[t]) + (1 - yes["talk"]) * rel_s(-cost[t])
            value_quiet = yes["quiet"] * rel_s(2) + (1 - yes["quiet"]) * rel_s(0)
            out.append(logistic(lam * (value_talk - value_quiet)) - talk[t])
        for m in ("talk", "quiet"):
            weight = {
                t: prior[t] * (talk[t] if m == "talk" else 1 - talk[t]) for t in ("strong", "weak")
            }
            total = sum(weight.values())
            edge = sum(weight[t] / total * (rel_r(gain[t]) - rel_r(0)) for t in weight)
            out.append(logistic(lam * edge) - yes[m])
        return np.array(out)

    # root, not fsolve: fsolve warns when xtol is below what rounding allows, which the
    # residual check below settles either way.
    x = optimize.root(gaps, np.full(4, 0.5), method="hybr", options={"xtol": 1e-14}).x
    assert np.abs(gaps(x)).max() < 1e-10
    return p * x[0] * x[2] + (1 - p) * x[1] * x[2]


@pytest.mark.parametrize(("p", "lam"), [(0.4, 1.0), (0.7, 3.0), (0.2, 5.0)])
def test_the_record_of_a_signalling_game_is_the_brute_force_agent_qre(p, lam):
    scenario = kurilsim.parse_scenario(SIGNAL)
    got = record_probability(scenario, {"p": p}, lam)
    assert got[0] == pytest.approx(brute_force_signal(p, lam), abs=1e-8)


@settings(max_examples=8, deadline=None)
@given(
    name=st.sampled_from(TREES),
    draw=st.floats(0, 1),
    lam=st.floats(0, 60),
)
def test_leaf_probabilities_are_distributions(name, draw, lam):
    scenario = kurilsim.load_scenario(SCENARIOS / name)
    values = {
        n: p.range[0] + draw * (p.range[1] - p.range[0]) for n, p in scenario.parameters.items()
    }
    leaves = profile_probabilities(scenario, values, lam)
    assert leaves.shape == (1, len(recorded_leaves(scenario)))
    assert np.all(leaves >= 0) and leaves.sum() == pytest.approx(1, abs=1e-9)
    record = record_probability(scenario, values, lam)[0]
    assert 0 <= record <= 1


def _equilibrium_leaves(scenario) -> list[np.ndarray]:
    """Each equilibrium's distribution over the leaves, by the form's own solver."""
    solution = scenario.solve()
    if scenario.form.name == "extensive":
        return [eq.leaf_probabilities for eq in solution]
    shape = deal_array(solution.game, "deal > 0").shape
    size = int(np.prod(shape))
    return [
        np.array([chance_of_deal(solution, e, np.eye(size)[k].reshape(shape)) for k in range(size)])
        for e in solution
    ]


def _outcome_classes(scenario) -> np.ndarray:
    """Leaves that pay everyone the same and agree on the deal and the record share a class.

    A move after which every leaf is alike (the sender's last move once nothing more is at
    stake, say) is a tie: the QRE splits it evenly, an equilibrium lists one side.
    """
    tree = tree_shape(scenario)
    at = scenario.parameter_values()
    deal = leaf_deals(scenario, at, check_deal(scenario, ""))[0]
    keys = [
        (*np.round(tree.payoffs[k], 9).tolist(), bool(deal[k]), bool(recorded))
        for k, recorded in enumerate(recorded_leaves(scenario))
    ]
    distinct = sorted(set(keys))
    return np.array([distinct.index(key) for key in keys])


@pytest.mark.parametrize("name", TREES)
def test_as_the_precision_grows_play_tends_to_an_equilibrium_path(name):
    scenario = kurilsim.load_scenario(SCENARIOS / name)
    classes = _outcome_classes(scenario)

    def grouped(leaves: np.ndarray) -> np.ndarray:
        return np.bincount(classes, weights=leaves, minlength=classes.max() + 1)

    rows = profile_probabilities(scenario, {}, [10.0, 500.0])
    paths = [grouped(path) for path in _equilibrium_leaves(scenario)]
    distance = [min(np.abs(grouped(row) - path).sum() for path in paths) for row in rows]
    assert distance[1] < 0.01 and distance[1] < distance[0]


def test_the_1956_tree_makes_its_record_near_certain_at_high_precision():
    sequence = kurilsim.load_scenario(SCENARIOS / "sequence_1956.yaml")
    probabilities = record_probability(sequence, {}, [0.0, 5.0, 50.0, 500.0])
    assert probabilities[0] == pytest.approx(1 / 8)
    assert np.all(np.diff(probabilities) > 0) and probabilities[-1] > 0.999


def test_tree_eras_calibrate_when_they_are_the_only_record_of_their_era(tmp_path):
    for name in ("sequence_1956.yaml", "reassurance_2016.yaml", "general.yaml"):
        (tmp_path / name).write_text((SCENARIOS / name).read_text(encoding="utf-8"))
    eras, skipped = era_scenarios(tmp_path)
    assert [e.source.split("/")[-1] for e in eras] == [
        "sequence_1956.yaml",
        "reassurance_2016.yaml",
    ]
    assert skipped == [("general.yaml", "no recorded history")]
    fit = calibrate(eras, walkers=4, steps=6, seed=1)
    assert fit.names == ("precision",)
    assert np.all((fit.record_samples > 0) & (fit.record_samples <= 1))


def test_a_tree_era_is_backtested_and_forecast(tmp_path):
    sequence = kurilsim.load_scenario(SCENARIOS / "sequence_1956.yaml")
    era = backtest_scenario(sequence, samples=20)
    assert era.match and era.predicted == ("offer_two > threaten > demand_four",)
    for name in ("sequence_1956.yaml", "reassurance_2016.yaml"):
        (tmp_path / name).write_text((SCENARIOS / name).read_text(encoding="utf-8"))
    scores = forecast_scores(tmp_path, 1956, walkers=4, steps=4, draws=8)
    first, second = scores.eras
    assert (first.era, first.in_sample, second.era, second.in_sample) == (
        "1956",
        True,
        "2016",
        False,
    )
    # 1956: the record is one of 6 leaves, and one of the 3 where no land moves.
    assert first.uniform == pytest.approx(1 / 6) and first.status_quo == pytest.approx(1 / 3)
    assert 0 < first.model <= 1 and 0 < second.model <= 1


#: A point of the 2018 box where the agent QRE branch turns back before lambda = 10: steps in
#: lambda stall there, and the branch is followed by arc length.
FOLD_2018 = {
    "p_pliable": 0.3617,
    "treaty_gain_russia": 1.4388,
    "resistance_pliable": 0.0575,
    "resistance_resistant": 0.8424,
    "four_multiplier": 3.8046,
    "cite_cost_pliable": 0.4169,
    "cite_cost_resistant": 0.0426,
    "failure_cost_russia": 0.2921,
    "treaty_value_japan": 0.8586,
    "four_value_japan": 1.6516,
    "failure_cost_japan": 0.6087,
}


def test_past_a_fold_the_branch_is_followed_by_arc_length_to_a_true_qre(monkeypatch):
    scenario = kurilsim.load_scenario(SCENARIOS / "ratification_2018.yaml")
    arcs = []
    original = logit_batch.follow_branch

    def counted(*args):
        arcs.append(args[2:])
        return original(*args)

    monkeypatch.setattr(logit_batch, "follow_branch", counted)
    at = scenario.parameter_values(FOLD_2018)
    leaves = profile_probabilities(scenario, FOLD_2018, 10.0)[0]
    assert arcs and arcs[0][0] < 10.0  # the steps in lambda stalled below 10
    # The behaviour behind the leaves is a fixed point of the single-tree logit response.
    tree = to_information_tree(scenario.form.game(scenario, at))
    relative = relative_payoffs(tree.payoffs[None])[0]
    system = logit_batch._BatchLogit(tree, relative[None], tree.probabilities[None])
    flat = _behaviour_from_leaves(tree, leaves)
    single = _Logit(tree)
    single.values_at_leaves[list(tree.leaves)] = relative
    assert np.abs(single.response(flat, 10.0) - flat).max() < 1e-8
    assert np.abs(system.response(flat[:, None], np.array([10.0]))[:, 0] - flat).max() < 1e-8


def _behaviour_from_leaves(tree, leaves: np.ndarray) -> np.ndarray:
    """Each action's probability at its set, recovered from the leaf distribution."""
    reach = np.zeros(tree.n_nodes)
    reach[list(tree.leaves)] = leaves
    for v in reversed(range(1, tree.n_nodes)):  # a parent's index is below its children's
        reach[tree.parents[v]] += reach[v]
    sizes = [len(s.actions) for s in tree.infosets]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    flat = np.zeros(offsets[-1])
    totals = np.zeros(len(sizes))
    for v in range(1, tree.n_nodes):
        parent = int(tree.parents[v])
        h = tree.infoset_of[parent]
        if h >= 0:
            flat[offsets[h] + tree.moves[v]] += reach[v]
            totals[h] += reach[v]
    return flat / np.repeat(totals, sizes)
