"""An assessment of a signalling game, and its check: Bayes' rule and sequential rationality.

An *assessment* is a behaviour strategy for each player and a belief at each of the receiver's
information sets (one per message). It is a perfect Bayesian equilibrium when beliefs follow
Bayes' rule wherever the message is sent with positive probability, the receiver's response at
every message is optimal given the belief there, the sender's final action is optimal at every
history, and every type's message is optimal given the responses (Fudenberg and Tirole 1991,
sec. 8.2). :func:`check_assessment` tests exactly these conditions from the payoff arrays, apart
from how the assessment was found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.forms.bayesian.game import SignallingGame

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Weight below which a message is treated as not sent.
ZERO_MASS = 1e-12


@dataclass(frozen=True, eq=False)
class Assessment:
    """Behaviour and beliefs in a signalling game.

    Attributes
    ----------
    sender
        Shape ``(n_types, n_messages)``: each type's probability of each message.
    receiver
        Shape ``(n_messages, n_responses)``: the response to each message.
    actions
        Shape ``(n_types, n_messages, n_responses)``: the sender's final action at each history
        (all zeros when the sender does not act again).
    beliefs
        Shape ``(n_messages, n_types)``: the receiver's belief at each message; from Bayes' rule
        on the path, one supporting belief off it.
    regions
        Per message: for a message off the path, the vertices of every belief that supports the
        response there; None on the path.
    """

    sender: FloatArray
    receiver: FloatArray
    actions: IntArray
    beliefs: FloatArray
    regions: tuple[FloatArray | None, ...]

    def on_path(self, game: SignallingGame) -> NDArray[np.bool_]:
        """Which messages are sent with positive probability."""
        mass: FloatArray = game.prior @ self.sender
        return mass > ZERO_MASS


def final_payoffs(game: SignallingGame, actions: IntArray) -> FloatArray:
    """Payoffs at each (type, message, response) once the sender's final ``actions`` are fixed.

    Returns shape ``(n_types, n_messages, n_responses, 2)``.
    """
    chosen = actions[..., None, None]
    picked: FloatArray = np.take_along_axis(game.payoffs, chosen, axis=3)[:, :, :, 0, :]
    return picked


def check_assessment(game: SignallingGame, assessment: Assessment) -> float:
    """The largest violation of the equilibrium conditions, in payoff units (0 when exact).

    An assessment passes when the result is at most ``tol`` times the game's payoff scale
    (:func:`passes`). Checked: behaviour and beliefs on their
    simplices; beliefs by Bayes' rule at every message sent; the sender's final action best at
    every history; the receiver's response best at every message, under the belief there (off
    the path, under every vertex of the stated region too); each type's message best.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms.bayesian.literature import beer_quiche
    >>> game = beer_quiche()
    >>> beer = Assessment(
    ...     sender=np.array([[1.0, 0.0], [1.0, 0.0]]),  # both types drink beer
    ...     receiver=np.array([[0.0, 1.0], [1.0, 0.0]]),  # leave beer alone, duel quiche
    ...     actions=np.zeros((2, 2, 2), dtype=np.int64),
    ...     beliefs=np.array([[0.1, 0.9], [1.0, 0.0]]),
    ...     regions=(None, np.array([[0.5, 0.5], [1.0, 0.0]])),
    ... )
    >>> check_assessment(game, beer)
    0.0
    """
    sender_u = game.payoffs[..., 0]
    receiver_u = game.payoffs[..., 1]
    violations = [0.0]
    # Probabilities off their simplex count in proportion to the payoff scale.
    for behaviour in (assessment.sender, assessment.receiver, assessment.beliefs):
        off = max(float(np.abs(behaviour.sum(axis=1) - 1).max()), float(-behaviour.min()))
        violations.append(off * game.scale)
    # The sender's last move, at every history (type, message, response).
    best_final = sender_u.max(axis=3)
    taken = np.take_along_axis(sender_u, assessment.actions[..., None], axis=3)[..., 0]
    violations.append(float((best_final - taken).max()))
    # Bayes' rule wherever a message is sent.
    joint = game.prior[:, None] * assessment.sender
    mass = joint.sum(axis=0)
    for sent in np.flatnonzero(mass > ZERO_MASS):
        m = int(sent)
        error = float(np.abs(assessment.beliefs[m] - joint[:, m] / mass[m]).max())
        violations.append(error * game.scale)
    # The receiver at every message, given the sender's final actions.
    receiver_at = np.take_along_axis(receiver_u, assessment.actions[..., None], axis=3)[..., 0]
    for m in range(len(game.messages)):
        beliefs = [assessment.beliefs[m]]
        region = assessment.regions[m]
        if region is not None:
            beliefs += list(region)
        for belief in beliefs:
            values = belief @ receiver_at[:, m, :]
            played = assessment.receiver[m] > ZERO_MASS
            violations.append(float(values.max() - values[played].min()))
    # Every type's message, given the responses.
    sender_at = np.take_along_axis(sender_u, assessment.actions[..., None], axis=3)[..., 0]
    for t in range(len(game.types)):
        values = (sender_at[t] * assessment.receiver).sum(axis=1)
        sent = assessment.sender[t] > ZERO_MASS
        violations.append(float(values.max() - values[sent].min()))
    return max(violations)


def passes(game: SignallingGame, assessment: Assessment, tol: float) -> bool:
    """Whether the assessment is a perfect Bayesian equilibrium up to ``tol``."""
    return check_assessment(game, assessment) <= tol * game.scale


def type_payoffs(game: SignallingGame, assessment: Assessment) -> FloatArray:
    """Each type's expected payoff, shape ``(n_types,)``."""
    sender_at = final_payoffs(game, assessment.actions)[..., 0]
    values: FloatArray = (assessment.sender * (sender_at * assessment.receiver).sum(axis=2)).sum(
        axis=1
    )
    return values


def history_probabilities(game: SignallingGame, assessment: Assessment) -> FloatArray:
    """The probability of each (type, message, response), shape ``(T, M, R)``."""
    joint: FloatArray = (
        game.prior[:, None, None] * assessment.sender[:, :, None] * assessment.receiver[None]
    )
    return joint


def expected_outcomes(game: SignallingGame, assessment: Assessment) -> FloatArray:
    """The expected value of each outcome quantity (its probability for a 0/1 outcome)."""
    chosen = assessment.actions[..., None, None]
    values = np.take_along_axis(game.outcome_values, chosen, axis=3)[:, :, :, 0, :]
    weights = history_probabilities(game, assessment)
    result: FloatArray = np.einsum("tmr,tmrk->k", weights, values)
    return result


def expected_payoffs(game: SignallingGame, assessment: Assessment) -> FloatArray:
    """The sender's and the receiver's expected payoffs before the type is drawn, shape ``(2,)``."""
    at = final_payoffs(game, assessment.actions)  # (T, M, R, 2)
    values: FloatArray = np.einsum("tmr,tmrp->p", history_probabilities(game, assessment), at)
    return values


def receiver_payoff(game: SignallingGame, assessment: Assessment) -> float:
    """The receiver's expected payoff."""
    return float(expected_payoffs(game, assessment)[1])
