"""Curves over one parameter of a grid sweep: strategy probabilities and payoffs.

A point may have several equilibria; equilibrium ``k`` (in the order the method lists them at
each point) is drawn with its own line style, so coexisting equilibria stay apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.core.errors import InputError
from kurilsim.presentation.common import (
    colours,
    default_note,
    figure_of,
    grid_slice,
    new_axes,
    parameter_label,
    wrap,
)
from kurilsim.sweeps.result import SweepResult

#: Line styles of equilibrium 1, 2, 3, ... at each point, and their names.
STYLES = ("-", "--", ":", "-.")
STYLE_NAMES = ("solid", "dashed", "dotted", "dash-dot")


def _numbered(table: pd.DataFrame, x: str) -> dict[int, pd.DataFrame]:
    """Rows of each equilibrium number, indexed by every value of ``x`` (NaN where absent)."""
    column = f"param.{x}"
    values = np.unique(table[column].to_numpy())
    numbers = np.unique(table["equilibrium"].to_numpy())
    return {
        int(k): table[table["equilibrium"] == k].set_index(column).reindex(values)
        for k in numbers[numbers > 0]
    }


def _style_note(numbered: dict[int, pd.DataFrame]) -> str:
    return ", ".join(f"{STYLE_NAMES[(k - 1) % len(STYLES)]} = equilibrium {k}" for k in numbered)


def _axis_name(result: SweepResult, x: str | None) -> str:
    if x is not None:
        return x
    if not result.info.spec.grid:
        raise InputError("curves need a grid sweep; plot the shares of a Monte Carlo sweep")
    return result.info.spec.grid[0].name


def probability_curves(
    result: SweepResult,
    x: str | None = None,
    at: Mapping[str, float] | None = None,
    ax: Sequence[Axes] | None = None,
) -> Figure:
    """Each player's strategy probabilities along one grid parameter, one panel per player.

    Parameters
    ----------
    result
        A grid sweep without samples.
    x
        The parameter on the horizontal axis; the first grid axis by default.
    at
        Values of the other grid axes, if any (nearest grid values are used).
    ax
        One axes per player to draw on; a new figure by default.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import kurilsim
    >>> pennies = kurilsim.parse_scenario(
    ...     "{kurilsim: 1, title: Pennies, players: {Even: [H, T], Odd: [H, T]},"
    ...     " parameters: {w: {default: 1, range: [1, 3], unit: coins, description: w,"
    ...     " assumption: e}}, payoff_table: [{profile: [H, H], payoffs: [w, -1]},"
    ...     " {profile: [H, T], payoffs: [-1, 1]}, {profile: [T, H], payoffs: [-1, 1]},"
    ...     " {profile: [T, T], payoffs: [1, -1]}]}")
    >>> result = kurilsim.sweep(pennies, {"w": (1, 3, 5)}, method="vertex-enumeration",
    ...                         workers=1)
    >>> figure = probability_curves(result)
    >>> [a.get_title() for a in figure.axes]
    ['Even', 'Odd']
    >>> [round(float(p), 3) for p in figure.axes[1].get_lines()[0].get_ydata()]  # 2 / (w + 3)
    [0.5, 0.444, 0.4, 0.364, 0.333]
    """
    name = _axis_name(result, x)
    table = grid_slice(result, [name], at)
    info = result.info
    if ax is None:
        figure = Figure(figsize=(7.0, 2.6 * len(info.players) + 0.8), layout="constrained")
        panels = list(figure.subplots(len(info.players), 1, sharex=True, squeeze=False)[:, 0])
    else:
        panels = list(ax)
        figure = figure_of(panels[0])
    numbered = _numbered(table, name)
    for panel, player, strategies in zip(panels, info.players, info.strategies, strict=True):
        for colour, strategy in zip(colours(len(strategies)), strategies, strict=True):
            for k, rows in numbered.items():
                panel.plot(
                    rows.index,
                    rows[f"prob.{player}.{strategy}"],
                    linestyle=STYLES[(k - 1) % len(STYLES)],
                    color=colour,
                    label=strategy if k == 1 else None,
                )
        panel.set_title(player)
        panel.set_ylabel("probability")
        panel.set_ylim(-0.05, 1.05)
        panel.legend(fontsize="small", loc="best")
    panels[-1].set_xlabel(parameter_label(result, name))
    styles = _style_note(numbered)
    figure.suptitle(
        wrap(f"Equilibrium strategies: {info.title}", 80)
        + "\n"
        + wrap(f"{default_note(result, [name])}; lines: {styles}", 90),
        fontsize="medium",
    )
    return figure


def payoff_curves(
    result: SweepResult,
    x: str | None = None,
    at: Mapping[str, float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Each player's equilibrium payoff along one grid parameter.

    Parameters are as for :func:`probability_curves`, with one axes for all players.

    Examples
    --------
    >>> import kurilsim
    >>> pennies = kurilsim.parse_scenario(
    ...     "{kurilsim: 1, title: Pennies, players: {Even: [H, T], Odd: [H, T]},"
    ...     " parameters: {w: {default: 1, range: [1, 3], unit: coins, description: w,"
    ...     " assumption: e}}, payoff_table: [{profile: [H, H], payoffs: [w, -1]},"
    ...     " {profile: [H, T], payoffs: [-1, 1]}, {profile: [T, H], payoffs: [-1, 1]},"
    ...     " {profile: [T, T], payoffs: [1, -1]}]}")
    >>> result = kurilsim.sweep(pennies, {"w": (1, 3, 3)}, method="vertex-enumeration",
    ...                         workers=1)
    >>> ax = payoff_curves(result).axes[0]
    >>> [line.get_label() for line in ax.get_lines()], ax.get_ylabel()
    (['Even', 'Odd'], 'equilibrium payoff')
    """
    name = _axis_name(result, x)
    table = grid_slice(result, [name], at)
    info = result.info
    figure, ax = new_axes(ax)
    numbered = _numbered(table, name)
    for colour, player in zip(colours(len(info.players)), info.players, strict=True):
        for k, rows in numbered.items():
            ax.plot(
                rows.index,
                rows[f"payoff.{player}"],
                color=colour,
                linestyle=STYLES[(k - 1) % len(STYLES)],
                label=player if k == 1 else None,
            )
    ax.set_xlabel(parameter_label(result, name))
    ax.set_ylabel("equilibrium payoff")
    ax.legend(fontsize="small", title="player (own unit)")
    styles = _style_note(numbered)
    ax.set_title(
        wrap(f"Equilibrium payoffs: {info.title}", 80)
        + "\n"
        + wrap(f"{default_note(result, [name])}; lines: {styles}", 90),
        fontsize="medium",
    )
    return figure
