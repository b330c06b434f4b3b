"""The backtest of a recorded sequence: a dynamic scenario's path against every era."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import kurilsim
from kurilsim.analysis.backtest import backtest
from kurilsim.analysis.sequence_backtest import backtest_sequence
from kurilsim.cli import main
from kurilsim.core.errors import InputError

ERAS = "scenarios/eras_1956_2020.yaml"


def test_the_eras_model_matches_the_recorded_sequence_at_its_defaults():
    result = backtest_sequence(kurilsim.load_scenario(ERAS), samples=200)
    assert [r.round for r in result.rounds] == [
        "1956", "1983", "1991", "2013", "2014", "2016", "2018", "2020"
    ]  # fmt: skip
    assert result.match and all(r.match for r in result.rounds)
    assert result.rounds[0].predicted == "Russia: offer_two, Japan: demand_four"
    # The whole sequence holds in no more of the box than its least robust round.
    assert 0 < result.robustness <= min(r.robustness for r in result.rounds)


def test_a_record_the_path_contradicts_is_reported_for_its_round(tmp_path):
    text = Path(ERAS).read_text(encoding="utf-8")
    wrong = text.replace(
        "outcome: {Russia: offer_two, Japan: demand_four}",
        "outcome: {Russia: offer_two, Japan: accept_two}",
    )
    path = tmp_path / "eras.yaml"
    path.write_text(wrong, encoding="utf-8")
    result = backtest_sequence(kurilsim.load_scenario(path), samples=50)
    assert not result.match
    assert [r.round for r in result.rounds if not r.match] == ["1956"]


def test_the_directory_backtest_lists_the_sequence(tmp_path, capsys):
    shutil.copy(ERAS, tmp_path)
    result = backtest(tmp_path, samples=50)
    assert [s.file for s in result.sequences] == ["eras_1956_2020.yaml"]
    assert result.to_dict()["sequences"][0]["match"] is True
    assert "sequence eras_1956_2020.yaml" in result.to_text()
    assert "2020" in result._repr_html_()
    assert main(["backtest", str(tmp_path), "--samples", "50", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["sequences"][0]["rounds"][7]["round"] == "2020"


@pytest.mark.parametrize(
    "path",
    ["scenarios/era_1983.yaml", "scenarios/sanctions_markov.yaml"],
    ids=["normal", "infinite"],
)
def test_a_scenario_without_a_recorded_sequence_is_refused(path):
    with pytest.raises(InputError, match="sequence"):
        backtest_sequence(kurilsim.load_scenario(path), samples=10)
