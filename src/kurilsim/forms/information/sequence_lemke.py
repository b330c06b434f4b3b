r"""One Nash equilibrium of a two-player tree: Lemke's algorithm on the sequence form.

Koller, Megiddo and von Stengel (1996) write the equilibria of a two-player tree with perfect
recall as the solutions of a linear complementarity problem of the size of the tree: realization
plans ``x`` and ``y`` (``E x = e``, ``F y = f``, ``x, y >= 0``) and the values ``p`` and ``q`` of
the players' information sets, with

* ``E' p - A y >= 0``, complementary to ``x`` (each sequence of player 1 played is a best reply);
* ``F' q - B' x >= 0``, complementary to ``y``.

The free variables ``p`` and ``q`` are split into differences of non-negative ones, and each
equation into two inequalities, signed so that ``M`` is copositive once every leaf payoff is made
negative by a shift (which changes no best reply, since the realization weights of the leaves
add up to one). With a positive covering vector Lemke's algorithm then cannot end on a ray: on
one, the split values would have to fall below zero at the root, which ``E' p >= 0`` rules out
([1]_, theorem 4.1; [3]_, section 4.4), so the path ends at an equilibrium. The work per pivot is
quadratic in the number of sequences, which grows linearly with the tree, where the reduced
normal form grows exponentially. The tableau is dense, though, so its memory grows with the
square of the tree: a tree whose tableau would pass :data:`MAX_TABLEAU_CELLS` is refused before
anything is built.

References
----------
.. [1] D. Koller, N. Megiddo and B. von Stengel, "Efficient computation of equilibria for
   extensive two-person games", Games and Economic Behavior 14 (1996) 247-259.
.. [2] B. von Stengel, "Computing equilibria for two-person games", in Handbook of Game Theory,
   vol. 3, Elsevier, 2002, section 8.
.. [3] R. W. Cottle, J.-S. Pang and R. E. Stone, The Linear Complementarity Problem, Academic
   Press, 1992.

Examples
--------
>>> from kurilsim.forms.information.catalogue import kuhn_poker
>>> from kurilsim.forms.information.regret import max_regret
>>> poker = kuhn_poker()
>>> behaviour, pivots, finished = sequence_lemke(poker)
>>> finished, max_regret(poker, behaviour) < 1e-9
(True, True)
>>> form = sequence_form(poker)
>>> round(float(form.outcome_probabilities(behaviour) @ poker.payoffs[:, 0]) * 18, 9)
-1.0
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError, OutOfReachError
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.lemke import lemke
from kurilsim.forms.information.sequence_form import Behaviour, SequenceForm, sequence_form

FloatArray = NDArray[np.float64]

#: Default bound on the pivots of Lemke's algorithm.
MAX_PIVOTS = 100_000
#: Largest number of cells of the dense tableau Lemke's algorithm pivots on (160 MB of floats;
#: the matrix it is built from and the payoff matrices take at most as much again).
MAX_TABLEAU_CELLS: Final = 20_000_000


def lcp_size(form: SequenceForm) -> int:
    """The number of variables of the sequence form's complementarity problem.

    Each player's sequences, and twice each player's constraints (one for the empty sequence and
    one per information set), as :func:`sequence_lcp` lays them out.

    Examples
    --------
    >>> from kurilsim.forms.information.catalogue import kuhn_poker
    >>> form = sequence_form(kuhn_poker())
    >>> lcp_size(form) == len(sequence_lcp(form)[1])
    True
    """
    constraints = sum(1 + len(form.tree.player_infosets(i)) for i in range(2))
    return sum(form.n_sequences) + 2 * constraints


def size_problem(form: SequenceForm) -> str:
    """Why Lemke's tableau for ``form`` is too large to build, or ``""`` if it is not.

    The tableau has ``n`` rows and ``2n + 1`` columns for ``n`` = :func:`lcp_size`.

    Examples
    --------
    >>> from kurilsim.forms.information.catalogue import kuhn_poker
    >>> size_problem(sequence_form(kuhn_poker()))
    ''
    """
    size = lcp_size(form)
    cells = size * (2 * size + 1)
    if cells <= MAX_TABLEAU_CELLS:
        return ""
    return (
        f"the sequence form of this tree is a complementarity problem in {size:,} variables, "
        f"whose dense tableau would have {cells:,} cells; kurilsim builds at most "
        f"{MAX_TABLEAU_CELLS:,}"
    )


def sequence_lcp(form: SequenceForm) -> tuple[FloatArray, FloatArray]:
    """The matrix ``M`` and vector ``q`` of the sequence form's complementarity problem.

    The variables are ``(x, y, p+, p-, q+, q-)``; the payoffs are shifted to be negative.
    """
    a, b = form.payoff_matrices()
    shift = float(form.tree.payoffs.max()) + 1.0
    # Every leaf's weight x[s] y[t] chance adds up to one: subtracting `shift` times the
    # chance weight at each leaf's pair lowers every expected payoff by the same amount.
    pairs = np.zeros(form.n_sequences)
    np.add.at(pairs, (form.leaf_sequences[:, 0], form.leaf_sequences[:, 1]), form.leaf_chance)
    a, b = a - shift * pairs, b - shift * pairs
    e, f = form.constraints(0), form.constraints(1)
    n1, n2 = form.n_sequences
    m1, m2 = e.shape[0], f.shape[0]
    size = n1 + n2 + 2 * (m1 + m2)
    matrix = np.zeros((size, size))
    x, y = slice(0, n1), slice(n1, n1 + n2)
    p_plus = slice(n1 + n2, n1 + n2 + m1)
    p_minus = slice(p_plus.stop, p_plus.stop + m1)
    q_plus = slice(p_minus.stop, p_minus.stop + m2)
    q_minus = slice(q_plus.stop, q_plus.stop + m2)
    matrix[x, y] = -a
    matrix[x, p_plus], matrix[x, p_minus] = e.T, -e.T
    matrix[y, x] = -b.T
    matrix[y, q_plus], matrix[y, q_minus] = f.T, -f.T
    matrix[p_plus, x], matrix[p_minus, x] = -e, e
    matrix[q_plus, y], matrix[q_minus, y] = -f, f
    q = np.zeros(size)
    q[p_plus.start], q[p_minus.start] = 1.0, -1.0
    q[q_plus.start], q[q_minus.start] = 1.0, -1.0
    return matrix, q


def sequence_lemke(
    tree: InformationTree, max_pivots: int = MAX_PIVOTS
) -> tuple[Behaviour, int, bool]:
    """One Nash equilibrium of a two-player tree in behaviour strategies.

    Parameters
    ----------
    tree
        A two-player tree.
    max_pivots
        The most pivots Lemke's algorithm makes.

    Returns
    -------
    behaviour
        One probability vector per information set (uniform at sets the equilibrium's own
        earlier moves rule out).
    pivots
        The pivots made.
    finished
        False when the bound was hit (``behaviour`` is then not an equilibrium).

    Raises
    ------
    InputError
        If the tree does not have two players.
    OutOfReachError
        If the tableau would be too large (see :func:`size_problem`).
    """
    if tree.n_players != 2:
        raise InputError(
            f"the sequence form with Lemke's algorithm solves 2-player games; this one has "
            f"{tree.n_players}"
        )
    form = sequence_form(tree)
    problem = size_problem(form)
    if problem:
        raise OutOfReachError(problem)
    matrix, q = sequence_lcp(form)
    z, pivots, finished = lemke(matrix, q, max_pivots=max_pivots)
    n1, n2 = form.n_sequences
    return form.behaviour([z[:n1], z[n1 : n1 + n2]]), pivots, finished
