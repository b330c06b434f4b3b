import json

import pytest

from kurilsim import InputError, parse_scenario
from kurilsim.analysis.backtest import backtest, backtest_scenario
from kurilsim.analysis.statements import check_statements, load_statements
from kurilsim.cli import main
from kurilsim.core.schema import STATEMENTS_FILE
from tests.strategies import STAG_HUNT

# Stags are worth less than hares by default, so both hunting hare is the only equilibrium.
LEAN_HUNT = (
    STAG_HUNT.replace(
        "default: 4\n    range: [2, 10]", "default: 0.8\n    range: [0.5, 10]"
    ).replace("range: [0, 3]", "range: [1, 3]")
) + ("history:\n  summary: Both hunted hare.\n  outcome: {A: hare, B: [hare]}\n  evidence: [E01]\n")

STATEMENTS = """\
kurilsim-statements: 1
statements:
  - id: S1
    text: Nobody hunts stag together at the defaults.
    evidence: [E01]
    checks:
      - {scenario: ../hunt.yaml, kind: none_match, condition: "both_stag > 0"}
      - {scenario: ../hunt.yaml, kind: all_match, outcome: {A: hare}}
  - id: S2
    text: A bigger stag never makes the joint hunt less likely.
    checks:
      - {scenario: ../hunt.yaml, kind: monotone, parameter: stag, direction: nondecreasing,
         condition: "both_stag"}
  - id: S3
    text: A bigger stag never makes the joint hunt more likely (false).
    checks:
      - {scenario: ../hunt.yaml, kind: monotone, parameter: stag, direction: nonincreasing,
         condition: "both_stag"}
  - id: S4
    text: A's equilibrium strategies do not depend on the stag (false).
    checks:
      - {scenario: ../hunt.yaml, kind: invariant, parameter: stag, players: [A]}
  - id: S5
    text: A's equilibrium strategies do not depend on the hare.
    checks:
      - {scenario: ../hunt.yaml, kind: invariant, parameter: hare, players: [A]}
  - id: S6
    text: The hunters' feelings matter.
    not_expressible: the model has no feelings.
"""


@pytest.fixture
def scenario_dir(tmp_path):
    (tmp_path / "hunt.yaml").write_text(LEAN_HUNT, encoding="utf-8")
    (tmp_path / "statements").mkdir()
    (tmp_path / STATEMENTS_FILE).write_text(STATEMENTS, encoding="utf-8")
    return tmp_path


def test_era_matches_and_is_robust():
    result = backtest_scenario(parse_scenario(LEAN_HUNT), samples=500, seed=1)
    assert result.match
    assert result.predicted == ("A=hare, B=hare",)
    # (hare, hare) is an equilibrium whatever the stag is worth.
    assert result.robustness == 1.0


def test_robustness_measures_the_share_of_the_box():
    # Record (stag, stag): an equilibrium exactly where the stag is worth at least the hare.
    text = LEAN_HUNT.replace("{A: hare, B: [hare]}", "{A: stag, B: stag}")
    result = backtest_scenario(parse_scenario(text), samples=4000, seed=2)
    assert not result.match
    # stag ~ U(0.5, 10) and hare ~ U(1, 3): P(stag < hare) = 3/19 by integrating by hand.
    expected = 1 - 3 / 19
    assert result.robustness == pytest.approx(expected, abs=0.02)


def test_backtest_is_reproducible_with_a_seed():
    scenario = parse_scenario(LEAN_HUNT.replace("{A: hare, B: [hare]}", "{A: stag}"))
    first, again = (backtest_scenario(scenario, 300, 7) for _ in range(2))
    assert first == again


def test_statements_verdicts(scenario_dir):
    results = {
        r.statement.id: r
        for r in check_statements(
            load_statements(scenario_dir / STATEMENTS_FILE), scenario_dir / "statements"
        )
    }
    assert [results[k].holds for k in ("S1", "S2", "S3", "S4", "S5", "S6")] == [
        True,
        True,
        False,
        False,
        True,
        None,
    ]
    assert "violated at 0 of 21 base points" in results["S2"].details[0]


def test_backtest_directory_and_score(scenario_dir):
    result = backtest(scenario_dir, samples=200)
    assert [era.file for era in result.eras] == ["hunt.yaml"]
    assert result.score == (3, 5)
    text = result.to_text()
    assert "retrodiction score: 3 of 5 expressible statements hold (1 not expressible" in text
    assert "S6 not expressible" in text
    assert "    why: the model has no feelings." in text
    # a failing statement shows its checks, so the reader sees which scenario disagrees
    assert "    check: ../hunt.yaml: monotone nonincreasing in stag" in text


def test_files_the_backtest_leaves_out_are_named(scenario_dir):
    (scenario_dir / "plain.yaml").write_text(STAG_HUNT, encoding="utf-8")
    result = backtest(scenario_dir, samples=50)
    assert result.skipped == (("plain.yaml", "no recorded history"),)
    assert "not backtested: plain.yaml (no recorded history)" in result.to_text()
    assert result.to_dict()["not_backtested"] == [
        {"file": "plain.yaml", "reason": "no recorded history"}
    ]
    assert "hunt.yaml" in result.to_text().splitlines()[1]


def test_backtest_cli_json(scenario_dir, capsys):
    assert main(["backtest", str(scenario_dir), "--samples", "100", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["eras"][0]["match"] is True
    assert data["retrodiction_score"] == {"hold": 3, "expressible": 5}


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        pytest.param(
            ("kind: none_match", "kind: maybe"),
            "does not match any of the expected tags",
            id="bad-kind",
        ),
        pytest.param(
            ('condition: "both_stag > 0"}', "}"),
            "exactly one of 'condition' or 'outcome'",
            id="no-property",
        ),
        pytest.param(
            ("not_expressible: the model", "also: the model"), "Extra inputs", id="unknown-field"
        ),
        pytest.param(("outcome: {A: hare}", "outcome: {}"), "names no player", id="empty-outcome"),
    ],
)
def test_bad_statements_files(scenario_dir, replace, words):
    path = scenario_dir / STATEMENTS_FILE
    path.write_text(STATEMENTS.replace(*replace, 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_statements(path)
    assert str(info.value).startswith(f"{path}:")
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        pytest.param(
            (
                "parameter: stag, direction: nondecreasing",
                "parameter: wolf, direction: nondecreasing",
            ),
            "unknown parameter 'wolf'",
            id="parameter",
        ),
        pytest.param(
            ('condition: "both_stag"}', 'condition: "wolves"}'),
            "unknown names wolves",
            id="condition-name",
        ),
        pytest.param(
            ('condition: "both_stag > 0"}', 'condition: "1 / both_stag"}'),
            "not a finite number at every outcome",
            id="condition-infinite-somewhere",
        ),
        pytest.param(
            ("outcome: {A: hare}", "outcome: {A: rabbit}"),
            "A has no strategy 'rabbit'",
            id="strategy",
        ),
        pytest.param(
            (
                "scenario: ../hunt.yaml, kind: invariant, parameter: hare",
                "scenario: ../gone.yaml, kind: invariant, parameter: hare",
            ),
            "no such file",
            id="missing-scenario",
        ),
    ],
)
def test_statements_naming_unknown_things(scenario_dir, replace, words):
    path = scenario_dir / STATEMENTS_FILE
    path.write_text(STATEMENTS.replace(*replace, 1), encoding="utf-8")
    with pytest.raises(InputError, match=words) as refused:
        check_statements(load_statements(path), path.parent)
    assert str(refused.value).startswith(f"{path}: statements.")  # the file, then the check


@pytest.mark.parametrize(
    ("replace", "where"),
    [
        (('condition: "both_stag > 0"}', 'condition: "wolves > 0"}'), "0.checks.0.condition"),
        (("outcome: {A: hare}", "outcome: {A: rabbit}"), "0.checks.1.outcome"),
        (("parameter: hare, players", "parameter: wolf, players"), "4.checks.0"),
    ],
)
def test_backtest_names_the_statements_file_and_check_of_a_bad_check(
    scenario_dir, capsys, replace, where
):
    path = scenario_dir / STATEMENTS_FILE
    path.write_text(STATEMENTS.replace(*replace, 1), encoding="utf-8")
    assert main(["backtest", str(scenario_dir), "--samples", "10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kurilsim: error: {path}: statements.{where}"), err
    assert err.count("\n") == 1


def test_scenario_without_history_is_refused():
    with pytest.raises(InputError, match="records no history"):
        backtest_scenario(parse_scenario(STAG_HUNT))


def test_not_a_directory(tmp_path, capsys):
    assert main(["backtest", str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err
