"""Game trees: structure, strategies and the normal form, on literature games and random trees."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from kurilsim import InputError
from kurilsim.forms import catalogue
from kurilsim.forms.extensive.game import (
    CHANCE,
    MAX_PROFILES,
    TERMINAL,
    Chance,
    Decision,
    ExtensiveFormGame,
    Terminal,
)
from tests.strategies import trees


def lottery():
    """A single decision maker facing a coin toss, then choosing."""
    return ExtensiveFormGame(
        ["A"],
        Chance(
            {
                "heads": (0.25, Decision("A", {"x": Terminal([4]), "y": Terminal([0])})),
                "tails": (0.75, Decision("A", {"x": Terminal([0]), "y": Terminal([8])})),
            }
        ),
    )


def test_entry_deterrence_normal_form_is_the_catalogue_game():
    normal = catalogue.entry_deterrence().to_normal_form()
    known = catalogue.degenerate_entry()
    assert normal.strategies == known.strategies
    np.testing.assert_array_equal(normal.payoffs, known.payoffs)


def test_nodes_are_numbered_in_prefix_order():
    game = catalogue.entry_deterrence()
    assert game.movers.tolist() == [0, TERMINAL, 1, TERMINAL, TERMINAL]
    assert game.parents.tolist() == [-1, 0, 0, 2, 2]
    assert game.children == ((1, 2), (), (3, 4), (), ())
    assert game.leaves == (1, 3, 4)
    assert game.subtree_ends.tolist() == [5, 2, 5, 4, 5]
    assert [game.node_name(v) for v in game.leaves] == ["Out", "In > Fight", "In > Accommodate"]
    assert game.subgames() == (0, 2)


@pytest.mark.parametrize("moves", [1, 2, 3, 6])
def test_centipede_strategies(moves):
    game = catalogue.centipede(moves)
    a_nodes = len(game.decision_nodes("A"))
    # Reduced: take at the k-th own node (then nothing more), or pass everywhere.
    assert game.n_strategies("A") == a_nodes + 1
    assert game.n_strategies("A", reduced=False) == 2**a_nodes
    assert game.strategy_names("A")[0] == "|".join(["take"] + ["*"] * (a_nodes - 1))


def test_chance_moves_are_averaged():
    normal = lottery().to_normal_form()
    assert normal.strategies == (("x|x", "x|y", "y|x", "y|y"),)
    assert normal.payoffs[..., 0].tolist() == [1.0, 7.0, 0.0, 6.0]
    assert lottery().chance_nodes() == (0,)
    assert lottery().movers[0] == CHANCE


def test_player_who_never_moves_has_one_strategy():
    game = ExtensiveFormGame(["A", "B"], Decision("A", {"x": Terminal([1, 2])}))
    assert game.to_normal_form().strategies == (("x",), ("(no move)",))


def test_subgame_is_the_subtree_as_a_game():
    game = catalogue.centipede(4)
    sub = game.subgame(2)
    assert sub.n_nodes == game.n_nodes - 2
    np.testing.assert_array_equal(sub.payoffs, game.payoffs[1:])
    assert sub.players == game.players and sub.movers[0] == 1


def test_game_is_immutable():
    game = catalogue.entry_deterrence()
    with pytest.raises(ValueError, match="read-only"):
        game.payoffs[0, 0] = 5
    with pytest.raises(AttributeError):
        game.title = "x"


def test_with_payoffs_keeps_the_tree():
    game = lottery()
    other = game.with_payoffs(game.payoffs * 2, probabilities=[1, 0.5, 0, 0, 0.5, 0, 0])
    assert other.to_normal_form().payoffs[..., 0].tolist() == [4.0, 12.0, 0.0, 8.0]
    assert game.to_normal_form().payoffs[..., 0].tolist() == [1.0, 7.0, 0.0, 6.0]


def test_deep_trees_need_no_recursion():
    node = Terminal([0, 0])
    for k in range(3000):
        node = Decision("AB"[k % 2], {"stop": Terminal([k % 3, k % 5]), "go": node})
    game = ExtensiveFormGame(["A", "B"], node)
    assert game.n_nodes == 6001
    assert game.n_strategies("A") == 1501


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: ExtensiveFormGame(["A"], Decision("B", {"x": Terminal([1])})), "unknown player"),
        (
            lambda: ExtensiveFormGame(
                ["A"], Decision("A", {"x": Decision("C", {"y": Terminal([1])})})
            ),
            "at node 'x'",
        ),
        (lambda: ExtensiveFormGame(["A"], Decision("A", {"x": Terminal([1, 2])})), "2 payoffs"),
        (lambda: ExtensiveFormGame(["A"], Decision("A", {})), "has no actions"),
        (lambda: ExtensiveFormGame(["A"], Decision("A", {"": Terminal([1])})), "non-empty"),
        (
            lambda: ExtensiveFormGame(
                ["A"], Chance({"h": (0.5, Terminal([1])), "t": (0.6, Terminal([0]))})
            ),
            "sum to 1.1",
        ),
        (
            lambda: ExtensiveFormGame(
                ["A"], Chance({"h": (1.5, Terminal([1])), "t": (-0.5, Terminal([0]))})
            ),
            "negative",
        ),
        (lambda: ExtensiveFormGame(["A"], Terminal([float("inf")])), "not a finite number"),
        (lambda: ExtensiveFormGame(["A", "A"], Terminal([1, 1])), "unique"),
        (lambda: ExtensiveFormGame([], Terminal([])), "at least one player"),
    ],
    ids=[
        "unknown-player",
        "node-named-by-path",
        "payoff-count",
        "no-actions",
        "empty-label",
        "probabilities-sum",
        "negative-probability",
        "infinite-payoff",
        "repeated-player",
        "no-players",
    ],
)
def test_bad_trees_are_refused_with_the_node(make, words):
    with pytest.raises(InputError, match=words):
        make()


def test_too_large_normal_form_is_refused_with_its_size():
    def binary(depth, k=0):
        if depth == 0:
            return Terminal([k, -k])
        return Decision(
            "AB"[depth % 2], {"l": binary(depth - 1, 2 * k), "r": binary(depth - 1, 2 * k + 1)}
        )

    wide = ExtensiveFormGame(["A", "B"], binary(8))
    assert wide.normal_form_size() > MAX_PROFILES
    with pytest.raises(InputError, match=r"would have [\d,]+ strategy profiles \(\d+ x \d+\)"):
        wide.to_normal_form()
    with pytest.raises(InputError, match="pure strategies"):
        wide.strategies("A", reduced=False)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(trees())
def test_normal_form_payoffs_follow_the_tree(game):
    """Every full strategy profile pays what playing it in the tree pays."""
    full = game.to_normal_form(reduced=False)
    reduced = game.to_normal_form()
    tables = [game.strategies(p, reduced=False) for p in game.players]
    for profile in itertools.product(*(range(len(t)) for t in tables)):
        choices = game.profile_choices(profile, reduced=False)
        expected = game.expected_payoffs(choices)
        np.testing.assert_allclose(full.payoffs[profile], expected, atol=1e-12)
        # The reduced strategies keep only what matters: the same payoffs.
        np.testing.assert_allclose(
            reduced.payoffs[game.strategy_profile(choices)], expected, atol=1e-12
        )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(trees())
def test_reduced_strategies_are_the_distinct_reduced_full_ones_in_order(game):
    """By the definition: each full strategy with the nodes its own moves rule out set to -1."""
    for player in game.players:
        own = game.decision_nodes(player)
        reduced = set()
        for row in itertools.product(*(range(len(game.actions[v])) for v in own)):
            taken = dict(zip(own, row, strict=True))
            ruled_out = [
                any(taken.get(parent, action) != action for parent, action in game.path(v))
                for v in own
            ]
            reduced.add(tuple(-1 if out else a for a, out in zip(row, ruled_out, strict=True)))
        assert game.strategies(player).tolist() == [list(row) for row in sorted(reduced)]


class _CountingNumpy:
    """numpy, counting the cells of the arrays its functions return."""

    def __init__(self):
        self.cells = 0

    def __getattr__(self, name):
        value = getattr(np, name)
        if not callable(value) or isinstance(value, type):
            return value

        def counted(*args, **kwargs):
            out = value(*args, **kwargs)
            parts = out if isinstance(out, tuple) else (out,)
            self.cells += sum(a.size for a in parts if isinstance(a, np.ndarray))
            return out

        return counted


def test_a_long_lines_strategy_table_is_built_in_proportion_to_its_size(monkeypatch):
    """The table of a player's 300 moves in a line has 301 x 300 cells; joining it anew at every
    node made some 13.5 million, and took 8 to 16 s for 2,000 moves."""
    import kurilsim.forms.extensive.game as module

    node = Terminal([0.0])
    for k in range(300):
        node = Decision("A", {"stop": Terminal([float(k)]), "go": node})
    game = ExtensiveFormGame(["A"], node)
    counting = _CountingNumpy()
    monkeypatch.setattr(module, "np", counting)
    table = game.strategies("A")
    monkeypatch.undo()
    assert table.shape == (301, 300)
    assert counting.cells < 4 * table.size + 10 * game.n_nodes


@settings(max_examples=60, deadline=None, derandomize=True)
@given(trees())
def test_strategy_counts_and_round_trips(game):
    for player in game.players:
        for reduced in (True, False):
            table = game.strategies(player, reduced)
            assert len(table) == game.n_strategies(player, reduced)
            assert len({tuple(row) for row in table.tolist()}) == len(table)
            assert len(set(game.strategy_names(player, reduced))) == len(table)
    profile = tuple(game.n_strategies(p) - 1 for p in game.players)
    assert game.strategy_profile(game.profile_choices(profile)) == profile


def test_html_shows_the_tree_and_escapes_names():
    game = ExtensiveFormGame(
        ["<A>"], Decision("<A>", {"x": Terminal([1]), "y": Terminal([2])}, label="<root>")
    )
    html = game._repr_html_()
    assert "&lt;A&gt;" in html and "<A>" not in html
    assert html.count("<tr>") == 1 + game.n_nodes


def test_a_node_is_named_once_however_often_it_is_asked(monkeypatch):
    # A listing of thousands of equilibria names every decision node in each of them.
    from kurilsim.forms import tree as flat_tree

    calls = []

    def counted(*arguments):
        calls.append(arguments[-1])
        return path_name(*arguments)

    path_name = flat_tree.path_name
    monkeypatch.setattr(flat_tree, "path_name", counted)
    game = catalogue.centipede(4)
    names = [game.node_name(v) for v in range(game.n_nodes)]
    assert [game.node_name(v) for v in range(game.n_nodes)] == names  # asked again
    assert sorted(calls) == list(range(game.n_nodes))
    assert names[:3] == ["(root)", "take", "pass"]
