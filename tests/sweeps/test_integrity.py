"""Sweep files are never mixed or silently wrong: one writer, verified parts, atomic joins."""

import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from kurilsim import InputError, parse_scenario
from kurilsim.sweeps import read_sweep, sweep
from kurilsim.sweeps import store as store_module
from kurilsim.sweeps.store import SweepStore, neutralise
from tests.helpers import run_cli
from tests.strategies import STAG_HUNT

GRID = {"stag": (2, 10, 9), "hare": (0, 3, 2)}  # 18 points
CHUNK = 5  # 4 chunks
OTHER = {"stag": (2, 10, 9), "hare": (0, 3, 3)}  # another sweep, chunked the same way


class Killed(Exception):
    """Stands for the process being killed between two file operations."""


@pytest.fixture
def hunt():
    return parse_scenario(STAG_HUNT, source="stag.yaml")


@pytest.fixture(params=[".parquet", ".csv"])
def suffix(request):
    return request.param


@pytest.fixture
def clean(hunt, tmp_path, suffix):
    """The table of an uninterrupted run."""
    return sorted_frame(sweep(hunt, GRID, chunk_size=CHUNK, out=tmp_path / f"clean{suffix}"))


def sorted_frame(result):
    table = result.to_frame()
    return table.sort_values(["point", "equilibrium"]).reset_index(drop=True)


def unfinished(hunt, out, chunks=4, grid=GRID):
    """Leave at ``out`` a sweep killed once ``chunks`` parts were written."""
    original = SweepStore.write
    written = []

    def write_then_die(self, index, table, info):
        if len(written) == chunks:
            raise Killed
        written.append(index)
        original(self, index, table, info)

    def die(self, info):
        raise Killed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SweepStore, "write", write_then_die)
        patch.setattr(SweepStore, "finish", die)
        with pytest.raises(Killed):
            sweep(hunt, grid, chunk_size=CHUNK, out=out, workers=1)
    return SweepStore(out, store_module.format_of(out))


def resume(hunt, out, capsys):
    """Resume the sweep at ``out``; its table and what it said on standard error."""
    capsys.readouterr()
    result = sweep(hunt, GRID, out=out, resume=True, workers=1)
    assert result.complete
    left = {p.name for p in out.parent.iterdir()} - {out.name, f"{out.name}.meta.json"}
    assert not left, "left behind"
    return sorted_frame(result), capsys.readouterr().err


# --- damaged parts are recomputed, and the run says which --------------------------------------


def swap(store, hunt, tmp_path):
    first, second = store.part(0), store.part(1)
    held = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(held)
    return [0, 1]


def foreign(store, hunt, tmp_path):
    other = unfinished(hunt, tmp_path / f"other{store.path.suffix}", grid=OTHER)
    store.part(2).write_bytes(other.part(2).read_bytes())
    return [2]


def foreign_recorded(store, hunt, tmp_path):
    other = unfinished(hunt, tmp_path / f"other{store.path.suffix}", grid=OTHER)
    store.part(3).write_bytes(other.part(3).read_bytes())
    records = (other.parts / "_parts.jsonl").read_text().splitlines()
    with (store.parts / "_parts.jsonl").open("a") as log:
        log.write(records[3] + "\n")
    return [3]


def truncate(store, hunt, tmp_path):
    data = store.part(1).read_bytes()
    store.part(1).write_bytes(data[: len(data) // 2])
    return [1]


def empty(store, hunt, tmp_path):
    store.part(2).write_bytes(b"")
    return [2]


def garbage(store, hunt, tmp_path):
    store.part(0).write_bytes(os.urandom(300))
    return [0]


def unrecorded(store, hunt, tmp_path):
    store.part(1).unlink()
    store.part(0).rename(store.part(1))
    return [1]


@pytest.mark.parametrize(
    "damage", [swap, foreign, foreign_recorded, truncate, empty, garbage, unrecorded]
)
def test_a_damaged_part_is_recomputed_and_named(tmp_path, hunt, clean, suffix, capsys, damage):
    (tmp_path / "run").mkdir()
    out = tmp_path / "run" / f"s{suffix}"
    store = unfinished(hunt, out, chunks=3)
    damaged = damage(store, hunt, tmp_path)
    table, err = resume(hunt, out, capsys)
    pd.testing.assert_frame_equal(table, clean)
    lines = err.splitlines()
    assert len(lines) == len(damaged)
    for line, index in zip(lines, damaged, strict=True):
        assert line.startswith(f"kurilsim: recomputing {store.part(index)}: ")


def test_a_foreign_part_is_not_read_as_a_finished_chunk(tmp_path, hunt):
    out = tmp_path / "s.parquet"
    store = unfinished(hunt, out, chunks=2)
    garbage(store, hunt, tmp_path)
    assert read_sweep(out).to_frame()["point"].unique().tolist() == list(range(CHUNK, 2 * CHUNK))


def test_a_sweep_describes_and_counts_itself_as_its_file_does(tmp_path, hunt, suffix):
    # A sweep's result is not read back from its file: its record and its counts of points
    # (kept as the chunks finished, also those finished before a resume) must be the file's.
    out = tmp_path / f"s{suffix}"
    fresh = sweep(hunt, GRID, chunk_size=CHUNK, out=out, tol=1e-7)
    unfinished(hunt, tmp_path / f"r{suffix}", chunks=2)
    resumed = sweep(hunt, GRID, out=tmp_path / f"r{suffix}", resume=True, workers=1)
    assert fresh.regimes is not None
    # A Parquet file is written from the parts before a resume: they are counted as it reads
    # them; a CSV file joins them unread, and is counted when first asked.
    assert (resumed.regimes is not None) == (suffix == ".parquet")
    for result in (fresh, resumed):
        on_file = read_sweep(result.path)
        assert result.complete and result.info == on_file.info
        assert result.summary() == on_file.summary()
        assert result.incomplete_reasons == on_file.incomplete_reasons
        pd.testing.assert_frame_equal(result.shares(), on_file.shares())
        pd.testing.assert_frame_equal(sorted_frame(result), sorted_frame(on_file))


def test_a_sweep_records_itself_in_the_types_its_file_gives_back(tmp_path, hunt, suffix):
    # A tolerance given as a numpy number is recorded as JSON's float: the result's record is
    # the file's, not the number as given.
    out = tmp_path / f"s{suffix}"
    result = sweep(hunt, GRID, chunk_size=CHUNK, out=out, tol=np.float64(1e-7))
    assert type(result.info.tol) is float
    assert repr(result.info) == repr(read_sweep(out).info)


def test_a_tolerance_of_any_numpy_precision_is_recorded_as_a_float(tmp_path, hunt, suffix):
    # JSON has no float32: the record of a sweep holds the tolerance as a float.
    result = sweep(hunt, GRID, out=tmp_path / f"s{suffix}", tol=np.float32(1e-7))
    assert type(result.info.tol) is float
    assert type(sweep(hunt, GRID, tol=np.float32(1e-7)).info.tol) is float


# --- what cannot be repaired is refused in one line --------------------------------------------


@pytest.mark.parametrize("text", [b"", b"{not json", b'{"title": "t"}', b"\xff\xfe"])
def test_an_unreadable_manifest_is_refused_with_the_way_out(tmp_path, hunt, clean, text):
    out = tmp_path / "s.parquet"
    store = unfinished(hunt, out, chunks=2)
    (store.parts / "_sweep.json").write_bytes(text)
    for resuming in (True, False):
        with pytest.raises(InputError, match=r"manifest cannot be read.*--force") as refused:
            sweep(hunt, GRID, out=out, resume=resuming)
        assert "\n" not in str(refused.value)
    replaced = sweep(hunt, GRID, chunk_size=CHUNK, out=out, overwrite=True)
    pd.testing.assert_frame_equal(sorted_frame(replaced), clean.astype(replaced.to_frame().dtypes))


def test_parquet_parts_of_an_older_version_are_refused_with_the_way_out(capsys, tmp_path, hunt):
    out = tmp_path / "s.parquet"
    store = unfinished(hunt, out, chunks=2)
    for part in sorted(store.parts.glob("part-*.arrow")):  # as older versions wrote them
        pq.write_table(store_module.read_part(part), part.with_suffix(".parquet"))
        part.unlink()
    with pytest.raises(InputError, match=r"older kurilsim \(Parquet parts\).*--force") as no:
        sweep(hunt, GRID, chunk_size=CHUNK, out=out, resume=True)
    assert "\n" not in str(no.value)
    with pytest.raises(InputError, match="older kurilsim"):
        read_sweep(out).to_frame()
    replaced = sweep(hunt, GRID, chunk_size=CHUNK, out=out, overwrite=True)
    sweep(hunt, GRID, chunk_size=CHUNK, out=tmp_path / "whole.parquet")
    assert replaced.complete and out.read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    assert not store.parts.exists()


def test_a_file_where_the_parts_go_is_refused(capsys, tmp_path, hunt, scenarios):
    out = tmp_path / "s.parquet"
    (tmp_path / "s.parquet.parts").write_text("mine")
    argv = ["sweep", scenarios / "sochi_2016.yaml", "--grid", "trust=0:1:3", "--out", out]
    for flags in ([], ["--resume"], ["--force"]):
        code, _, err = run_cli(capsys, *argv, *flags)
        assert code == 2 and err.count("\n") == 1 and "parts directory goes" in err
        with pytest.raises(InputError, match="parts directory goes"):
            sweep(hunt, GRID, out=out, resume="--resume" in flags, overwrite="--force" in flags)
    assert (tmp_path / "s.parquet.parts").read_text() == "mine"


# --- a kill between any two file operations, then --resume --------------------------------------

STEPS = ("_replace", "_append_line", "_unlink", "_rmdir")


def kill_at(monkeypatch, step):
    """Kill the sweep before its file operation number ``step``; count the operations."""
    done = []
    for name in STEPS:
        real = getattr(store_module, name)

        def counted(*args, real=real, name=name):
            if len(done) == step:
                raise Killed
            done.append(name)
            return real(*args)

        monkeypatch.setattr(store_module, name, counted)
    return done


def test_a_kill_at_any_step_resumes_to_the_uninterrupted_table(
    tmp_path, monkeypatch, hunt, clean, suffix, capsys
):
    steps = kill_at(monkeypatch, -1)
    sweep(hunt, GRID, chunk_size=CHUNK, out=tmp_path / f"count{suffix}", workers=1)
    monkeypatch.undo()
    assert {"_replace", "_append_line", "_unlink", "_rmdir"} <= set(steps)
    for step in range(len(steps)):
        folder = tmp_path / str(step)
        folder.mkdir()
        out = folder / f"s{suffix}"
        with monkeypatch.context() as patch:
            kill_at(patch, step)
            with pytest.raises(Killed):
                sweep(hunt, GRID, chunk_size=CHUNK, out=out, workers=1)
        table, err = resume(hunt, out, capsys)
        pd.testing.assert_frame_equal(table, clean, obj=f"killed at step {step}")
        assert err == "", f"killed at step {step}"


def test_a_sweep_killed_while_removing_its_parts_is_complete(tmp_path, monkeypatch, hunt, clean):
    out = tmp_path / "s.parquet"
    with monkeypatch.context() as patch:
        steps = kill_at(patch, -1)
        sweep(hunt, GRID, chunk_size=CHUNK, out=out, workers=1)
    out.unlink()
    cleanup = steps.index("_unlink") + 2  # after the first part is removed
    with monkeypatch.context() as patch:
        kill_at(patch, cleanup)
        with pytest.raises(Killed):
            sweep(hunt, GRID, chunk_size=CHUNK, out=out, workers=1, overwrite=True)
    assert out.exists() and (tmp_path / "s.parquet.parts").exists()
    finished = read_sweep(out)
    assert finished.complete
    pd.testing.assert_frame_equal(sorted_frame(finished), clean)


# --- one writer at a time -------------------------------------------------------------------------

GATED = """\
import sys, time
from pathlib import Path
from kurilsim.cli import main
from kurilsim.sweeps import engine

gate, real = Path(sys.argv[1]), engine.solve_chunk

def wait_for_gate(job, index):
    while not gate.exists():
        time.sleep(0.05)
    return real(job, index)

engine.solve_chunk = wait_for_gate
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.slow
def test_a_second_sweep_on_the_same_file_is_refused_while_the_first_runs(
    tmp_path, capsys, scenarios
):
    bundled = str(scenarios / "sochi_2016.yaml")
    out, gate = tmp_path / "s.parquet", tmp_path / "gate"
    argv = ["sweep", bundled, "--grid", "trust=0:1:6", "--chunk-size", "2", "--workers", "1"]
    first = subprocess.Popen(
        [sys.executable, "-c", GATED, str(gate), *argv, "--out", str(out), "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        lock = tmp_path / "s.parquet.lock"
        while f'"pid": {first.pid}' not in (lock.read_text() if lock.exists() else ""):
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        for second in (
            [*argv, "--out", out, "--resume"],
            ["sweep", bundled, "--grid", "trust=0:1:9", "--out", out, "--force"],
        ):
            code, _, err = run_cli(capsys, *second)
            assert code == 2
            assert err.count("\n") == 1
            assert f"{out}: another sweep (pid {first.pid}," in err
    finally:
        gate.touch()
        _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    whole = tmp_path / "whole.parquet"
    assert run_cli(capsys, *argv, "--out", whole)[0] == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(whole))


# --- CSV: formulas neutralised, formats that agree with the name -------------------------------

FORMULAS = (
    STAG_HUNT
    + """\
labels:
  - when: {A: stag, B: stag}
    label: "=HYPERLINK(\\"http://x\\")"
  - when: {A: hare, B: hare}
    label: "@SUM(1)"
"""
)


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path):
    risky = parse_scenario(FORMULAS)
    out = tmp_path / "s.csv"
    result = sweep(risky, GRID, out=out)
    raw = pd.read_csv(out)
    assert set(raw["label"]) == {'\'=HYPERLINK("http://x")', "'@SUM(1)"}
    text = raw.select_dtypes(include=["object", "string"])
    assert not text.map(lambda cell: str(cell)[:1] in "=+-@\t\r").any().any()
    pd.testing.assert_frame_equal(result.to_frame(), sweep(risky, GRID).to_frame())


def test_numbers_are_not_neutralised():
    table = pd.DataFrame({"x": [-0.5, 1.0], "text": ["-0.5", "-x"], "n": [-1, 2]})
    escaped = neutralise(table)
    assert escaped["x"].tolist() == [-0.5, 1.0] and escaped["n"].tolist() == [-1, 2]
    assert escaped["text"].tolist() == ["-0.5", "'-x"]


@pytest.mark.parametrize(("name", "format"), [("s.parquet", "csv"), ("s.csv", "parquet")])
def test_a_format_the_name_contradicts_is_refused(capsys, tmp_path, scenarios, name, format):
    argv = ["sweep", scenarios / "sochi_2016.yaml", "--grid", "trust=0:1:3"]
    code, _, err = run_cli(capsys, *argv, "--out", tmp_path / name, "--format", format)
    assert code == 2 and err.count("\n") == 1 and "does not match the name" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["s.xlsx", "s.data", "s"])
def test_a_sweep_file_not_named_parquet_or_csv_is_refused(capsys, tmp_path, scenarios, name):
    argv = ["sweep", scenarios / "sochi_2016.yaml", "--grid", "trust=0:1:3"]
    code, _, err = run_cli(capsys, *argv, "--out", tmp_path / name)
    assert code == 2 and err.count("\n") == 1 and "named .parquet or .csv" in err
    assert list(tmp_path.iterdir()) == []


def test_resuming_a_parquet_sweep_as_csv_keeps_its_parts(tmp_path, hunt):
    out = tmp_path / "s.parquet"
    store = unfinished(hunt, out, chunks=2)
    before = sorted(p.name for p in store.parts.iterdir())
    with pytest.raises(InputError, match="does not match the name"):
        sweep(hunt, GRID, out=out, resume=True, format="csv")
    assert sorted(p.name for p in store.parts.iterdir()) == before
