"""The repeated-game picture: the subgame-perfect payoff set with the stage payoffs and minmax.

One axes in the payoff plane of a two-player repeated game, the first player's payoff across and
the second's up: the outer approximation of the set of subgame-perfect payoffs (shaded), every
pure stage profile's payoffs (hollow, filled where sustained at the game's discount factors),
the stage Nash equilibria and the minmax point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from kurilsim.core.errors import InputError
from kurilsim.presentation.common import legend_below, new_axes, wrap

if TYPE_CHECKING:
    from kurilsim.forms.repeated.result import RepeatedSolution


def payoff_set_figure(solution: RepeatedSolution, ax: Axes | None = None) -> Figure:
    """Draw a two-player repeated game's payoff set, stage payoffs and minmax point.

    Parameters
    ----------
    solution
        A :class:`~kurilsim.forms.repeated.result.RepeatedSolution` of a two-player game solved
        with method ``auto`` (which computes the payoff set).
    ax
        Axes to draw on; a new figure (without pyplot) by default.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        If the solution has no payoff set (more than two players, or method ``thresholds``).

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> from kurilsim.forms.repeated.game import RepeatedGame
    >>> from kurilsim.forms.repeated.solve import solve
    >>> figure = payoff_set_figure(solve(RepeatedGame(catalogue.prisoners_dilemma(), (0.6, 0.6))))
    >>> figure.axes[0].get_xlabel(), len(figure.axes[0].patches)
    ('Row', 1)
    """
    payoff_set = solution.payoff_set
    if payoff_set is None:
        raise InputError(
            "this solution has no payoff set: it is drawn for two-player games solved with "
            "method 'auto'"
        )
    figure, ax = new_axes(ax, (6.0, 5.0))
    first, second = solution.game.players
    handles: list[Artist] = []
    if not payoff_set.empty:
        area = Polygon(
            payoff_set.vertices, closed=True, facecolor="#9ecae1", edgecolor="#3182bd", alpha=0.6
        )
        ax.add_patch(area)
        area.set_label("subgame-perfect payoffs (outer approximation)")
        handles.append(area)
    points = solution.path_payoffs
    sustained = solution.sustained()
    ax.scatter(points[~sustained, 0], points[~sustained, 1], facecolors="none", edgecolors="grey")
    ax.scatter(points[sustained, 0], points[sustained, 1], color="#08519c")
    handles.append(_marker("o", "grey", "stage profile", hollow=True))
    handles.append(_marker("o", "#08519c", "stage profile sustained now"))
    for k in range(len(solution.cells)):
        ax.annotate(
            wrap(_short(solution, k), 18),
            points[k],
            fontsize="x-small",
            xytext=(4, 4),
            textcoords="offset points",
        )
    nash = np.array([e.payoffs for e in solution.stage.equilibria])
    ax.scatter(nash[:, 0], nash[:, 1], marker="*", s=180, color="#e6550d", zorder=3)
    handles.append(_marker("*", "#e6550d", "stage Nash equilibrium"))
    minmax = solution.minmax_mixed if solution.minmax_mixed is not None else solution.minmax_pure
    ax.scatter([minmax[0]], [minmax[1]], marker="X", s=90, color="black", zorder=3)
    handles.append(_marker("X", "black", "minmax point"))
    ax.axvline(minmax[0], color="black", linewidth=0.6, linestyle=":")
    ax.axhline(minmax[1], color="black", linewidth=0.6, linestyle=":")
    ax.autoscale_view()
    ax.set_xlabel(first)
    ax.set_ylabel(second)
    discount = ", ".join(f"{d:g}" for d in solution.game.discount)
    ax.set_title(wrap(f"{solution.game.title}: discount factors {discount}"), fontsize="medium")
    legend_below(ax, handles)
    return figure


def _short(solution: RepeatedSolution, k: int) -> str:
    stage = solution.game.stage
    return "/".join(names[s] for names, s in zip(stage.strategies, solution.cells[k], strict=True))


def _marker(shape: str, colour: str, label: str, hollow: bool = False) -> Line2D:
    return Line2D(
        [],
        [],
        marker=shape,
        linestyle="none",
        color=colour,
        label=label,
        markerfacecolor="none" if hollow else colour,
    )
