"""Hypothesis generators of game trees, shared by the tree, solver and .efg tests."""

from __future__ import annotations

from hypothesis import assume
from hypothesis import strategies as st

from kurilsim.forms.extensive.game import Chance, Decision, ExtensiveFormGame, Node, Terminal

PLAYERS = ("P1", "P2", "P3")


@st.composite
def nodes(draw, n_players: int, depth: int, chance: bool, small_payoffs: bool) -> Node:
    """A random subtree; payoffs are small integers when ``small_payoffs`` (ties are common)."""
    kinds = ["leaf"] if depth == 0 else ["leaf", "decision", "decision"] + ["chance"] * chance
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        values = (
            st.integers(-3, 3)
            if small_payoffs
            else st.floats(-100, 100, allow_nan=False, allow_infinity=False)
        )
        return Terminal(draw(st.lists(values, min_size=n_players, max_size=n_players)))
    width = draw(st.integers(1, 3))
    children = [draw(nodes(n_players, depth - 1, chance, small_payoffs)) for _ in range(width)]
    labels = [f"a{k}" for k in range(width)]
    if kind == "decision":
        player = draw(st.sampled_from(PLAYERS[:n_players]))
        return Decision(player, dict(zip(labels, children, strict=True)))
    weights = draw(st.lists(st.integers(0, 4), min_size=width, max_size=width))
    if sum(weights) == 0:
        weights[0] = 1
    return Chance(
        {
            label: (w / sum(weights), child)
            for label, w, child in zip(labels, weights, children, strict=True)
        }
    )


@st.composite
def trees(
    draw,
    max_players: int = 3,
    max_depth: int = 4,
    chance: bool = True,
    small_payoffs: bool = True,
    min_players: int = 1,
) -> ExtensiveFormGame:
    """A random game tree with ``min_players`` to ``max_players`` players, small enough for its
    normal form."""
    n_players = draw(st.integers(min_players, max_players))
    depth = draw(st.integers(1, max_depth))
    root = draw(nodes(n_players, depth, chance, small_payoffs))
    game = ExtensiveFormGame(PLAYERS[:n_players], root, title="random tree")
    # Keep normal forms small so the property tests stay fast.
    assume(game.normal_form_size() <= 2000)
    return game
