"""The bargaining picture: feasible set, disagreement point, zone of possible agreement, solutions.

One axes in the utility plane, the first player's utility across and the second's up: every
deal as a point (hollow grey when ratification rules it out), the convex hull when lotteries are
allowed, the disagreement point, the zone of possible agreement shaded, and each concept's
solution marked (with a hollow twin where ratification moved it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from numpy.typing import NDArray

from kurilsim.forms.bargaining.feasible_set import convex_hull, outcome_points, quadrant_polygon
from kurilsim.forms.bargaining.ratification import ratified_utilities
from kurilsim.forms.bargaining.result import CONCEPT_NAMES
from kurilsim.presentation.common import colours, legend_below, new_axes, wrap

if TYPE_CHECKING:
    from kurilsim.forms.bargaining.result import BargainingSolution

FloatArray = NDArray[np.float64]

#: Problems with at most this many deals get each deal's name written next to it.
NAMED_DEALS = 12
#: Marker and size of each concept; sizes shrink in drawing order so that coinciding
#: solutions stay visible.
MARKERS = {"nash": ("*", 260), "kalai-smorodinsky": ("D", 110), "rubinstein": ("P", 70)}


def plot_bargaining(
    solution: BargainingSolution, ax: Axes | None = None, focus: bool = True
) -> Figure:
    """Draw a bargaining solution in the utility plane.

    Parameters
    ----------
    solution
        The result of :func:`~kurilsim.forms.bargaining.solve.solve_bargaining`.
    ax
        Axes to draw on; a new figure (without pyplot) by default.
    focus
        Limit the view to where bargaining happens: the disagreement point, the deals both
        sides weakly prefer to it and the solutions, with a margin. Deals far worse for one side
        then lie outside the view (they are still drawn); ``False`` shows every deal.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; its axes have a legend under them naming every element. The solutions'
        markers are drawn whole even at the edge of the view.

    Examples
    --------
    >>> from kurilsim.forms.bargaining.game import BargainingProblem
    >>> from kurilsim.forms.bargaining.solve import solve_bargaining
    >>> problem = BargainingProblem(["A", "B"], ["x", "y"], [[2, 1], [1, 2]], [0, 0])
    >>> ax = plot_bargaining(solve_bargaining(problem, "nash")).axes[0]
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['deals', 'zone of possible agreement', 'disagreement point', 'Nash bargaining: x']
    """
    problem = solution.problem
    figure, ax = new_axes(ax, size=(7.0, 8.0))
    d = problem.disagreement
    seen, _ = ratified_utilities(
        problem.utilities, d, problem.approval, problem.thresholds, solution.ratification
    )
    available = np.isin(problem.deals, solution.available)
    constrained = outcome_points(seen[available], d)
    if solution.lotteries:
        hull = constrained[convex_hull(constrained)]
        ax.add_patch(
            Polygon(
                hull,
                closed=True,
                facecolor="0.92",
                edgecolor="0.5",
                linewidth=0.8,
                label="feasible set (lotteries over deals)",
            )
        )
    if solution.ratification == "probability":
        ax.scatter(
            problem.utilities[:, 0],
            problem.utilities[:, 1],
            s=14,
            color="0.75",
            label="deals if ratified for sure",
        )
    label = "deals" if available.all() else "deals that can be ratified"
    if solution.ratification == "probability":
        label = "deals valued at their chance of ratification"
    ax.scatter(seen[available, 0], seen[available, 1], s=16, color="#4477AA", label=label, zorder=3)
    if not available.all():
        ax.scatter(
            problem.utilities[~available, 0],
            problem.utilities[~available, 1],
            s=16,
            facecolors="none",
            edgecolors="0.55",
            label="deals outside a win-set",
            zorder=3,
        )
    if len(problem.deals) <= NAMED_DEALS:
        shown = np.where(available[:, None], seen, problem.utilities)
        for name, point in zip(problem.deals, shown, strict=True):
            ax.annotate(name, point, xytext=(4, 4), textcoords="offset points", fontsize=8)
    zone = (
        quadrant_polygon(constrained, d)
        if solution.lotteries
        else staircase(seen[np.isin(problem.deals, solution.zopa)], d)
    )
    if not solution.zopa_empty and len(zone) >= 3:
        ax.add_patch(
            Polygon(
                zone,
                closed=True,
                facecolor="#228833",
                alpha=0.25,
                edgecolor="none",
                label="zone of possible agreement",
            )
        )
    ax.scatter(
        [d[0]],
        [d[1]],
        marker="X",
        s=70,
        color="black",
        label="disagreement point",
        zorder=4,
        clip_on=False,
    )
    for concept, colour in zip(solution.concepts, colours(len(solution.concepts)), strict=True):
        name = CONCEPT_NAMES[concept.concept]
        marker, size = MARKERS[concept.concept]
        ax.scatter(
            [concept.outcome.utilities[0]],
            [concept.outcome.utilities[1]],
            marker=marker,
            s=size,
            color=colour,
            edgecolors="black",
            linewidths=0.6,
            label=f"{name}: {concept.outcome.describe()}",
            zorder=5,
            clip_on=False,
        )
        if concept.binds:
            ax.scatter(
                [concept.unconstrained.utilities[0]],
                [concept.unconstrained.utilities[1]],
                marker=marker,
                s=size,
                facecolors="none",
                edgecolors=colour,
                linewidths=1.2,
                label=f"{name} without ratification: {concept.unconstrained.describe()}",
                zorder=5,
                clip_on=False,
            )
    ax.set_xlabel(f"utility of {problem.players[0]}")
    ax.set_ylabel(f"utility of {problem.players[1]}")
    if problem.title:
        ax.set_title(wrap(problem.title, 60))
    ax.autoscale_view()
    if focus:
        _focus(ax, solution)
    handles, _ = ax.get_legend_handles_labels()
    legend_below(ax, handles)
    return figure


def _focus(ax: Axes, solution: BargainingSolution) -> None:
    """Set the view to the disagreement point, rational deals and solutions, with a margin."""
    problem = solution.problem
    d = problem.disagreement
    rational = problem.utilities[np.all(problem.utilities >= d, axis=1)]
    marked = [c.outcome.utilities for c in solution] + [c.unconstrained.utilities for c in solution]
    shown = np.vstack([d[None, :], rational, *marked])
    low, high = shown.min(axis=0), shown.max(axis=0)
    margin = np.maximum(0.15 * (high - low), 0.02 * solution.scale)
    ax.set_xlim(low[0] - margin[0], high[0] + margin[0])
    ax.set_ylim(low[1] - margin[1], high[1] + margin[1])


def staircase(points: FloatArray, disagreement: FloatArray) -> FloatArray:
    """The outline of the outcomes each at least :math:`d` and weakly below one of ``points``.

    Without lotteries this is the zone of possible agreement as a region: every utility pair
    that some deal in it gives or beats (the union of the boxes from :math:`d` to each deal).

    Examples
    --------
    >>> staircase(np.array([[2.0, 1.0], [1.0, 2.0], [0.5, 0.5]]), np.zeros(2)).tolist()
    [[0.0, 0.0], [0.0, 2.0], [1.0, 2.0], [1.0, 1.0], [2.0, 1.0], [2.0, 0.0]]
    """
    if len(points) == 0:
        return np.zeros((0, 2))
    order = np.lexsort((-points[:, 1], -points[:, 0]))  # first player's utility, descending
    corners: list[FloatArray] = []
    for k in order:
        if not corners or points[k, 1] > corners[-1][1]:
            corners.append(points[k])
    corners.reverse()
    outline = [disagreement, np.array([disagreement[0], corners[0][1]])]
    for j, corner in enumerate(corners):
        outline.append(corner)
        below = corners[j + 1][1] if j + 1 < len(corners) else disagreement[1]
        outline.append(np.array([corner[0], below]))
    return np.array(outline)
