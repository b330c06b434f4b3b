"""Tree scenarios (form: extensive): the bundled sequences, batches, the CLI and bad files."""

import json
import re

import numpy as np
import pytest

from kurilsim import InputError, load_scenario, parse_scenario
from kurilsim.cli import main
from kurilsim.forms.extensive.backward_induction import subgame_perfect_equilibria
from kurilsim.forms.extensive.form import EXTENSIVE_FORM, solve_batch
from tests.helpers import ROOT

SEQUENCE_1956 = ROOT / "scenarios" / "sequence_1956.yaml"
SEQUENCE_2016 = ROOT / "scenarios" / "sequence_2016.yaml"

LOTTERY = """\
kurilsim: 1
form: extensive
title: A gamble on ratification
parameters:
  p:
    default: 0.6
    range: [0, 1]
    unit: probability
    description: chance that the deal is ratified
    assumption: illustration
  gain:
    default: 2
    range: [0, 4]
    unit: utils
    description: value of a ratified deal
    evidence: [E50]
players: [A, B]
outcomes:
  deal:
    description: 1 if a deal is ratified
  failed:
    description: 1 if ratification fails
tree:
  player: A
  actions:
    sign:
      chance:
        ratified:
          probability: p
          node:
            player: B
            actions:
              keep: {outcome: {deal: 1}}
              renege: {payoffs: {A: -1, B: gain / 2}}
        rejected:
          probability: 1 - p
          node: {outcome: {failed: 1}}
    wait:
      label: status quo
      outcome: {}
payoffs:
  A: gain * deal - failed
  B: deal
"""


def on_path(scenario, solution):
    game = solution.game
    (spe,) = solution.equilibria
    return {
        game.mover_name(v): game.actions[v][spe.choices[v]]
        for v in game.decision_nodes()
        if any(spe.leaf_probabilities[k] > 0 for k in _leaves_below(game, v))
    }


def _leaves_below(game, node):
    end = game.subtree_ends[node]
    return [k for k, leaf in enumerate(game.leaves) if node <= leaf < end]


def test_bundled_sequences_reproduce_the_record_at_their_defaults():
    for path in (SEQUENCE_1956, SEQUENCE_2016):
        scenario = load_scenario(path)
        assert scenario.form is EXTENSIVE_FORM
        solution = scenario.solve()
        assert len(solution.equilibria) == 1 and solution.complete
        recorded = scenario.spec.history.outcome
        assert on_path(scenario, solution) == recorded
        # The subgame-perfect play is among the Nash equilibria and is marked as such.
        assert True in solution.subgame_perfect


def test_1956_threat_is_credible_only_while_keeping_okinawa_pays():
    scenario = load_scenario(SEQUENCE_1956)
    credible = scenario.solve()
    assert credible.plan(credible[0], "US") == "threaten|keep_okinawa"
    bluff = scenario.solve({"carry_out_cost": 0.4})
    assert bluff.plan(bluff[0], "US") == "tolerate|return_okinawa"
    assert on_path(scenario, bluff) == {
        "USSR": "offer_two",
        "US": "tolerate",
        "Japan": "accept_two",
    }
    # The threat still supports a Nash equilibrium that is not subgame-perfect.
    strategies = bluff.nash.game.strategies
    profiles = [
        tuple(names[int(np.argmax(p))] for names, p in zip(strategies, eq.profile, strict=True))
        for eq in bluff.nash
    ]
    threat = profiles.index(("offer_two", "threaten|keep_okinawa", "accept_two|demand_four"))
    assert bluff.subgame_perfect[threat] is False
    (node,) = bluff.non_credible[threat]
    assert bluff.game.node_name(node) == "offer_two > threaten > accept_two"
    message = "US would not play keep_okinawa at 'offer_two > threaten > accept_two'"
    assert message in bluff.to_text()
    # At the boundary the US is indifferent: both of its moves there are subgame-perfect.
    assert len(scenario.solve({"carry_out_cost": 0.3}).equilibria) == 2


def test_2016_china_threat_supports_nash_equilibria_only():
    scenario = load_scenario(SEQUENCE_2016)
    solution = scenario.solve({"trust": 1.0, "china_leverage": 0.6})
    assert on_path(scenario, solution)["Russia"] == "accept_two"
    reasons = [
        " ".join(f"{scenario.compiled.skeleton.mover_name(v)}" for v in nodes)
        for nodes, verdict in zip(solution.non_credible, solution.subgame_perfect, strict=True)
        if verdict is False
    ]
    assert any("China" in r for r in reasons)
    credible = scenario.solve({"trust": 1.0, "china_leverage": 0.6, "china_resolve": 0.4})
    assert on_path(scenario, credible)["Russia"] == "hold"


@pytest.mark.parametrize("path", [SEQUENCE_1956, SEQUENCE_2016], ids=["1956", "2016"])
def test_batch_equals_one_point_at_a_time(path):
    scenario = load_scenario(path)
    rng = np.random.default_rng(7)
    size = 40
    grid = {name: rng.uniform(*p.range, size=size) for name, p in scenario.parameters.items()}
    batch = solve_batch(scenario, grid)
    payoffs = scenario.payoffs(grid)
    assert payoffs.shape == (size, len(scenario.compiled.skeleton.leaves), len(scenario.players))
    for g in range(size):
        point = {name: float(values[g]) for name, values in grid.items()}
        tree = scenario.game(point)
        np.testing.assert_allclose(payoffs[g], tree.payoffs, atol=1e-12)
        found, _ = subgame_perfect_equilibria(tree)
        np.testing.assert_array_equal(batch.choices[g], found[0])
        assert batch.unique[g] == (len(found) == 1)


def test_chance_probabilities_follow_the_parameters():
    scenario = parse_scenario(LOTTERY)
    tree = scenario.game({"p": 0.25})
    chance = tree.chance_nodes()[0]
    assert tree.probabilities[list(tree.children[chance])].tolist() == [0.25, 0.75]
    assert scenario.payoffs().tolist() == [[2, 1], [-1, 1], [-1, 0], [0, 0]]
    assert tree.node_name(tree.leaves[-1]) == "status quo"
    # A signs only when the gamble pays: 0.6 * 2 - 0.4 > 0, but 0.25 * 2 - 0.75 < 0.
    assert scenario.solve().plan(scenario.solve()[0], "A") == "sign"
    assert scenario.solve({"p": 0.25}).plan(scenario.solve({"p": 0.25})[0], "A") == "wait"
    batch = solve_batch(scenario, {"p": [0.6, 0.25]})
    assert batch.leaf_probabilities[:, -1].tolist() == [0.0, 1.0]
    assert scenario.game().to_normal_form().shape == (2, 2)
    with pytest.raises(InputError, match=r"expected a number, got \["):
        scenario.game({"p": [0.1, 0.2]})
    assert (
        repr(scenario)
        == "<Scenario 'A gamble on ratification' (extensive): A, B, 7 nodes, 2 parameters>"
    )
    assert "punish" not in scenario._repr_html_() and "1 chance node" in scenario._repr_html_()


def test_probabilities_out_of_bounds_at_solve_time_name_the_node():
    text = LOTTERY.replace("probability: 1 - p", "probability: 1 - p * p / 0.6")
    scenario = parse_scenario(text, source="gamble.yaml")  # sums to 1 at the default p = 0.6
    with pytest.raises(InputError, match=r"gamble.yaml: tree.actions.sign.chance: .* p=0.2"):
        scenario.solve({"p": 0.2})


def test_cli_runs_both_sequences(capsys):
    assert main(["run", str(SEQUENCE_1956)]) == 0
    out = capsys.readouterr().out
    assert "SPE 1" in out and "Nash 1" in out and "subgame-perfect" in out
    assert (
        main(["run", str(SEQUENCE_2016), "--format", "json", "--method", "backward-induction"]) == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["method"] == "backward-induction"
    assert result["game"]["form"] == "extensive"
    (spe,) = result["subgame_perfect"]
    assert spe["strategies"]["Japan"] == "offer_package"
    assert any(m["on_path"] for m in spe["moves"])
    assert result["nash"]["method"] == "pure"
    assert main(["run", str(SEQUENCE_1956), "--set", "carry_out_cost=0.5", "--method", "pure"]) == 0
    assert "US would not play keep_okinawa" in capsys.readouterr().out
    assert main(["run", str(SEQUENCE_1956), "--method", "vertex-enumeration"]) == 2
    assert "2-player" in capsys.readouterr().err
    assert main(["validate", str(SEQUENCE_1956), str(SEQUENCE_2016)]) == 0
    assert main(["explain", str(SEQUENCE_2016)]) == 0
    assert "china_resolve" in capsys.readouterr().out


def test_json_schema_includes_the_tree_form(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"DecisionNode", "ChanceNode", "LeafNode", "ExtensiveScenarioFile"} <= set(
        schema["$defs"]
    )


def line_of(text, pattern, nth=1):
    """The line number of the ``nth`` line matching ``pattern``."""
    found = [k for k, line in enumerate(text.splitlines(), start=1) if re.search(pattern, line)]
    return found[nth - 1]


BAD = [
    pytest.param(
        ("player: B\n            actions:", "player: C\n            actions:"),
        r"player: C",
        "tree.actions.sign.chance.ratified.node.player",
        "unknown player 'C'",
        id="unknown-player",
    ),
    pytest.param(
        ("probability: 1 - p", "probability: 0.3"),
        r"^      chance:",
        "tree.actions.sign.chance",
        "sum to 0.9",
        id="probabilities-not-summing",
    ),
    pytest.param(
        ("probability: p\n", "probability: -p\n"),
        r"^      chance:",
        "tree.actions.sign.chance",
        "negative",
        id="negative-probability",
    ),
    pytest.param(
        ("keep: {outcome: {deal: 1}}", "keep: {outcome: {dael: 1}}"),
        r"keep:",
        "tree.actions.sign.chance.ratified.node.actions.keep.outcome.dael",
        "unknown outcome variable 'dael'",
        id="unknown-outcome",
    ),
    pytest.param(
        ("renege: {payoffs: {A: -1, B: gain / 2}}", "renege: {payoffs: {A: -1, B: gian / 2}}"),
        r"renege:",
        "tree.actions.sign.chance.ratified.node.actions.renege.payoffs.B",
        "unknown name 'gian'",
        id="unknown-name-in-leaf",
    ),
    pytest.param(
        ("renege: {payoffs: {A: -1, B: gain / 2}}", "renege: {payoffs: {A: -1}}"),
        r"renege:",
        "tree.actions.sign.chance.ratified.node.actions.renege.payoffs",
        "no payoff given for B",
        id="leaf-payoff-missing",
    ),
    pytest.param(
        ("keep: {outcome: {deal: 1}}", "keep: {outcome: {deal: 1}, payoffs: {A: 1, B: 1}}"),
        r"keep:",
        "tree.actions.sign.chance.ratified.node.actions.keep",
        "exactly one of 'outcome'",
        id="leaf-with-both",
    ),
    pytest.param(
        ("keep: {outcome: {deal: 1}}", "keep: 3"),
        r"keep:",
        "tree.actions.sign.chance.ratified.node.actions.keep",
        "expected a node",
        id="not-a-node",
    ),
    pytest.param(
        ("players: [A, B]", "players: [A, B, A]"),
        r"^players:",
        "players",
        "repeated: A",
        id="repeated-player",
    ),
    pytest.param(
        ("  failed:\n    description", "  gain:\n    description"),
        (r"^  gain:", 2),
        "outcomes.gain",
        "same name as a parameter",
        id="outcome-named-like-parameter",
    ),
    pytest.param(
        ("  B: deal\n", "  B: log(deal)\n"),
        r"^  B: log",
        "payoffs.B",
        "not a finite number",
        id="payoff-not-finite",
    ),
    pytest.param(
        ("payoffs:\n  A: gain * deal - failed\n  B: deal\n", ""),
        r"keep:",
        "tree.actions.sign.chance.ratified.node.actions.keep.outcome",
        "needs 'payoffs' expressions",
        id="outcomes-without-payoffs",
    ),
    pytest.param(
        (
            "payoffs:\n",
            "history:\n  summary: s\n  outcome: {A: sing}\n  evidence: [E01]\npayoffs:\n",
        ),
        r"outcome: {A: sing}",
        "history.outcome.A",
        "no action 'sing'",
        id="history-unknown-action",
    ),
]


@pytest.mark.parametrize(("change", "line_pattern", "field", "words"), BAD)
def test_bad_tree_files_name_file_line_and_field(change, line_pattern, field, words):
    old, new = change
    assert old in LOTTERY
    text = LOTTERY.replace(old, new, 1)
    with pytest.raises(InputError) as info:
        parse_scenario(text, source="tree.yaml")
    error = info.value
    assert error.file == "tree.yaml" and error.field == field, str(error)
    assert words in error.reason, str(error)
    pattern, nth = line_pattern if isinstance(line_pattern, tuple) else (line_pattern, 1)
    expected = line_of(text, pattern, nth)
    assert error.line == expected, str(error)
