"""Deals and what blocks them, for every game form.

A *deal* is any outcome a condition marks, such as ``"islands > 0"`` (land changes hands). When
no equilibrium is a deal, each form reads off the deal nearest to equilibrium play the parties who
would leave it (:class:`Blocker`), collected in a :class:`NearestDeal`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.core.expr import Expression, parse_expression

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: The deal condition used when none is given and the scenario has an ``islands`` variable:
#: every bundled Kuril scenario names the land transferred that way.
DEFAULT_DEAL = "islands > 0"


@dataclass(frozen=True)
class Blocker:
    """A player who would leave a deal, and why.

    Attributes
    ----------
    player
        Who leaves.
    move
        What the player does in the deal (a strategy, or the move at a decision node).
    deviation
        What the player prefers instead.
    gain
        The player's payoff gain from leaving, in the player's payoff units.
    leaves_deal
        Whether the deviation itself ends the deal (a party walking away), rather than changing
        the terms around it (a third party pressing, threatening or taking sides).
    terms
        The additive terms of the player's payoff with the largest contributions to the gain,
        largest first (empty where the payoff is not a sum of terms).
    node
        In a game tree: the decision node, by name; empty in a normal-form game.
    """

    player: str
    move: str
    deviation: str
    gain: float
    leaves_deal: bool
    terms: tuple[tuple[str, float], ...] = ()
    node: str = ""

    def describe(self) -> str:
        """One plain-language sentence.

        Examples
        --------
        >>> Blocker("US", "tolerate", "pressure", 0.07, False).describe()
        'US would switch from tolerate to pressure (gain 0.07)'
        """
        where = f" at '{self.node}'" if self.node else ""
        text = f"{self.player} would switch from {self.move} to {self.deviation}{where}"
        text += f" (gain {self.gain:.3g}"
        if self.terms:
            term, value = self.terms[0]
            text += f", mostly from {term.lstrip('+ ')} worth {value:.3g}"
        return text + ")"


@dataclass(frozen=True)
class NearestDeal:
    """The deal outcome nearest to equilibrium play, and who would leave it.

    Attributes
    ----------
    outcome
        The deal: a flat (C-order) strategy profile index in a normal-form game, a leaf index
        (leaves in prefix order) in a tree, a state index in a conflict; -1 when no outcome is a
        deal.
    blockers
        The players who would leave it; empty when it is an equilibrium outcome (or there is
        none).
    """

    outcome: int
    blockers: tuple[Blocker, ...]


def deal_condition(text: str, names: Sequence[str], what: str) -> Expression:
    """Parse a deal condition and check it names only ``names``.

    Parameters
    ----------
    text
        An expression in the payoff language (see :mod:`kurilsim.core.expr`).
    names
        The variables it may use.
    what
        What those variables are, for the error message (e.g. ``"outcome variables"``).

    Raises
    ------
    InputError
        For a malformed condition or an unknown name, naming the field ``deal``.

    Examples
    --------
    >>> deal_condition("islands > 0", ["islands", "treaty"], "outcome variables").names
    frozenset({'islands'})
    """
    try:
        condition = parse_expression(text)
    except InputError as exc:
        raise InputError(f"{exc.reason}: {text!r}", field="deal") from None
    unknown = sorted(condition.names.difference(names))
    if unknown:
        known = ", ".join(names) or "none"
        raise InputError(
            f"{', '.join(unknown)} in {text!r} is not among the {what} ({known})", field="deal"
        )
    return condition


def default_deal(names: Sequence[str]) -> str | None:
    """:data:`DEFAULT_DEAL` where the scenario has an ``islands`` variable, else None."""
    return DEFAULT_DEAL if "islands" in names else None


def additive_terms(text: str) -> list[tuple[int, str]]:
    """Split expression text into its additive terms, as (sign, text) pairs.

    Sums in parentheses are split too: ``a - (b - c)`` is ``a``, ``-b`` and ``+c``.

    Examples
    --------
    >>> additive_terms("a * b - c + (d - e) - -f")
    [(1, 'a * b'), (-1, 'c'), (1, 'd'), (-1, 'e'), (-1, '-f')]
    >>> additive_terms("2 * max(a, b) - (x >= 2)")
    [(1, '2 * max(a, b)'), (-1, '(x >= 2)')]
    """
    source = " ".join(text.split())
    terms: list[tuple[int, str]] = []

    def walk(node: ast.expr, sign: int) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            walk(node.left, sign)
            walk(node.right, sign if isinstance(node.op, ast.Add) else -sign)
            return
        segment = ast.get_source_segment(source, node) or ""
        if isinstance(node, ast.Compare | ast.BoolOp | ast.IfExp):
            segment = f"({segment})"  # reads as one term after a sign
        terms.append((sign, segment))

    walk(ast.parse(source, mode="eval").body, 1)
    return terms


def deals_where(columns: Mapping[str, FloatArray], size: int, deal: str, what: str) -> BoolArray:
    """True on the outcomes where ``deal`` holds, given each variable's value per outcome.

    Parameters
    ----------
    columns
        Variable name -> its value at each of ``size`` outcomes (leaves, deals or states).
    size
        The number of outcomes.
    deal
        The condition.
    what
        What the variables are, for error messages.

    Examples
    --------
    >>> deals_where({"islands": np.array([0.0, 2.0, 4.0])}, 3, "islands == 2", "variables")
    array([False,  True, False])
    """
    condition = deal_condition(deal, list(columns), what)
    return deal_mask(condition, columns, (size,))


def deal_mask(
    condition: Expression,
    values: Mapping[str, FloatArray],
    shape: tuple[int, ...],
    field: str = "deal",
) -> BoolArray:
    """True where ``condition`` is nonzero at ``values``, broadcast with ``shape``.

    The mask has ``shape``, or more where the values do: a batch of points adds its axis in
    front. ``field`` names the condition in the error below.

    Raises
    ------
    InputError
        If the condition is infinite or NaN at some outcome (as ``1 / 0`` is), which would
        otherwise count as true.

    Examples
    --------
    >>> condition = deal_condition("islands > 0", ["islands"], "variables")
    >>> deal_mask(condition, {"islands": np.array([0.0, 2.0])}, (2,))
    array([False,  True])
    """
    value = condition.evaluate(values)
    if not np.all(np.isfinite(value)):
        raise InputError(
            f"the condition {condition.source!r} is not a finite number at every outcome",
            field=field,
        )
    mask = np.not_equal(value, 0)
    return np.broadcast_to(mask, np.broadcast_shapes(shape, mask.shape)).copy()
