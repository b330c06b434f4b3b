r"""The logit quantal response equilibrium and its principal branch, for any number of players.

In a logit quantal response equilibrium (QRE) of McKelvey and Palfrey [1]_ every player plays
each pure strategy with a probability that grows exponentially with its expected payoff against
the others' mixtures:

.. math:: p_{ia} = \frac{\exp(\lambda\, v_{ia}(p))}{\sum_b \exp(\lambda\, v_{ib}(p))},

where :math:`v_{ia}(p)` is player :math:`i`'s expected payoff from strategy :math:`a` and
:math:`\lambda \ge 0` the precision. At :math:`\lambda = 0` the only QRE is the centroid (every
player mixes uniformly). For generic games the QREs for :math:`\lambda \ge 0` form curves, and
exactly one of them, the *principal branch*, starts at the centroid and, as :math:`\lambda`
grows, approaches a Nash equilibrium: the limiting logit equilibrium.

The branch is traced in the coordinates of Turocy [2]_, the log-probabilities
:math:`y_{ia} = \log p_{ia}` together with :math:`\lambda`, where it is a smooth curve cut out by
the equations

.. math:: y_{ia} - y_{i1} - \lambda\,(v_{ia} - v_{i1}) = 0 \quad (a \ne 1), \qquad
          \textstyle\sum_a \exp(y_{ia}) = 1,

one fewer equation than unknowns. Probabilities far below double precision stay representable
in these coordinates, which lets the trace go on until the profile is within any tolerance of a
Nash equilibrium. The curve is followed by a predictor-corrector method (Allgower and Georg
[3]_): an Euler step along the tangent, then Newton steps back onto the curve within the
hyperplane orthogonal to the tangent (pseudo-arclength continuation, Keller [4]_), with the step
length adapted to the corrector's contraction rate, the distance it travels and the turn of the
tangent. The curve is parametrised by its arc length, not by lambda, so the trace passes the
turning points where the branch bends back in lambda.

**Units of lambda.** Payoffs are cardinal only up to a positive affine map of each player's
own: the scenarios declare each player's payoff unit arbitrary. One precision for all players
in payoff units would make the QRE, and the equilibrium its branch selects, depend on those
units: multiplying one player's payoffs by 10 makes that player ten times more precise. By
default (``units="relative"``) each player's precision is therefore taken relative to that
player's own payoff range (max minus min over all profiles,
:func:`~kurilsim.forms.normal.regret.player_scales`): player :math:`i` plays the logit response
with precision :math:`\lambda / r_i`, i.e. to payoffs mapped onto ``[0, 1]``
(:func:`~kurilsim.forms.normal.regret.normalised_payoffs`). Rescaling or shifting one player's
payoffs then changes neither the choice probabilities at any lambda nor the selected limit, and
lambda is a pure number: at lambda 1 a difference worth a player's whole payoff range changes
the odds between two strategies by e. The range, rather than the standard deviation over
profiles, is the scale because it is what the regret checks already use, it is zero only for a
player who is indifferent everywhere (who then mixes evenly at every lambda), and it does not
depend on how many profiles repeat the same payoff. Its consequence: a player's precision
depends on the largest stake they face in the game, so adding a far-off extreme outcome makes
that player less responsive to the other payoff differences. ``units="payoff"`` keeps the
textbook model of McKelvey and Palfrey and Gambit: one lambda in the game's payoff units for
all players, so that rescaling one player's payoffs does change the answer.

Internally, with ``units="payoff"``, the payoffs are divided by the game's payoff scale
(:func:`~kurilsim.forms.normal.regret.payoff_scale`) and lambda multiplied by it, so the trace takes
the same steps whatever the units; lambdas in arguments and results are then in the game's units.

References
----------
.. [1] R. D. McKelvey and T. R. Palfrey, "Quantal response equilibria for normal form games",
   *Games and Economic Behavior* 10(1), 6-38, 1995.
.. [2] T. L. Turocy, "A dynamic homotopy interpretation of the logistic quantal response
   equilibrium correspondence", *Games and Economic Behavior* 51(2), 243-263, 2005.
.. [3] E. L. Allgower and K. Georg, *Introduction to Numerical Continuation Methods*, SIAM
   Classics in Applied Mathematics 45, 2003 (first published 1990), chapters 2, 3, 6 and 8.
.. [4] H. B. Keller, "Numerical solution of bifurcation and nonlinear eigenvalue problems", in
   P. H. Rabinowitz (ed.), *Applications of Bifurcation Theory*, Academic Press, 359-384, 1977.

Examples
--------
>>> from kurilsim.forms import catalogue
>>> stag = catalogue.stag_hunt().payoffs
>>> [p.round(4).tolist() for p in logit_qre(stag, 0.0)]
[[0.5, 0.5], [0.5, 0.5]]
>>> [p.round(4).tolist() for p in logit_nash(stag)]  # the risk-dominant equilibrium
[[0.0, 1.0], [0.0, 1.0]]
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from kurilsim.core.deadline import DEFAULT_MAX_SECONDS
from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.errors import InputError, IterationLimitError, KurilsimError
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.normal.regret import (
    FloatArray,
    is_equilibrium,
    jointly_normalised_payoffs,
    max_regret,
    normalised_payoffs,
    payoff_scale,
    player_scales,
)

if TYPE_CHECKING:
    import pandas as pd

    from kurilsim.forms.normal.game import NormalFormGame

Profile = tuple[FloatArray, ...]

#: What lambda is measured in: relative to each player's payoff range, or in payoff units.
Units = Literal["relative", "payoff"]
UNITS: tuple[Units, ...] = ("relative", "payoff")

#: Default end of a traced branch, as relative lambda (or lambda times the payoff scale): there a
#: payoff difference of a thousandth of a player's (or the game's) payoff range changes the odds
#: between two strategies by e.
DEFAULT_LAMBDA_MAX_SCALED = 1000.0

#: Default bounds of every trace: steps here, seconds
#: (:data:`~kurilsim.core.deadline.DEFAULT_MAX_SECONDS`).
DEFAULT_MAX_STEPS = 10_000

# Step-size control (Allgower and Georg 2003, chapter 6), in scaled units: a corrector must
# contract at least this fast, its first step may travel at most this far, and the tangent may
# turn by at most this angle (radians) in one step; outside these the step is halved and retried.
_MAX_CONTRACTION = 0.5
_MAX_DISTANCE = 0.4
_MAX_ANGLE = 0.35
_MAX_CORRECTOR_ITERATIONS = 8
_MIN_STEP = 1e-10
_BIFURCATION_STEP = 1e-3
# Newton iterations stop when the update is this small relative to the point.
_NEWTON_TOL = 1e-11
_MAX_NEWTON_ITERATIONS = 30
# When looking for the limiting Nash equilibrium, strategies played with at least this
# probability form the guessed support; the support is polished again when it changes or lambda
# has doubled since the last try, from lambda times the payoff scale = _FIRST_POLISH on.
_SUPPORT_FLOOR = 1e-6
_FIRST_POLISH = 2.0
# A polished profile this close to the branch (largest difference of a probability) is its
# limit; otherwise it is when the branch has come closer to it by this factor since the polish
# before.
_AT_LIMIT = 1e-8
_APPROACH = 0.75
# The approach test applies only once the branch is within _APPROACH_WITHIN of the polished
# profile. Farther off, the branch can come closer to an equilibrium and then turn away: in a
# 2x2x2 game it heads for a totally mixed equilibrium up to lambda times the payoff range of
# about 10, then ends at another one; in a degenerate game a support guessed too large polishes
# to the end of a continuum of equilibria that the branch approaches but does not reach (both in
# test_logit_qre).
_APPROACH_WITHIN = 1e-3


@dataclass(frozen=True, eq=False)
class LogitBranch:
    """Points along the principal branch of the logit QRE correspondence.

    Attributes
    ----------
    lambdas
        Lambda at each point, shape ``(m,)``, in the units of the trace; starts at 0. It
        grows along the branch except where the branch bends back.
    profiles
        One array per player of shape ``(m, n_i)``: row ``k`` is the player's mixture at
        ``lambdas[k]``.
    max_regrets
        Each point's max regret (:func:`~kurilsim.forms.normal.regret.max_regret`), shape ``(m,)``:
        how far the point is from being a Nash equilibrium, in payoff units.
    players
        The players' names.
    strategies
        Each player's strategy names.
    """

    lambdas: FloatArray
    profiles: tuple[FloatArray, ...]
    max_regrets: FloatArray
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.lambdas)

    def profile(self, index: int) -> Profile:
        """The mixed profile at point ``index`` (negative indices count from the end)."""
        return tuple(p[index] for p in self.profiles)

    def labelled(self, game: NormalFormGame) -> LogitBranch:
        """The same branch carrying the names of ``game``'s players and strategies.

        Raises
        ------
        InputError
            If the game's shape differs from the branch's.
        """
        shape = tuple(p.shape[1] for p in self.profiles)
        if game.shape != shape:
            raise InputError(f"the game has shape {game.shape}, the branch {shape}")
        return replace(self, players=game.players, strategies=game.strategies)

    def to_frame(self) -> pd.DataFrame:
        """One row per point, player and strategy: step, lambda, player, strategy, probability.

        ``step`` numbers the points along the branch, which keeps their order where the branch
        bends back in lambda.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> branch = logit_correspondence(catalogue.matching_pennies().payoffs, lam_max=1.0)
        >>> frame = branch.to_frame()
        >>> list(frame.columns)
        ['step', 'lambda', 'player', 'strategy', 'probability']
        >>> frame["probability"].round(12).unique().tolist()
        [0.5]
        """
        import pandas as pd  # imported when used: solving needs only numpy

        m = len(self.lambdas)
        parts = []
        for player, names, probs in zip(self.players, self.strategies, self.profiles, strict=True):
            n = len(names)
            parts.append(
                pd.DataFrame(
                    {
                        "step": np.repeat(np.arange(m), n),
                        "lambda": np.repeat(self.lambdas, n),
                        "player": player,
                        "strategy": np.tile(np.array(names, dtype=object), m),
                        "probability": probs.reshape(-1),
                    }
                )
            )
        frame = pd.concat(parts, ignore_index=True)
        return frame.sort_values(["step"], kind="stable", ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: players, strategies and every point of the branch."""
        return {
            "players": list(self.players),
            "strategies": {p: list(s) for p, s in zip(self.players, self.strategies, strict=True)},
            "points": [
                {
                    "lambda": float(self.lambdas[k]),
                    "profile": {
                        player: {s: float(p) for s, p in zip(names, probs[k], strict=True)}
                        for player, names, probs in zip(
                            self.players, self.strategies, self.profiles, strict=True
                        )
                    },
                    "max_regret": float(self.max_regrets[k]),
                }
                for k in range(len(self))
            ],
        }

    def to_text(self, rows: int = 8) -> str:
        """A table of the profile at about ``rows`` points, spread evenly in log-lambda.

        The first row is the centroid at lambda 0 and the last the branch's end; the others are
        the points nearest to lambdas evenly spaced on a logarithmic scale in between.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> game = catalogue.matching_pennies()
        >>> branch = logit_correspondence(game.payoffs, lam_max=10.0).labelled(game)
        >>> print(branch.to_text(rows=3))
        lambda    Even: Heads  Even: Tails  Odd: Heads  Odd: Tails  max regret
        0         0.500000     0.500000     0.500000    0.500000    0.0e+00
        0.6...  0.500000     0.500000     0.500000    0.500000    0.0e+00
        10        0.500000     0.500000     0.500000    0.500000    0.0e+00
        """
        header = ["lambda"]
        header += [
            f"{player}: {name}"
            for player, names in zip(self.players, self.strategies, strict=True)
            for name in names
        ]
        table = [[*header, "max regret"]]
        for k in self._spread(rows):
            table.append(
                [f"{self.lambdas[k]:.6g}"]
                + [f"{p:.6f}" for probs in self.profiles for p in probs[k]]
                + [f"{self.max_regrets[k]:.1e}"]
            )
        return "\n".join(text_table(table[0], table[1:]))

    def _repr_html_(self) -> str:
        """The profile at a few points spread in log-lambda, as in :meth:`to_text`."""
        header = [
            "lambda",
            *(
                f"{player}: {name}"
                for player, names in zip(self.players, self.strategies, strict=True)
                for name in names
            ),
            "max regret",
        ]
        rows = [
            [f"{self.lambdas[k]:.6g}"]
            + [f"{p:.6f}" for probs in self.profiles for p in probs[k]]
            + [f"{self.max_regrets[k]:.1e}"]
            for k in self._spread(8)
        ]
        heading = html_heading(
            f"Logit QRE branch: {len(self)} points",
            f"lambda from 0 to {self.lambdas.max():.6g}; max regret at the end "
            f"{self.max_regrets[-1]:.1e}",
        )
        return heading + html_table(header, rows)

    def __repr__(self) -> str:
        return (
            f"<LogitBranch: {len(self)} points, lambda 0 to {self.lambdas.max():.6g}, "
            f"players {', '.join(self.players)}>"
        )

    def _spread(self, rows: int) -> list[int]:
        """Indices of the first and last point and of points spread in log-lambda between."""
        last = len(self) - 1
        positive = self.lambdas[1:]
        if rows > last:
            return list(range(last + 1))  # every point: asking for more rows adds none
        if rows <= 2 or last < 2:
            return sorted({0, last})
        targets = np.log(np.geomspace(positive.min(), positive.max(), rows)[1:-1])
        logs = np.log(positive)
        # One target at a time, so that memory grows with the points, not rows x points.
        return sorted({0, last, *(int(np.abs(logs - t).argmin()) + 1 for t in targets)})


def logit_qre(
    payoffs: FloatArray,
    lam: float,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
    first_step: float = 0.03,
    max_accel: float = 1.5,
    units: Units = "relative",
) -> Profile:
    """The logit QRE at precision ``lam`` on the principal branch.

    The branch is traced from the centroid at ``lam = 0`` (McKelvey and Palfrey 1995; Turocy
    2005; see the module documentation) until it first reaches ``lam``; a Newton solve at that
    exact lambda finishes. Where the branch bends back and crosses ``lam`` several times, this is
    its first crossing.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)``.
    lam
        The precision, a finite number ``>= 0``, in the ``units`` given.
    max_steps, max_seconds
        Bounds of the trace: accepted and rejected steps, and wall-clock seconds (``None``:
        no time bound).
    first_step, max_accel
        Length of the first step (in the scaled coordinates) and the largest factor by which one
        step may be longer than the previous.
    units
        ``"relative"`` (default): lambda relative to each player's own payoff range, so the
        answer does not depend on any player's payoff units; ``"payoff"``: one lambda in the
        game's payoff units for all players, as in Gambit (see the module documentation).

    Returns
    -------
    tuple of ndarray
        One probability vector per player, every probability positive.

    Raises
    ------
    InputError
        For a malformed payoff array or an option out of range.
    IterationLimitError
        When a bound is reached before the branch reaches ``lam``, or when the branch cannot be
        followed (steps shrink below 1e-10, as at a bifurcation of a non-generic game).

    Examples
    --------
    A player with a dominant strategy worth their whole payoff range more plays it with
    probability ``1 / (1 + exp(-lam))``, whatever the units of their payoffs:

    >>> import numpy as np
    >>> u = np.array([[[1, 1], [1, 0]], [[0, 0], [0, 1]]], dtype=float)
    >>> p, q = logit_qre(u, 2.0)
    >>> bool(np.isclose(p[0], 1 / (1 + np.exp(-2.0))))
    True
    >>> u[..., 0] *= 10  # the row player's payoffs in other units
    >>> bool(np.isclose(logit_qre(u, 2.0)[0][0], p[0]))
    True
    >>> bool(np.isclose(logit_qre(u, 2.0, units="payoff")[0][0], 1 / (1 + np.exp(-20.0))))
    True
    """
    system = _system(payoffs, units)
    target = _checked_lambda(lam, "lam") * system.scale
    points = _trace_to(system, target, _bounds(max_steps, max_seconds, first_step, max_accel))
    return system.profile(points[-1])


def logit_correspondence(
    payoffs: FloatArray,
    lam_max: float | None = None,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
    first_step: float = 0.03,
    max_accel: float = 1.5,
    units: Units = "relative",
) -> LogitBranch:
    """Trace the principal branch of the logit QRE correspondence from ``lam = 0`` to ``lam_max``.

    The predictor-corrector path-follower of the module documentation (Turocy 2005; Allgower
    and Georg 2003) returns every accepted point, so the spacing of the points follows the
    branch's curvature; the last point is at exactly ``lam_max`` (its first crossing).

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)``.
    lam_max
        Where to stop, in the ``units`` given; default 1000 relative, or
        ``1000 / payoff_scale(payoffs)`` in payoff units (see :data:`DEFAULT_LAMBDA_MAX_SCALED`).
    max_steps, max_seconds, first_step, max_accel, units
        As for :func:`logit_qre`.

    Returns
    -------
    LogitBranch
        Players are named ``"1"``, ``"2"``, ... and strategies likewise; see
        :meth:`LogitBranch.labelled`.

    Raises
    ------
    InputError
        For a malformed payoff array or an option out of range.
    IterationLimitError
        When a bound is reached first or the branch cannot be followed.

    Examples
    --------
    In the stag hunt the branch goes to the risk-dominant equilibrium (both hunt hare):

    >>> from kurilsim.forms import catalogue
    >>> branch = logit_correspondence(catalogue.stag_hunt().payoffs, lam_max=20.0)
    >>> float(branch.lambdas[0]), float(branch.lambdas[-1])
    (0.0, 20.0)
    >>> [p.round(6).tolist() for p in branch.profile(-1)]
    [[0.0, 1.0], [0.0, 1.0]]
    >>> bool(branch.max_regrets[-1] < 1e-6)
    True
    """
    array = _checked_shape(payoffs)
    system = _system(array, units)
    if lam_max is None:
        target = DEFAULT_LAMBDA_MAX_SCALED
    else:
        target = _checked_lambda(lam_max, "lam_max") * system.scale
    points = _trace_to(system, target, _bounds(max_steps, max_seconds, first_step, max_accel))
    profiles = [system.profile(x) for x in points]
    n_players = len(system.shape)
    return LogitBranch(
        lambdas=np.array([x[-1] for x in points]) / system.scale,
        profiles=tuple(np.array([prof[i] for prof in profiles]) for i in range(n_players)),
        max_regrets=np.array([max_regret(array, prof) for prof in profiles]),
        players=tuple(str(i + 1) for i in range(n_players)),
        strategies=tuple(tuple(str(a + 1) for a in range(n)) for n in system.shape),
    )


def logit_nash(
    payoffs: FloatArray,
    tol: float = DEFAULT_TOL,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
    first_step: float = 0.03,
    max_accel: float = 1.5,
    units: Units = "relative",
) -> Profile:
    """The Nash equilibrium the principal logit QRE branch converges to.

    The branch is traced from the centroid as lambda grows (McKelvey and Palfrey 1995; Turocy
    2005). Along it, the strategies played with probability at least 1e-6 are taken as a guess
    of the limit's support, and the Nash conditions on that support (every strategy in it earns
    the player the same payoff; probabilities sum to one) are solved by Newton's method in
    log-probabilities from the current point, whenever the guess changes or lambda has doubled
    (from relative lambda 2 on). A solution where no player gains more than ``tol``
    times their own payoff range by deviating is returned when the branch is already at it, or
    when the polish before found an equilibrium no farther from it than the branch then was and
    the branch has come closer since: an equilibrium on the guessed support need not be the one
    the branch goes to.

    For generic games the branch's limit exists and is a Nash equilibrium, so the method finds
    one equilibrium, a particular one (the limiting logit equilibrium), independently of the
    enumeration methods. In a non-generic game the branch may meet a bifurcation; the trace then
    usually passes straight through it. Where the limit lies in a continuum of equilibria
    (degenerate games), the equilibrium returned is a point of the continuum near the branch,
    within the distance the branch still had to go. Where the trace stops short of its limit
    (a bound, or a step too short to follow the branch, as where support probabilities fall
    below 1e-6 on a continuum) at a point that passes the regret check, that point is returned,
    with the probabilities below 1e-6 set to 0 if it still passes then.

    Parameters
    ----------
    payoffs
        Payoff tensor of shape ``(n_1, ..., n_N, N)``.
    tol
        Relative tolerance of the regret check, multiplied by each player's payoff range
        (:func:`~kurilsim.forms.normal.regret.player_scales`).
    max_steps, max_seconds, first_step, max_accel, units
        As for :func:`logit_qre`: by default the branch, and so the equilibrium selected, does
        not depend on any player's payoff units.

    Returns
    -------
    tuple of ndarray
        One probability vector per player; strategies outside the polished support have
        probability exactly 0 (a point where the trace stopped short may keep some below 1e-6).

    Raises
    ------
    InputError
        For a malformed payoff array or an option out of range.
    IterationLimitError
        When a bound is reached first (the message gives the lambda and the max regret reached)
        or the branch cannot be followed.

    Examples
    --------
    Jordan's three-player matching pennies: the branch stays at, and converges to, the unique
    equilibrium where everyone mixes evenly.

    >>> from kurilsim.forms import catalogue
    >>> [p.round(9).tolist() for p in logit_nash(catalogue.jordan_three_player_pennies().payoffs)]
    [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
    """
    array = _checked_shape(payoffs)
    check_tolerance(tol)
    system = _system(array, units)
    if units == "payoff":
        _check_comparable(array, system)
    # The Nash conditions are solved with each player's payoffs in units of their own range,
    # the units of the regret check.
    normalised = normalised_payoffs(array)
    bounds = _bounds(max_steps, max_seconds, first_step, max_accel)
    last_support: tuple[tuple[int, ...], ...] | None = None
    last_mu = 0.0
    restricted: dict[tuple[tuple[int, ...], ...], _LogitSystem] = {}
    # The last polished equilibrium, and how far the branch then was from it.
    candidate: Profile | None = None
    candidate_distance = math.inf
    branch = _trace(system, bounds, "before coming within tol of a Nash equilibrium")
    reached: FloatArray | None = None
    while True:
        try:
            x = reached = next(branch)  # the trace ends by returning or raising
        except IterationLimitError:
            # Stopped short of the limit: the point reached may itself be an equilibrium.
            if reached is not None:
                point = system.profile(reached)
                for profile in (_on_support(point), point):
                    if is_equilibrium(array, profile, tol):
                        return profile
            raise
        profile = system.profile(x)
        support = tuple(tuple(np.flatnonzero(p >= _SUPPORT_FLOOR).tolist()) for p in profile)
        if x[-1] > 0 and (support == last_support and x[-1] < 2 * last_mu):
            continue
        last_support, last_mu = support, max(x[-1], _FIRST_POLISH)
        if support not in restricted:
            restricted[support] = _LogitSystem(normalised[np.ix_(*support)], scale=1.0)
        polished = _polish(restricted[support], profile, support)
        if polished is None or not is_equilibrium(array, polished, tol):
            continue
        # An equilibrium on the guessed support need not be the one the branch goes to (the
        # stag hunt's mixed equilibrium, polished at small lambda); accept it when the branch is
        # already there, or when the polish before found it (or, in a continuum of equilibria, a
        # point no farther from it than the branch then was) and the branch has come closer.
        distance = _distance(polished, profile)
        if distance <= _AT_LIMIT or (
            candidate is not None
            and distance <= _APPROACH_WITHIN
            and _distance(polished, candidate) <= max(candidate_distance, _AT_LIMIT)
            and distance <= _APPROACH * candidate_distance
        ):
            return polished
        candidate, candidate_distance = polished, distance


def _on_support(profile: Profile) -> Profile:
    """A branch point with the probabilities below :data:`_SUPPORT_FLOOR` set to 0."""
    kept = [np.where(p >= _SUPPORT_FLOOR, p, 0.0) for p in profile]
    return tuple(p / p.sum() for p in kept)


@dataclass(frozen=True)
class _Bounds:
    max_steps: int
    max_seconds: float | None
    first_step: float
    max_accel: float


def _bounds(
    max_steps: int, max_seconds: float | None, first_step: float, max_accel: float
) -> _Bounds:
    if isinstance(max_steps, bool) or not isinstance(max_steps, int | np.integer) or max_steps < 1:
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}")
    if max_seconds is not None and not max_seconds >= 0:  # 0 as for every method: stop at once
        raise InputError(f"max_seconds must be None or a number >= 0, got {max_seconds!r}")
    if not (math.isfinite(first_step) and first_step > 0):
        raise InputError(f"first_step must be a positive number, got {first_step!r}")
    if not (math.isfinite(max_accel) and max_accel >= 1):
        raise InputError(f"max_accel must be a number >= 1, got {max_accel!r}")
    return _Bounds(int(max_steps), max_seconds, first_step, max_accel)


def _system(payoffs: FloatArray, units: Units) -> _LogitSystem:
    """The branch's equations in the ``units`` of lambda, with the payoffs checked."""
    if units == "relative":
        # Each player's payoffs on [0, 1]: lambda is relative to each player's own range.
        return _LogitSystem(normalised_payoffs(_checked_shape(payoffs)), scale=1.0)
    if units == "payoff":
        return _LogitSystem(_checked(payoffs))
    raise InputError(f"units must be one of {', '.join(UNITS)}, got {units!r}")


def _checked(payoffs: FloatArray) -> FloatArray:
    """The payoffs of a QRE computation, whose lambda is in the game's units."""
    array = _checked_shape(payoffs)
    if not math.isfinite(payoff_scale(array)):
        raise InputError(
            "the range of the payoffs overflows double precision, so lambda has no units; "
            "rescale the payoffs to trace the QRE"
        )
    return array


def _check_comparable(payoffs: FloatArray, system: _LogitSystem) -> None:
    """Refuse a game where one player's stakes vanish beside another's at one precision."""
    n_players = len(system.shape)
    own = normalised_payoffs(payoffs).reshape(-1, n_players).max(axis=0)
    joint = system.payoffs.reshape(-1, n_players).max(axis=0)
    lost = np.flatnonzero((own > 0) & (joint == 0))
    if lost.size:
        player = int(lost[0])
        raise InputError(
            f"logit: player {player + 1}'s payoff range {player_scales(payoffs)[player]:.3g} is "
            f"too small beside the largest, {system.scale:.3g}, for one precision lambda to "
            "span both; use another method"
        )


def _checked_shape(payoffs: FloatArray) -> FloatArray:
    array = np.asarray(payoffs, dtype=np.float64)
    if array.ndim < 2 or array.shape[-1] != array.ndim - 1:
        raise InputError(
            f"payoffs must have shape (n_1, ..., n_N, N) with N >= 1, got shape {array.shape}"
        )
    if min(array.shape) < 1:
        raise InputError(f"every player needs at least one strategy, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError("payoffs must be finite numbers (found NaN or infinity)")
    return array


def _checked_lambda(value: float, name: str) -> float:
    if not (math.isfinite(value) and value >= 0):
        raise InputError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


class _LogitSystem:
    """The branch's equations and their Jacobian for one game, in scaled payoffs.

    A point is ``x = (y, mu)``: the log-probabilities of all players' strategies, player after
    player (``K`` in all), then ``mu`` = lambda times the payoff scale. The first ``K - N``
    equations are the logit equations of each player's strategies ``a >= 1`` against the
    reference strategy 0, the last ``N`` each player's sum-to-one equation.
    """

    def __init__(self, payoffs: FloatArray, scale: float | None = None) -> None:
        # Only payoff differences enter the equations: shifting each player's payoffs to start
        # at 0 keeps the rounding in proportion to the payoff range, not to the payoffs' size.
        if scale is None:
            # Divided by the payoff scale without overflow, whatever the payoffs' size.
            self.scale = payoff_scale(payoffs)
            scaled = jointly_normalised_payoffs(payoffs)
        else:
            self.scale = scale
            scaled = (payoffs - payoffs.reshape(-1, payoffs.shape[-1]).min(axis=0)) / scale
        self.payoffs = payoffs = scaled
        self.shape = payoffs.shape[:-1]
        n_players, widest = len(self.shape), max(self.shape)
        self.offsets = np.concatenate([[0], np.cumsum(self.shape)]).astype(int)
        size = int(self.offsets[-1])
        # All players' payoffs as one zero-padded stack of matrices: tables[i, a, r] is player
        # i's payoff from strategy a when the others play their profile r (C order), so every
        # player is handled by the same few array operations.
        columns = max(math.prod(self.shape) // n for n in self.shape)
        self.tables = np.zeros((n_players, widest, columns))
        # incidence[i, r, offsets[j] + b] = 1 when the others' profile r has player j play b:
        # incidence @ y sums the others' log-probabilities, and (table * weights) @ incidence
        # gives every derivative d v_ia / d y_jb in one product.
        self.incidence = np.zeros((n_players, columns, size))
        for i, n in enumerate(self.shape):
            table = np.moveaxis(payoffs[..., i], i, 0).reshape(n, -1)
            self.tables[i, :n, : table.shape[1]] = table
            others = [k for k in range(n_players) if k != i]
            dims = [self.shape[k] for k in others]
            profiles = np.indices(dims).reshape(len(others), math.prod(dims))
            for row, k in zip(profiles, others, strict=True):
                self.incidence[i, np.arange(len(row)), self.offsets[k] + row] = 1.0
        # Who owns each logit equation, and for which strategy.
        self.player = np.repeat(np.arange(n_players), np.array(self.shape) - 1)
        self.strategy = np.concatenate([np.arange(1, n) for n in self.shape]).astype(int)
        rows = np.arange(len(self.player))
        # The logit equations' y_ia - y_i0.
        self.differences = np.zeros((len(rows), size))
        self.differences[rows, self.offsets[self.player] + self.strategy] = 1.0
        self.differences[rows, self.offsets[self.player]] = -1.0
        self.owner = np.repeat(np.arange(n_players), self.shape)

    def blocks(self, y: FloatArray) -> list[FloatArray]:
        """Split a vector over all strategies into one block per player."""
        return np.split(y[: self.offsets[-1]], self.offsets[1:-1])

    def centroid(self) -> FloatArray:
        """The starting point: uniform mixtures at ``mu = 0``."""
        y = np.concatenate([np.full(n, -math.log(n)) for n in self.shape])
        return np.append(y, 0.0)

    def profile(self, x: FloatArray) -> Profile:
        """The mixed profile at point ``x`` (or at log-probabilities ``x`` without ``mu``)."""
        return tuple(p / p.sum() for p in map(np.exp, self.blocks(x)))

    def gains(self, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Payoff gains over the reference strategies, sums of probabilities, and derivatives.

        Returns ``(gain, d_gain, total, d_total)``: ``gain`` holds ``v_ia - v_i0`` for each
        logit equation and ``d_gain`` its derivatives with respect to every log-probability;
        ``total`` holds each player's ``sum_a p_ia - 1`` and ``d_total`` its derivatives.
        """
        # The probability of each profile of the others: the exponential of the sum of their
        # log-probabilities, which underflows to 0 only where it is negligible.
        weighted = self.tables * np.exp(self.incidence @ y)[:, None, :]
        values = weighted.sum(axis=2)
        # d v_ia / d y_jb = p_jb * d v_ia / d p_jb: the weight of the profiles where j plays b.
        slopes = weighted @ self.incidence
        gain = values[self.player, self.strategy] - values[self.player, 0]
        d_gain = slopes[self.player, self.strategy] - slopes[self.player, 0]
        probs = np.exp(y)
        total = np.add.reduceat(probs, self.offsets[:-1]) - 1.0
        d_total = np.zeros((len(self.shape), len(y)))
        d_total[self.owner, np.arange(len(y))] = probs
        return gain, d_gain, total, d_total

    def homotopy(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The branch's equations ``H(x)`` and their Jacobian, shape ``(K, K + 1)``."""
        y, mu = x[:-1], x[-1]
        gain, d_gain, total, d_total = self.gains(y)
        residual = np.concatenate([self.differences @ y - mu * gain, total])
        jacobian = np.zeros((len(y), len(x)))
        logit = len(gain)
        jacobian[:logit, :-1] = self.differences - mu * d_gain
        jacobian[:logit, -1] = -gain
        jacobian[logit:, :-1] = d_total
        return residual, jacobian


def _newton(
    residual_jacobian: Any, start: FloatArray, least_squares: bool = False
) -> FloatArray | None:
    """Newton's method on a square system; ``None`` if it does not converge."""
    y = start.copy()
    for _ in range(_MAX_NEWTON_ITERATIONS):
        residual, jacobian = residual_jacobian(y)
        if least_squares:  # a singular Jacobian (a continuum of solutions) still gives a step
            step = np.linalg.lstsq(jacobian, residual, rcond=None)[0]
        else:
            try:
                step = np.linalg.solve(jacobian, residual)
            except np.linalg.LinAlgError:
                return None
        y -= step
        # Log-probabilities above 1 mean divergence; stop before exp() overflows.
        if not (np.all(np.isfinite(y)) and y.max() <= 1.0):
            return None
        if np.linalg.norm(step) <= _NEWTON_TOL * max(1.0, float(np.linalg.norm(y))):
            return y
    return None


def _trace_to(system: _LogitSystem, target: float, bounds: _Bounds) -> list[FloatArray]:
    """The branch's points up to its first crossing of ``mu = target``, that point included."""
    points: list[FloatArray] = []
    goal = f"before reaching lambda={target / system.scale:.6g}"
    for x in _trace(system, bounds, goal):
        if x[-1] < target:
            points.append(x)
            continue
        if not points:  # lambda = 0: the centroid itself
            return [x]
        # Interpolate between the last two points, then solve at the exact lambda.
        previous = points[-1]
        weight = (target - previous[-1]) / (x[-1] - previous[-1])
        start = previous + weight * (x - previous)

        def at_target(y: FloatArray) -> tuple[FloatArray, FloatArray]:
            residual, jacobian = system.homotopy(np.append(y, target))
            return residual, jacobian[:, :-1]

        # Least squares, since the branch may turn back in lambda right at the target.
        y = _newton(at_target, start[:-1], least_squares=True)
        if y is None:
            raise KurilsimError(
                f"logit: Newton's method did not converge at lambda={target / system.scale:.6g} "
                "between two points of the branch; this is a bug in kurilsim, please report it"
            )
        points.append(np.append(y, target))
        return points
    raise AssertionError("unreachable: the trace ends by returning or raising")


def _trace(system: _LogitSystem, bounds: _Bounds, goal: str) -> Iterator[FloatArray]:
    """Yield accepted points of the principal branch, from the centroid, without end.

    Raises :class:`IterationLimitError` at a bound; ``goal`` says what was not reached.
    """
    x = system.centroid()
    yield x
    jacobian = system.homotopy(x)[1]
    # At the centroid the tangent spans the null space; start towards growing lambda.
    tangent = np.linalg.qr(jacobian.T, mode="complete")[0][:, -1]
    tangent = tangent if tangent[-1] > 0 else -tangent
    # The sign of det([DH; t]) is constant along a smooth curve and flips at a simple bifurcation
    # point (Allgower and Georg 2003, chapters 2 and 8). A flip after a long step may mean a
    # jump over a sharp turn onto the returning part of the branch, so such a step is retried
    # shorter; a flip that persists down to a short step is a bifurcation, passed straight on.
    orientation = np.linalg.slogdet(np.vstack([jacobian, tangent]))[0]
    step = bounds.first_step
    started = time.perf_counter()
    for _ in range(bounds.max_steps):
        if bounds.max_seconds is not None and time.perf_counter() - started > bounds.max_seconds:
            _stop(system, x, f"max_seconds={bounds.max_seconds:g}", goal)
        corrected = _correct(system, x + step * tangent, tangent)
        if corrected is not None:
            point, new_tangent, sign, distance, contraction = corrected
            flipped = sign != orientation
            angle = math.acos(max(-1.0, min(float(new_tangent @ tangent), 1.0)))
            slowdown = max(
                math.sqrt(distance / _MAX_DISTANCE),
                math.sqrt(contraction / _MAX_CONTRACTION),
                angle / _MAX_ANGLE,
            )
            # Lambda never returns to 0 on the principal branch: a point below it lies on
            # another branch that the corrector jumped to.
            if slowdown <= 1.0 and point[-1] > 0 and not (flipped and step > _BIFURCATION_STEP):
                orientation = -orientation if flipped else orientation
                x, tangent = point, new_tangent
                step /= max(slowdown, 1.0 / bounds.max_accel)
                yield x
                continue
        step /= 2
        if step < _MIN_STEP:
            _stop(system, x, f"step length below {_MIN_STEP:g}", goal)
    _stop(system, x, f"max_steps={bounds.max_steps}", goal)


def _stop(system: _LogitSystem, x: FloatArray, limit: str, goal: str) -> None:
    regret = max_regret(system.payoffs, system.profile(x))
    reached = f"the branch reached lambda={x[-1] / system.scale:.6g}, max regret {regret:.3g}"
    raise IterationLimitError("logit", f"{limit}; {reached}, {goal}")


def _correct(
    system: _LogitSystem, x: FloatArray, tangent: FloatArray
) -> tuple[FloatArray, FloatArray, float, float, float] | None:
    """Newton's method from a predicted point back onto the branch.

    The iterates stay in the hyperplane through the predicted point orthogonal to the tangent
    (pseudo-arclength continuation, Keller 1977; Allgower and Georg 2003, chapter 3). Returns
    the point, the unit tangent there (on the side of ``tangent``), the sign of the determinant
    of the Jacobian with that tangent appended, the length of the first Newton step and the
    largest ratio of successive step lengths; or ``None`` when the iteration diverges or stalls.
    """
    first = previous = contraction = 0.0
    for iteration in range(_MAX_CORRECTOR_ITERATIONS):
        # Log-probabilities above 1 are far off the branch; stop before exp() overflows.
        if not x[:-1].max() <= 1.0:
            return None
        residual, jacobian = system.homotopy(x)
        try:
            update = np.linalg.solve(np.vstack([jacobian, tangent]), np.append(residual, 0.0))
        except np.linalg.LinAlgError:
            return None
        x = x - update
        length = float(np.linalg.norm(update))
        rate = length / previous if previous > 0 else 0.0
        if iteration == 0:
            first = length
        # Newton's error after this update is about the update times the contraction rate.
        # Converged steps are tested first: at rounding level the rate means nothing.
        error = length * min(rate, 1.0) if iteration > 0 else length
        if error <= _NEWTON_TOL * max(1.0, float(np.linalg.norm(x))):
            # The tangent solves [DH; t_previous] t = (0, ..., 0, 1); both share a determinant
            # sign since t . t_previous > 0.
            augmented = np.vstack([jacobian, tangent])
            try:
                new_tangent = np.linalg.solve(augmented, np.eye(len(x))[-1])
            except np.linalg.LinAlgError:  # exactly at a bifurcation point
                return None
            sign = float(np.linalg.slogdet(augmented)[0])
            return x, new_tangent / np.linalg.norm(new_tangent), sign, first, contraction
        if first > _MAX_DISTANCE or rate > _MAX_CONTRACTION:
            return None
        contraction = max(contraction, rate)
        previous = length
    return None


def _distance(first: Sequence[FloatArray], second: Sequence[FloatArray]) -> float:
    """Largest difference between two profiles' probabilities."""
    return max(float(np.abs(p - q).max()) for p, q in zip(first, second, strict=True))


def _polish(
    restricted: _LogitSystem, profile: Sequence[FloatArray], support: tuple[tuple[int, ...], ...]
) -> Profile | None:
    """Solve the Nash conditions on ``support`` by Newton's method from ``profile``.

    ``restricted`` is the system of the game restricted to the support. The conditions are its
    equations at infinite lambda (gains over the reference strategy zero, sums one), solved in
    log-probabilities. Returns the full profile (zero off the support), or ``None`` if Newton's
    method does not converge.
    """
    start = np.concatenate(
        [np.log(p[list(s)] / p[list(s)].sum()) for p, s in zip(profile, support, strict=True)]
    )

    def nash_conditions(y: FloatArray) -> tuple[FloatArray, FloatArray]:
        gain, d_gain, total, d_total = restricted.gains(y)
        return np.concatenate([gain, total]), np.vstack([d_gain, d_total])

    y = _newton(nash_conditions, start, least_squares=True)
    if y is None:
        return None
    polished = []
    for p, s, block in zip(profile, support, restricted.profile(y), strict=True):
        full = np.zeros(len(p))
        full[list(s)] = block
        polished.append(full)
    return tuple(polished)
