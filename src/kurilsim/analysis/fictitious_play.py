r"""Fictitious play: each round every player best-responds to the others' empirical frequencies.

In Brown's fictitious play [1]_ each player believes that every other player draws a strategy from
the frequencies observed so far, and plays a best response to that belief; here all players move
at once (simultaneous fictitious play). The starting profile counts as one observed round, so
that play starts from a given belief; ties between best responses are broken uniformly at random.
The trajectory is the sequence of empirical frequencies. In two-player zero-sum games they
converge to the set of Nash equilibria (Robinson [2]_); in Shapley's 3x3 game [3]_ they cycle.

Two-player games are played by nashpy's ``Game.fictitious_play``; games with more players by the
same rule in numpy, as nashpy covers two players only.

References
----------
.. [1] G. W. Brown, "Iterative solution of games by fictitious play", in T. C. Koopmans (ed.),
   *Activity Analysis of Production and Allocation*, Wiley, 374-376, 1951.
.. [2] J. Robinson, "An iterative method of solving a game", *Annals of Mathematics* 54(2),
   296-301, 1951.
.. [3] L. S. Shapley, "Some topics in two-person games", in M. Dresher et al. (eds.),
   *Advances in Game Theory*, Princeton University Press, 1-28, 1964.

Examples
--------
>>> import numpy as np
>>> from kurilsim.forms import catalogue
>>> pennies = catalogue.matching_pennies().payoffs
>>> path = fictitious_play(pennies, (np.array([0.9, 0.1]), np.array([0.2, 0.8])), 2000, seed=0)
>>> [p[-1].round(1).tolist() for p in path]
[[0.5, 0.5], [0.5, 0.5]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kurilsim.forms.normal.regret import FloatArray, strategy_payoffs


def fictitious_play(
    payoffs: FloatArray, start: Sequence[FloatArray], steps: int, seed: int
) -> tuple[FloatArray, ...]:
    """Empirical frequencies of simultaneous fictitious play from the belief ``start``.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)``.
    start
        One probability vector per player: the first observed round.
    steps
        Rounds of play.
    seed
        Seed of the random tie-breaking.

    Returns
    -------
    tuple of ndarray
        One array per player of shape ``(steps + 1, n_i)``: row ``t`` holds the frequencies after
        ``t`` rounds (row 0 is ``start``).
    """
    if payoffs.shape[-1] == 2:
        counts = _nashpy_counts(payoffs, start, steps, seed)
    else:
        counts = _own_counts(payoffs, start, steps, seed)
    return tuple(c / c.sum(axis=1, keepdims=True) for c in counts)


def _nashpy_counts(
    payoffs: FloatArray, start: Sequence[FloatArray], steps: int, seed: int
) -> tuple[FloatArray, ...]:
    """Play counts of nashpy's fictitious play, ties broken from numpy's global random state.

    nashpy draws ties with ``np.random.choice``; the global state is seeded for the run and put
    back afterwards, so that a run is reproducible and leaves other users of it undisturbed.
    """
    import nashpy

    game = nashpy.Game(payoffs[..., 0], payoffs[..., 1])
    saved = np.random.get_state()  # noqa: NPY002 (nashpy draws from the global state)
    np.random.seed(seed)  # noqa: NPY002
    try:
        rounds = list(game.fictitious_play(steps, play_counts=[np.array(p) for p in start]))
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    return tuple(np.array([r[i] for r in rounds], dtype=np.float64) for i in range(2))


def _own_counts(
    payoffs: FloatArray, start: Sequence[FloatArray], steps: int, seed: int
) -> tuple[FloatArray, ...]:
    """Play counts of fictitious play with any number of players, by nashpy's rule."""
    rng = np.random.default_rng(seed)
    counts = [np.zeros((steps + 1, len(p))) for p in start]
    for c, p in zip(counts, start, strict=True):
        c[0] = p
    for t in range(steps):
        beliefs = [c[t] / c[t].sum() for c in counts]
        for c, values in zip(counts, strategy_payoffs(payoffs, beliefs), strict=True):
            best = np.flatnonzero(values == values.max())
            c[t + 1] = c[t]
            c[t + 1, best[0] if len(best) == 1 else rng.choice(best)] += 1.0
    return tuple(counts)
