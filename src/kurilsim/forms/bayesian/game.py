"""Games of incomplete information: signalling games and simultaneous Bayesian games.

A player with *types* knows which one it is; the others know only the prior (Harsanyi 1967-68).
Two shapes are held here, each at one point of its parameters:

* :class:`SignallingGame`: the sender learns its type and sends a message; the receiver sees the
  message, not the type, and responds; the sender may then act, knowing everything. Payoffs are
  arrays over (type, message, response, action).
* :class:`BayesianGame`: players move at once, each knowing its own type; types are drawn
  independently from each player's prior. Payoffs are arrays over (type profile, action profile).

Examples
--------
>>> from kurilsim.forms.bayesian.literature import beer_quiche
>>> game = beer_quiche()
>>> game.types, game.messages, game.responses
(('weak', 'strong'), ('beer', 'quiche'), ('duel', 'not_duel'))
>>> game.payoffs[1, 0, 1].tolist()  # the strong type drinks beer and is left alone
[[3.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError

FloatArray = NDArray[np.float64]

#: How far priors may sum from one (rounding in their expressions).
PRIOR_SLACK = 1e-9


def prior_problem(prior: FloatArray) -> str:
    """What is wrong with a prior (empty when nothing is).

    Examples
    --------
    >>> import numpy as np
    >>> prior_problem(np.array([0.3, 0.6]))
    'probabilities summing to 0.9, not 1'
    >>> prior_problem(np.array([0.5, 0.5]))
    ''
    """
    if not np.isfinite(prior).all():
        return "a probability that is not a finite number"
    if (prior < 0).any():
        return f"a negative probability ({float(prior.min()):g})"
    total = float(prior.sum())
    if abs(total - 1) > PRIOR_SLACK:
        return f"probabilities summing to {total:.6g}, not 1"
    return ""


def _check_prior(prior: FloatArray, what: str) -> None:
    problem = prior_problem(prior)
    if problem:
        raise InputError(f"the prior of {what} has {problem}", field="prior")


@dataclass(frozen=True, eq=False)
class SignallingGame:
    """A sender-receiver game at one point of its parameters.

    Attributes
    ----------
    sender, receiver
        The two players' names.
    types
        The sender's types; ``prior`` their probabilities.
    messages, responses
        What the sender can send and the receiver can answer.
    actions
        What the sender can do after the response (one unnamed action when it does not act).
    payoffs
        Shape ``(n_types, n_messages, n_responses, n_actions, 2)``: sender, receiver.
    outcomes
        Names of outcome quantities (a deal struck, talks breaking down ...).
    outcome_values
        Shape ``(n_types, n_messages, n_responses, n_actions, n_outcomes)``.
    title
        The scenario's title.
    """

    sender: str
    receiver: str
    types: tuple[str, ...]
    prior: FloatArray = field(repr=False)
    messages: tuple[str, ...]
    responses: tuple[str, ...]
    actions: tuple[str, ...]
    payoffs: FloatArray = field(repr=False)
    outcomes: tuple[str, ...] = ()
    outcome_values: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    title: str = ""

    def __post_init__(self) -> None:
        shape = (len(self.types), len(self.messages), len(self.responses), len(self.actions))
        if self.payoffs.shape != (*shape, 2):
            raise InputError(f"payoffs have shape {self.payoffs.shape}, expected {(*shape, 2)}")
        if not np.isfinite(self.payoffs).all():
            raise InputError("a payoff is not a finite number", field="payoffs")
        if self.prior.shape != (len(self.types),):
            raise InputError(f"the prior has shape {self.prior.shape}, expected one per type")
        _check_prior(self.prior, self.sender)
        if self.outcome_values.size == 0:
            object.__setattr__(self, "outcome_values", np.zeros((*shape, len(self.outcomes))))
        if self.outcome_values.shape != (*shape, len(self.outcomes)):
            raise InputError("outcome values do not match the outcomes")

    @property
    def players(self) -> tuple[str, str]:
        """Sender, receiver."""
        return (self.sender, self.receiver)

    @property
    def sender_acts(self) -> bool:
        """Whether the sender moves again after the response."""
        return self.actions != ("",)

    @property
    def scale(self) -> float:
        """The largest range of either player's payoffs (1 when both are constant)."""
        ranges = np.ptp(self.payoffs.reshape(-1, 2), axis=0)
        return float(ranges.max()) or 1.0


@dataclass(frozen=True, eq=False)
class BayesianGame:
    """A simultaneous-move game in which players know their own types.

    Attributes
    ----------
    players
        The players' names.
    types
        Per player, its types (a player without private information has one type, ``""``).
    priors
        Per player, the probabilities of its types; types are drawn independently.
    actions
        Per player, its actions.
    payoffs
        Shape ``(*n_types, *n_actions, n_players)``.
    outcomes, outcome_values
        Outcome names, and their values with shape ``(*n_types, *n_actions, n_outcomes)``.
    title
        The scenario's title.
    """

    players: tuple[str, ...]
    types: tuple[tuple[str, ...], ...]
    priors: tuple[FloatArray, ...] = field(repr=False)
    actions: tuple[tuple[str, ...], ...]
    payoffs: FloatArray = field(repr=False)
    outcomes: tuple[str, ...] = ()
    outcome_values: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    title: str = ""

    def __post_init__(self) -> None:
        shape = (*(len(t) for t in self.types), *(len(a) for a in self.actions))
        n = len(self.players)
        if self.payoffs.shape != (*shape, n):
            raise InputError(f"payoffs have shape {self.payoffs.shape}, expected {(*shape, n)}")
        if not np.isfinite(self.payoffs).all():
            raise InputError("a payoff is not a finite number", field="payoffs")
        for player, types, prior in zip(self.players, self.types, self.priors, strict=True):
            if prior.shape != (len(types),):
                raise InputError(f"the prior of {player} needs one probability per type")
            _check_prior(prior, player)
        if self.outcome_values.size == 0:
            object.__setattr__(self, "outcome_values", np.zeros((*shape, len(self.outcomes))))

    @property
    def n_players(self) -> int:
        """How many players."""
        return len(self.players)

    def agents(self) -> tuple[tuple[int, int], ...]:
        """(player, type) for each agent: one per type of each player, in order."""
        return tuple((i, t) for i, types in enumerate(self.types) for t in range(len(types)))

    def agent_name(self, player: int, type_index: int) -> str:
        """``"Russia"`` for a player without types, ``"Russia[hard]"`` for a type."""
        name = self.types[player][type_index]
        return self.players[player] + (f"[{name}]" if name else "")


def leaf_axes(sizes: Sequence[int]) -> list[FloatArray]:
    """Index grids over a product of axes, one flattened array per axis (for indicators).

    Examples
    --------
    >>> [a.tolist() for a in leaf_axes([2, 2])]
    [[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]]
    """
    grids = np.meshgrid(*(np.arange(n, dtype=float) for n in sizes), indexing="ij")
    return [g.reshape(-1) for g in grids]
