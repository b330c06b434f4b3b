"""Repeated scenario files: the bundled question, the stage reference, bad input, every stage.

The bundled scenario asks whether joint economic activity on the islands (sochi_2016.yaml's
joint_economic / economics_only) can be kept up by the threat of a freeze, and how patient Moscow
and Tokyo must be; its file states the answers checked here.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import kurilsim
from kurilsim.analysis.explain import explain
from kurilsim.cli import main
from kurilsim.core.errors import InputError
from tests.helpers import SCENARIOS

BUNDLED = SCENARIOS / "repeated_joint_activity.yaml"
JOINT = "Russia: joint_economic, Japan: economics_only"
TREATY = "Russia: two_islands, Japan: accept_two"

PD_TEXT = """\
kurilsim: 1
form: repeated
title: Repeated dilemma
parameters:
  patience: {default: 0.9, range: [0, 0.99], unit: per round, description: discount,
             assumption: textbook}
stage: {file: STAGE}
discount: {Row: patience, Column: patience}
"""


@pytest.fixture(scope="module")
def bundled():
    return kurilsim.load_scenario(BUNDLED)


def test_joint_activity_is_the_stage_equilibrium_at_the_2016_values(bundled):
    solution = bundled.solve()
    k = [solution.label(i) for i in range(len(solution.cells))].index(JOINT)
    assert solution.sustained_labels() == [JOINT]
    assert solution.grim[k].tolist() == [0.0, 0.0]
    assert solution.payoff_set is not None and solution.payoff_set.converged


def test_with_costlier_joint_activity_only_the_freeze_holds_it(bundled):
    solution = bundled.solve({"je_cost": 0.12, "mainland_share": 0.3})
    labels = [solution.label(i) for i in range(len(solution.cells))]
    joint, treaty = labels.index(JOINT), labels.index(TREATY)
    # Nash reversion cannot hold joint activity; the mutual minmax, the 2014-style freeze, can.
    assert np.isinf(solution.grim[joint, 0]) and not solution.sustained_by_grim[joint]
    assert solution.label_of(solution.mutual_minmax) == "Russia: keep_all, Japan: demand_four"
    assert solution.punishment_rounds[joint] == 1
    assert 0.05 < solution.floor_mixed[joint, 0] < 0.1
    # The treaty leaves Moscow below its minmax: no discount factor sustains it.
    assert np.isinf(solution.floor_mixed[treaty, 0])
    # Below the floor the freeze no longer holds joint activity either.
    impatient = bundled.solve(
        {"je_cost": 0.12, "mainland_share": 0.3, "delta_russia": 0.05}, method="thresholds"
    )
    assert JOINT not in impatient.sustained_labels()


def test_the_command_line_answers_and_sweeps_the_discount_factor(capsys, tmp_path):
    assert main(["run", str(BUNDLED), "--format", "json", "--set", "delta_russia=0.5"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["sustained"] == [JOINT] and answer["discount"]["Russia"] == 0.5
    assert main(["compare", str(BUNDLED)]) == 0
    assert main(["explain", str(BUNDLED)]) == 0
    assert "sochi_2016.yaml" in capsys.readouterr().out
    swept = kurilsim.sweep(
        kurilsim.load_scenario(BUNDLED),
        {"delta_russia": (0.0, 0.9, 4)},
        fixed={"je_cost": 0.12, "mainland_share": 0.3},
        workers=1,
    )
    table = swept.to_frame()
    joint = table[table["label"] == JOINT]
    assert sorted(joint["param.delta_russia"].tolist()) == pytest.approx([0.3, 0.6, 0.9])
    assert set(joint["by"]) == {"minmax"}


def test_explain_and_the_jupyter_display(bundled):
    sections = explain(bundled).to_dict()
    assert sections["payoffs"]["discount Russia"] == "delta_russia"
    assert sections["outcomes"]["US"] == "held at tolerate every round"
    assert "sochi_2016.yaml" in bundled._repr_html_()
    assert "grim Russia" in bundled.solve(method="thresholds")._repr_html_()


def write(tmp_path, text, stage="prisoners_dilemma.yaml"):
    shutil.copy(SCENARIOS / "textbook" / "prisoners_dilemma.yaml", tmp_path / stage)
    path = tmp_path / "repeated.yaml"
    path.write_text(text.replace("STAGE", stage))
    return path


def test_the_stage_file_is_found_relative_to_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, PD_TEXT)
    monkeypatch.chdir(SCENARIOS)  # not the file's folder
    assert kurilsim.run(path).sustained_labels()[0] == "Row: Cooperate, Column: Cooperate"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("patience: {default: 0.9, range: [0, 0.99]", "patience: {default: 1, range: [0, 1]"),
            r"repeated.yaml:\d+: discount.Row: discount factor 1 is not in \[0, 1\)",
        ),
        (
            ("{file: STAGE}", "{file: /etc/passwd.yaml}"),
            r"repeated.yaml:\d+: stage.file: expected a path relative to this file's folder",
        ),
        (
            ("{file: STAGE}", "{file: missing.yaml}"),
            r"repeated.yaml:\d+: stage.file: in the stage file: .*missing.yaml",
        ),
        (
            ("{file: STAGE}", "{file: repeated.yaml}"),
            r"repeated.yaml:\d+: stage.file: the stage file repeated.yaml has form: repeated",
        ),
        (
            ("{file: STAGE}", "{file: STAGE, fix: {Nobody: Defect}}"),
            r"repeated.yaml:\d+: stage.fix.Nobody: unknown player 'Nobody'",
        ),
        (
            ("{Row: patience, Column: patience}", "{Row: patience}"),
            r"repeated.yaml:\d+: discount: expected one discount factor for each of Row, Column",
        ),
        (
            ("{Row: patience, Column: patience}", "{Row: patience, Column: impatience}"),
            r"repeated.yaml:\d+: discount.Column: unknown name 'impatience'",
        ),
    ],
    ids=[
        "delta-one",
        "absolute-path",
        "missing-stage",
        "stage-not-normal",
        "unknown-player",
        "missing-discount",
        "unknown-name",
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, change, message):
    path = write(tmp_path, PD_TEXT.replace(*change))
    with pytest.raises(InputError, match=message) as caught:
        kurilsim.load_scenario(path)
    assert "\n" not in str(caught.value)


def test_a_discount_factor_of_one_at_the_command_line_exits_2(tmp_path, capsys):
    text = PD_TEXT.replace("range: [0, 0.99]", "range: [0, 1]")
    path = write(tmp_path, text)
    assert main(["run", str(path), "--set", "patience=1"]) == 2
    error = capsys.readouterr().err.strip()
    assert "discount factor 1 is not in [0, 1)" in error and "\n" not in error


def test_a_repeated_game_has_no_finite_normal_form(tmp_path):
    scenario = kurilsim.load_scenario(write(tmp_path, PD_TEXT))
    with pytest.raises(InputError, match="no finite normal form"):
        scenario.form.normal_form(scenario, scenario.defaults())


def test_the_payoff_set_figure_draws_the_set_the_stage_payoffs_and_the_minmax(bundled):
    solution = bundled.solve({"je_cost": 0.12, "mainland_share": 0.3})
    figure = kurilsim.plot(solution)
    ax = figure.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Russia", "Japan")
    assert np.allclose(ax.patches[0].get_xy()[:-1], solution.payoff_set.vertices)
    minmax = ax.collections[-1].get_offsets()[0]
    assert np.allclose(minmax, solution.minmax_mixed)
    with pytest.raises(InputError, match="no payoff set"):
        kurilsim.plot(bundled.solve(method="thresholds"))
