"""Each player's payoff in each equilibrium of a solution, as grouped bars."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.forms.normal.result import Solution
from kurilsim.presentation.common import colours, new_axes, wrap


def equilibrium_payoffs(solution: Solution, ax: Axes | None = None) -> Figure:
    """Draw each player's payoff in each equilibrium: one group of bars per player.

    Parameters
    ----------
    solution
        A solution of a normal-form game (:func:`kurilsim.solve`).
    ax
        Axes to draw on; a new figure by default.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per equilibrium in each player's group, labelled ``#k kind`` in the legend; a
        note in the axes when there is no equilibrium.

    Examples
    --------
    >>> import kurilsim
    >>> from kurilsim.forms import catalogue
    >>> ax = equilibrium_payoffs(kurilsim.solve(catalogue.stag_hunt())).axes[0]
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['#1 pure', '#2 mixed', '#3 pure']
    >>> [float(bar.get_height()) for bar in ax.patches][:2]  # the first equilibrium
    [3.0, 3.0]
    """
    game = solution.game
    n = len(solution.equilibria)
    figure, ax = new_axes(ax, size=(1.6 * game.n_players + 3.5, 4.0))
    x = np.arange(game.n_players)
    width = 0.8 / max(n, 1)
    for k, (equilibrium, colour) in enumerate(zip(solution.equilibria, colours(n), strict=True)):
        ax.bar(
            x - 0.4 + width * (k + 0.5),
            equilibrium.payoffs,
            width,
            color=colour,
            label=f"#{k + 1} {equilibrium.kind}",
        )
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xticks(x, list(game.players))
    ax.set_ylabel("payoff in equilibrium")
    ax.set_title(wrap(game.title or "Equilibrium payoffs", 60), fontsize="medium")
    if n:
        ax.legend(title="equilibrium", fontsize="small")
    else:
        ax.text(0.5, 0.5, "no equilibrium found", ha="center", transform=ax.transAxes)
    return figure
