"""The Dask engine gives the same table as the local one."""

import pandas as pd
import pytest
from dask.distributed import Client, LocalCluster

import kurilsim
from kurilsim import parse_scenario
from kurilsim.sweeps import read_sweep, sweep
from tests.helpers import run_cli
from tests.strategies import STAG_HUNT


@pytest.fixture(scope="module")
def client():
    # Threads, not processes: quick to start, and nothing left running after the test.
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
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


@pytest.mark.slow
# distributed leaves a probing socket of its TCP listener to the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_cli_sweeps_on_a_running_cluster_by_its_address(capsys, tmp_path):
    scenario = tmp_path / "stag.yaml"
    scenario.write_text(STAG_HUNT)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
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
            cluster.scheduler_address,
            "--out",
            tmp_path / "d.parquet",
        )
        assert code == 0, err
        assert len(cluster.scheduler_info["workers"]) == 2  # the cluster is left running
    grid = {"stag": (2, 10, 4), "hare": (0, 3, 3)}
    local = sweep(parse_scenario(STAG_HUNT), grid, method="vertex-enumeration", workers=1)
    pd.testing.assert_frame_equal(read_sweep(tmp_path / "d.parquet").to_frame(), local.to_frame())
