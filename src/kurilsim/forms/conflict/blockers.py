"""What keeps a conflict off a deal: the decision makers with an unsanctioned improvement."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.deals import Blocker, NearestDeal
from kurilsim.core.errors import InputError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.conflict.game import Conflict
from kurilsim.forms.conflict.stability import StabilityTable

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def conflict_blockers(
    table: StabilityTable, deals: BoolArray, tol: float = DEFAULT_TOL
) -> NearestDeal:
    """The decision makers who would leave the deal state nearest to sequential stability.

    The nearest deal state is the one sequentially stable (SEQ) for the most decision makers;
    each decision maker for whom it is not has an improvement no one sanctions, and leaves for
    the improvement it likes best.

    Parameters
    ----------
    table
        A stability analysis that includes the ``"seq"`` concept.
    deals
        True at the deal states.
    tol
        Relative tolerance of preference comparisons.

    Examples
    --------
    >>> from kurilsim.forms.conflict.game import Conflict
    >>> from kurilsim.forms.conflict.stability import stability
    >>> dilemma = Conflict.from_options(
    ...     {"A": ["a_defects"], "B": ["b_defects"]},
    ...     {"A": ["-b_defects", "a_defects"], "B": ["-a_defects", "b_defects"]},
    ... )
    >>> table = stability(dilemma)
    >>> mutual_restraint = np.array([True, False, False, False])  # sequentially stable
    >>> conflict_blockers(table, mutual_restraint).blockers
    ()
    >>> a_alone_defects = np.array([False, True, False, False])
    >>> [b.describe() for b in conflict_blockers(table, a_alone_defects).blockers]
    ['B would switch from state 2 to state 4 (A: a_defects; B: b_defects) (gain 1)']
    """
    conflict = table.conflict
    if "seq" not in table.concepts:
        raise InputError("the deal analysis of a conflict needs its SEQ stability")
    if not deals.any():
        return NearestDeal(-1, ())
    stable = table.stable[table.concepts.index("seq")]
    candidates = np.flatnonzero(deals)
    nearest = int(candidates[np.argmin((~stable[:, candidates]).sum(axis=0))])
    improvements = conflict.improvements(tol)
    blockers = []
    for i in np.flatnonzero(~stable[:, nearest]):
        scores = conflict.payoffs[i]
        targets = np.flatnonzero(improvements[i, nearest])
        to = int(targets[np.argmax(scores[targets])])
        blockers.append(
            Blocker(
                player=conflict.dms[int(i)],
                move=f"state {nearest + 1}",
                deviation=state_name(conflict, to),
                gain=float(scores[to] - scores[nearest]),
                leaves_deal=not bool(deals[to]),
            )
        )
    return NearestDeal(nearest, tuple(blockers))


def state_name(conflict: Conflict, state: int) -> str:
    """A conflict state by number (from 1) and the options taken in it.

    Examples
    --------
    >>> from kurilsim.forms.conflict.game import Conflict
    >>> c = Conflict.from_options({"A": ["a"], "B": ["b"]}, {"A": ["a"], "B": ["b"]})
    >>> state_name(c, 3)
    'state 4 (A: a; B: b)'
    """
    taken = [f"{dm}: {', '.join(names)}" for dm, names in conflict.taken(state).items() if names]
    return f"state {state + 1} ({'; '.join(taken) or 'no option taken'})"


def option_columns(conflict: Conflict) -> dict[str, FloatArray]:
    """Each option of a conflict as a column over states: 1 where the state takes it."""
    states = conflict.states if conflict.states is not None else np.zeros((conflict.n_states, 0))
    return {name: states[:, k].astype(float) for k, name in enumerate(conflict.option_names)}
