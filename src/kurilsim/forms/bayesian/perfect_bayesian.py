"""Every pure perfect Bayesian equilibrium of a signalling game, and the hybrid ones of two types.

**Pure equilibria.** For each way the sender's final actions can be optimal (one, unless payoffs
tie) and each map from types to messages, a message some type sends with positive probability
gets the belief Bayes' rule gives, and the receiver's response there must be a best reply to it;
a message nobody sends may get any belief, so any response that is a best reply to *some* belief
is allowed, and the set of those beliefs
(:func:`~kurilsim.forms.bayesian.beliefs.best_reply_region`) is reported. Each combination
is kept when no type gains by sending another message. The enumeration is exhaustive over pure
strategies, so every pure equilibrium is found.

**Hybrid equilibria** (two types). One type mixes over two messages; the other sends one of
them. At the shared message the receiver mixes over two responses: its indifference fixes the
belief there, hence the mixing type's probability; the mixing type's own indifference fixes the
receiver's mixture (Fudenberg and Tirole 1991, sec. 8.2.3; Gibbons 1992, sec. 4.2). This is
the generic family; hybrids that need exact payoff ties (the receiver indifferent at a belief
that puts all weight on one type) are not searched, and results say so in their scope.

Every equilibrium returned has passed :func:`~kurilsim.forms.bayesian.assessment.check_assessment`
and carries the verdict of the intuitive criterion (Cho and Kreps 1987).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.forms.bayesian.assessment import (
    ZERO_MASS,
    Assessment,
    check_assessment,
    final_payoffs,
    type_payoffs,
)
from kurilsim.forms.bayesian.beliefs import best_replies, best_reply_region
from kurilsim.forms.bayesian.game import SignallingGame
from kurilsim.forms.bayesian.intuitive import intuitive_failure

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Most pure (sender, receiver) strategy pairs the enumeration visits before it stops.
MAX_PAIRS = 2_000_000
#: Most ways of breaking ties in the sender's final actions that are enumerated.
MAX_CONTINUATIONS = 256

#: What the enumeration promises.
SCOPE = (
    "every pure perfect Bayesian equilibrium; for two types, the hybrid equilibria in which one "
    "type mixes over two messages and the receiver mixes at the shared one"
)


@dataclass(frozen=True, eq=False)
class SignallingEquilibrium:
    """One perfect Bayesian equilibrium, with what a reader needs to judge it.

    Attributes
    ----------
    assessment
        Behaviour and beliefs.
    kind
        ``"pooling"``, ``"separating"``, ``"partially separating"`` or ``"hybrid"``.
    intuitive
        Whether it passes the intuitive criterion.
    failure
        Why it fails the criterion (empty when it passes).
    violation
        The largest violation of the equilibrium conditions found by the independent check.
    """

    assessment: Assessment
    kind: str
    intuitive: bool
    failure: str
    violation: float


def continuations(game: SignallingGame, slack: float) -> Iterator[IntArray]:
    """Every assignment of optimal final actions to the sender's histories.

    Raises
    ------
    InputError
        When ties allow more than :data:`MAX_CONTINUATIONS` of them.
    """
    sender = game.payoffs[..., 0]
    best = sender.max(axis=3, keepdims=True)
    # Tied actions that change nothing for anyone (payoffs and outcomes alike) count once.
    effects = np.concatenate([game.payoffs, game.outcome_values], axis=-1)
    ties = []
    for index in np.ndindex(*sender.shape[:3]):
        options: dict[tuple[float, ...], int] = {}
        for a in np.flatnonzero(sender[index] >= best[index][0] - slack):
            options.setdefault(tuple(np.round(effects[index][a], 12)), int(a))
        ties.append(tuple(options.values()))
    count = int(np.prod([len(t) for t in ties], dtype=float))
    if count > MAX_CONTINUATIONS:
        raise InputError(
            f"the sender's final actions tie in {count:,} ways (more than {MAX_CONTINUATIONS}); "
            "make the payoffs of its last move distinct"
        )
    shape = sender.shape[:3]
    for choice in itertools.product(*ties):
        yield np.array(choice, dtype=np.int64).reshape(shape)


def kind_of(sender: FloatArray) -> str:
    """Pooling, separating, partially separating (pure), or hybrid (some type mixes).

    Examples
    --------
    >>> import numpy as np
    >>> kind_of(np.array([[1.0, 0.0], [1.0, 0.0]])), kind_of(np.eye(2))
    ('pooling', 'separating')
    """
    if (sender.max(axis=1) < 1 - ZERO_MASS).any():
        return "hybrid"
    used = len(set(np.argmax(sender, axis=1).tolist()))
    if used == 1:
        return "pooling"
    return "separating" if used == sender.shape[0] else "partially separating"


def signalling_equilibria(
    game: SignallingGame, tol: float, max_pairs: int = MAX_PAIRS
) -> tuple[tuple[SignallingEquilibrium, ...], bool]:
    """Every pure perfect Bayesian equilibrium, and the generic hybrids of two-type games.

    Parameters
    ----------
    game
        The signalling game.
    tol
        Relative tolerance (times the game's payoff scale) for ties and checks.
    max_pairs
        Most strategy pairs visited; the listing is marked incomplete when it stops there.

    Returns
    -------
    equilibria : tuple of SignallingEquilibrium
        Pure ones first, in the order of the sender's strategies.
    complete : bool
        False when ``max_pairs`` cut the enumeration short.

    Examples
    --------
    >>> from kurilsim.forms.bayesian.literature import beer_quiche
    >>> found, complete = signalling_equilibria(beer_quiche(), 1e-9)
    >>> [(e.kind, e.intuitive) for e in found], complete
    ([('pooling', True), ('pooling', False)], True)
    """
    slack = tol * game.scale
    found: list[Assessment] = []
    visited = 0
    complete = True
    for actions in continuations(game, slack):
        payoffs = final_payoffs(game, actions)
        pure, count, finished = _pure(game, actions, payoffs, slack, max_pairs - visited)
        visited += count
        found += pure
        if not finished:
            complete = False
            break
        if len(game.types) == 2:
            found += _hybrids(game, actions, payoffs, slack)
    return tuple(_judged(game, a, payoffs_of(game, a), slack) for a in found), complete


def payoffs_of(game: SignallingGame, assessment: Assessment) -> FloatArray:
    """Payoffs at each (type, message, response) under the assessment's final actions."""
    return final_payoffs(game, assessment.actions)


def _judged(
    game: SignallingGame, assessment: Assessment, payoffs: FloatArray, slack: float
) -> SignallingEquilibrium:
    """Check the assessment independently and apply the intuitive criterion."""
    violation = check_assessment(game, assessment)
    if violation > slack:
        raise AssertionError(f"an equilibrium failed its check by {violation:g}")  # a bug
    off_path = [int(m) for m in np.flatnonzero(~assessment.on_path(game))]
    failure = intuitive_failure(
        payoffs[..., 0],
        payoffs[..., 1],
        type_payoffs(game, assessment),
        off_path,
        game.types,
        game.messages,
        slack,
    )
    return SignallingEquilibrium(
        assessment, kind_of(assessment.sender), not failure, failure, violation
    )


def _pure(
    game: SignallingGame, actions: IntArray, payoffs: FloatArray, slack: float, budget: int
) -> tuple[list[Assessment], int, bool]:
    n_types, n_messages, _ = payoffs.shape[:3]
    sender, receiver = payoffs[..., 0], payoffs[..., 1]
    all_types = list(range(n_types))
    # Off the path, the responses some belief supports, with the region of those beliefs.
    regions = {
        (m, r): best_reply_region(receiver[:, m], r, all_types)
        for m in range(n_messages)
        for r in range(receiver.shape[2])
    }
    off_options = [
        tuple(r for r in range(receiver.shape[2]) if len(regions[m, r])) for m in range(n_messages)
    ]
    found: list[Assessment] = []
    visited = 0
    for plan in itertools.product(range(n_messages), repeat=n_types):
        sent = np.zeros((n_types, n_messages))
        sent[all_types, plan] = 1.0
        joint = game.prior[:, None] * sent
        mass = joint.sum(axis=0)
        beliefs = np.zeros((n_messages, n_types))
        options = []
        for m in range(n_messages):
            if mass[m] > ZERO_MASS:
                beliefs[m] = joint[:, m] / mass[m]
                options.append(best_replies(receiver[:, m], beliefs[m], slack))
            else:
                options.append(off_options[m])
        for replies in itertools.product(*options):
            visited += 1
            if visited > budget:
                return found, visited, False
            got = sender[all_types, :, :][:, range(n_messages), replies]
            chosen = got[all_types, list(plan)]
            if (got.max(axis=1) > chosen + slack).any():
                continue
            response = np.zeros((n_messages, receiver.shape[2]))
            response[range(n_messages), replies] = 1.0
            region_list: list[FloatArray | None] = []
            final_beliefs = beliefs.copy()
            for m, r in enumerate(replies):
                if mass[m] > ZERO_MASS:
                    region_list.append(None)
                else:
                    region_list.append(regions[m, r])
                    final_beliefs[m] = regions[m, r][0]
            found.append(Assessment(sent, response, actions, final_beliefs, tuple(region_list)))
    return found, visited, True


def _hybrids(
    game: SignallingGame, actions: IntArray, payoffs: FloatArray, slack: float
) -> list[Assessment]:
    """Two-type hybrids: one type mixes between a shared and a revealing message."""
    sender, receiver = payoffs[..., 0], payoffs[..., 1]
    n_messages, n_responses = receiver.shape[1:]
    prior = game.prior
    found = []
    for mixer in (0, 1):
        other = 1 - mixer
        if prior[mixer] <= ZERO_MASS or prior[other] <= ZERO_MASS:
            continue
        for shared, revealing in itertools.permutations(range(n_messages), 2):
            point_mass = np.eye(2)[mixer]
            for r_reveal in best_replies(receiver[:, revealing], point_mass, slack):
                for r1, r2 in itertools.combinations(range(n_responses), 2):
                    found += _hybrid(
                        game,
                        actions,
                        sender,
                        receiver,
                        slack,
                        (mixer, other, shared, revealing, r_reveal, r1, r2),
                    )
    return found


def _hybrid(
    game: SignallingGame,
    actions: IntArray,
    sender: FloatArray,
    receiver: FloatArray,
    slack: float,
    case: tuple[int, int, int, int, int, int, int],
) -> list[Assessment]:
    mixer, other, shared, revealing, r_reveal, r1, r2 = case
    n_messages, n_responses = receiver.shape[1:]
    prior = game.prior
    # The receiver is indifferent between r1 and r2 at the shared message: solve for its belief.
    gap = receiver[:, shared, r1] - receiver[:, shared, r2]
    if abs(gap[other] - gap[mixer]) <= slack:
        return []
    x = gap[other] / (gap[other] - gap[mixer])  # P(mixer | shared message)
    if not 0 < x < prior[mixer]:
        return []
    q = x * prior[other] / (prior[mixer] * (1 - x))  # P(mixer sends the shared message)
    if not ZERO_MASS < q < 1 - ZERO_MASS:
        return []
    belief = np.zeros(2)
    belief[mixer], belief[other] = x, 1 - x
    if not {r1, r2} <= set(best_replies(receiver[:, shared], belief, slack)):
        return []
    # The mixer is indifferent between its two messages: solve for the receiver's mixture.
    a1, a2 = sender[mixer, shared, r1], sender[mixer, shared, r2]
    target = sender[mixer, revealing, r_reveal]
    if abs(a1 - a2) <= slack:
        return []
    s = (target - a2) / (a1 - a2)
    if not ZERO_MASS < s < 1 - ZERO_MASS:
        return []
    response = np.zeros((n_messages, n_responses))
    response[shared, [r1, r2]] = s, 1 - s
    response[revealing, r_reveal] = 1.0
    behaviour = np.zeros((2, n_messages))
    behaviour[mixer, [shared, revealing]] = q, 1 - q
    behaviour[other, shared] = 1.0
    beliefs = np.zeros((n_messages, 2))
    beliefs[shared] = belief
    beliefs[revealing, mixer] = 1.0
    unsent = [m for m in range(n_messages) if m not in (shared, revealing)]
    options = []
    for m in unsent:
        options.append(
            [(r, best_reply_region(receiver[:, m], r, [0, 1])) for r in range(n_responses)]
        )
    found = []
    for choice in itertools.product(*[[o for o in opts if len(o[1])] for opts in options]):
        reply = response.copy()
        believed = beliefs.copy()
        regions: list[FloatArray | None] = [None] * n_messages
        for m, (r, region) in zip(unsent, choice, strict=True):
            reply[m, r] = 1.0
            believed[m] = region[0]
            regions[m] = region
        values = (sender * reply[None]).sum(axis=2)
        if (values.max(axis=1) > (values * behaviour).sum(axis=1) + slack).any():
            continue
        found.append(Assessment(behaviour, reply, actions, believed, tuple(regions)))
    return found
