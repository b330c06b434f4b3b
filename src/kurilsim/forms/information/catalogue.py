"""Trees with information sets from the literature, each with its source and known solution.

Every function returns a fresh :class:`~kurilsim.forms.information.game.InformationTree` whose
title cites where the game comes from; each docstring states the equilibria the literature gives.

Examples
--------
>>> kuhn_poker().summary()
'2 players, 12 information sets, 24 player nodes, 1 chance node, 30 leaves'
"""

from __future__ import annotations

from itertools import permutations

from kurilsim.forms.information.game import (
    ChanceNode,
    InformationTree,
    Node,
    PlayerNode,
    TerminalNode,
)


def matching_pennies_tree() -> InformationTree:
    """Matching pennies as a tree: Odd moves without seeing Even's coin (von Neumann 1928).

    One equilibrium: both mix half and half; the value is 0.
    """

    def odd(win_on: str) -> PlayerNode:
        return PlayerNode(
            "Odd",
            "Odd",
            {a: TerminalNode([1, -1] if a == win_on else [-1, 1]) for a in ("Heads", "Tails")},
        )

    return InformationTree(
        ["Even", "Odd"],
        PlayerNode("Even", "Even", {"Heads": odd("Heads"), "Tails": odd("Tails")}),
        title="Matching pennies as a tree (von Neumann 1928)",
    )


def seltens_horse() -> InformationTree:
    """Selten's (1975) horse, in the payoffs of Fudenberg and Tirole (1991, fig. 8.5).

    A continues (C) or drops (D); after C, B continues (c) or drops (d); after D or Cd, C picks
    L or R without knowing who dropped. Nash equilibria: (D, c, L) with C's L probability at
    least 3/4 is not sequential (B's c is not a best reply at B's node off the path); the
    sequential equilibria are (C, c, R-weighted) with C playing L with probability at most 1/4,
    which C's belief of at most 1/3 on A's drop supports.
    """
    return InformationTree(
        ["A", "B", "C"],
        PlayerNode(
            "A",
            "A",
            {
                "C": PlayerNode(
                    "B",
                    "B",
                    {
                        "c": TerminalNode([1, 1, 1]),
                        "d": PlayerNode(
                            "C", "C", {"L": TerminalNode([4, 4, 0]), "R": TerminalNode([1, 1, 1])}
                        ),
                    },
                ),
                "D": PlayerNode(
                    "C", "C", {"L": TerminalNode([3, 3, 2]), "R": TerminalNode([0, 0, 0])}
                ),
            },
        ),
        title="Selten's horse (Selten 1975; Fudenberg & Tirole 1991, fig. 8.5)",
    )


def kuhn_poker(cards: int = 3) -> InformationTree:
    """Kuhn's (1950) three-card poker: each antes 1, one card each from J < Q < K, bets of 1.

    Player 1 checks or bets; after a check player 2 checks (showdown) or bets, and player 1
    then folds or calls; after a bet player 2 folds or calls. The game is zero-sum with value
    -1/18 for player 1 (Kuhn 1950), attained by a one-parameter family of equilibria for
    player 1 and a unique one for player 2 (bet the K, bet the J a third of the time after a
    check, call a bet with the Q a third of the time).

    With ``cards`` other than 3 the deck has that many ranks, named ``"1"``, ``"2"``, ...: the
    same game on a larger deck, whose tree grows with the square of the deck (for benchmarks).
    """
    names = ("J", "Q", "K") if cards == 3 else tuple(str(k) for k in range(1, cards + 1))
    rank = {name: k for k, name in enumerate(names)}

    def showdown(first: str, second: str, stake: int) -> TerminalNode:
        sign = 1 if rank[first] > rank[second] else -1
        return TerminalNode([sign * stake, -sign * stake])

    def deal(first: str, second: str) -> Node:
        return PlayerNode(
            "Player 1",
            first,
            {
                "Check": PlayerNode(
                    "Player 2",
                    f"{second} after Check",
                    {
                        "Check": showdown(first, second, 1),
                        "Bet": PlayerNode(
                            "Player 1",
                            f"{first} after Check, Bet",
                            {"Fold": TerminalNode([-1, 1]), "Call": showdown(first, second, 2)},
                        ),
                    },
                ),
                "Bet": PlayerNode(
                    "Player 2",
                    f"{second} after Bet",
                    {"Fold": TerminalNode([1, -1]), "Call": showdown(first, second, 2)},
                ),
            },
        )

    pairs = list(permutations(names, 2))
    deals = {
        f"{a}{b}" if cards == 3 else f"{a}-{b}": (1 / len(pairs), deal(a, b)) for a, b in pairs
    }
    title = "Kuhn poker (Kuhn 1950)" if cards == 3 else f"Kuhn poker with {cards} cards"
    return InformationTree(["Player 1", "Player 2"], ChanceNode(deals), title=title)


def beer_quiche() -> InformationTree:
    """The beer-quiche signalling game (Cho and Kreps 1987).

    Nature makes the sender strong (0.9) or weak (0.1); the sender has beer or quiche for
    breakfast (the strong prefer beer, the weak quiche, worth 1); the receiver sees the breakfast
    and duels or not (not being challenged is worth 2 to the sender; the receiver gains 1 by
    duelling the weak or sparing the strong). Every pure equilibrium pools: both types have beer
    (the receiver duels after quiche) or both quiche (the receiver duels after beer); only the
    beer pool survives the intuitive criterion.
    """

    def receiver(breakfast: str, strong: bool, likes: str) -> PlayerNode:
        taste = 1 if breakfast == likes else 0
        return PlayerNode(
            "Receiver",
            f"after {breakfast}",
            {
                "Duel": TerminalNode([taste, 0 if strong else 1]),
                "Don't": TerminalNode([taste + 2, 1 if strong else 0]),
            },
        )

    def sender(kind: str, likes: str) -> PlayerNode:
        strong = kind == "Strong"
        return PlayerNode(
            "Sender",
            kind,
            {b: receiver(b, strong, likes) for b in ("Beer", "Quiche")},
        )

    return InformationTree(
        ["Sender", "Receiver"],
        ChanceNode(
            {"Strong": (0.9, sender("Strong", "Beer")), "Weak": (0.1, sender("Weak", "Quiche"))}
        ),
        title="Beer-quiche (Cho & Kreps 1987)",
    )
