"""Why a sweep point is incomplete: the ``incomplete_reason`` column, in every engine and file."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import kurilsim
from kurilsim.forms.extensive import sweep as tree_sweep
from tests.helpers import cut_tree_listing_at_the_second_point

pytestmark = pytest.mark.usefixtures("at_root")  # paths here are relative to the repository root

GRID = {"declaration_value": (0.1, 0.3, 2)}


def reasons(table):
    return [None if pd.isna(r) else r for r in table["incomplete_reason"]]


def test_the_reason_follows_complete_in_a_game_by_game_sweep(tmp_path):
    era = kurilsim.load_scenario("scenarios/era_1956.yaml")
    cut = kurilsim.sweep(era, GRID, method="support-enumeration", options={"max_seconds": 0})
    table = cut.to_frame()
    assert table.columns[-2:].tolist() == ["complete", "incomplete_reason"]
    assert not table["complete"].any() and set(reasons(table)) == {"max_seconds"}
    finished = kurilsim.sweep(era, GRID, method="support-enumeration").to_frame()
    assert finished["complete"].all() and reasons(finished) == [None] * len(finished)
    for suffix in ("parquet", "csv"):
        out = tmp_path / f"cut.{suffix}"
        kurilsim.sweep(era, GRID, method="support-enumeration", options={"max_seconds": 0}, out=out)
        back = kurilsim.sweeps.read_sweep(out).to_frame()
        assert reasons(back) == reasons(table)
    field = pq.read_schema(tmp_path / "cut.parquet").field("incomplete_reason")
    assert pa.types.is_dictionary(field.type)


def test_a_vectorised_pure_sweep_has_the_column_empty(tmp_path):
    hunt = kurilsim.load_scenario("scenarios/textbook/stag_hunt.yaml")
    result = kurilsim.sweep(hunt, {"stag": (0, 10, 6)}, out=tmp_path / "pure.parquet")
    table = result.to_frame()
    assert table["complete"].all() and table["incomplete_reason"].isna().all()
    csv = kurilsim.sweep(hunt, {"stag": (0, 10, 6)}, out=tmp_path / "pure.csv").to_frame()
    pd.testing.assert_frame_equal(csv, table)


def test_a_tree_point_cut_short_names_the_bound(monkeypatch):
    scenario = kurilsim.load_scenario("scenarios/sequence_1956.yaml")
    values = scenario.parameter_values({"carry_out_cost": np.array([0.0, 0.6])})
    cut_tree_listing_at_the_second_point(monkeypatch)
    _, columns = tree_sweep.tree_rows(scenario, values, 1e-9)
    assert columns["complete"].tolist() == [True, False]
    assert columns["incomplete_reason"].to_pylist() == [None, "listing_seconds"]
