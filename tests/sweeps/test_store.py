"""Sweep files: chunked writing, metadata, interruption and resume."""

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.core.arrow_columns import dictionary_array, numeric_array
from kurilsim.core.sweep_rows import reason_column
from kurilsim.sweeps import engine as engine_module
from kurilsim.sweeps import read_sweep, sweep
from kurilsim.sweeps.info import scenario_hash
from kurilsim.sweeps.shares import outcome_shares
from kurilsim.sweeps.store import METADATA_KEY, _conformed, _file_schema, count_regimes, decoded
from tests.strategies import STAG_HUNT

GRID = {"stag": (2, 10, 9), "hare": (0, 3, 7)}  # 63 points
CHUNK = 10  # 7 chunks


class Killed(Exception):
    """Stands for the process being killed while a sweep runs."""


@pytest.fixture
def hunt():
    return parse_scenario(STAG_HUNT, source="stag.yaml")


def kill_after(monkeypatch, chunks):
    """Make the sweep die after ``chunks`` chunks have been solved; count the chunks solved."""
    solved = []
    original = engine_module.solve_chunk

    def solve_then_die(job, index):
        if len(solved) == chunks:
            raise Killed
        solved.append(index)
        return original(job, index)

    monkeypatch.setattr(engine_module, "solve_chunk", solve_then_die)
    return solved


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_interrupted_then_resumed_equals_uninterrupted(tmp_path, monkeypatch, hunt, suffix):
    whole = tmp_path / f"whole{suffix}"
    sweep(hunt, GRID, chunk_size=CHUNK, out=whole, workers=1)

    broken = tmp_path / f"broken{suffix}"
    kill_after(monkeypatch, 3)
    with pytest.raises(Killed):
        sweep(hunt, GRID, chunk_size=CHUNK, out=broken, workers=1)
    assert not broken.exists()
    partial = read_sweep(broken)
    assert not partial.complete
    if suffix == ".parquet":  # the parts directory is an Arrow dataset any reader opens
        folder = broken.with_name(broken.name + ".parts")
        parts = pyarrow.dataset.dataset(folder, format="arrow").to_table().to_pandas()
        # Text columns are stored dictionary-encoded: a plain reader gets categoricals.
        pd.testing.assert_frame_equal(decoded(parts), partial.to_frame())
    assert partial.to_frame()["point"].max() == 3 * CHUNK - 1  # the finished chunks, readable
    assert "UNFINISHED" in partial.summary()

    monkeypatch.undo()
    solved = kill_after(monkeypatch, 100)
    resumed = sweep(hunt, GRID, out=broken, resume=True, workers=1)
    assert sorted(solved) == [3, 4, 5, 6]  # the finished chunks are not recomputed
    assert resumed.complete
    assert not broken.with_name(broken.name + ".parts").exists()
    pd.testing.assert_frame_equal(resumed.to_frame(), read_sweep(whole).to_frame())
    assert broken.read_bytes() == whole.read_bytes()


def test_resume_takes_the_chunk_size_the_sweep_started_with(tmp_path, monkeypatch, hunt):
    out = tmp_path / "s.parquet"
    kill_after(monkeypatch, 2)
    with pytest.raises(Killed):
        sweep(hunt, GRID, chunk_size=CHUNK, out=out, workers=1)
    monkeypatch.undo()
    assert sweep(hunt, GRID, out=out, resume=True).info.chunk_size == CHUNK
    with pytest.raises(InputError, match="chunk_size"):
        sweep(hunt, GRID, out=out, resume=True, chunk_size=CHUNK + 1)


def test_resume_refuses_a_sweep_made_differently(tmp_path, monkeypatch, hunt):
    out = tmp_path / "s.parquet"
    kill_after(monkeypatch, 1)
    with pytest.raises(Killed):
        sweep(hunt, GRID, chunk_size=CHUNK, out=out, workers=1)
    monkeypatch.undo()
    with pytest.raises(InputError, match=r"cannot resume.*spec"):
        sweep(hunt, {"stag": (2, 10, 5)}, out=out, resume=True)
    changed = parse_scenario(STAG_HUNT.replace("default: 4", "default: 5"))
    with pytest.raises(InputError, match="scenario_hash"):
        sweep(changed, GRID, out=out, resume=True)
    with pytest.raises(InputError, match="already there"):
        sweep(hunt, GRID, out=out)
    replaced = sweep(hunt, {"stag": (2, 10, 5)}, out=out, overwrite=True)
    assert replaced.info.n_points == 5


def test_resuming_a_finished_sweep_recomputes_nothing(tmp_path, monkeypatch, hunt):
    out = tmp_path / "s.parquet"
    first = sweep(hunt, GRID, out=out)
    solved = kill_after(monkeypatch, 100)
    again = sweep(hunt, GRID, out=out, resume=True)
    assert solved == []
    pd.testing.assert_frame_equal(again.to_frame(), first.to_frame())
    with pytest.raises(InputError, match="already there"):
        sweep(hunt, GRID, out=out)


def test_parquet_metadata_records_how_to_reproduce(tmp_path, hunt):
    out = tmp_path / "s.parquet"
    stag = {"stag": GRID["stag"]}
    result = sweep(hunt, stag, samples=3, seed=9, out=out)
    record = json.loads(pq.read_schema(out).metadata[METADATA_KEY])
    assert record["scenario_hash"] == scenario_hash(hunt)
    assert record["version"] == kurilsim.__version__
    assert record["method"] == "pure"
    assert record["spec"]["seed"] == 9 and record["spec"]["samples"] == 3
    assert record["spec"]["grid"][0] == {"name": "stag", "start": 2.0, "stop": 10.0, "n": 9}
    assert read_sweep(out).info == result.info
    in_memory = sweep(hunt, stag, samples=3, seed=9)
    pd.testing.assert_frame_equal(result.to_frame(), in_memory.to_frame())


def test_csv_has_the_same_table_and_metadata_beside_it(tmp_path, hunt):
    result = sweep(hunt, GRID, out=tmp_path / "s.csv")
    sidecar = json.loads((tmp_path / "s.csv.meta.json").read_text())
    assert sidecar["scenario_hash"] == scenario_hash(hunt)
    pd.testing.assert_frame_equal(result.to_frame(), sweep(hunt, GRID).to_frame())
    assert read_sweep(tmp_path / "s.csv").info == result.info


@pytest.mark.parametrize("label", ["NA", "None", "nan", "1.50", "-0.5"])
def test_a_csv_sweep_reads_back_labels_that_look_missing_or_numeric_as_text(tmp_path, label):
    # At hare 3 only both hunting hare is an equilibrium: the label alone is the regime.
    labelled = parse_scenario(
        STAG_HUNT + f"labels:\n  - {{when: {{A: hare, B: hare}}, label: {json.dumps(label)}}}\n"
    )
    grid, fixed = {"stag": (2, 2.5, 2)}, {"hare": 3}
    in_memory = sweep(labelled, grid, fixed=fixed)
    assert in_memory.points()["regime"].tolist() == [label, label]
    on_file = read_sweep(sweep(labelled, grid, fixed=fixed, out=tmp_path / "s.csv").path)
    assert on_file.summary() == in_memory.summary()  # counted from the file
    pd.testing.assert_frame_equal(on_file.points(), in_memory.points())
    assert on_file._repr_html_() == in_memory._repr_html_()
    pd.testing.assert_frame_equal(on_file.to_frame(), in_memory.to_frame())


def test_reading_what_is_not_a_sweep_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such sweep file"):
        read_sweep(tmp_path / "none.parquet")
    plain = tmp_path / "plain.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(plain)
    with pytest.raises(InputError, match="not a kurilsim sweep file"):
        read_sweep(plain)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_shares_of_a_sweep_file_are_counted_without_reading_the_table(
    tmp_path, monkeypatch, hunt, suffix
):
    from kurilsim.sweeps import store as store_module

    monkeypatch.setattr(store_module, "BATCH_ROWS", 4)  # points' rows cross batch boundaries
    in_memory = sweep(hunt, GRID, chunk_size=CHUNK)
    assert (in_memory.to_frame().groupby("point").size() > 1).any()
    expected = in_memory.shares()
    on_file = read_sweep(sweep(hunt, GRID, chunk_size=CHUNK, out=tmp_path / f"s{suffix}").path)

    def refuse(*args, **kwargs):
        raise AssertionError("the whole table was read")

    with monkeypatch.context() as patch:
        patch.setattr(store_module, "read_table", refuse)
        pd.testing.assert_frame_equal(on_file.shares(), expected)
        assert on_file.summary() == in_memory.summary()
    assert "<table" in on_file._repr_html_()
    assert "table" not in on_file.__dict__, "the whole table was read"


def test_shares_of_an_unfinished_sweep_count_its_finished_chunks(tmp_path, monkeypatch, hunt):
    out = tmp_path / "s.parquet"
    kill_after(monkeypatch, 3)
    with pytest.raises(Killed):
        sweep(hunt, GRID, chunk_size=CHUNK, out=out, workers=1)
    unfinished = read_sweep(out)
    shares = unfinished.shares()
    assert shares["count"].sum() == 3 * CHUNK
    assert shares.equals(outcome_shares(unfinished.points()["regime"], draws=0))


def test_a_parquet_sweep_is_written_once_a_row_group_per_chunk(tmp_path, monkeypatch, hunt):
    # Resumed: chunks finished before the kill come from their parts, the rest as computed.
    out = tmp_path / "s.parquet"
    kill_after(monkeypatch, 3)
    with pytest.raises(Killed):
        sweep(hunt, GRID, chunk_size=4, out=out, workers=1)
    monkeypatch.undo()
    assert not (tmp_path / "_s.parquet.tmp").exists()  # the unfinished file is not left behind
    result = sweep(hunt, GRID, chunk_size=4, out=out, resume=True, workers=2)
    assert pq.ParquetFile(out).num_row_groups == result.info.n_chunks
    whole = sweep(hunt, GRID, chunk_size=4, out=tmp_path / "t.parquet", workers=2)
    pd.testing.assert_frame_equal(result.to_frame(), whole.to_frame())


def test_a_pure_sweep_file_declares_its_number_columns_never_null(tmp_path, hunt):
    # Parquet then stores no definition levels for them; text columns stay nullable.
    out = tmp_path / "s.parquet"
    sweep(hunt, GRID, chunk_size=4, out=out, workers=2)
    schema = pq.read_schema(out)
    nullable = {field.name for field in schema if field.nullable}
    assert nullable == {"kind", "label", "regime", "incomplete_reason"}
    assert pq.ParquetFile(out).schema.column(0).max_definition_level == 0  # point: required


def test_a_sweep_file_stores_each_column_as_it_pays_and_reads_back_the_same(tmp_path, hunt):
    # Probabilities plainly, LZ4-compressed (a dictionary of numbers is hashed value by value),
    # point numbers as deltas, text with dictionaries; a plain reader gets the same table.
    out = tmp_path / "s.parquet"
    result = sweep(hunt, GRID, chunk_size=4, out=out, workers=2)
    chunk = pq.ParquetFile(out).metadata.row_group(0)
    column = {chunk.column(k).path_in_schema: chunk.column(k) for k in range(chunk.num_columns)}
    assert "DELTA_BINARY_PACKED" in column["point"].encodings
    assert column["point"].statistics.min == 0
    probability = column["prob.A.stag"]
    assert not probability.has_dictionary_page and probability.compression == "LZ4"
    assert column["label"].has_dictionary_page and column["payoff.A"].compression == "SNAPPY"
    table = pq.read_table(out)
    assert table.schema.field("prob.A.stag").type == pa.float64()
    assert pa.types.is_dictionary(table.schema.field("label").type)
    pd.testing.assert_frame_equal(decoded(table.to_pandas()), result.to_frame())
    in_memory = sweep(hunt, GRID, chunk_size=4, workers=1).to_frame()
    pd.testing.assert_frame_equal(result.to_frame(), in_memory)


@given(
    st.lists(st.tuples(st.integers(1, 3), st.sampled_from(["b", "a", "c or a"])), max_size=20),
    st.booleans(),
    st.booleans(),
)
def test_regimes_of_an_arrow_chunk_are_counted_by_first_appearance(points, continued, encoded):
    # Each point's rows are consecutive and carry its regime; a continued point was counted with
    # the rows before.
    last = 0 if continued else -1
    point = np.repeat(np.arange(len(points)), [n for n, _ in points])
    regime = [r for n, r in points for _ in range(n)]
    words = sorted(set(regime))
    column = (
        dictionary_array(words, np.array([words.index(r) for r in regime], dtype=np.int8))
        if encoded
        else pa.array(regime, pa.string())
    )
    expected: dict[str, int] = {}
    for k, (_, r) in enumerate(points):
        if k != last:
            expected[r] = expected.get(r, 0) + 1
    counts: dict[str, int] = {}
    count_regimes(counts, pa.table({"point": numeric_array(point), "regime": column}), last)
    assert list(counts.items()) == list(expected.items())
    in_frame: dict[str, int] = {}
    count_regimes(in_frame, pd.DataFrame({"point": point, "regime": regime}), last)
    assert in_frame == expected


@given(st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=10))
def test_a_chunk_takes_the_file_schema_as_a_cast_would(labels):
    words = sorted(set(labels))
    codes = np.array([words.index(w) for w in labels], dtype=np.int8)
    chunk = pa.table(
        {"label": dictionary_array(words, codes), "x": numeric_array(np.arange(len(labels)))}
    )
    schema = _file_schema(chunk.schema)
    assert _conformed(chunk, schema).equals(chunk.cast(schema))
    assert _conformed(chunk, schema).schema == schema


def test_resume_refuses_the_parts_of_an_earlier_layout(tmp_path, monkeypatch, hunt):
    """Parts of an earlier layout (a tree's regime as plain strings, say) are not joined."""
    out = tmp_path / "s.parquet"
    kill_after(monkeypatch, 1)
    with pytest.raises(Killed):
        sweep(hunt, GRID, chunk_size=CHUNK, out=out, workers=1)
    monkeypatch.undo()
    manifest = out.with_name(out.name + ".parts") / "_sweep.json"
    record = json.loads(manifest.read_text())
    assert record["format"] == 4
    manifest.write_text(json.dumps({**record, "format": 3}))
    with pytest.raises(InputError, match=r"cannot resume.*format: 3 there, 4 now"):
        sweep(hunt, GRID, out=out, resume=True)


@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from([None, "max_seconds", "unproved: continuum"])),
        max_size=20,
    ),
    st.booleans(),
)
def test_incomplete_reasons_are_counted_once_a_point_alike_in_arrow_and_pandas(points, continued):
    # Brute force: each point's reason once, the continued first point's not; null is complete.
    last = 0 if continued else -1
    point = np.repeat(np.arange(len(points)), [n for n, _ in points])
    why = [r for n, r in points for _ in range(n)]
    expected: dict[str, int] = {}
    for k, (_, r) in enumerate(points):
        if k != last and r is not None:
            expected[r] = expected.get(r, 0) + 1
    regime = dictionary_array(["x"], np.zeros(len(point), dtype=np.int32))
    chunk = pa.table(
        {"point": numeric_array(point), "regime": regime, "incomplete_reason": reason_column(why)}
    )
    as_arrow: dict[str, int] = {}
    count_regimes({}, chunk, last, as_arrow)
    assert as_arrow == expected
    frame = pd.DataFrame(
        {"point": point, "regime": "x", "incomplete_reason": pd.Series(why, dtype="str")}
    )
    in_frame: dict[str, int] = {}
    count_regimes({}, frame, last, in_frame)
    assert in_frame == expected
