"""A conflict in the graph model for conflict resolution (GMCR), built from option form.

The graph model (Kilgour, Hipel & Fang 1987, "The graph model for conflicts", Automatica 23(1),
41-55; Fang, Hipel & Kilgour 1993, *Interactive Decision Making: The Graph Model for Conflict
Resolution*, Wiley) describes a conflict by

* decision makers (DMs) ``N = {1, ..., n}``, ``n >= 2``;
* states ``S = {1, ..., m}``: the possible outcomes;
* for each DM ``i`` a directed graph of *unilateral moves* on ``S``: ``q`` is in ``R_i(s)`` when
  ``i`` alone can take the conflict from ``s`` to ``q``;
* for each DM a preference over states: here a score per state, higher preferred, equal scores
  equally preferred (a complete preorder, which allows ties).

A *unilateral improvement* of ``i`` from ``s`` is a move to a state ``i`` strictly prefers.

In **option form** (Howard 1971; Fang, Hipel & Kilgour 1993, ch. 2) each DM controls binary
options; a state is a feasible combination of every option (Y taken, N not); infeasible
combinations are removed by rules; a unilateral move of ``i`` changes any non-empty subset of
``i``'s own options and no other, between feasible states; an *irreversible* option may only be
taken (``"forward"``) or only be withdrawn (``"backward"``). :meth:`Conflict.from_options` builds
the graph from that description; the constructor takes the graph itself, for conflicts stated as
graphs in the literature.

Examples
--------
The prisoner's dilemma in option form: each prisoner's one option is to defect.

>>> pd = Conflict.from_options(
...     {"A": ["a_defects"], "B": ["b_defects"]},
...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
... )
>>> [pd.pattern(s) for s in range(pd.n_states)]
['N N', 'Y N', 'N Y', 'Y Y']
>>> pd.moves[0].astype(int).tolist()  # A's moves: it switches its own option
[[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]
>>> pd.ranking("A")  # state indices from most to least preferred
[[1], [0], [3], [2]]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.arguments import (
    check_array,
    check_mapping,
    check_name_lists,
    check_names,
    check_text,
    shown,
)
from kurilsim.core.errors import ArgumentTypeError, InputError
from kurilsim.forms.conflict.option_statements import (
    KEYWORDS,
    OptionStatement,
    parse_statement,
    prioritised_scores,
    statement_truths,
)

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]

#: How an irreversible option may change: only be taken (N -> Y) or only be withdrawn (Y -> N).
Direction = Literal["forward", "backward"]
#: A DM's preferences: prioritised statements (most important first), or a function from the
#: option columns (name -> 1.0 where a state takes the option, else 0.0) to one score per state.
Preference = Sequence[str | OptionStatement] | Callable[[Mapping[str, FloatArray]], ArrayLike]

#: Most options a conflict in option form may have (every combination is enumerated).
MAX_OPTIONS = 20
#: Most feasible states (the stability analysis works on m x m matrices).
MAX_STATES = 1024


@dataclass(frozen=True, eq=False)
class Conflict:
    """A graph model: decision makers, states, unilateral moves and preferences.

    Parameters
    ----------
    dms
        The decision makers' names, in order.
    moves
        Shape ``(n, m, m)``: ``moves[i, s, q]`` when DM ``i`` can move from state ``s`` to ``q``.
    payoffs
        Shape ``(n, m)``: DM ``i``'s score of state ``s``; higher is preferred, equal scores are
        equally preferred.
    options
        Each DM's option names, when the conflict is in option form; empty tuples otherwise.
    states
        Shape ``(m, k)`` with ``k`` the number of options: ``states[s, o]`` when state ``s``
        takes option ``o`` (options in DM order). Shape ``(m, 0)`` for a bare graph.
    title
        A name for the conflict.

    Raises
    ------
    ArgumentTypeError
        If names are not lists of strings, or ``moves``, ``payoffs`` or ``states`` not arrays
        of booleans or numbers.
    InputError
        If the shapes disagree, names repeat, a score is not finite, or there are no states or
        more than :data:`MAX_STATES`.

    Examples
    --------
    A bare graph: two DMs and three states; ``A`` moves from the first state to the second,
    ``B`` from the second to the third.

    >>> moves = np.zeros((2, 3, 3), dtype=bool)
    >>> moves[0, 0, 1] = moves[1, 1, 2] = True
    >>> c = Conflict(("A", "B"), moves, np.array([[0, 2, 1], [0, 0, 1]]))
    >>> c.n_states, c.improvements()[0].astype(int).tolist()
    (3, [[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    """

    dms: tuple[str, ...]
    moves: BoolArray
    payoffs: FloatArray
    options: tuple[tuple[str, ...], ...] = ()
    states: BoolArray | None = None
    title: str = ""

    def __post_init__(self) -> None:
        dms = check_names("dms", self.dms)
        moves = check_array("moves", self.moves, boolean=True, ndim=3)
        payoffs = check_array("payoffs", self.payoffs)
        n = len(dms)
        if n < 2 or len(set(dms)) != n:
            raise InputError(
                f"a conflict needs at least two distinct decision makers, got {dms}", field="dms"
            )
        if moves.shape[0] != n or moves.shape[1] != moves.shape[2]:
            raise InputError(
                f"expected shape (n, m, m) with n = {n}; got {moves.shape}", field="moves"
            )
        m = moves.shape[1]
        if m == 0 or m > MAX_STATES:
            raise InputError(f"a conflict needs 1 to {MAX_STATES} states, got {m}", field="moves")
        if payoffs.shape != (n, m):
            raise InputError(f"expected shape ({n}, {m}), got {payoffs.shape}", field="payoffs")
        options = check_name_lists("options", self.options) or tuple(() for _ in dms)
        if len(options) != n:
            raise InputError(
                f"expected one list of options per DM ({n}), got {options}", field="options"
            )
        k = sum(len(names) for names in options)
        states = check_array("states", self.states, boolean=True, optional=True)
        states = np.zeros((m, 0), dtype=bool) if states is None else states
        if states.shape != (m, k):
            raise InputError(f"expected shape ({m}, {k}), got {states.shape}", field="states")
        moves = moves & ~np.eye(m, dtype=bool)  # staying put is not a move
        for array in (moves, payoffs, states):
            array.flags.writeable = False
        object.__setattr__(self, "dms", dms)
        object.__setattr__(self, "moves", moves)
        object.__setattr__(self, "payoffs", payoffs)
        object.__setattr__(self, "options", options)
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "title", check_text("title", self.title))

    @classmethod
    def from_options(
        cls,
        options: Mapping[str, Sequence[str]],
        preferences: Mapping[str, Preference],
        *,
        infeasible: Sequence[str | OptionStatement] = (),
        irreversible: Mapping[str, Direction] | None = None,
        title: str = "",
    ) -> Conflict:
        """Build the graph model of a conflict in option form.

        Parameters
        ----------
        options
            DM -> the options it controls, in order. Option names are unique across DMs.
        preferences
            DM -> its preferences: a list of statements in the language of
            :mod:`kurilsim.forms.conflict.option_statements`, most important first (option
            prioritisation), or a function from the option columns (name -> 1.0 where a state
            takes the option, else 0.0) to one score per state.
        infeasible
            Statements; every combination of options where one holds is removed.
        irreversible
            Option -> ``"forward"`` (may be taken, never withdrawn) or ``"backward"`` (may be
            withdrawn, never taken). Other options are reversible.
        title
            A name for the conflict.

        Returns
        -------
        Conflict
            States numbered by the binary code of their options, the first option the lowest
            bit (the numbering of GMCR II).

        Raises
        ------
        ArgumentTypeError
            If ``options``, ``preferences`` or ``irreversible`` is not a mapping of names to
            what it holds, or ``infeasible`` not a list of statements.
        InputError
            For unknown or repeated names, an unknown direction, statements that do not parse,
            no feasible state, or too many options or states.

        Examples
        --------
        >>> c = Conflict.from_options(
        ...     {"Row": ["up", "down"], "Col": ["left"]},
        ...     {"Row": ["up"], "Col": lambda o: 2 * o["left"] - o["up"]},
        ...     infeasible=["up and down"],
        ...     irreversible={"down": "forward"},
        ... )
        >>> [c.pattern(s) for s in range(c.n_states)]
        ['NN N', 'YN N', 'NY N', 'NN Y', 'YN Y', 'NY Y']
        >>> bool(c.moves[0, 2, 0]), bool(c.moves[0, 0, 2])  # 'down' is never withdrawn
        (False, True)
        """
        options = check_mapping("options", options, check_names, optional=False)
        preferences = check_mapping("preferences", preferences, _check_preference, optional=False)
        infeasible = _check_statements("infeasible", infeasible)
        directions = check_mapping(
            "irreversible",
            irreversible,
            lambda label, value: check_text(label, value, choices=("forward", "backward")),
        )
        title = check_text("title", title)
        dms = tuple(options)
        names = [name for dm in dms for name in options[dm]]
        owner = np.array([i for i, dm in enumerate(dms) for _ in options[dm]], dtype=np.intp)
        _check_option_names(dms, options, names)
        unknown = sorted(set(directions).difference(names))
        if unknown:
            raise InputError(f"names unknown options: {', '.join(unknown)}", field="irreversible")
        states = feasible_states(names, infeasible)
        columns = dict(zip(names, states.T, strict=True))
        missing = [dm for dm in dms if dm not in preferences]
        extra = [dm for dm in preferences if dm not in dms]
        if missing or extra:
            raise InputError(
                f"preferences must be given for exactly the DMs {list(dms)}; "
                f"missing {missing}, unknown {extra}"
            )
        payoffs = np.array([_scores(preferences[dm], columns) for dm in dms])
        forward = np.array([directions.get(name) == "forward" for name in names], dtype=bool)
        backward = np.array([directions.get(name) == "backward" for name in names], dtype=bool)
        moves = unilateral_moves(states, owner, len(dms), forward=forward, backward=backward)
        grouped = tuple(tuple(options[dm]) for dm in dms)
        return cls(dms, moves, payoffs, grouped, states, title)

    @property
    def n_dms(self) -> int:
        """The number of decision makers."""
        return len(self.dms)

    @property
    def n_states(self) -> int:
        """The number of (feasible) states."""
        return int(self.moves.shape[1])

    @property
    def option_names(self) -> tuple[str, ...]:
        """Every option, in DM order."""
        return tuple(name for names in self.options for name in names)

    def preferences(self, tol: float = 0.0) -> BoolArray:
        """Strict preferences, shape ``(n, m, m)``: ``[i, s, q]`` when ``i`` prefers ``q`` to ``s``.

        Parameters
        ----------
        tol
            Relative tolerance: scores closer than ``tol`` times :attr:`score_scale` count as
            equal, so rounding in score expressions does not create preferences.
        """
        gain = self.payoffs[:, None, :] - self.payoffs[:, :, None]
        return np.asarray(gain > tol * self.score_scale)

    @property
    def score_scale(self) -> float:
        """The largest range of any DM's scores (1 if all are constant): the unit of ``tol``."""
        spread = float(np.max(self.payoffs.max(axis=1) - self.payoffs.min(axis=1)))
        return spread if spread > 0 else 1.0

    def improvements(self, tol: float = 0.0) -> BoolArray:
        """Unilateral improvements, shape ``(n, m, m)``: moves to strictly preferred states."""
        return self.moves & self.preferences(tol)

    def ranking(self, dm: str, tol: float = 0.0) -> list[list[int]]:
        """The DM's states (indices) from most to least preferred, equally preferred ones together.

        Raises
        ------
        InputError
            If ``dm`` is not a decision maker of the conflict.

        Examples
        --------
        >>> c = Conflict.from_options({"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": ["b", "a"]})
        >>> c.ranking("A"), c.ranking("B")
        ([[1, 3], [0, 2]], [[3], [2], [1], [0]])
        """
        i = self.dm_index(dm)
        better = self.preferences(tol)[i]
        # A state's rank is the number of states preferred to it; with ties allowed, states of
        # equal rank are grouped.
        rank = better.sum(axis=1)
        return [[int(s) for s in np.flatnonzero(rank == r)] for r in np.unique(rank)]

    def dm_index(self, dm: str) -> int:
        """The position of a decision maker."""
        if dm not in self.dms:
            raise InputError(f"unknown decision maker {dm!r}; expected one of {list(self.dms)}")
        return self.dms.index(dm)

    def pattern(self, state: int) -> str:
        """A state's options as Y/N, one group per DM (empty for a bare graph)."""
        assert self.states is not None  # set in __post_init__
        row = self.states[state]
        groups, start = [], 0
        for names in self.options:
            groups.append("".join("Y" if row[start + k] else "N" for k in range(len(names))))
            start += len(names)
        return " ".join(groups).strip()

    def taken(self, state: int) -> dict[str, list[str]]:
        """DM -> the options it takes in ``state``.

        Examples
        --------
        >>> c = Conflict.from_options({"A": ["a1", "a2"], "B": ["b"]}, {"A": ["a1"], "B": ["b"]})
        >>> c.pattern(5), c.taken(5)
        ('YN Y', {'A': ['a1'], 'B': ['b']})
        """
        assert self.states is not None
        row = self.states[state]
        names = iter(zip(self.option_names, row, strict=True))
        return {
            dm: [name for name, on in itertools.islice(names, len(own)) if on]
            for dm, own in zip(self.dms, self.options, strict=True)
        }

    def __repr__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        return (
            f"<Conflict{title}: {self.n_dms} decision makers, "
            f"{len(self.option_names)} options, {self.n_states} states>"
        )


def unilateral_moves(
    states: BoolArray,
    owner: NDArray[np.intp],
    n_dms: int,
    *,
    forward: BoolArray | None = None,
    backward: BoolArray | None = None,
) -> BoolArray:
    """Every DM's unilateral moves between the given states of a conflict in option form.

    DM ``i`` moves from ``s`` to ``q`` when the two states differ in at least one of ``i``'s
    options and in no other DM's, and no option changes against its permitted direction
    (Fang, Hipel & Kilgour 1993, ch. 2).

    Parameters
    ----------
    states
        Shape ``(m, k)``: the feasible option patterns.
    owner
        Shape ``(k,)``: the DM controlling each option.
    n_dms
        The number of DMs.
    forward, backward
        Shape ``(k,)``: options that may only be taken, or only be withdrawn.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_dms, m, m)`` of booleans.

    Examples
    --------
    >>> states = np.array([[False, False], [True, False], [True, True]])
    >>> unilateral_moves(states, np.array([0, 1]), 2)[0].astype(int).tolist()
    [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    """
    k = states.shape[1]
    changed = states[:, None, :] != states[None, :, :]
    taken = ~states[:, None, :] & states[None, :, :]
    withdrawn = states[:, None, :] & ~states[None, :, :]
    no = np.zeros(k, dtype=bool)
    forbidden = (withdrawn & (no if forward is None else forward)) | (
        taken & (no if backward is None else backward)
    )
    allowed = ~forbidden.any(axis=2)
    moves = np.empty((n_dms, len(states), len(states)), dtype=bool)
    for i in range(n_dms):
        own = owner == i
        moves[i] = changed[:, :, own].any(axis=2) & ~changed[:, :, ~own].any(axis=2) & allowed
    return moves


def feasible_states(
    names: Sequence[str], infeasible: Sequence[str | OptionStatement] = ()
) -> BoolArray:
    """Every combination of the options that no infeasibility statement holds for.

    Combinations are ordered by their binary code, the first option the lowest bit (the state
    numbering of GMCR II, Fang, Hipel, Kilgour & Peng 2003).

    Parameters
    ----------
    names
        The option names.
    infeasible
        Statements; a combination where one holds is removed.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, len(names))``: ``[s, o]`` when state ``s`` takes option ``o``.

    Raises
    ------
    InputError
        For too many options, a statement naming an unknown option, no feasible state or more
        than :data:`MAX_STATES`.

    Examples
    --------
    >>> feasible_states(["a", "b"], ["a and b"]).astype(int).tolist()
    [[0, 0], [1, 0], [0, 1]]
    """
    k = len(names)
    if k > MAX_OPTIONS:
        raise InputError(f"{k} options; at most {MAX_OPTIONS} are supported")
    codes = np.arange(2**k)
    table = np.asarray((codes[:, None] >> np.arange(k)) & 1, dtype=bool)
    columns = dict(zip(names, table.T, strict=True))
    rules = [_statement(rule) for rule in infeasible]
    states = table[~statement_truths(rules, columns).any(axis=0)]
    if not len(states):
        raise InputError("every combination of options is infeasible")
    if len(states) > MAX_STATES:
        raise InputError(
            f"{len(states)} feasible states; at most {MAX_STATES} are supported "
            "(add infeasibility rules or drop options)"
        )
    return states


def _check_option_names(
    dms: Sequence[str], options: Mapping[str, Sequence[str]], names: Sequence[str]
) -> None:
    for dm in dms:
        if not options[dm]:
            raise InputError(f"decision maker {dm!r} controls no option")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"option names must be unique across DMs; repeated: {repeated}")
    reserved = sorted(KEYWORDS.intersection(names))
    if reserved:
        raise InputError(f"{reserved} are words of the statement language, not option names")


def _check_statements(name: str, value: object) -> tuple[str | OptionStatement, ...]:
    """``value`` as a tuple of statements, if it is a list or tuple of strings or statements."""
    if not isinstance(value, list | tuple) or not all(
        isinstance(s, str | OptionStatement) for s in value
    ):
        raise ArgumentTypeError(f"expected a list of statements, got {shown(value)}", field=name)
    return tuple(value)


def _check_preference(name: str, value: object) -> Preference:
    """``value``, if it is a function or a list of statements."""
    return value if callable(value) else _check_statements(name, value)


def _statement(statement: str | OptionStatement) -> OptionStatement:
    return statement if isinstance(statement, OptionStatement) else parse_statement(statement)


def _scores(preference: Preference, columns: Mapping[str, BoolArray]) -> FloatArray:
    size = len(next(iter(columns.values())))
    if callable(preference):
        numbers = {name: column.astype(np.float64) for name, column in columns.items()}
        with np.errstate(all="ignore"):  # a non-finite score is reported by Conflict itself
            values = np.asarray(preference(numbers), dtype=np.float64)
        return np.array(np.broadcast_to(values, (size,)), dtype=np.float64)
    statements = [_statement(s) for s in preference]
    return prioritised_scores(statement_truths(statements, columns))
