import json
import re
import subprocess
import sys

import jsonschema
import numpy as np
import pytest
import yaml

from kurilsim import load_scenario, write_nfg
from kurilsim.cli import main
from kurilsim.forms import catalogue
from kurilsim.io import yaml_source
from tests.helpers import ROOT, run_cli
from tests.strategies import PRISONERS_TABLE, STAG_HUNT

BUNDLED = ROOT / "scenarios" / "sochi_2016.yaml"


@pytest.fixture
def stag_file(tmp_path):
    path = tmp_path / "stag.yaml"
    path.write_text(STAG_HUNT, encoding="utf-8")
    return path


def test_run_prints_a_table_naming_players_and_strategies(capsys, stag_file):
    code, out, err = run_cli(capsys, "run", stag_file)
    assert code == 0, err
    assert "A" in out and "B" in out
    assert "3 equilibria" in out
    assert "stag 0.25, hare 0.75" in out  # the mixed equilibrium, with probabilities
    assert "u(A)" in out and "max regret" in out


def test_run_json_has_the_documented_shape(capsys, stag_file):
    code, out, _ = run_cli(capsys, "run", stag_file, "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["game"]["players"] == ["A", "B"]
    assert result["game"]["strategies"] == {"A": ["stag", "hare"], "B": ["stag", "hare"]}
    kinds = sorted(eq["kind"] for eq in result["equilibria"])
    assert kinds == ["mixed", "pure", "pure"]
    for eq in result["equilibria"]:
        assert set(eq) >= {"kind", "profile", "payoffs", "max_regret", "method"}
        assert set(eq["profile"]) == {"A", "B"}
        assert sum(eq["profile"]["A"].values()) == pytest.approx(1)
        assert eq["max_regret"] <= 1e-9 * result["scale"]
    assert result["parameters"] == {"stag": 4.0, "hare": 1.0}


def test_set_changes_the_game(capsys, stag_file):
    code, out, _ = run_cli(
        capsys, "run", stag_file, "--set", "stag=2", "--set", "hare=3", "--format", "json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["parameters"] == {"stag": 2.0, "hare": 3.0}
    # With the hare worth more than the stag, hunting hare is dominant.
    assert [eq["profile"]["A"]["hare"] for eq in result["equilibria"]] == [1.0]


def test_run_nfg_file(capsys, tmp_path):
    path = tmp_path / "pd.nfg"
    write_nfg(catalogue.prisoners_dilemma(), path)
    code, out, _ = run_cli(capsys, "run", path, "--format", "json")
    assert code == 0
    (eq,) = json.loads(out)["equilibria"]
    assert eq["profile"] == {
        "Row": {"Cooperate": 0.0, "Defect": 1.0},
        "Column": {"Cooperate": 0.0, "Defect": 1.0},
    }


@pytest.mark.parametrize(
    "method", ["pure", "vertex-enumeration", "lemke-howson", "support-enumeration"]
)
def test_every_method_runs_from_the_cli(capsys, tmp_path, method):
    path = tmp_path / "pd.yaml"
    path.write_text(PRISONERS_TABLE, encoding="utf-8")
    code, out, _ = run_cli(capsys, "run", path, "--method", method, "--format", "json")
    assert code == 0
    assert json.loads(out)["method"] == method


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        pytest.param(
            ["run", "{stag}", "--set", "wolf=1"], "unknown parameter 'wolf'", id="unknown-parameter"
        ),
        pytest.param(
            ["run", "{stag}", "--set", "stag=99"], "outside its declared range", id="out-of-range"
        ),
        pytest.param(["run", "{stag}", "--set", "stag"], "expected NAME=VALUE", id="no-equals"),
        pytest.param(
            ["run", "{stag}", "--set", "stag=abc"], "expected a number", id="not-a-number"
        ),
        pytest.param(["run", "{stag}", "--set", "stag=inf"], "finite", id="infinite"),
        pytest.param(
            ["run", "{stag}", "--set", "stag=1_0"], "expected a number", id="python-only-number"
        ),
        pytest.param(
            ["run", "{stag}", "--set", "stag=3", "--set", "stag=4"],
            "argument --set: stag is given twice (3 and 4)",
            id="set-twice",
        ),
        pytest.param(
            ["validate", "{control}"],
            "control.yaml:2: the character U+0007 is not allowed",
            id="control-character",
        ),
        pytest.param(
            ["run", "{stag}", "--method", "magic"], "unknown method 'magic'", id="unknown-method"
        ),
        pytest.param(
            ["run", "{stag}", "--tol", "2"], "tolerance must lie in (0, 0.001]", id="bad-tol"
        ),
        pytest.param(
            ["run", "{stag}", "--max-iter", "5"],
            "has no option max_iter",
            id="option-of-other-method",
        ),
        pytest.param(["run", "{missing}"], "no such file", id="missing-file"),
        pytest.param(["run", "{txt}"], "unknown file type", id="unknown-suffix"),
        pytest.param(
            ["run", "{bad}"],
            "bad.yaml:22: players.A: strategy names must be unique; repeated: stag",
            id="bad-scenario",
        ),
        pytest.param(["frobnicate"], "invalid choice", id="unknown-command"),
        pytest.param([], "usage", id="no-command"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, stag_file, argv, words):
    bad = tmp_path / "bad.yaml"
    bad.write_text(STAG_HUNT.replace("  A: [stag, hare]", "  A: [stag, stag]"), encoding="utf-8")
    txt = tmp_path / "game.txt"
    txt.write_text("x", encoding="utf-8")
    control = tmp_path / "control.yaml"
    control.write_text(STAG_HUNT.replace("title: Stag", "title: \x07Stag"), encoding="utf-8")
    names = {"stag": stag_file, "missing": tmp_path / "nope.yaml", "txt": txt, "bad": bad}
    names["control"] = control
    code, out, err = run_cli(capsys, *(a.format(**names) for a in argv))
    assert code == 2
    assert words in err + out
    assert "Traceback" not in err


def test_method_for_two_players_refuses_three(capsys, tmp_path):
    path = tmp_path / "jordan.nfg"
    write_nfg(catalogue.jordan_three_player_pennies(), path)
    code, _, err = run_cli(capsys, "run", path, "--method", "lemke-howson")
    assert code == 2
    assert "solves 2-player games; this game has 3" in err


def test_bound_reached_exits_1_with_reason(capsys, tmp_path):
    path = tmp_path / "rps.nfg"
    write_nfg(catalogue.rock_paper_scissors(), path)
    code, _, err = run_cli(capsys, "run", path, "--method", "lemke-howson", "--max-iter", "1")
    assert code == 1
    assert "lemke-howson stopped at its bound (max_iter=1)" in err


def test_validate_reports_each_file(capsys, tmp_path, stag_file):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kurilsim: 1\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", stag_file, bad)
    assert code == 2
    assert f"{stag_file}: ok" in out
    assert f"{bad}" in err and "required field is missing" in err


def test_validate_lists_every_problem_with_file_line_and_field(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (ROOT / "scenarios" / "textbook" / "prisoners_dilemma.yaml").read_text(encoding="utf-8")
    bad.write_text(text + "titel: typo\nnotes: 1\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "validate", bad)
    assert code == 2
    lines = err.splitlines()
    last = len(text.splitlines())
    unknown = "unknown field (not part of the scenario format, version 1)"
    assert lines == [
        f"kurilsim: {bad}:{last + 1}: titel: {unknown}",
        f"kurilsim: {bad}:{last + 2}: notes: {unknown}",
    ]


def test_validate_reports_unknown_evidence_ids(capsys, tmp_path):
    text = (ROOT / "scenarios" / "sochi_2016.yaml").read_text(encoding="utf-8")
    cited = re.search(r"evidence: \[(E\d+)", text)
    bad = tmp_path / "e99.yaml"
    shared = tmp_path / "shared" / "parameters.yaml"
    shared.parent.mkdir()
    shared.write_text((ROOT / "scenarios" / "shared" / "parameters.yaml").read_text("utf-8"))
    bad.write_text(text[: cited.start(1)] + "E99" + text[cited.end(1) :], encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", bad)
    line = text[: cited.start()].count("\n") + 1
    assert code == 2 and not out
    assert err.startswith(f"kurilsim: {bad}:{line}: parameters.")
    assert ".evidence.0: unknown evidence id 'E99'" in err


def test_validate_reads_a_scenario_and_its_shared_parameters_once(capsys, monkeypatch):
    from kurilsim.forms import registry
    from kurilsim.io import shared_parameters

    read: list[str] = []

    def counted(text, source):
        read.append(source)
        return yaml_source.read_yaml(text, source)

    monkeypatch.setattr(registry, "read_yaml", counted)
    monkeypatch.setattr(shared_parameters, "read_yaml", counted)
    sochi = ROOT / "scenarios" / "sochi_2016.yaml"
    code, out, _ = run_cli(capsys, "validate", sochi)
    assert code == 0 and out.startswith(f"{sochi}: ok (")
    assert sorted(read) == sorted([str(sochi), str(sochi.parent / "shared" / "parameters.yaml")])


@pytest.mark.parametrize("command", ["run", "compare", "explain", "tipping"])
def test_scenario_commands_say_what_a_statements_file_is(capsys, command):
    code, _, err = run_cli(capsys, command, ROOT / "scenarios" / "statements" / "history.yaml")
    assert code == 2
    assert err.count("\n") == 1
    assert "a file of testable statements, not a scenario" in err
    assert "'kurilsim backtest DIR' reads DIR/statements/history.yaml" in err


def test_schema_is_json_schema(capsys):
    code, out, _ = run_cli(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].endswith("2020-12/schema") and schema["$id"]
    jsonschema.Draft202012Validator.check_schema(schema)
    # One schema per game form, selected by the form field; the normal form's lists its fields.
    forms = [schema["$defs"][rule["then"]["$ref"].split("/")[-1]] for rule in schema["allOf"]]
    assert {"kurilsim", "players", "parameters", "outcomes", "payoffs", "payoff_table"} <= set(
        forms[0]["properties"]
    )
    assert any({"decision_makers", "preferences"} <= set(f["properties"]) for f in forms)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        if path.parent.name not in {"statements", "shared"}:
            assert not list(validator.iter_errors(yaml.safe_load(path.read_text("utf-8")))), path


def test_schema_blames_a_typo_where_it_is(capsys):
    _, out, _ = run_cli(capsys, "schema")
    data = yaml.safe_load((ROOT / "scenarios" / "sochi_2016.yaml").read_text("utf-8"))
    trust = data["parameters"]["trust"]
    trust["defualt"] = trust.pop("default")
    errors = list(jsonschema.Draft202012Validator(json.loads(out)).iter_errors(data))
    assert errors and {error.json_path for error in errors} == {"$.parameters.trust"}
    assert "'defualt' was unexpected" in jsonschema.exceptions.best_match(errors).message


def test_schema_of_statements_files_takes_the_bundled_one(capsys):
    code, out, _ = run_cli(capsys, "schema", "--statements")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] != json.loads(run_cli(capsys, "schema")[1])["$id"]
    validator = jsonschema.Draft202012Validator(schema)
    text = (ROOT / "scenarios" / "statements" / "history.yaml").read_text("utf-8")
    statements = yaml.safe_load(text)
    assert not list(validator.iter_errors(statements))
    del statements["statements"][0]["text"]
    assert [e.json_path for e in validator.iter_errors(statements)] == ["$.statements[0]"]


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("kurilsim ")


@pytest.mark.slow
def test_installed_command_runs_the_bundled_scenario():
    result = subprocess.run(
        [sys.executable, "-m", "kurilsim", "run", str(BUNDLED), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["game"]["players"] == ["Russia", "Japan", "US", "China"]
    assert output["equilibria"]


@pytest.mark.slow
def test_installed_command_writes_the_sweep_and_summary_main_does(capsys, tmp_path):
    # The command freezes what is left at its end out of the cycle collector, for a quick exit:
    # its file must still be complete and closed, byte for byte the one of the same sweep here.
    argv = ["-q", "sweep", str(BUNDLED), "--grid", "sanctions=0:0.7:6", "--grid", "trust=0:1:5"]
    command = subprocess.run(
        [sys.executable, "-m", "kurilsim", *argv, "--out", str(tmp_path / "command.parquet")],
        capture_output=True,
        text=True,
        check=False,
    )
    code, out, err = run_cli(capsys, *argv, "--out", tmp_path / "here.parquet")
    assert (command.returncode, command.stdout, command.stderr) == (code, out, err) == (0, out, "")
    assert "30 points" in out
    written = (tmp_path / "command.parquet").read_bytes()
    assert written == (tmp_path / "here.parquet").read_bytes()


@pytest.mark.slow
def test_installed_command_reports_bad_input_without_traceback(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("kurilsim: 1\ntitle: [unclosed\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kurilsim", "run", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"kurilsim: error: {bad}:")
    assert "YAML syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_reads_the_statements_file_of_the_scenarios(capsys):
    code, out, err = run_cli(capsys, "validate", ROOT / "scenarios" / "statements" / "history.yaml")
    assert code == 0, err
    assert "history.yaml: ok (" in out and "testable statements)" in out


def test_every_yaml_file_of_the_scenarios_folder_is_a_scenario():
    # So that `kurilsim run scenarios/*.yaml` (and compare, explain, tipping) takes every one:
    # statements and shared parameters live in subfolders.
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert load_scenario(path).title, path


def test_validate_names_the_statements_file_whose_check_misses_a_scenario(capsys, tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text(
        "kurilsim-statements: 1\nstatements:\n  - id: X1\n    text: a claim\n"
        "    evidence: [E01]\n    checks:\n"
        '      - {scenario: missing.yaml, kind: none_match, condition: "islands > 0"}\n',
        encoding="utf-8",
    )
    code, _, err = run_cli(capsys, "validate", path)
    assert code == 2
    assert err.startswith(f"kurilsim: {path}: statements.0.checks.0: ") and "missing.yaml" in err


@pytest.mark.parametrize("command", ["run", "compare", "explain", "tipping", "qre"])
def test_every_command_refuses_a_parameter_set_twice(capsys, stag_file, command):
    code, _, err = run_cli(capsys, command, stag_file, "--set", "stag=3", "--set", "stag=4")
    assert code == 2
    assert "stag is given twice (3 and 4)" in err


def test_a_method_stopped_at_its_bound_exits_1(capsys, tmp_path):
    from kurilsim import NormalFormGame

    rng = np.random.default_rng(14)
    names = [f"s{k}" for k in range(14)]
    two = NormalFormGame(["1", "2"], [names, names], rng.standard_normal((14, 14, 2)))
    three = NormalFormGame(["1", "2", "3"], [names[:6]] * 3, rng.standard_normal((6, 6, 6, 3)))
    # Both finish these games in a second or so; a bound of 0 stops them.
    for method, game in (("vertex-enumeration", two), ("support-enumeration", three)):
        path = tmp_path / f"{method}.nfg"
        write_nfg(game, path)
        code, out, _ = run_cli(capsys, "run", path, "--method", method, "--max-seconds", "0")
        assert code == 1 and "WARNING: incomplete (max_seconds): equilibria may" in out
        argv = ("run", path, "--method", method, "--max-seconds", "0", "--format", "json")
        code, out, _ = run_cli(capsys, *argv)
        data = json.loads(out)
        assert code == 1 and not data["complete"] and data["incomplete_reason"] == "max_seconds"


def test_a_time_bound_on_a_tree_bounds_its_listing(capsys):
    tree = ROOT / "scenarios" / "sequence_1956.yaml"
    unbounded = run_cli(capsys, "run", tree)
    bounded = run_cli(capsys, "run", tree, "--max-seconds", "5")
    assert bounded == unbounded and bounded[0] == 0


def test_ctrl_c_ends_with_one_line_and_130(capsys, monkeypatch, tmp_path):
    from kurilsim.cli import run as run_command

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_command, "handle", interrupted)
    code, _, err = run_cli(capsys, "run", tmp_path / "any.yaml")
    assert (code, err) == (130, "kurilsim: interrupted\n")


def test_ctrl_c_while_the_command_line_loads_ends_with_one_line_and_130(capsys, monkeypatch):
    import builtins

    import kurilsim.__main__ as entry_point
    from kurilsim.cli.common import EXIT_INTERRUPTED, INTERRUPTED

    assert (entry_point.EXIT_INTERRUPTED, entry_point.INTERRUPTED) == (
        EXIT_INTERRUPTED,
        INTERRUPTED,
    )
    real_import = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name == "kurilsim.cli":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    monkeypatch.delenv(entry_point.PYDANTIC_PLUGINS[0], raising=False)  # which entry() sets
    assert entry_point.entry() == 130
    assert capsys.readouterr().err == "kurilsim: interrupted\n"


def test_the_command_leaves_its_objects_out_of_the_cycle_collector_at_its_end(capsys, monkeypatch):
    import gc

    import kurilsim.__main__ as entry_point

    monkeypatch.setattr(sys, "argv", ["kurilsim", "--version"])
    monkeypatch.delenv(entry_point.PYDANTIC_PLUGINS[0], raising=False)  # which entry() sets
    assert gc.get_freeze_count() == 0
    try:
        with pytest.raises(SystemExit) as done:  # as --version ends the command
            entry_point.entry()
        assert gc.get_freeze_count() > 0  # the interpreter's exit searches none of them
    finally:
        gc.unfreeze()  # this process goes on
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("kurilsim ")


def test_json_output_is_strict_json_at_the_edge_of_the_float_range(capsys, tmp_path):
    # Payoffs near 1e308 give a payoff scale past the float range: written as "inf", not Infinity.
    path = tmp_path / "scaled.yaml"
    path.write_text(
        """kurilsim: 1
title: A dilemma at the float range
players: {A: [C, D], B: [C, D]}
payoff_table:
  - {profile: [C, C], payoffs: [9.0e307, 9.0e307]}
  - {profile: [C, D], payoffs: [-3.0e307, 1.5e308]}
  - {profile: [D, C], payoffs: [1.5e308, -3.0e307]}
  - {profile: [D, D], payoffs: [3.0e307, 3.0e307]}
"""
    )

    def refuse(constant):
        raise ValueError(f"not standard JSON: {constant}")

    code, out, _ = run_cli(capsys, "run", str(path), "--format", "json")
    assert code == 0
    solution = json.loads(out, parse_constant=refuse)
    assert solution["scale"] == "inf"
    assert [e["profile"]["A"]["D"] for e in solution["equilibria"]] == [1.0]
