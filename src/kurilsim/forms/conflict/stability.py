"""Stability of the states of a graph model: Nash, GMR, SMR and SEQ, for any number of DMs.

A state is *stable* for a decision maker (DM) when the DM has no reason to leave it, and an
*equilibrium* under a concept when it is stable for every DM. The four classical concepts differ
in how far the focal DM ``i`` looks ahead and what it expects of the others, ``H = N - {i}``.
With ``R_i(s)`` the DM's unilateral moves and ``R_i^+(s)`` its unilateral improvements
(:class:`~kurilsim.forms.conflict.game.Conflict`), a state ``s`` is, for DM ``i``,

* **Nash stable (R)**: ``R_i^+(s)`` is empty (Nash 1950, 1951; rational stability of Fraser &
  Hipel 1984);
* **general metarational (GMR)**: for every ``s1`` in ``R_i^+(s)`` some ``s2`` in ``R_H(s1)``
  is not preferred by ``i`` to ``s`` (Howard 1971): the others *can* punish the improvement;
* **symmetric metarational (SMR)**: for every ``s1`` in ``R_i^+(s)`` some ``s2`` in ``R_H(s1)``
  is not preferred to ``s``, and no ``s3`` in ``R_i(s2)`` is preferred to ``s`` (Howard 1971):
  the punishment holds even after ``i`` answers it;
* **sequentially stable (SEQ)**: for every ``s1`` in ``R_i^+(s)`` some ``s2`` in ``R_H^+(s1)``
  is not preferred to ``s`` (Fraser & Hipel 1979, 1984): the others can punish *by moves that
  improve their own lot*, so the punishment is credible.

For two DMs ``R_H`` is the other DM's moves. For more, ``R_H(s1)`` is every state the others can
reach from ``s1`` by a *legal sequence* of their unilateral moves, in which no DM moves twice in
a row, and ``R_H^+(s1)`` the same with unilateral improvements, each improving for the DM that
makes it (Fang, Hipel & Kilgour 1993, *Interactive Decision Making: The Graph Model for Conflict
Resolution*, Wiley, ch. 3-4; Fang, Hipel & Kilgour 1989, "Conflict models in graph form: solution
concepts and their interrelationships", EJOR 41, 86-100). The sets are computed as boolean
reachability matrices, following the matrix representation of Xu, Hipel & Kilgour (2009,
"Matrix representation of solution concepts in multiple-decision-maker graph models", IEEE Trans.
SMC-A 39(1), 96-108).

Every Nash-stable state is GMR, SMR and SEQ stable; SMR and SEQ stable states are GMR stable.

Examples
--------
The prisoner's dilemma: mutual defection is the only Nash equilibrium, but mutual cooperation is
stable under GMR, SMR and SEQ, because a defection is answered by the other's defection, which
also pays the answering DM (Fang, Hipel & Kilgour 1993).

>>> from kurilsim.forms.conflict.game import Conflict
>>> pd = Conflict.from_options(
...     {"A": ["a_defects"], "B": ["b_defects"]},
...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
... )
>>> table = stability(pd)
>>> {concept: [pd.pattern(s) for s in table.equilibria(concept)] for concept in table.concepts}
{'nash': ['Y Y'], 'gmr': ['N N', 'Y Y'], 'smr': ['N N', 'Y Y'], 'seq': ['N N', 'Y Y']}
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from kurilsim.core.arguments import check_instance, check_mapping, check_real, check_text
from kurilsim.core.deadline import Deadline
from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.errors import InputError
from kurilsim.core.text import limited, parameters_line
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.conflict.game import BoolArray, Conflict

if TYPE_CHECKING:
    import pandas as pd

#: The stability concepts, in the order tables show them.
CONCEPTS = ("nash", "gmr", "smr", "seq")
#: Names of the concepts in tables.
CONCEPT_NAMES = {"nash": "Nash (R)", "gmr": "GMR", "smr": "SMR", "seq": "SEQ"}
#: Methods :func:`stability` accepts: every concept (``auto``) or one of them.
METHODS = ("auto", *CONCEPTS)
#: Width that text output wraps at.
WIDTH = 100
#: Default time bound of :func:`stability`, in seconds.
DEFAULT_MAX_SECONDS = 60.0
#: Most moves into each state, on average, for which a product with a move matrix gathers rows
#: instead of multiplying dense matrices.
SPARSE_MOVES = 8


def coalition_reachable(moves: BoolArray) -> BoolArray:
    """States a coalition reaches by legal sequences of its members' moves.

    A legal sequence is a chain of unilateral moves by members in which no member moves twice in
    a row (Fang, Hipel & Kilgour 1993). Following Xu, Hipel & Kilgour (2009), ``last[k]`` holds
    the pairs ``(s, q)`` joined by a legal sequence whose last move is member ``k``'s; it grows
    by ``last[k] |= (union of last[l], l != k) @ moves[k]`` until nothing changes. Move matrices
    of option form are sparse (a DM with ``j`` options has at most ``2**j - 1`` moves from each
    state), so the products gather the rows of the moves' sources rather than multiply.

    Parameters
    ----------
    moves
        Shape ``(h, m, m)``: each member's moves (or unilateral improvements).

    Returns
    -------
    numpy.ndarray
        Shape ``(m, m)``: ``[s, q]`` when the coalition can take the conflict from ``s`` to ``q``.

    Examples
    --------
    Member 0 moves 0 -> 1 and 2 -> 3, member 1 moves 1 -> 2: together they reach 3 from 0, but
    member 0 alone reaches only one step.

    >>> moves = np.zeros((2, 4, 4), dtype=bool)
    >>> moves[0, 0, 1] = moves[0, 2, 3] = moves[1, 1, 2] = True
    >>> coalition_reachable(moves)[0].astype(int).tolist()
    [0, 1, 1, 1]
    >>> coalition_reachable(moves[:1])[0].astype(int).tolist()
    [0, 1, 0, 0]
    """
    return _reachable(np.asarray(moves, dtype=bool), Deadline(None))


def _check_arguments(conflict: object, tol: object) -> float:
    """Check the arguments every concept takes; the tolerance as a float."""
    check_instance("conflict", conflict, Conflict, "a Conflict")
    checked: float = check_real("tol", tol, minimum=0)
    return checked


def nash_stable(conflict: Conflict, tol: float = 0.0) -> BoolArray:
    """Nash (rational) stability: the DM has no unilateral improvement.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, m)``: ``[i, s]`` when state ``s`` is Nash stable for DM ``i``.

    Raises
    ------
    ArgumentTypeError
        If ``conflict`` is not a :class:`Conflict` or ``tol`` not a number.
    InputError
        If ``tol`` is negative.

    Examples
    --------
    >>> from kurilsim.forms.conflict.game import Conflict
    >>> moves = np.zeros((2, 2, 2), dtype=bool)
    >>> moves[0, 0, 1] = True
    >>> nash_stable(Conflict(("A", "B"), moves, [[0, 1], [0, 0]])).tolist()
    [[False, True], [True, True]]
    """
    return _Analysis(conflict, _check_arguments(conflict, tol), Deadline(None)).stable("nash")


def gmr_stable(conflict: Conflict, tol: float = 0.0) -> BoolArray:
    """General metarationality: the others can answer every improvement with a state no better.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, m)``.

    Raises
    ------
    ArgumentTypeError
        If ``conflict`` is not a :class:`Conflict` or ``tol`` not a number.
    InputError
        If ``tol`` is negative.

    Examples
    --------
    A leaves state 0 for 1; B can then move to 2, which A likes less than 0.

    >>> from kurilsim.forms.conflict.game import Conflict
    >>> moves = np.zeros((2, 3, 3), dtype=bool)
    >>> moves[0, 0, 1] = moves[1, 1, 2] = True
    >>> gmr_stable(Conflict(("A", "B"), moves, [[1, 2, 0], [0, 0, 0]]))[0].tolist()
    [True, True, True]
    """
    return _Analysis(conflict, _check_arguments(conflict, tol), Deadline(None)).stable("gmr")


def smr_stable(conflict: Conflict, tol: float = 0.0) -> BoolArray:
    """Symmetric metarationality: an answer exists that the DM cannot escape by a further move.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, m)``.

    Raises
    ------
    ArgumentTypeError
        If ``conflict`` is not a :class:`Conflict` or ``tol`` not a number.
    InputError
        If ``tol`` is negative.

    Examples
    --------
    As for :func:`gmr_stable`, but from 2 A can move on to 3, which it prefers to 0 (and state 2
    itself is unstable for A, which improves from it to 3).

    >>> from kurilsim.forms.conflict.game import Conflict
    >>> moves = np.zeros((2, 4, 4), dtype=bool)
    >>> moves[0, 0, 1] = moves[1, 1, 2] = moves[0, 2, 3] = True
    >>> smr_stable(Conflict(("A", "B"), moves, [[1, 2, 0, 3], [0, 0, 0, 0]]))[0].tolist()
    [False, True, False, True]
    """
    return _Analysis(conflict, _check_arguments(conflict, tol), Deadline(None)).stable("smr")


def seq_stable(conflict: Conflict, tol: float = 0.0) -> BoolArray:
    """Sequential stability: the others can answer every improvement by improvements of their own.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, m)``.

    Raises
    ------
    ArgumentTypeError
        If ``conflict`` is not a :class:`Conflict` or ``tol`` not a number.
    InputError
        If ``tol`` is negative.

    Examples
    --------
    B's answer (1 -> 2) hurts A but B itself likes 2 less than 1, so the threat is not credible.

    >>> from kurilsim.forms.conflict.game import Conflict
    >>> moves = np.zeros((2, 3, 3), dtype=bool)
    >>> moves[0, 0, 1] = moves[1, 1, 2] = True
    >>> seq_stable(Conflict(("A", "B"), moves, [[1, 2, 0], [0, 1, 0]]))[0].tolist()
    [False, True, True]
    """
    return _Analysis(conflict, _check_arguments(conflict, tol), Deadline(None)).stable("seq")


def stability(
    conflict: Conflict,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    *,
    parameters: Mapping[str, float] | None = None,
    recorded: tuple[int, ...] = (),
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> StabilityTable:
    """Stability of every state for every DM under the chosen concepts.

    Parameters
    ----------
    conflict
        The graph model.
    method
        ``"auto"`` for all four concepts, or one of ``"nash"``, ``"gmr"``, ``"smr"``, ``"seq"``.
    tol
        Relative tolerance: scores closer than ``tol`` times the conflict's score scale (the largest
        range of any DM's scores) are equally preferred.
    parameters
        Scenario parameter values the conflict was built at, recorded in the result.
    recorded
        Indices of states consistent with a recorded outcome, marked in the result.
    max_seconds
        Time bound (``None``: none), checked before each DM's stability and each step of a
        coalition's reachability. The concepts are computed in the order of :data:`CONCEPTS`;
        when the bound is reached, the table holds those finished and says ``complete=False``.
        Without a bound the analysis of 1,024 states (the most a conflict has) with 10 DMs
        takes some 10 to 20 seconds.

    Returns
    -------
    StabilityTable

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For an unknown method, a negative tolerance or a negative ``max_seconds``.

    Examples
    --------
    Chicken: each driver's option is to drive straight on; both swerving is held in place only by
    the threat of a crash, which GMR counts and SEQ does not.

    >>> from kurilsim.forms.conflict.game import Conflict
    >>> chicken = Conflict.from_options(
    ...     {"A": ["a_on"], "B": ["b_on"]},
    ...     {
    ...         "A": ["-(a_on and b_on)", "a_on", "-b_on"],
    ...         "B": ["-(a_on and b_on)", "b_on", "-a_on"],
    ...     },
    ... )
    >>> table = stability(chicken)
    >>> table.equilibria("gmr"), table.equilibria("seq")
    ((0, 1, 2), (1, 2))

    With no time at all, nothing is computed and the table says so.

    >>> stability(chicken, max_seconds=0).complete
    False
    """
    tol = _check_arguments(conflict, tol)
    if check_text("method", method) not in METHODS:
        raise InputError(
            f"unknown method {method!r} for a conflict; expected one of {', '.join(METHODS)}"
        )
    parameters = check_mapping("parameters", parameters, check_real)
    max_seconds = check_real("max_seconds", max_seconds, minimum=0, optional=True)
    wanted = CONCEPTS if method == "auto" else (method,)
    analysis = _Analysis(conflict, tol, Deadline(max_seconds))
    stable = []
    try:
        for concept in wanted:
            stable.append(analysis.stable(concept))
    except _OutOfTime:
        pass
    concepts = wanted[: len(stable)]
    return StabilityTable(
        conflict,
        concepts,
        np.reshape(stable, (len(concepts), conflict.n_dms, conflict.n_states)),
        method,
        tol,
        dict(parameters or {}),
        tuple(recorded),
        incomplete_reason=None if concepts == wanted else "max_seconds",
        max_seconds=max_seconds,
    )


@dataclass(frozen=True, eq=False)
class StabilityTable:
    """Which states are stable for which DM under which concept, and the equilibria.

    State *indices* (from 0) are used in Python; tables and dictionaries number states from 1,
    as the GMCR literature does.

    Attributes
    ----------
    conflict
        The conflict analysed.
    concepts
        The concepts computed, among :data:`CONCEPTS`.
    stable
        Shape ``(len(concepts), n, m)``: ``[c, i, s]`` when state ``s`` is stable for DM ``i``
        under concept ``c``.
    method
        The method requested (``"auto"`` or a concept).
    tol
        The relative tolerance of preference comparisons.
    parameters
        Scenario parameter values the conflict was built at, if any.
    recorded
        Indices of the states consistent with a recorded outcome, if any.
    incomplete_reason
        ``"max_seconds"`` when that bound ran out before every concept requested was computed
        (the table then holds the concepts finished, and ``complete`` is False); ``None``
        otherwise (see :class:`~kurilsim.core.result.Result`).
    max_seconds
        The time bound of the analysis (``None``: none).
    """

    conflict: Conflict
    concepts: tuple[str, ...]
    stable: BoolArray
    method: str
    tol: float
    parameters: Mapping[str, float] = field(default_factory=dict)
    recorded: tuple[int, ...] = ()
    incomplete_reason: str | None = None
    max_seconds: float | None = None

    @property
    def complete(self) -> bool:
        """Whether every concept requested was computed: ``incomplete_reason is None``."""
        return self.incomplete_reason is None

    def __post_init__(self) -> None:
        stable = np.array(self.stable, dtype=bool)
        stable.flags.writeable = False
        object.__setattr__(self, "stable", stable)
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))

    def stable_states(self, concept: str, dm: str) -> tuple[int, ...]:
        """Indices of the states stable for ``dm`` under ``concept``.

        Raises
        ------
        InputError
            If ``concept`` was not computed or ``dm`` is unknown.

        Examples
        --------
        >>> from kurilsim.forms.conflict.game import Conflict
        >>> pd = Conflict.from_options(
        ...     {"A": ["a_defects"], "B": ["b_defects"]},
        ...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
        ... )
        >>> stability(pd, "nash").stable_states("nash", "A")  # A defects whatever B does
        (1, 3)
        """
        row = self.stable[self._concept(concept), self.conflict.dm_index(dm)]
        return tuple(int(s) for s in np.flatnonzero(row))

    @property
    def options(self) -> Mapping[str, Any]:
        """The options of the analysis: its time bound."""
        return MappingProxyType({"max_seconds": self.max_seconds})

    def equilibria(self, concept: str) -> tuple[int, ...]:
        """Indices of the states stable for every DM under ``concept``.

        Raises
        ------
        InputError
            If ``concept`` was not computed.

        Examples
        --------
        >>> from kurilsim.forms.conflict.game import Conflict
        >>> pd = Conflict.from_options(
        ...     {"A": ["a_defects"], "B": ["b_defects"]},
        ...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
        ... )
        >>> stability(pd).equilibria("seq")  # mutual cooperation and mutual defection
        (0, 3)
        """
        return tuple(
            int(s) for s in np.flatnonzero(self._equilibrium_mask()[self._concept(concept)])
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the conflict, each state's stability, the equilibria.

        Examples
        --------
        >>> from kurilsim.forms.conflict.game import Conflict
        >>> pd = Conflict.from_options(
        ...     {"A": ["a_defects"], "B": ["b_defects"]},
        ...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
        ... )
        >>> result = stability(pd, "nash").to_dict()
        >>> result["equilibria"], result["states"][3]["options"]
        ({'nash': [4]}, {'A': ['a_defects'], 'B': ['b_defects']})
        """
        conflict = self.conflict
        return {
            "conflict": {
                "title": conflict.title,
                "decision_makers": {
                    dm: list(names)
                    for dm, names in zip(conflict.dms, conflict.options, strict=True)
                },
                "n_states": conflict.n_states,
            },
            "method": self.method,
            "concepts": list(self.concepts),
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "options": dict(self.options),
            "tol": self.tol,
            "parameters": dict(self.parameters),
            "states": [
                {
                    "state": s + 1,
                    "options": conflict.taken(s),
                    "scores": {
                        dm: float(v)
                        for dm, v in zip(conflict.dms, conflict.payoffs[:, s], strict=True)
                    },
                    "stable": {
                        concept: {
                            dm: bool(self.stable[c, i, s]) for i, dm in enumerate(conflict.dms)
                        }
                        for c, concept in enumerate(self.concepts)
                    },
                }
                for s in range(conflict.n_states)
            ],
            "equilibria": {
                concept: [s + 1 for s in self.equilibria(concept)] for concept in self.concepts
            },
            "recorded": [s + 1 for s in self.recorded],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per state: its options, scores, stability per DM and concept, equilibria.

        Columns: ``state`` (from 1), ``option.<name>``, ``score.<dm>``, ``<concept>.<dm>`` and
        ``<concept>.equilibrium``, and ``recorded``.

        Examples
        --------
        >>> from kurilsim.forms.conflict.game import Conflict
        >>> pd = Conflict.from_options(
        ...     {"A": ["a_defects"], "B": ["b_defects"]},
        ...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
        ... )
        >>> frame = stability(pd, "nash").to_frame()
        >>> frame.loc[frame["nash.equilibrium"], ["state", "option.a_defects", "option.b_defects"]]
           state  option.a_defects  option.b_defects
        3      4              True              True
        """
        import pandas as pd  # imported when used: solving needs only numpy

        conflict = self.conflict
        assert conflict.states is not None
        columns: dict[str, Any] = {"state": np.arange(1, conflict.n_states + 1)}
        for k, name in enumerate(conflict.option_names):
            columns[f"option.{name}"] = conflict.states[:, k]
        for i, dm in enumerate(conflict.dms):
            columns[f"score.{dm}"] = conflict.payoffs[i]
        equilibria = self._equilibrium_mask()
        for c, concept in enumerate(self.concepts):
            for i, dm in enumerate(conflict.dms):
                columns[f"{concept}.{dm}"] = self.stable[c, i]
            columns[f"{concept}.equilibrium"] = equilibria[c]
        columns["recorded"] = np.isin(np.arange(conflict.n_states), self.recorded)
        return pd.DataFrame(columns)

    def to_text(self, every_state: bool = False, limit: int | None = None) -> str:
        """A plain-text table of the states with their stability, then the equilibria.

        Parameters
        ----------
        every_state
            Show every state; by default only those that are an equilibrium under some concept
            and the recorded ones.
        limit
            List at most this many states, then say how many more there are (None or 0: all
            of them).

        Examples
        --------
        >>> from kurilsim.forms.conflict.game import Conflict
        >>> pd = Conflict.from_options(
        ...     {"A": ["a_defects"], "B": ["b_defects"]},
        ...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
        ...     title="Prisoner's dilemma",
        ... )
        >>> print(stability(pd).to_text())  # doctest: +NORMALIZE_WHITESPACE
        Prisoner's dilemma: 2 decision makers, 2 options, 4 states
        stability for each DM (A, B): s = stable, . = not; E = equilibrium (stable for all)
        Nash (R), GMR, SMR, SEQ (Fang, Hipel & Kilgour 1993); tolerance 1e-09 x score scale 3
        options (Y = taken, N = not), in column order:
          A: a_defects
          B: b_defects
        <BLANKLINE>
        state  A  B  Nash (R)  GMR   SMR   SEQ
            1  N  N  ..        ss E  ss E  ss E
            4  Y  Y  ss E      ss E  ss E  ss E
        (2 of 4 states, an equilibrium under no concept, not shown)
        <BLANKLINE>
        equilibria (states stable for every DM):
          Nash (R): 4
          GMR: 1, 4
          SMR: 1, 4
          SEQ: 1, 4
        """
        conflict = self.conflict
        equilibria = self._equilibrium_mask()
        options = f"{len(conflict.option_names)} options, " if conflict.option_names else ""
        lines = [
            f"{conflict.title or 'Conflict'}: {conflict.n_dms} decision makers, {options}"
            f"{conflict.n_states} states",
            f"stability for each DM ({', '.join(conflict.dms)}): s = stable, . = not; "
            "E = equilibrium (stable for all)",
            f"{', '.join(self._concept_names())} (Fang, Hipel & Kilgour 1993); "
            f"tolerance {self.tol:g} x score scale {conflict.score_scale:g}",
        ]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        if conflict.option_names:
            lines.append("options (Y = taken, N = not), in column order:")
            lines += [
                f"  {dm}: {', '.join(names)}"
                for dm, names in zip(conflict.dms, conflict.options, strict=True)
            ]
        shown = [
            s
            for s in range(conflict.n_states)
            if every_state or equilibria[:, s].any() or s in self.recorded
        ]
        number = max([len("state"), *(len(str(s + 1)) for s in shown)])  # right-aligned
        header = [
            "state".rjust(number),
            *(conflict.dms if conflict.option_names else ()),
            *self._concept_names(),
            "",
        ]
        rows = [
            [
                str(s + 1).rjust(number),
                *(conflict.pattern(s).split() if conflict.option_names else ()),
                *self._marks(s, equilibria),
                "<- recorded" if s in self.recorded else "",
            ]
            for s in shown
        ]
        rows, more = limited(rows, limit)
        lines += ["", *text_table(header, rows), *more]
        hidden = conflict.n_states - len(shown)
        if hidden:
            lines.append(
                f"({hidden} of {conflict.n_states} states, an equilibrium under no concept, "
                "not shown)"
            )
        lines += ["", "equilibria (states stable for every DM):"]
        for c, concept in enumerate(self.concepts):
            found = ", ".join(str(s + 1) for s in np.flatnonzero(equilibria[c])) or "none"
            lines += textwrap.wrap(
                f"{CONCEPT_NAMES[concept]}: {found}",
                WIDTH,
                initial_indent="  ",
                subsequent_indent="    ",
            )
        if self.recorded:
            lines += ["", self._recorded_text(equilibria)]
        if not self.complete:
            lines += ["", f"WARNING: {self._stopped()}"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Every state with its options and stability marks, under a summary line."""
        conflict = self.conflict
        equilibria = self._equilibrium_mask()
        counts = ", ".join(
            f"{CONCEPT_NAMES[c]} {int(equilibria[k].sum())}" for k, c in enumerate(self.concepts)
        )
        stopped = "" if self.complete else f"; {self._stopped()}"
        heading = html_heading(
            f"Stability of {conflict.title or 'the conflict'}",
            f"equilibria: {counts}; marks per DM ({', '.join(conflict.dms)}): s stable, . not"
            + stopped,
        )
        rows = [
            [str(s + 1), self._describe(s), *self._marks(s, equilibria)]
            for s in range(conflict.n_states)
        ]
        return heading + html_table(["state", "options taken", *self._concept_names()], rows)

    def __repr__(self) -> str:
        counts = ", ".join(f"{c} {len(self.equilibria(c))}" for c in self.concepts)
        return (
            f"<StabilityTable {self.method}: {self.conflict.n_states} states; equilibria {counts}"
            f"{'' if self.complete else ', stopped at bound'}>"
        )

    def _stopped(self) -> str:
        wanted = CONCEPTS if self.method == "auto" else (self.method,)
        missing = [CONCEPT_NAMES[c] for c in wanted if c not in self.concepts]
        return (
            f"the analysis stopped at its bound (max_seconds={self.max_seconds}); "
            f"not computed: {', '.join(missing)}"
        )

    def _concept(self, concept: str) -> int:
        if concept not in self.concepts:
            raise InputError(f"concept {concept!r} was not computed; have {list(self.concepts)}")
        return self.concepts.index(concept)

    def _concept_names(self) -> list[str]:
        return [CONCEPT_NAMES[c] for c in self.concepts]

    def _marks(self, state: int, equilibria: BoolArray) -> list[str]:
        return [
            "".join("s" if v else "." for v in self.stable[c, :, state])
            + (" E" if equilibria[c, state] else "")
            for c in range(len(self.concepts))
        ]

    def _equilibrium_mask(self) -> BoolArray:
        return np.asarray(self.stable.all(axis=1))

    def _describe(self, state: int) -> str:
        if not self.conflict.option_names:
            return f"state {state + 1}"
        taken = [
            f"{dm}: {', '.join(names)}" for dm, names in self.conflict.taken(state).items() if names
        ]
        return "; ".join(taken) or "none"

    def _recorded_text(self, equilibria: BoolArray) -> str:
        parts = []
        for s in self.recorded:
            under = [CONCEPT_NAMES[c] for k, c in enumerate(self.concepts) if equilibria[k, s]]
            verdict = (
                f"an equilibrium under {', '.join(under)}"
                if under
                else "an equilibrium under no concept"
            )
            parts.append(f"state {s + 1}, {verdict}")
        return "recorded outcome: " + "; ".join(parts)


class _OutOfTime(Exception):
    """The time bound of an analysis ran out."""


class _Analysis:
    """The relations the concepts share, each computed once, under one time bound."""

    def __init__(self, conflict: Conflict, tol: float, deadline: Deadline) -> None:
        self.conflict = conflict
        self.better = conflict.preferences(tol)
        self.improvements = conflict.moves & self.better
        self.deadline = deadline
        self._reach: dict[tuple[int, bool], BoolArray] = {}

    def stable(self, concept: str) -> BoolArray:
        """Shape ``(n, m)``: ``[i, s]`` when ``s`` is stable for DM ``i`` under ``concept``."""
        rows = []
        for i in range(self.conflict.n_dms):
            if self.deadline.expired():
                raise _OutOfTime
            rows.append(self._stable_for(concept, i))
        return np.array(rows)

    def _stable_for(self, concept: str, i: int) -> BoolArray:
        if concept == "nash":
            return np.asarray(~self.improvements[i].any(axis=1))
        acceptable = ~self.better[i]  # [s, s2]: i does not prefer s2 to s
        if concept == "smr":
            # i can escape from s2 when one of its moves from s2 reaches a state better than s.
            acceptable &= ~_bool_matmul(self.better[i], self.conflict.moves[i].T)
        return _deterred(self.improvements[i], self._others_reach(i, concept == "seq"), acceptable)

    def _others_reach(self, i: int, credible: bool) -> BoolArray:
        """What the DMs other than ``i`` reach by their moves, or by their improvements."""
        key = (i, credible)
        if key not in self._reach:
            moves = self.improvements if credible else self.conflict.moves
            self._reach[key] = _reachable(np.delete(moves, i, axis=0), self.deadline)
        return self._reach[key]


def _reachable(moves: BoolArray, deadline: Deadline) -> BoolArray:
    """:func:`coalition_reachable`, raising :class:`_OutOfTime` when ``deadline`` passes."""
    h, m, _ = moves.shape
    if not h:
        return np.zeros((m, m), dtype=bool)
    # Transposed, last[k, q, s]: the products then gather whole rows.
    steps = [_preceding(step) for step in moves]
    last = np.ascontiguousarray(moves.transpose(0, 2, 1))
    while True:
        if deadline.expired():
            raise _OutOfTime
        count = last.sum(axis=0, dtype=np.intp)
        grown = np.array([last[k] | steps[k](count > last[k]) for k in range(h)])
        if np.array_equal(grown, last):
            return np.asarray(last.any(axis=0).T)
        last = grown


def _preceding(step: BoolArray) -> Callable[[BoolArray], BoolArray]:
    """The product ``b -> step.T @ b`` of booleans: row ``r`` is the union of rows ``q -> r``."""
    target, source = np.nonzero(step.T)
    if len(source) > SPARSE_MOVES * len(step):
        return lambda b: _bool_matmul(step.T, b)
    rows, starts = np.unique(target, return_index=True)

    def product(b: BoolArray) -> BoolArray:
        out = np.zeros(b.shape, dtype=bool)
        if len(source):
            out[rows] = np.logical_or.reduceat(b[source], starts, axis=0)
        return out

    return product


def _deterred(improvements: BoolArray, reach: BoolArray, acceptable: BoolArray) -> BoolArray:
    """Per state ``s``: every improvement ``s1`` has an answer ``s2`` with ``acceptable[s, s2]``."""
    answered = _bool_matmul(acceptable, reach.T)  # [s, s1]: some s2 in reach(s1) is acceptable
    return np.asarray(~np.any(improvements & ~answered, axis=1))


def _bool_matmul(a: BoolArray, b: BoolArray) -> BoolArray:
    # float32 products count paths exactly up to 2**24, far above the largest state count.
    return np.asarray(np.matmul(a.astype(np.float32), b.astype(np.float32)) > 0)
