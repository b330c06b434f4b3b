"""``kurilsim sweep`` and ``kurilsim tipping`` from the command line."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kurilsim.sweeps import read_sweep
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def bundled(request):
    return str(request.config.rootpath / "scenarios" / "sochi_2016.yaml")


def test_sweep_writes_a_table_and_a_regime_map(capsys, tmp_path, bundled):
    out, figure = tmp_path / "s.parquet", tmp_path / "map.png"
    code, stdout, err = run_cli(
        capsys,
        "sweep",
        bundled,
        "--grid",
        "sanctions=0:0.7:15",
        "--grid",
        "trust=0:1:11",
        "--out",
        out,
        "--plot",
        figure,
    )
    assert code == 0, err
    assert "165 points (sanctions 0..0.7 (15) x trust 0..1 (11)); method pure" in stdout
    assert f"wrote {figure}" in err
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_parquet(out)
    assert table["point"].nunique() == 165
    assert read_sweep(out).info.spec.grid[1].name == "trust"


def test_sweep_refuses_to_overwrite_and_resumes_a_finished_file(capsys, tmp_path, bundled):
    out = tmp_path / "s.parquet"
    argv = ["sweep", bundled, "--grid", "trust=0:1:5", "--out", out]
    assert run_cli(capsys, *argv)[0] == 0
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "--resume" in err and "--force" in err
    code, stdout, _ = run_cli(capsys, *argv, "--resume")
    assert code == 0 and "5 points" in stdout
    code, _, err = run_cli(
        capsys, "sweep", bundled, "--grid", "trust=0:1:6", "--out", out, "--resume"
    )
    assert code == 2 and "cannot resume" in err
    assert (
        run_cli(capsys, "sweep", bundled, "--grid", "trust=0:1:6", "--out", out, "--force")[0] == 0
    )


def test_sweep_monte_carlo_to_csv_with_shares(capsys, tmp_path, bundled):
    out, figure = tmp_path / "mc.csv", tmp_path / "shares.svg"
    code, stdout, err = run_cli(
        capsys,
        "sweep",
        bundled,
        "--samples",
        "200",
        "--seed",
        "4",
        "--set",
        "trust=0.5",
        "--out",
        out,
        "--plot",
        figure,
    )
    assert code == 0, err
    assert "200 points (200 samples (seed 4)); method pure" in stdout
    assert b"<svg" in figure.read_bytes()[:500]
    table = pd.read_csv(out)
    assert "param.trust" not in table and "param.sanctions" in table


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--grid", "sanction=0:0.5:3"], "unknown parameter", id="unknown"),
        pytest.param(["--grid", "sanctions=0:0.9:3"], "outside the declared range", id="range"),
        pytest.param(["--grid", "sanctions=0:0.5:0"], "must be positive", id="n-zero"),
        pytest.param(["--grid", "sanctions=0:0.5"], "expected NAME=START:STOP:N", id="form"),
        pytest.param(["--samples", "0"], "must be positive", id="samples-zero"),
        pytest.param(
            ["--grid", "trust=0:1:3", "--max-equilibria", "0"],
            "argument --max-equilibria: must be positive",
            id="max-equilibria-zero",
        ),
        pytest.param(
            [
                "--grid",
                "trust=0:1:1001",
                "--grid",
                "sanctions=0:0.7:1000",
                "--chunk-size",
                "1001000",
            ],
            "over the memory limit",
            id="memory",
        ),
        pytest.param(
            ["--grid", "trust=0:1:3", "--plot", "map.png", "--plot-kind", "regime"],
            "regime map needs",
            id="plot-shape",
        ),
        pytest.param(
            ["--grid", "trust=0:1:3", "--plot", "map.jpg"], ".png, .svg or .pdf", id="plot-format"
        ),
        pytest.param(["--grid", "trust=0:1:3", "--resume"], "need --out", id="resume"),
        pytest.param(
            ["--grid", "trust=0:1:5000", "--grid", "sanctions=0:0.7:1000"],
            "write it to a file with --out",
            id="table-memory",
        ),
        pytest.param(
            ["--grid", "trust=0:1:3", "--grid", "trust=0:0.5:9"],
            "'trust' is given more than once",
            id="repeated-axis",
        ),
    ],
)
def test_bad_sweeps_exit_2_with_one_line(capsys, monkeypatch, tmp_path, bundled, argv, message):
    monkeypatch.chdir(tmp_path)  # nothing lands in the repository, whatever happens
    code, _, err = run_cli(capsys, "sweep", bundled, *argv)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and err.startswith("kurilsim: error: ")


def test_tipping_prints_the_table_and_saves_the_tornado(capsys, tmp_path, bundled):
    figure = tmp_path / "tornado.png"
    code, stdout, err = run_cli(
        capsys,
        "tipping",
        bundled,
        "--parameter",
        "sanctions",
        "--parameter",
        "trust",
        "--plot",
        figure,
    )
    assert code == 0, err
    assert "sanctions up from 0.5 to 0.6667" in stdout
    assert figure.exists()
    code, stdout, _ = run_cli(
        capsys, "tipping", bundled, "--parameter", "trust", "--format", "json"
    )
    record = json.loads(stdout)
    assert [row["direction"] for row in record["tipping_points"]] == ["down", "up"]
    code, stdout, _ = run_cli(capsys, "tipping", bundled, "--parameter", "tru")
    assert code == 2


@pytest.mark.slow
def test_sweep_as_a_real_process(tmp_path, bundled):
    out = tmp_path / "s.parquet"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kurilsim",
            "sweep",
            bundled,
            "--grid",
            "sanctions=0:0.7:8",
            "--out",
            str(out),
            "--workers",
            "2",
            "--chunk-size",
            "3",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "8 points" in done.stdout
    assert pd.read_parquet(out)["point"].nunique() == 8


def _group_alive(group):
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_a_killed_pool_sweep_leaves_no_workers_and_resumes_to_the_same_table(tmp_path, bundled):
    out = tmp_path / "mixed.parquet"
    command = [sys.executable, "-m", "kurilsim", "sweep", bundled, "--grid", "sanctions=0:0.7:12"]
    command += ["--method", "support-enumeration", "--workers", "2", "--chunk-size", "1"]
    command += ["--no-progress"]
    argv = [*command, "--out", str(out)]
    started = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL)
    parts = tmp_path / "mixed.parquet.parts"
    deadline = time.monotonic() + 120
    while not list(parts.glob("part-*.arrow")) and time.monotonic() < deadline:
        time.sleep(0.05)
    started.send_signal(signal.SIGKILL)
    started.wait()
    assert started.returncode == -signal.SIGKILL
    # The pool's workers notice their parent is gone and end, mid-chunk or idle.
    deadline = time.monotonic() + 10
    while _group_alive(started.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _group_alive(started.pid), "workers outlived the killed sweep"
    finished = len(list(parts.glob("part-*.arrow")))
    assert 1 <= finished < 12
    assert read_sweep(out).complete is False
    resumed = subprocess.run([*argv, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run(
        [*command, "--out", str(tmp_path / "whole.parquet")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert whole.returncode == 0, whole.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(tmp_path / "whole.parquet"))


def test_sweep_of_a_game_tree_writes_subgame_perfect_rows_and_a_map(capsys, tmp_path, bundled):
    tree = str(Path(bundled).with_name("sequence_1956.yaml"))
    out, figure = tmp_path / "tree.parquet", tmp_path / "tree.png"
    code, stdout, err = run_cli(
        capsys,
        "sweep",
        tree,
        "--grid",
        "carry_out_cost=0:0.6:7",
        "--grid",
        "okinawa_stake=1:4:3",
        "--out",
        out,
        "--plot",
        figure,
    )
    assert code == 0, err
    assert "21 points" in stdout and "method backward-induction" in stdout
    assert set(pd.read_parquet(out)["kind"]) == {"subgame-perfect"}
    assert figure.exists()


def test_a_tree_sweep_takes_the_listing_bounds_run_takes(capsys, tmp_path, bundled):
    """--max-equilibria cuts the tied point's listing (carry_out_cost 0.3) as run's does."""
    tree = str(Path(bundled).with_name("sequence_1956.yaml"))
    out = tmp_path / "tree.csv"
    grid = ("--grid", "carry_out_cost=0:0.6:3")
    code, stdout, err = run_cli(capsys, "sweep", tree, *grid, "--max-equilibria", "1", "--out", out)
    assert code == 1, err
    assert stdout.splitlines()[-1] == (
        "WARNING: incomplete at 1 of 3 points (max_equilibria: 1); equilibria may be missing there"
    )
    table = pd.read_csv(out)
    assert table["point"].tolist() == [0, 1, 2]
    assert table["incomplete_reason"].fillna("").tolist() == ["", "max_equilibria", ""]
    code, stdout, err = run_cli(
        capsys,
        "run",
        tree,
        "--set",
        "carry_out_cost=0.3",
        "--max-equilibria",
        "1",
        "--format",
        "json",
    )
    ran = json.loads(stdout)
    assert code == 1 and ran["incomplete_reason"] == "max_equilibria", err
    labels = [
        ", ".join(f"{p}: {s}" for p, s in e["strategies"].items()) for e in ran["subgame_perfect"]
    ]
    assert labels == table["label"].tolist()[1:2]


@pytest.mark.parametrize("file", ["bargaining_2016.yaml", "conflict_2018.yaml"])
def test_sweep_and_tipping_take_bargaining_and_conflict_forms(capsys, bundled, file):
    other = str(Path(bundled).with_name(file))
    parameter = "sanctions" if file == "bargaining_2016.yaml" else "us_resolve"
    code, stdout, err = run_cli(capsys, "sweep", other, "--grid", f"{parameter}=0:0.7:3")
    assert code == 0, err
    assert "3 points" in stdout
    code, stdout, err = run_cli(
        capsys, "tipping", other, "--parameter", parameter, "--resolution", "5"
    )
    assert code == 0, err
    assert "at the defaults" in stdout


@pytest.mark.parametrize("suffix", ["parquet", "csv", None])
def test_a_sweep_with_incomplete_points_warns_and_exits_1(capsys, tmp_path, bundled, suffix):
    """Every point cut short by support enumeration's time bound: counted by reason, exit 1."""
    era = str(Path(bundled).with_name("era_1956.yaml"))
    out = () if suffix is None else ("--out", tmp_path / f"cut.{suffix}", "--force")
    argv = ["sweep", era, "--grid", "declaration_value=0.1:0.3:3", "--method"]
    code, stdout, err = run_cli(capsys, *argv, "support-enumeration", "--max-seconds", "0", *out)
    assert code == 1, err
    assert stdout.splitlines()[-1] == (
        "WARNING: incomplete at 3 of 3 points (max_seconds: 3); equilibria may be missing there"
    )
    code, stdout, err = run_cli(capsys, *argv, "support-enumeration", *out)
    assert code == 0, err
    assert "WARNING" not in stdout + err
