"""The Dask engine gives the same table as the local one."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from dask import distributed
from dask.distributed import Client, LocalCluster

import kurilsim
from kurilsim import parse_scenario
from kurilsim.sweeps import GridAxis, SweepSpec, engine, read_sweep, sweep
from kurilsim.sweeps.spec import point_set
from tests.helpers import NOT_FINITE, run_cli
from tests.strategies import STAG_HUNT


@pytest.fixture(scope="module")
def client():
    # Threads, not processes: quick to start, and nothing left running after the test.
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def test_dask_gives_the_local_table_for_pure_equilibria(client, request, tmp_path):
    scenario = kurilsim.load_scenario(request.config.rootpath / "scenarios" / "sochi_2016.yaml")
    grid = {"sanctions": (0, 0.7, 15), "trust": (0.5, 1, 11)}
    local = sweep(scenario, grid, chunk_size=16)
    distributed = sweep(
        scenario, grid, chunk_size=16, engine="dask", scheduler=client, out=tmp_path / "s.parquet"
    )
    pd.testing.assert_frame_equal(distributed.to_frame(), local.to_frame())


def test_dask_gives_the_local_table_game_by_game(client):
    scenario = parse_scenario(STAG_HUNT)
    grid = {"stag": (2, 10, 4), "hare": (0, 3, 3)}
    local = sweep(scenario, grid, method="vertex-enumeration", workers=1, chunk_size=5)
    distributed = sweep(
        scenario, grid, method="vertex-enumeration", engine="dask", scheduler=client, chunk_size=5
    )
    pd.testing.assert_frame_equal(distributed.to_frame(), local.to_frame())


def test_dask_gives_the_local_reasons_where_a_bound_cut_the_method(client, request, tmp_path):
    era = kurilsim.load_scenario(request.config.rootpath / "scenarios" / "era_1956.yaml")
    grid, cut = {"declaration_value": (0.1, 0.3, 3)}, {"max_seconds": 0}
    local = sweep(era, grid, method="support-enumeration", options=cut, workers=2, chunk_size=1)
    distributed = sweep(
        era,
        grid,
        method="support-enumeration",
        options=cut,
        engine="dask",
        scheduler=client,
        chunk_size=1,
        out=tmp_path / "cut.parquet",
    )
    table = distributed.to_frame()
    pd.testing.assert_frame_equal(table, local.to_frame())
    assert set(table["incomplete_reason"]) == {"max_seconds"} and not table["complete"].any()


@pytest.mark.parametrize(
    ("file", "grid"),
    [
        ("sequence_1956.yaml", {"carry_out_cost": (0, 0.6, 20)}),  # a tree: strings per row
        ("sochi_2016.yaml", {"sanctions": (0, 0.7, 20)}),  # pure equilibria: dictionary-encoded
    ],
)
def test_the_probes_pieces_make_the_local_table_of_a_vectorised_form(
    file, grid, request, monkeypatch
):
    # The first chunk solved here in pieces (_Probe), and no cluster started for the rest.
    monkeypatch.setattr(engine, "CLUSTER_START", 1e9)
    scenario = kurilsim.load_scenario(request.config.rootpath / "scenarios" / file)
    local = sweep(scenario, grid, chunk_size=5)
    dask = sweep(scenario, grid, chunk_size=5, engine="dask", workers=2)
    pd.testing.assert_frame_equal(dask.to_frame(), local.to_frame())


def test_the_chunks_in_flight_follow_the_size_of_the_cluster(client, monkeypatch):
    # Two chunks in flight per thread of the cluster as it is now: one thread, then four.
    threads = [{"worker": 1}]
    monkeypatch.setattr(client, "nthreads", lambda: threads[-1])
    monkeypatch.setattr(engine, "WINDOW_REFRESH", 0.0)
    submitted = []
    submit = client.submit

    def recorded(function, job, index, **options):
        submitted.append(index)
        return submit(function, job, index, **options)

    monkeypatch.setattr(client, "submit", recorded)
    scenario = parse_scenario(STAG_HUNT)
    points = point_set(scenario, SweepSpec(grid=(GridAxis("stag", 2, 10, 16),)))
    job = engine.Job(scenario, points, "vertex-enumeration", 1e-9, (), chunk_size=1)
    in_flight = []
    chunks = engine.run_chunks(job, range(16), "dask", scheduler=client)
    for done, (index, table) in enumerate(chunks, 1):
        in_flight.append(len(submitted) - done)
        if done == 2:
            threads.append({"a": 1, "b": 1, "c": 2})
        assert table.equals(engine.solve_chunk(job, index))
    assert sorted(submitted) == list(range(16))
    assert in_flight[:3] == [2, 2, 8]


def test_a_light_sweep_starts_no_cluster(monkeypatch):
    # Twelve 2 x 2 games take milliseconds: far less than a cluster takes to start.
    def refuse(*args, **kwargs):
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(distributed, "LocalCluster", refuse)
    scenario = parse_scenario(STAG_HUNT)
    grid = {"stag": (2, 10, 4), "hare": (0, 3, 3)}
    local = sweep(scenario, grid, method="vertex-enumeration", workers=1, chunk_size=5)
    dask = sweep(scenario, grid, method="vertex-enumeration", engine="dask", chunk_size=5)
    pd.testing.assert_frame_equal(dask.to_frame(), local.to_frame())
    # Nor for no chunk at all: a resumed sweep that was complete.
    points = point_set(scenario, SweepSpec(grid=(GridAxis("stag", 2, 10, 4),)))
    job = engine.Job(scenario, points, "vertex-enumeration", 1e-9, (), 5)
    assert list(engine.run_chunks(job, [], "dask", workers=2)) == []


def test_a_sweep_worth_a_cluster_starts_one_and_closes_it(monkeypatch):
    started = []

    def in_threads(n_workers, **options):
        # A cluster of threads: quick to start, and it runs the same tasks.
        started.append(LocalCluster(n_workers=n_workers, processes=False, **options))
        return started[-1]

    monkeypatch.setattr(engine, "CLUSTER_START", 0.0)
    monkeypatch.setattr(distributed, "LocalCluster", in_threads)
    scenario = parse_scenario(STAG_HUNT)
    grid = {"stag": (2, 10, 4), "hare": (0, 3, 3)}
    local = sweep(scenario, grid, method="vertex-enumeration", workers=1, chunk_size=5)
    dask = sweep(
        scenario, grid, method="vertex-enumeration", engine="dask", workers=2, chunk_size=5
    )
    pd.testing.assert_frame_equal(dask.to_frame(), local.to_frame())
    assert len(started) == 1
    assert started[0].status.name == "closed"


#: A Dask cluster in a process of its own: it prints its address, serves until its standard
#: input closes, then prints how many chunks (tasks of solve_chunk) were solved on it.
CLUSTER = """
import sys
from dask.distributed import LocalCluster
from distributed.diagnostics.plugin import SchedulerPlugin

class Solved(SchedulerPlugin):
    keys = set()
    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "memory" and str(key).startswith("solve_chunk"):
            self.keys.add(key)

with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                  dashboard_address=":0") as cluster:
    cluster.scheduler.add_plugin(Solved())
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()
    print(len(Solved.keys), flush=True)
"""


@pytest.mark.slow
def test_the_cli_sweeps_on_a_running_cluster_by_its_address(capsys, tmp_path):
    # The cluster runs in another process, started apart from the sweep: the sweep reaches it
    # only by its address, and its worker must rebuild the scenario from what the sweep sends.
    scenario = tmp_path / "stag.yaml"
    scenario.write_text(STAG_HUNT)
    source = str(Path(kurilsim.__file__).parents[1])
    path = os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])
    with subprocess.Popen(
        [sys.executable, "-c", CLUSTER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
    ) as cluster:
        assert cluster.stdin is not None and cluster.stdout is not None
        address = cluster.stdout.readline().strip()
        assert address.startswith("tcp://"), address
        code, _, err = run_cli(
            capsys,
            "sweep",
            scenario,
            "--grid",
            "stag=2:10:4",
            "--grid",
            "hare=0:3:3",
            "--method",
            "vertex-enumeration",
            "--engine",
            "dask",
            "--scheduler",
            address,
            "--chunk-size",
            "5",
            "--out",
            tmp_path / "d.parquet",
        )
        assert code == 0, err
        assert cluster.poll() is None  # the cluster is left running
        solved, _ = cluster.communicate("", timeout=60)
    assert int(solved) == 3  # the three chunks of 12 points, all solved there
    grid = {"stag": (2, 10, 4), "hare": (0, 3, 3)}
    local = sweep(parse_scenario(STAG_HUNT), grid, method="vertex-enumeration", workers=1)
    pd.testing.assert_frame_equal(read_sweep(tmp_path / "d.parquet").to_frame(), local.to_frame())


@pytest.mark.slow
def test_a_bad_point_on_a_worker_process_reaches_the_command_line_as_its_one_line(capsys, tmp_path):
    # A worker in a process of its own sends the error back pickled, the point's field with it.
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(NOT_FINITE)
    # Its dashboard on any free port: another cluster may hold 8787.
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        code, _, err = run_cli(
            capsys,
            "sweep",
            scenario,
            "--grid",
            "a=-1:0:9",
            "--set",
            "b=1",
            "--chunk-size",
            "2",
            "--engine",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
        )
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"kurilsim: error: {scenario}: payoffs.B: payoff of B is nan")
    assert "with a=0, b=1;" in err
