r"""The likelihood of the record: how probable the model makes what actually happened.

A scenario's ``history`` block names, for each player, the strategies consistent with the record;
the profiles matching it form the *recorded event*. At any parameter point the model gives each
profile a probability, and the probability of the record is the sum over the recorded event.
With that, history becomes data: the product of these probabilities over the eras is the
likelihood that :mod:`kurilsim.analysis.calibration` samples from.

The probability model is the logit quantal response equilibrium (McKelvey and Palfrey 1995) on
its principal branch (:func:`~kurilsim.forms.normal.logit_qre.logit_qre`) in relative units: each
player's payoffs are mapped onto ``[0, 1]`` by an affine map of their own, so the precision
:math:`\lambda` is in units of each player's payoff range: the odds between two strategies change
by :math:`e^\lambda` when they differ by the player's whole range. Rescaling one player's payoffs,
which the scenario files declare arbitrary, leaves every probability unchanged.

Forms plug in through :data:`RECORD_MODELS`: a function from a scenario, a batch of parameter
values and the precisions to the probability of every outcome in each game of the batch, and the
outcomes that are the record. In the normal form the outcomes are the pure profiles. Game trees
(``extensive``), trees with information sets (``information``) and signalling games
(``bayesian``) end play at the leaves of a tree (:mod:`~kurilsim.analysis.tree_play`), and their
model is the *agent* logit QRE (McKelvey and Palfrey 1998): every information set is played by an
agent of its player who picks each action with probability proportional to
:math:`e^{\lambda v}`, ``v`` the action's expected payoff there under the beliefs the profile
itself induces (:mod:`~kurilsim.forms.information.logit_batch`), in the same relative units: each
player's leaf payoffs mapped onto ``[0, 1]``. Where the normal-form QRE of a tree would let a
player tremble jointly over a whole plan, the agent QRE trembles move by move, which is how a
tree's sequential logic is read; in a tree of perfect information it is logit backward induction,
unique, and tends to subgame-perfect play as :math:`\lambda` grows; with information sets its
principal branch tends to a sequential equilibrium. A signalling game has no QRE of its own in
:mod:`~kurilsim.forms.bayesian`; its model is the agent QRE of its Harsanyi tree
(:func:`~kurilsim.forms.bayesian.harsanyi.to_information_tree`): chance draws the sender's type
with the prior, each type of the sender is an agent, and the receiver's agent at each message
weighs the types by Bayes' rule on the QRE's own messages, so the smoothing is the QRE analogue
of a perfect Bayesian equilibrium, and tends to one (a sequential equilibrium) as :math:`\lambda`
grows. The sender's payoffs are made relative by one map across all types, so that types are
compared in one unit. A leaf is the record when the moves on its path agree with the
``history`` block (:func:`~kurilsim.analysis.tree_play.recorded_leaves`). A simultaneous Bayesian
game is refused: it is not played as a tree here.

Examples
--------
>>> import kurilsim
>>> era = kurilsim.load_scenario("scenarios/era_1956.yaml")
>>> p = record_probability(era, {}, precision=[0.0, 30.0])
>>> [round(float(x), 4) for x in p]  # at 0 every profile equally likely: 2 of 12 are recorded
[0.1667, 0.9998]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.analysis.tree_play import agent_qre_leaves, recorded_leaves
from kurilsim.core.errors import InputError, IterationLimitError
from kurilsim.core.scenario import Scenario
from kurilsim.forms.normal.logit_qre import logit_qre

FloatArray = NDArray[np.float64]

#: Bounds of each trace of the QRE branch, so that one bad point cannot stall a calibration.
_MAX_SECONDS = 10.0


def normal_form_profile_probabilities(
    scenario: Scenario, values: Mapping[str, Any], precision: FloatArray
) -> FloatArray:
    """The logit QRE probability of every pure profile, for each game of a batch.

    Parameters
    ----------
    scenario
        A normal-form scenario.
    values
        Every parameter's value: numbers, or 1-D arrays of one length ``G``.
    precision
        The precision of each game, shape ``(G,)``, in units of each player's payoff range.

    Returns
    -------
    ndarray
        Shape ``(G, n_1, ..., n_N)``; ``nan`` for a game whose QRE branch could not be followed
        to the precision (a bifurcation of a non-generic game, or the time bound).
    """
    payoffs = scenario.form.payoffs(scenario, values)
    batch = precision.shape[0]
    if payoffs.ndim == len(scenario.players) + 1:
        payoffs = np.broadcast_to(payoffs, (batch, *payoffs.shape))
    out = np.full(payoffs.shape[:-1], np.nan)
    for k in range(batch):
        try:
            mixtures = logit_qre(
                payoffs[k], float(precision[k]), max_seconds=_MAX_SECONDS, units="relative"
            )
        except IterationLimitError:
            continue
        joint = mixtures[0]
        for mixture in mixtures[1:]:
            joint = np.multiply.outer(joint, mixture)
        out[k] = joint
    return out


def normal_form_recorded(scenario: Scenario) -> NDArray[np.bool_]:
    """The pure profiles consistent with a normal-form scenario's record (its ``history``)."""
    return np.asarray(scenario.compiled.recorded, dtype=bool)


@dataclass(frozen=True)
class RecordModel:
    """How a form gives the probability of each outcome of play, and which are the record.

    Attributes
    ----------
    probabilities
        ``(scenario, values, precision) ->`` shape ``(G, *outcomes)``: the probability of each
        outcome (pure profile, leaf) at each point of a batch; ``nan`` where the QRE branch could
        not be followed.
    recorded
        ``scenario ->`` a boolean array of the outcomes' shape: those consistent with the record.
    """

    probabilities: Callable[[Scenario, Mapping[str, Any], FloatArray], FloatArray]
    recorded: Callable[[Scenario], NDArray[np.bool_]]


_TREES = RecordModel(agent_qre_leaves, recorded_leaves)

#: Form name -> its probability model of the record.
RECORD_MODELS: dict[str, RecordModel] = {
    "normal": RecordModel(normal_form_profile_probabilities, normal_form_recorded),
    "extensive": _TREES,
    "information": _TREES,
    "bayesian": _TREES,
}


def profile_probabilities(
    scenario: Scenario, values: Mapping[str, ArrayLike], precision: ArrayLike
) -> FloatArray:
    """The probability the model gives each outcome, over a batch of parameter points.

    The outcomes are the pure profiles of a normal-form game, the leaves of a tree.

    Parameters
    ----------
    scenario
        A scenario of a form in :data:`RECORD_MODELS`.
    values
        Parameter overrides (defaults for the rest): numbers, or 1-D arrays of one length.
    precision
        The QRE precision: a number, or one per point of the batch.

    Returns
    -------
    ndarray
        Shape ``(G, n_1, ..., n_N)`` (normal form) or ``(G, n_leaves)`` (trees), one row per
        point.

    Raises
    ------
    InputError
        For a form without a probability model, an unknown or refused parameter value, or a
        negative precision.
    """
    model = _record_model(scenario)
    resolved = scenario.parameter_values(values)
    lengths = {np.shape(v)[0] for v in resolved.values() if np.ndim(v) == 1}
    lam = np.atleast_1d(np.asarray(precision, dtype=np.float64))
    if lam.ndim != 1 or not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise InputError("precision must be a finite number >= 0, or a 1-D array of them")
    batch = max(lengths | {lam.shape[0]})
    if lam.shape[0] not in (1, batch):
        raise InputError(f"{lam.shape[0]} precisions for {batch} parameter points")
    return model.probabilities(scenario, resolved, np.broadcast_to(lam, (batch,)))


def record_probability(
    scenario: Scenario, values: Mapping[str, ArrayLike], precision: ArrayLike
) -> FloatArray:
    """The probability that the model gives the recorded outcome, at each parameter point.

    Parameters
    ----------
    scenario
        A scenario with a ``history`` block, of a form in :data:`RECORD_MODELS`.
    values, precision
        As for :func:`profile_probabilities`.

    Returns
    -------
    ndarray
        Shape ``(G,)``: the sum of the outcome probabilities over the recorded event.

    Raises
    ------
    InputError
        If the scenario records no history, and as :func:`profile_probabilities`.

    Examples
    --------
    >>> import kurilsim
    >>> era = kurilsim.load_scenario("scenarios/era_1983.yaml")
    >>> bool(record_probability(era, {}, 50.0)[0] > 0.99)  # near Nash: the record holds
    True
    >>> tree = kurilsim.load_scenario("scenarios/sequence_1956.yaml")
    >>> record_probability(tree, {}, [0.0, 100.0]).round(4).tolist()  # 1/8 at 0; then the SPE
    [0.125, 1.0]
    """
    recorded = recorded_event(scenario)
    probabilities = profile_probabilities(scenario, values, precision)
    return np.asarray((probabilities * recorded).reshape(len(probabilities), -1).sum(axis=1))


def _record_model(scenario: Scenario) -> RecordModel:
    model = RECORD_MODELS.get(scenario.form.name)
    if model is None:
        raise InputError(
            f"the likelihood of the record is not defined for the {scenario.form.name} form; "
            f"forms with one: {', '.join(RECORD_MODELS)}",
            file=scenario.source,
        )
    return model


def recorded_event(scenario: Scenario) -> NDArray[np.bool_]:
    """The outcomes (profiles, leaves) consistent with the scenario's record, as booleans.

    Raises
    ------
    InputError
        If the scenario records no history, or its form has no probability model.
    """
    model = _record_model(scenario)
    if scenario.spec.history is None:
        raise InputError("the scenario records no history to test against", file=scenario.source)
    return model.recorded(scenario)
