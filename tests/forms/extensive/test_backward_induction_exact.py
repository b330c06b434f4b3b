"""Subgame perfection checked from the definition, in exact arithmetic, on random trees.

Each random tree is drawn as exact data (integer payoffs, probabilities such as 1/3 as
fractions). The reference lists every pure behaviour profile and keeps those in which no mover
gains by changing their action at any node, reached or not, with values computed in fractions;
kurilsim's float solver must list exactly those. pygambit reads the same tree from the file we
write and its ``enumpure_solve`` must find the pure Nash equilibria we find.
"""

import io
import itertools
from fractions import Fraction

import numpy as np
import pygambit as gbt  # GPL: an independent reference solver, used only in tests
import pytest

from kurilsim.forms import catalogue
from kurilsim.forms.extensive.backward_induction import (
    backward_induction_batch,
    subgame_perfect_equilibria,
)
from kurilsim.forms.extensive.efg import format_efg
from kurilsim.forms.extensive.game import Chance, Decision, ExtensiveFormGame, Terminal
from kurilsim.forms.extensive.solve import solve_tree

pytestmark = pytest.mark.reference

PLAYERS = ("P1", "P2", "P3")
DENOMINATORS = (2, 3, 4, 6)


def random_spec(rng, n_players, depth, scale):
    """A random subtree as nested tuples of exact numbers."""
    kind = "leaf" if depth == 0 else rng.choice(["leaf", "decision", "decision", "chance"])
    if kind == "leaf":
        return ("t", [Fraction(int(x)) * scale for x in rng.integers(-2, 3, n_players)])
    width = int(rng.integers(1, 4))
    children = [random_spec(rng, n_players, depth - 1, scale) for _ in range(width)]
    if kind == "decision":
        return ("p", int(rng.integers(n_players)), children)
    denominator = int(rng.choice(DENOMINATORS))
    cuts = sorted(int(c) for c in rng.integers(0, denominator + 1, width - 1))
    parts = np.diff([0, *cuts, denominator])
    return ("c", [Fraction(int(p), denominator) for p in parts], children)


def build(spec):
    if spec[0] == "t":
        return Terminal([float(x) for x in spec[1]])
    if spec[0] == "p":
        labels = [f"a{k}" for k in range(len(spec[2]))]
        return Decision(PLAYERS[spec[1]], dict(zip(labels, map(build, spec[2]), strict=True)))
    return Chance(
        {
            f"b{k}": (float(p), build(child))
            for k, (p, child) in enumerate(zip(spec[1], spec[2], strict=True))
        }
    )


def count_decisions(node, decisions):
    """Append the number of actions at each decision node, in prefix order."""
    if node[0] == "p":
        decisions.append(len(node[2]))
    for child in node[2] if node[0] != "t" else ():
        count_decisions(child, decisions)
    return decisions


def exact_value(node, profile, position, n_players):
    """The payoffs of ``node`` under ``profile`` in fractions, and whether no mover in the
    subtree gains by a one-shot change; ``position`` hands out the decision nodes' indices."""
    if node[0] == "t":
        return node[1], True
    if node[0] == "c":
        parts = [exact_value(child, profile, position, n_players) for child in node[2]]
        value = [
            sum(p * v[i] for p, (v, _) in zip(node[1], parts, strict=True))
            for i in range(n_players)
        ]
        return value, all(ok for _, ok in parts)
    here = next(position)
    parts = [exact_value(child, profile, position, n_players) for child in node[2]]
    mover, chosen = node[1], parts[profile[here]][0]
    best = max(v[mover] for v, _ in parts)
    return chosen, best == chosen[mover] and all(ok for _, ok in parts)


def exact_subgame_perfect(spec, n_players):
    """Every subgame-perfect profile, as the tuple of actions at the decision nodes in prefix
    order, by listing all profiles and checking every node in fractions."""
    decisions = count_decisions(spec, [])
    return {
        profile
        for profile in itertools.product(*(range(k) for k in decisions))
        if exact_value(spec, profile, iter(range(len(decisions))), n_players)[1]
    }


def random_cases(count, seed, scale=Fraction(1)):
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        n_players = int(rng.integers(1, 4))
        spec = random_spec(rng, n_players, int(rng.integers(1, 5)), scale)
        game = ExtensiveFormGame(PLAYERS[:n_players], build(spec))
        decisions = game.decision_nodes()
        if np.prod([len(game.actions[v]) for v in decisions], dtype=float) <= 3000:
            cases.append((spec, game))
    return cases


@pytest.mark.parametrize(
    "scale",
    [
        pytest.param(Fraction(1), id="unit-payoffs"),
        pytest.param(Fraction(10**9), id="payoffs-in-billions"),
        pytest.param(Fraction(1, 10**6), id="payoffs-in-millionths"),
    ],
)
def test_every_subgame_perfect_equilibrium_matches_the_definition(scale):
    for spec, game in random_cases(120, seed=7, scale=scale):
        expected = exact_subgame_perfect(spec, game.n_players)
        found, complete = subgame_perfect_equilibria(game)
        decisions = list(game.decision_nodes())
        listed = [tuple(int(a) for a in choices[decisions]) for choices in found]
        assert complete and len(listed) == len(set(listed))
        assert set(listed) == expected, format_efg(game)
        batch = backward_induction_batch(game, game.payoffs[None])
        np.testing.assert_array_equal(batch.choices[0], found[0])
        assert bool(batch.unique[0]) == (len(expected) == 1)


def gambit_labels(game, profile):
    """Gambit's names of a reduced pure profile: per player the action numbers, * if excluded."""
    labels = []
    for player, index in zip(game.players, profile, strict=True):
        row = game.strategies(player)[index]
        labels.append("".join("*" if a < 0 else str(a + 1) for a in row.tolist()) or "*")
    return labels


def test_pure_nash_equilibria_agree_with_gambit_and_contain_the_subgame_perfect_ones():
    for _, game in random_cases(40, seed=11):
        solution = solve_tree(game)
        ours = {
            tuple(gambit_labels(game, [int(np.argmax(p)) for p in eq.profile]))
            for eq in solution.nash
        }
        reference = gbt.read_efg(io.StringIO(format_efg(game)))
        theirs = set()
        for eq in gbt.nash.enumpure_solve(reference).equilibria:
            theirs.add(
                tuple(
                    next(s.label for s in player.strategies if eq[s] == 1)
                    for player in reference.players
                )
            )
        assert ours == theirs, format_efg(game)
        perfect = {tuple(gambit_labels(game, eq.profile)) for eq in solution.equilibria}
        assert perfect <= ours
        marked = {
            tuple(gambit_labels(game, [int(np.argmax(p)) for p in eq.profile]))
            for eq, verdict in zip(solution.nash, solution.subgame_perfect, strict=True)
            if verdict
        }
        assert marked == perfect


@pytest.mark.parametrize(
    "moves", [pytest.param(n, id=f"centipede-{n}") for n in (30, 40, 100, 1000)]
)
def test_long_centipede_has_one_subgame_perfect_equilibrium(moves):
    # The piles double at every move, so the last payoffs are 2**moves times the first: the
    # early stakes are tiny beside the payoff range, yet never a tie.
    game = catalogue.centipede(moves)
    found, complete = subgame_perfect_equilibria(game)
    assert complete and len(found) == 1
    assert all(found[0][v] == 0 for v in game.decision_nodes())  # everyone takes
    batch = backward_induction_batch(game, game.payoffs[None])
    assert batch.unique.tolist() == [True]
