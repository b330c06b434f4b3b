"""``kurilsim tipping`` from the command line: its exit status follows the solves it rests on."""

from __future__ import annotations

import json
import re

from tests.helpers import check_listing_bounds_cut, run_cli


def test_a_tipping_table_resting_on_complete_solves_exits_0(capsys, scenarios):
    arguments = ("tipping", scenarios / "sequence_1956.yaml", "--parameter", "okinawa_hold_value")
    code, out, err = run_cli(capsys, *arguments, "--resolution", 11)
    assert code == 0, err
    assert "WARNING" not in out
    code, out, _ = run_cli(capsys, *arguments, "--resolution", 11, "--format", "json")
    record = json.loads(out)
    assert code == 0 and record["complete"] is True and record["incomplete_reasons"] == {}
    assert record["evaluations"] > len(record["tipping_points"])


def test_solves_cut_short_by_a_bound_warn_and_exit_1(capsys, scenarios, monkeypatch):
    import kurilsim.forms.extensive.backward_induction as listing

    # A listing of one equilibrium: the points tied within the tolerance are cut short there.
    monkeypatch.setattr(listing, "MAX_EQUILIBRIA", 1)
    arguments = ("tipping", scenarios / "sequence_1956.yaml", "--parameter", "okinawa_hold_value")
    code, out, err = run_cli(capsys, *arguments, "--resolution", 11)
    assert code == 1, err
    counted = re.fullmatch(
        r"WARNING: incomplete at (\d+) of \d+ points \(max_equilibria: (\d+)\); "
        r"tipping points may be off",
        out.splitlines()[-1],
    )
    assert counted and counted[1] == counted[2] and int(counted[1]) > 0, out
    code, out, _ = run_cli(capsys, *arguments, "--resolution", 11, "--format", "json")
    record = json.loads(out)
    assert code == 1 and record["complete"] is False
    assert record["incomplete_reasons"] == {"max_equilibria": int(counted[1])}
    code, out, _ = run_cli(capsys, *arguments, "--resolution", 11, "--format", "csv")
    assert code == 1 and out.startswith("parameter,unit,default,")


def test_the_listing_bounds_of_run_and_sweep_cut_a_tied_trees_listing(capsys, scenarios):
    arguments = ("tipping", scenarios / "sequence_1956.yaml", "--parameter", "okinawa_hold_value")
    arguments += ("--resolution", 11, "--format", "json")
    check_listing_bounds_cut(capsys, *arguments)


def test_a_listing_bound_is_refused_where_no_listing_takes_it(capsys, scenarios):
    code, out, err = run_cli(
        capsys, "tipping", scenarios / "sochi_2016.yaml", "--max-equilibria", 5
    )
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "max_equilibria" in err, err
