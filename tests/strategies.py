"""Hypothesis generators shared by the tests, with the seeded random games and the scenario texts
they build on.

Payoff arrays have one axis per player's strategies and a last axis of players, as everywhere in
kurilsim. Small integer payoffs make ties, and so degenerate games, common: that is where the
tolerance handling of the solvers matters.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kurilsim.forms.bargaining.game import BargainingProblem
from kurilsim.forms.bayesian.game import SignallingGame
from kurilsim.forms.conflict.game import Conflict
from kurilsim.forms.extensive.game import Chance, Decision, ExtensiveFormGame, Node, Terminal
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.regret import FloatArray

# --- payoff arrays -----------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=5)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def random_game(seed: int, shape: tuple[int, ...]) -> FloatArray:
    """Standard normal payoffs for the strategy counts ``shape``: nondegenerate with probability
    one, and the same for the same seed."""
    return np.random.default_rng(seed).standard_normal((*shape, len(shape)))


@st.composite
def integer_bimatrices(
    draw: st.DrawFn, low: int = 0, high: int = 2, smallest: int = 1, largest: int = 5
) -> FloatArray:
    """Two-player games with payoffs in ``low..high`` and ``smallest..largest`` strategies each."""
    m, n = draw(st.integers(smallest, largest)), draw(st.integers(smallest, largest))
    return draw(arrays(np.int64, (m, n, 2), elements=st.integers(low, high))).astype(float)


@st.composite
def float_bimatrices(draw: st.DrawFn) -> FloatArray:
    """Two-player games with standard normal payoffs, up to 5 strategies each."""
    return random_game(draw(seeds), (draw(sizes), draw(sizes)))


@st.composite
def payoff_arrays(
    draw: st.DrawFn,
    min_players: int = 1,
    max_players: int = 4,
    max_strategies: int = 3,
    low: int = -3,
    high: int = 3,
    integers: bool = True,
) -> FloatArray:
    """N-player games with integer payoffs in ``low..high``, or floats up to a million."""
    n_players = draw(st.integers(min_players, max_players))
    shape = tuple(draw(st.integers(1, max_strategies)) for _ in range(n_players))
    elements = st.integers(low, high) if integers else st.floats(-1e6, 1e6)
    return draw(arrays(np.float64, (*shape, n_players), elements=elements))


@st.composite
def small_games(draw: st.DrawFn) -> FloatArray:
    """Games of 2 to 4 players whose payoffs are mostly small integers, some floats."""
    n_players = draw(st.integers(min_value=2, max_value=4))
    most = {2: 3, 3: 3, 4: 2}[n_players]
    shape = tuple(draw(st.integers(min_value=1, max_value=most)) for _ in range(n_players))
    size = int(np.prod(shape)) * n_players
    payoff = st.one_of(
        st.integers(min_value=-3, max_value=3).map(float),
        st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
    )
    values = draw(st.lists(payoff, min_size=size, max_size=size))
    return np.array(values, dtype=float).reshape((*shape, n_players))


# --- user text, as a terminal would receive it -------------------------------------------------

#: Characters a terminal must not receive raw: C0 and C1 controls, DEL, bidirectional overrides.
CONTROL_CHARACTERS = "".join(
    map(chr, [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
)
#: Text that mixes control characters, backslashes and escape-like sequences with anything else.
hostile_texts = st.text(
    st.one_of(st.sampled_from(CONTROL_CHARACTERS + "\\xu[]"), st.characters(codec="utf-8"))
)

# --- normal-form games with names, as a .nfg file holds them ----------------------------------

labels = st.text(max_size=6)
payoff_values = st.one_of(
    st.integers(-(10**12), 10**12).map(float),
    st.floats(allow_nan=False, allow_infinity=False),
)


@st.composite
def normal_form_games(draw: st.DrawFn, labels: st.SearchStrategy[str] = labels) -> NormalFormGame:
    """Games of 1 to 3 players with arbitrary names and any finite payoffs."""
    n_players = draw(st.integers(1, 3))
    shape = draw(st.lists(st.integers(1, 3), min_size=n_players, max_size=n_players))
    players = draw(
        st.lists(labels.filter(bool), min_size=n_players, max_size=n_players, unique=True)
    )
    strategies = [draw(st.lists(labels, min_size=n, max_size=n, unique=True)) for n in shape]
    size = int(np.prod(shape)) * n_players
    payoffs = draw(st.lists(payoff_values, min_size=size, max_size=size))
    return NormalFormGame(
        players, strategies, np.reshape(payoffs, (*shape, n_players)), draw(labels)
    )


def nfg_token_soup() -> st.SearchStrategy[str]:
    """Runs of the tokens of the .nfg format, in any order."""
    pieces = ["NFG", "1", "R", "D", "0", "2", "3/2", "1/0", "-1", "x", "{", "}", ",", '"a"']
    pieces += ['"b"', '"', "\\", "\n"]
    return st.lists(st.sampled_from(pieces), max_size=40).map(" ".join)


# --- game trees --------------------------------------------------------------------------------

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


# --- bargaining problems -----------------------------------------------------------------------

coordinate = st.floats(-10, 10, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3))


@st.composite
def bargaining_problems(draw, symmetric=False, ratifiers=0):
    """A random two-player problem; symmetric ones are closed under swapping the players."""
    n = draw(st.integers(1, 7))
    utilities = np.array(draw(st.lists(st.tuples(coordinate, coordinate), min_size=n, max_size=n)))
    if symmetric:
        utilities = np.vstack([utilities, utilities[:, ::-1]])
        c = draw(coordinate)
        disagreement = np.array([c, c])
    else:
        disagreement = np.array([draw(coordinate), draw(coordinate)])
    size = len(utilities)
    approval = draw(
        st.lists(
            st.lists(st.floats(0, 1), min_size=ratifiers, max_size=ratifiers),
            min_size=size,
            max_size=size,
        )
    )
    return BargainingProblem(
        players=["A", "B"],
        deals=[f"deal{k}" for k in range(size)],
        utilities=utilities,
        disagreement=disagreement,
        discount=draw(st.tuples(st.floats(0.05, 0.99), st.floats(0.05, 0.99))),
        first_mover=draw(st.integers(0, 1)),
        ratifiers=[f"R{r}" for r in range(ratifiers)],
        approval=np.array(approval).reshape(size, ratifiers),
    )


# --- conflicts in graph form -------------------------------------------------------------------


@st.composite
def conflicts(draw):
    """2 to 4 decision makers, 1 to 7 states, random moves and small integer scores."""
    n = draw(st.integers(2, 4))
    m = draw(st.integers(1, 7))
    moves = np.array(
        draw(st.lists(st.booleans(), min_size=n * m * m, max_size=n * m * m)), dtype=bool
    ).reshape(n, m, m)
    # Small integer scores make ties common.
    payoffs = np.array(draw(st.lists(st.integers(0, 3), min_size=n * m, max_size=n * m)))
    return Conflict(tuple("ABCD"[:n]), moves, payoffs.reshape(n, m))


# --- expressions -------------------------------------------------------------------------------

_leaves = st.one_of(
    st.floats(-100, 100, allow_nan=False).map(lambda v: (repr(v), lambda env, v=v: v)),
    st.sampled_from(["a", "b"]).map(lambda n: (n, lambda env, n=n: env[n])),
)


def _extend(children):
    binary = st.tuples(st.sampled_from(["+", "-", "*"]), children, children).map(
        lambda t: (
            f"({t[1][0]} {t[0]} {t[2][0]})",
            lambda env, t=t: {"+": float.__add__, "-": float.__sub__, "*": float.__mul__}[t[0]](
                float(t[1][1](env)), float(t[2][1](env))
            ),
        )
    )
    functions = st.tuples(st.sampled_from(["min", "max"]), children, children).map(
        lambda t: (
            f"{t[0]}({t[1][0]}, {t[2][0]})",
            lambda env, t=t: {"min": min, "max": max}[t[0]](t[1][1](env), t[2][1](env)),
        )
    )
    return st.one_of(binary, functions)


#: Random expression trees over ``a`` and ``b``, as (text, function of the variables).
expressions = st.recursive(_leaves, _extend, max_leaves=12)


# --- scenario texts ----------------------------------------------------------------------------

STAG_HUNT = """\
kurilsim: 1
title: Stag hunt with a parameter
era: textbook
sources:
  - id: R1755
    title: Discourse on the Origin of Inequality
    author: Jean-Jacques Rousseau
parameters:
  stag:
    default: 4
    range: [2, 10]
    unit: meals
    description: value of a shared stag
    assumption: textbook illustration
  hare:
    default: 1
    range: [0, 3]
    unit: meals
    description: value of a hare caught alone
    evidence: [E01]
players:
  A: [stag, hare]
  B: [stag, hare]
outcomes:
  both_stag:
    description: both hunt the stag
    rules:
      - when: {A: stag, B: stag}
        value: 1
  a_hare:
    description: A hunts hare
    rules:
      - when: {A: hare}
        value: 1
  b_hare:
    description: B hunts hare
    rules:
      - when: {B: [hare]}
        value: 1
payoffs:
  A: stag * both_stag + hare * a_hare
  B: stag * both_stag + hare * b_hare
"""

PRISONERS_TABLE = """\
kurilsim: 1
title: Prisoner's dilemma
players:
  Row: [Cooperate, Defect]
  Column: [Cooperate, Defect]
payoff_table:
  - {profile: [Cooperate, Cooperate], payoffs: [3, 3]}
  - {profile: [Cooperate, Defect], payoffs: [0, 5]}
  - {profile: [Defect, Cooperate], payoffs: [5, 0]}
  - {profile: [Defect, Defect], payoffs: [1, 1]}
"""

# A bargaining scenario: two islands against joint activity, with a public that ratifies.
ISLANDS = """\
kurilsim: 1
form: bargaining
title: Two islands or joint activity
parameters:
  opposition:
    default: 0.71
    range: [0.5, 0.9]
    unit: share of the public
    description: opposed to a transfer
    evidence: [E50]
players: [Japan, Russia]
first_mover: Japan
variables:
  islands:
    description: island groups transferred
  package:
    description: economic package
    range: [0, 1]
    points: 3
deals:
  joint:
    description: joint activity
  two:
    description: two islands
    values: {islands: 2}
utilities:
  Japan: 0.3 + islands * 0.25 - 0.2 * package
  Russia: 0.1 - islands * 0.1 + 0.4 * package
disagreement: {Japan: 0, Russia: 0}
discount: {Japan: 0.8, Russia: 0.95}
ratification:
  public:
    description: the Russian public
    approval: where(islands > 0, 1 - opposition, 0.8)
    threshold: 0.5
history:
  summary: joint activity only
  outcome: {deal: joint}
  evidence: [E70]
"""

# Pieces that random edits splice into a valid scenario: YAML syntax, odd scalars, names.
_SYMBOLS = (
    ": [ ] { } , ' \" !! &a *a # ? | > % @ ` ~ null true .nan .inf -.inf 1e400 0x1F 0o17 1_0 "
    "1:30 2016-12-15 stag hare A B C players payoffs rules when value default range 1/0 "
    "log(-1) x.y"
)
_SPECIAL = ("", " ", "\n", "\t", "- ", "\x00", "\x07", "\ufeff", "__import__('os')", "lambda: 1")
scenario_pieces = st.sampled_from([*_SPECIAL, "9" * 400, *_SYMBOLS.split()])


@st.composite
def affinely_rescaled_games(draw: st.DrawFn) -> tuple[FloatArray, FloatArray]:
    """A small integer game and the same game with each player's payoffs shifted and scaled.

    Shifts are integers up to ``10**15`` and factors powers of two from ``2**-996`` to ``2**996``
    (about 1e-300 to 1e300); a shifted payoff stays below ``2**53``, so the copy is exactly a
    positive affine map of each player's payoffs and has exactly the same equilibria.
    """
    n_players = draw(st.integers(2, 3))
    shape = tuple(draw(st.integers(2, 3 if n_players == 2 else 2)) for _ in range(n_players))
    game = draw(arrays(np.float64, (*shape, n_players), elements=st.integers(-3, 3)))
    shifts = draw(st.lists(st.integers(-(10**15), 10**15), min_size=n_players, max_size=n_players))
    powers = draw(st.lists(st.integers(-996, 996), min_size=n_players, max_size=n_players))
    return game, np.ldexp(game + np.array(shifts, dtype=float), np.array(powers))


@st.composite
def generic_games_in_other_units(
    draw: st.DrawFn,
) -> tuple[FloatArray, FloatArray]:
    """A random generic game of 2 or 3 players and the same game in other units for each player.

    Each player's payoffs are multiplied by their own positive factor from 1e-3 to 1e3 and shifted
    by their own amount up to 1e3: the same preferences, with every player's unit arbitrary.
    """
    shape = draw(st.sampled_from([(2, 2), (3, 2), (3, 3), (2, 2, 2), (3, 2, 2)]))
    game = random_game(draw(seeds), shape)
    n_players = len(shape)
    exponents = st.floats(-3, 3, allow_nan=False)
    factors = 10.0 ** np.array(draw(st.lists(exponents, min_size=n_players, max_size=n_players)))
    shifts = st.floats(-1e3, 1e3, allow_nan=False)
    offsets = np.array(draw(st.lists(shifts, min_size=n_players, max_size=n_players)))
    return game, game * factors + offsets


@st.composite
def signalling_games(draw: st.DrawFn) -> SignallingGame:
    """Small signalling games: 2-3 types with positive priors, 2-3 messages, 2-3 responses and
    integer payoffs in [-3, 3] (so that ties and boundary beliefs occur)."""
    n_types = draw(st.integers(2, 3))
    n_messages = draw(st.integers(2, 3))
    n_responses = draw(st.integers(2, 3))
    weights = draw(st.lists(st.integers(1, 4), min_size=n_types, max_size=n_types))
    shape = (n_types, n_messages, n_responses, 1, 2)
    cells = draw(
        st.lists(st.integers(-3, 3), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
    )
    return SignallingGame(
        sender="S",
        receiver="R",
        types=tuple(f"t{k}" for k in range(n_types)),
        prior=np.array(weights, dtype=float) / sum(weights),
        messages=tuple(f"m{k}" for k in range(n_messages)),
        responses=tuple(f"r{k}" for k in range(n_responses)),
        actions=("",),
        payoffs=np.array(cells, dtype=float).reshape(shape),
    )


# --- normal-form scenarios with parameters, for sweeps ------------------------------------------

_FUNCTION_TEXT = (
    "exp({})",
    "log(abs({}) + 1)",
    "sqrt(abs({}))",
    "abs({})",
    "min({}, {})",
    "max({}, {})",
    "where({} > {}, {}, {})",
)


@st.composite
def _expressions(draw: st.DrawFn, names: list[str], depth: int = 2) -> str:
    """Expression text over ``names``: arithmetic, powers and the language's functions."""
    if depth == 0 or draw(st.booleans()):
        # Numbers a tolerance apart make near-ties, where the tolerance decides.
        return draw(
            st.sampled_from([*names, "0", "1", "2", "0.5", "-1", "3", "1.000000002", "2e-9"])
        )
    kind = draw(st.sampled_from(["+", "-", "*", "/", "**", "call"]))
    if kind == "call":
        template = draw(st.sampled_from(_FUNCTION_TEXT))
        parts = [draw(_expressions(names, depth - 1)) for _ in range(template.count("{}"))]
        return template.format(*parts)
    left, right = draw(_expressions(names, depth - 1)), draw(_expressions(names, depth - 1))
    if kind == "**":
        right = draw(st.sampled_from(["2", "0.5", "3"]))
        left = f"abs({left})"
    return f"({left} {kind} {right})"


@st.composite
def sweep_scenarios(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A normal-form scenario's text with two parameters, and the names of its parameters.

    Two to four players with one to three strategies, outcome variables set by rules on some
    players' strategies (so values vary along some axes only) and payoffs mixing parameters,
    outcomes and the functions of the expression language; small numbers make ties common.
    """
    n_players = draw(st.integers(2, 4))
    players = {
        f"P{i}": [f"s{i}{k}" for k in range(draw(st.integers(1, 3)))] for i in range(n_players)
    }
    parameters = ["a", "b"]
    lines = ["kurilsim: 1", "title: random", "parameters:"]
    for name, default in zip(parameters, (0.37, 1.13), strict=True):
        lines.append(
            f"  {name}: {{default: {default}, range: [-2, 2], unit: u, description: d, "
            "assumption: e}"
        )
    lines.append("players:")
    lines += [f"  {p}: [{', '.join(s)}]" for p, s in players.items()]
    known = list(parameters)
    lines.append("outcomes:")
    for k in range(draw(st.integers(1, 3))):
        lines.append(f"  o{k}:")
        lines.append("    description: d")
        lines.append(f"    default: '{draw(_expressions(known, 1))}'")
        lines.append("    rules:")
        for _ in range(draw(st.integers(1, 3))):
            who = draw(
                st.lists(st.sampled_from(list(players)), min_size=1, max_size=2, unique=True)
            )
            when = ", ".join(f"{p}: {draw(st.sampled_from(players[p]))}" for p in who)
            lines.append(f"      - {{when: {{{when}}}, value: '{draw(_expressions(known, 1))}'}}")
        known.append(f"o{k}")
    lines.append("payoffs:")
    lines += [f"  {p}: '{draw(_expressions(known))}'" for p in players]
    return "\n".join(lines) + "\n", parameters


# --- dynamic games ---------------------------------------------------------------------------


@st.composite
def small_dynamic_games(draw):
    """The text of a dynamic scenario: a two-player 2 x 2 stage game whose payoffs grow or shrink
    with a state of 2 or 3 levels, each profile moving the state to a drawn level, over 1 to 3
    rounds."""
    levels = draw(st.integers(2, 3))
    rounds = draw(st.integers(1, 3))
    entries = st.integers(-3, 3)
    payoffs = [[draw(entries) for _ in range(2)] for _ in range(4)]
    slope = [draw(st.integers(-2, 2)) for _ in range(2)]
    moves = [draw(st.integers(0, levels - 1)) for _ in range(4)]
    profiles = list(itertools.product(["x", "y"], repeat=2))
    table = "\n".join(
        f"      - {{profile: [{a}, {b}], "
        f"payoffs: ['{u} + {slope[0]} * s', '{v} + {slope[1]} * s']}}"
        for (a, b), (u, v) in zip(profiles, payoffs, strict=True)
    )
    move = " + ".join(f"{m} * (a == {k})" for k, m in enumerate(moves))
    text = (
        "kurilsim: 1\nform: dynamic\ntitle: Random\n"
        + f"""
players: [A, B]
state:
  s: {{range: [0, {levels - 1}], levels: {levels}, initial: 0, description: s, assumption: t}}
stages:
  g:
    strategies: {{A: [x, y], B: [x, y]}}
    outcomes:
      a:
        description: profile index
        rules:
          - {{when: {{A: x, B: y}}, value: 1}}
          - {{when: {{A: y, B: x}}, value: 2}}
          - {{when: {{A: y, B: y}}, value: 3}}
    payoff_table:
{table}
    transitions: {{s: "{move}"}}
horizon: {{rounds: {rounds}, schedule: [g], discount: 0.9}}
"""
    )
    return text
