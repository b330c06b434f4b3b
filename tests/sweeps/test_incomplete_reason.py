"""Why a sweep point is incomplete: the ``incomplete_reason`` column, in every engine and file."""

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import kurilsim
from kurilsim.forms.extensive import sweep as tree_sweep
from kurilsim.sweeps.store import METADATA_KEY
from tests.helpers import chain_of_stops, cut_tree_listing_at_the_second_point

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


def test_incomplete_points_are_counted_by_reason_alike_in_memory_on_file_and_resumed(
    tmp_path, monkeypatch
):
    tree = kurilsim.load_scenario("scenarios/sequence_1956.yaml")
    grid, cut = {"carry_out_cost": (0, 0.6, 7)}, {"max_equilibria": 1}
    in_memory = kurilsim.sweep(tree, grid, options=cut, chunk_size=2)
    table = in_memory.to_frame().drop_duplicates("point")
    expected = dict(table["incomplete_reason"].value_counts())
    assert expected and in_memory.incomplete_reasons == expected
    warning = in_memory.summary().splitlines()[-1]
    assert warning.startswith(f"WARNING: incomplete at {sum(expected.values())} of 7 points (")
    for suffix in ("parquet", "csv"):
        out = tmp_path / f"cut.{suffix}"
        written = kurilsim.sweep(tree, grid, options=cut, out=out, chunk_size=2)
        assert written.reasons == expected  # counted as it ran: the summary reads no file
        read = kurilsim.sweeps.read_sweep(out)
        assert read.incomplete_reasons == expected and read.summary() == in_memory.summary()
        assert warning in read._repr_html_()
        read.to_frame()  # read into memory: counted from the table, alike
        assert read.incomplete_reasons == expected
    # An unfinished sweep counts its finished chunks (the tied point 0.3 is in the second);
    # resumed, the chunks finished before are counted as the file is written from their parts.
    from kurilsim.sweeps import engine

    real, solved = engine.solve_chunk, []

    def dies_after_two(job, index):
        if len(solved) == 2:
            raise KeyboardInterrupt
        solved.append(index)
        return real(job, index)

    out = tmp_path / "unfinished.parquet"
    monkeypatch.setattr(engine, "solve_chunk", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        kurilsim.sweep(tree, grid, options=cut, out=out, chunk_size=2, workers=1)
    unfinished = kurilsim.sweeps.read_sweep(out)
    assert not unfinished.complete and unfinished.incomplete_reasons == expected
    assert "incomplete at 1 of 4 points" in unfinished.summary()
    monkeypatch.setattr(engine, "solve_chunk", real)
    resumed = kurilsim.sweep(tree, grid, options=cut, out=out, resume=True, workers=1)
    assert resumed.reasons == expected and resumed.regimes == in_memory.regimes
    assert resumed.summary() == in_memory.summary()
    whole = kurilsim.sweep(tree, grid, out=tmp_path / "whole.parquet")
    assert whole.incomplete_reasons == {} and "WARNING" not in whole.summary()
    assert kurilsim.sweeps.read_sweep(whole.path).incomplete_reasons == {}


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_a_file_of_the_first_layout_counts_its_points_cut_short_without_a_reason(tmp_path, suffix):
    # The first layout recorded only that a point was cut short (complete false), not why.
    tree = kurilsim.load_scenario("scenarios/sequence_1956.yaml")
    out = tmp_path / f"old.{suffix}"
    kurilsim.sweep(tree, {"carry_out_cost": (0, 0.6, 3)}, options={"max_equilibria": 1}, out=out)
    if suffix == "parquet":
        table = pq.read_table(out)
        metadata = dict(table.schema.metadata)
        info = json.loads(metadata[METADATA_KEY])
        metadata[METADATA_KEY] = json.dumps({**info, "format": 1}).encode()
        old = table.drop_columns(["incomplete_reason"]).replace_schema_metadata(metadata)
        pq.write_table(old, out)
    else:
        pd.read_csv(out).drop(columns="incomplete_reason").to_csv(out, index=False)
        sidecar = tmp_path / f"old.{suffix}.meta.json"
        sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "format": 1}))
    expected = {"reason not recorded": 1}
    on_file = kurilsim.sweeps.read_sweep(out)
    assert on_file.info.format == 1 and on_file.incomplete_reasons == expected
    assert on_file.summary().splitlines()[-1] == (
        "WARNING: incomplete at 1 of 3 points (reason not recorded: 1); "
        "equilibria may be missing there"
    )
    in_memory = kurilsim.sweeps.read_sweep(out)
    assert in_memory.to_frame()["complete"].tolist() == [True, False, True]
    assert in_memory.incomplete_reasons == expected


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_reasons_as_often_are_listed_alike_however_the_chunks_were_counted(
    tmp_path, monkeypatch, suffix
):
    # Two points, a chunk each, cut short for two reasons: one reason each. A resumed sweep
    # counts the chunk it solves before those finished earlier; its reasons, and its summary,
    # are still those of its file, which lists the points in order.
    listing = tree_sweep.subgame_perfect_equilibria

    def the_half_tied_listing_timed_out(game, *bounds):
        found, done = listing(game, *bounds)
        return (found[:1], False) if len(found) == 4 else (found, done)

    monkeypatch.setattr(tree_sweep, "subgame_perfect_equilibria", the_half_tied_listing_timed_out)
    chain, grid, cut = chain_of_stops(3), {"bonus": (0.0, 0.5, 2)}, {"max_equilibria": 5}
    from kurilsim.sweeps import engine

    real = engine.solve_chunk

    def dies_at_the_second(job, index):
        if index == 1:
            raise KeyboardInterrupt
        return real(job, index)

    out = tmp_path / f"tied.{suffix}"
    monkeypatch.setattr(engine, "solve_chunk", dies_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        kurilsim.sweep(chain, grid, options=cut, out=out, chunk_size=1, workers=1)
    monkeypatch.setattr(engine, "solve_chunk", real)
    resumed = kurilsim.sweep(chain, grid, options=cut, out=out, resume=True, workers=1)
    on_file = kurilsim.sweeps.read_sweep(out)
    assert on_file.incomplete_reasons == {"max_equilibria": 1, "listing_seconds": 1}
    assert list(resumed.incomplete_reasons) == list(on_file.incomplete_reasons)
    assert resumed.summary() == on_file.summary()
