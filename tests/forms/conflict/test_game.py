"""Conflicts in option form: preference statements, feasible states, moves and rankings."""

import re

import numpy as np
import pytest

from kurilsim import InputError
from kurilsim.forms.conflict.game import Conflict, feasible_states, unilateral_moves
from kurilsim.forms.conflict.option_statements import (
    StatementError,
    parse_statement,
    prioritised_scores,
    statement_truths,
)

A = np.array([True, True, False, False])
B = np.array([True, False, True, False])


@pytest.mark.parametrize(
    ("text", "truth"),
    [
        pytest.param("a", A, id="name"),
        pytest.param("-a", ~A, id="minus"),
        pytest.param("not a", ~A, id="not"),
        pytest.param("a and b", A & B, id="and"),
        pytest.param("a & -b", A & ~B, id="ampersand"),
        pytest.param("a or b", A | B, id="or"),
        pytest.param("a | b", A | B, id="bar"),
        pytest.param("a if b", A | ~B, id="if"),
        pytest.param("a iff b", A == B, id="iff"),
        pytest.param("-a or b and a", ~A | (B & A), id="and-before-or"),
        pytest.param("-(a or b)", ~(A | B), id="parentheses"),
        pytest.param("a or b if b", (A | B) | ~B, id="or-before-if"),
        pytest.param("not not a", A, id="double-negation"),
        pytest.param("(a if b) iff a", (A | ~B) == A, id="nested-conditional"),
    ],
)
def test_statements_evaluate(text, truth):
    np.testing.assert_array_equal(parse_statement(text).evaluate({"a": A, "b": B}), truth)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("a and", "found the end (column 6)", id="dangling-and"),
        pytest.param("a if b if c", "unexpected 'if' (column 8)", id="two-ifs"),
        pytest.param("(a or b", "expected ')'", id="unclosed"),
        pytest.param("a + b", "unexpected character '+'", id="arithmetic"),
        pytest.param("a b", "unexpected 'b'", id="two-names"),
        pytest.param("and", "expected an option name", id="keyword-alone"),
        pytest.param("-" * 70 + "a", "nested more than", id="too-deep"),
    ],
)
def test_bad_statements_are_refused_with_a_column(text, words):
    with pytest.raises(StatementError, match=re.escape(words)):
        parse_statement(text)


def test_statement_needs_its_options():
    with pytest.raises(InputError, match="no option b"):
        parse_statement("a and b").evaluate({"a": A})


def test_a_more_important_statement_outweighs_all_later_ones():
    truths = np.array([[True, False], [False, True], [False, True], [False, True]])
    first, second = prioritised_scores(truths)
    assert first > second


def test_too_many_statements_are_refused():
    with pytest.raises(InputError, match="at most 50"):
        prioritised_scores(np.zeros((51, 2), dtype=bool))


def test_truths_of_no_statements():
    assert statement_truths([], {"a": A}).shape == (0, 4)


def test_feasible_states_in_gmcr_ii_order():
    states = feasible_states(["x", "y", "z"], ["x and y", "-(x or y or z)"])
    codes = (states * [1, 2, 4]).sum(axis=1).tolist()
    assert codes == [1, 2, 4, 5, 6]  # 0 (nothing) and 3, 7 (x and y) removed
    with pytest.raises(InputError, match="every combination"):
        feasible_states(["x"], ["x", "-x"])
    with pytest.raises(InputError, match="at most 20"):
        feasible_states([f"o{k}" for k in range(21)])
    with pytest.raises(InputError, match="no option w"):
        feasible_states(["x"], ["w"])


def test_moves_change_only_the_movers_options_and_respect_directions():
    states = feasible_states(["a1", "a2", "b"])
    owner = np.array([0, 0, 1])
    moves = unilateral_moves(states, owner, 2)
    # A changes any non-empty subset of its two options: 3 moves from each state.
    assert moves[0].sum(axis=1).tolist() == [3] * 8
    assert moves[1].sum(axis=1).tolist() == [1] * 8
    assert not np.any(moves[0] & moves[1])
    one_way = unilateral_moves(states, owner, 2, forward=np.array([True, False, False]))
    taken = states[:, 0]
    withdraws = taken[:, None] & ~taken[None, :]
    assert not np.any(one_way[0] & withdraws)
    assert np.array_equal(one_way[0] | (moves[0] & withdraws), moves[0])
    back = unilateral_moves(states, owner, 2, backward=np.array([False, False, True]))
    assert back[1].sum() == 4  # b may only be withdrawn: one move from each state that takes it


def test_moves_between_feasible_states_only():
    conflict = Conflict.from_options(
        {"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": ["b"]}, infeasible=["a and b"]
    )
    assert [conflict.pattern(s) for s in range(3)] == ["N N", "Y N", "N Y"]
    assert conflict.moves.sum() == 4  # (N N) <-> (Y N) for A, (N N) <-> (N Y) for B


def test_rankings_group_equally_preferred_states():
    conflict = Conflict.from_options(
        {"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": lambda o: 0 * o["a"]}
    )
    assert conflict.ranking("A") == [[1, 3], [0, 2]]
    assert conflict.ranking("B") == [[0, 1, 2, 3]]
    assert conflict.taken(3) == {"A": ["a"], "B": ["b"]}
    assert conflict.option_names == ("a", "b")


def test_score_functions_receive_numbers():
    seen = {}

    def score(options):
        seen.update(options)
        return 3 * options["a"] - options["b"]

    conflict = Conflict.from_options({"A": ["a"], "B": ["b"]}, {"A": score, "B": ["b"]})
    assert seen["a"].dtype == np.float64
    assert conflict.payoffs[0].tolist() == [0, 3, -1, 2]


@pytest.mark.parametrize(
    ("options", "preferences", "keywords", "words"),
    [
        pytest.param({"A": ["x"]}, {"A": ["x"]}, {}, "at least two", id="one-dm"),
        pytest.param(
            {"A": ["x"], "B": []}, {"A": ["x"], "B": []}, {}, "controls no", id="no-option"
        ),
        pytest.param({"A": ["x"], "B": ["x"]}, {"A": ["x"], "B": ["x"]}, {}, "unique", id="repeat"),
        pytest.param(
            {"A": ["x"], "B": ["or"]}, {"A": ["x"], "B": ["x"]}, {}, "words", id="keyword"
        ),
        pytest.param({"A": ["x"], "B": ["y"]}, {"A": ["x"]}, {}, "missing ['B']", id="no-prefs"),
        pytest.param(
            {"A": ["x"], "B": ["y"]}, {"A": "x", "B": ["y"]}, {}, "preferences['A']", id="string"
        ),
        pytest.param(
            {"A": ["x"], "B": ["y"]},
            {"A": ["x"], "B": ["y"]},
            {"irreversible": {"z": "forward"}},
            "unknown options: z",
            id="irreversible",
        ),
        pytest.param(
            {"A": ["x"], "B": ["y"]},
            {"A": ["x"], "B": lambda o: o["x"] / 0},
            {},
            "finite",
            id="infinite-score",
        ),
    ],
)
def test_bad_option_forms_are_refused(options, preferences, keywords, words):
    with pytest.raises(InputError, match=re.escape(words)):
        Conflict.from_options(options, preferences, **keywords)


@pytest.mark.parametrize(
    ("moves", "payoffs", "keywords", "words"),
    [
        pytest.param(
            np.zeros((2, 2)), np.zeros((2, 2)), {}, "moves: expected a 3-D array", id="moves-2d"
        ),
        pytest.param(
            np.zeros((2, 2, 2)), np.zeros((3, 2)), {}, "payoffs: expected shape", id="payoffs"
        ),
        pytest.param(np.zeros((2, 2, 2)), [[0, np.nan], [0, 0]], {}, "finite", id="nan"),
        pytest.param(
            np.zeros((2, 2, 2)), np.zeros((2, 2)), {"states": np.zeros((2, 1))}, "states", id="st"
        ),
        pytest.param(
            np.zeros((2, 2, 2)),
            np.zeros((2, 2)),
            {"options": (("a",),)},
            "one list of options per DM",
            id="opts",
        ),
    ],
)
def test_bad_graphs_are_refused(moves, payoffs, keywords, words):
    with pytest.raises(InputError, match=re.escape(words)):
        Conflict(("A", "B"), moves, payoffs, **keywords)


def test_staying_put_is_not_a_move():
    conflict = Conflict(("A", "B"), np.ones((2, 2, 2)), [[0, 1], [1, 0]])
    assert conflict.moves[:, 0, 0].tolist() == [False, False]
    assert "2 states" in repr(conflict)


def test_conflicts_are_immutable():
    conflict = Conflict.from_options({"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": ["b"]})
    for array in (conflict.moves, conflict.payoffs, conflict.states):
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = 1
