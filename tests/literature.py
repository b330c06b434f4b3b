"""Games with known equilibria, each with where it comes from, for the solver tests.

Every row is a ``pytest.param`` with a readable id whose value carries the game, all of its
extreme equilibria (for a nondegenerate game: all of its equilibria) and the citation. Games in
:mod:`kurilsim.forms.catalogue` are taken from there; the rest are written out here. The solver
tests draw their cases with :func:`cases` (one value per field named) and, for trees, from
:data:`TREES`; :func:`lemke_howson_paths` lists where Lemke-Howson ends from a given label.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from kurilsim.forms import catalogue
from kurilsim.forms.extensive.game import Chance, Decision, ExtensiveFormGame, Terminal
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.regret import FloatArray

Profile = tuple[FloatArray, ...]


# --- building games and profiles ---------------------------------------------------------------


def stack(*tables: object) -> FloatArray:
    """Payoff tensor from one table per player (nested lists indexed by strategies)."""
    return np.stack([np.asarray(t, dtype=float) for t in tables], axis=-1)


def profile(*strategies: Sequence[float]) -> Profile:
    """A profile from each player's probabilities."""
    return tuple(np.array(s, dtype=float) for s in strategies)


def binary(*first_probabilities: float) -> Profile:
    """A profile of a game in which every player has two strategies, from P(first strategy)."""
    return tuple(np.array([p, 1.0 - p]) for p in first_probabilities)


def first(i: int, n: int) -> FloatArray:
    """Indicator, on profiles of n two-strategy players, that player i plays the first."""
    shape = [1] * n
    shape[i] = 2
    return np.array([1.0, 0.0]).reshape(shape)


def difference_game(*differences: FloatArray) -> FloatArray:
    """A game of two strategies per player: player ``i`` gets ``differences[i][s]`` from their
    first strategy at profile ``s`` (indexed by all players, own axis ignored) and 0 from the
    second, so that player ``i`` prefers the first strategy exactly where the multilinear
    extension of ``differences[i]`` is positive."""
    n = len(differences)
    payoffs = np.zeros((2,) * n + (n,))
    for i, table in enumerate(differences):
        own = [slice(None)] * n
        own[i] = slice(0, 1)
        payoffs[(*own, i)] = np.take(np.broadcast_to(table, (2,) * n), [0], axis=i)
    return payoffs


def nine_totally_mixed_game(seed: int = 2024) -> tuple[FloatArray, FloatArray]:
    """McKelvey and McLennan's four-player game with nine totally mixed equilibria, and its ``c``.

    McKelvey and McLennan, "The maximal number of regular totally mixed Nash equilibria",
    Journal of Economic Theory 72 (1997): when player i's advantage of the first strategy is
    prod_{j != i} (x_j - c_ij), each derangement sigma of the players gives the totally mixed
    equilibrium x_sigma(i) = c_i,sigma(i); four players have nine derangements, the maximum.
    """
    n = 4
    c = np.random.default_rng(seed).uniform(0.1, 0.9, (n, n))
    x = [first(j, n) for j in range(n)]
    differences = [
        functools.reduce(np.multiply, [x[j] - c[i, j] for j in range(n) if j != i])
        for i in range(n)
    ]
    return difference_game(*differences), c


def twelve_totally_mixed_game(seed: int = 2026) -> tuple[FloatArray, list[FloatArray]]:
    """A 3 x 2 x 2 x 2 game with twelve totally mixed equilibria, built as McKelvey and McLennan's.

    Player 1 mixes ``x`` over three strategies, players 2 to 4 put ``q``, ``r``, ``s`` on their
    second. Player 1's advantages of strategies 2 and 3 over 1 are ``(q - a_t)(r - b_t)(s -
    c_t)``; player 2's advantage is ``(alpha_2 . x)(r - e)(s - f)``, player 3's and 4's alike.
    An equilibrium picks one vanishing factor per equation: player 1's two fix two of ``q, r,
    s`` (6 ways), one of the two other players fixes the third (2 ways) and the last two fix
    ``x``. Twelve is the bound McKelvey and McLennan (1997) give for this shape (the count of
    such choices); the ``alpha`` are chosen so that every ``x`` lies inside the simplex.
    Returns the game and its twelve equilibria, each ``(x, q, r, s)``.
    """
    rng = np.random.default_rng(seed)
    roots = rng.permutation(np.linspace(0.15, 0.85, 12)).reshape(2, 6)
    a, b, c = roots[0, :2], roots[0, 2:4], roots[0, 4:]
    partner_roots = roots[1].reshape(3, 2)  # player 2's in (r, s), 3's in (q, s), 4's in (q, r)
    points = rng.dirichlet(np.full(3, 4.0), 3)  # x where players (2, 3), (2, 4), (3, 4) vanish
    alpha = [
        np.cross(points[0], points[1]),
        np.cross(points[0], points[2]),
        np.cross(points[1], points[2]),
    ]
    k = np.arange(2.0)
    q, r, s = np.meshgrid(k, k, k, indexing="ij")
    payoffs = np.zeros((3, 2, 2, 2, 4))
    for t in (1, 2):
        payoffs[t, ..., 0] = (q - a[t - 1]) * (r - b[t - 1]) * (s - c[t - 1])
    for j in range(3):
        e, f = partner_roots[j]
        gain = alpha[j][:, None, None] * np.outer(k - e, k - f)[None]
        index: list[Any] = [slice(None)] * 4 + [j + 1]
        index[j + 1] = 1
        payoffs[tuple(index)] = gain
    # Player 1's two equations fix two of (q, r, s), one of the two partners owning neither
    # fixes the third, and the other two partners' forms fix x.
    values, x_of = [a, b, c], {(0, 1): points[0], (0, 2): points[1], (1, 2): points[2]}
    equilibria = []
    for first_fixed, second_fixed in itertools.permutations(range(3), 2):
        free = 3 - first_fixed - second_fixed
        for fixer in (j for j in range(3) if j != free):
            point = np.empty(3)
            point[first_fixed] = values[first_fixed][0]
            point[second_fixed] = values[second_fixed][1]
            others = [j for j in range(3) if j != fixer]  # whose probabilities its factors take
            point[free] = partner_roots[fixer][others.index(free)]
            equilibria.append(np.concatenate((x_of[(others[0], others[1])], point)))
    return payoffs, equilibria


def game_of(payoffs: FloatArray, title: str) -> NormalFormGame:
    """A normal-form game with plain names around a payoff tensor."""
    names = [[f"s{k}" for k in range(n)] for n in payoffs.shape[:-1]]
    return NormalFormGame([f"P{i + 1}" for i in range(payoffs.shape[-1])], names, payoffs, title)


# --- the rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownGame:
    """A normal-form game with its known equilibria and their source.

    ``equilibria`` lists every extreme equilibrium, or is None where only the logit limit is
    known; ``degenerate`` games have continua of equilibria or ties in best replies;
    ``lemke_howson`` maps dropped labels to the equilibrium the path ends at; ``logit_limit`` is
    where the principal branch of the logit QRE ends.
    """

    game: NormalFormGame
    citation: str
    equilibria: tuple[Profile, ...] | None
    degenerate: bool = False
    lemke_howson: dict[int, Profile] = field(default_factory=dict)
    logit_limit: Profile | None = None

    @property
    def payoffs(self) -> FloatArray:
        return self.game.payoffs

    @property
    def players(self) -> int:
        return self.payoffs.shape[-1]

    @property
    def pure(self) -> list[tuple[int, ...]]:
        """The pure equilibria as strategy indices, in lexicographic order."""
        assert self.equilibria is not None
        return sorted(
            tuple(int(np.argmax(x)) for x in eq)
            for eq in self.equilibria
            if all(np.isin(x, (0.0, 1.0)).all() for x in eq)
        )

    @property
    def make(self) -> Callable[[], NormalFormGame]:
        """The game as a function of no arguments, for tests written over factories."""
        return lambda: self.game


# The 2x2x2 example of McKelvey and McLennan with nine equilibria, two totally mixed. With p, q,
# r the probabilities of each player's first strategy, the payoff advantages of the first
# strategy are player 1: (2q - 1)(12r - 3), player 2: (2p - 1)(12r - 4), player 3:
# 26pq - 8p - 8q + 2, which vanish together at (2/5, 1/2, 1/3) and (1/2, 2/5, 1/4); the other
# seven follow from the same best-response conditions.
MCKELVEY_MCLENNAN = np.zeros((2, 2, 2, 3))
MCKELVEY_MCLENNAN[0, 0, 0] = [9, 8, 12]
MCKELVEY_MCLENNAN[1, 1, 0] = [9, 8, 2]
MCKELVEY_MCLENNAN[1, 0, 1] = [3, 4, 6]
MCKELVEY_MCLENNAN[0, 1, 1] = [3, 4, 6]
MCKELVEY_MCLENNAN_EQUILIBRIA = (
    binary(1, 1, 1),
    binary(1, 0, 0),
    binary(0, 1, 0),
    binary(0, 0, 1),
    binary(1 / 2, 1 / 2, 1),
    binary(1 / 3, 1, 1 / 4),
    binary(0, 1 / 4, 1 / 3),
    binary(2 / 5, 1 / 2, 1 / 3),
    binary(1 / 2, 2 / 5, 1 / 4),
)

# The first strategy's advantages are 3q + 3r - 4 (player 1), 6p - 6r + 1 (player 2) and
# 3pq - 1 (player 3). Best responses: p = 1 iff q + r > 4/3, q = 1 iff r < p + 1/6, r = 1 iff
# pq > 1/3. Pure: (1, 1, 1) and (0, 1, 0). Two mixers cannot be indifferent except players 1 and
# 3 with q = 1: r = 1/3, p = 1/3 (player 2 gains 1 > 0 from q = 1). All three mix where
# q = 7/6 - p, r = p + 1/6 and p(7/6 - p) = 1/3, so p = 1/2 or 2/3.
_p, _q, _r = (first(i, 3) for i in range(3))
FIVE_EQUILIBRIA = difference_game(3 * _q + 3 * _r - 4, 6 * _p - 6 * _r + 1, 3 * _p * _q - 1)

# Three players each contribute 0, 1 or 2 of an endowment of 2; contributions are multiplied by
# 1.5 and shared equally, so each unit returns 0.5 to the contributor: contributing is strictly
# dominated and the only equilibrium is that nobody contributes.
_c = np.arange(3.0)
_total = _c[:, None, None] + _c[None, :, None] + _c[None, None, :]
PUBLIC_GOODS = np.stack(
    np.broadcast_arrays(*(2 - own + 0.5 * _total for own in np.ix_(_c, _c, _c))), axis=-1
)

#: Ochs (1995), game 2: asymmetric matching pennies. Row earns 9 at (Top, Left), 1 at
#: (Bottom, Right); Column wants to mismatch.
OCHS = stack([[9, 0], [0, 1]], [[0, 1], [1, 0]])

#: Integer games whose logit branch ends somewhere other than where it first seems to head.
LOGIT_PASSES_MIXED = np.array(
    [
        [[[6, 3, 6], [9, 3, 1]], [[2, 5, 5], [0, 6, 1]]],
        [[[6, 8, 1], [7, 0, 5]], [[6, 2, 7], [5, 4, 0]]],
    ],
    dtype=float,
)
LOGIT_NEAR_CONTINUUM = np.array(
    [
        [
            [[[7, 8, 9, 7], [0, 3, 5, 0]], [[4, 1, 5, 1], [2, 3, 9, 4]]],
            [[[5, 9, 0, 2], [4, 8, 7, 6]], [[3, 8, 1, 4], [3, 0, 0, 7]]],
        ],
        [
            [[[9, 2, 0, 1], [0, 7, 0, 6]], [[7, 2, 2, 2], [7, 9, 7, 2]]],
            [[[7, 7, 4, 1], [3, 8, 5, 1]], [[9, 5, 3, 0], [5, 5, 1, 8]]],
        ],
    ],
    dtype=float,
)

_VON_STENGEL_A = [[3, 3], [2, 5], [0, 6]]
THIRDS = [1 / 3] * 3

NORMAL_FORM = [
    pytest.param(
        KnownGame(
            catalogue.prisoners_dilemma(),
            "Luce & Raiffa 1957, ch. 5; payoffs of Axelrod 1984",
            (profile([0, 1], [0, 1]),),
            lemke_howson={0: profile([0, 1], [0, 1]), 3: profile([0, 1], [0, 1])},
        ),
        id="prisoners-dilemma",
    ),
    pytest.param(
        KnownGame(
            catalogue.battle_of_the_sexes(),
            "Luce & Raiffa 1957, ch. 5",
            (binary(1, 1), binary(0, 0), binary(2 / 3, 1 / 3)),
            lemke_howson={
                0: binary(1, 1),
                1: binary(0, 0),
                2: binary(1, 1),
                3: binary(0, 0),
            },
        ),
        id="battle-of-the-sexes",
    ),
    pytest.param(
        KnownGame(
            catalogue.matching_pennies(),
            "von Neumann & Morgenstern 1944",
            (binary(1 / 2, 1 / 2),),
            lemke_howson={0: binary(1 / 2, 1 / 2)},
        ),
        id="matching-pennies",
    ),
    pytest.param(
        KnownGame(
            catalogue.rock_paper_scissors(),
            "zero-sum textbook game; von Neumann & Morgenstern 1944",
            (profile(THIRDS, THIRDS),),
            lemke_howson={4: profile(THIRDS, THIRDS)},
        ),
        id="rock-paper-scissors",
    ),
    pytest.param(
        KnownGame(
            catalogue.stag_hunt(),
            "Rousseau 1755; Skyrms 2004. Hare risk-dominates (Harsanyi & Selten 1988), and the "
            "logit branch of a symmetric 2x2 coordination game ends at the risk-dominant one",
            (binary(1, 1), binary(0, 0), binary(3 / 4, 3 / 4)),
            logit_limit=binary(0, 0),
        ),
        id="stag-hunt",
    ),
    pytest.param(
        KnownGame(
            game_of(OCHS, "Asymmetric matching pennies"),
            "Ochs 1995, game 2; McKelvey & Palfrey 1995, section 4 (the own-payoff effect)",
            (binary(1 / 2, 1 / 10),),
            logit_limit=binary(1 / 2, 1 / 10),
        ),
        id="ochs-asymmetric-pennies",
    ),
    pytest.param(
        KnownGame(
            game_of(stack(_VON_STENGEL_A, [[3, 2], [2, 6], [3, 1]]), "von Stengel 3x2"),
            "von Stengel 2002, Computing equilibria for two-person games, Handbook of Game "
            "Theory 3, ch. 45: the nondegenerate 3x2 example",
            (
                profile([1, 0, 0], [1, 0]),
                profile([4 / 5, 1 / 5, 0], [2 / 3, 1 / 3]),
                profile([0, 1 / 3, 2 / 3], [1 / 3, 2 / 3]),
            ),
        ),
        id="von-stengel-3x2",
    ),
    pytest.param(
        KnownGame(
            game_of(stack(_VON_STENGEL_A, [[3, 3], [2, 6], [3, 1]]), "von Stengel 3x2, degenerate"),
            "von Stengel 2002, Handbook of Game Theory 3, ch. 45: the degenerate 3x2 example; the "
            "pure strategy (1, 0, 0) has two best replies and is in equilibrium with the segment "
            "between them",
            (
                profile([1, 0, 0], [1, 0]),
                profile([1, 0, 0], [2 / 3, 1 / 3]),
                profile([0, 1 / 3, 2 / 3], [1 / 3, 2 / 3]),
            ),
            degenerate=True,
            lemke_howson={0: profile([0, 1 / 3, 2 / 3], [1 / 3, 2 / 3])},
        ),
        id="von-stengel-3x2-degenerate",
    ),
    pytest.param(
        KnownGame(
            catalogue.degenerate_entry(),
            "Selten 1978, the chain-store game in normal form: the extreme points of the "
            "continuum (Out, Fight with probability >= 1/2) and the isolated (In, Accommodate)",
            (binary(1, 1), binary(1, 1 / 2), binary(0, 0)),
            degenerate=True,
        ),
        id="degenerate-entry",
    ),
    pytest.param(
        KnownGame(
            game_of(stack([[1, 1], [0, 0]], [[0, 0], [0, 0]]), "Dominant row"),
            "constructed: the top row dominates and the column player is indifferent, so every "
            "(top, y) is an equilibrium, a segment with two extreme points",
            (binary(1, 1), binary(1, 0)),
            degenerate=True,
        ),
        id="dominant-row-indifferent-column",
    ),
    pytest.param(
        KnownGame(
            game_of(stack([[1, 1], [1, 1]], [[2, 2], [2, 2]]), "Constant payoffs"),
            "constructed: every profile is an equilibrium; the extreme ones are the pure ones",
            (binary(1, 1), binary(1, 0), binary(0, 1), binary(0, 0)),
            degenerate=True,
        ),
        id="constant-payoffs",
    ),
    pytest.param(
        KnownGame(
            game_of(stack([[4, 1, 2]], [[0, 3, 3]]), "One row"),
            "constructed: the column player's two best replies span a segment",
            (profile([1], [0, 1, 0]), profile([1], [0, 0, 1])),
            degenerate=True,
        ),
        id="one-row",
    ),
    pytest.param(
        KnownGame(
            catalogue.jordan_three_player_pennies(),
            "Jordan 1993, Three problems in learning mixed-strategy Nash equilibria, Games and "
            "Economic Behavior 5: each player is indifferent only when the next mixes 1/2-1/2",
            (binary(1 / 2, 1 / 2, 1 / 2),),
            logit_limit=binary(1 / 2, 1 / 2, 1 / 2),
        ),
        id="jordan-three-player-pennies",
    ),
    pytest.param(
        KnownGame(
            game_of(MCKELVEY_MCLENNAN, "McKelvey and McLennan 2x2x2"),
            "McKelvey & McLennan 1996, Computation of equilibria in finite games, Handbook of "
            "Computational Economics 1 (payoffs of Gambit's contrib/games/2x2x2.nfg)",
            MCKELVEY_MCLENNAN_EQUILIBRIA,
        ),
        id="mckelvey-mclennan-2x2x2",
    ),
    pytest.param(
        KnownGame(
            game_of(FIVE_EQUILIBRIA, "Three players, five equilibria"),
            "constructed from best-response conditions (see the comment above it)",
            (
                binary(1, 1, 1),
                binary(0, 1, 0),
                binary(1 / 3, 1, 1 / 3),
                binary(1 / 2, 2 / 3, 2 / 3),
                binary(2 / 3, 1 / 2, 5 / 6),
            ),
        ),
        id="three-player-five-equilibria",
    ),
    pytest.param(
        KnownGame(
            game_of(PUBLIC_GOODS, "Linear public goods"),
            "Ledyard 1995, Public goods: a survey of experimental research: contributing is "
            "strictly dominated",
            (profile([1, 0, 0], [1, 0, 0], [1, 0, 0]),),
        ),
        id="three-player-only-pure",
    ),
    # Integer games whose branch ends somewhere other than where it first seems to head, with
    # the limit that Gambit's logit tracer also reaches.
    pytest.param(
        KnownGame(
            game_of(LOGIT_PASSES_MIXED, "Logit branch passing a mixed equilibrium"),
            "constructed; limit confirmed by Gambit's logit tracer: the branch comes closer to a "
            "totally mixed equilibrium up to lambda of about 1, then turns to (1/2-1/2, first, "
            "first), where player 1 is indifferent",
            None,
            logit_limit=profile([0.5, 0.5], [1, 0], [1, 0]),
        ),
        id="logit-passes-mixed-equilibrium",
    ),
    pytest.param(
        KnownGame(
            game_of(LOGIT_NEAR_CONTINUUM, "Logit branch near a continuum"),
            "constructed; limit confirmed by Gambit's logit tracer: player 2 still plays its "
            "second strategy a little at lambda near 2, and the Nash conditions on that support "
            "give the end (4/7) of a continuum that the branch approaches but leaves at 1/2",
            None,
            logit_limit=profile([0, 1], [1, 0], [0, 1], [0.5, 0.5]),
        ),
        id="logit-continuum-end-not-reached",
    ),
]


# --- selections --------------------------------------------------------------------------------


def has_equilibria(row: KnownGame) -> bool:
    return row.equilibria is not None


def two_players(row: KnownGame) -> bool:
    return has_equilibria(row) and row.players == 2


def nondegenerate(row: KnownGame) -> bool:
    return has_equilibria(row) and not row.degenerate


def has_logit_limit(row: KnownGame) -> bool:
    return row.logit_limit is not None


def cases(
    *fields: str,
    where: Callable[[KnownGame], bool] = has_equilibria,
    rescale: Callable[[FloatArray], FloatArray] | None = None,
    suffix: str = "",
    table: Sequence[Any] = NORMAL_FORM,
) -> list[Any]:
    """One ``pytest.param`` per row of ``table`` that passes ``where``, holding the named fields
    of the row, with the row's id (plus ``-suffix``). ``rescale`` maps ``payoffs`` first."""
    out = []
    for row in table:
        (known,) = row.values
        if not where(known):
            continue
        values = [getattr(known, name) for name in fields]
        if rescale is not None:
            values = [
                rescale(v) if name == "payoffs" else v
                for name, v in zip(fields, values, strict=True)
            ]
        out.append(pytest.param(*values, id=row.id + (f"-{suffix}" if suffix else "")))
    return out


def lemke_howson_paths() -> list[Any]:
    """(payoffs, dropped label, where the path ends) for each known Lemke-Howson path."""
    return [
        pytest.param(known.payoffs, label, end, id=f"{row.id}-label-{label}")
        for row in NORMAL_FORM
        for known in row.values
        for label, end in known.lemke_howson.items()
    ]


# --- game trees --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownTree:
    """A game tree with every subgame-perfect equilibrium, as node name -> action, in the order
    the solver lists them."""

    make: Callable[[], ExtensiveFormGame]
    citation: str
    subgame_perfect: list[dict[str, str]]


def tie_game() -> ExtensiveFormGame:
    """B is indifferent after L; A's best reply depends on how B breaks the tie."""
    return ExtensiveFormGame(
        ["A", "B"],
        Decision(
            "A",
            {
                "L": Decision("B", {"x": Terminal([1, 0]), "y": Terminal([2, 0])}),
                "R": Terminal([1.5, 3]),
            },
        ),
        title="tie",
    )


def chance_game() -> ExtensiveFormGame:
    """Nature moves first; A then chooses knowing the outcome."""
    return ExtensiveFormGame(
        ["A", "B"],
        Chance(
            {
                "good": (
                    0.3,
                    Decision("A", {"invest": Terminal([5, 1]), "wait": Terminal([1, 1])}),
                ),
                "bad": (
                    0.7,
                    Decision("A", {"invest": Terminal([-2, 0]), "wait": Terminal([0, 2])}),
                ),
            }
        ),
        title="chance",
    )


_TAKE_ALWAYS = {
    "(root)": "take",
    "pass": "take",
    "pass > pass": "take",
    "pass > pass > pass": "take",
}

TREES = [
    pytest.param(
        KnownTree(
            catalogue.entry_deterrence,
            "Selten 1978, one stage of the chain-store game",
            [{"(root)": "In", "In": "Accommodate"}],
        ),
        id="entry-deterrence",
    ),
    pytest.param(
        KnownTree(
            lambda: catalogue.centipede(4),
            "Rosenthal 1981; payoffs of McKelvey & Palfrey 1992: take at every node",
            [_TAKE_ALWAYS],
        ),
        id="centipede-4",
    ),
    pytest.param(
        KnownTree(
            tie_game,
            "constructed: how B breaks a tie changes A's move",
            [{"(root)": "R", "L": "x"}, {"(root)": "L", "L": "y"}],
        ),
        id="tie-changes-play",
    ),
    pytest.param(
        KnownTree(
            chance_game,
            "constructed: a chance move before each decision",
            [{"good": "invest", "bad": "wait"}],
        ),
        id="chance-node",
    ),
]


def tree_cases(*fields: str) -> list[Any]:
    """One ``pytest.param`` per known tree, holding the named fields, with the row's id."""
    return [
        pytest.param(*(getattr(known, name) for name in fields), id=row.id)
        for row in TREES
        for known in row.values
    ]
