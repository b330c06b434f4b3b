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
values and the precisions to the probability of every profile in each game of the batch. The
normal form is registered here; game trees (the agent QRE) and games with private information
add their own.

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
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

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


#: Form name -> the probability of every profile over a batch, as
#: :func:`normal_form_profile_probabilities`.
RECORD_MODELS: dict[str, Callable[[Scenario, Mapping[str, Any], FloatArray], FloatArray]] = {
    "normal": normal_form_profile_probabilities,
}


def profile_probabilities(
    scenario: Scenario, values: Mapping[str, ArrayLike], precision: ArrayLike
) -> FloatArray:
    """The probability the model gives each pure profile, over a batch of parameter points.

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
        Shape ``(G, n_1, ..., n_N)``, one row per point.

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
    return model(scenario, resolved, np.broadcast_to(lam, (batch,)))


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
        Shape ``(G,)``: the sum of the profile probabilities over the recorded event.

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
    """
    _record_model(scenario)
    recorded = recorded_event(scenario)
    probabilities = profile_probabilities(scenario, values, precision)
    return np.asarray((probabilities * recorded).reshape(len(probabilities), -1).sum(axis=1))


def _record_model(
    scenario: Scenario,
) -> Callable[[Scenario, Mapping[str, Any], FloatArray], FloatArray]:
    model = RECORD_MODELS.get(scenario.form.name)
    if model is None:
        raise InputError(
            f"the likelihood of the record is not defined for the {scenario.form.name} form; "
            f"forms with one: {', '.join(RECORD_MODELS)}",
            file=scenario.source,
        )
    return model


def recorded_event(scenario: Scenario) -> NDArray[np.bool_]:
    """The profiles consistent with the scenario's recorded outcome, as a boolean array.

    Raises
    ------
    InputError
        If the scenario records no history.
    """
    recorded = getattr(scenario.compiled, "recorded", None)
    if scenario.spec.history is None or recorded is None:
        raise InputError("the scenario records no history to test against", file=scenario.source)
    return np.asarray(recorded, dtype=bool)
