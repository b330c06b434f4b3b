"""``kurilsim sensitivity`` from the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import check_listing_bounds_cut, run_cli


@pytest.fixture(scope="module")
def bundled(request):
    return str(request.config.rootpath / "scenarios" / "sochi_2016.yaml")


def test_text_table_and_figure(capsys, tmp_path, bundled):
    figure = tmp_path / "indices.png"
    code, out, err = run_cli(
        capsys,
        "sensitivity",
        bundled,
        "--output",
        "deal-any:treaty > 0",
        "--samples",
        "16",
        "--plot",
        figure,
    )
    assert code == 0, err
    assert "Sobol sensitivity of 'deal-any:treaty > 0'" in out
    assert "parameter" in out and "S1_conf" in out and "sum of S1:" in out
    assert figure.stat().st_size > 0 and f"wrote {figure}" in err


def test_json_keys_each_parameter_by_name(capsys, bundled):
    code, out, err = run_cli(
        capsys,
        "sensitivity",
        bundled,
        "--output",
        "regime:Russia: two_islands",
        "--samples",
        "16",
        "--parameter",
        "trust",
        "--parameter",
        "sanctions",
        "--set",
        "putin_authority=1",
        "--format",
        "json",
    )
    assert code == 0, err
    record = json.loads(out)
    assert next(iter(record)) == "format"
    assert record["output"] == "regime:Russia: two_islands" and record["method"] == "sobol"
    assert record["fixed"] == {"putin_authority": 1.0} and record["complete"] is True
    assert set(record["parameters"]) == {"trust", "sanctions"}
    trust = record["parameters"]["trust"]
    assert set(trust) == {"range", "S1", "S1_conf", "ST", "ST_conf", "S2", "S2_conf"}
    assert trust["range"] == [0.0, 1.0] and set(trust["S2"]) == {"sanctions"}
    assert record["evaluations"] == 16 * (2 * 2 + 2)


def test_morris_as_csv(capsys, bundled):
    code, out, err = run_cli(
        capsys,
        "sensitivity",
        bundled,
        "--output",
        "deal-share",
        "--method",
        "morris",
        "--samples",
        "4",
        "--format",
        "csv",
    )
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == [
        "parameter",
        "low",
        "high",
        "mu",
        "mu_star",
        "mu_star_conf",
        "sigma",
    ]
    assert len(table) == 25


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["--output", "treaty"], "unknown output 'treaty'", id="bad-output"),
        pytest.param(["--output", "payoff:Rusia"], "unknown player 'Rusia'", id="unknown-player"),
        pytest.param(
            ["--output", "deal-share", "--parameter", "trusst"],
            "unknown parameter 'trusst'; did you mean 'trust'?",
            id="unknown-parameter",
        ),
        pytest.param(
            ["--output", "deal-share", "--samples", "48"],
            "samples must be a power of 2",
            id="not-a-power-of-two",
        ),
        pytest.param(
            ["--output", "deal-share", "--set", "trust=3"],
            "outside its declared range",
            id="fixed-out-of-range",
        ),
        pytest.param(
            ["--output", "regime:Russia: nonsense", "--samples", "8"],
            "no point has an equilibrium labelled 'Russia: nonsense'",
            id="regime-no-point-has",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, bundled, arguments, message):
    code, out, err = run_cli(capsys, "sensitivity", bundled, *arguments)
    assert code == 2 and not out
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert err.startswith(f"kurilsim: error: {bundled}: "), err  # the scenario named, as tipping


def test_output_is_required(capsys, bundled):
    code, _, err = run_cli(capsys, "sensitivity", bundled)
    assert code == 2 and "--output" in err


@pytest.mark.parametrize(
    ("name", "output"),
    [("sequence_1956.yaml", "deal-share"), ("reassurance_2016.yaml", "qre-deal:10")],
)
def test_deal_outputs_of_trees_and_signalling_games(capsys, bundled, name, output):
    tree = str(Path(bundled).with_name(name))
    code, out, err = run_cli(
        capsys, "sensitivity", tree, "--output", output, "--samples", "8", "--format", "json"
    )
    assert code == 0, err
    record = json.loads(out)
    assert record["output"] == output and record["complete"] is True
    for indices in record["parameters"].values():
        assert {"S1", "ST", "S1_conf", "ST_conf"} <= set(indices)


def test_a_form_without_deals_refuses_them_in_one_line(capsys, bundled):
    repeated = str(Path(bundled).with_name("repeated_joint_activity.yaml"))
    code, out, err = run_cli(capsys, "sensitivity", repeated, "--output", "deal-share")
    assert code == 2 and not out and err.count("\n") == 1
    assert "repeated_joint_activity.yaml" in err and "no probability that play is a deal" in err


def test_points_where_the_answer_is_incomplete_are_counted_by_reason(capsys, bundled, monkeypatch):
    from kurilsim.analysis.scalar_output import ScalarOutput

    evaluate = ScalarOutput.evaluate

    def cut_at_every_third(self, scenario, values, tol, options):
        out, reasons = evaluate(self, scenario, values, tol, options)
        reasons[::3] = "max_seconds"  # as when a method stops at its bound there
        reasons[1::6] = "unproved: continuum"
        return out, reasons

    monkeypatch.setattr(ScalarOutput, "evaluate", cut_at_every_third)
    arguments = ("sensitivity", bundled, "--output", "deal-any:treaty > 0", "--samples", "4")
    code, out, err = run_cli(capsys, *arguments, "--parameter", "trust")
    # One parameter: 4 x (1 + 2) = 12 points, 4 of them cut, 2 unproved.
    assert code == 1, err
    expected = "incomplete at 6 of 12 points (max_seconds: 4, unproved: continuum: 2)"
    assert f"WARNING: {expected}; indices may be off" in out.splitlines()
    code, out, err = run_cli(capsys, *arguments, "--parameter", "trust", "--format", "json")
    record = json.loads(out)
    assert record["complete"] is False
    assert record["incomplete_reasons"] == {"max_seconds": 4, "unproved: continuum": 2}


def test_the_listing_bounds_of_run_and_sweep_cut_a_tied_trees_listing(capsys, scenarios):
    arguments = ("sensitivity", scenarios / "sequence_1956.yaml", "--output", "deal-share")
    # Morris's points lie on a grid of each range, which meets the tree's ties.
    arguments += ("--method", "morris", "--samples", 4, "--format", "json")
    check_listing_bounds_cut(capsys, *arguments)


def test_a_listing_bound_is_refused_where_no_listing_takes_it(capsys, bundled):
    arguments = ("sensitivity", bundled, "--output", "deal-share", "--samples", 4)
    code, out, err = run_cli(capsys, *arguments, "--max-equilibria", 5)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "max_equilibria" in err, err
