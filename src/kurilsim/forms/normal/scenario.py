"""A loaded scenario, and the payoffs it gives at chosen parameter values.

The :class:`Scenario` is immutable. Parameter values are given per call: a scalar for one game, or
a 1-D array for a batch of games; :func:`payoff_tensor` evaluates every expression once on
arrays, so a batch costs about as much numpy work as its size, not a Python loop per point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.display import html_heading, html_table
from kurilsim.core.errors import InputError
from kurilsim.core.parameters import resolve
from kurilsim.core.rules import CompiledScenario, RuledValue, SemanticError
from kurilsim.core.schema import Parameter, ScenarioFile, Source
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.regret import DEFAULT_TOL

if TYPE_CHECKING:
    from kurilsim.forms.normal.result import Solution

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario: players, strategies, parameters and the rules for payoffs.

    Create one with :func:`kurilsim.load_scenario` or :func:`kurilsim.parse_scenario`.

    Attributes
    ----------
    spec
        The file's content as validated data.
    compiled
        The rules and expressions, ready to evaluate.
    source
        Where the scenario was read from (a path, or ``"<string>"``).
    """

    spec: ScenarioFile
    compiled: CompiledScenario
    source: str

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self.spec.title

    @property
    def players(self) -> tuple[str, ...]:
        """The players, in order."""
        return self.compiled.players

    @property
    def strategies(self) -> tuple[tuple[str, ...], ...]:
        """Each player's strategy names."""
        return self.compiled.strategies

    @property
    def parameters(self) -> Mapping[str, Parameter]:
        """Parameter name -> its declaration (default, range, unit, evidence)."""
        return MappingProxyType(self.spec.parameters)

    @property
    def sources(self) -> tuple[Source, ...]:
        """The publications the scenario cites."""
        return self.spec.sources

    def defaults(self) -> dict[str, float]:
        """Every parameter's default value."""
        return resolve(self.spec.parameters)

    def parameter_values(self, overrides: Mapping[str, ArrayLike] | None = None) -> dict[str, Any]:
        """Defaults updated by ``overrides``; see :func:`~kurilsim.core.parameters.resolve`."""
        return resolve(self.spec.parameters, overrides)

    def payoff_tensor(self, overrides: Mapping[str, ArrayLike] | None = None) -> FloatArray:
        """Payoffs at the given parameter values.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_1, ..., n_N, N)`` when every value is a number, or ``(G, n_1, ..., n_N, N)``
            when values are 1-D arrays of length ``G``.

        Raises
        ------
        InputError
            If a parameter value is refused (see :meth:`parameter_values`) or a payoff is not
            finite (naming the player, the profile and the parameter values).
        """
        values = self.parameter_values(overrides)
        return payoff_tensor(self.compiled, values, self.source)

    def game(self, overrides: Mapping[str, float] | None = None) -> NormalFormGame:
        """The normal-form game at the given parameter values (defaults for the rest).

        Examples
        --------
        >>> from kurilsim import parse_scenario
        >>> text = '''
        ... kurilsim: 1
        ... title: Stag hunt
        ... parameters:
        ...   stag: {default: 4, range: [2, 10], unit: meals, description: a stag,
        ...          assumption: textbook}
        ... players: {A: [stag, hare], B: [stag, hare]}
        ... outcomes:
        ...   caught:
        ...     description: meals for each hunter
        ...     rules:
        ...       - {when: {A: stag, B: stag}, value: stag}
        ...       - {when: {A: hare}, value: 1}
        ... payoffs: {A: caught, B: "caught * 1"}
        ... '''
        >>> game = parse_scenario(text).game({"stag": 5})
        >>> game.payoffs[0, 0].tolist(), game.payoffs[1, 0].tolist()
        ([5.0, 5.0], [1.0, 1.0])
        """
        for name, value in (overrides or {}).items():
            if np.ndim(value) != 0:
                raise InputError(f"parameter {name!r}: expected a single number for one game")
        return NormalFormGame(
            self.players, self.strategies, self.payoff_tensor(overrides), title=self.title
        )

    def solve(
        self,
        overrides: Mapping[str, float] | None = None,
        method: str = "auto",
        tol: float = DEFAULT_TOL,
        **options: Any,
    ) -> Solution:
        """Solve the game at the given parameter values; see :func:`kurilsim.solve`.

        The result records the parameter values used.
        """
        # Imported when used: reading and checking a scenario needs none of the solvers.
        from kurilsim.forms.normal.solve import solve

        values = self.parameter_values(overrides)
        return solve(self.game(overrides), method, tol, parameters=values, **options)

    def _repr_html_(self) -> str:
        """Players and strategies, then every parameter with its range, unit and evidence."""
        heading = html_heading(self.title, " ".join((self.spec.description or "").split())[:300])
        players = html_table(
            ["player", "strategies"],
            [[p, ", ".join(s)] for p, s in zip(self.players, self.strategies, strict=True)],
        )
        parameters = html_table(
            ["parameter", "default", "range", "unit", "evidence"],
            [
                [
                    name,
                    f"{p.default:g}",
                    f"{p.range[0]:g} to {p.range[1]:g}",
                    p.unit,
                    ", ".join(p.evidence) or "modelling assumption",
                ]
                for name, p in self.spec.parameters.items()
            ],
        )
        return heading + players + parameters

    def __repr__(self) -> str:
        dims = " x ".join(str(len(s)) for s in self.strategies)
        return (
            f"<Scenario {self.title!r}: {', '.join(self.players)} ({dims}), "
            f"{len(self.spec.parameters)} parameters>"
        )


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
