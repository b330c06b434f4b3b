r"""The reduced normal form of a tree with information sets, and back to behaviour strategies.

A reduced pure strategy picks an action at each of the player's information sets that its own
earlier picks do not rule out; it is a pure realization plan (a 0/1 weight per sequence). Its name
joins the actions at the player's sets in the tree's order, with ``*`` for a set ruled out. A
mixed strategy over them gives the realization plan ``p @ plans``, hence a behaviour strategy
(Kuhn 1953): the equilibria of the reduced normal form map onto equilibria in behaviour strategies.

Examples
--------
>>> from kurilsim.forms.information.catalogue import kuhn_poker
>>> game, plans = reduced_normal_form(kuhn_poker())
>>> game.payoffs.shape[:-1], game.strategies[0][:2]
((27, 64), ('Check|Fold|Check|Fold|Check|Fold', 'Check|Fold|Check|Fold|Check|Call'))
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError
from kurilsim.forms.extensive.game import EXCLUDED, MAX_PROFILES, NO_MOVE, SEPARATOR
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.sequence_form import Behaviour, SequenceForm, sequence_form
from kurilsim.forms.normal.game import NormalFormGame

FloatArray = NDArray[np.float64]

#: Largest number of cells (profiles times leaves) the payoff computation may touch.
MAX_CELLS: Final = 50_000_000


def strategy_count(form: SequenceForm, player: int) -> int:
    """How many reduced pure strategies ``player`` has, counted without listing them."""
    tree = form.tree
    counts = np.ones(form.n_sequences[player], dtype=object)  # exact, however large
    for h in reversed(tree.player_infosets(player)):
        first = int(form.first_sequence[h])
        counts[form.parent_sequence[h]] *= sum(
            counts[first : first + len(tree.infosets[h].actions)]
        )
    return int(counts[0])


def reduced_plans(form: SequenceForm, player: int) -> tuple[NDArray[np.bool_], tuple[str, ...]]:
    """``player``'s reduced pure strategies as 0/1 realization plans, and their names."""
    tree = form.tree
    own = tree.player_infosets(player)
    below: dict[int, list[int]] = {}
    for h in own:
        below.setdefault(int(form.parent_sequence[h]), []).append(h)

    def plans(sequence: int) -> list[list[int]]:
        """Every choice of sequences below ``sequence`` (its own sets, in order)."""
        result: list[list[int]] = [[]]
        for h in below.get(sequence, []):
            first = int(form.first_sequence[h])
            options = [
                [first + a, *rest]
                for a in range(len(tree.infosets[h].actions))
                for rest in plans(first + a)
            ]
            result = [r + o for r in result for o in options]
        return result

    listed = plans(0)
    matrix = np.zeros((len(listed), form.n_sequences[player]), dtype=bool)
    matrix[:, 0] = True
    for k, chosen in enumerate(listed):
        matrix[k, chosen] = True
    names = []
    for row in matrix:
        parts = []
        for h in own:
            first = int(form.first_sequence[h])
            picked = np.flatnonzero(row[first : first + len(tree.infosets[h].actions)])
            parts.append(tree.infosets[h].actions[int(picked[0])] if len(picked) else EXCLUDED)
        names.append(SEPARATOR.join(parts) or NO_MOVE)
    return matrix, tuple(names)


def size_problem(form: SequenceForm) -> str:
    """Why the reduced normal form is too large to build, or ``""`` if it is not.

    It is too large with more than :data:`~kurilsim.forms.extensive.game.MAX_PROFILES` strategy
    profiles, or when profiles times leaves exceed :data:`MAX_CELLS`; both are counted without
    listing anything.

    Examples
    --------
    >>> from kurilsim.forms.information.catalogue import kuhn_poker
    >>> size_problem(sequence_form(kuhn_poker()))
    ''
    >>> print(size_problem(sequence_form(kuhn_poker(8))))  # doctest: +ELLIPSIS
    the reduced normal form has 6561 x 65536 = 429,981,696 strategy profiles over 280 leaves; ...
    """
    tree = form.tree
    counts = [strategy_count(form, i) for i in range(tree.n_players)]
    profiles = math.prod(counts)
    if profiles <= MAX_PROFILES and profiles * max(len(tree.leaves), 1) <= MAX_CELLS:
        return ""
    return (
        f"the reduced normal form has {' x '.join(map(str, counts))} = {profiles:,} "
        f"strategy profiles over {len(tree.leaves):,} leaves; kurilsim builds at most "
        f"{MAX_PROFILES:,} profiles and {MAX_CELLS:,} profile-leaf cells"
    )


def reduced_normal_form(
    tree: InformationTree, form: SequenceForm | None = None
) -> tuple[NormalFormGame, tuple[NDArray[np.bool_], ...]]:
    """The reduced normal form, and each player's strategies as 0/1 realization plans.

    Raises
    ------
    InputError
        If it is too large to build (see :func:`size_problem`).
    """
    form = sequence_form(tree) if form is None else form
    problem = size_problem(form)
    if problem:
        instead = (
            "Use the sequence form (method sequence-lemke)"
            if tree.n_players == 2
            else "The sequence form (method sequence-lemke) solves two-player trees only"
        )
        raise InputError(f"{problem}. {instead}")
    listed = [reduced_plans(form, i) for i in range(tree.n_players)]
    weights = form.leaf_chance[:, None] * tree.payoffs  # (leaves, N)
    # Contract the leaf axis: T[s1, ..., sN, n] = sum_l w[l, n] prod_i P_i[s_i, seq_i(l)].
    letters = "abcdefghijklmnopqrstuvwxyz"[: tree.n_players]
    operands = [
        plans[:, form.leaf_sequences[:, i]].astype(np.float64)
        for i, (plans, _) in enumerate(listed)
    ]
    spec = ",".join(f"{c}L" for c in letters) + ",LZ->" + letters + "Z"
    payoffs = np.einsum(spec, *operands, weights, optimize=True)
    game = NormalFormGame(tree.players, [names for _, names in listed], payoffs, title=tree.title)
    return game, tuple(plans for plans, _ in listed)


def mixed_to_behaviour(
    form: SequenceForm, plans: tuple[NDArray[np.bool_], ...], profile: tuple[FloatArray, ...]
) -> Behaviour:
    """The behaviour profile of a mixed profile over reduced strategies (Kuhn 1953)."""
    realization = [p @ plan.astype(np.float64) for p, plan in zip(profile, plans, strict=True)]
    return form.behaviour(realization)
