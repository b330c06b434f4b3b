"""Curves over one parameter of a grid sweep: strategy probabilities and payoffs.

One line is one outcome (the ``label`` column of the sweep table), drawn only where that outcome
is an equilibrium: where it stops holding the line breaks, so a change of equilibrium shows as a
jump, never as a slope joining two outcomes. Each outcome keeps the colour it has in the regime
map; a point where an outcome holds alone between gaps is marked with a dot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, cast

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from kurilsim.core.errors import InputError
from kurilsim.presentation.common import (
    default_note,
    figure_of,
    grid_slice,
    parameter_label,
    regime_colours,
    wrap,
)
from kurilsim.sweeps.result import SweepResult

#: Line styles of a player's first, second, third, ... strategy; repeat past the end.
STYLES: tuple[Literal["-", "--", ":", "-."], ...] = ("-", "--", ":", "-.")
#: Line widths of the first, second, third, ... outcome, so that outcomes holding together with
#: the same probabilities stay visible one inside the other; the last repeats.
WIDTHS = (3.0, 1.6, 0.8)


def outcome_rows(table: pd.DataFrame, x: str) -> dict[str, pd.DataFrame]:
    """The rows of each outcome, indexed by every value of ``x``, NaN where it does not hold.

    Outcomes are the ``label`` column, in the order they first appear along ``x``. Where one
    outcome is reached by two equilibria at a point (two mixed equilibria on the same supports),
    the second is a curve of its own, named with ``(2)``.

    Examples
    --------
    >>> table = pd.DataFrame({"param.t": [0, 1, 1, 2], "equilibrium": [1, 1, 2, 1],
    ...                       "label": ["war", "war", "peace", "peace"], "payoff.A": [0, 1, 5, 6]})
    >>> {name: rows["payoff.A"].tolist() for name, rows in outcome_rows(table, "t").items()}
    {'war': [0.0, 1.0, nan], 'peace': [nan, 5.0, 6.0]}
    """
    column = f"param.{x}"
    values = np.unique(table[column].to_numpy())
    found = table[table["equilibrium"].to_numpy() > 0]
    repeat = found.groupby([column, "label"], sort=False).cumcount()
    curves: dict[str, pd.DataFrame] = {}
    for key, rows in found.groupby([found["label"], repeat], sort=False):
        label, k = str(key[0]), cast(int, key[1])
        name = label if k == 0 else f"{label} ({k + 1})"
        curves[name] = rows.set_index(column).reindex(values)
    return curves


def _alone(y: np.ndarray) -> np.ndarray:
    """Where a value has no neighbour to join: the points a line would not show."""
    held = np.isfinite(y)
    before = np.concatenate(([False], held[:-1]))
    after = np.concatenate((held[1:], [False]))
    alone: np.ndarray = held & ~before & ~after
    return alone


def _draw(ax: Axes, x: np.ndarray, y: np.ndarray, **style: object) -> None:
    y = np.asarray(y, dtype=float)
    ax.plot(x, y, marker="o", markersize=4, markevery=list(_alone(y)), **style)  # type: ignore[arg-type]


def _axis_name(result: SweepResult, x: str | None) -> str:
    if x is not None:
        return x
    if not result.info.spec.grid:
        raise InputError("curves need a grid sweep; plot the shares of a Monte Carlo sweep")
    return result.info.spec.grid[0].name


def _panels(
    result: SweepResult, ax: Sequence[Axes] | None, height: float
) -> tuple[Figure, list[Axes]]:
    """One axes per player, sharing the horizontal axis: ``ax`` or a new figure."""
    players = result.info.players
    if ax is not None:
        panels = list(ax)
        if len(panels) != len(players):
            raise InputError(f"give one axes per player ({len(players)}), not {len(panels)}")
        return figure_of(panels[0]), panels
    figure = Figure(figsize=(7.0, height * len(players) + 1.6), layout="constrained")
    return figure, list(figure.subplots(len(players), 1, sharex=True, squeeze=False)[:, 0])


def _outcome_legend(figure: Figure, names: Sequence[str], colours: Sequence[str]) -> None:
    handles = [Line2D([], [], color=c, linewidth=2) for c in colours]
    figure.legend(
        handles,
        [wrap(name, 90) for name in names],
        loc="outside lower center",
        title="outcome (one line each; a gap where it is not an equilibrium)",
        fontsize="small",
        title_fontsize="small",
        frameon=False,
    )


def probability_curves(
    result: SweepResult,
    x: str | None = None,
    at: Mapping[str, float] | None = None,
    ax: Sequence[Axes] | None = None,
) -> Figure:
    """Each player's strategy probabilities along one grid parameter, one panel per player.

    Colour tells the outcome, line style the strategy; each line is labelled
    ``"<strategy> in <outcome>"``. Outcomes are drawn thinner in the order they first appear, so
    two that hold together with the same probabilities both show.

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

    Raises
    ------
    InputError
        If ``ax`` does not hold one axes per player, or the sweep is not a grid along ``x``.

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
    >>> line = figure.axes[1].get_lines()[0]
    >>> line.get_label()
    'H in mixed: Even: H/T, Odd: H/T'
    >>> [round(float(p), 3) for p in line.get_ydata()]  # 2 / (w + 3)
    [0.5, 0.444, 0.4, 0.364, 0.333]
    """
    name = _axis_name(result, x)
    info = result.info
    figure, panels = _panels(result, ax, 2.4)
    curves = outcome_rows(grid_slice(result, [name], at), name)
    outcome_colours = regime_colours(list(curves), info.players, info.strategies, info.labels)
    for panel, player, strategies in zip(panels, info.players, info.strategies, strict=True):
        for n, (outcome, colour) in enumerate(zip(curves, outcome_colours, strict=True)):
            rows = curves[outcome]
            for k, strategy in enumerate(strategies):
                _draw(
                    panel,
                    rows.index.to_numpy(),
                    rows[f"prob.{player}.{strategy}"].to_numpy(),
                    color=colour,
                    linestyle=STYLES[k % len(STYLES)],
                    linewidth=WIDTHS[min(n, len(WIDTHS) - 1)],
                    label=f"{strategy} in {outcome}",
                )
        panel.set_title(player)
        panel.set_ylabel("probability")
        panel.set_ylim(-0.05, 1.05)
        panel.legend(
            [
                Line2D([], [], color="black", linestyle=STYLES[k % len(STYLES)])
                for k in range(len(strategies))
            ],
            list(strategies),
            title="strategy",
            fontsize="small",
            title_fontsize="small",
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
        )
    panels[-1].set_xlabel(parameter_label(result, name))
    _outcome_legend(figure, list(curves), outcome_colours)
    figure.suptitle(
        wrap(f"Equilibrium strategies: {info.title}", 80)
        + "\n"
        + wrap(default_note(result, [name]), 90),
        fontsize="medium",
    )
    return figure


def payoff_curves(
    result: SweepResult,
    x: str | None = None,
    at: Mapping[str, float] | None = None,
    ax: Sequence[Axes] | None = None,
) -> Figure:
    """Each player's equilibrium payoff along one grid parameter, one panel per player.

    Players' payoffs may be in different units, so each has a panel of its own, titled with the
    player's name; the panels share the horizontal axis. One line per outcome, labelled with it.
    Parameters, return value and errors are as for :func:`probability_curves`.

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
    >>> figure = payoff_curves(result)
    >>> [a.get_title() for a in figure.axes], figure.axes[0].get_ylabel()
    (['Even', 'Odd'], 'equilibrium payoff')
    >>> [line.get_label() for line in figure.axes[0].get_lines()]
    ['mixed: Even: H/T, Odd: H/T']
    """
    name = _axis_name(result, x)
    info = result.info
    figure, panels = _panels(result, ax, 2.0)
    curves = outcome_rows(grid_slice(result, [name], at), name)
    outcome_colours = regime_colours(list(curves), info.players, info.strategies, info.labels)
    for panel, player in zip(panels, info.players, strict=True):
        for outcome, colour in zip(curves, outcome_colours, strict=True):
            rows = curves[outcome]
            _draw(
                panel,
                rows.index.to_numpy(),
                rows[f"payoff.{player}"].to_numpy(),
                color=colour,
                label=outcome,
            )
        panel.set_title(player)
        panel.set_ylabel("equilibrium payoff")
    panels[-1].set_xlabel(parameter_label(result, name))
    _outcome_legend(figure, list(curves), outcome_colours)
    figure.suptitle(
        wrap(f"Equilibrium payoffs: {info.title}", 80)
        + "\n"
        + wrap(default_note(result, [name]), 90),
        fontsize="medium",
    )
    return figure
