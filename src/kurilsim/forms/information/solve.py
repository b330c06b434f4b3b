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

``auto`` is ``enumeration`` where the reduced normal form is within its bounds. With two players
it is otherwise ``sequence-lemke``, which finds one equilibrium: where the reduced normal form is
too large, where vertex enumeration refuses it, or where enumeration stops at its time bound
having found none; the result says why in its note, and is incomplete (``incomplete_reason``
``"scope: one equilibrium"``): other equilibria may exist.

Every profile a method returns has its max regret computed from the tree
(:func:`~kurilsim.forms.information.regret.behaviour_regrets`); a Nash equilibrium above the
tolerance is a bug and raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from kurilsim.core.arguments import check_int, check_method_options, check_real
from kurilsim.core.deadline import DEFAULT_MAX_SECONDS
from kurilsim.core.errors import InputError, KurilsimError, OutOfReachError, suggesting_only
from kurilsim.core.result import ONE_EQUILIBRIUM
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.forms.information.assessment import bayes_beliefs
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.reduced_normal_form import (
    mixed_to_behaviour,
    reduced_normal_form,
    size_problem,
    strategy_count,
)
from kurilsim.forms.information.regret import behaviour_regrets, payoff_scale
from kurilsim.forms.information.result import BehaviourProfile, BehaviourSolution
from kurilsim.forms.information.sequence_form import Behaviour, SequenceForm, sequence_form
from kurilsim.forms.information.sequence_lemke import MAX_PIVOTS, sequence_lemke
from kurilsim.forms.normal.solve import solve as solve_normal

#: What a method returns: profiles with their concept, why it is incomplete (None: it is not;
#: see :attr:`~kurilsim.core.result.Result.incomplete_reason`), and a note.
Found = tuple[list[tuple[Behaviour, str, float | None]], str | None, str]


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
        return [], "max_pivots", note + f" (bound {bound} reached)"
    return [(behaviour, "Nash", None)], None, note


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
    return found, solution.incomplete_reason, note


def _same(first: Behaviour, second: Behaviour) -> bool:
    return all(np.allclose(a, b, atol=1e-9) for a, b in zip(first, second, strict=True))


def _subgame_perfect(
    tree: InformationTree, form: SequenceForm, tol: float, options: Mapping[str, Any]
) -> Found:
    from kurilsim.forms.information.subgame_perfect import subgame_perfect

    found, reason, note = subgame_perfect(tree, tol, **options)
    return [(b, "subgame-perfect", None) for b in found], reason, note


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
    finished = trace.finished and trace.at_precision is not None
    return found, None if finished else "limit: logit trace", note


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


#: Most reduced strategy profiles ``auto`` enumerates; a larger form goes to the sequence form.
AUTO_MAX_PROFILES: Final = 10_000


def default_information_method(tree: InformationTree, form: SequenceForm) -> str:
    """The method ``auto`` tries first.

    It is ``enumeration``, but ``sequence-lemke`` for a two-player tree whose reduced normal form
    is too large to enumerate: more than :data:`AUTO_MAX_PROFILES` profiles, or beyond the bounds
    of :func:`~kurilsim.forms.information.reduced_normal_form.size_problem`.

    Examples
    --------
    >>> from kurilsim.forms.information.catalogue import kuhn_poker
    >>> from kurilsim.forms.information.sequence_form import sequence_form
    >>> [default_information_method(t, sequence_form(t)) for t in (kuhn_poker(), kuhn_poker(5))]
    ['enumeration', 'sequence-lemke']
    """
    if tree.n_players != 2:
        return "enumeration"
    profiles = strategy_count(form, 0) * strategy_count(form, 1)
    if profiles > AUTO_MAX_PROFILES or size_problem(form):
        return "sequence-lemke"
    return "enumeration"


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
        ``"auto"`` or a name in :data:`INFORMATION_METHODS`. ``auto`` enumerates every extreme
        equilibrium where the reduced normal form allows it; with two players it otherwise
        finds one equilibrium by ``sequence-lemke`` (when the reduced normal form is too large,
        when vertex enumeration refuses it, or when enumeration stops at ``max_seconds`` having
        found none), and the result names that method and its scope, says why in its note,
        and is incomplete (``incomplete_reason`` ``"scope: one equilibrium"``).
    tol
        Relative tolerance, multiplied by the largest range of a player's payoffs.
    parameters
        Scenario parameter values the tree was built at, recorded in the result.
    **options
        The method's options; ``auto`` takes those of ``enumeration`` and, with two players,
        of ``sequence-lemke``, each given to its method.

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

    >>> from kurilsim.forms.information.catalogue import beer_quiche, kuhn_poker
    >>> solution = solve_information(beer_quiche())
    >>> solution.method, len(solution), all(p.max_regret < 1e-9 for p in solution)
    ('enumeration', 4, True)
    >>> sorted({round(float(p.payoffs[0]), 6) for p in solution})  # quiche pool, beer pool
    [2.1, 2.9]

    Kuhn poker with five cards has 243 x 1024 reduced strategies: ``auto`` finds one equilibrium.

    >>> solution = solve_information(kuhn_poker(5))
    >>> solution.method, solution.scope, len(solution), solution.incomplete_reason
    ('sequence-lemke', 'one Nash equilibrium', 1, 'scope: one equilibrium')
    """
    check_tolerance(tol)
    form = sequence_form(tree)
    if method == "auto":
        return _auto(tree, form, tol, parameters or {}, options)
    return _solved(tree, form, method, tol, parameters or {}, options)


def _auto(
    tree: InformationTree,
    form: SequenceForm,
    tol: float,
    parameters: Mapping[str, float],
    options: Mapping[str, Any],
) -> BehaviourSolution:
    """``enumeration``, or for two players ``sequence-lemke`` where enumeration cannot answer."""
    name = default_information_method(tree, form)
    if tree.n_players != 2:
        return _solved(tree, form, name, tol, parameters, options)
    taken = {m: INFORMATION_METHODS[m].options for m in ("enumeration", "sequence-lemke")}
    check_method_options("auto", options, (*taken["enumeration"], *taken["sequence-lemke"]))
    by_method = {m: {k: v for k, v in options.items() if k in taken[m]} for m in taken}
    if name == "enumeration":
        try:
            solution = _solved(tree, form, name, tol, parameters, by_method[name])
        except OutOfReachError as refusal:
            why = refusal.problem
        else:
            if solution.profiles or solution.complete:
                return solution
            bound = by_method[name].get("max_seconds", DEFAULT_MAX_SECONDS)
            why = f"{solution.note}: stopped at its bound (max_seconds {bound:g}) with none"
    else:
        counts = [strategy_count(form, i) for i in range(2)]
        why = size_problem(form) or (
            f"the reduced normal form has {counts[0]} x {counts[1]} = {counts[0] * counts[1]:,} "
            f"strategy profiles, more than the {AUTO_MAX_PROFILES:,} auto enumerates"
        )
    reason = f"auto: one equilibrium by the sequence form, others may exist ({why})"
    lemke = by_method["sequence-lemke"]
    return _solved(tree, form, "sequence-lemke", tol, parameters, lemke, reason, ONE_EQUILIBRIUM)


def _solved(
    tree: InformationTree,
    form: SequenceForm,
    name: str,
    tol: float,
    parameters: Mapping[str, float],
    options: Mapping[str, Any],
    reason: str = "",
    scope_reason: str | None = None,
) -> BehaviourSolution:
    """Solve by the method ``name`` and verify every profile; ``reason`` heads the note.

    ``scope_reason`` is the result's ``incomplete_reason`` where the method finishes: the scope
    it falls short of, when ``auto`` chose a method that finds fewer answers than asked for.
    """
    if name not in INFORMATION_METHODS:
        raise InputError(
            f"unknown method {name!r}; expected auto or one of {', '.join(INFORMATION_METHODS)}"
        )
    spec = INFORMATION_METHODS[name]
    if spec.players == "2" and tree.n_players != 2:
        raise InputError(f"method {name!r} solves 2-player games; this game has {tree.n_players}")
    check_method_options(name, options, spec.options)
    # A reduced normal form too large to enumerate: the sequence form finds one equilibrium.
    with suggesting_only(INFORMATION_METHODS, "sequence-lemke"):
        found, stopped, note = spec.run(tree, form, tol, options)
    profiles = tuple(
        verified_profile(tree, form, behaviour, concept, tol, precision, name)
        for behaviour, concept, precision in found
    )
    return BehaviourSolution(
        game=tree,
        method=name,
        scope=spec.scope,
        tol=tol,
        scale=payoff_scale(tree),
        profiles=profiles,
        incomplete_reason=stopped or scope_reason,
        options=options,
        parameters=parameters,
        note=f"{reason}; {note}" if reason else note,
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
