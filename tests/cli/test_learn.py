"""``kurilsim learn``: in-process through ``main(argv)``, with its exit codes and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kurilsim.analysis.learning import DYNAMICS
from kurilsim.cli import learn, main
from kurilsim.forms import catalogue
from tests.helpers import SCENARIOS

SOCHI = str(SCENARIOS / "sochi_2016.yaml")


def test_the_dynamics_offered_are_the_librarys() -> None:
    assert tuple(DYNAMICS) == learn.DYNAMICS


def test_fictitious_play_on_the_2016_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learn", SOCHI, "--steps", "2000", "--rows", "3"]) == 0
    out = capsys.readouterr().out
    assert "converged" in out
    assert "Russia: joint_economic; Japan: economics_only; US: tolerate; China: back_russia" in out


def test_json_and_a_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figure = tmp_path / "path.png"
    start = "Russia=0.2,0.2,0.6; Japan=0.1,0.8,0.1"
    code = main(
        ["learn", SOCHI, "--steps", "300", "--start", start, "--set", "trust=0.5",
         "--format", "json", "--plot", str(figure)]
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == 1 and data["method"] == "fictitious-play"
    assert data["options"]["start"]["Russia"] == [0.2, 0.2, 0.6]
    assert data["parameters"]["trust"] == 0.5
    assert code == (0 if data["complete"] else 1)
    assert figure.stat().st_size > 0


def test_not_converged_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["learn", SOCHI, "--dynamics", "replicator", "--steps", "20"])
    assert code == 1
    assert "WARNING: no limit within 20 steps" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--start", "Russia"], "expected PLAYER=P1,P2,..."),
        (["--start", "Russia=a,b,c"], "Russia: expected probabilities"),
        (["--start", "Russia=1,0,0;Russia=1,0,0"], "Russia is given twice"),
        (["--start", "Putin=1,0,0"], "unknown player 'Putin'"),
        (["--start", "Russia=0.5,0.5,0.5"], "start['Russia']: probabilities sum to 1.5"),
        (["--dynamics", "best-reply"], "invalid choice"),
        (["--precision", "-1", "--dynamics", "logit"], "precision"),
        (["--set", "nosuch=1"], "nosuch"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["learn", SOCHI, "--steps", "5", *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_file_that_is_not_a_game(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert main(["learn", str(text)]) == 2
    assert "unknown file type" in capsys.readouterr().err


def test_a_scenario_without_a_normal_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learn", str(SCENARIOS / "bargaining_2016.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bargaining_2016.yaml" in err and "has no normal form" in err


def test_an_nfg_game_cycles_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Replicator dynamics in rock-paper-scissors, read from a Gambit file, keep circling."""
    from kurilsim.forms.normal.nfg import write_nfg

    path = tmp_path / "rps.nfg"
    write_nfg(catalogue.rock_paper_scissors(), path)
    start = "Row=0.5,0.3,0.2;Column=0.2,0.3,0.5"
    code = main(
        ["learn", str(path), "--dynamics", "replicator", "--start", start, "--steps", "500"]
    )
    assert code == 1
    assert "cycling" in capsys.readouterr().out
    figure = tmp_path / "orbit.svg"
    main(["learn", str(path), "--dynamics", "replicator", "--steps", "50", "--start", start,
          "--plot", str(figure), "--figure", "simplex"])  # fmt: skip
    assert "<svg" in figure.read_text()
    assert main(["learn", str(path), "--set", "x=1"]) == 2
    assert "parameters can only be set for scenario files" in capsys.readouterr().err
