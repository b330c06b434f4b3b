"""Learning in games: where fictitious play, replicator and logit response dynamics lead play.

:func:`learn` runs one of the dynamics of :data:`DYNAMICS` on a normal-form game (or a
scenario's normal form) from a starting mixed profile, and returns a :class:`LearningPath`: the
trajectory, its last point, whether play settled there, and the equilibrium it reached, checked by
its max regret (:mod:`kurilsim.forms.normal.regret`), whatever the dynamics found.

Settled means, for fictitious play, that the empirical frequencies are an equilibrium within the
tolerance (the sense in which Robinson 1951 proves convergence in zero-sum games); for the
dynamics in continuous time, that the profile has come to rest (its largest velocity over the
last tenth of the path, in units of the payoff range per unit of time, is within the
tolerance). A path that has not settled within its steps is marked so (``converged`` and
``complete`` False), and as *cycling* when it winds at least :data:`CYCLING_TURNS` times around
its mean (in the plane of its two main directions).

For the replicator dynamics a path from an interior start settles only at a Nash equilibrium:
a limit of an interior path is one (Hofbauer and Sigmund 1998, the folk theorem of evolutionary
game theory), so a path that slows down near another rest point (as it does near the corners of
a heteroclinic cycle) has not settled.

Examples
--------
>>> import kurilsim
>>> from kurilsim.forms import catalogue
>>> path = kurilsim.learn(catalogue.stag_hunt(), "replicator", start=[[0.3, 0.7], [0.4, 0.6]])
>>> path.status, [p.round(6).tolist() for p in path.equilibrium]
('converged', [[0.0, 1.0], [0.0, 1.0]])
>>> path = kurilsim.learn(catalogue.rock_paper_scissors(), "replicator",
...                       start=[[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
>>> path.status, path.complete, path.equilibrium is None
('cycling', False, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from kurilsim.core.arguments import (
    DEFAULT_SEED,
    check_instance,
    check_int,
    check_known_options,
    check_mapping,
    check_real,
    check_text,
    shown,
)
from kurilsim.core.concepts import DEFAULT_PRECISION
from kurilsim.core.display import html_heading, html_table
from kurilsim.core.errors import ArgumentTypeError, InputError
from kurilsim.core.scenario import Scenario
from kurilsim.core.text import number, parameters_line
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.regret import (
    FloatArray,
    is_equilibrium,
    max_regret,
    relative_regrets,
)

if TYPE_CHECKING:
    import pandas as pd

Profile = tuple[FloatArray, ...]

#: The dynamics :func:`learn` runs, with the number of steps each takes by default.
DYNAMICS = {"fictitious-play": 10_000, "replicator": 2_000, "logit": 2_000}

#: The options only some dynamics take, each with those dynamics: fictitious play moves in rounds
#: and breaks ties at random, the others move in time steps, the logit response by its lambda.
TAKEN_BY = {
    "step_size": ("replicator", "logit"),
    "precision": ("logit",),
    "seed": ("fictitious-play",),
}

#: Default tolerance of each dynamics: how close to an equilibrium (relative max regret, for
#: fictitious play) or to rest (velocity per payoff range) play must come. Fictitious play
#: approaches its limit at a rate of about one over the square root of the rounds (in matching
#: pennies, a relative regret near 5e-3 after 10^4 rounds), the flows exponentially near a stable
#: rest point.
DEFAULT_TOLERANCES = {"fictitious-play": 1e-2, "replicator": 1e-6, "logit": 1e-6}

#: Largest tolerance accepted: beyond it "converged" would mean little.
MAX_LEARNING_TOL = 0.1

#: Most frequencies a path may hold (steps + 1 times the strategies of every player): 400 MB of
#: floats, which the dynamics copy once more as they normalise or integrate.
MAX_PATH_VALUES = 50_000_000

#: Default time step of the dynamics in continuous time, in units of the payoff range.
DEFAULT_STEP_SIZE = 0.05

#: An unsettled path is cycling when it winds around its mean at least this many times; in
#: Shapley's game fictitious play's cycles grow longer and longer, so that a path of 10^4 rounds
#: makes about one.
CYCLING_TURNS = 0.75

#: The largest difference of a probability between the last point and an equilibrium that
#: ``kurilsim.solve`` lists, for that equilibrium to be the one play reached, as a multiple of the
#: square root of the tolerance (0.1 for fictitious play's default tolerance, 1e-3 otherwise).
MATCH_RADIUS = 1.0

#: Time bound of the solver that lists the equilibria to match, in seconds.
MATCH_SECONDS = 10.0

#: The rows of a trajectory that :meth:`LearningPath.to_text` shows by default.
TEXT_ROWS = 8


@dataclass(frozen=True, eq=False)
class LearningPath:
    """A trajectory of learning dynamics and where it led.

    Attributes
    ----------
    game
        The game played.
    method
        The dynamics, a key of :data:`DYNAMICS`.
    times
        Shape ``(m,)``: the round (fictitious play) or the time of each point.
    profiles
        One array per player of shape ``(m, n_i)``: the player's mixture at each point (for
        fictitious play, the empirical frequencies).
    status
        ``"converged"``, ``"cycling"`` or ``"not converged"`` (see the module documentation).
    residual
        How far the last point is from settled, in the measure the tolerance applies to.
    equilibrium
        The Nash equilibrium play reached, None if none (a path that has not settled reaches
        none). When the last point passes the regret check (no player gains more than ``tol``
        times their payoff range by deviating, once probabilities below ``tol`` are dropped), it
        is the equilibrium that :func:`kurilsim.solve` lists nearest to the last point, if one
        lies within :data:`MATCH_RADIUS` of it, else the last point with those probabilities
        dropped.
    equilibrium_index
        The equilibrium's number (from 1) in the list of ``kurilsim.solve(game)`` (the normal
        form's equilibria, which ``kurilsim run`` lists for a normal-form scenario), None when it
        is not one of them.
    equilibrium_regret
        The max regret of :attr:`equilibrium` in payoff units (NaN when there is none).
    tol, options, parameters
        As every result records them (:class:`~kurilsim.core.result.Result`).
    """

    game: NormalFormGame
    method: str
    times: FloatArray = field(repr=False)
    profiles: Profile = field(repr=False)
    status: str
    residual: float
    equilibrium: Profile | None
    equilibrium_index: int | None
    equilibrium_regret: float
    tol: float
    options: Mapping[str, Any]
    parameters: Mapping[str, float]

    @property
    def converged(self) -> bool:
        """Whether play settled within the steps."""
        return self.status == "converged"

    @property
    def complete(self) -> bool:
        """Whether the dynamics finished their work: play settled (same as :attr:`converged`)."""
        return self.incomplete_reason is None

    @property
    def incomplete_reason(self) -> str | None:
        """``"steps"`` when play had not settled within the steps, else None.

        See :class:`~kurilsim.core.result.Result`; :attr:`status` says whether it cycles.
        """
        return None if self.converged else "steps"

    @property
    def limit(self) -> Profile:
        """The last point of the trajectory."""
        return tuple(p[-1] for p in self.profiles)

    @property
    def limit_regret(self) -> float:
        """The max regret of :attr:`limit`, in payoff units."""
        return max_regret(self.game.payoffs, self.limit)

    @property
    def trajectory(self) -> pd.DataFrame:
        """Steps x (player, strategy): the probabilities, indexed by step, columns labelled.

        Examples
        --------
        >>> import kurilsim
        >>> from kurilsim.forms import catalogue
        >>> path = kurilsim.learn(catalogue.matching_pennies(), steps=10)
        >>> path.trajectory.shape, path.trajectory.columns[0]
        ((11, 4), ('Even', 'Heads'))
        """
        import pandas as pd  # imported when used: learning needs only numpy

        columns = pd.MultiIndex.from_tuples(
            [(p, s) for p, names in zip(self.game.players, self.game.strategies, strict=True)
             for s in names],
            names=["player", "strategy"],
        )  # fmt: skip
        return pd.DataFrame(
            np.hstack(self.profiles), columns=columns, index=pd.Index(self.times, name=self._time)
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per point, player and strategy: step, time, player, strategy, probability."""
        import pandas as pd

        m = len(self.times)
        parts = [
            pd.DataFrame(
                {
                    "step": np.repeat(np.arange(m), len(names)),
                    "time": np.repeat(self.times, len(names)),
                    "player": player,
                    "strategy": np.tile(np.array(names, dtype=object), m),
                    "probability": probs.reshape(-1),
                }
            )
            for player, names, probs in zip(
                self.game.players, self.game.strategies, self.profiles, strict=True
            )
        ]
        frame = pd.concat(parts, ignore_index=True)
        return frame.sort_values(["step"], kind="stable", ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the game, the dynamics, the trajectory and where it led."""
        game = self.game
        return {
            "game": {
                "title": game.title,
                "players": list(game.players),
                "strategies": {
                    p: list(s) for p, s in zip(game.players, game.strategies, strict=True)
                },
            },
            "parameters": dict(self.parameters),
            "method": self.method,
            "tol": self.tol,
            "options": dict(self.options),
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "status": self.status,
            "residual": self.residual,
            "limit": self._profile_dict(self.limit),
            "limit_max_regret": self.limit_regret,
            "equilibrium": (
                None
                if self.equilibrium is None
                else {
                    "profile": self._profile_dict(self.equilibrium),
                    "max_regret": self.equilibrium_regret,
                    "index": self.equilibrium_index,
                }
            ),
            "trajectory": {
                self._time: self.times.tolist(),
                "profiles": {
                    p: {s: probs[:, k].tolist() for k, s in enumerate(names)}
                    for p, names, probs in zip(
                        game.players, game.strategies, self.profiles, strict=True
                    )
                },
            },
        }

    def to_text(self, limit: int | None = None) -> str:
        """A report: the dynamics, the outcome, and the trajectory at a few points.

        ``limit`` caps the rows of the trajectory (default :data:`TEXT_ROWS`; 0 shows every
        point), spread evenly over it.

        Examples
        --------
        >>> import kurilsim
        >>> from kurilsim.forms import catalogue
        >>> path = kurilsim.learn(catalogue.stag_hunt(), "replicator", start=[[0.3, 0.7]] * 2)
        >>> print(path.to_text(limit=3))  # doctest: +NORMALIZE_WHITESPACE
        Stag hunt (Skyrms 2004): replicator dynamics from (Stag 0.3, Hare 0.7; Stag 0.3, Hare 0.7)
        2000 steps of 0.05; tolerance 1e-06
        converged (residual 0e+00) to the equilibrium Hunter 1: Hare; Hunter 2: Hare
        (max regret 0.0e+00; #1 of kurilsim.solve on the normal form)
        time  Hunter 1: Stag  Hunter 1: Hare  Hunter 2: Stag  Hunter 2: Hare
        0     0.3000          0.7000          0.3000          0.7000
        50    0.0000          1.0000          0.0000          1.0000
        100   0.0000          1.0000          0.0000          1.0000
        """
        from kurilsim.core.display import text_table

        header, rows = self._table(TEXT_ROWS if limit is None else limit)
        return "\n".join([*self._summary(), *text_table(header, rows)])

    def _repr_html_(self) -> str:
        """The outcome and the trajectory at a few points, as in :meth:`to_text`."""
        lines = self._summary()
        heading = html_heading(lines[0], "; ".join(lines[1:]))
        return heading + html_table(*self._table(TEXT_ROWS))

    def _summary(self) -> list[str]:
        """The lines above the table: the game and start, the setup, parameters, the outcome."""
        from kurilsim.forms.normal.result import mixture_text

        game = self.game
        start = "; ".join(
            ", ".join(f"{s} {float(p):.4g}" for s, p in zip(names, probs[0], strict=True))
            for names, probs in zip(game.strategies, self.profiles, strict=True)
        )
        lines = [f"{game.title or 'Game'}: {TITLES[self.method]} from ({start})", self._setup()]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        reached = f"{self.status} (residual {self.residual:.0e})"
        if self.equilibrium is not None:
            profile = "; ".join(
                f"{p}: {mixture_text(n, q)}"
                for p, n, q in zip(game.players, game.strategies, self.equilibrium, strict=True)
            )
            listed = (
                ""
                if self.equilibrium_index is None
                else f"; #{self.equilibrium_index} of kurilsim.solve on the normal form"
            )
            reached += (
                f" to the equilibrium {profile} (max regret {self.equilibrium_regret:.1e}{listed})"
            )
        elif self.converged and self.method == "logit":
            reached += (
                f" to a logit quantal response equilibrium at this precision (max regret as a "
                f"Nash equilibrium {self.limit_regret:.2g})"
            )
        elif self.converged:
            reached += (
                f", at a rest point that is not a Nash equilibrium (max regret "
                f"{self.limit_regret:.2g})"
            )
        else:
            unit = "rounds" if self.method == "fictitious-play" else "steps"
            reached += f"; WARNING: no limit within {len(self.times) - 1} {unit}"
        lines.append(reached)
        return lines

    def _table(self, limit: int) -> tuple[list[str], list[list[str]]]:
        """Header and rows of the trajectory at ``limit`` points spread over it (0: all)."""
        game = self.game
        header = [
            self._time,
            *(f"{p}: {s}" for p, names in zip(game.players, game.strategies, strict=True)
              for s in names),
        ]  # fmt: skip
        rows = [
            [number(self.times[k])] + [f"{probs[k, a]:.4f}" for probs in self.profiles
                                       for a in range(probs.shape[1])]
            for k in self._rows(limit)
        ]  # fmt: skip
        return header, rows

    def __repr__(self) -> str:
        return (
            f"<LearningPath {self.method}: {self.status} after {len(self.times) - 1} steps, "
            f"{'an equilibrium' if self.equilibrium is not None else 'no equilibrium'}>"
        )

    @property
    def _time(self) -> str:
        return "round" if self.method == "fictitious-play" else "time"

    def _setup(self) -> str:
        steps = len(self.times) - 1
        options = self.options
        if self.method == "fictitious-play":
            text = f"{steps} rounds, ties broken with seed {options['seed']}"
        else:
            text = f"{steps} steps of {options['step_size']:g}"
        if self.method == "logit":
            text += f", precision lambda {options['precision']:g}"
        return f"{text}; tolerance {self.tol:g}"

    def _rows(self, limit: int) -> list[int]:
        last = len(self.times) - 1
        if not limit or limit > last:
            return list(range(last + 1))
        return sorted({round(k) for k in np.linspace(0, last, max(limit, 2))})

    def _profile_dict(self, profile: Profile) -> dict[str, dict[str, float]]:
        return {
            p: {s: float(q) for s, q in zip(names, probs, strict=True)}
            for p, names, probs in zip(
                self.game.players, self.game.strategies, profile, strict=True
            )
        }


#: How each dynamics is named in reports and figures.
TITLES = {
    "fictitious-play": "fictitious play",
    "replicator": "replicator dynamics",
    "logit": "logit response dynamics",
}


def learn(
    game_or_scenario: NormalFormGame | Scenario,
    dynamics: str = "fictitious-play",
    start: Mapping[str, Sequence[float]] | Sequence[Sequence[float]] | None = None,
    steps: int | None = None,
    seed: int | None = None,
    *,
    tol: float | None = None,
    step_size: float | None = None,
    precision: float | None = None,
    parameters: Mapping[str, float] | None = None,
) -> LearningPath:
    """Run learning dynamics on a game from ``start`` and report where play goes.

    Parameters
    ----------
    game_or_scenario
        A normal-form game, or a scenario (its normal form at ``parameters`` is played).
    dynamics
        ``"fictitious-play"`` (Brown 1951; :mod:`~kurilsim.analysis.fictitious_play`),
        ``"replicator"`` (Taylor and Jonker 1978; :mod:`~kurilsim.analysis.replicator`) or
        ``"logit"`` (Fudenberg and Levine 1998; :mod:`~kurilsim.analysis.logit_dynamics`).
        Two-player fictitious play and replicator dynamics are nashpy's.
    start
        Each player's starting mixture: a mapping from player names (players left out start
        uniform) or one sequence per player; by default every player mixes uniformly.
    steps
        Rounds (fictitious play) or time steps; by default as in :data:`DYNAMICS`.
    seed
        Seed of fictitious play's random tie-breaking (the other dynamics draw nothing); by
        default :data:`~kurilsim.core.arguments.DEFAULT_SEED`.
    tol
        Tolerance of convergence and of the equilibrium check, in ``(0, 0.1]``; by default as in
        :data:`DEFAULT_TOLERANCES`. Probabilities below it are dropped from the equilibrium.
    step_size
        Time between points of the dynamics in continuous time, in ``(0, 1]``, in units of the
        payoff range; by default :data:`DEFAULT_STEP_SIZE`.
    precision
        Lambda of the logit response, relative to each player's payoff range (as for the logit
        QRE); by default :data:`~kurilsim.core.concepts.DEFAULT_PRECISION`. The response turns
        sharper as lambda grows: at lambda well above 1 / ``step_size``, take a smaller
        ``step_size``, or the fixed steps overshoot.
    parameters
        Parameter values of a scenario (its defaults for the rest).

    Returns
    -------
    LearningPath

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For an unknown dynamics or player, an option of another dynamics (:data:`TAKEN_BY`), a
        starting mixture that is not a probability vector of the right length, a number out of
        range, or more ``steps`` than a path can hold (:data:`MAX_PATH_VALUES`).

    Examples
    --------
    Fictitious play in matching pennies reaches the mixed equilibrium (Robinson 1951):

    >>> import kurilsim
    >>> from kurilsim.forms import catalogue
    >>> path = kurilsim.learn(catalogue.matching_pennies(), start={"Even": [0.9, 0.1]})
    >>> path.converged, [p.round(2).tolist() for p in path.equilibrium]
    (True, [[0.5, 0.5], [0.5, 0.5]])
    """
    game, values = _game_of(game_or_scenario, parameters)
    dynamics = check_text("dynamics", dynamics)
    if dynamics not in DYNAMICS:
        raise InputError(
            f"unknown dynamics {dynamics!r}; expected one of {', '.join(DYNAMICS)}",
            field="dynamics",
        )
    given = {"seed": seed, "step_size": step_size, "precision": precision}
    refuse_other_dynamics_options(
        dynamics, {name: name for name in given if given[name] is not None}
    )
    steps = check_int("steps", DYNAMICS[dynamics] if steps is None else steps, minimum=1)
    seed = check_int("seed", DEFAULT_SEED if seed is None else seed, minimum=0)
    tol = check_real(
        "tol",
        DEFAULT_TOLERANCES[dynamics] if tol is None else tol,
        above=0.0,
        maximum=MAX_LEARNING_TOL,
    )
    step_size = check_real(
        "step_size", DEFAULT_STEP_SIZE if step_size is None else step_size, above=0.0, maximum=1.0
    )
    profile = start_profile(game, start)
    values_per_step = sum(len(p) for p in profile)
    if (steps + 1) * values_per_step > MAX_PATH_VALUES:
        raise InputError(
            f"a path of {steps:,} steps of {values_per_step} frequencies would hold more than "
            f"{MAX_PATH_VALUES:,} numbers; take at most {MAX_PATH_VALUES // values_per_step - 1:,}",
            field="steps",
        )
    payoffs = game.payoffs
    options: dict[str, Any] = {"steps": steps}
    if dynamics == "fictitious-play":
        from kurilsim.analysis.fictitious_play import fictitious_play

        options["seed"] = seed
        path = fictitious_play(payoffs, profile, steps, seed)
        residual = float(relative_regrets(payoffs, tuple(p[-1] for p in path)).max())
        times = np.arange(steps + 1, dtype=np.float64)
    else:
        times = np.arange(steps + 1) * step_size
        options["step_size"] = step_size
        if dynamics == "replicator":
            from kurilsim.analysis.replicator import replicator

            path = replicator(payoffs, profile, step_size, steps)
        else:
            from kurilsim.analysis.logit_dynamics import logit_dynamics

            lam = check_real(
                "precision", DEFAULT_PRECISION if precision is None else precision, above=0.0
            )
            options["precision"] = lam
            path = logit_dynamics(payoffs, profile, lam, step_size, steps)
        # The largest velocity over the last tenth of the path, per unit of time.
        tail = max(2, steps // 10)
        residual = max(float(np.abs(np.diff(p[-tail:], axis=0)).max()) for p in path) / step_size
    options["start"] = {p: q.tolist() for p, q in zip(game.players, profile, strict=True)}
    status = "converged" if residual <= tol else _unsettled(path)
    equilibrium, index, regret = (
        _equilibrium(game, path, tol) if status == "converged" else (None, None, math.nan)
    )
    if dynamics == "replicator" and equilibrium is None and all(np.all(p > 0) for p in profile):
        status = _unsettled(path)  # an interior path's limit would be a Nash equilibrium
    return LearningPath(
        game=game,
        method=dynamics,
        times=times,
        profiles=path,
        status=status,
        residual=residual,
        equilibrium=equilibrium,
        equilibrium_index=index,
        equilibrium_regret=regret,
        tol=tol,
        options=options,
        parameters=values,
    )


def refuse_other_dynamics_options(dynamics: str, given: Mapping[str, str]) -> None:
    """Refuse an option given that ``dynamics`` does not take (:data:`TAKEN_BY`).

    Parameters
    ----------
    dynamics
        A key of :data:`DYNAMICS`.
    given
        Each option given (``seed``, ``step_size``, ``precision``) with the name to refuse it
        by: the argument's, or the command line's (``--step-size``).

    Raises
    ------
    InputError
        For the first option of ``given`` that ``dynamics`` does not take, naming it, or an
        option not in :data:`TAKEN_BY`.

    Examples
    --------
    >>> refuse_other_dynamics_options("logit", {"precision": "--precision"})
    >>> refuse_other_dynamics_options("logit", {"seed": "--seed"})
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: --seed: an option of fictitious-play, not of logit
    """
    check_known_options("learn's check by dynamics", given, TAKEN_BY, field="given")
    for option, name in given.items():
        taking = TAKEN_BY[option]
        if dynamics not in taking:
            raise InputError(f"an option of {' and '.join(taking)}, not of {dynamics}", field=name)


def start_profile(
    game: NormalFormGame,
    start: Mapping[str, Sequence[float]] | Sequence[Sequence[float]] | None,
) -> Profile:
    """Each player's starting mixture as a probability vector; uniform where none is given.

    Raises
    ------
    ArgumentTypeError
        If ``start`` is not a mapping, a sequence of sequences or None.
    InputError
        For an unknown player, a mixture of the wrong length, a negative or non-finite
        probability, or probabilities whose sum is not 1 (within 1e-6; they are then scaled to
        sum to exactly 1).

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> game = catalogue.matching_pennies()
    >>> [p.tolist() for p in start_profile(game, {"Odd": [0.25, 0.75]})]
    [[0.5, 0.5], [0.25, 0.75]]
    >>> start_profile(game, {"Odd": [0.5, 0.6]})
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: start['Odd']: probabilities sum to 1.1, not 1
    """
    uniform = {p: np.full(n, 1.0 / n) for p, n in zip(game.players, game.shape, strict=True)}
    if start is None:
        return tuple(uniform.values())
    if isinstance(start, Mapping):
        given = check_mapping("start", start)
        for player in given:
            if player not in uniform:
                raise InputError(
                    f"unknown player {player!r}; expected one of {list(game.players)}",
                    field="start",
                )
    elif isinstance(start, Sequence) and not isinstance(start, str):
        if len(start) != game.n_players:
            raise InputError(
                f"expected {game.n_players} mixtures, one per player, got {len(start)}",
                field="start",
            )
        given = dict(zip(game.players, start, strict=True))
    else:
        raise ArgumentTypeError(
            f"expected None, a mapping of players to mixtures or one mixture per player, "
            f"got {shown(start)}",
            field="start",
        )
    return tuple(
        _mixture(f"start[{p!r}]", given[p], len(uniform[p])) if p in given else uniform[p]
        for p in game.players
    )


def _mixture(name: str, value: object, n: int) -> FloatArray:
    """``value`` as a probability vector of length ``n``."""
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise ArgumentTypeError(
            f"expected a list of {n} probabilities, got {shown(value)}", field=name
        )
    probs = np.array([check_real(name, q) for q in value], dtype=np.float64)
    if probs.shape != (n,):
        raise InputError(f"expected {n} probabilities, got {len(probs)}", field=name)
    if np.any(probs < 0):
        raise InputError(f"probabilities must not be negative, got {probs.min():g}", field=name)
    total = float(probs.sum())
    if abs(total - 1.0) > 1e-6:
        raise InputError(f"probabilities sum to {total:g}, not 1", field=name)
    return np.asarray(probs / total, dtype=np.float64)


def _game_of(
    game_or_scenario: object, parameters: Mapping[str, float] | None
) -> tuple[NormalFormGame, dict[str, Any]]:
    """The game to play and the parameter values it was built at."""
    if isinstance(game_or_scenario, Scenario):
        scenario = game_or_scenario
        values = scenario.parameter_values(check_mapping("parameters", parameters))
        try:
            game = scenario.form.normal_form(scenario, values)
        except InputError as exc:  # say which file has no normal form
            raise InputError(
                exc.reason, file=exc.file or scenario.source, field=exc.field
            ) from None
        return check_instance("game_or_scenario", game, NormalFormGame, "a normal form"), values
    game = check_instance(
        "game_or_scenario", game_or_scenario, NormalFormGame, "a NormalFormGame or a Scenario"
    )
    if parameters:
        raise InputError("parameters can only be set for a scenario", field="parameters")
    return game, {}


def _unsettled(path: Profile) -> str:
    """``"cycling"`` or ``"not converged"``, by the winding of the path (module documentation).

    The path is projected on its two main directions (the leading principal components) and the
    angle it sweeps around its mean is summed.
    """
    points = np.hstack(path)
    centred = points - points.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    plane = centred @ axes[:2].T
    angles = np.unwrap(np.arctan2(plane[:, 1], plane[:, 0]))
    turns = abs(angles[-1] - angles[0]) / (2 * math.pi)
    return "cycling" if turns >= CYCLING_TURNS else "not converged"


def _equilibrium(
    game: NormalFormGame, path: Profile, tol: float
) -> tuple[Profile | None, int | None, float]:
    """The equilibrium play reached, its number in the solver's list, and its max regret.

    See :attr:`LearningPath.equilibrium`; the regret is computed here, whatever the source.
    """
    from kurilsim.forms.normal.solve import METHODS, default_method, solve

    payoffs = game.payoffs
    last = [probs[-1] for probs in path]
    snapped = tuple(np.where(p < tol, 0.0, p) / np.where(p < tol, 0.0, p).sum() for p in last)
    if not is_equilibrium(payoffs, snapped, tol):
        return None, None, math.nan
    method = default_method(game)
    bound: dict[str, Any] = {}
    if "max_seconds" in METHODS[method].options:
        bound["max_seconds"] = MATCH_SECONDS
    listed = solve(game, method, **bound).equilibria
    if listed:
        distances = [
            max(float(np.abs(p - q).max()) for p, q in zip(eq.profile, last, strict=True))
            for eq in listed
        ]
        nearest = int(np.argmin(distances))
        if distances[nearest] <= MATCH_RADIUS * math.sqrt(tol):
            profile = listed[nearest].profile
            return profile, nearest + 1, max_regret(payoffs, profile)
    return snapped, None, max_regret(payoffs, snapped)
