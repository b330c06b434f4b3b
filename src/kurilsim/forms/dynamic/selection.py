"""Which equilibrium of a stage game is played, at every state of every point at once.

A Markov perfect equilibrium plays, at each state, a Nash equilibrium of the stage game whose
payoffs are the stage payoffs plus the discounted continuation values. Where that game has
several equilibria, the scenario's rule picks one:

* ``payoff-dominance``: the equilibrium with the largest sum of the players' payoffs. When one
  equilibrium Pareto-dominates all others (Harsanyi and Selten 1988) it has the largest sum, so
  this is the payoff-dominant equilibrium whenever one exists; otherwise the sum is the
  modelling rule.
* ``risk-dominance``: among pure equilibria, the largest product over players of the loss from
  the best unilateral deviation (the Nash product of deviation losses, which is Harsanyi and
  Selten's criterion in 2 x 2 games; for larger games it is the modelling rule).
* ``logit-limit``: the limit of the principal branch of the logit quantal response equilibrium
  (McKelvey and Palfrey 1995), :func:`~kurilsim.forms.normal.logit_qre.logit_nash`.

Pure equilibria are found on the whole ``(B, S)`` batch by
:func:`~kurilsim.forms.normal.pure_nash.pure_nash_mask`. A two-player 2 x 2 stage game without a
pure equilibrium has exactly one equilibrium, completely mixed (with no pure equilibrium every
best reply is strict and they cycle, so each player's mixture is the one that makes the other
indifferent), which is computed in closed form on every such state at once. A state whose stage
game has no pure equilibrium and another shape is solved alone by the normal form's enumeration
(:func:`kurilsim.forms.normal.solve.solve`), and the mixed equilibrium with the largest sum of
payoffs is played. Ties go to the first profile in the order of the strategies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.pure_nash import pure_nash_mask

FloatArray = NDArray[np.float64]
#: The rules that pick one equilibrium of a stage game.
RULES = ("payoff-dominance", "risk-dominance", "logit-limit")
#: One probability array per player, each of shape ``(B, S, n_i)``.
Mixes = list[FloatArray]


def deviation_losses(values: FloatArray) -> FloatArray:
    """Each player's loss from their best unilateral deviation, at every profile.

    Parameters
    ----------
    values
        Shape ``(B, S, n_1, ..., n_N, N)``.

    Returns
    -------
    numpy.ndarray
        Same shape: ``values[..., i]`` minus the best that player ``i`` gets from another of their
        strategies, the others' fixed; 0 for a player with one strategy.

    Examples
    --------
    >>> import numpy as np
    >>> stag = np.array([[[4, 4], [0, 3]], [[3, 0], [3, 3]]], float)[None, None]
    >>> deviation_losses(stag)[0, 0, :, :, 0].tolist()
    [[1.0, -3.0], [-1.0, 3.0]]
    """
    n_players = values.shape[-1]
    losses = np.zeros_like(values)
    for i in range(n_players):
        own = values[..., i]
        axis = 2 + i
        n = own.shape[axis]
        if n == 1:
            continue
        for j in range(n):
            others = np.delete(own, j, axis=axis).max(axis=axis)
            here = np.take(own, j, axis=axis)
            target = np.moveaxis(losses[..., i], axis, 0)
            target[j] = here - others
    return losses


def select(values: FloatArray, rule: str, tol: float) -> Mixes:
    """The equilibrium the rule picks in the stage game at every point and state.

    Parameters
    ----------
    values
        Shape ``(B, S, n_1, ..., n_N, N)``: stage payoffs plus discounted continuation values.
    rule
        ``"payoff-dominance"``, ``"risk-dominance"`` or ``"logit-limit"``.
    tol
        Relative tolerance of the equilibrium conditions.

    Returns
    -------
    list of numpy.ndarray
        One array per player, shape ``(B, S, n_i)``: the probability of each strategy.

    Examples
    --------
    >>> import numpy as np
    >>> stag = np.array([[[4, 4], [0, 3]], [[3, 0], [3, 3]]], float)[None, None]
    >>> [m[0, 0].tolist() for m in select(stag, "payoff-dominance", 1e-9)]
    [[1.0, 0.0], [1.0, 0.0]]
    >>> [m[0, 0].tolist() for m in select(stag, "risk-dominance", 1e-9)]
    [[0.0, 1.0], [0.0, 1.0]]
    """
    if rule not in RULES:
        raise InputError(
            f"this plays one equilibrium per stage: give a selection rule ({', '.join(RULES)}), "
            f"not {rule!r}",
            field="selection",
        )
    batch, states = values.shape[:2]
    shape = values.shape[2:-1]
    mixes = [np.zeros((batch, states, n)) for n in shape]
    if rule == "logit-limit":
        unsolved = np.ones((batch, states), dtype=bool)
    else:
        mask = pure_nash_mask(values, tol)
        if rule == "payoff-dominance":
            score = values.sum(axis=-1)
        else:
            score = np.prod(deviation_losses(values), axis=-1)
        flat = np.where(mask, score, -np.inf).reshape(batch, states, -1)
        unsolved = np.logical_not(mask.reshape(batch, states, -1).any(axis=-1))
        cells = np.unravel_index(flat.argmax(axis=-1), shape)
        b, s = np.indices((batch, states))
        for mix, cell in zip(mixes, cells, strict=True):
            mix[b, s, cell] = 1.0
    if rule != "logit-limit" and shape == (2, 2):
        rows, columns = two_by_two_mixed(values[unsolved])
        mixes[0][unsolved] = rows
        mixes[1][unsolved] = columns
        unsolved = np.zeros_like(unsolved)
    for b, s in np.argwhere(unsolved):
        profile = _alone(values[b, s], rule, tol)
        for mix, p in zip(mixes, profile, strict=True):
            mix[b, s] = p
    return mixes


def two_by_two_mixed(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The completely mixed equilibrium of 2 x 2 games without a pure one, over a batch.

    Parameters
    ----------
    values
        Shape ``(K, 2, 2, 2)``: ``K`` two-player 2 x 2 games, none with a pure equilibrium.

    Returns
    -------
    rows, columns
        Shape ``(K, 2)`` each: the row player's mixture (which leaves the column player
        indifferent) and the column player's (which leaves the row player indifferent).

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim.forms import catalogue
    >>> rows, columns = two_by_two_mixed(catalogue.matching_pennies().payoffs[None])
    >>> rows.tolist(), columns.tolist()
    ([[0.5, 0.5]], [[0.5, 0.5]])
    """
    a, b = values[..., 0], values[..., 1]
    y = (a[:, 1, 1] - a[:, 0, 1]) / (a[:, 0, 0] - a[:, 0, 1] - a[:, 1, 0] + a[:, 1, 1])
    x = (b[:, 1, 1] - b[:, 1, 0]) / (b[:, 0, 0] - b[:, 1, 0] - b[:, 0, 1] + b[:, 1, 1])
    return np.stack([x, 1 - x], axis=-1), np.stack([y, 1 - y], axis=-1)


def _alone(values: FloatArray, rule: str, tol: float) -> Sequence[FloatArray]:
    """The equilibrium the rule picks in one stage game, by the normal form's methods."""
    if rule == "logit-limit":
        from kurilsim.forms.normal.logit_qre import logit_nash

        return logit_nash(values, tol)
    from kurilsim.forms.normal.solve import solve

    n = values.shape[-1]
    game = NormalFormGame(
        [f"P{i}" for i in range(n)],
        [[f"s{k}" for k in range(m)] for m in values.shape[:-1]],
        values,
    )
    equilibria = solve(game, "auto", tol)
    best = max(equilibria, key=lambda eq: float(eq.payoffs.sum()))
    return best.profile


def joint(mixes: Sequence[FloatArray]) -> FloatArray:
    """The probability of every profile, shape ``(B, S, n_1, ..., n_N)``, from each player's mix.

    Examples
    --------
    >>> import numpy as np
    >>> half = np.full((1, 1, 2), 0.5)
    >>> joint([half, half])[0, 0].tolist()
    [[0.25, 0.25], [0.25, 0.25]]
    """
    n = len(mixes)
    out = np.ones(mixes[0].shape[:2] + tuple(m.shape[-1] for m in mixes))
    for i, mix in enumerate(mixes):
        view = [mix.shape[0], mix.shape[1]] + [1] * n
        view[2 + i] = mix.shape[-1]
        out = out * mix.reshape(view)
    return out
