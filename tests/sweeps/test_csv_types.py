"""A CSV sweep file reads back as the same sweep in Parquet: every column with its type."""

import json
from pathlib import Path

import pandas as pd
import pytest

from kurilsim import InputError, load_scenario, parse_scenario
from kurilsim.sweeps import read_sweep, sweep
from kurilsim.sweeps import store as store_module
from kurilsim.sweeps.store import read_table
from tests.forms.information.test_form import SCENARIO as INFORMATION
from tests.helpers import chain_of_stops, run_cli

SCENARIOS = Path(__file__).parents[2] / "scenarios"
#: One bundled scenario of each form that sweeps, and the parameter swept.
FORMS = {
    "normal": ("sochi_2016.yaml", "sanctions"),
    "extensive": ("sequence_1956.yaml", "renounce_cost"),
    "bargaining": ("bargaining_2016.yaml", "sanctions"),
    "conflict": ("conflict_2018.yaml", "us_resolve"),
    "bayesian": ("credibility_1956.yaml", "p_committed"),
    "repeated": ("repeated_joint_activity.yaml", "delta_russia"),
    "dynamic": ("commitment_treaty.yaml", "package"),
}


def both_ways(scenario, grid, folder, **options):
    """The sweep written to CSV and to Parquet, each read back."""
    tables = []
    for name in ("s.csv", "s.parquet"):
        sweep(scenario, grid, out=folder / name, workers=1, progress=False, **options)
        tables.append(read_table(folder / name))
    return tables


def swept(scenario, parameter):
    low, high = scenario.parameters[parameter].range
    return {parameter: (low, high, 5)}


@pytest.mark.parametrize("form", [*FORMS, "information"])
def test_a_csv_sweep_reads_back_as_the_same_sweep_in_parquet(tmp_path, form):
    if form == "information":
        scenario, parameter = parse_scenario(INFORMATION), "p_own"
    else:
        file, parameter = FORMS[form]
        scenario = load_scenario(SCENARIOS / file)
    as_csv, as_parquet = both_ways(scenario, swept(scenario, parameter), tmp_path, chunk_size=2)
    assert len(as_parquet)
    pd.testing.assert_frame_equal(as_csv, as_parquet)


def test_text_that_looks_numeric_reads_back_from_csv_as_the_text_written(tmp_path):
    # The dynamic form's outcome.* columns hold the stages' labels: here "007" and "1.50".
    text = (SCENARIOS / "commitment_treaty.yaml").read_text(encoding="utf-8")
    text = text.replace("label: no treaty}", 'label: "007"}')
    text = text.replace("label: Russia transfers (if a treaty)}", 'label: "1.50"}')
    scenario = parse_scenario(text)
    as_csv, as_parquet = both_ways(scenario, swept(scenario, "package"), tmp_path)
    assert {"007", "1.50"} <= set(as_parquet["outcome.treaty"]) | set(
        as_parquet["outcome.transfer"]
    )
    pd.testing.assert_frame_equal(as_csv, as_parquet)
    resumed = read_sweep(tmp_path / "s.csv")
    assert resumed.summary() == read_sweep(tmp_path / "s.parquet").summary()


def test_an_unfinished_csv_sweep_reads_its_parts_with_their_types(tmp_path, monkeypatch):
    text = (SCENARIOS / "commitment_treaty.yaml").read_text(encoding="utf-8")
    scenario = parse_scenario(text.replace("label: no treaty}", 'label: "007"}'))
    grid = swept(scenario, "package")
    sweep(scenario, grid, out=tmp_path / "s.parquet", workers=1, progress=False)
    # Stopped before its parts were joined: they are read, each with the types it recorded.
    monkeypatch.setattr(store_module.SweepStore, "finish", lambda store, info: None)
    sweep(scenario, grid, out=tmp_path / "s.csv", chunk_size=2, workers=1, progress=False)
    assert not (tmp_path / "s.csv").exists()
    as_parquet = read_table(tmp_path / "s.parquet")
    assert "007" in set(as_parquet["outcome.treaty"])
    pd.testing.assert_frame_equal(read_table(tmp_path / "s.csv"), as_parquet)


def test_a_csv_sweep_without_recorded_types_reads_as_before(tmp_path):
    scenario = load_scenario(SCENARIOS / "sochi_2016.yaml")
    as_csv, _ = both_ways(scenario, swept(scenario, "sanctions"), tmp_path)
    sidecar = tmp_path / "s.csv.meta.json"
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    del record["columns"]  # as an earlier version wrote it
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    pd.testing.assert_frame_equal(read_table(tmp_path / "s.csv"), as_csv)


def test_a_csv_sweep_whose_regimes_would_fill_gigabytes_is_refused(tmp_path, monkeypatch):
    # A chain of 8 stops tied at bonus 0 has 256 equilibria, each row naming all of them.
    monkeypatch.setattr(store_module, "MAX_CSV_CHUNK_TEXT", 100_000)
    with pytest.raises(InputError, match=r"regime.*\.parquet"):
        sweep(chain_of_stops(8), {"bonus": (-1.0, 0.0, 2)}, out=tmp_path / "s.csv", workers=1)
    assert not (tmp_path / "s.csv").exists()
    # Parquet stores each regime once per chunk.
    result = sweep(chain_of_stops(8), {"bonus": (-1.0, 0.0, 2)}, out=tmp_path / "s.parquet")
    assert result.table["regime"].str.len().max() > 1000


def test_the_cli_refuses_such_a_csv_sweep_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(store_module, "MAX_CSV_CHUNK_TEXT", 100_000)
    scenario = tmp_path / "chain.yaml"  # JSON is YAML
    scenario.write_text(chain_of_stops(8).spec.model_dump_json(), encoding="utf-8")
    argv = ["sweep", scenario, "--grid", "bonus=-1:0:2", "--out", tmp_path / "s.csv", "-q"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "GB of text to the CSV file (column regime" in err and ".parquet" in err
