"""Scalar outputs of a scenario at a batch of parameter points: what a sensitivity analysis ranks.

An output is named by a short text, parsed here without ``eval``:

``deal-share`` or ``deal-share:CONDITION``
    The share of the equilibria at a point that are deals: the mean, over the equilibria the
    form's default method finds, of the probability that play is a deal (1 or 0 for a pure
    equilibrium); 0 where there is none. ``CONDITION`` is an expression over the scenario's
    outcome variables, as ``kurilsim compare --deal`` takes it (``treaty > 0``); by default
    ``islands > 0`` where the scenario has an ``islands`` variable (in a game with private
    information, else ``deal > 0`` where it has a ``deal`` variable). Normal form; game trees
    (the probability that subgame-perfect play ends at a deal leaf), trees with information sets
    (that the play of each equilibrium in behaviour strategies does), signalling games (that play
    in each perfect Bayesian equilibrium does, over the sender's types).
``deal-any`` or ``deal-any:CONDITION``
    Whether a deal is an equilibrium: the largest probability of a deal among the equilibria at
    the point (1 where some pure equilibrium is a deal), 0 where there is none. The same forms.
``regime:LABEL``
    1 where some equilibrium at the point has the label ``LABEL``, else 0. ``LABEL`` is a label
    as sweeps print it (``Russia: two_islands, Japan: accept_two, US: tolerate, China:
    neutral``), or part of one: a comma-separated list of ``player: strategy`` items that all
    appear in the label (``Russia: two_islands``). Every form. A label that no point has is
    refused, naming the labels that occur (a mistyped label is not a constant output).
``payoff:PLAYER``
    The player's payoff, averaged over the equilibria at the point. Every form whose sweep rows
    carry payoffs (normal, extensive, information, bargaining; signalling and Bayesian games
    give each player's expected payoff before the types are drawn); undefined (an error) where a
    point has no equilibrium.
``qre-deal:LAMBDA`` or ``qre-deal:LAMBDA:CONDITION``
    The probability of a deal under the logit QRE at precision ``LAMBDA``, relative to each
    player's payoff range: in the normal form the QRE of
    :mod:`kurilsim.forms.normal.logit_qre`, traced point by point; in game trees, trees with
    information sets and signalling games the agent QRE
    (:mod:`kurilsim.forms.information.logit_batch`), traced for the whole batch at once.

In a dynamic scenario the deals are the file's own, stage by stage: ``deal-share`` and
``deal-any`` (without a condition) are the chance of a deal by the last round shown on the path of
its Markov perfect equilibrium (one per point), vectorised; it has no QRE. Bargaining, conflict and
repeated scenarios have no deal outputs: their sweep rows name a solution (an agreement, a stable
state, a payoff set) but give no probability that play is a deal, and the deal outputs refuse them
in one line saying so.

Every output but the QRE is read off the rows that the form's sweep method returns for the whole
batch at once (:meth:`~kurilsim.core.scenario.GameForm.sweep_rows`), the rows that ``kurilsim
sweep`` writes; the deal outputs of trees with information sets and of signalling games are read
off the form's solution at each point, which is what its sweep rows are made of.

Examples
--------
>>> import kurilsim
>>> import numpy as np
>>> hunt = kurilsim.parse_scenario(
...     "{kurilsim: 1, title: Stag hunt, players: {A: [stag, hare], B: [stag, hare]},"
...     " parameters: {stag: {default: 4, range: [0, 10], unit: meals, description: s,"
...     " assumption: e}}, payoff_table: [{profile: [stag, stag], payoffs: [stag, stag]},"
...     " {profile: [stag, hare], payoffs: [0, 1]}, {profile: [hare, stag],"
...     " payoffs: [1, 0]}, {profile: [hare, hare], payoffs: [1, 1]}]}")
>>> output = parse_output("regime:A: stag", hunt)
>>> values, reasons = output.evaluate(hunt, {"stag": np.array([0.5, 4.0])})
>>> values.tolist(), reasons.tolist()  # None: the method finished at both points
([0.0, 1.0], [None, None])
>>> parse_output("payoff:A", hunt).evaluate(hunt, {"stag": np.array([0.5, 4.0])})[0].tolist()
[1.0, 2.5]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from kurilsim.analysis.tree_play import (
    agent_qre_leaves,
    check_deal,
    equilibrium_deals,
    is_tree_form,
    leaf_deals,
)
from kurilsim.core.deals import default_deal
from kurilsim.core.errors import InputError
from kurilsim.core.option_defaults import DEFAULT_MAX_MEMORY, OUTPUT_SYNTAX
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import point_reasons
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.logit_qre import logit_qre
from kurilsim.forms.normal.properties import property_mask
from kurilsim.sweeps.engine import chunk_size_for

FloatArray = NDArray[np.float64]
ObjectArray = NDArray[np.object_]
Kind = Literal["deal-share", "deal-any", "regime", "payoff", "qre-deal"]

#: Most points of one batch of a deal output: the deal masks take points x profiles floats.
_DEAL_CHUNK = 4096


@dataclass(frozen=True)
class ScalarOutput:
    """One scalar output of a scenario, parsed from its text by :func:`parse_output`.

    Attributes
    ----------
    text
        The text it was parsed from.
    kind
        ``"deal-share"``, ``"deal-any"``, ``"regime"``, ``"payoff"`` or ``"qre-deal"``.
    argument
        The label, the player, or the deal condition (deal kinds); empty where not used.
    precision
        The QRE's relative precision (``qre-deal`` only; else NaN).
    """

    text: str
    kind: Kind
    argument: str = ""
    precision: float = math.nan

    def evaluate(
        self,
        scenario: Scenario,
        values: Mapping[str, Any],
        tol: float = DEFAULT_TOL,
        options: Mapping[str, Any] | None = None,
    ) -> tuple[FloatArray, ObjectArray]:
        """The output at every point of a batch, and why the method did not finish there.

        Parameters
        ----------
        scenario
            The scenario the output was parsed for.
        values
            Parameter name -> 1-D array of one length ``G`` (the others at their defaults).
        tol
            Relative tolerance of the solver.
        options
            Options of the form's sweep method, as :func:`kurilsim.sweep` takes them: for a game
            tree, the bounds of the listing at a tied point (``max_equilibria``,
            ``max_seconds``). A ``qre-deal`` output, solved by no such method, takes none.

        Returns
        -------
        values, reasons
            Two arrays of length ``G``: the output, and the reason the answer at the point is
            incomplete (:attr:`kurilsim.core.result.Result.incomplete_reason`; None where it
            is complete), an array of objects.

        Raises
        ------
        InputError
            For a ``payoff`` output at a point with no equilibrium, a ``regime`` output that no
            point has (the error names the labels that occur), or an option the method does not
            take.
        """
        options = dict(options or {})
        at = scenario.parameter_values(values)
        size = max((len(v) for v in at.values() if np.ndim(v) == 1), default=1)
        tree = is_tree_form(scenario)
        if self.kind == "qre-deal":
            if options:
                raise InputError(
                    f"output {self.text!r} is a quantal response equilibrium, which takes no "
                    f"option; got {', '.join(options)}",
                    file=scenario.source,
                )
            if tree:
                out = self._tree_qre_deal(scenario, at, size)
                self._check_defined(out, "the agent QRE branch could not be followed")
                return out, np.full(size, None, dtype=object)
            return self._qre_deal(scenario, at, size), np.full(size, None, dtype=object)
        method = scenario.form.sweep_method(scenario, None, tol, options)
        chunk = chunk_size_for(scenario, method, None, DEFAULT_MAX_MEMORY)
        if self.kind.startswith("deal"):
            chunk = min(chunk, _DEAL_CHUNK)
        out, reasons = np.empty(size), np.full(size, None, dtype=object)
        seen: dict[str, None] = {}  # the labels met, for a regime that matches none of them
        for start in range(0, size, chunk):
            part = {k: (v[start : start + chunk] if np.ndim(v) == 1 else v) for k, v in at.items()}
            stop = min(start + chunk, size)
            if tree and self.kind.startswith("deal"):
                game, deal, why = equilibrium_deals(scenario, part, self.argument, tol, options)
                found = self._from_deals(game, deal, stop - start), why
            else:
                rows = scenario.form.sweep_rows(scenario, part, method, tol, options)
                found = self._from_rows(scenario, part, rows, stop - start)
                labels = np.asarray(rows.columns["label"], dtype=object)
                seen.update(dict.fromkeys(str(label) for label in labels))
            out[start:stop], reasons[start:stop] = found
        if self.kind == "payoff":
            self._check_defined(out, "there is no equilibrium")
        if self.kind == "regime" and size and not out.any():
            raise InputError(self._unmatched(seen), file=scenario.source)
        return out, reasons

    def _unmatched(self, labels: Mapping[str, None], shown: int = 8) -> str:
        """Why a regime output is refused: no point has it; the labels the points have."""
        listed = "; ".join(repr(label) for label in list(labels)[:shown])
        more = f" and {len(labels) - shown:,} more" if len(labels) > shown else ""
        return (
            f"output {self.text!r}: no point has an equilibrium labelled {self.argument!r} "
            f"(nor one with all of its 'player: strategy' items); the labels that occur are "
            f"{listed}{more}"
        )

    def _check_defined(self, out: FloatArray, why: str) -> None:
        """Refuse an output that is NaN at some points, saying where and why."""
        if np.isnan(out).any():
            missing = int(np.isnan(out).sum())
            raise InputError(
                f"output {self.text!r} is undefined at {missing:,} of {len(out):,} points, where "
                f"{why}; choose an output defined everywhere (deal-share, regime:LABEL)"
            )

    def _from_rows(
        self, scenario: Scenario, values: Mapping[str, Any], rows: Any, size: int
    ) -> tuple[FloatArray, ObjectArray]:
        game = np.asarray(rows.game, dtype=np.int64)
        columns = rows.columns
        why = point_reasons(game, columns["incomplete_reason"].to_pylist(), size)
        labels = np.asarray(columns["label"], dtype=object)
        if self.kind == "regime":
            hit = np.array([_matches(str(label), self.argument) for label in labels], dtype=bool)
            found = np.zeros(size)
            np.maximum.at(found, game, hit.astype(float))
            return found, why
        if self.kind == "payoff":
            if f"payoff.{self.argument}" not in columns:
                raise InputError(
                    f"output {self.text!r}: a {scenario.form.description}'s sweep rows carry no "
                    "payoffs; use regime:LABEL"
                )
            payoff = np.asarray(columns[f"payoff.{self.argument}"], dtype=float)
            return _mean_by_point(game, payoff, size, empty=math.nan), why
        if scenario.form.name == "dynamic":  # the file's own deals, on the equilibrium path
            deal = np.asarray(columns["deal_by_end"], dtype=float)
        else:
            deal = _row_deal_probability(scenario, values, self.argument, game, columns)
        return self._from_deals(game, deal, size), why

    def _from_deals(self, game: NDArray[np.int64], deal: FloatArray, size: int) -> FloatArray:
        """A deal output at each point from each equilibrium's chance of a deal."""
        if self.kind == "deal-share":
            return _mean_by_point(game, deal, size, empty=0.0)
        largest = np.zeros(size)
        np.fmax.at(largest, game, deal)
        return largest

    def _tree_qre_deal(self, scenario: Scenario, at: Mapping[str, Any], size: int) -> FloatArray:
        """The agent QRE's chance of a deal, the whole batch traced at once."""
        leaves = agent_qre_leaves(scenario, at, np.full(size, self.precision))
        deals = leaf_deals(scenario, at, self.argument)
        return np.asarray((leaves * deals).sum(axis=1), dtype=float)

    def _qre_deal(self, scenario: Scenario, at: Mapping[str, Any], size: int) -> FloatArray:
        payoffs = scenario.payoffs(at)
        masks = property_mask(scenario, at, condition=self.argument)
        payoffs = payoffs.reshape((-1, *payoffs.shape[-payoffs.shape[-1] - 1 :]))
        masks = masks.reshape((-1, *masks.shape[-len(scenario.players) :]))
        out = np.empty(size)
        for point in range(size):  # the trace follows one game's branch; it does not vectorise
            profile = logit_qre(payoffs[min(point, len(payoffs) - 1)], self.precision)
            mass: Any = masks[min(point, len(masks) - 1)].astype(float)
            for p in reversed(profile):
                mass = mass @ p
            out[point] = float(mass)
        return out


def parse_output(text: str, scenario: Scenario) -> ScalarOutput:
    """Read an output's text (see the module documentation) and check it against ``scenario``.

    Raises
    ------
    InputError
        For an unknown kind, a missing or malformed argument, a player the scenario does not
        have, a deal condition naming something it does not have, or a deal output on a form
        other than the normal form.

    Examples
    --------
    >>> import kurilsim
    >>> sochi = kurilsim.load_scenario("scenarios/sochi_2016.yaml")
    >>> parse_output("deal-any:treaty > 0", sochi)
    ScalarOutput(text='deal-any:treaty > 0', kind='deal-any', argument='treaty > 0', precision=nan)
    >>> parse_output("payoff:Rusia", sochi)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: output 'payoff:Rusia': unknown player 'Rusia'; the players \
are Russia, Japan, US, China
    """
    if not isinstance(text, str):
        raise InputError(f"output must be a text such as 'deal-share', got {text!r}")
    kind, _, argument = text.strip().partition(":")
    kind, argument = kind.strip(), argument.strip()
    where = f"output {text!r}"
    if kind in ("deal-share", "deal-any"):
        condition = _deal(scenario, argument, where)
        return ScalarOutput(text, kind, condition)  # type: ignore[arg-type]
    if kind == "regime":
        if not argument:
            raise InputError(f"{where}: give the label, e.g. 'regime:Russia: two_islands'")
        return ScalarOutput(text, "regime", argument)
    if kind == "payoff":
        if argument not in scenario.players:
            players = ", ".join(scenario.players)
            raise InputError(f"{where}: unknown player {argument!r}; the players are {players}")
        return ScalarOutput(text, "payoff", argument)
    if kind == "qre-deal":
        if scenario.form.name == "dynamic":
            raise InputError(
                f"{where}: a dynamic scenario is solved for its Markov perfect equilibria, not a "
                "QRE; use deal-share (the chance of a deal by the last round shown)",
                file=scenario.source,
            )
        number, _, condition = argument.partition(":")
        try:
            precision = float(number)
        except ValueError:
            raise InputError(
                f"{where}: expected qre-deal:LAMBDA[:CONDITION], e.g. 'qre-deal:10'"
            ) from None
        if not (math.isfinite(precision) and precision >= 0):
            raise InputError(f"{where}: LAMBDA must be a finite number >= 0, got {number!r}")
        return ScalarOutput(text, "qre-deal", _deal(scenario, condition.strip(), where), precision)
    expected = ", ".join(OUTPUT_SYNTAX)
    raise InputError(f"{where}: unknown output {kind!r}; expected one of {expected}")


def _deal(scenario: Scenario, condition: str, where: str) -> str:
    """The deal condition, checked on the scenario at its defaults."""
    if is_tree_form(scenario):
        try:
            return check_deal(scenario, condition)
        except InputError as exc:
            raise InputError(f"{where}: {exc.reason}", file=scenario.source) from None
    if scenario.form.name == "dynamic":
        if condition:
            raise InputError(
                f"{where}: a dynamic scenario defines its deals stage by stage in the file; "
                "give no condition (its output is the chance of a deal by the last round shown)",
                file=scenario.source,
            )
        return ""
    if scenario.form.name != "normal":
        raise InputError(
            f"{where}: a {scenario.form.description} (form: {scenario.form.name}) gives no "
            "probability that play is a deal, only which solution holds; use regime:LABEL"
            + (" or payoff:PLAYER" if scenario.form.name == "bargaining" else ""),
            file=scenario.source,
        )
    if not condition:
        condition = default_deal([o.name for o in scenario.compiled.outcomes]) or ""
        if not condition:
            raise InputError(
                f"{where}: the scenario has no 'islands' variable; give the deal, "
                "e.g. 'deal-share:treaty > 0'"
            )
    try:
        property_mask(scenario, scenario.parameter_values(), condition=condition)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return condition


def _matches(label: str, wanted: str) -> bool:
    """Whether ``label`` is ``wanted``, or has every comma-separated item of ``wanted``."""
    if label == wanted:
        return True
    items = {item.strip() for item in label.split(",")}
    return all(item.strip() in items for item in wanted.split(","))


def _mean_by_point(
    game: NDArray[np.int64], row_values: FloatArray, size: int, empty: float
) -> FloatArray:
    """The mean of the defined (non-NaN) row values at each point; ``empty`` where none is."""
    defined = ~np.isnan(row_values)
    counts = np.bincount(game[defined], minlength=size)
    sums = np.bincount(game[defined], weights=row_values[defined], minlength=size)
    return np.where(counts > 0, sums / np.maximum(counts, 1), empty)


def _row_deal_probability(
    scenario: Scenario,
    values: Mapping[str, Any],
    condition: str,
    game: NDArray[np.int64],
    columns: Mapping[str, Any],
) -> FloatArray:
    """For each sweep row, the probability that its equilibrium's play is a deal (NaN: none)."""
    masks = property_mask(scenario, values, condition=condition)
    n_players = len(scenario.players)
    masks = masks.reshape((-1, *masks.shape[-n_players:]))
    mass: Any = masks[np.minimum(game, len(masks) - 1)].astype(float)
    for player, names in reversed(list(zip(scenario.players, scenario.strategies, strict=True))):
        probs = np.stack(
            [np.asarray(columns[f"prob.{player}.{s}"], dtype=float) for s in names], axis=-1
        )
        mass = np.einsum("r...k,rk->r...", mass, probs)
    return np.asarray(mass, dtype=float)
