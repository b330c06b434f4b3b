"""The payoffs a normal-form scenario gives at chosen parameter values.

Parameter values are given per call: a scalar for one game, or a 1-D array for a batch of games;
:func:`payoff_tensor` evaluates every expression once on arrays, so a batch costs about as much
numpy work as its size, not a Python loop per point.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.rules import CompiledScenario, RuledValue, SemanticError

FloatArray = NDArray[np.float64]


def outcome_values(compiled: CompiledScenario, values: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters and outcome variables over strategy profiles, ready for expressions.

    Parameters given as 1-D arrays of length ``G`` are reshaped to ``(G, 1, ..., 1)``; each
    outcome variable has shape ``(G or 1, n_1, ..., n_N)``: values that do not depend on the
    parameters keep a batch axis of length 1, so only terms that involve parameters cost a full
    array. No range checking is done here.
    """
    profile_shape = tuple(len(s) for s in compiled.strategies)
    batch_ndim = int(any(np.ndim(v) == 1 for v in values.values()))
    spacer = (1,) * len(profile_shape)
    env: dict[str, Any] = {
        name: np.reshape(v, (-1, *spacer)) if np.ndim(v) == 1 else v for name, v in values.items()
    }
    base_shape = (1,) * batch_ndim + profile_shape
    for outcome in compiled.outcomes:
        env[outcome.name] = _evaluate(outcome, env, base_shape)
    return env


def payoff_tensor(
    compiled: CompiledScenario, values: Mapping[str, Any], source: str = "<scenario>"
) -> FloatArray:
    """Evaluate a compiled scenario's payoffs at parameter ``values`` (numbers or 1-D arrays).

    See :meth:`Scenario.payoff_tensor`; this function does no range checking.
    """
    profile_shape = tuple(len(s) for s in compiled.strategies)
    sizes = {np.size(v) for v in values.values() if np.ndim(v) == 1}
    batch_shape: tuple[int, ...] = (sizes.pop(),) if sizes else ()
    env = outcome_values(compiled, values)
    base_shape = (1,) * len(batch_shape) + profile_shape
    full_shape = batch_shape + profile_shape
    payoffs = np.stack(
        [np.broadcast_to(_evaluate(p, env, base_shape), full_shape) for p in compiled.payoffs],
        axis=-1,
    )
    _check_finite(payoffs, compiled, values, source, len(batch_shape))
    return payoffs


def _evaluate(ruled: RuledValue, env: Mapping[str, Any], base_shape: tuple[int, ...]) -> FloatArray:
    values = [ruled.default.evaluate(env)] + [rule.value.evaluate(env) for rule in ruled.rules]
    shape = np.broadcast_shapes(base_shape, *(np.shape(v) for v in values))
    out = np.array(np.broadcast_to(values[0], shape), dtype=np.float64)
    # Apply rules last to first so that the first matching rule has the final word.
    for rule, value in zip(reversed(ruled.rules), reversed(values[1:]), strict=True):
        out[..., rule.mask] = np.broadcast_to(value, shape)[..., rule.mask]
    return out


def _check_finite(
    payoffs: FloatArray,
    compiled: CompiledScenario,
    values: Mapping[str, Any],
    source: str,
    batch_ndim: int,
) -> None:
    bad = np.argwhere(~np.isfinite(payoffs))
    if bad.size == 0:
        return
    first = tuple(int(i) for i in bad[0])
    batch, profile, player = first[:batch_ndim], first[batch_ndim:-1], first[-1]
    names = [compiled.strategies[a][s] for a, s in enumerate(profile)]
    point = {k: float(np.asarray(v)[batch] if np.ndim(v) == 1 else v) for k, v in values.items()}
    shown = ", ".join(f"{k}={v:g}" for k, v in point.items()) or "no parameters"
    raise SemanticError(
        f"payoff of {compiled.players[player]} is {payoffs[first]} (not a finite number) at "
        f"profile ({', '.join(names)}) with {shown}; check the expression for division by zero, "
        "log of a non-positive number or overflow",
        compiled.payoffs[player].source_of(profile),
        file=source,
    )
