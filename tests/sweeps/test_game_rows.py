"""Rows of game-by-game sweeps, built as arrays per chunk: the rows each point's own solve
gives, with its component labels, and a ``none`` row where a method found nothing."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import kurilsim
from kurilsim.forms.normal import game_rows
from kurilsim.forms.normal.labels import NO_EQUILIBRIUM
from kurilsim.sweeps import SweepSpec
from kurilsim.sweeps.engine import arrow_table
from kurilsim.sweeps.spec import point_set

pytestmark = pytest.mark.usefixtures("at_root")  # paths here are relative to the repository root


@pytest.fixture(scope="module")
def era():
    # Three players; support enumeration finds continua, mixed and pure equilibria on it.
    return kurilsim.load_scenario("scenarios/era_1956.yaml")


def rows_table(scenario, values, method="support-enumeration"):
    rows = game_rows.game_by_game_rows(scenario, values, method, 1e-9, {})
    return arrow_table({"game": rows.game, **rows.columns}).to_pandas()


def test_each_points_rows_are_those_of_its_own_solve(era):
    values = point_set(era, SweepSpec(samples=6, seed=1)).values(0, 6)
    table = rows_table(era, era.parameter_values(values))
    assert set(table["kind"]) >= {"pure", "mixed"}
    assert table["label"].str.startswith("mixed").any()  # a continuum, named once
    for g, rows in table.groupby("game"):
        point = {name: v[g] for name, v in values.items()}
        alone = era.solve(point, method="support-enumeration").to_frame().drop(columns="method")
        pd.testing.assert_frame_equal(
            rows[alone.columns].reset_index(drop=True), alone, check_dtype=True
        )
        assert rows["regime"].nunique() == 1
        assert rows["complete"].all()


def test_a_point_without_an_equilibrium_keeps_one_none_row(era, monkeypatch):
    solve, calls = game_rows.solve, []

    def nothing_at_the_second(game, method, tol, **options):
        calls.append(game)
        solution = solve(game, method, tol, **options)
        if len(calls) == 2:  # as when a time bound stops the method before it finds one
            return dataclasses.replace(solution, equilibria=(), incomplete_reason="max_seconds")
        return solution

    monkeypatch.setattr(game_rows, "solve", nothing_at_the_second)
    values = point_set(era, SweepSpec(samples=3, seed=1)).values(0, 3)
    table = rows_table(era, era.parameter_values(values))
    none = table[table["game"] == 1]
    assert len(none) == 1
    row = none.iloc[0]
    assert (row["equilibrium"], row["kind"], row["label"], row["regime"], row["complete"]) == (
        0, "none", NO_EQUILIBRIUM, NO_EQUILIBRIUM, False
    )  # fmt: skip
    assert row.filter(like="prob.").isna().all() and np.isnan(row["max_regret"])
    assert row["incomplete_reason"] == "max_seconds"
    assert set(table.loc[table["game"] != 1, "kind"]) <= {"pure", "mixed"}
    assert table.loc[table["game"] != 1, "complete"].all()
    assert table.loc[table["game"] != 1, "incomplete_reason"].isna().all()


def test_a_game_by_game_chunk_loads_no_pandas(era):
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, kurilsim\n"
        "from kurilsim.forms.normal.game_rows import game_by_game_rows\n"
        "s = kurilsim.load_scenario('scenarios/era_1956.yaml')\n"
        "at = s.parameter_values({'declaration_value': np.array([0.1, 0.3])})\n"
        "game_by_game_rows(s, at, 'support-enumeration', 1e-9, {})\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
