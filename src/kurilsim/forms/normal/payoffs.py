"""The payoffs a normal-form scenario gives at chosen parameter values.

Parameter values are given per call: a scalar for one game, or a 1-D array for a batch of games;
:func:`payoff_tensor` evaluates every expression once on arrays, so a batch costs about as much
numpy work as its size, not a Python loop per point.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeGuard

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.rules import CompiledScenario, RuledValue, SemanticError

FloatArray = NDArray[np.float64]


def outcome_values(
    compiled: CompiledScenario, values: Mapping[str, Any], games_last: bool = False
) -> dict[str, Any]:
    """Parameters and outcome variables over strategy profiles, ready for expressions.

    Parameters given as 1-D arrays of length ``G`` are reshaped to ``(G, 1, ..., 1)``; each
    outcome variable broadcasts to ``(G, n_1, ..., n_N)`` (``(n_1, ..., n_N)`` for one game) and
    keeps length 1 along every axis it does not depend on: a value that does not depend on the
    parameters has a batch axis of length 1, one that depends on a single player's strategy has
    length 1 along the others'. Only terms that involve them all cost a full array, and each value
    is the one a full array would hold there. With ``games_last`` the batch axis comes last,
    ``(n_1, ..., n_N, G)``: numpy's loops then run along the games, however few the strategies.
    No range checking is done here.
    """
    n_axes = len(compiled.strategies)
    batch_ndim = int(any(np.ndim(v) == 1 for v in values.values()))
    spacer = (1,) * n_axes
    batch = (*spacer, -1) if games_last else (-1, *spacer)
    env: dict[str, Any] = {
        name: np.reshape(v, batch) if np.ndim(v) == 1 else v for name, v in values.items()
    }
    base_shape = (1,) * (batch_ndim + n_axes)
    trailing = bool(games_last and batch_ndim)
    for outcome in compiled.outcomes:
        env[outcome.name] = _evaluate(outcome, env, base_shape, trailing)
    return env


def player_payoffs(
    compiled: CompiledScenario,
    values: Mapping[str, Any],
    source: str = "<scenario>",
    games_last: bool = False,
    checked: bool = True,
) -> list[FloatArray]:
    """Each player's payoffs at parameter ``values`` (numbers or 1-D arrays), checked finite.

    Player ``i``'s array broadcasts to ``(G, n_1, ..., n_N)`` (``(n_1, ..., n_N)`` for one
    game; ``(n_1, ..., n_N, G)`` with ``games_last``) and has length 1 along every axis the
    payoff does not depend on, as in :func:`outcome_values`; :func:`payoff_tensor` is these
    arrays broadcast and stacked. Without ``checked`` the caller checks them (as a sweep does
    in the pass that finds best replies) and calls :func:`check_finite` if one is not finite.

    Raises
    ------
    SemanticError
        At the first payoff that is not finite, as :func:`payoff_tensor`.
    """
    payoffs = list(each_player_payoff(compiled, values, games_last))
    if checked and not all(map(finite_sum, payoffs)):
        check_finite(compiled, values, payoffs, source, games_last)
    return payoffs


def each_player_payoff(
    compiled: CompiledScenario, values: Mapping[str, Any], games_last: bool = False
) -> Iterator[FloatArray]:
    """Each player's payoffs, as :func:`player_payoffs` gives them, evaluated as they are asked for.

    The outcome variables are evaluated first, for all players; no payoff is checked here. A
    caller can then use each player's payoffs while they are still in the processor's cache
    (:func:`~kurilsim.forms.normal.pure_nash.streamed_best_responses`).

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> hunt = load_scenario("scenarios/textbook/stag_hunt.yaml")
    >>> [p.tolist() for p in each_player_payoff(hunt.compiled, hunt.defaults())]
    [[[4.0, 0.0], [1.0, 1.0]], [[4.0, 1.0], [0.0, 1.0]]]
    """
    env = outcome_values(compiled, values, games_last)
    batch_ndim = int(any(np.ndim(v) == 1 for v in values.values()))
    base_shape = (1,) * (batch_ndim + len(compiled.strategies))
    trailing = bool(games_last and batch_ndim)
    for payoff in compiled.payoffs:
        yield _evaluate(payoff, env, base_shape, trailing)


def check_finite(
    compiled: CompiledScenario,
    values: Mapping[str, Any],
    payoffs: list[FloatArray],
    source: str = "<scenario>",
    games_last: bool = False,
) -> None:
    """Raise at the first payoff of :func:`player_payoffs` (given as ``payoffs``) not finite.

    Raises
    ------
    SemanticError
        Naming the player, the profile and the parameter values, at the first payoff that is
        not finite in the order of games, then profiles, then players.
    """
    batch_ndim = int(any(np.ndim(v) == 1 for v in values.values()))
    first = [np.moveaxis(p, -1, 0) for p in payoffs] if games_last and batch_ndim else payoffs
    _check_finite(_stacked(compiled, values, first), compiled, values, source, batch_ndim)


def payoff_tensor(
    compiled: CompiledScenario, values: Mapping[str, Any], source: str = "<scenario>"
) -> FloatArray:
    """Evaluate a compiled scenario's payoffs at parameter ``values`` (numbers or 1-D arrays).

    See :meth:`Scenario.payoff_tensor`; this function does no range checking.
    """
    return _stacked(compiled, values, player_payoffs(compiled, values, source))


def _stacked(
    compiled: CompiledScenario, values: Mapping[str, Any], payoffs: list[FloatArray]
) -> FloatArray:
    """The players' payoffs broadcast to every game and profile, the player axis last."""
    profile_shape = tuple(len(s) for s in compiled.strategies)
    sizes = {np.size(v) for v in values.values() if np.ndim(v) == 1}
    full_shape = (sizes.pop(), *profile_shape) if sizes else profile_shape
    stacked = np.empty((*full_shape, len(payoffs)))
    for i, p in enumerate(payoffs):
        stacked[..., i] = p
    return stacked


def _evaluate(
    ruled: RuledValue, env: Mapping[str, Any], base_shape: tuple[int, ...], games_last: bool
) -> FloatArray:
    values = [ruled.default.evaluate(env)] + [rule.value.evaluate(env) for rule in ruled.rules]
    masks = [
        rule.narrow_mask[..., None] if games_last else rule.narrow_mask for rule in ruled.rules
    ]
    shape = np.broadcast_shapes(base_shape, *(m.shape for m in masks), *map(np.shape, values))
    first = values[0]
    if _fresh(first, shape, [env[name] for name in ruled.default.names]):
        out = first  # a new array of the full shape: the rules are applied to it in place
    else:
        out = np.array(np.broadcast_to(first, shape), dtype=np.float64)
    # Apply rules last to first so that the first matching rule has the final word.
    for mask, value in zip(reversed(masks), reversed(values[1:]), strict=True):
        np.copyto(out, value, where=mask)
    return out


def _fresh(value: Any, shape: tuple[int, ...], named: Sequence[Any]) -> TypeGuard[FloatArray]:
    """Whether ``value`` is a float64 array of ``shape`` made by the evaluation, held nowhere else.

    An expression gives a new array unless it is a bare name, whose array is one of ``named``,
    the values of the names the expression refers to.
    """
    return (
        isinstance(value, np.ndarray)
        and value.dtype == np.float64
        and value.shape == shape
        and value.flags.writeable
        and value.base is None
        and not any(value is held for held in named)
    )


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


def finite_sum(values: FloatArray) -> bool:
    """Whether ``values`` sum to a finite number: never when one is nan or infinite.

    One pass that clears every value, or sends the caller to the exact check
    (:func:`~kurilsim.forms.normal.payoffs.check_finite`); a sum of finite values that
    overflows only costs that check.

    Examples
    --------
    >>> finite_sum(np.array([1.0, 2.0])), finite_sum(np.array([1.0, np.nan]))
    (True, False)
    >>> finite_sum(np.array([1e308, 1e308]))  # finite values, but the exact check must say
    False
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(np.sum(values)))
