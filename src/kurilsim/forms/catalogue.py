"""Games from the literature, each with its source, for examples, tests and teaching.

Every function returns a fresh :class:`~kurilsim.forms.normal.game.NormalFormGame`, or an
:class:`~kurilsim.forms.extensive.game.ExtensiveFormGame` for sequential games, whose title cites
where the game comes from. The equilibria are stated in each docstring.

Examples
--------
>>> from kurilsim import solve
>>> sorted(eq.kind for eq in solve(battle_of_the_sexes()))
['mixed', 'pure', 'pure']
"""

from __future__ import annotations

import numpy as np

from kurilsim.forms.extensive.game import Decision, ExtensiveFormGame, Node, Terminal
from kurilsim.forms.normal.game import NormalFormGame


def prisoners_dilemma() -> NormalFormGame:
    """The prisoner's dilemma (Luce & Raiffa 1957, ch. 5; payoffs of Axelrod 1984).

    One equilibrium: both defect.
    """
    return NormalFormGame(
        ("Row", "Column"),
        (("Cooperate", "Defect"), ("Cooperate", "Defect")),
        [[[3, 3], [0, 5]], [[5, 0], [1, 1]]],
        title="Prisoner's dilemma (Luce & Raiffa 1957)",
    )


def battle_of_the_sexes() -> NormalFormGame:
    """Battle of the sexes (Luce & Raiffa 1957, ch. 5).

    Three equilibria: both at the opera, both at the fight, and a mixed one where the wife goes to
    the opera with probability 2/3 and the husband with probability 1/3.
    """
    return NormalFormGame(
        ("Wife", "Husband"),
        (("Opera", "Fight"), ("Opera", "Fight")),
        [[[2, 1], [0, 0]], [[0, 0], [1, 2]]],
        title="Battle of the sexes (Luce & Raiffa 1957)",
    )


def matching_pennies() -> NormalFormGame:
    """Matching pennies (von Neumann & Morgenstern 1944).

    One equilibrium: both mix 1/2, 1/2.
    """
    return NormalFormGame(
        ("Even", "Odd"),
        (("Heads", "Tails"), ("Heads", "Tails")),
        [[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]],
        title="Matching pennies (von Neumann & Morgenstern 1944)",
    )


def rock_paper_scissors() -> NormalFormGame:
    """Rock-paper-scissors; one equilibrium: both mix uniformly."""
    beats = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=float)
    return NormalFormGame(
        ("Row", "Column"),
        (("Rock", "Paper", "Scissors"),) * 2,
        np.stack([beats, -beats], axis=-1),
        title="Rock-paper-scissors",
    )


def stag_hunt() -> NormalFormGame:
    """The stag hunt (Rousseau 1755; Skyrms 2004).

    Three equilibria: both hunt stag, both hunt hare, and a mixed one where each hunts the stag
    with probability 3/4 (a hare is worth 3 for sure, a stag 4 only if the other comes too).
    """
    return NormalFormGame(
        ("Hunter 1", "Hunter 2"),
        (("Stag", "Hare"), ("Stag", "Hare")),
        [[[4, 4], [0, 3]], [[3, 0], [3, 3]]],
        title="Stag hunt (Skyrms 2004)",
    )


def degenerate_entry() -> NormalFormGame:
    """A degenerate game: the normal form of entry deterrence (Selten 1978, chain-store game).

    The entrant stays out or enters; the incumbent fights or accommodates. Staying out makes the
    incumbent indifferent, so the equilibria form a continuum: (Out, incumbent fights with any
    probability of at least 1/2), whose extreme points are (Out, Fight) and (Out, 1/2-1/2), plus the
    isolated pure equilibrium (In, Accommodate).
    """
    return NormalFormGame(
        ("Entrant", "Incumbent"),
        (("Out", "In"), ("Fight", "Accommodate")),
        [[[0, 2], [0, 2]], [[-1, -1], [1, 1]]],
        title="Entry deterrence in normal form (Selten 1978)",
    )


def jordan_three_player_pennies() -> NormalFormGame:
    """Three-player matching pennies (Jordan 1993, Games and Economic Behavior 5).

    Player 1 wants to match player 2, player 2 to match player 3, and player 3 to mismatch
    player 1. The unique equilibrium has every player mix 1/2, 1/2.
    """
    payoffs = np.zeros((2, 2, 2, 3))
    for a in range(2):
        for b in range(2):
            for c in range(2):
                payoffs[a, b, c] = [
                    1 if a == b else -1,
                    1 if b == c else -1,
                    1 if c != a else -1,
                ]
    return NormalFormGame(
        ("Player 1", "Player 2", "Player 3"),
        (("H", "T"),) * 3,
        payoffs,
        title="Three-player matching pennies (Jordan 1993)",
    )


def entry_deterrence() -> ExtensiveFormGame:
    """Entry deterrence as a game tree (Selten 1978, one stage of the chain-store game).

    The entrant stays out or enters; after entry the incumbent fights or accommodates. The one
    subgame-perfect equilibrium is (In, Accommodate). The normal form (:func:`degenerate_entry`)
    also has the Nash equilibrium (Out, Fight): the threat to fight keeps the entrant out, but an
    incumbent facing entry would not carry it out.
    """
    return ExtensiveFormGame(
        ("Entrant", "Incumbent"),
        Decision(
            "Entrant",
            {
                "Out": Terminal([0, 2]),
                "In": Decision(
                    "Incumbent", {"Fight": Terminal([-1, -1]), "Accommodate": Terminal([1, 1])}
                ),
            },
        ),
        title="Entry deterrence (Selten 1978)",
    )


def centipede(moves: int = 4) -> ExtensiveFormGame:
    """The centipede game (Rosenthal 1981), with the payoffs of McKelvey & Palfrey (1992).

    Players A and B alternate, A first. At move ``k`` (from 0) the mover may take the larger of two
    piles, ``0.4 * 2**k``, leaving the smaller, ``0.1 * 2**k``, to the other, or pass, which doubles
    both piles. After ``moves`` passes the piles are split as if the next player had taken. The one
    subgame-perfect equilibrium takes at every node, so play ends at the first move with
    payoffs (0.4, 0.1).
    """
    if moves < 1:
        raise ValueError(f"a centipede game needs at least one move, got {moves}")

    def split(k: int) -> Terminal:
        large, small = 0.4 * 2**k, 0.1 * 2**k
        return Terminal([large, small] if k % 2 == 0 else [small, large])

    node: Node = split(moves)
    for k in reversed(range(moves)):
        node = Decision("AB"[k % 2], {"take": split(k), "pass": node})
    return ExtensiveFormGame(
        ("A", "B"), node, title="Centipede game (Rosenthal 1981; McKelvey & Palfrey 1992)"
    )
