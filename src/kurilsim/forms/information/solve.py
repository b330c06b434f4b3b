"""Solve a tree with information sets: the methods, each answer verified by a best-response pass.

Methods (:data:`INFORMATION_METHODS`):

* ``sequence-lemke`` (2 players): one Nash equilibrium by Lemke's algorithm on the sequence form
  (:mod:`~kurilsim.forms.information.sequence_lemke`); option ``max_pivots``.
* ``enumeration``: every extreme Nash equilibrium of the reduced normal form (vertex enumeration
  for 2 players, support enumeration for more; the latter finds the equilibria whose supports
  give isolated solutions), mapped to behaviour strategies; option ``max_seconds``. The normal
  form is built up to :data:`~kurilsim.forms.extensive.game.MAX_PROFILES` profiles.
* ``subgame-perfect``: equilibria that are Nash in every proper subgame
  (:mod:`~kurilsim.forms.information.subgame_perfect`).
* ``logit``: the agent logit quantal response equilibrium traced in its precision
  (:mod:`~kurilsim.forms.information.agent_logit`); option ``precision``.

``auto`` is ``enumeration`` where the reduced normal form is within its bounds, else
``sequence-lemke`` for two players.

Every profile a method returns has its max regret computed from the tree
(:func:`~kurilsim.forms.information.regret.behaviour_regrets`); a Nash equilibrium above the
tolerance is a bug and raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kurilsim.core.arguments import check_int, check_real
from kurilsim.core.errors import InputError, KurilsimError, suggesting_only
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.information.assessment import bayes_beliefs
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.reduced_normal_form import (
    mixed_to_behaviour,
    reduced_normal_form,
)
from kurilsim.forms.information.regret import behaviour_regrets, payoff_scale
from kurilsim.forms.information.result import BehaviourProfile, BehaviourSolution
from kurilsim.forms.information.sequence_form import Behaviour, SequenceForm, sequence_form
from kurilsim.forms.information.sequence_lemke import MAX_PIVOTS, sequence_lemke
from kurilsim.forms.normal.solve import solve as solve_normal

#: What a method returns: profiles with their concept, whether it finished, and a note.
Found = tuple[list[tuple[Behaviour, str, float | None]], bool, str]


@dataclass(frozen=True)
class InformationMethod:
    """A method for trees with information sets."""

    name: str
    scope: str
    players: str  # "any" or "2"
    options: tuple[str, ...]
    run: Callable[[InformationTree, SequenceForm, float, Mapping[str, Any]], Found]


def _sequence_lemke(
    tree: InformationTree, form: SequenceForm, tol: float, options: Mapping[str, Any]
) -> Found:
    bound = check_int("max_pivots", options.get("max_pivots", MAX_PIVOTS), minimum=1)
    behaviour, pivots, finished = sequence_lemke(tree, max_pivots=bound)
    note = f"Lemke's algorithm: {pivots} pivots on the sequence form"
    if not finished:
        return [], False, note + f" (bound {bound} reached)"
    return [(behaviour, "Nash", None)], True, note


def _enumeration(
    tree: InformationTree, form: SequenceForm, tol: float, options: Mapping[str, Any]
) -> Found:
    game, plans = reduced_normal_form(tree, form)
    method = "vertex-enumeration" if tree.n_players == 2 else "support-enumeration"
    solution = solve_normal(game, method, tol, **options)
    found: list[tuple[Behaviour, str, float | None]] = []
    for equilibrium in solution:
        behaviour = mixed_to_behaviour(form, plans, equilibrium.profile)
        if not any(_same(behaviour, other) for other, _, _ in found):
            found.append((behaviour, "Nash", None))
    shape = " x ".join(str(len(s)) for s in game.strategies)
    note = (
        f"{method} on the reduced normal form ({shape} strategies): {len(solution)} "
        f"equilibria, {len(found)} distinct in behaviour strategies"
    )
    return found, solution.complete, note


def _same(first: Behaviour, second: Behaviour) -> bool:
    return all(np.allclose(a, b, atol=1e-9) for a, b in zip(first, second, strict=True))


def _subgame_perfect(
    tree: InformationTree, form: SequenceForm, tol: float, options: Mapping[str, Any]
) -> Found:
    from kurilsim.forms.information.subgame_perfect import subgame_perfect

    found, finished, note = subgame_perfect(tree, tol, **options)
    return [(b, "subgame-perfect", None) for b in found], finished, note


def _logit(
    tree: InformationTree, form: SequenceForm, tol: float, options: Mapping[str, Any]
) -> Found:
    from kurilsim.forms.information.agent_logit import agent_logit_trace

    precision = check_real("precision", options.get("precision", 1.0), minimum=0.0)
    trace = agent_logit_trace(tree, precision)
    found: list[tuple[Behaviour, str, float | None]] = []
    if trace.at_precision is not None:
        found.append((trace.at_precision, "logit QRE", precision))
    found.append((trace.limit, "logit limit", trace.final_precision))
    note = (
        f"agent logit QRE traced to precision {trace.final_precision:.4g} in {trace.steps} "
        f"steps; max regret there {trace.regrets[-1]:.3g}"
    )
    return found, trace.finished and trace.at_precision is not None, note


#: Every method by name.
INFORMATION_METHODS: dict[str, InformationMethod] = {
    m.name: m
    for m in (
        InformationMethod(
            "sequence-lemke",
            "one Nash equilibrium",
            "2",
            ("max_pivots",),
            _sequence_lemke,
        ),
        InformationMethod(
            "enumeration",
            "every extreme Nash equilibrium of the reduced normal form (2 players; for more, "
            "those with isolated supports), in behaviour strategies",
            "any",
            ("max_seconds",),
            _enumeration,
        ),
        InformationMethod(
            "subgame-perfect",
            "subgame-perfect equilibria: extreme Nash equilibria of every proper subgame, "
            "combined from the last subgames up",
            "any",
            ("max_seconds",),
            _subgame_perfect,
        ),
        InformationMethod(
            "logit",
            "the agent logit QRE at the given precision, and the limit of its branch as far as "
            "traced (an approximate Nash equilibrium, with its max regret)",
            "any",
            ("precision",),
            _logit,
        ),
    )
}


def default_information_method(tree: InformationTree, form: SequenceForm) -> str:
    """``enumeration`` where the reduced normal form can be built, else ``sequence-lemke``."""
    if tree.n_players != 2:
        return "enumeration"
    from kurilsim.forms.extensive.game import MAX_PROFILES
    from kurilsim.forms.information.reduced_normal_form import strategy_count

    profiles = strategy_count(form, 0) * strategy_count(form, 1)
    return "enumeration" if profiles <= min(MAX_PROFILES, 10_000) else "sequence-lemke"


def solve_information(
    tree: InformationTree,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    parameters: Mapping[str, float] | None = None,
    **options: Any,
) -> BehaviourSolution:
    """Solve a tree with information sets by one method and verify every profile.

    Parameters
    ----------
    tree
        The tree.
    method
        ``"auto"`` or a name in :data:`INFORMATION_METHODS`.
    tol
        Relative tolerance, multiplied by the largest range of a player's payoffs.
    parameters
        Scenario parameter values the tree was built at, recorded in the result.
    **options
        The method's options.

    Returns
    -------
    BehaviourSolution

    Raises
    ------
    InputError
        For an unknown method or option, a 2-player method on another game, or a bad tolerance.
    KurilsimError
        If a method returns a Nash equilibrium whose max regret exceeds the tolerance (a bug).

    Examples
    --------
    Beer-quiche has two components of pooling equilibria, each a segment with two ends:

    >>> from kurilsim.forms.information.catalogue import beer_quiche
    >>> solution = solve_information(beer_quiche())
    >>> solution.method, len(solution), all(p.max_regret < 1e-9 for p in solution)
    ('enumeration', 4, True)
    >>> sorted({round(float(p.payoffs[0]), 6) for p in solution})  # quiche pool, beer pool
    [2.1, 2.9]
    """
    check_tolerance(tol)
    form = sequence_form(tree)
    name = default_information_method(tree, form) if method == "auto" else method
    if name not in INFORMATION_METHODS:
        raise InputError(
            f"unknown method {method!r}; expected auto or one of {', '.join(INFORMATION_METHODS)}"
        )
    spec = INFORMATION_METHODS[name]
    if spec.players == "2" and tree.n_players != 2:
        raise InputError(f"method {name!r} solves 2-player games; this game has {tree.n_players}")
    unknown = sorted(set(options).difference(spec.options))
    if unknown:
        allowed = ", ".join(spec.options) or "none"
        raise InputError(f"method {name!r} has no option {', '.join(unknown)}; options: {allowed}")
    # A reduced normal form too large to enumerate: the sequence form finds one equilibrium.
    with suggesting_only(INFORMATION_METHODS, "sequence-lemke"):
        found, finished, note = spec.run(tree, form, tol, options)
    scale = payoff_scale(tree)
    profiles = tuple(
        verified_profile(tree, form, behaviour, concept, tol, precision, name)
        for behaviour, concept, precision in found
    )
    return BehaviourSolution(
        game=tree,
        method=name,
        scope=spec.scope,
        tol=tol,
        scale=scale,
        profiles=profiles,
        complete=finished,
        options=options,
        parameters=parameters or {},
        note=note,
    )


def verified_profile(
    tree: InformationTree,
    form: SequenceForm,
    behaviour: Behaviour,
    concept: str,
    tol: float,
    precision: float | None = None,
    method: str = "",
) -> BehaviourProfile:
    """A profile with its payoffs, outcome probabilities, beliefs and max regret.

    Raises
    ------
    KurilsimError
        If ``concept`` is not a logit QRE and the max regret exceeds ``tol`` times the scale.
    """
    regret = float(behaviour_regrets(tree, behaviour, form).max())
    if precision is None and regret > tol * payoff_scale(tree):
        raise KurilsimError(
            f"{method} returned a profile with max regret {regret:.3g}, above {tol:g} times the "
            "largest payoff range; this is a bug in kurilsim, please report it"
        )
    leaves = form.outcome_probabilities(behaviour)
    return BehaviourProfile(
        behaviour=tuple(np.asarray(b, dtype=np.float64) for b in behaviour),
        payoffs=np.asarray(leaves @ tree.payoffs, dtype=np.float64),
        leaf_probabilities=leaves,
        beliefs=bayes_beliefs(tree, behaviour),
        max_regret=regret,
        concept=concept,
        precision=precision,
    )
