"""Dynamic games with state: known answers, brute force, the one-shot check, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings

import kurilsim
from kurilsim.cli import main
from kurilsim.core.errors import InputError
from kurilsim.forms.dynamic.markov_perfect import payoff_scale, value_iteration
from kurilsim.forms.dynamic.one_shot_deviation import check_one_shot
from tests.strategies import small_dynamic_games

HEADER = """
kurilsim: 1
form: dynamic
title: {title}
"""

#: The prisoner's dilemma (Rapoport and Chammah 1965 payoffs 3/0/5/1) repeated over rounds.
PRISONERS = (
    HEADER.format(title="Finitely repeated prisoner's dilemma")
    + """
players: [A, B]
state:
  round_count: {{range: [0, {rounds}], levels: {levels}, initial: 0, description: rounds played,
                assumption: a clock}}
stages:
  pd:
    strategies: {{A: [cooperate, defect], B: [cooperate, defect]}}
    payoff_table:
      - {{profile: [cooperate, cooperate], payoffs: [3, 3]}}
      - {{profile: [cooperate, defect], payoffs: [0, 5]}}
      - {{profile: [defect, cooperate], payoffs: [5, 0]}}
      - {{profile: [defect, defect], payoffs: [1, 1]}}
    transitions: {{round_count: "min(round_count + 1, {rounds})"}}
    deal: {{A: cooperate, B: cooperate}}
horizon: {{rounds: {rounds}, schedule: [pd], discount: 0.95}}
"""
)


def test_a_finitely_repeated_prisoners_dilemma_is_defection_in_every_round():
    scenario = kurilsim.parse_scenario(PRISONERS.format(rounds=5, levels=6))
    solution = scenario.solve()
    # Backward induction (Luce and Raiffa 1957): the last round is a one-shot dilemma, so
    # defection; then every earlier round is too.
    assert [outcome for outcome, _ in solution.outcomes()] == ["A: defect, B: defect"] * 5
    assert solution.complete and solution.check.max_gain <= 1e-12
    value = sum(0.95**t for t in range(5))
    assert solution.values() == pytest.approx({"A": value, "B": value})
    assert solution.path.deal_by[0, -1] == 0.0
    assert solution.path.state_means[0, :, 0].tolist() == [0, 1, 2, 3, 4]


#: A stage game whose unique equilibrium depends on the state: coordinate on the high road when
#: the road is open (state 1), else the low road; the high road closes for good once it is missed.
ROADS = (
    HEADER.format(title="Roads")
    + """
players: [A, B]
state:
  open: {range: [0, 1], levels: 2, initial: 1, description: the high road is open,
         assumption: textbook}
stages:
  meet:
    strategies: {A: [high, low], B: [high, low]}
    outcomes:
      both_high:
        description: both take the high road
        rules: [{when: {A: high, B: high}, value: 1}]
      both_low:
        description: both take the low road
        rules: [{when: {A: low, B: low}, value: 1}]
      a_high:
        description: A takes the high road
        rules: [{when: {A: high}, value: 1}]
      b_high:
        description: B takes the high road
        rules: [{when: {B: high}, value: 1}]
    payoffs:
      A: "where(open, 4 * both_high + 2 * (1 - a_high), 1 - a_high + 0.5 * both_low)"
      B: "where(open, 4 * both_high + 2 * (1 - b_high), 1 - b_high + 0.5 * both_low)"
    transitions: {open: "open * both_high"}
    deal: both_high
horizon: {rounds: 3, schedule: [meet]}
solution: {selection: risk-dominance}
"""
)


def test_a_state_dependent_equilibrium_is_followed_by_backward_induction():
    solution = kurilsim.parse_scenario(ROADS).solve()
    # While the road is open both roads are equilibria of each round; risk dominance (the
    # Nash product of deviation losses: 2 * 2 for (low, low) against 4 * 4 for (high, high) with
    # the road's future added) picks the high road, which keeps the road open, in every round.
    assert [outcome for outcome, _ in solution.outcomes()] == ["A: high, B: high"] * 3
    assert solution.complete and solution.check.max_gain <= 1e-12
    assert solution.path.deal_by[0].tolist() == [1.0, 1.0, 1.0]
    # Once closed, the low road is the unique equilibrium of the stage.
    closed = solution.strategy.mixes[-1]
    assert [m[0, 0].tolist() for m in closed] == [[0.0, 1.0], [0.0, 1.0]]


#: One state, a constant payoff of ``c`` per round to each player whatever they do.
ANNUITY = (
    HEADER.format(title="Annuity")
    + """
parameters:
  c: {{default: 2, range: [0, 10], unit: units, description: the payoff per round,
       assumption: textbook}}
  delta: {{default: {delta}, range: [0, 0.99], unit: per round, description: discount,
           assumption: textbook}}
  p: {{default: {p}, range: [0, 1], unit: per round, description: shock probability,
       assumption: textbook}}
players: [A, B]
state:
  good: {{range: [0, 1], levels: 2, initial: 1, description: the good state,
          assumption: textbook}}
stages:
  flow:
    strategies: {{A: [take, leave], B: [wait]}}
    payoffs: {{A: "c * good + 0.5 * good", B: "c * good"}}
events:
  shock:
    description: the good state ends for good
    probability: p
    effect: {{good: 0}}
    assumption: textbook
horizon: {{rounds: infinite, schedule: [flow], discount: delta}}
solution: {{value_tol: 1.0e-12}}
"""
)


@pytest.mark.parametrize("delta", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("p", [0.0, 0.2])
def test_value_iteration_reaches_the_geometric_series(delta, p):
    solution = kurilsim.parse_scenario(ANNUITY.format(delta=delta, p=p)).solve()
    # In the good state B earns c now and, while the good state lasts (probability 1 - p per
    # round), c every later round: c / (1 - delta (1 - p)).
    expected = 2 / (1 - delta * (1 - p))
    assert solution.complete
    assert solution.values()["B"] == pytest.approx(expected, rel=1e-9)
    assert solution.strategy.values[0, 0, 1, 1] == pytest.approx(expected, rel=1e-8)


def test_an_unconverged_value_iteration_is_marked_and_exits_1(tmp_path, capsys):
    scenario = kurilsim.parse_scenario(ANNUITY.format(delta=0.99, p=0.0))
    solution = scenario.solve(max_iterations=3)
    assert not solution.complete and not solution.converged
    assert solution.incomplete_reason == "max_iterations"
    assert "unconverged" in solution.to_text()
    path = tmp_path / "annuity.yaml"
    path.write_text(
        ANNUITY.format(delta=0.99, p=0.0).replace("value_tol: 1.0e-12", "max_iterations: 3")
    )
    assert main(["run", str(path)]) == 1
    # A sweep says the same at each point: incomplete, and why.
    table = kurilsim.sweep(kurilsim.load_scenario(path), {"c": (1, 2, 2)}, workers=1).to_frame()
    assert table.columns.get_loc("incomplete_reason") == table.columns.get_loc("complete") + 1
    assert not table["complete"].any()
    assert table["incomplete_reason"].tolist() == ["max_iterations"] * 2


def test_a_discount_factor_of_1_with_an_infinite_horizon_is_refused_in_one_line(tmp_path):
    path = tmp_path / "annuity.yaml"
    path.write_text(ANNUITY.format(delta=0.5, p=0.0).replace("discount: delta", "discount: 1"))
    with pytest.raises(InputError, match="infinite horizon needs a discount factor below 1") as exc:
        kurilsim.load_scenario(path)
    assert exc.value.field == "horizon.discount" and exc.value.line is not None
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("extra", [2, 7, 8])
def test_a_state_grid_beyond_the_bound_is_refused_however_far_beyond(extra):
    # Eight more variables of 1,000 levels: 6 x 10^24 points, whose count wrapped round to a
    # negative number in int64 and passed the bound.
    variables = "".join(
        f"  v{k}: {{range: [0, 1], levels: 1000, initial: 0, description: d, assumption: toy}}\n"
        for k in range(extra)
    )
    text = PRISONERS.format(rounds=5, levels=6).replace("stages:\n", variables + "stages:\n", 1)
    with pytest.raises(InputError, match=r"the state grid has 6,000(,000)* points") as exc:
        kurilsim.parse_scenario(text)
    assert exc.value.field == "state" and exc.value.line is not None


def test_a_state_leaving_its_range_is_refused_with_file_field_and_line(tmp_path, capsys):
    path = tmp_path / "prisoners.yaml"
    # A range of [0, 2] for five rounds: the clock runs past it.
    path.write_text(PRISONERS.format(rounds=5, levels=6).replace("range: [0, 5]", "range: [0, 2]"))
    with pytest.raises(InputError, match=r"round_count becomes 2\.2") as exc:
        kurilsim.load_scenario(path)
    assert exc.value.field == "stages.pd.transitions.round_count"
    assert exc.value.line == 18
    assert main(["run", str(path)]) == 2
    assert "round_count" in capsys.readouterr().err


def test_a_range_left_at_other_parameter_values_names_the_line(tmp_path):
    path = tmp_path / "annuity.yaml"
    text = ANNUITY.format(delta=0.5, p=0.0).replace(
        "effect: {good: 0}", "effect: {good: 1 - 2 * p}"
    )
    path.write_text(text)
    scenario = kurilsim.load_scenario(path)
    with pytest.raises(InputError, match="good becomes -1") as exc:
        scenario.solve({"p": 1.0})
    assert exc.value.field == "events.shock.effect.good" and exc.value.line is not None


def _brute_force_values(game, mixes):
    """Each player's value of a pure Markov profile from every state, by plain recursion."""
    stage_of = game.schedule
    n = len(game.players)

    def value(t, s):
        if t == len(stage_of):
            return np.zeros(n)
        stage = game.stages[stage_of[t]]
        cell = tuple(int(m[0, s].argmax()) for m in mixes[t])
        nxt = int(stage.next_state[0][(s, *cell)])
        after = sum(p[0, nxt] * value(t + 1, int(d[0, nxt])) for p, d in game.chance)
        return stage.payoffs[0][(s, *cell)] + game.discount[0] * after

    return value


@settings(max_examples=25)
@given(small_dynamic_games())
def test_random_small_games_pass_brute_force_and_the_one_shot_check(text):
    scenario = kurilsim.parse_scenario(text)
    solution = scenario.solve()
    game = solution.game
    check = check_one_shot(game, solution.strategy.mixes)
    assert check.max_gain <= solution.threshold
    pure = all(np.isin(m, (0.0, 1.0)).all() for r in solution.strategy.mixes for m in r)
    if pure:
        value = _brute_force_values(game, solution.strategy.mixes)
        for s in range(game.grid.size):
            assert value(0, s) == pytest.approx(solution.strategy.values[0, 0, s], abs=1e-9)
            assert value(0, s) == pytest.approx(check.values[0, 0, s], abs=1e-9)
            # Brute force over every one-round deviation at round 0 from state s.
            stage = game.stages[game.schedule[0]]
            for i in range(2):
                for k in range(2):
                    cell = [int(m[0, s].argmax()) for m in solution.strategy.mixes[0]]
                    cell[i] = k
                    nxt = int(stage.next_state[0][(s, *cell)])
                    later = value(1, nxt) if len(game.schedule) > 1 else np.zeros(2)
                    deviation = stage.payoffs[0][(s, *cell)][i] + 0.9 * later[i]
                    assert deviation <= value(0, s)[i] + 1e-9


def test_the_commitment_scenario_shows_hold_up_and_its_remedies():
    scenario = kurilsim.load_scenario("scenarios/commitment_treaty.yaml")
    deal = {
        name: scenario.solve(point).path.deal_by[0, -1]
        for name, point in {
            "as floated": {},
            "staged package": {"upfront": 0.75},
            "too much upfront": {"upfront": 0.85},
            "guarantee": {"guarantee": 7},
        }.items()
    }
    assert deal == {
        "as floated": 0.0,
        "staged package": 1.0,
        "too much upfront": 0.0,
        "guarantee": 1.0,
    }
    # Both sides value the completed deal above no deal: hold-up, not a lack of gains.
    values = scenario.solve({"upfront": 0.75}).values()
    assert values["Russia"] > 0 and values["Japan"] > 0


@pytest.mark.parametrize(
    ("rest_value", "rest_cost", "guarantee", "dealt"),
    [
        # Japan pays the package (10) before the later phase if the phase is worth at least what
        # it still owes less its own return (10 - 3 = 7) ...
        (8, 0, 0, True),
        (7, 0, 0, True),
        (6.9, 0, 0, False),
        # ... and Russia hands the phase over only if reneging costs it at least the phase does.
        (8, 1, 0, False),
        (8, 1, 0.9, False),
        (8, 1, 1, True),
    ],
)
def test_a_phased_transfer_removes_the_hold_up_where_the_later_phase_covers_it(
    rest_value, rest_cost, guarantee, dealt
):
    scenario = kurilsim.load_scenario("scenarios/commitment_treaty.yaml")
    point = {"rest_value": rest_value, "rest_cost": rest_cost, "guarantee": guarantee}
    solution = scenario.solve(point)
    assert solution.complete
    assert solution.path.deal_by[0, -1] == (1.0 if dealt else 0.0)
    # A guarantee of 1 alone does not do it: the phase cuts the guarantee needed from 7 to 1.
    assert scenario.solve({"guarantee": 1}).path.deal_by[0, -1] == 0.0


def test_compare_names_the_hold_up_round_by_round():
    scenario = kurilsim.load_scenario("scenarios/commitment_treaty.yaml")
    comparison = kurilsim.compare(scenario)
    rounds = [(b.player, b.move, b.deviation, b.node.split(",")[0]) for b in comparison.blockers]
    assert rounds == [
        ("Japan", "sign", "hold", "round treaty"),
        ("Russia", "transfer", "renege", "round transfer"),
        ("Japan", "invest", "withhold", "round investment"),
    ]
    # Japan's temptation after the transfer: the package it owes (10) less its own return (3).
    assert [b.gain for b in comparison.blockers] == pytest.approx([0.5, 2, 7])
    assert "hold-up" in comparison.verdict and "gain 7" in comparison.verdict
    assert kurilsim.compare(scenario, {"upfront": 0.75}).blockers == ()


def test_the_cli_runs_a_dynamic_scenario_as_json(capsys):
    assert main(["run", "scenarios/sanctions_markov.yaml", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "value-iteration" and out["complete"] is True
    assert len(out["rounds"]) == 10


def test_compare_explain_and_sweep_take_a_dynamic_scenario():
    scenario = kurilsim.load_scenario("scenarios/commitment_treaty.yaml")
    assert kurilsim.compare(scenario).form == "dynamic"
    result = kurilsim.sweep(scenario, {"upfront": (0, 1, 21)}, workers=1)
    table = result.to_frame()
    dealt = table.loc[table["label"] == "deal by transfer", "param.upfront"].tolist()
    # Japan pays the rest only from 0.7 of the package upfront; Russia transfers only below 0.8.
    assert dealt[0] == pytest.approx(0.7) and dealt[-1] <= 0.8 + 1e-12 and len(dealt) >= 2
    assert table["complete"].all()


#: Matching pennies in every round (a stage without a pure equilibrium); a match is a "deal".
PENNIES = (
    HEADER.format(title="Repeated pennies")
    + """
players: [Even, Odd]
state:
  clock: {range: [0, 1], levels: 2, initial: 0, description: unused, assumption: textbook}
stages:
  pennies:
    strategies: {Even: [heads, tails], Odd: [heads, tails]}
    payoff_table:
      - {profile: [heads, heads], payoffs: [1, -1]}
      - {profile: [heads, tails], payoffs: [-1, 1]}
      - {profile: [tails, heads], payoffs: [-1, 1]}
      - {profile: [tails, tails], payoffs: [1, -1]}
    deal: {Even: heads, Odd: heads}
horizon: {rounds: 2, schedule: [pennies]}
"""
)


def test_a_stage_without_a_pure_equilibrium_is_played_mixed_and_the_path_is_exact():
    solution = kurilsim.parse_scenario(PENNIES).solve()
    assert solution.complete
    for round_mixes in solution.strategy.mixes:
        for mix in round_mixes:
            assert mix[0, 0].tolist() == pytest.approx([0.5, 0.5])
    # (heads, heads) has probability 1/4 in each round, independently: 1 - (3/4)^2 by round 2.
    assert solution.path.deal[0].tolist() == pytest.approx([0.25, 0.25])
    assert solution.path.deal_by[0].tolist() == pytest.approx([0.25, 1 - 0.75**2])


STAG = (
    HEADER.format(title="Stag hunt once")
    + """
players: [A, B]
state:
  clock: {range: [0, 1], levels: 2, initial: 0, description: unused, assumption: textbook}
stages:
  hunt:
    strategies: {A: [stag, hare], B: [stag, hare]}
    payoff_table:
      - {profile: [stag, stag], payoffs: [4, 4]}
      - {profile: [stag, hare], payoffs: [0, 3]}
      - {profile: [hare, stag], payoffs: [3, 0]}
      - {profile: [hare, hare], payoffs: [3, 3]}
horizon: {rounds: 1, schedule: [hunt]}
"""
)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("payoff-dominance", "A: stag, B: stag"), ("risk-dominance", "A: hare, B: hare")],
)
def test_the_selection_rules_pick_the_textbook_equilibria_of_the_stag_hunt(rule, expected):
    # Harsanyi and Selten (1988): (stag, stag) is payoff dominant, (hare, hare) risk dominant.
    solution = kurilsim.parse_scenario(STAG).solve(selection=rule)
    assert solution.outcomes()[0][0] == expected


def test_the_logit_limit_selection_agrees_with_the_normal_forms_logit_method():
    from kurilsim.forms import catalogue

    solution = kurilsim.parse_scenario(STAG).solve(selection="logit-limit")
    reference = kurilsim.solve(catalogue.stag_hunt(), method="logit")[0].profile
    played = [m[0, 0] for m in solution.strategy.mixes[0]]
    game = catalogue.stag_hunt()
    assert game.payoffs[0, 0].tolist() == [4.0, 4.0]  # the same game as STAG
    for mine, theirs in zip(played, reference, strict=True):
        assert mine == pytest.approx(theirs, abs=1e-6)


def test_the_jupyter_display_shows_the_stages_the_grid_and_the_path():
    scenario = kurilsim.load_scenario("scenarios/eras_1956_2020.yaml")
    html = scenario._repr_html_()
    assert "s1956" in html and "state variable" in html and "audience_cost" in html
    assert repr(scenario).endswith("(dynamic): Russia, Japan, 60 states, 8 rounds, 8 stages>")
    shown = scenario.solve()._repr_html_()
    assert "verified" in shown and "joint economic activity" in shown


def test_an_unknown_evidence_id_of_a_state_variable_is_refused_with_its_line():
    text = ROADS.replace(
        "description: the high road is open,", "description: open, evidence: [E999],"
    )
    with pytest.raises(InputError, match="unknown evidence id 'E999'") as exc:
        kurilsim.parse_scenario(text)
    assert exc.value.field == "state.open.evidence.0" and exc.value.line == 8


def test_the_closed_form_mixed_equilibrium_of_2x2_stages_is_the_normal_forms_own():
    from kurilsim.forms.dynamic.selection import select
    from kurilsim.forms.normal.pure_nash import pure_nash_mask

    rng = np.random.default_rng(56)
    games = rng.integers(-3, 4, size=(400, 2, 2, 2)).astype(float)
    games = games[~pure_nash_mask(games[:, None], 1e-9)[:, 0].any(axis=(1, 2))]
    assert len(games) > 20
    rows, columns = select(games[None], "payoff-dominance", 1e-9)
    for k, payoffs in enumerate(games):
        (equilibrium,) = kurilsim.solve(
            kurilsim.NormalFormGame(["R", "C"], [["a", "b"]] * 2, payoffs)
        )
        np.testing.assert_allclose(rows[0, k], equilibrium.profile[0], atol=1e-12)
        np.testing.assert_allclose(columns[0, k], equilibrium.profile[1], atol=1e-12)


#: A deal only after both push in each of six rounds, which costs each who pushes: plans with
#: fewer than six departures from waiting number 4 ** 6 - 3 ** 6 = 3,367, beyond MAX_PLANS.
LADDER = (
    HEADER.format(title="A ladder of six pushes")
    + """
players: [A, B]
state:
  k: {range: [0, 6], levels: 7, initial: 0, description: pushes so far, assumption: textbook}
stages:
  meet:
    strategies: {A: [wait, push], B: [wait, push]}
    outcomes:
      a_push:
        description: A pushes
        rules: [{when: {A: push}, value: 1}]
      b_push:
        description: B pushes
        rules: [{when: {B: push}, value: 1}]
    payoffs: {A: "-a_push", B: "-b_push"}
    transitions: {k: "min(k + a_push * b_push, 6)"}
    deal: "a_push * b_push * (k >= 5)"
horizon: {rounds: 6, schedule: [meet]}
"""
)


def test_compare_says_when_the_bound_on_plans_stops_the_search_for_a_deal():
    from kurilsim.forms.dynamic.blockers import MAX_PLANS

    comparison = kurilsim.compare(kurilsim.parse_scenario(LADDER))
    assert MAX_PLANS < 4**6 - 3**6
    assert "no outcome satisfies" not in comparison.verdict
    assert f"no plan among the {MAX_PLANS:,} nearest" in comparison.verdict


@pytest.mark.parametrize(
    ("bound", "note"),
    [(1, "no plan among the"), (3, "the nearest among the"), (10, "")],
)
def test_a_nearest_deal_found_before_the_bound_stopped_the_search_says_so(monkeypatch, bound, note):
    # The commitment scenario's deal plan departs in few rounds: a bound of 1 stops the search
    # before it, 3 after it but before every plan as near was tried, 10 after all of them.
    from kurilsim.forms.dynamic import blockers

    monkeypatch.setattr(blockers, "MAX_PLANS", bound)
    comparison = kurilsim.compare(kurilsim.load_scenario("scenarios/commitment_treaty.yaml"))
    said = comparison.nearest + comparison.verdict
    assert (note in said) if note else ("among the" not in said)


def test_value_iteration_over_a_batch_ends_each_point_where_it_ends_alone():
    # Patience sets how many rounds a point needs: the batch mixes fast and slow points, and
    # one cut short by the bound on rounds.
    scenario = kurilsim.load_scenario("scenarios/sanctions_markov.yaml")
    patience = np.array([0.0, 0.3, 0.9, 0.99, 0.6])
    base = scenario.parameter_values()
    batch = {n: np.full(patience.size, float(v)) for n, v in base.items()} | {"patience": patience}
    value_tol, cap = 1e-9, 400
    together = value_iteration(
        scenario.form.game(scenario, batch), "payoff-dominance", 1e-9, value_tol, cap
    )
    assert together.rounds is not None and together.iterations == together.rounds.max()
    for k, value in enumerate(patience):
        alone = value_iteration(
            scenario.game(base | {"patience": float(value)}),
            "payoff-dominance",
            1e-9,
            value_tol,
            cap,
        )
        assert together.rounds[k] == alone.iterations
        assert together.converged[k] == alone.converged[0]
        scale = payoff_scale(scenario.game(base | {"patience": float(value)}))[0]
        np.testing.assert_allclose(
            together.values[0, k], alone.values[0, 0], rtol=0, atol=value_tol * scale
        )
        for mix, single in zip(together.mixes[0], alone.mixes[0], strict=True):
            np.testing.assert_allclose(mix[k], single[0], rtol=0, atol=1e-12)
    # The slowest point is cut short and says so; the others met their bound on their own.
    assert together.converged.tolist() == [True, True, True, False, True]
