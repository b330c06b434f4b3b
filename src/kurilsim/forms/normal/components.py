r"""Connected components of a game's equilibria, from its extreme equilibria.

Two equilibria that differ in one player's mixture only are joined by a segment of equilibria:
the player's best responses to the others' fixed mixtures form a convex set, and every other
player's payoff is linear in that player's mixture, so the others' best responses hold along the
segment. More generally, if every profile of a product ``X_1 x ... x X_N`` of sets of mixtures is
an equilibrium, so is every profile of the product of their convex hulls (each player's payoff is
multilinear). In a two-player game these products are the *maximal Nash subsets* of Avis,
Rosenberg, Savani and von Stengel [1]_ (maximal bicliques of the bipartite graph whose edges are
the extreme equilibria), and the components of the equilibrium set are the unions of intersecting
maximal Nash subsets: the connected components of that graph.

:func:`equilibrium_components` applies this to any list of equilibria: two equilibria are in one
component when a chain of equilibria, each differing from the next in one player's mixture,
joins them. Its dimension is the largest dimension of a product of convex hulls inside it
(0 for an isolated equilibrium, 1 for a segment, 2 or more for a face). When the list holds every
extreme equilibrium of a two-player game (vertex enumeration), the components and dimensions are
exactly those of the game's equilibrium set [1]_.

References
----------
.. [1] D. Avis, G. D. Rosenberg, R. Savani and B. von Stengel, "Enumeration of Nash equilibria for
   two-player games", *Economic Theory* 42 (2010), 9-37, section 5.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Profile = tuple[FloatArray, ...]

#: Two mixtures of a player closer than this (largest probability difference) are the same one.
SAME_MIXTURE = 1e-9


def equilibrium_components(
    profiles: Sequence[Profile], links: Sequence[tuple[int, int]] = ()
) -> list[tuple[tuple[int, ...], int]]:
    """Group equilibria into connected components and give each component's dimension.

    Parameters
    ----------
    profiles
        Equilibria, each one probability vector per player.
    links
        Pairs of indices of equilibria known to be joined by a curve of equilibria (on which
        two or more players mix, see :func:`~kurilsim.forms.normal.curve_components.\
curves_between`); a component holding one has dimension at least 1.

    Returns
    -------
    list of (indices, dimension)
        One entry per component, in order of its first member: the indices of its members in
        ``profiles`` (increasing) and its dimension.

    Examples
    --------
    The row player is indifferent; the column player wants to match. The extreme equilibria form
    one connected set, two segments meeting at the uniform mixture:

    >>> import numpy as np
    >>> e = np.eye(2)
    >>> half = np.array([0.5, 0.5])
    >>> extreme = [(e[1], e[1]), (half, e[1]), (half, e[0]), (e[0], e[0])]
    >>> equilibrium_components(extreme)
    [((0, 1, 2, 3), 1)]
    >>> equilibrium_components([(e[0], e[0]), (e[1], e[1])])
    [((0,), 0), ((1,), 0)]
    >>> equilibrium_components([(e[0], e[0]), (e[1], e[1])], links=[(0, 1)])
    [((0, 1), 1)]
    """
    if not profiles:
        return []
    n_players = len(profiles[0])
    # Each player's distinct mixtures get ids; an equilibrium is then a tuple of ids.
    mixtures: list[list[FloatArray]] = [[] for _ in range(n_players)]
    keys = [tuple(_mixture_id(mixtures[i], p[i]) for i in range(n_players)) for p in profiles]
    parent = list(range(len(keys)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # Equilibria equal but for one player's mixture share that key with the player left out.
    for i in range(n_players):
        first: dict[tuple[int, ...], int] = {}
        for k, key in enumerate(keys):
            rest = key[:i] + key[i + 1 :]
            other = first.setdefault(rest, k)
            parent[root(k)] = root(other)
    for a, b in links:
        parent[root(a)] = root(b)
    linked = {a for a, _ in links}
    groups: dict[int, list[int]] = {}
    for k in range(len(keys)):
        groups.setdefault(root(k), []).append(k)
    components = []
    for members in sorted(groups.values()):
        cells = {keys[k] for k in members}
        dimension = _largest_box(cells, mixtures, n_players)
        if linked.intersection(members):
            dimension = max(dimension, 1)
        components.append((tuple(members), dimension))
    return components


def _mixture_id(seen: list[FloatArray], mixture: FloatArray) -> int:
    for k, other in enumerate(seen):
        if np.max(np.abs(other - mixture)) <= SAME_MIXTURE:
            return k
    seen.append(mixture)
    return len(seen) - 1


def _largest_box(
    cells: set[tuple[int, ...]], mixtures: list[list[FloatArray]], n_players: int
) -> int:
    """Largest ``sum_i dim conv(X_i)`` over products ``X_1 x ... x X_N`` inside ``cells``.

    Recursively over players: for the first player, every maximal set ``X`` of mixtures with a
    common set ``R`` of completions (a maximal biclique between the first player's mixtures and
    the rest's profiles) is a closed set of the neighbourhood lattice, found by intersecting
    neighbourhoods; a largest product lies in some ``X x R``.
    """
    if n_players == 0:
        return 0
    completions: dict[int, frozenset[tuple[int, ...]]] = {}
    for cell in cells:
        completions[cell[0]] = completions.get(cell[0], frozenset()) | {cell[1:]}
    # Every intersection of neighbourhoods, each with the mixtures whose neighbourhood holds it.
    closed: set[frozenset[tuple[int, ...]]] = set(completions.values())
    frontier = set(closed)
    while frontier:
        fresh = set()
        for common in frontier:
            for neighbourhood in completions.values():
                meet = common & neighbourhood
                if meet and meet not in closed:
                    fresh.add(meet)
        closed |= fresh
        frontier = fresh
    best = 0
    for common in closed:
        members = [x for x, neighbourhood in completions.items() if common <= neighbourhood]
        rest = _largest_box(set(common), mixtures[1:], n_players - 1)
        best = max(best, affine_dimension([mixtures[0][x] for x in members]) + rest)
    return best


def affine_dimension(points: Sequence[FloatArray]) -> int:
    """Dimension of the affine hull of some points (0 for one point).

    Examples
    --------
    >>> import numpy as np
    >>> affine_dimension([np.array([1.0, 0.0]), np.array([0.5, 0.5]), np.array([0.0, 1.0])])
    1
    """
    if len(points) < 2:
        return 0
    differences = np.array(points[1:]) - points[0]
    return int(np.linalg.matrix_rank(differences, tol=SAME_MIXTURE))
