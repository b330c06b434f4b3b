"""Figures of a dynamic game's equilibrium path: the state's trajectory and the deal by round."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.forms.dynamic.result import DynamicSolution
from kurilsim.presentation.common import colours, new_axes, wrap
from kurilsim.presentation.figures import register_figure


def _rounds(solution: DynamicSolution) -> tuple[np.ndarray, list[str]]:
    names = list(solution.round_names)
    return np.arange(len(names)), names


def state_trajectory(solution: DynamicSolution, ax: Axes | None = None) -> Figure:
    """Draw the expected value of each state variable at the start of each round.

    Each variable is scaled to its range, so that variables in different units share the axes.

    Parameters
    ----------
    solution
        A solution of a dynamic scenario (``scenario.solve()``).
    ax
        Axes to draw on; a new figure by default.

    Examples
    --------
    >>> import kurilsim
    >>> solution = kurilsim.load_scenario("scenarios/eras_1956_2020.yaml").solve()
    >>> ax = state_trajectory(solution).axes[0]
    >>> [line.get_label() for line in ax.lines]
    ['trust', 'sanctions', 'china', 'settled']
    >>> ax.lines[1].get_ydata().tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    """
    grid = solution.game.grid
    figure, ax = new_axes(ax, size=(7.5, 4.0))
    x, names = _rounds(solution)
    means = solution.path.state_means[0]
    for k, (name, colour) in enumerate(zip(grid.names, colours(len(grid.names)), strict=True)):
        low, high = grid.levels[k][0], grid.levels[k][-1]
        ax.plot(x, (means[:, k] - low) / (high - low), marker="o", color=colour, label=name)
    ax.set_xticks(x, names)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("round")
    ax.set_ylabel("expected level (share of its range)")
    ax.set_title(wrap(f"{solution.game.title}: state along the path", 70), fontsize="medium")
    ax.legend(title="state variable", fontsize="small")
    return figure


def deal_by_round(solution: DynamicSolution, ax: Axes | None = None) -> Figure:
    """Draw the probability of a deal in each round, and of at least one deal by each round.

    Parameters
    ----------
    solution
        A solution of a dynamic scenario.
    ax
        Axes to draw on; a new figure by default.

    Examples
    --------
    >>> import kurilsim
    >>> scenario = kurilsim.load_scenario("scenarios/commitment_treaty.yaml")
    >>> ax = deal_by_round(scenario.solve({"upfront": 0.75})).axes[0]
    >>> ax.lines[0].get_ydata().tolist()  # the deal, the transfer, comes in the second round
    [0.0, 1.0, 1.0, 1.0]
    """
    figure, ax = new_axes(ax, size=(7.5, 4.0))
    x, names = _rounds(solution)
    first, second = colours(2)
    ax.bar(x, solution.path.deal[0], color=first, alpha=0.6, label="deal in the round")
    ax.plot(x, solution.path.deal_by[0], marker="o", color=second, label="deal by the round")
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("round")
    ax.set_ylabel("probability")
    ax.set_title(wrap(f"{solution.game.title}: probability of a deal", 70), fontsize="medium")
    ax.legend(fontsize="small")
    return figure


register_figure(DynamicSolution, "trajectory", state_trajectory)
register_figure(DynamicSolution, "deal", deal_by_round)
