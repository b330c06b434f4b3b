"""Solving games of incomplete information: one entry point per kind, every answer verified."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kurilsim.core.arguments import check_method_options
from kurilsim.core.errors import InputError, suggesting_only
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.bayesian.bayesian_nash import bayesian_equilibria
from kurilsim.forms.bayesian.game import BayesianGame, SignallingGame
from kurilsim.forms.bayesian.perfect_bayesian import MAX_PAIRS, SCOPE, signalling_equilibria
from kurilsim.forms.bayesian.result import BayesianSolution, SignallingSolution

#: The methods of the form; ``auto`` picks the one the game's kind calls for.
PERFECT_BAYESIAN = "perfect-bayesian"
BAYESIAN_NASH = "bayesian-nash"
METHODS = ("auto", PERFECT_BAYESIAN, BAYESIAN_NASH)


def solve_signalling(
    game: SignallingGame,
    tol: float = DEFAULT_TOL,
    parameters: Mapping[str, float] | None = None,
    max_pairs: int = MAX_PAIRS,
) -> SignallingSolution:
    """Every pure perfect Bayesian equilibrium of a signalling game, and its generic hybrids.

    See :mod:`kurilsim.forms.bayesian.perfect_bayesian` for the method and its scope.

    Examples
    --------
    >>> from kurilsim.forms.bayesian.literature import beer_quiche
    >>> solution = solve_signalling(beer_quiche())
    >>> [solution.label(e) for e in solution if e.intuitive]
    ['pooling: weak, strong send beer -> not_duel (unsent: quiche -> duel)']
    """
    check_tolerance(tol)
    equilibria, complete = signalling_equilibria(game, tol, max_pairs)
    options = {} if max_pairs == MAX_PAIRS else {"max_pairs": max_pairs}
    return SignallingSolution(
        game,
        equilibria,
        tol,
        SCOPE,
        None if complete else "max_pairs",
        options=options,
        parameters=parameters or {},
    )


def solve_game(
    game: SignallingGame | BayesianGame,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    parameters: Mapping[str, float] | None = None,
    **options: Any,
) -> SignallingSolution | BayesianSolution:
    """Solve a game of incomplete information by ``method`` (``auto`` picks by the kind).

    A signalling game takes ``perfect-bayesian`` (option ``max_pairs``); a simultaneous game
    takes ``bayesian-nash``, whose options are those of the normal-form method solving its agent
    form (``agent_method``: ``auto``, ``pure``, ``support-enumeration`` ...).

    Raises
    ------
    InputError
        For a method that does not fit the game, or an unknown option.
    """
    check_tolerance(tol)
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if isinstance(game, SignallingGame):
        if method not in ("auto", PERFECT_BAYESIAN):
            raise InputError(f"a signalling game is solved by {PERFECT_BAYESIAN}, not {method!r}")
        check_method_options(PERFECT_BAYESIAN, options, ("max_pairs",))
        return solve_signalling(game, tol, parameters, int(options.get("max_pairs", MAX_PAIRS)))
    if method not in ("auto", BAYESIAN_NASH):
        raise InputError(
            f"a simultaneous Bayesian game is solved by {BAYESIAN_NASH}, not {method!r}"
        )
    agent_options = dict(options)
    agent_method = str(agent_options.pop("agent_method", "auto"))
    with suggesting_only(METHODS):  # an agent form too large names no method of this form
        equilibria, reason, used, scope = bayesian_equilibria(
            game, agent_method, tol, agent_options
        )
    return BayesianSolution(
        game,
        equilibria,
        tol,
        f"agent form by {used}: {scope}",
        reason,
        options=options,
        parameters=parameters or {},
    )
