"""JSON the commands print: a format version, and profiles as data beside their labels."""

from __future__ import annotations

import json

from tests.helpers import run_cli


def test_every_result_document_carries_its_format(capsys):
    for argv in (
        ("run", "scenarios/sochi_2016.yaml"),
        ("run", "scenarios/sequence_2016.yaml"),
        ("compare", "scenarios/sochi_2016.yaml"),
    ):
        _, out, _ = run_cli(capsys, *argv, "--format", "json")
        data = json.loads(out)
        assert next(iter(data)) == "format" and data["format"] == 1


def test_the_schema_keeps_its_own_layout(capsys):
    _, out, _ = run_cli(capsys, "schema")
    assert "format" not in json.loads(out)


def test_subgame_perfect_plans_are_data(capsys):
    _, out, _ = run_cli(capsys, "run", "scenarios/sequence_2016.yaml", "--format", "json")
    (spe,) = json.loads(out)["subgame_perfect"]
    assert set(spe["plans"]) == set(spe["strategies"])
    assert "|".join(spe["plans"]["Russia"].values()) == spe["strategies"]["Russia"]


def test_predictions_keep_their_label_and_give_profiles(capsys):
    _, out, _ = run_cli(capsys, "compare", "scenarios/sochi_2016.yaml", "--format", "json")
    nash = [p for p in json.loads(out)["predictions"] if p["concept"] == "Nash (pure)"]
    assert nash and all(isinstance(p["outcome"], str) for p in nash)
    for profile in (profile for p in nash for profile in p["profiles"]):
        assert all(abs(sum(mix.values()) - 1) < 1e-9 for mix in profile.values())


def test_bargaining_predictions_give_lotteries_as_mappings(capsys):
    _, out, _ = run_cli(capsys, "compare", "scenarios/bargaining_2016.yaml", "--format", "json")
    counted = [p for p in json.loads(out)["predictions"] if p["counted"]]
    assert counted and all(abs(sum(p["profiles"][0].values()) - 1) < 1e-9 for p in counted)
