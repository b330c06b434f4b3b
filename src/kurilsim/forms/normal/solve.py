"""One entry point for every normal-form method: ``solve(game, method, tol, **options)``.

Each method is a function on payoff arrays in its own module; this module runs it, verifies every
profile it returns (its max regret must be within ``tol`` times the payoff scale), and wraps the
result in a :class:`~kurilsim.forms.normal.result.Solution`. A method that hits its bound says so in
``Solution.complete``, and which bound in ``Solution.incomplete_reason``; a method that returned a
profile failing verification is a bug and raises.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import check_method_options
from kurilsim.core.deadline import DEFAULT_MAX_SECONDS, Deadline
from kurilsim.core.errors import InputError, KurilsimError
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.normal.curve_components import curves_between
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.pure_nash import pure_nash, pure_profile
from kurilsim.forms.normal.regret import (
    SIMPLEX_SLACK,
    ScaledPayoffs,
    indifferent_everywhere,
    normalised_payoffs,
    on_simplices,
    payoff_scale,
)
from kurilsim.forms.normal.result import Equilibrium, Solution

FloatArray = NDArray[np.float64]
Profile = tuple[FloatArray, ...]
#: A method: (payoffs, tol, options) -> (profiles, why incomplete or None).
MethodFunction = Callable[
    [FloatArray, float, Mapping[str, Any]], tuple[Sequence[Profile], str | None]
]


@dataclass(frozen=True)
class Method:
    """A solution method as the facade sees it."""

    name: str
    scope: str
    players: str  # "any" or "2"
    options: tuple[str, ...]
    run: MethodFunction


#: Most numbers (pure profiles times strategies) the listing of every pure profile of a game
#: where every profile is an equilibrium may hold: 80 MB of probabilities.
MAX_LISTED_NUMBERS = 10_000_000


def _check_listable(payoffs: FloatArray, tol: float) -> None:
    """Refuse, in one line, a game whose every profile is an equilibrium and too many to list.

    There the equilibria are the whole product of the players' simplices, and its extreme
    points, which the listing methods return, are every pure profile.
    """
    shape = payoffs.shape[:-1]
    n_profiles = int(np.prod(shape, dtype=np.float64))
    if n_profiles * sum(shape) > MAX_LISTED_NUMBERS and indifferent_everywhere(payoffs, tol):
        raise InputError(
            "every strategy profile is an equilibrium (no player's payoff depends on their own "
            "strategy): the equilibria are the whole product of the players' simplices, whose "
            f"{n_profiles:,} pure profiles are too many to list"
        )


def _pure(
    payoffs: FloatArray, tol: float, options: Mapping[str, Any]
) -> tuple[list[Profile], str | None]:
    _check_listable(payoffs, tol)
    return [pure_profile(payoffs.shape[:-1], cell) for cell in pure_nash(payoffs, tol)], None


def _vertex(
    payoffs: FloatArray, tol: float, options: Mapping[str, Any]
) -> tuple[list[Profile], str | None]:
    # Each method's module is imported when the method runs: a command loads only the one used.
    from kurilsim.forms.normal.vertex_enumeration import bounded_vertex_enumeration

    _check_listable(payoffs, tol)
    found, finished = bounded_vertex_enumeration(payoffs, tol=tol, **options)
    return list(found), None if finished else "max_seconds"


def _lemke_howson(
    payoffs: FloatArray, tol: float, options: Mapping[str, Any]
) -> tuple[list[Profile], str | None]:
    from kurilsim.forms.normal.lemke_howson import lemke_howson

    return [lemke_howson(payoffs, tol=tol, **options)], None


def _logit(
    payoffs: FloatArray, tol: float, options: Mapping[str, Any]
) -> tuple[list[Profile], str | None]:
    from kurilsim.forms.normal.logit_qre import logit_nash

    return [logit_nash(payoffs, tol, **options)], None


def _support(
    payoffs: FloatArray, tol: float, options: Mapping[str, Any]
) -> tuple[list[Profile], str | None]:
    from kurilsim.forms.normal.support_enumeration import support_enumeration_with_reason

    _check_listable(payoffs, tol)
    found, reason = support_enumeration_with_reason(payoffs, tol=tol, **options)
    return list(found), reason


#: Every method by name.
METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("pure", "all pure equilibria", "any", (), _pure),
        Method(
            "vertex-enumeration",
            "all extreme equilibria (every vertex of every equilibrium component)",
            "2",
            ("max_seconds",),
            _vertex,
        ),
        Method(
            "lemke-howson",
            "one equilibrium",
            "2",
            ("initial_dropped_label", "max_iter"),
            _lemke_howson,
        ),
        Method(
            "support-enumeration",
            "all isolated equilibria (certified by interval subdivision), and the extreme "
            "points of every continuum on which one player mixes; incomplete where more mix "
            "on a continuum",
            "any",
            ("max_seconds",),
            _support,
        ),
        Method(
            "logit",
            "one equilibrium: the limit of the principal logit QRE branch",
            "any",
            ("max_steps", "max_seconds", "units"),
            _logit,
        ),
    )
}


def default_method(game: NormalFormGame) -> str:
    """The method ``"auto"`` stands for: every equilibrium the game's size allows.

    Two-player games use vertex enumeration (all extreme equilibria); larger games use support
    enumeration, which finds pure and mixed equilibria alike. In a one-player game the
    equilibria are the mixtures of the player's best strategies, whose extreme points are the
    pure ones, so it uses the pure method.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> default_method(catalogue.prisoners_dilemma())
    'vertex-enumeration'
    >>> default_method(catalogue.jordan_three_player_pennies())
    'support-enumeration'
    """
    if game.n_players == 1:
        return "pure"
    return "vertex-enumeration" if game.n_players == 2 else "support-enumeration"


def solve(
    game: NormalFormGame,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    parameters: Mapping[str, float] | None = None,
    **options: Any,
) -> Solution:
    """Find Nash equilibria of a normal-form game and verify each one.

    Parameters
    ----------
    game
        The game.
    method
        ``"auto"`` (all equilibria the game's size allows), or a name in :data:`METHODS`:
        ``"pure"``, ``"vertex-enumeration"`` (2 players), ``"lemke-howson"`` (2 players),
        ``"support-enumeration"``, ``"logit"``.
    tol
        Relative tolerance, multiplied by the game's payoff scale.
    parameters
        Scenario parameter values the game was built at, recorded in the result.
    **options
        Options of the method (see ``METHODS[name].options``), e.g. ``max_iter`` or
        ``max_seconds``. A method's ``max_seconds`` (default 60) bounds the whole call: with
        three or more players, tracing the curves of equilibria that join the equilibria found
        into components shares it (``Solution.components_complete`` says if it was cut short).

    Returns
    -------
    Solution

    Raises
    ------
    InputError
        For an unknown method or option, a method that does not apply to the game, or a
        tolerance that is not a small positive number.
    IterationLimitError
        When a method that returns a single equilibrium hits its bound.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim import NormalFormGame, solve
    >>> pennies = NormalFormGame(["Even", "Odd"], [["H", "T"], ["H", "T"]],
    ...                          np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]))
    >>> solution = solve(pennies)
    >>> [eq.kind for eq in solution], solution[0].profile[0].round(3).tolist()
    (['mixed'], [0.5, 0.5])
    """
    name = default_method(game) if method == "auto" else method
    if name not in METHODS:
        raise InputError(f"unknown method {method!r}; expected auto or one of {', '.join(METHODS)}")
    spec = METHODS[name]
    if spec.players == "2" and game.n_players != 2:
        raise InputError(f"method {name!r} solves 2-player games; this game has {game.n_players}")
    check_method_options(name, options, spec.options)
    check_tolerance(tol)
    payoffs = game.payoffs
    scale = payoff_scale(payoffs)
    started = time.perf_counter()
    profiles, reason = spec.run(payoffs, tol, options)
    scaled = ScaledPayoffs.of(payoffs)
    equilibria = tuple(_verified(scaled, profile, tol, name) for profile in profiles)
    links = None
    bound = (
        options.get("max_seconds", DEFAULT_MAX_SECONDS) if "max_seconds" in spec.options else None
    )
    if game.n_players >= 3 and bound is not None:
        # Components are traced within what is left of the method's bound (checked by the
        # method by now), so that the bound holds for the whole call; without a bound they are
        # traced when first asked for.
        left = bound - (time.perf_counter() - started)
        links = curves_between(
            normalised_payoffs(payoffs), [eq.profile for eq in equilibria], tol, Deadline(left)
        )
    return Solution(
        game=game,
        method=name,
        scope=spec.scope,
        tol=tol,
        scale=scale,
        equilibria=equilibria,
        incomplete_reason=reason,
        options=options,
        parameters=parameters or {},
        curve_links=links,
    )


def _verified(payoffs: ScaledPayoffs, profile: Profile, tol: float, method: str) -> Equilibrium:
    off_simplex = [
        i
        for i, p in enumerate(profile)
        if not (
            np.all(np.isfinite(p))
            and p.min() >= -SIMPLEX_SLACK
            and abs(float(p.sum()) - 1) <= SIMPLEX_SLACK
        )
    ]
    if off_simplex:
        raise KurilsimError(
            f"{method} returned a profile whose strategies of player {off_simplex[0]} are not "
            "probabilities; this is a bug in kurilsim, please report it"
        )
    # Checked as reported: on the simplex, a boundary root's rounding put right first.
    profile = on_simplices([np.asarray(p, dtype=np.float64) for p in profile])
    regret = float(payoffs.regrets(profile).max())
    if not payoffs.is_equilibrium(profile, tol):
        raise KurilsimError(
            f"{method} returned a profile with max regret {regret:.3g}, above {tol:g} times a "
            "player's payoff range; this is a bug in kurilsim, please report it"
        )
    return Equilibrium(
        profile=profile,
        payoffs=payoffs.expected_payoffs(profile),
        max_regret=regret,
        method=method,
    )
