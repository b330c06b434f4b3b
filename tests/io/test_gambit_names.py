"""Gambit files with empty or repeated names: read as Gambit reads them, every change noted."""

from __future__ import annotations

import numpy as np
import pytest

from kurilsim import read_efg, read_nfg, solve, write_efg, write_nfg
from tests.helpers import run_cli

# Like Gambit's contrib/games/sww1.nfg: the first player has no name.
EMPTY_PLAYER = 'NFG 1 R "Unnamed" { "" "Player 2" }\n{ 2 2 }\n\n3 3 0 5 5 0 1 1\n'
# Like Gambit's tests/test_games/2x2_bimatrix_all_zero_payoffs.nfg: a strategy label twice.
REPEATED_STRATEGY = 'NFG 1 R "Zero" { "Row" "Column" }\n{ { "1" "1" } { "1" "2" } }\n\n' + (
    "0 0 " * 4
)
# The same label for two actions of one node; the leaves pay differently.
REPEATED_ACTION = """EFG 2 R "Twins" { "A" "B" }
""

p "" 1 1 "" { "go" "go" } 0
p "" 2 1 "" { "l" "l" } 0
t "" 1 "" { 1, 0 }
t "" 2 "" { 0, 2 }
t "" 3 "" { 2, 1 }
"""
# The same games with distinct names.
NAMED_PLAYER = EMPTY_PLAYER.replace('{ "" ', '{ "Player 1" ')
DISTINCT_STRATEGIES = REPEATED_STRATEGY.replace('{ "1" "1" }', '{ "1" "1 (2)" }')
DISTINCT_ACTIONS = REPEATED_ACTION.replace('"go" "go"', '"go" "stop"').replace('"l" "l"', '"l" "r"')


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_empty_player_name_becomes_its_position(tmp_path):
    game = read_nfg(_file(tmp_path, "sww1.nfg", EMPTY_PLAYER))
    assert game.players == ("Player 1", "Player 2")
    assert game.notes == ("player 1 has no name; shown as 'Player 1'",)
    second = read_nfg(
        _file(tmp_path, "second.nfg", EMPTY_PLAYER.replace('{ "" "Player 2" }', '{ "Row" "" }'))
    )
    assert second.players == ("Row", "Player 2")
    assert second.notes == ("player 2 has no name; shown as 'Player 2'",)


def test_a_made_up_name_never_takes_a_name_the_file_gives(tmp_path):
    text = EMPTY_PLAYER.replace('{ "" "Player 2" }', '{ "" "Player 1" }')
    game = read_nfg(_file(tmp_path, "clash.nfg", text))
    assert game.players == ("Player 1 (2)", "Player 1")


def test_a_repeated_strategy_label_gets_its_occurrence(tmp_path):
    game = read_nfg(_file(tmp_path, "zero.nfg", REPEATED_STRATEGY))
    assert game.strategies == (("1", "1 (2)"), ("1", "2"))
    assert game.notes == ("strategy 2 of player 'Row' repeats the name '1'; shown as '1 (2)'",)


def test_a_repeated_player_name_gets_its_occurrence(tmp_path):
    text = EMPTY_PLAYER.replace('{ "" "Player 2" }', '{ "P" "P" }')
    assert read_nfg(_file(tmp_path, "twins.nfg", text)).players == ("P", "P (2)")


def test_a_repeated_action_label_gets_its_occurrence(tmp_path):
    game = read_efg(_file(tmp_path, "twins.efg", REPEATED_ACTION))
    assert game.actions[0] == ("go", "go (2)")
    assert game.notes == (
        "action 2 of the node on line 4 repeats the name 'go'; shown as 'go (2)'",
        "action 2 of the node on line 5 repeats the name 'l'; shown as 'l (2)'",
    )
    # The notes stay with the tree's normal form.
    assert game.to_normal_form().notes == game.notes


def test_files_with_unique_names_have_no_notes(tmp_path):
    assert read_nfg(_file(tmp_path, "named.nfg", NAMED_PLAYER)).notes == ()
    assert read_efg(_file(tmp_path, "distinct.efg", DISTINCT_ACTIONS)).notes == ()


def test_writing_a_renamed_game_writes_the_new_names(tmp_path):
    game = read_nfg(_file(tmp_path, "zero.nfg", REPEATED_STRATEGY))
    write_nfg(game, tmp_path / "out.nfg")
    again = read_nfg(tmp_path / "out.nfg")
    assert again.strategies == game.strategies and again.notes == ()
    tree = read_efg(_file(tmp_path, "twins.efg", REPEATED_ACTION))
    write_efg(tree, tmp_path / "out.efg")
    assert read_efg(tmp_path / "out.efg").actions == tree.actions


@pytest.mark.parametrize(
    ("renamed", "distinct"),
    [
        pytest.param(EMPTY_PLAYER, NAMED_PLAYER, id="empty-player"),
        pytest.param(REPEATED_STRATEGY, DISTINCT_STRATEGIES, id="repeated-strategy"),
    ],
)
def test_renamed_games_solve_like_the_same_game_with_distinct_names(tmp_path, renamed, distinct):
    found = solve(read_nfg(_file(tmp_path, "renamed.nfg", renamed)))
    expected = solve(read_nfg(_file(tmp_path, "distinct.nfg", distinct)))
    assert len(found.equilibria) == len(expected.equilibria) > 0
    for a, b in zip(found.equilibria, expected.equilibria, strict=True):
        assert all(np.allclose(x, y) for x, y in zip(a.profile, b.profile, strict=True))
        assert np.allclose(a.payoffs, b.payoffs)


def test_a_tree_with_repeated_labels_solves_like_one_with_distinct_labels(tmp_path):
    found = solve(read_efg(_file(tmp_path, "twins.efg", REPEATED_ACTION)), "support-enumeration")
    expected = solve(
        read_efg(_file(tmp_path, "distinct.efg", DISTINCT_ACTIONS)), "support-enumeration"
    )
    assert len(found.equilibria) == len(expected.equilibria) > 0
    for a, b in zip(found.equilibria, expected.equilibria, strict=True):
        assert np.array_equal(a.choices, b.choices)
        assert np.allclose(a.payoffs, b.payoffs)
    assert found.nash is not None and expected.nash is not None
    assert len(found.nash.equilibria) == len(expected.nash.equilibria) > 0
    for a, b in zip(found.nash.equilibria, expected.nash.equilibria, strict=True):
        assert all(np.allclose(x, y) for x, y in zip(a.profile, b.profile, strict=True))


@pytest.mark.parametrize("command", ["run", "validate"])
def test_the_cli_prints_a_note_per_rename(capsys, tmp_path, command):
    path = _file(tmp_path, "sww1.nfg", EMPTY_PLAYER)
    code, out, err = run_cli(capsys, command, path)
    assert code == 0
    assert f"kurilsim: note: {path}: player 1 has no name; shown as 'Player 1'\n" in err
    assert "Player 1" in out or command == "validate"
    tree = _file(tmp_path, "twins.efg", REPEATED_ACTION)
    code, _, err = run_cli(capsys, command, tree)
    assert code == 0
    assert err.count(f"kurilsim: note: {tree}: action 2 of the node on line") == 2


def test_quiet_leaves_out_the_notes(capsys, tmp_path):
    path = _file(tmp_path, "zero.nfg", REPEATED_STRATEGY)
    code, _, err = run_cli(capsys, "-q", "run", path)
    assert code == 0 and "note" not in err
