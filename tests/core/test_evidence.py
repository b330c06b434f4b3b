"""A scenario's own evidence items: merged with the bundled registry and checked like it."""

import re
from importlib import resources
from types import SimpleNamespace

import pytest

from kurilsim import InputError, parse_scenario
from kurilsim.analysis.explain import explain
from kurilsim.cli import main
from kurilsim.core import evidence
from kurilsim.core.evidence import bundled_ids, citable_ids, load_registry, scenario_registry
from kurilsim.forms.registry import checked_scenario
from kurilsim.io.sources import read_source
from kurilsim.io.yaml_source import read_yaml
from tests.helpers import SCENARIOS

OWN_EVIDENCE = """\
kurilsim: 1
title: A new era with its own survey
era: "2022"
sources:
  - {id: S1, title: A survey of 2021, date: "2021-05"}
  - {id: S2, title: A later survey, date: "2023-01"}
evidence:
  - id: E86
    sources: [S1]
    period: "2021"
    actors: [Russian public]
    summary: Most respondents opposed any transfer of the islands.
    numbers: ["80%"]
  - {id: E87, sources: [S2, A003], summary: Opposition held steady.}
parameters:
  opposition:
    default: 0.8
    range: [0.5, 0.9]
    unit: share
    description: share of Russians opposed to a transfer
    evidence: [E86, E87, E50]
players: {Russia: [keep, cede], Japan: [wait]}
payoff_table:
  - {profile: [keep, wait], payoffs: [0, 0]}
  - {profile: [cede, wait], payoffs: [-opposition, 1]}
history:
  summary: Nothing moved.
  outcome: {Russia: keep}
  evidence: [E86]
"""


def test_own_items_join_the_bundled_registry():
    scenario = parse_scenario(OWN_EVIDENCE)
    merged = scenario_registry(scenario.header)
    bundled = load_registry()
    assert len(merged.evidence) == len(bundled.evidence) + 2
    assert merged.item("E50") == bundled.item("E50")
    assert [a.id for a in merged.sources_of(merged.item("E87"))] == ["S2", "A003"]
    assert merged.article("S1").date == "2021-05"
    assert merged.unknown(["E86", "E87", "E01", "E99"]) == ["E99"]


def test_a_scenario_without_own_items_uses_the_registry_as_is():
    registry = load_registry()
    text = (
        OWN_EVIDENCE.split("evidence:\n  - id: E86")[0]
        + "parameters:"
        + OWN_EVIDENCE.split("parameters:")[1].replace("E86, E87, E50", "E50")
    ).replace("  evidence: [E86]", "  evidence: [E50]")
    plain = parse_scenario(text)
    assert plain.header.evidence == ()
    assert scenario_registry(plain.header, registry) is registry


def test_the_ids_read_alone_are_those_of_the_whole_registry():
    assert bundled_ids() == tuple(item.id for item in load_registry().evidence)
    merged = scenario_registry(parse_scenario(OWN_EVIDENCE).header)
    assert citable_ids(parse_scenario(OWN_EVIDENCE).header) == tuple(
        item.id for item in merged.evidence
    )
    # The range an unknown id is told of runs from the registry's first to the file's last.
    problems = checked_scenario(OWN_EVIDENCE.replace("E86, E87, E50", "E86, E99"))[1]
    assert [problem.reason for problem in problems] == [
        "unknown evidence id 'E99'; the registry has E01 to E87"
    ]


REGISTRY = resources.files("kurilsim").joinpath("data", "evidence.yaml").read_text("utf-8")
NEW_ITEM = "    sources: [A000]\n    summary: An item added at the end.\n"


def dedented_items(text: str) -> str:
    head, _, items = text.partition("\nevidence:\n")
    return f"{head}\nevidence:\n" + re.sub(r"(?m)^  ", "", items)


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text.replace("  - id: E05\n", '  - id: "E05"\n'),
        lambda text: text.replace("  - id: E05\n", "  - id: 'E05'\n"),
        lambda text: text.replace("  - id: E05\n", "  - id: E05  # split from E04\n"),
        lambda text: text.replace("  - id: E05\n", "  - id:  E05\n"),
        lambda text: text + "  - {id: E88, sources: [A000], summary: An item in flow style.}\n",
        lambda text: text + "  - sources: [A000]\n    id: E88\n    summary: Its id second.\n",
        lambda text: text + "  -\n    id: E88\n" + NEW_ITEM,
        lambda text: text + "retired:\n  - id: E88\n" + NEW_ITEM,
        lambda text: text.replace("\nevidence:\n", "\nevidence:  # the items\n"),
        dedented_items,
        lambda text: text.replace("\n", "\r\n"),
        lambda text: text + "  # a comment after the last item\n\n",
    ],
    ids=[
        "double-quoted id",
        "single-quoted id",
        "comment after an id",
        "two spaces before an id",
        "flow-style item",
        "id not the first key",
        "id on the line after the dash",
        "top-level key after the items",
        "comment after evidence:",
        "items not indented",
        "CRLF line ends",
        "trailing comment",
    ],
)
def test_the_ids_read_alone_are_the_registry_ids_or_an_error_whatever_its_layout(
    edit, tmp_path, monkeypatch
):
    # The ids are read from the lines that begin the items: a layout that reading does not
    # know must stop it, never give other ids than the file's, which citations are checked on.
    text = edit(REGISTRY)
    assert text != REGISTRY
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "evidence.yaml").write_bytes(text.encode("utf-8"))
    monkeypatch.setattr(evidence, "resources", SimpleNamespace(files=lambda package: tmp_path))
    in_file = tuple(item["id"] for item in read_yaml(text, "evidence.yaml").data["evidence"])
    bundled_ids.cache_clear()
    try:
        read: tuple[str, ...] | InputError = bundled_ids()
    except InputError as exc:
        read = exc
    finally:
        bundled_ids.cache_clear()
    if isinstance(read, InputError):
        assert read.file == "kurilsim/data/evidence.yaml"
        assert read.reason.startswith("the evidence registry is damaged")
    else:
        assert read == in_file


def test_checking_the_citations_of_a_scenario_without_own_items_reads_only_the_ids():
    # sochi_2016 cites the registry in its parameters and history, and takes shared parameters
    # that cite it too; an unknown id there is still found (tests/io, tests/forms).
    load_registry.cache_clear()
    scenario, problems = checked_scenario(*read_source(SCENARIOS / "sochi_2016.yaml", "path"))
    assert scenario is not None and problems == []
    assert load_registry.cache_info().misses == 0


def test_explain_shows_own_items_with_their_sources_and_hindsight():
    trail = explain(parse_scenario(OWN_EVIDENCE))
    data = trail.to_dict()
    assert data["unknown_evidence"] == []
    items = {item["id"]: item for item in data["parameters"]["opposition"]["evidence"]}
    assert items["E86"]["summary"] == "Most respondents opposed any transfer of the islands."
    assert items["E86"]["numbers"] == ["80%"]
    assert items["E86"]["sources"][0]["title"] == "A survey of 2021"
    # S2 of 2023 is later than the era 2022; S1 of 2021 and the 2016 article are not
    assert (items["E86"]["hindsight"], items["E87"]["hindsight"], items["E50"]["hindsight"]) == (
        False,
        True,
        False,
    )
    assert "E86 [S1 author not named, 2021]: Most respondents" in trail.to_text()


def test_the_cli_explains_and_validates_a_file_with_own_items(tmp_path, capsys):
    path = tmp_path / "own.yaml"
    path.write_text(OWN_EVIDENCE, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert main(["explain", str(path)]) == 0
    assert "E86 [S1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            ("id: E86\n", "id: E50\n"), "E50 is already in the bundled registry", id="clash"
        ),
        pytest.param(("id: E87,", "id: E86,"), "evidence ids repeat: E86", id="repeat"),
        pytest.param(("sources: [S1]", "sources: [S9]"), "cites source 'S9'", id="no-source"),
        pytest.param(("id: E86\n", "id: X86\n"), "String should match pattern", id="bad-id"),
        pytest.param(
            ("    summary: Most respondents opposed any transfer of the islands.\n", ""),
            "summary",
            id="no-summary",
        ),
        pytest.param(("sources: [S2, A003]", "sources: []"), "at least 1", id="no-sources"),
    ],
)
def test_own_items_are_checked_like_the_registry(change, message):
    old, new = change
    assert old in OWN_EVIDENCE
    with pytest.raises(InputError, match=message) as caught:
        parse_scenario(OWN_EVIDENCE.replace(old, new, 1), source="own.yaml")
    assert caught.value.file == "own.yaml"
    assert "evidence" in (caught.value.field or "")
