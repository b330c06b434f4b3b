"""Reading and writing .efg files with information sets: Gambit's catalogue, pygambit, bounds."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings

from kurilsim.cli import main
from kurilsim.core.errors import InputError
from kurilsim.forms.extensive.game import ExtensiveFormGame
from kurilsim.forms.information.catalogue import beer_quiche, kuhn_poker, seltens_horse
from kurilsim.forms.information.efg import format_efg, parse_efg, read_efg, write_efg
from kurilsim.forms.information.game import InformationTree
from kurilsim.solving import read_game, run
from tests.forms.information.trees import information_trees

DATA = Path(__file__).parents[2] / "data" / "efg"
PERFECT_RECALL = sorted(p for p in DATA.glob("*.efg") if "imperfect_recall" not in p.name)


def same_tree(first: InformationTree, second: InformationTree) -> bool:
    """Every node, set, action, label, outcome and number equal."""
    return (
        first.players == second.players
        and first.title == second.title
        and np.array_equal(first.movers, second.movers)
        and np.array_equal(first.parents, second.parents)
        and first.actions == second.actions
        and first.labels == second.labels
        and np.array_equal(first.probabilities, second.probabilities)
        and first.infosets == second.infosets
        and np.array_equal(first.outcome_of, second.outcome_of)
        and [(o.label, o.payoffs) for o in first.outcomes]
        == [(o.label, o.payoffs) for o in second.outcomes]
        and np.array_equal(first.payoffs, second.payoffs)
    )


@pytest.mark.parametrize("path", PERFECT_RECALL, ids=lambda p: p.stem)
def test_gambit_files_round_trip_exactly(path):
    tree = read_efg(path)
    again = parse_efg(format_efg(tree))
    assert same_tree(tree, again)
    assert format_efg(again) == format_efg(tree)


@pytest.mark.reference
@pytest.mark.parametrize("path", PERFECT_RECALL, ids=lambda p: p.stem)
def test_gambit_files_read_as_pygambit_reads_them(path):
    tree = read_efg(path)
    reference = gbt.read_efg(str(path))
    assert len(reference.infosets) == len(tree.infosets)
    assert [len(p.infosets) for p in reference.players] == [
        len(tree.player_infosets(i)) for i in range(tree.n_players)
    ]
    # Each leaf's payoffs: the sum of the outcomes on its path in pygambit's tree too.
    expected = []
    for node in reference.nodes:
        if node.is_terminal:
            total = np.zeros(len(reference.players))
            walk = node
            while walk is not None:
                total += _outcome(walk, reference.players)
                walk = walk.parent
            expected.append(total)
    assert np.allclose(tree.payoffs, np.array(expected))


def _outcome(node: gbt.Node, players: gbt.Players) -> list[float]:
    """The payoffs of the outcome at a pygambit node (none: zeros)."""
    try:
        return [float(node.outcome[p]) for p in players]
    except KeyError:  # pygambit's way of saying the node has no outcome
        return [0.0] * len(players)


@pytest.mark.reference
def test_files_pygambit_writes_read_back_to_the_same_tree():
    for tree in (kuhn_poker(), seltens_horse(), beer_quiche()):
        written = gbt.read_efg(io.StringIO(format_efg(tree))).to_efg()
        again = parse_efg(written)
        assert np.array_equal(again.payoffs, tree.payoffs)
        assert [(s.player, s.actions, s.nodes) for s in again.infosets] == [
            (s.player, s.actions, s.nodes) for s in tree.infosets
        ]
        assert np.allclose(again.probabilities, tree.probabilities)


@pytest.mark.reference
@settings(max_examples=25)
@given(information_trees())
def test_random_trees_round_trip_and_pygambit_agrees(tree):
    assert same_tree(parse_efg(format_efg(tree)), tree)
    reference = gbt.read_efg(io.StringIO(format_efg(tree)))
    assert reference.is_perfect_recall
    assert len(reference.infosets) == len(tree.infosets)


def test_imperfect_recall_is_refused_with_the_line():
    path = DATA / "vonstengel2022_fig10_7_imperfect_recall.efg"
    assert not gbt.read_efg(str(path)).is_perfect_recall
    with pytest.raises(InputError, match="breaks perfect recall") as info:
        read_efg(path)
    assert info.value.file == str(path) and info.value.line is not None


def test_an_information_set_with_other_actions_is_refused_with_the_line():
    text = (
        'EFG 2 R "" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\np "" 2 1 "" { "l" "r" } 0\n'
        't "" 0\nt "" 0\np "" 2 1 "" { "l" "m" } 0\nt "" 0\nt "" 0\n'
    )
    with pytest.raises(InputError, match="was given the actions") as info:
        parse_efg(text, source="bad.efg")
    assert (info.value.file, info.value.line) == ("bad.efg", 6)


def test_read_game_routes_trees_by_their_information():
    assert isinstance(read_game(DATA / "selten1975_fig1.efg"), InformationTree)
    perfect = DATA / "three_players_nonterm_outcomes.efg"
    assert (
        isinstance(read_game(perfect), ExtensiveFormGame)
        == read_efg(perfect).has_perfect_information
    )


def test_kurilsim_run_solves_an_efg_tree_with_information_sets(tmp_path, capsys):
    path = tmp_path / "poker.efg"
    write_efg(kuhn_poker(), path)
    result = run(path, method="sequence-lemke")
    assert result.method == "sequence-lemke" and result[0].max_regret < 1e-9
    assert main(["run", str(path), "--method", "sequence-lemke", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert round(data["profiles"][0]["payoffs"]["Player 1"] * 18, 6) == -1


@pytest.mark.slow
def test_a_file_100000_moves_wide_reads_and_one_beyond_the_size_bound_exits_2(tmp_path, capsys):
    width = 100_000
    actions = " ".join(f'"a{k}"' for k in range(width))
    leaves = 't "" 0\n' * width  # within the file size bound: no outcomes
    path = tmp_path / "wide.efg"
    path.write_text(f'EFG 2 R "wide" {{ "A" }}\np "" 1 1 "" {{ {actions} }} 0\n{leaves}')
    tree = read_efg(path)
    assert tree.n_nodes == width + 1 and len(tree.infosets[0].actions) == width
    path.write_text(path.read_text() + " " * 600_000)
    assert main(["run", str(path)]) == 2
    assert "larger than" in capsys.readouterr().err
