"""Gambit .efg files: round trips, cross-checks with pygambit, and damaged files."""

import io
import json

import numpy as np
import pygambit as gbt  # GPL: an independent reference reader and solver, used only in tests
import pytest
from hypothesis import assume, given, settings

from kurilsim import InputError, read_efg, run, solve, write_efg
from kurilsim.cli import main
from kurilsim.forms import catalogue
from kurilsim.forms.extensive.efg import format_efg, parse_efg
from kurilsim.forms.extensive.game import Chance, Decision, ExtensiveFormGame, Terminal
from tests import literature
from tests.strategies import trees

LITERATURE = [
    *literature.tree_cases("make"),
    pytest.param(
        lambda: ExtensiveFormGame(
            ["A", "B"],
            Chance(
                {
                    "rain": (1 / 3, Decision("A", {"x": Terminal([1, 0]), "y": Terminal([0, 1])})),
                    "sun": (2 / 3, Decision("B", {'say "hi"': Terminal([2.5, -1e-7])})),
                }
            ),
            title='Weather \\ "quoted"',
        ),
        id="chance-and-escapes",
    ),
]


def assert_same_tree(a, b):
    assert a.players == b.players and a.title == b.title
    for name in ("movers", "parents", "moves"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.actions == b.actions and a.labels == b.labels
    np.testing.assert_array_equal(a.payoffs, b.payoffs)
    np.testing.assert_allclose(a.probabilities, b.probabilities, rtol=1e-15)


@pytest.mark.parametrize("make", LITERATURE)
def test_round_trip_of_literature_games(make, tmp_path):
    game = make()
    write_efg(game, tmp_path / "game.efg")
    assert_same_tree(read_efg(tmp_path / "game.efg"), game)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(trees(small_payoffs=False))
def test_round_trip_of_random_trees(game):
    assert_same_tree(parse_efg(format_efg(game)), game)


def gambit_game(game):
    return gbt.read_efg(io.StringIO(format_efg(game)))


def gambit_order(game, reference):
    """Per player: our index of each of Gambit's strategies, matched by label.

    Gambit names a reduced strategy by the 1-based actions at the player's nodes in prefix
    order, with * where the player's own moves rule a node out.
    """
    order = []
    for player, theirs in zip(game.players, reference.players, strict=True):
        labels = [s.label for s in theirs.strategies]
        if not game.decision_nodes(player):
            assert len(labels) == 1
            order.append([0])
            continue
        ours = [
            "".join("*" if a < 0 else str(a + 1) for a in row)
            for row in game.strategies(player).tolist()
        ]
        assert sorted(ours) == sorted(labels)
        order.append([ours.index(label) for label in labels])
    return order


@pytest.mark.reference
@settings(max_examples=40, deadline=None, derandomize=True)
@given(trees(max_players=3))
def test_pygambit_reads_our_files_and_agrees_on_the_reduced_normal_form(game):
    reference = gambit_game(game)
    assert [p.label for p in reference.players] == list(game.players)
    order = gambit_order(game, reference)
    ours = game.to_normal_form().payoffs[np.ix_(*order)]
    for i, table in enumerate(reference.to_arrays()):
        np.testing.assert_allclose(np.array(table, dtype=float), ours[..., i], atol=1e-9)


@pytest.mark.reference
@settings(max_examples=30, deadline=None, derandomize=True)
@given(trees(max_players=3))
def test_pure_nash_equilibria_agree_with_enumpure(game):
    # Reading thousands of Gambit profiles one probability at a time is slow: keep games small.
    assume(game.normal_form_size() <= 300)
    reference = gambit_game(game)
    order = gambit_order(game, reference)
    theirs = sorted(
        tuple(
            order[i][next(k for k, s in enumerate(p.strategies) if float(eq[s]) == 1.0)]
            for i, p in enumerate(reference.players)
        )
        for eq in gbt.nash.enumpure_solve(reference).equilibria
    )
    found = solve(game.to_normal_form(), "pure")
    assert sorted(tuple(int(np.argmax(p)) for p in eq.profile) for eq in found) == theirs


@pytest.mark.reference
@settings(max_examples=25, deadline=None, derandomize=True)
@given(trees(min_players=2, max_players=2, small_payoffs=False))
def test_zero_sum_values_agree_with_lp_solve(game):
    assume(game.normal_form_size() <= 400)
    first = game.payoffs[:, 0]
    zero_sum = game.with_payoffs(np.stack([first, -first], axis=1))
    reference = gambit_game(zero_sum)
    result = gbt.nash.lp_solve(reference, rational=False, use_strategic=True)
    value = float(result.equilibria[0].payoff("P1"))
    # Every equilibrium of a zero-sum game pays the value; one found by pivoting is enough.
    (equilibrium,) = solve(zero_sum.to_normal_form(), "lemke-howson").equilibria
    assert equilibrium.payoffs[0] == pytest.approx(value, abs=1e-7)


@pytest.mark.reference
def test_we_read_what_gambit_writes():
    reference = gbt.Game.new_tree(players=["A", "B"], title="built by Gambit")
    reference.append_move(reference.root, "A", ["x", "y"])
    reference.append_move(reference.root.children["x"], reference.players.chance, ["h", "t"])
    reference.set_chance_probs(
        reference.root.children["x"].infoset, [gbt.Rational(1, 3), gbt.Rational(2, 3)]
    )
    reference.append_move(reference.root.children["x"].children["t"], "B", ["l", "r"])
    both = reference.add_outcome("both", [1, 2])
    reference.set_outcome(reference.root.children["y"], both)
    reference.set_outcome(reference.root.children["x"].children["h"], both)
    reference.set_outcome(
        reference.root.children["x"].children["t"].children["l"],
        reference.add_outcome("l", [3, 4]),
    )
    game = parse_efg(reference.to_efg())
    assert game.players == ("A", "B") and game.title == "built by Gambit"
    assert [game.node_name(v) for v in game.leaves] == ["x > h", "x > t > l", "x > t > r", "y"]
    assert game.payoffs.tolist() == [[1, 2], [3, 4], [0, 0], [1, 2]]
    assert game.probabilities[[2, 3]].tolist() == pytest.approx([1 / 3, 2 / 3])


def test_outcomes_accumulate_along_the_path_and_may_be_reused():
    game = parse_efg(
        """EFG 2 R "sums" { "A" "B" } "a comment"
        c "root" 1 "nature" { "h" 1/4 "t" 3/4 } 1 "entry fee" { -1, 0 }
        p "" 1 1 { "x" "" } 0
        t "" 2 "prize" { 10 5 }
        t "" 2
        c "" 1 0
        t "" 0
        t "" 1"""
    )
    assert game.labels[0] == "root"
    assert game.actions[1] == ("x", "2")  # an empty label is named by its position
    assert game.payoffs.tolist() == [[9, 5], [9, 5], [-1, 0], [-2, 0]]
    assert game.probabilities[[5, 6]].tolist() == [0.25, 0.75]  # the chance infoset, reused


HEAD = 'EFG 2 R "t" { "A" }\n'
BAD = [
    ("", 1, "empty file"),
    ("NFG 1 R", 1, "expected 'EFG'"),
    ("EFG 3 R", 1, "format version 2"),
    ('EFG 2 R "t" { }', 1, "list of players is empty"),
    ('EFG 2 R "t" { "A" }', 1, "has no nodes"),
    (HEAD + 'p "" 1 1 "" { "x" "y" } 0\nt "" 0', 3, "ends before the tree is complete"),
    (HEAD + 't "" 0\nt "" 0', 3, "expected the end of the file"),
    (HEAD + 'q "" 0', 2, "expected a node"),
    (HEAD + 'p "" 2 1 "" { "x" } 0\nt "" 0', 2, "player number from 1 to 1"),
    (HEAD + 'p "" 1 0 "" { "x" } 0\nt "" 0', 2, "information set number"),
    (HEAD + 'p "" 1 1 "" { } 0', 2, "at least one action"),
    (HEAD + 'c "" 1 "" { "h" 1/2 "t" 1/3 } 0\nt "" 0\nt "" 0', 2, "sum to 1"),
    (HEAD + 'c "" 1 "" { "h" -1 "t" 2 } 0\nt "" 0\nt "" 0', 2, "at least 0"),
    (HEAD + 'c "" 1 0\nt "" 0', 2, "has no branches"),
    (
        HEAD
        + 'c "" 1 "" { "h" 1/2 "t" 1/2 } 0\nc "" 1 "" { "h" 1/4 "t" 3/4 } 0\n'
        + 't "" 0\n' * 3,
        3,
        "appeared before with other branches",
    ),
    (
        HEAD
        + 'c "" 1 "" { "h" 1/2 "t" 1/2 } 0\nc "" 1 "" { "h" 1/2 "t" 1/4 "u" 1/4 } 0\n'
        + 't "" 0\n' * 4,
        3,
        "appeared before with other branches",
    ),
    (
        HEAD + 'p "" 1 1 "" { "x" } 1 "big" { 1e308 }\nt "" 2 "bigger" { 1e308 }',
        3,
        "out of the range of floating-point",
    ),
    (HEAD + 't "" 3', 2, "used before its name and payoffs"),
    ('EFG 2 R "t" { "A" "B" }\nt "" 1 "o" { 1 }', 2, "has 1 payoff, expected 2"),
    (HEAD + 't "" 1 "o" { x }', 2, "expected a number"),
    (HEAD + 't "unclosed 1', 2, "unterminated string"),
    (
        'EFG 2 R "t" { "A" "B" }\np "" 1 1 "" { "x" "y" } 0\np "" 2 1 "" { "l" } 0\nt "" 0\n'
        'p "" 2 1 "" { "l" } 0\nt "" 0',
        5,
        "perfect information only",
    ),
]


@pytest.mark.parametrize(("text", "line", "words"), BAD, ids=[b[2] for b in BAD])
def test_damaged_files_name_the_line(text, line, words):
    with pytest.raises(InputError, match=words) as info:
        parse_efg(text, source="bad.efg")
    assert info.value.file == "bad.efg" and info.value.line == line


def test_run_and_the_command_line_solve_efg_files(tmp_path, capsys):
    path = tmp_path / "entry.efg"
    write_efg(catalogue.entry_deterrence(), path)
    solution = run(path)
    assert solution.subgame_perfect == (False, True)
    with pytest.raises(InputError, match="parameters can only be set"):
        run(path, {"x": 1.0})
    assert main(["run", str(path), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["subgame_perfect"][0]["strategies"] == {
        "Entrant": "In",
        "Incumbent": "Accommodate",
    }
    assert [e["subgame_perfect"] for e in result["nash"]["equilibria"]] == [False, True]
    assert main(["validate", str(path)]) == 0
    assert "ok (Entry deterrence" in capsys.readouterr().out
