"""Deal outputs of trees, trees with information sets, signalling and dynamic games, checked
against each form's own solutions, an independent agent QRE trace, and hand-computed answers."""

from __future__ import annotations

import numpy as np
import pytest

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.analysis.scalar_output import parse_output
from kurilsim.analysis.sensitivity import sensitivity
from kurilsim.analysis.tree_play import leaf_deals, recorded_leaves, tree_shape
from kurilsim.forms.bayesian.harsanyi import to_information_tree
from kurilsim.forms.extensive.blockers import tree_outcomes
from kurilsim.forms.information.agent_logit import agent_logit_trace
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.logit_batch import relative_payoffs
from tests.forms.information.test_form import SCENARIO as INFORMATION
from tests.helpers import cut_tree_listing_at_the_second_point

#: A signs (a deal) when ``a > 1/2``; ``b`` and ``c`` only move B's payoff: the deal share is
#: the indicator of ``a > 1/2``, a function of ``a`` alone.
SIGN = """\
kurilsim: 1
form: extensive
title: sign or walk
parameters:
  a: {default: 0.3, range: [0, 1], unit: u, description: a, assumption: toy}
  b: {default: 0.3, range: [0, 1], unit: u, description: b, assumption: toy}
  c: {default: 0.3, range: [0, 1], unit: u, description: c, assumption: toy}
players: [A, B]
outcomes:
  islands: {description: land transferred}
  signed: {description: signed}
tree:
  player: A
  actions:
    sign: {outcome: {islands: 1, signed: 1}}
    walk: {outcome: {}}
payoffs:
  A: (a - 0.5) * signed
  B: b * c * signed
"""

#: A offers; B accepts (a deal) or rejects. A hand-computed logit backward induction.
OFFER = """\
kurilsim: 1
form: extensive
title: offer
parameters:
  x: {default: 2, range: [1, 3], unit: u, description: x, assumption: toy}
players: [A, B]
outcomes:
  islands: {description: land}
  offered: {description: offered}
tree:
  player: A
  actions:
    offer:
      player: B
      actions:
        accept: {outcome: {islands: 1, offered: 1}}
        reject: {outcome: {offered: 1}}
    keep: {outcome: {}}
payoffs:
  A: 3 * offered - 4 * offered * (1 - islands) + x * (1 - offered)
  B: 2 * islands - offered * (1 - islands)
"""


def relative(u: float, low: float, high: float) -> float:
    """A payoff in relative units: its player's range mapped onto [0, 1]."""
    return (u - low) / (high - low)


@pytest.fixture(scope="module")
def sequence(scenarios):
    return kurilsim.load_scenario(scenarios / "sequence_1956.yaml")


def _draws(scenario, size, seed):
    rng = np.random.default_rng(seed)
    return {n: rng.uniform(*p.range, size=size) for n, p in scenario.parameters.items()}


@pytest.mark.parametrize("name", ["sequence_1956.yaml", "sequence_2016.yaml"])
def test_tree_deal_share_is_the_chance_of_a_deal_on_each_subgame_perfect_path(scenarios, name):
    scenario = kurilsim.load_scenario(scenarios / name)
    values = _draws(scenario, 10, seed=2)
    share, reasons = parse_output("deal-share", scenario).evaluate(scenario, values)
    largest, _ = parse_output("deal-any", scenario).evaluate(scenario, values)
    assert reasons.tolist() == [None] * 10
    for k in range(10):
        at = {n: float(v[k]) for n, v in values.items()}
        solution = scenario.solve(at)
        deals = tree_outcomes(scenario, scenario.parameter_values(at))["islands"] > 0
        chances = [float(eq.leaf_probabilities @ deals) for eq in solution]
        assert share[k] == pytest.approx(np.mean(chances))
        assert largest[k] == pytest.approx(max(chances))


def test_a_tree_output_of_one_parameter_has_all_its_variance_there():
    toy = parse_scenario(SIGN)
    values, _ = parse_output("deal-share", toy).evaluate(toy, {"a": np.array([0.2, 0.7])})
    assert values.tolist() == [0.0, 1.0]
    result = sensitivity(toy, "deal-share", samples=128, seed=5)
    s1, st = result.indices["S1"], result.indices["ST"]
    assert s1["a"] == pytest.approx(1, abs=0.1) and st["a"] == pytest.approx(1, abs=0.1)
    for other in ("b", "c"):
        assert abs(s1[other]) < 0.05 and abs(st[other]) < 0.05


def test_tree_qre_deal_is_logit_backward_induction_by_hand():
    toy = parse_scenario(OFFER)
    lam = 3.0
    got, _ = parse_output("qre-deal:3", toy).evaluate(toy, {"x": np.array([1.0, 2.5])})
    for value, x in zip(got, [1.0, 2.5], strict=True):
        # Leaves: accept (A 3, B 2), reject (A -1, B -1), keep (A x, B 0); relative units.
        high = max(3.0, x)
        accept = 1 / (1 + np.exp(-lam * (relative(2, -1, 2) - relative(-1, -1, 2))))
        offer_value = accept * relative(3, -1, high) + (1 - accept) * relative(-1, -1, high)
        offer = 1 / (1 + np.exp(-lam * (offer_value - relative(x, -1, high))))
        assert value == pytest.approx(offer * accept, abs=1e-10)


@pytest.mark.parametrize("name", ["credibility_1956.yaml", "reassurance_2016.yaml"])
def test_qre_deal_matches_the_single_tree_agent_logit_trace(scenarios, name):
    scenario = kurilsim.load_scenario(scenarios / name)
    values = _draws(scenario, 2, seed=7)
    got, _ = parse_output("qre-deal:4", scenario).evaluate(scenario, values)
    condition = parse_output("qre-deal:4", scenario).argument
    for k in range(2):
        at = scenario.parameter_values({n: float(v[k]) for n, v in values.items()})
        game = scenario.form.game(scenario, at)
        tree = to_information_tree(game)
        scaled = _with_payoffs(tree, relative_payoffs(tree.payoffs[None])[0])
        # The trace goes on past 4 towards its limit, where a node's reach can underflow to 0.
        with np.errstate(invalid="ignore", divide="ignore"):
            trace = agent_logit_trace(scaled, 4.0)
        assert trace.at_precision is not None
        leaves = _leaf_probabilities(scaled, trace.at_precision)
        deals = leaf_deals(scenario, at, condition)[0]
        assert got[k] == pytest.approx(float(leaves @ deals), abs=1e-7)


def _with_payoffs(tree: InformationTree, payoffs: np.ndarray) -> InformationTree:
    """The same tree with other leaf payoffs (the trace reads ``tree.payoffs`` only)."""
    copy = object.__new__(InformationTree)
    copy.__dict__.update(tree.__dict__)
    object.__setattr__(copy, "payoffs", np.asarray(payoffs, dtype=float))
    return copy


def _leaf_probabilities(tree: InformationTree, behaviour) -> np.ndarray:
    reach = np.ones(tree.n_nodes)
    for v in range(1, tree.n_nodes):
        parent = int(tree.parents[v])
        if tree.movers[parent] < 0:
            reach[v] = reach[parent] * tree.probabilities[v]
        else:
            reach[v] = reach[parent] * behaviour[tree.infoset_of[parent]][tree.moves[v]]
    return reach[list(tree.leaves)]


def test_information_tree_deal_outputs_use_each_equilibrium_s_play():
    scenario = parse_scenario(INFORMATION)
    values = {"p_own": np.array([0.2, 0.5, 0.9])}
    share, reasons = parse_output("deal-share:deal > 0", scenario).evaluate(scenario, values)
    assert reasons.tolist() == [None] * len(reasons)
    for k, p in enumerate(values["p_own"]):
        solution = scenario.solve({"p_own": float(p)})
        mask = leaf_deals(scenario, scenario.parameter_values({"p_own": float(p)}), "deal > 0")[0]
        expected = np.mean([float(e.leaf_probabilities @ mask) for e in solution])
        assert share[k] == pytest.approx(expected)
    qre, _ = parse_output("qre-deal:2:deal > 0", scenario).evaluate(scenario, values)
    assert np.all((qre > 0) & (qre < 1))


@pytest.mark.parametrize("name", ["credibility_1956.yaml", "reassurance_2016.yaml"])
def test_signalling_deal_share_is_the_sweep_rows_deal_probability(scenarios, name):
    scenario = kurilsim.load_scenario(scenarios / name)
    values = scenario.parameter_values(_draws(scenario, 6, seed=3))
    share, _ = parse_output("deal-share", scenario).evaluate(scenario, values)
    rows = scenario.form.sweep_rows(scenario, values, "auto", 1e-9, {})
    game = np.asarray(rows.game)
    deal = np.asarray(rows.columns["deal_probability"], dtype=float)
    for k in range(6):
        assert share[k] == pytest.approx(deal[game == k].mean() if (game == k).any() else 0.0)


def test_dynamic_deal_share_is_the_chance_of_a_deal_by_the_last_round(scenarios):
    scenario = kurilsim.load_scenario(scenarios / "sanctions_markov.yaml")
    values = scenario.parameter_values(_draws(scenario, 5, seed=1))
    share, _ = parse_output("deal-share", scenario).evaluate(scenario, values)
    rows = scenario.form.sweep_rows(scenario, values, "auto", 1e-9, {})
    np.testing.assert_allclose(share, rows.columns["deal_by_end"])


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("repeated_joint_activity.yaml", "deal-share", "gives no probability that play is a deal"),
        ("conflict_2018.yaml", "deal-any", "gives no probability that play is a deal"),
        ("sanctions_markov.yaml", "deal-any:x > 0", "defines its deals stage by stage"),
        ("sanctions_markov.yaml", "qre-deal:3", "not a QRE"),
        ("sequence_1956.yaml", "deal-share:islnds > 0", "islnds"),
        ("reassurance_2016.yaml", "qre-deal:2:dael > 0", "dael"),
    ],
)
def test_forms_without_a_deal_output_refuse_it_in_one_line(scenarios, name, text, message):
    scenario = kurilsim.load_scenario(scenarios / name)
    with pytest.raises(InputError, match=message) as caught:
        parse_output(text, scenario)
    assert "\n" not in str(caught.value)


def test_the_recorded_leaves_follow_the_history(sequence):
    tree = tree_shape(sequence)
    recorded = [tree.node_name(tree.leaves[k]) for k in np.flatnonzero(recorded_leaves(sequence))]
    assert recorded == ["offer_two > threaten > demand_four"]


def test_a_tree_point_whose_listing_was_cut_gives_its_reason(scenarios, monkeypatch):
    scenario = kurilsim.load_scenario(scenarios / "sequence_1956.yaml")
    cut_tree_listing_at_the_second_point(monkeypatch)
    values = {"carry_out_cost": np.array([0.0, 0.6, 0.2])}
    for output in ("deal-share", "payoff:Japan"):
        _, reasons = parse_output(output, scenario).evaluate(scenario, values)
        assert reasons.tolist() == [None, "listing_seconds", None]


def test_a_point_cut_short_before_any_equilibrium_keeps_its_reason(monkeypatch):
    import dataclasses

    scenario = parse_scenario(INFORMATION)
    form = type(scenario.form)
    solve_scenario = form.solve_scenario

    def none_found_at_the_second(self, scenario, at, method, tol, **options):
        solution = solve_scenario(self, scenario, at, method, tol, **options)
        if at["p_own"] == 0.5:  # the method stopped at its bound before it found a profile
            return dataclasses.replace(solution, profiles=(), incomplete_reason="max_seconds")
        return solution

    monkeypatch.setattr(form, "solve_scenario", none_found_at_the_second)
    values = {"p_own": np.array([0.2, 0.5, 0.9])}
    for output in ("deal-share:deal > 0", "deal-any:deal > 0"):
        _, reasons = parse_output(output, scenario).evaluate(scenario, values)
        assert reasons.tolist() == [None, "max_seconds", None]
