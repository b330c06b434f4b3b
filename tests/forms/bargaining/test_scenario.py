"""Bargaining scenario files: loading, file:line: field errors, the 2016 scenario, the CLI."""

import json

import numpy as np
import pytest

from kurilsim import InputError, load_scenario, parse_scenario, run
from kurilsim.cli import main
from kurilsim.forms.bargaining.form import BARGAINING_FORM
from kurilsim.forms.bargaining.game import BargainingProblem
from kurilsim.forms.registry import scenario_json_schema
from tests.helpers import ROOT, run_cli
from tests.strategies import ISLANDS

SCENARIO = ROOT / "scenarios" / "bargaining_2016.yaml"


def test_a_bargaining_file_loads_and_builds_its_problem():
    scenario = parse_scenario(ISLANDS, source="islands.yaml")
    assert scenario.form is BARGAINING_FORM
    assert scenario.players == ("Japan", "Russia") and scenario.title.startswith("Two islands")
    problem = scenario.game()
    assert isinstance(problem, BargainingProblem)
    assert problem.deals == (
        "joint[package=0]",
        "joint[package=0.5]",
        "joint[package=1]",
        "two[package=0]",
        "two[package=0.5]",
        "two[package=1]",
    )
    np.testing.assert_allclose(problem.variables["package"], [0, 0.5, 1] * 2)
    np.testing.assert_allclose(problem.utilities[4], [0.3 + 0.5 - 0.1, 0.1 - 0.2 + 0.2])
    np.testing.assert_allclose(problem.approval[:, 0], [0.8] * 3 + [0.29] * 3)
    assert problem.first_mover == 0 and problem.discount.tolist() == [0.8, 0.95]
    assert scenario.game(points=5).n_deals == 10
    assert "2 deals, 1 parameters" in repr(scenario)


def test_solve_uses_the_files_choices_and_accepts_overrides():
    scenario = parse_scenario(ISLANDS)
    solution = scenario.solve()
    assert solution.ratification == "win-set" and not solution.lotteries
    assert solution["nash"].outcome.describe().startswith("joint")
    assert solution.binds and solution.parameters == {"opposition": 0.71}
    assert not scenario.solve({"opposition": 0.5}).binds  # half approve: the win-set holds
    assert scenario.solve(lotteries=True, ratification="none", points=11).lotteries
    assert [c.concept for c in scenario.solve(method="rubinstein")] == ["rubinstein"]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        pytest.param({"seed": 1}, "no option seed", id="unknown-option"),
        pytest.param({"lotteries": "yes"}, "lotteries: expected True or False", id="lotteries"),
        pytest.param({"ratification": "vote"}, "expected one of win-set", id="mode"),
        pytest.param({"points": 1}, "at least 2", id="points"),
    ],
)
def test_solve_refuses_bad_options(options, words):
    with pytest.raises(InputError, match=words):
        parse_scenario(ISLANDS).solve(**options)


def test_parameter_values_are_range_checked():
    scenario = parse_scenario(ISLANDS, source="islands.yaml")
    with pytest.raises(InputError, match="outside its declared range"):
        scenario.solve({"opposition": 0.95})
    with pytest.raises(InputError, match=r"expected a number, got \[0\.6"):
        scenario.game({"opposition": [0.6, 0.7]})


def test_values_out_of_bounds_after_overrides_name_the_file_and_field():
    text = ISLANDS.replace(
        "approval: where(islands > 0, 1 - opposition, 0.8)",
        "approval: where(islands > 0, 1.6 - opposition, 0.8)",
    )
    scenario = parse_scenario(text, source="islands.yaml")
    with pytest.raises(InputError, match=r"^islands.yaml: ratification.public.approval: is 1\.05"):
        scenario.game({"opposition": 0.55})


BAD_FILES = [
    # (text to replace, replacement, text on the line reported, what the message says)
    pytest.param(
        "values: {islands: 2}",
        "values: {island: 2}",
        "island: 2",
        "deals.two.values.island: unknown variable 'island'",
        id="unknown-variable",
    ),
    pytest.param(
        "  Russia: 0.1 - islands",
        "  Rusia: 0.1 - islands",
        "Rusia",
        "utilities.Rusia: unknown player 'Rusia'",
        id="unknown-player",
    ),
    pytest.param(
        "  Japan: 0.3 + islands * 0.25",
        "  Japan: 0.3 + island * 0.25",
        "+ island *",
        "utilities.Japan: unknown name 'island'",
        id="unknown-name",
    ),
    pytest.param(
        "disagreement: {Japan: 0, Russia: 0}",
        "disagreement: {Japan: 0}",
        "disagreement:",
        "disagreement: no value given for Russia",
        id="missing-player",
    ),
    pytest.param(
        "discount: {Japan: 0.8,",
        "discount: {Japan: 1.2,",
        "discount:",
        "discount.Japan: is 1.2; expected in [0, 1)",
        id="discount",
    ),
    pytest.param(
        "1 - opposition, 0.8)",
        "1 - opposition, 1.8)",
        "1.8)",
        "ratification.public.approval: is 1.8 for deal joint[package=0]; expected in",
        id="approval",
    ),
    pytest.param(
        "first_mover: Japan",
        "first_mover: China",
        "first_mover",
        "first_mover: unknown player 'China'",
        id="first-mover",
    ),
    pytest.param(
        "players: [Japan, Russia]",
        "players: [Japan, Japan]",
        "players:",
        "players: the two players need different names",
        id="same-players",
    ),
    pytest.param(
        "players: [Japan, Russia]",
        "players: [Japan, Russia, US]",
        "players:",
        "players: Tuple should have at most 2 items",
        id="three-players",
    ),
    pytest.param(
        "outcome: {deal: joint}",
        "outcome: {deal: three}",
        "outcome:",
        "history.outcome.deal: no deal 'three'",
        id="history-deal",
    ),
    pytest.param(
        "outcome: {deal: joint}",
        "outcome: {Russia: joint}",
        "outcome:",
        "history.outcome.Russia: a bargaining history records the deal",
        id="history-key",
    ),
    pytest.param(
        "  package:\n    description",
        "  opposition:\n    description",
        "  opposition:\n    description: economic",
        "variables.opposition: variable 'opposition' has the same name as a parameter",
        id="variable-is-parameter",
    ),
    pytest.param(
        "  two:\n",
        "  disagreement:\n",
        "  disagreement:\n    description: two",
        "deals.disagreement: 'disagreement' names the outcome without a deal",
        id="reserved-deal",
    ),
    pytest.param("points: 3", "points: 1", "points: 1", "variables.package.points", id="points"),
    pytest.param(
        "range: [0, 1]\n    points",
        "range: [1, 0]\n    points",
        "  package:",
        "variables.package: range [1.0, 0.0] needs low < high",
        id="range",
    ),
    pytest.param(
        "    threshold: 0.5\n",
        "    threshold: 0.5\n    veto: true\n",
        "veto",
        "ratification.public.veto: unknown field",
        id="unknown-field",
    ),
    pytest.param(
        "    points: 3\n",
        "    points: 11\n  years:\n    description: years\n    range: [0, 1]\n    points: 2001\n",
        "variables:",
        "variables: the deals expand to 44022 over the grids",
        id="too-many-deals",
    ),
    pytest.param(
        "  Japan: 0.3 + islands * 0.25",
        "  Japan: log(islands) + 0.25",
        "log(",
        "utilities.Japan: is -inf for deal joint[package=0]; expected a finite number",
        id="not-finite",
    ),
]


@pytest.mark.parametrize(("old", "new", "marker", "words"), BAD_FILES)
def test_bad_files_are_reported_with_file_line_and_field(old, new, marker, words):
    assert old in ISLANDS, old
    text = ISLANDS.replace(old, new)
    line = text[: text.index(marker)].count("\n") + 1
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="islands.yaml")
    message = str(caught.value)
    assert message.startswith(f"islands.yaml:{line}: "), message
    assert words in message, message


def test_schema_and_validate_know_the_bargaining_form(capsys):
    schema = json.dumps(scenario_json_schema())
    assert "BargainingScenarioFile" in schema and "ratification_mode" in schema
    assert main(["validate", str(SCENARIO)]) == 0
    assert "ok (Bargaining in 2016" in capsys.readouterr().out


# ---------------------------------------------------------------- the 2016 scenario
def test_2016_scenario_predicts_joint_activity_because_ratification_binds():
    solution = load_scenario(SCENARIO).solve()
    assert [c.concept for c in solution] == ["nash", "kalai-smorodinsky", "rubinstein"]
    for concept in solution:
        assert concept.outcome.describe().startswith("joint_economic[")  # the record (E70)
        assert concept.unconstrained.describe().startswith("two_islands[")  # the 1956 formula
        assert concept.binds and concept.outcome.agreement
        assert np.all(concept.outcome.gains > 0)
    assert not any(name.startswith("two") for name in solution.win_sets["Russian_public"])
    # Russia is the patient side: alternating offers give it more than Nash does.
    assert solution["rubinstein"].outcome.gains[1] > solution["nash"].outcome.gains[1]


def test_2016_history_names_a_deal_the_model_predicts():
    scenario = load_scenario(SCENARIO)
    recorded = scenario.spec.history.outcome["deal"]
    assert all(c.outcome.describe().startswith(recorded) for c in scenario.solve())


@pytest.mark.parametrize("name", ["oppose_two", "russia_threshold"])
def test_more_opposition_never_enlarges_russias_win_set(name):
    scenario = load_scenario(SCENARIO)
    low, high = scenario.parameters[name].range
    sizes = [
        len(scenario.solve({name: value}, method="nash").win_sets["Russian_public"])
        for value in np.linspace(low, high, 4)
    ]
    assert sizes == sorted(sizes, reverse=True)


def test_2016_strong_endorsement_makes_the_1956_formula_ratifiable():
    strong = {"putin_authority": 1.0, "endorsement_lift": 0.3}
    solution = load_scenario(SCENARIO).solve(strong, method="nash")
    assert solution["nash"].outcome.describe().startswith("two_islands[")
    # Washington's cap on the package now binds instead.
    package = solution.problem.variables["package"][
        solution.problem.deals.index(next(iter(solution["nash"].outcome.lottery)))
    ]
    assert package <= 1.5 and solution["nash"].binds


def test_cli_run_prints_the_bargaining_table(capsys):
    code, out, err = run_cli(capsys, "run", SCENARIO)
    assert code == 0, err
    assert "Nash bargaining" in out and "Kalai-Smorodinsky" in out and "Rubinstein" in out
    assert "ratification binds" in out and "zone of possible agreement" in out
    assert "joint_economic[package=" in out and "Japan offers first" in out


def test_cli_run_json_and_method(capsys):
    code, out, _ = run_cli(capsys, "run", SCENARIO, "--format", "json", "--method", "nash")
    assert code == 0
    data = json.loads(out)
    assert list(data["solutions"]) == ["nash"] and data["binds"] is True
    assert data["problem"]["players"] == ["Japan", "Russia"]
    assert data["parameters"]["oppose_two"] == 0.71
    code, out, _ = run_cli(capsys, "run", SCENARIO, "--set", "oppose_two=0.65", "--format", "json")
    assert json.loads(out)["parameters"]["oppose_two"] == 0.65


def test_cli_refuses_a_normal_form_method_for_a_bargaining_file(capsys):
    code, _, err = run_cli(capsys, "run", SCENARIO, "--method", "pure")
    assert code == 2 and "unknown bargaining method 'pure'" in err


def test_run_function_and_the_cli_agree(capsys):
    solution = run(SCENARIO, method="kalai-smorodinsky")
    code, out, _ = run_cli(capsys, "run", SCENARIO, "--method", "kalai-smorodinsky")
    assert code == 0 and solution["kalai-smorodinsky"].outcome.describe() in out
