"""Discount-factor thresholds of repeated games, against the literature and the one-shot
deviation principle.

The prisoner's dilemma with temptation T > reward R > punishment P > sucker's payoff S sustains
mutual cooperation by grim trigger exactly from delta = (T - R) / (T - P) (Friedman 1971; Axelrod
1984, ch. 1; Fudenberg and Tirole 1991, section 5.1). Every profile a solution claims sustained is
checked here by the one-shot deviation principle, and the automaton values against a simulation
of play.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim.forms import catalogue
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.repeated.game import RepeatedGame
from kurilsim.forms.repeated.minmax import mixed_minmax, pure_minmax
from kurilsim.forms.repeated.one_shot_deviation import (
    automaton_values,
    deviation_gain,
    grim_trigger,
    stick_and_carrot,
)
from kurilsim.forms.repeated.solve import solve
from kurilsim.forms.repeated.thresholds import stick_and_carrot_gains
from tests.literature import stack
from tests.strategies import payoff_arrays, random_game


def prisoners_dilemma(t: float, r: float, p: float, s: float) -> NormalFormGame:
    """Row and Column: Cooperate or Defect, payoffs (T, R, P, S) as in Axelrod (1984)."""
    return NormalFormGame(
        ("Row", "Column"),
        (("Cooperate", "Defect"), ("Cooperate", "Defect")),
        stack([[r, s], [t, p]], [[r, t], [s, p]]),
    )


@st.composite
def dilemmas(draw: st.DrawFn) -> tuple[float, float, float, float]:
    """Integer payoffs with T > R > P > S."""
    s, p, r, t = sorted(draw(st.lists(st.integers(-20, 20), min_size=4, max_size=4, unique=True)))
    return float(t), float(r), float(p), float(s)


@settings(max_examples=25)
@given(dilemmas())
def test_grim_trigger_sustains_cooperation_from_the_textbook_threshold(payoffs):
    t, r, p, s = payoffs
    threshold = (t - r) / (t - p)
    game = prisoners_dilemma(t, r, p, s)
    solution = solve(RepeatedGame(game, (0.5, 0.5)), method="thresholds")
    assert solution.grim[0] == pytest.approx([threshold, threshold], abs=1e-12)
    # The minmax in the dilemma is the punishment P, so no equilibrium does better than grim.
    assert solution.floor_pure[0] == pytest.approx([threshold, threshold], abs=1e-12)
    # Just above the threshold the grim profile passes the one-shot deviation check; below, not.
    grim = grim_trigger((0, 0), [(1, 1), (1, 1)], (2, 2))
    above = min(threshold + 1e-6, 0.999999)
    assert deviation_gain(game.payoffs, grim, np.full(2, above)) <= 1e-9
    if threshold > 1e-3:
        below = np.full(2, threshold - 1e-3)
        assert deviation_gain(game.payoffs, grim, below) > 0
        assert not solve(RepeatedGame(game, below), method="thresholds").sustained()[0]


def test_the_prisoners_dilemma_at_delta_one_half_sustains_cooperation_and_defection():
    solution = solve(RepeatedGame(catalogue.prisoners_dilemma(), (0.5, 0.5)))
    assert solution.sustained_labels() == [
        "Row: Cooperate, Column: Cooperate",
        "Row: Defect, Column: Defect",
    ]
    # (C, D) gives Row 0 < P = 1: no discount factor sustains it.
    assert np.isinf(solution.grim[1, 0]) and np.isinf(solution.floor_mixed[1, 0])


def test_thresholds_differ_per_player_and_use_each_players_discount_factor():
    # An asymmetric dilemma: Row gains 2 from defecting, Column 1; the punishment is (1, 1).
    game = NormalFormGame(
        ("Row", "Column"), (("C", "D"), ("C", "D")), stack([[3, 0], [5, 1]], [[3, 4], [0, 1]])
    )
    solution = solve(RepeatedGame(game, (0.6, 0.4)), method="thresholds")
    assert solution.grim[0].tolist() == pytest.approx([0.5, 1 / 3])
    assert solution.sustained()[0]
    assert not solve(RepeatedGame(game, (0.4, 0.6)), method="thresholds").sustained()[0]


def test_minmax_pure_and_mixed_in_matching_pennies():
    pennies = catalogue.matching_pennies().payoffs
    assert pure_minmax(pennies, 0)[0] == 1.0
    value, mixture = mixed_minmax(pennies, 1)
    assert value == pytest.approx(0.0, abs=1e-9)
    assert mixture == pytest.approx([0.5, 0.5], abs=1e-9)


@settings(max_examples=12)
@given(st.integers(0, 10_000), st.sampled_from([(2, 2), (2, 3), (3, 3), (2, 2, 2)]))
def test_every_claim_passes_the_one_shot_deviation_check_and_floors_bound_grim(seed, shape):
    payoffs = np.round(random_game(seed, shape) * 4)
    players = len(shape)
    game = NormalFormGame(
        tuple(f"P{i}" for i in range(players)),
        tuple(tuple(f"s{k}" for k in range(n)) for n in shape),
        payoffs,
    )
    delta = np.random.default_rng(seed).uniform(0.2, 0.95, size=players)
    solution = solve(RepeatedGame(game, delta), method="thresholds")
    # The minmax is the harshest punishment: its floor never exceeds a Nash reversion's threshold
    # (the pure minmax only below reversion to a pure equilibrium; a mixed one may punish more).
    pure = [e.kind == "pure" for e in solution.stage.equilibria]
    assert np.all(solution.floor_pure[:, None] <= solution.nash_thresholds[:, pure] + 1e-12)
    if solution.floor_mixed is not None:
        assert np.all(solution.floor_mixed <= solution.floor_pure + 1e-12)
        assert np.all(solution.floor_mixed <= solution.grim + 1e-12)
    worst = np.array([e.payoffs for e in solution.stage.equilibria]).argmin(axis=0)
    punishments = [solution.stage.equilibria[k].profile for k in worst]
    for k, cell in enumerate(solution.cells):
        grim = grim_trigger(cell, punishments, shape)
        assert (deviation_gain(payoffs, grim, delta) <= 1e-9) == solution.sustained_by_grim[k]
        rounds = solution.punishment_rounds[k]
        if rounds:
            automaton = stick_and_carrot(cell, solution.mutual_minmax, int(rounds), shape)
            assert deviation_gain(payoffs, automaton, delta) <= 1e-9
        floor = solution.floor_mixed
        if floor is not None and not np.all(floor[k] <= delta):
            # Below the floor nothing sustains the profile, the minmax punishment included.
            assert not solution.sustained()[k]


def test_automaton_values_agree_with_simulated_play():
    # Stick and carrot in the dilemma: the value is the discounted sum along the path played.
    game = catalogue.prisoners_dilemma().payoffs
    automaton = stick_and_carrot((0, 0), (1, 1), 2, (2, 2))
    delta = np.array([0.7, 0.8])
    values = automaton_values(game, automaton, delta)
    for start in range(3):
        state, total = start, np.zeros(2)
        for t in range(400):
            cell = tuple(int(np.argmax(x)) for x in automaton.plays[state])
            total += (1 - delta) * delta**t * game[cell]
            state = int(automaton.next_state[state][cell])
        assert total == pytest.approx(values[start], abs=1e-12)


def test_a_deviation_in_the_punishment_restarts_it():
    automaton = stick_and_carrot((0, 0), (1, 1), 3, (2, 2))
    assert automaton.next_state[2, 0, 1] == 1 and automaton.next_state[3, 1, 1] == 0


def test_no_grim_threshold_where_the_punishment_pays_more_than_the_path():
    # At (Top, Left) Row gains nothing this round, and Column's temptation is held from 1/3 on by
    # reverting to the only stage equilibrium (Bottom, Right). That pays Row 1 > 0, so a patient
    # Row deviates (-1 once) to start it: grim holds only while Row discounts below 1/2.
    payoffs = stack([[0, 0], [-1, 1]], [[2, 3], [-1, 0]])
    game = RepeatedGame(
        NormalFormGame(("Row", "Column"), (("Top", "Bottom"), ("Left", "Right")), payoffs),
        discount=(0.9, 0.9),
    )
    assert not solve(game, tol=1e-9).sustained_by_grim[0]
    impatient = RepeatedGame(game.stage, discount=(0.4, 0.9))
    assert solve(impatient, tol=1e-9).sustained_by_grim[0]
    grim = grim_trigger((0, 0), [(1, 1)] * 2, (2, 2))
    assert deviation_gain(payoffs, grim, np.array([0.9, 0.9])) > 0


@settings(max_examples=40, deadline=None)
@given(
    payoffs=payoff_arrays(min_players=2, max_players=3),
    seed=st.integers(0, 2**16),
    rounds=st.integers(1, 6),
)
def test_the_closed_form_stick_and_carrot_gain_is_the_automatons(payoffs, seed, rounds):
    rng = np.random.default_rng(seed)
    shape = payoffs.shape[:-1]
    path = tuple(int(rng.integers(n)) for n in shape)
    punishment = tuple(int(rng.integers(n)) for n in shape)
    delta = rng.uniform(0, 0.99, size=len(shape))
    closed = stick_and_carrot_gains(payoffs, path, punishment, delta, rounds)
    for length in range(1, rounds + 1):
        automaton = stick_and_carrot(path, punishment, length, shape)
        exact = max(deviation_gain(payoffs, automaton, delta), 0.0)
        assert closed[length - 1] == pytest.approx(exact, abs=1e-12)
