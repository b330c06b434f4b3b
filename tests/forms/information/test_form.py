"""The information form through scenario files: schema errors, run, compare, explain, sweep, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kurilsim
from kurilsim.analysis.explain import explain
from kurilsim.cli import main
from kurilsim.core.errors import InputError
from kurilsim.forms.information.game import InformationTree

SCENARIO = """\
kurilsim: 1
form: information
title: Reassurance with an unseen type (test)
parameters:
  p_own:
    default: 0.6
    range: [0, 1]
    unit: probability
    description: the prior that Japan acts on its own
    assumption: a test value
players: [Japan, Russia]
outcomes:
  deal: {description: a deal is signed}
payoffs:
  Japan: 2 * deal
  Russia: deal
tree:
  chance:
    own:
      probability: p_own
      node:
        player: Japan
        infoset: own_type
        actions:
          engage:
            player: Russia
            infoset: after_engage
            actions:
              agree: {outcome: {deal: 1}}
              refuse: {payoffs: {Japan: 0, Russia: 0}}
          wait: {payoffs: {Japan: 0.5, Russia: 0}}
    proxy:
      probability: 1 - p_own
      node:
        player: Japan
        infoset: proxy_type
        actions:
          engage:
            player: Russia
            infoset: after_engage
            actions:
              agree: {payoffs: {Japan: 2, Russia: -1}}
              refuse: {payoffs: {Japan: 0, Russia: 0}}
          wait: {payoffs: {Japan: 0.5, Russia: 0}}
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "reassurance.yaml"
    path.write_text(SCENARIO)
    return path


def test_a_scenario_compiles_to_a_tree_with_an_information_set(scenario_file):
    scenario = kurilsim.load_scenario(scenario_file)
    tree = scenario.game()
    assert isinstance(tree, InformationTree)
    after = next(s for s in tree.infosets if s.label == "after_engage")
    assert len(after.nodes) == 2
    assert scenario.game({"p_own": 0.2}).probabilities[list(tree.children[0])].tolist() == [
        0.2,
        0.8,
    ]


def test_run_compare_explain_and_sweep_take_it(scenario_file, capsys):
    scenario = kurilsim.load_scenario(scenario_file)
    solution = scenario.solve()
    assert solution.method == "enumeration" and solution.complete
    # Where Japan engages, Russia's belief is Bayes' rule from the prior 0.6 and each type's play.
    engaged = [p for p in solution if p.beliefs[1] is not None]
    assert engaged
    for profile in engaged:
        own, proxy = 0.6 * profile.behaviour[0][0], 0.4 * profile.behaviour[2][0]
        assert profile.beliefs[1][0] == pytest.approx(own / (own + proxy))
    panel = kurilsim.compare(scenario)
    assert panel is not None
    trail = explain(scenario)
    assert trail.to_dict()["information_sets"] == {
        "Russia: after_engage": "own > engage; proxy > engage"
    }
    text = trail.to_text()
    assert "Information sets (nodes a mover cannot tell apart)" in text
    assert "Options" not in text
    swept = kurilsim.sweep(scenario, {"p_own": (0.2, 0.8, 4)}, workers=1)
    assert len(swept.to_frame()) >= 4
    assert main(["run", str(scenario_file), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    played = data["profiles"][0]["behaviour"]["Russia"]["after_engage"]
    assert set(played) == {"agree", "refuse"} and sum(played.values()) == pytest.approx(1)
    assert sum(data["profiles"][0]["outcome_probabilities"].values()) == pytest.approx(1)
    assert main(["run", str(scenario_file), "--set", "p_own=0.3"]) == 0
    assert "after_engage" in capsys.readouterr().out
    assert "<table" in solution._repr_html_() and "<table" in scenario._repr_html_()


AGREE = "            actions:\n              agree: {payoffs: {Japan: 2"
PROXY_AGREE = "              agree: {payoffs: {Japan: 2, Russia: -1}}"
BAD = [
    pytest.param(
        SCENARIO.replace(
            "            infoset: after_engage\n" + AGREE, "            infoset: own_type\n" + AGREE
        ),
        "mixes players",
        "tree.chance.proxy.node.actions.engage.infoset",
        id="infoset-mixing-players",
    ),
    pytest.param(
        SCENARIO.replace(PROXY_AGREE, PROXY_AGREE.replace("agree", "yes")),
        "every node of an information set has the same actions",
        "tree.chance.proxy.node.actions.engage",
        id="infoset-with-other-actions",
    ),
    pytest.param(
        SCENARIO.replace("      probability: 1 - p_own", "      probability: 1.2 - p_own"),
        "sum to",
        "tree.chance",
        id="chance-not-summing-to-one",
    ),
    pytest.param(
        SCENARIO.replace("      probability: p_own\n", "      probability: p_own - 0.7\n").replace(
            "1 - p_own", "1.7 - p_own"
        ),
        "negative",
        "tree.chance",
        id="chance-outside-0-1",
    ),
]


@pytest.mark.parametrize(("text", "words", "field"), BAD)
def test_bad_scenarios_give_one_line_naming_file_field_and_line(
    tmp_path, capsys, text, words, field
):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=words) as info:
        kurilsim.load_scenario(path)
    assert info.value.file == str(path) and info.value.field == field
    assert info.value.line is not None
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_imperfect_recall_in_a_scenario_is_refused_at_its_node(tmp_path):
    text = SCENARIO.replace(
        "          wait: {payoffs: {Japan: 0.5, Russia: 0}}\n    proxy:",
        """\
          wait:
            player: Japan
            infoset: forgetful
            actions:
              a: {payoffs: {Japan: 0, Russia: 0}}
              b: {payoffs: {Japan: 1, Russia: 0}}
    proxy:""",
    ).replace(
        """          wait: {payoffs: {Japan: 0.5, Russia: 0}}
""",
        """          wait:
            player: Japan
            infoset: forgetful
            actions:
              a: {payoffs: {Japan: 0, Russia: 0}}
              b: {payoffs: {Japan: 1, Russia: 0}}
""",
    )
    path = tmp_path / "recall.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match="breaks perfect recall") as info:
        kurilsim.load_scenario(path)
    assert info.value.line is not None and info.value.field.startswith("tree.chance.proxy")


def test_a_probability_leaving_0_1_at_a_point_names_the_values(scenario_file):
    scenario = kurilsim.load_scenario(scenario_file)
    with pytest.raises(InputError, match="outside its declared range"):
        scenario.solve({"p_own": 1.5})


def test_the_tree_is_drawn_with_its_information_sets_dashed(scenario_file):
    solution = kurilsim.load_scenario(scenario_file).solve()
    figure = kurilsim.plot(solution, kind="tree")
    ax = figure.axes[0]
    dashed = [line for line in ax.lines if line.get_gid() == "infoset"]
    assert len(dashed) == 1 and dashed[0].get_linestyle() == "--"
    assert len(dashed[0].get_xdata()) == 2  # Russia's two nodes after engage
    assert any("after_engage" in text.get_text() for text in ax.texts)
