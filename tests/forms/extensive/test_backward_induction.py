"""Backward induction: literature games with known answers, ties, and independent checks."""

import itertools
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim import InputError, solve_tree
from kurilsim.forms import catalogue
from kurilsim.forms.extensive.backward_induction import (
    backward_induction_batch,
    leaf_scales,
    non_credible_moves,
    non_credible_table,
    subgame_perfect_equilibria,
    subgame_regrets,
)
from kurilsim.forms.extensive.game import CHANCE, TERMINAL, Decision, ExtensiveFormGame, Terminal
from kurilsim.forms.normal.regret import is_equilibrium
from tests import literature
from tests.literature import chance_game, tie_game
from tests.strategies import trees


def moves(game, choices):
    return {game.node_name(v): game.actions[v][choices[v]] for v in game.decision_nodes()}


@pytest.mark.parametrize(("make", "expected"), literature.tree_cases("make", "subgame_perfect"))
def test_known_subgame_perfect_equilibria(make, expected):
    game = make()
    found, complete = subgame_perfect_equilibria(game)
    assert complete
    assert [moves(game, c) for c in found] == expected


@pytest.mark.parametrize("length", [1, 2, 3, 5, 8])
def test_centipede_ends_at_the_first_move(length):
    solution = solve_tree(catalogue.centipede(length))
    (spe,) = solution.equilibria
    assert solution.path_text(spe.leaf_probabilities) == "take"
    assert spe.payoffs.tolist() == pytest.approx([0.4, 0.1])
    # Every Nash equilibrium of the centipede ends at once too, though off-path moves may differ.
    assert all(eq.payoffs.tolist() == pytest.approx([0.4, 0.1]) for eq in solution.nash)


def test_entry_deterrence_shows_the_non_credible_threat():
    solution = solve_tree(catalogue.entry_deterrence())
    strategies = solution.nash.game.strategies
    named = [
        tuple(names[int(np.argmax(p))] for names, p in zip(strategies, eq.profile, strict=True))
        for eq in solution.nash
    ]
    assert named == [("Out", "Fight"), ("In", "Accommodate")]
    assert solution.subgame_perfect == (False, True)
    assert [solution.game.node_name(v) for v in solution.non_credible[0]] == ["In"]
    assert "Incumbent would not play Fight at 'In'" in solution.to_text()
    frame = solution.to_frame()
    assert frame["concept"].tolist() == ["subgame-perfect", "nash", "nash"]
    assert frame["subgame_perfect"].tolist() == [True, False, True]


def test_mixed_nash_equilibria_are_marked():
    solution = solve_tree(catalogue.entry_deterrence(), "vertex-enumeration")
    kinds = [eq.kind for eq in solution.nash]
    assert "mixed" in kinds  # the continuum (Out, Fight with probability >= 1/2)
    for kind, verdict in zip(kinds, solution.subgame_perfect, strict=True):
        if kind == "mixed":
            assert verdict is False  # a unique SPE without ties is pure


def test_ties_multiply_off_the_path():
    # B is indifferent at two nodes A's first move avoids: 2 x 2 equilibria, one path.
    indifferent = Decision("B", {"p": Terminal([0, 1]), "q": Terminal([0, 1])})
    game = ExtensiveFormGame(
        ["A", "B"],
        Decision("A", {"go": Terminal([1, 0]), "u": indifferent, "v": indifferent}),
    )
    found, complete = subgame_perfect_equilibria(game)
    assert complete and len(found) == 4
    assert len({tuple(c) for c in found}) == 4
    capped, complete = subgame_perfect_equilibria(game, max_equilibria=3)
    assert len(capped) == 3 and not complete
    exact, complete = subgame_perfect_equilibria(game, max_equilibria=4)
    assert len(exact) == 4 and complete
    with pytest.raises(InputError, match="at least 1"):
        subgame_perfect_equilibria(game, max_equilibria=0)


def test_ties_are_judged_relative_to_each_players_range():
    base = tie_game()
    huge = base.with_payoffs(base.payoffs * 1e9)
    assert len(subgame_perfect_equilibria(huge)[0]) == 2
    nearly = base.payoffs.copy()
    nearly[1, 1] += 1e-12  # B's payoffs differ by a rounding error: still a tie
    assert len(subgame_perfect_equilibria(base.with_payoffs(nearly))[0]) == 2
    nearly[1, 1] += 1e-3  # a real difference
    assert len(subgame_perfect_equilibria(base.with_payoffs(nearly))[0]) == 1


def test_subgame_regrets_and_non_credible_moves():
    game = catalogue.entry_deterrence()
    out_fight = [0, -1, 0, -1, -1]
    assert subgame_regrets(game, out_fight).tolist() == [0.0, 2.0]
    assert non_credible_moves(game, out_fight) == (2,)
    assert non_credible_moves(game, [1, -1, 1, -1, -1]) == ()


@settings(max_examples=40)
@given(trees(), st.integers(0, 2**32 - 1))
def test_many_profiles_are_judged_in_one_pass_as_each_change_of_move_shows(game, seed):
    """Against values computed afresh for every node and action, block by block or all at once."""
    import kurilsim.forms.extensive.backward_induction as module

    rng = np.random.default_rng(seed)
    profiles = np.array(
        [
            [rng.integers(len(game.actions[v])) if game.movers[v] >= 0 else -1 for v in nodes]
            for nodes in [range(game.n_nodes)] * 6
        ]
    )

    def value(v, row):
        if game.movers[v] == TERMINAL:
            return game.payoffs[game.leaf_of[v]]
        if game.movers[v] == CHANCE:
            return sum(game.probabilities[c] * value(c, row) for c in game.children[v])
        return value(game.children[v][row[v]], row)

    flagged, regrets = non_credible_table(game, profiles), subgame_regrets(game, profiles)
    for row, flags, regret in zip(profiles, flagged, regrets, strict=True):
        gains = np.zeros(game.n_players)
        for v in game.decision_nodes():
            mover = game.movers[v]
            own = [value(c, row)[mover] for c in game.children[v]]
            # Payoffs are small integers and probabilities quarters or so: a gain is large or 0.
            assert flags[v] == (max(own) - own[row[v]] > 1e-7)
            gains[mover] = max(gains[mover], max(own) - own[row[v]])
        np.testing.assert_allclose(regret, gains, atol=1e-12)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "CELLS_PER_BLOCK", 1)  # one profile per block
        np.testing.assert_array_equal(non_credible_table(game, profiles), flagged)
        np.testing.assert_array_equal(subgame_regrets(game, profiles), regrets)


def brute_force(game, tol=1e-9):
    """Every pure behaviour profile with no profitable one-shot deviation anywhere."""
    nodes = game.decision_nodes()
    slack = tol * leaf_scales(game.payoffs)
    found = set()
    for picks in itertools.product(*(range(len(game.actions[v])) for v in nodes)):
        choices = np.full(game.n_nodes, -1)
        choices[list(nodes)] = picks
        if np.all(subgame_regrets(game, choices) <= slack):
            found.add(tuple(choices))
    return found


@settings(max_examples=80, deadline=None, derandomize=True)
@given(trees(max_depth=3))
def test_every_subgame_perfect_equilibrium_is_found(game):
    found, complete = subgame_perfect_equilibria(game)
    assert complete
    assert {tuple(c) for c in found} == brute_force(game)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(trees())
def test_subgame_perfect_equilibria_are_nash_in_the_normal_form(game):
    normal = game.to_normal_form()
    for choices in subgame_perfect_equilibria(game)[0]:
        profile = game.strategy_profile(choices)
        pure = [np.eye(n)[s] for n, s in zip(normal.shape, profile, strict=True)]
        assert is_equilibrium(normal.payoffs, pure)
        np.testing.assert_allclose(
            normal.payoffs[profile], game.expected_payoffs(choices), atol=1e-12
        )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(trees(chance=True, small_payoffs=True), st.integers(0, 2**32 - 1))
def test_batch_equals_one_tree_at_a_time(game, seed):
    rng = np.random.default_rng(seed)
    size = 5
    # Small integers make ties frequent; half the batch keeps the tree's own payoffs.
    payoffs = rng.integers(-2, 3, size=(size, *game.payoffs.shape)).astype(float)
    payoffs[::2] = game.payoffs
    batch = backward_induction_batch(game, payoffs)
    for g in range(size):
        one = game.with_payoffs(payoffs[g])
        found, _ = subgame_perfect_equilibria(one)
        np.testing.assert_array_equal(batch.choices[g], found[0])
        np.testing.assert_allclose(batch.payoffs[g], one.expected_payoffs(found[0]), atol=1e-12)
        np.testing.assert_allclose(
            batch.leaf_probabilities[g], one.leaf_probabilities(found[0]), atol=1e-12
        )
        assert batch.unique[g] == (len(found) == 1)


def test_batch_takes_chance_probabilities_per_point():
    game = chance_game()
    probabilities = np.tile(game.probabilities, (2, 1))
    probabilities[1, [1, 4]] = [0.9, 0.1]
    batch = backward_induction_batch(
        game, np.stack([game.payoffs, game.payoffs]), probabilities=probabilities
    )
    assert batch.payoffs[:, 0].tolist() == pytest.approx([0.3 * 5, 0.9 * 5])
    with pytest.raises(InputError, match="expected"):
        backward_induction_batch(game, game.payoffs)


def test_html_shows_both_kinds_of_equilibria():
    html = solve_tree(catalogue.entry_deterrence())._repr_html_()
    assert html.count("<tr>") == 1 + 3  # header, one SPE, two Nash equilibria
    assert "Incumbent would not play Fight at &#x27;In&#x27;" in html


def _tied_chain(n):
    """One player choosing, n times over, between stopping and going on: every move ties."""
    from kurilsim.forms.extensive.efg import parse_efg

    head = 'EFG 2 R "chain" { "A" "B" }\n""\n'
    body = "".join(
        f'p "" 1 {k + 1} "" {{ "stop" "go" }} 0\nt "" {k + 1} "o{k}" {{ 1 2 }}\n' for k in range(n)
    )
    return parse_efg(head + body + 't "" 0\n')


def test_a_listing_past_its_time_bound_keeps_one_play_per_node_and_says_so():
    found, complete = subgame_perfect_equilibria(_tied_chain(2000), max_seconds=0.0)
    assert len(found) == 1 and not complete


def _interpreter_calls(work):
    """How many Python and C functions ``work()`` calls: a count of its steps, not a timing."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event in ("call", "c_call")

    sys.setprofile(count)
    try:
        work()
    finally:
        sys.setprofile(None)
    return calls


def test_the_listings_steps_do_not_grow_with_the_plays_each_node_holds():
    """Every node of a tied chain holds up to ``max_equilibria`` plays. Combined one by one in
    Python, 10,000 of them on a 200-step chain took some 12 s, so that the 10 s time bound cut
    the listing to one equilibrium on one run and not on the next."""
    game = _tied_chain(60)

    def listing(cap):
        return lambda: subgame_perfect_equilibria(game, max_equilibria=cap, max_seconds=None)

    few, many = _interpreter_calls(listing(10)), _interpreter_calls(listing(5_000))
    assert many < 2 * few


def test_a_count_bound_keeps_the_first_equilibria_of_the_full_listing():
    game = _tied_chain(12)
    full, complete = subgame_perfect_equilibria(game, max_seconds=None)
    assert complete and len(full) == 2**11 and len({tuple(row) for row in full}) == 2**11
    for cap in (1, 5, 2**11 - 1, 2**11):
        cut, complete = subgame_perfect_equilibria(game, max_equilibria=cap, max_seconds=None)
        np.testing.assert_array_equal(cut, full[:cap])
        assert complete == (cap == 2**11)


def test_a_long_listing_stops_at_its_cells_the_same_way_every_time(monkeypatch):
    import kurilsim.forms.extensive.backward_induction as module

    game = _tied_chain(100)  # 201 nodes, 2^99 equilibria
    monkeypatch.setattr(module, "MAX_LISTED_CELLS", 1000)
    cut, complete = subgame_perfect_equilibria(game, max_seconds=None)
    assert len(cut) == 1000 // 201 and not complete
    monkeypatch.undo()
    np.testing.assert_array_equal(cut, subgame_perfect_equilibria(game, max_equilibria=4)[0])


def test_a_listing_cut_by_its_time_bound_holds_the_first_equilibrium(monkeypatch):
    """With a fake clock, spent after the first ten nodes."""
    import kurilsim.forms.extensive.backward_induction as module
    from kurilsim.core.deadline import Deadline

    class SpentAfterTenChecks(Deadline):
        def expired(self):
            self.checks = getattr(self, "checks", 0) + 1
            self.hit = self.hit or self.checks > 10
            return self.hit

    game = _tied_chain(12)
    full, _ = subgame_perfect_equilibria(game, max_seconds=None)
    monkeypatch.setattr(module, "Deadline", SpentAfterTenChecks)
    cut, complete = subgame_perfect_equilibria(game)
    np.testing.assert_array_equal(cut, full[:1])
    assert not complete


@settings(max_examples=40, deadline=None, derandomize=True)
@given(trees(max_depth=3), st.integers(1, 6))
def test_every_count_bound_keeps_a_prefix_of_the_listing(game, cap):
    full, complete = subgame_perfect_equilibria(game)
    cut, cut_complete = subgame_perfect_equilibria(game, max_equilibria=cap)
    np.testing.assert_array_equal(cut, full[:cap])
    assert complete and cut_complete == (len(full) <= cap)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(trees(max_depth=3, chance=True))
def test_a_spent_time_bound_says_incomplete_only_where_it_cut_the_listing(game):
    """Past the bound each node keeps its first play: the listing is cut where a node ties."""
    full, _ = subgame_perfect_equilibria(game, max_seconds=None)
    cut, complete = subgame_perfect_equilibria(game, max_seconds=0.0)
    np.testing.assert_array_equal(cut, full[:1])
    assert complete == (len(full) == 1)


@pytest.mark.parametrize("nodes", range(6))
def test_a_time_bound_spent_after_a_tie_was_solved_says_incomplete(monkeypatch, nodes):
    """With a fake clock, spent after some nodes: B's tie, solved first, may be done by then,
    and no node after it ties; the listing then left B's second move out all the same."""
    import kurilsim.forms.extensive.backward_induction as module
    from kurilsim.core.deadline import Deadline

    class SpentAfterSomeNodes(Deadline):
        def expired(self):
            self.checks = getattr(self, "checks", 0) + 1
            self.hit = self.hit or self.checks > nodes
            return self.hit

    game = ExtensiveFormGame(
        ["A", "B"],
        Decision(
            "A",
            {
                "L": Terminal([0, 1]),
                "R": Decision("B", {"x": Terminal([1, 0]), "y": Terminal([1, 0])}),
            },
        ),
    )
    full, _ = subgame_perfect_equilibria(game, max_seconds=None)
    monkeypatch.setattr(module, "Deadline", SpentAfterSomeNodes)
    cut, complete = subgame_perfect_equilibria(game)
    assert len(full) == 2
    np.testing.assert_array_equal(cut, full[: len(cut)])
    assert complete == (len(cut) == len(full))


def test_the_listed_equilibria_are_verified_in_one_pass_over_the_tree(monkeypatch):
    """Not one pass per block of rows: blocks are sized to hold rows of every node's values,
    so a long tree has many, and passed over the tree once each took longer than the listing."""
    import kurilsim.forms.extensive.solve as solve_module

    verified = []

    def counted(game, choices):
        verified.append(len(choices))
        return subgame_regrets(game, choices)

    monkeypatch.setattr(solve_module, "subgame_regrets", counted)
    monkeypatch.setattr(solve_module, "CELLS_PER_BLOCK", 17 * 2 * 10)  # ten rows per block
    solution = solve_tree(_tied_chain(8))  # 17 nodes, 2 players
    assert len(solution) == 2**7 and verified == [2**7]
    assert all(eq.max_regret == 0 for eq in solution.equilibria)
    assert sorted(eq.profile for eq in solution.equilibria) == sorted(
        solution.game.strategy_profile(eq.choices) for eq in solution.equilibria
    )


def test_a_table_writes_out_only_the_rows_it_shows(monkeypatch):
    """Each row walks the tree (a plan names a move at every node): writing out all 4,998
    equilibria of the 2,000-step chain to show ten took 23 s."""
    from kurilsim.forms.extensive.result import TreeSolution

    solution = solve_tree(_tied_chain(8))
    full = solution.to_text(limit=0)
    plans = []
    original = TreeSolution.plan
    monkeypatch.setattr(
        TreeSolution,
        "plan",
        lambda self, eq, player: plans.append(player) or original(self, eq, player),
    )
    short = solution.to_text(limit=3)
    assert len(plans) == 3 * 2  # three rows, two players

    def rows(text, concept):
        return [line.split() for line in text.splitlines() if line.startswith(concept + " ")]

    assert rows(short, "SPE") == rows(full, "SPE")[:3]
    assert rows(short, "Nash") == rows(full, "Nash")[:3]
    assert "... and 125 more (--limit 0 shows all)" in short.splitlines()


def test_max_seconds_bounds_the_listing_when_no_normal_form_method_is_named():
    bounded = solve_tree(_tied_chain(8), max_seconds=0.0)
    assert len(bounded) == 1 and bounded.incomplete_reason == "max_seconds"
    assert "these are the first in its order" in bounded.to_text()
    counted = solve_tree(_tied_chain(8), max_equilibria=5)
    assert len(counted) == 5 and counted.incomplete_reason == "max_equilibria"
    assert "these are the first 5 in its order" in counted.to_text()
    named = solve_tree(_tied_chain(8), max_seconds=0.0, listing_seconds=60.0)
    assert len(named) == 2**7 and named.complete
    with pytest.raises(InputError, match="max_seconds"):
        solve_tree(catalogue.entry_deterrence(), method="pure", max_seconds=1.0)


def test_the_equilibria_of_a_tied_chain_hold_memory_in_proportion_to_their_size():
    """Each pure strategy is a vector of its own, not a view of a row of an identity matrix.

    A view keeps the whole matrix alive: the 2,001 Nash equilibria of a 2,000-node chain held
    2,001 identities of 2,001 x 2,001, over 6 GB.
    """
    solution = solve_tree(_tied_chain(100), listing_seconds=0.0)
    assert solution.nash is not None and len(solution.nash) == 100
    vectors = [p for eq in solution.nash for p in eq.profile]
    assert _held_bytes(vectors) <= 2 * sum(p.nbytes for p in vectors)


def _held_bytes(arrays):
    """The bytes of the distinct buffers that ``arrays`` keep alive."""
    owners = {}
    for array in arrays:
        while isinstance(array.base, np.ndarray):
            array = array.base
        owners[id(array)] = array.nbytes
    return sum(owners.values())


@pytest.mark.slow
def test_a_long_tied_chain_is_solved_within_its_bounds():
    solution = solve_tree(_tied_chain(5000), listing_seconds=0.5)
    assert len(solution) >= 1 and solution.incomplete_reason == "listing_seconds"
    assert solution.nash is None and "strategy tables" in solution.note
    assert "NOTE" not in solution.to_text() and "not computed" in solution.to_text()


def test_a_listing_cut_by_its_cells_names_that_limit(monkeypatch):
    import kurilsim.forms.extensive.backward_induction as module

    monkeypatch.setattr(module, "MAX_LISTED_CELLS", 17 * 3)  # 17 nodes: three equilibria
    solution = solve_tree(_tied_chain(8), listing_seconds=None)
    assert len(solution) == 3 and solution.incomplete_reason == "limit: listed cells"
    assert "these are the first 3 in its order" in solution.to_text()


@pytest.mark.parametrize("method", ["vertex-enumeration", "support-enumeration"])
def test_a_nash_step_cut_short_makes_the_tree_solution_incomplete(method):
    solution = solve_tree(catalogue.centipede(4), method, max_seconds=0.0)
    assert solution.nash.incomplete_reason == "max_seconds"
    assert not solution.complete and solution.incomplete_reason == "max_seconds"
    data = solution.to_dict()
    assert data["incomplete_reason"] == "max_seconds" and data["listing_reason"] is None
    text = solution.to_text()
    # The subgame-perfect listing itself finished: only the Nash step is flagged.
    assert "in its order" not in text
    assert "WARNING: Nash incomplete (max_seconds)" in text
    finished = solve_tree(catalogue.centipede(4), method)
    assert finished.nash.complete and finished.complete


def test_a_cut_subgame_perfect_listing_is_named_before_the_nash_step():
    solution = solve_tree(_tied_chain(8), "vertex-enumeration", max_equilibria=5, max_seconds=0.0)
    assert solution.nash.incomplete_reason == "max_seconds"
    assert solution.incomplete_reason == "max_equilibria"
    assert solution.listing_reason == "max_equilibria"
    # JSON tells the two steps apart as the Python object does.
    data = solution.to_dict()
    assert data["listing_reason"] == "max_equilibria"
    assert data["nash"]["incomplete_reason"] == "max_seconds"
