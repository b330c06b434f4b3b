import json

import pytest

from kurilsim import InputError, load_scenario, parse_scenario
from kurilsim.analysis.explain import explain
from kurilsim.cli import main
from kurilsim.core.evidence import Registry, load_registry
from tests.helpers import ROOT
from tests.strategies import STAG_HUNT

REGISTRY = Registry.model_validate(
    {
        "kurilsim-evidence": 1,
        "sources": [
            {
                "id": "A9",
                "file": "a9.txt",
                "title": "On hunting",
                "author": "J. R.",
                "date": "1755",
                "eras": ["1755"],
            }
        ],
        "evidence": [
            {
                "id": "E01",
                "sources": ["A9"],
                "period": "1755",
                "actors": ["hunters"],
                "summary": "Hares are a safe catch.",
                "numbers": ["1"],
            }
        ],
    }
)


def test_trail_names_payoffs_parameters_and_evidence():
    trail = explain(parse_scenario(STAG_HUNT), {"stag": 6}, registry=REGISTRY).to_dict()
    assert trail["payoffs"] == {
        "A": "stag * both_stag + hare * a_hare",
        "B": "stag * both_stag + hare * b_hare",
    }
    stag, hare = trail["parameters"]["stag"], trail["parameters"]["hare"]
    assert (stag["value"], stag["default"], stag["range"], stag["unit"]) == (
        6.0,
        4.0,
        [2.0, 10.0],
        "meals",
    )
    assert stag["assumption"] == "textbook illustration" and stag["evidence"] == []
    (item,) = hare["evidence"]
    assert item["id"] == "E01"
    assert item["summary"] == "Hares are a safe catch."
    assert item["sources"][0]["title"] == "On hunting"
    assert trail["unknown_evidence"] == []


def test_text_shows_the_trail():
    text = explain(parse_scenario(STAG_HUNT), registry=REGISTRY).to_text()
    assert "A = stag * both_stag + hare * a_hare" in text
    assert "stag = 4 (default 4, range 2 to 10; meals)" in text
    assert "E01 [A9 J. R., 1755]: Hares are a safe catch." in text
    assert "modelling assumption: textbook illustration" in text
    # hare cites evidence and declares no assumption: its number is the articles' own
    assert "value: the articles' own figure" in text
    assert 'R1755: Jean-Jacques Rousseau, "Discourse on the Origin of Inequality"' in text


WITH_HISTORY = (
    STAG_HUNT
    + """
history:
  summary: >
    Both went
    after the stag.
  outcome: {A: stag, B: [stag, hare]}
  evidence: [E01, E98]
"""
)


def test_trail_shows_the_recorded_outcome_and_checks_its_evidence():
    trail = explain(parse_scenario(WITH_HISTORY), registry=REGISTRY)
    data = trail.to_dict()
    assert data["history"] == {
        "summary": "Both went after the stag.",
        "outcome": {"A": "stag", "B": "stag or hare"},
        "evidence": ["E01", "E98"],
    }
    assert data["unknown_evidence"] == ["E98"]
    assert "as strategies: A=stag, B=stag or hare; evidence E01, E98" in trail.to_text()


def test_summaries_are_single_spaced():
    registry = load_registry()
    trail = explain(load_scenario(ROOT / "scenarios" / "sochi_2016.yaml"), registry=registry)
    for p in trail.to_dict()["parameters"].values():
        for item in p["evidence"]:
            assert item["summary"] == " ".join(item["summary"].split())


def test_a_conflict_records_the_options_taken():
    trail = explain(load_scenario(ROOT / "scenarios" / "conflict_2018.yaml")).to_dict()
    assert trail["history"]["outcome"]["Russia"] == "joint_activity + militarise"
    assert trail["history"]["outcome"]["US"] == "no option"


def test_unknown_evidence_is_reported():
    text = STAG_HUNT.replace("evidence: [E01]", "evidence: [E99]")
    assert explain(parse_scenario(text), registry=REGISTRY).to_dict()["unknown_evidence"] == ["E99"]


def test_values_are_range_checked():
    with pytest.raises(InputError, match="outside its declared range"):
        explain(parse_scenario(STAG_HUNT), {"stag": 100}, registry=REGISTRY)


def test_shipped_registry_is_complete_and_paraphrased():
    registry = load_registry()
    assert [a.id for a in registry.sources] == ["A000", "A001", "A002", "A003", "A004"]
    assert len(registry.evidence) >= 85
    for item in registry.evidence:
        assert item.summary.strip()


SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_bundled_scenarios_cite_known_evidence(path):
    trail = explain(load_scenario(path)).to_dict()
    assert trail["unknown_evidence"] == []


def test_explain_cli(capsys):
    assert main(["explain", str(ROOT / "scenarios" / "sochi_2016.yaml"), "--format", "json"]) == 0
    trail = json.loads(capsys.readouterr().out)
    assert trail["parameters"]["opposition_two"]["evidence"][0]["id"] == "E50"


def test_a_bargaining_trail_shows_utilities_failure_and_ratification():
    trail = explain(load_scenario(ROOT / "scenarios" / "bargaining_2016.yaml")).to_dict()
    assert {"Russia", "Japan", "Russia if talks fail", "Japan if talks fail"} <= set(
        trail["payoffs"]
    )
    assert trail["payoffs"]["ratification by United_States"].startswith("passes if ")
    assert "joint_economic" in trail["deals"] and trail["outcomes"] == {}


def test_a_conflict_trail_lists_the_options():
    trail = explain(load_scenario(ROOT / "scenarios" / "conflict_2018.yaml")).to_dict()
    assert trail["options"]["Japan.aegis_ashore"].startswith("go ahead with the US Aegis Ashore")


# ---------------------------------------------------------------- hindsight


@pytest.mark.parametrize(
    ("era", "flagged"),
    [
        pytest.param("1750", True, id="source-after-era"),
        pytest.param("1755", False, id="same-year"),
        pytest.param("1750-1760", False, id="range-ends-after-source"),
        pytest.param("textbook", False, id="era-without-year"),
    ],
)
def test_evidence_dated_after_the_era_is_hindsight(era, flagged):
    text = STAG_HUNT.replace("era: textbook", f"era: {era!r}")
    trail = explain(parse_scenario(text), registry=REGISTRY)
    data = trail.to_dict()
    assert data["parameters"]["hare"]["evidence"][0]["hindsight"] is flagged
    assert data["hindsight"] == (["E01"] if flagged else [])
    assert ("hindsight: dated after the era" in trail.to_text()) is flagged
    assert ("E01 (hindsight)" in trail._repr_html_()) is flagged
    assert json.loads(json.dumps(data))["hindsight"] == data["hindsight"]


def test_history_evidence_counts_as_hindsight():
    text = WITH_HISTORY.replace("evidence: [E01]", "assumption: none").replace(
        "era: textbook", "era: '1700'"
    )
    data = explain(parse_scenario(text), registry=REGISTRY).to_dict()
    assert data["hindsight"] == ["E01"]


def test_later_articles_in_the_2014_to_2016_files_are_flagged():
    registry = load_registry()
    for name in ("era_2014.yaml", "sochi_2016.yaml", "sequence_2016.yaml", "bargaining_2016.yaml"):
        trail = explain(load_scenario(ROOT / "scenarios" / name), registry=registry)
        data = trail.to_dict()
        era = int(data["era"])
        for p in data["parameters"].values():
            for item in p["evidence"]:
                later = any(int(s["date"][:4]) > era for s in item["sources"])
                assert item["hindsight"] is later, (name, item["id"])
        assert data["hindsight"], name
        assert f"sources dated after the era {era}" in " ".join(trail.to_text().split())


def test_cli_json_carries_hindsight(capsys):
    path = str(ROOT / "scenarios" / "era_2014.yaml")
    assert main(["explain", path, "--format", "json"]) == 0
    trail = json.loads(capsys.readouterr().out)
    assert "E50" in trail["hindsight"]  # the 2016 poll, cited for 2014
    flags = {
        item["id"]: item["hindsight"]
        for p in trail["parameters"].values()
        for item in p["evidence"]
    }
    assert flags["E50"] is True and flags["E40"] is False  # A002 of 2016; A000 of 2014
