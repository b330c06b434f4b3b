"""Conflict scenario files (``form: conflict``): loading, errors, the 2018 scenario and the CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest

from kurilsim import InputError, load_scenario, parse_scenario, run
from kurilsim.analysis.explain import explain
from kurilsim.cli import main
from kurilsim.forms.conflict.form import CONFLICT_FORM, recorded_states
from kurilsim.forms.registry import scenario_json_schema
from tests.helpers import ROOT, run_cli

STALEMATE = ROOT / "scenarios" / "conflict_2018.yaml"

OFFER = """\
kurilsim: 1
form: conflict
title: Two-island offer
parameters:
  weight:
    default: 2
    range: [0, 5]
    unit: index
    description: how much B values a settlement
    assumption: illustration
decision_makers:
  A:
    options:
      offer: A offers two islands
      arm: A arms the islands
  B:
    options:
      accept: B accepts the offer
infeasible:
  - "offer and arm"
irreversible:
  accept: forward
preferences:
  A:
    statements:
      - "-offer"
      - "arm if accept"
  B:
    score: "weight * offer * accept - arm"
history:
  summary: No offer, no arms.
  outcome: {A: [], B: []}
  evidence: [E71]
"""


def test_a_conflict_file_compiles_to_its_graph_model():
    scenario = parse_scenario(OFFER)
    assert scenario.form is CONFLICT_FORM
    assert scenario.players == ("A", "B")
    conflict = scenario.game()
    patterns = [conflict.pattern(s) for s in range(conflict.n_states)]
    assert patterns == ["NN N", "YN N", "NY N", "NN Y", "YN Y", "NY Y"]
    # B's score: 2 * offer * accept - arm.
    assert conflict.payoffs[1].tolist() == [0, 0, -1, 0, 2, -1]
    # Accepting cannot be undone.
    assert not conflict.moves[1, 3:, :3].any()
    assert conflict.moves[1, :3, 3:].any()
    assert recorded_states(scenario.compiled, conflict) == (0,)


def test_parameters_change_the_preferences():
    scenario = parse_scenario(OFFER)
    assert scenario.game({"weight": 0}).payoffs[1].tolist() == [0, 0, -1, 0, 0, -1]
    with pytest.raises(InputError, match="outside its declared range"):
        scenario.solve({"weight": 9})
    with pytest.raises(InputError, match="single number"):
        scenario.solve({"weight": np.array([0.0, 1.0])})


def test_solve_records_how_it_was_produced():
    table = parse_scenario(OFFER).solve({"weight": 1}, "gmr", tol=1e-6)
    assert table.concepts == ("gmr",)
    assert table.tol == 1e-6
    assert dict(table.parameters) == {"weight": 1.0}
    assert table.recorded == (0,)
    with pytest.raises(InputError, match="takes one method option, max_seconds"):
        parse_scenario(OFFER).solve(max_iter=3)
    assert dict(parse_scenario(OFFER).solve(max_seconds=3).options) == {"max_seconds": 3}


def test_display_escapes_user_text():
    scenario = parse_scenario(OFFER.replace("A offers two islands", "<b>offer</b>"))
    assert "&lt;b&gt;offer&lt;/b&gt;" in scenario._repr_html_()
    assert "1 parameters" in repr(scenario)


def _error(text):
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="bad.yaml")
    return str(caught.value)


BAD_FILES = [
    pytest.param(
        lambda t: t.replace('"arm if accept"', '"arm if"'),
        27,
        "preferences.A.statements.1",
        "expected an option name or '(', found the end",
        id="statement-syntax",
    ),
    pytest.param(
        lambda t: t.replace('"-offer"', '"-ofer"'),
        26,
        "preferences.A.statements.0",
        "unknown option 'ofer'",
        id="statement-unknown-option",
    ),
    pytest.param(
        lambda t: t.replace('"offer and arm"', '"offer and army"'),
        20,
        "infeasible.0",
        "unknown option 'army'",
        id="infeasible-unknown-option",
    ),
    pytest.param(
        lambda t: t.replace('"offer and arm"', '"offer or -offer"'),
        19,
        "infeasible",
        "every combination of options is infeasible",
        id="nothing-feasible",
    ),
    pytest.param(
        lambda t: t.replace("accept: forward", "acept: forward"),
        22,
        "irreversible.acept",
        "unknown option 'acept'",
        id="irreversible-unknown-option",
    ),
    pytest.param(
        lambda t: t.replace("accept: forward", "accept: sideways"),
        22,
        "irreversible.accept",
        "'forward' or 'backward'",
        id="irreversible-direction",
    ),
    pytest.param(
        lambda t: t.replace("accept: B accepts the offer", "offer: B offers too"),
        18,
        "decision_makers.B.options.offer",
        "already an option of A",
        id="repeated-option",
    ),
    pytest.param(
        lambda t: t.replace("arm: A arms", "iff: A arms"),
        15,
        "decision_makers.A.options.iff",
        "word of the statement or expression language",
        id="keyword-option",
    ),
    pytest.param(
        lambda t: t.replace("arm: A arms", "weight: A arms"),
        15,
        "decision_makers.A.options.weight",
        "same name as a parameter",
        id="option-named-like-parameter",
    ),
    pytest.param(
        lambda t: t.replace("accept - arm", "accept - armed"),
        29,
        "preferences.B.score",
        "unknown name 'armed'",
        id="score-unknown-name",
    ),
    pytest.param(
        lambda t: t.replace('"weight * offer * accept - arm"', '"offer / arm"'),
        29,
        "preferences.B.score",
        "score is not finite in some state at weight=2",
        id="score-not-finite",
    ),
    pytest.param(
        lambda t: t.replace(
            '      - "arm if accept"\n', '      - "arm if accept"\n    score: "1"\n'
        ),
        24,
        "preferences.A",
        "exactly one of 'statements' or 'score'",
        id="statements-and-score",
    ),
    pytest.param(
        lambda t: t.replace('  B:\n    score: "weight * offer * accept - arm"\n', ""),
        23,
        "preferences",
        "no preferences given for B",
        id="missing-preferences",
    ),
    pytest.param(
        lambda t: t.replace("  B:\n    score", "  C:\n    score"),
        28,
        "preferences.C",
        "unknown decision maker 'C'",
        id="unknown-decision-maker",
    ),
    pytest.param(
        lambda t: t.replace("outcome: {A: [], B: []}", "outcome: {A: [accept], B: []}"),
        32,
        "history.outcome.A",
        "A has no option 'accept'",
        id="history-wrong-option",
    ),
    pytest.param(
        lambda t: t.replace("outcome: {A: [], B: []}", "outcome: {A: [offer, arm]}"),
        32,
        "history.outcome",
        "no feasible state matches the recorded outcome",
        id="history-infeasible",
    ),
    pytest.param(
        lambda t: t.replace("  B:\n    options:\n      accept: B accepts the offer\n", ""),
        11,
        "decision_makers",
        "at least 2 items",
        id="one-decision-maker",
    ),
    pytest.param(
        lambda t: t.replace("infeasible:", "colour: red\ninfeasible:"),
        19,
        "colour",
        "unknown field",
        id="unknown-field",
    ),
]


@pytest.mark.parametrize(("mutate", "line", "field", "words"), BAD_FILES)
def test_bad_conflict_files_name_file_line_and_field(mutate, line, field, words):
    message = _error(mutate(OFFER))
    assert message.startswith(f"bad.yaml:{line}: {field}: "), message
    assert words in message, message


def test_schema_covers_the_conflict_form():
    text = json.dumps(scenario_json_schema())
    assert "ConflictScenarioFile" in text and "decision_makers" in text


def test_explain_shows_each_decision_makers_preferences():
    trail = explain(parse_scenario(OFFER)).to_dict()
    assert trail["payoffs"] == {
        "A": "prioritised: -offer; arm if accept",
        "B": "weight * offer * accept - arm",
    }


# --- The 2018 scenario -----------------------------------------------------------------------
RECORD = {
    "Russia": ["joint_activity", "militarise"],
    "Japan": ["economic_package", "aegis_ashore", "keep_sanctions"],
    "US": [],
}


def test_the_2018_stalemate_is_the_only_credible_equilibrium():
    # What the scenario file's header says it gives.
    scenario = load_scenario(STALEMATE)
    table = scenario.solve()
    conflict = table.conflict
    assert conflict.n_states == 144
    assert [conflict.taken(s) for s in table.recorded] == [RECORD]
    assert table.recorded == (64,)  # state 65
    numbers = {c: [s + 1 for s in table.equilibria(c)] for c in table.concepts}
    assert numbers == {
        "nash": [65],
        "gmr": [59, 64, 65, 131, 136, 137],
        "smr": [59, 64, 65, 131, 136, 137],
        "seq": [65],
    }
    # No concept finds a settlement stable.
    settled = [
        s for s in range(conflict.n_states) if {"offer_two"} <= set(conflict.taken(s)["Russia"])
    ]
    assert not table.stable[:, :, settled].all(axis=1).any()


def test_us_resolve_moves_only_the_us_stability():
    scenario = load_scenario(STALEMATE)
    low, high = scenario.solve(), scenario.solve({"us_resolve": 0.8})
    assert all(low.equilibria(c) == high.equilibria(c) for c in low.concepts)
    changed = np.argwhere(low.stable != high.stable)
    assert len(changed) and set(changed[:, 1]) == {2}  # decision maker 2 is the US
    lifted = [s for s in changed[:, 2] if "keep_sanctions" not in low.conflict.taken(s)["Japan"]]
    assert len(lifted) == len(changed)


def test_cli_prints_the_stability_table(capsys):
    code, out, err = run_cli(capsys, "run", STALEMATE)
    assert code == 0, err
    assert "Russia: offer_two, joint_activity, militarise" in out
    assert "   65  NYY     NYYY   N   sss E     sss E  sss E  sss E  <- recorded" in out
    assert "  Nash (R): 65" in out and "  GMR: 59, 64, 65, 131, 136, 137" in out
    assert "recorded outcome: state 65, an equilibrium under Nash (R), GMR, SMR, SEQ" in out


def test_cli_json_and_options(capsys):
    code, out, _ = run_cli(
        capsys, "run", STALEMATE, "--format", "json", "--method", "seq", "--set", "us_resolve=0.9"
    )
    assert code == 0
    result = json.loads(out)
    assert result["concepts"] == ["seq"]
    assert result["equilibria"] == {"seq": [65]}
    assert result["recorded"] == [65]
    assert result["parameters"] == {"us_resolve": 0.9, "press_friction": 0.5}
    assert result["states"][64]["options"] == RECORD
    assert set(result["states"][64]["stable"]["seq"].values()) == {True}


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(["--method", "pure"], "unknown method 'pure' for a conflict", id="method"),
        pytest.param(["--max-iter", "5"], "takes one method option", id="option"),
        pytest.param(["--set", "us_resolve=2"], "outside its declared range", id="range"),
    ],
)
def test_cli_refuses_what_a_conflict_cannot_do(capsys, argv, words):
    code, _, err = run_cli(capsys, "run", STALEMATE, *argv)
    assert code == 2
    assert words in err


def one_option_each(n):
    """A conflict file: ``n`` decision makers with one option each, so 2**n states."""
    lines = ["kurilsim: 1", "form: conflict", f"title: {n} decision makers", "decision_makers:"]
    lines += [f"  D{i}: {{options: {{o{i}: D{i} acts}}}}" for i in range(n)]
    lines += ["preferences:"]
    lines += [f'  D{i}: {{statements: ["-o{i}", "o{(i + 1) % n}"]}}' for i in range(n)]
    return "\n".join(lines) + "\n"


def test_a_conflict_above_the_state_bound_is_refused_in_one_line(capsys, tmp_path):
    path = tmp_path / "eleven.yaml"
    path.write_text(one_option_each(11))
    code, out, err = run_cli(capsys, "run", path)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "2048 feasible states; at most 1024 are supported" in err


def test_the_command_line_exits_1_when_the_analysis_stops_at_its_bound(capsys, tmp_path):
    path = tmp_path / "ten.yaml"
    path.write_text(one_option_each(10))
    code, out, _ = run_cli(capsys, "run", path, "--max-seconds", "0.01")
    assert code == 1
    assert "WARNING: the analysis stopped at its bound (max_seconds=0.01)" in out


def test_validate_and_run_in_python():
    assert run(STALEMATE, method="nash").equilibria("nash") == (64,)
    code = main(["validate", str(STALEMATE)])
    assert code == 0


@pytest.mark.slow
def test_command_line_in_a_real_process():
    completed = subprocess.run(
        [sys.executable, "-m", "kurilsim", "run", str(STALEMATE), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(completed.stdout)["equilibria"]["nash"] == [65]
