r"""Two-player bargaining problems over a finite deal space, with two-level ratification.

A bargaining problem in the sense of Nash (1950) is a set of feasible utility pairs and a
disagreement point :math:`d`, the pair both sides get if no agreement is reached. Here the
feasible set comes from a finite list of named *deals*: deal :math:`k` gives player :math:`i`
utility ``utilities[k, i]``. When lotteries over deals are allowed, every convex combination of
deal utilities (and of :math:`d`) is feasible too; otherwise only the deals themselves are.

Two more ingredients serve particular solutions:

* ``discount``: each player's discount factor per bargaining round, for Rubinstein's (1982)
  alternating-offers game, with ``first_mover`` making the first offer;
* ratification (Putnam 1988, the two-level game): *ratifiers* (a legislature, the public, a third
  party holding a veto) each approve deal :math:`k` with probability ``approval[k, r]``. Ratifier
  :math:`r`'s *win-set* is the set of deals whose approval reaches ``thresholds[r]``.

A continuous dimension (say, the size of an investment package on an interval) enters as a grid
of deals, one per value; ``variables`` records each deal's outcome variables, so a solution can
say which package size it picked.

Examples
--------
>>> problem = BargainingProblem(
...     players=("Japan", "Russia"),
...     deals=("joint_economic", "two_islands"),
...     utilities=[[0.3, 0.4], [0.8, 0.1]],
...     disagreement=[0.0, 0.0],
...     ratifiers=("Russian_public",),
...     approval=[[0.8], [0.29]],
...     thresholds=[0.5],
... )
>>> problem.n_deals, problem.win_set("Russian_public")
(2, ('joint_economic',))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.arguments import (
    check_array,
    check_int,
    check_mapping,
    check_names,
    check_text,
)
from kurilsim.core.errors import InputError

FloatArray = NDArray[np.float64]

#: The name a lottery gives to the disagreement outcome; no deal may take it.
DISAGREEMENT = "disagreement"


@dataclass(frozen=True, eq=False)
class BargainingProblem:
    """A two-player bargaining problem over a finite deal space.

    Parameters
    ----------
    players
        The two players' names.
    deals
        Unique names of the deals.
    utilities
        Shape ``(n_deals, 2)``: each player's utility from each deal.
    disagreement
        Shape ``(2,)``: each player's utility if no deal is reached (the status quo).
    discount
        Shape ``(2,)``: discount factors per round, each in [0, 1), or None when the problem has
        none (Rubinstein's solution then does not apply).
    first_mover
        Index (0 or 1) of the player who makes the first offer in alternating offers.
    ratifiers
        Names of the parties whose approval a deal needs (none by default).
    approval
        Shape ``(n_deals, n_ratifiers)``: the probability that each ratifier approves each deal,
        in [0, 1].
    thresholds
        Shape ``(n_ratifiers,)``: the approval each ratifier's win-set requires, in [0, 1].
    variables
        Outcome variables of the deals: name -> array of shape ``(n_deals,)``.
    title
        A human-readable title.

    Raises
    ------
    ArgumentTypeError
        If names are not lists of strings, arrays not arrays of numbers, ``first_mover`` not a
        whole number or ``title`` not a string.
    InputError
        If shapes disagree, names repeat, a number is not finite, or a probability or discount
        factor lies outside its interval.
    """

    players: tuple[str, str]
    deals: tuple[str, ...]
    utilities: FloatArray = field(repr=False)
    disagreement: FloatArray
    discount: FloatArray | None
    first_mover: int
    ratifiers: tuple[str, ...]
    approval: FloatArray = field(repr=False)
    thresholds: FloatArray = field(repr=False)
    variables: Mapping[str, FloatArray] = field(repr=False)
    title: str

    def __init__(
        self,
        players: Sequence[str],
        deals: Sequence[str],
        utilities: ArrayLike,
        disagreement: ArrayLike,
        discount: ArrayLike | None = None,
        first_mover: int = 0,
        ratifiers: Sequence[str] = (),
        approval: ArrayLike | None = None,
        thresholds: ArrayLike | None = None,
        variables: Mapping[str, ArrayLike] | None = None,
        title: str = "",
    ) -> None:
        players_t = check_names("players", players)
        deals_t = check_names("deals", deals)
        ratifiers_t = check_names("ratifiers", ratifiers)
        if len(players_t) != 2 or players_t[0] == players_t[1] or not all(players_t):
            raise InputError(
                f"a bargaining problem has two distinct players, got {players_t}", field="players"
            )
        _check_unique("deals", deals_t)
        _check_unique("ratifiers", ratifiers_t)
        if DISAGREEMENT in deals_t:
            raise InputError(
                f"{DISAGREEMENT!r} names the no-deal outcome; rename that deal", field="deals"
            )
        n, r = len(deals_t), len(ratifiers_t)
        u = check_array("utilities", utilities, shape=(n, 2))
        d = check_array("disagreement", disagreement, shape=(2,))
        delta = check_array("discount", discount, shape=(2,), optional=True)
        if delta is not None and not np.all((delta >= 0) & (delta < 1)):
            raise InputError(
                f"discount factors must lie in [0, 1), got {delta.tolist()} (at 1 a player loses "
                "nothing by waiting, and alternating offers has no unique equilibrium)",
                field="discount",
            )
        first_mover = check_int("first_mover", first_mover, minimum=0, maximum=1)
        a = check_array("approval", np.ones((n, r)) if approval is None else approval, shape=(n, r))
        t = check_array(
            "thresholds", np.full(r, 0.5) if thresholds is None else thresholds, shape=(r,)
        )
        for name, values in (("approval", a), ("thresholds", t)):
            if np.any((values < 0) | (values > 1)):
                raise InputError(f"{name} are probabilities and must lie in [0, 1]", field=name)
        frozen_variables = check_mapping(
            "variables", variables, lambda label, values: check_array(label, values, shape=(n,))
        )
        title = check_text("title", title)
        object.__setattr__(self, "players", players_t)
        object.__setattr__(self, "deals", deals_t)
        object.__setattr__(self, "utilities", u)
        object.__setattr__(self, "disagreement", d)
        object.__setattr__(self, "discount", delta)
        object.__setattr__(self, "first_mover", first_mover)
        object.__setattr__(self, "ratifiers", ratifiers_t)
        object.__setattr__(self, "approval", a)
        object.__setattr__(self, "thresholds", t)
        object.__setattr__(self, "variables", MappingProxyType(frozen_variables))
        object.__setattr__(self, "title", title)

    @property
    def n_deals(self) -> int:
        """The number of deals."""
        return len(self.deals)

    def win_set(self, ratifier: str) -> tuple[str, ...]:
        """The deals whose approval by ``ratifier`` reaches its threshold.

        Raises
        ------
        InputError
            If there is no such ratifier.
        """
        if ratifier not in self.ratifiers:
            raise InputError(f"no ratifier {ratifier!r}; this problem has {list(self.ratifiers)}")
        r = self.ratifiers.index(ratifier)
        approved = self.approval[:, r] >= self.thresholds[r]
        return tuple(name for name, ok in zip(self.deals, approved, strict=True) if ok)

    def __repr__(self) -> str:
        return (
            f"<BargainingProblem {self.title!r}: {' and '.join(self.players)}, "
            f"{self.n_deals} deals, {len(self.ratifiers)} ratifiers>"
        )


def _check_unique(argument: str, names: tuple[str, ...]) -> None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"names must be unique; repeated: {', '.join(repeated)}", field=argument)
    if not all(names):
        raise InputError("names must not be empty", field=argument)
