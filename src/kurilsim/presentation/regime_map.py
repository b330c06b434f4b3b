"""Regime maps: which equilibria hold where, over two parameters of a grid sweep."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kurilsim.core.errors import InputError
from kurilsim.presentation.common import (
    OTHER,
    PALETTE,
    RegimeStyle,
    concept,
    default_note,
    grid_slice,
    legend_below,
    new_axes,
    numbered_key,
    parameter_label,
    regime_styles,
    wrap,
)
from kurilsim.sweeps.result import SweepResult


def regime_map(
    result: SweepResult,
    x: str | None = None,
    y: str | None = None,
    at: Mapping[str, float] | None = None,
    ax: Axes | None = None,
    width: int = 90,
) -> Figure:
    """Colour each point of a two-parameter grid by its regime (the set of its equilibria).

    Parameters
    ----------
    result
        A grid sweep over two or three parameters, without samples.
    x, y
        The parameters on the horizontal and vertical axes; the first two grid axes by default.
    at
        The value of a third grid axis to show (the nearest grid value is used).
    ax
        Axes to draw on; a new figure by default.
    width
        Characters per line of the legend's labels.

    Returns
    -------
    matplotlib.figure.Figure
        Each regime in its style (as in the tornado chart: see
        :func:`~kurilsim.presentation.common.regime_styles`), a legend naming them, axis
        labels with units, and the scenario's default point marked with a star. When there
        are more regimes than distinct colours
        (:data:`~kurilsim.presentation.common.PALETTE`), the least frequent share one grey
        entry, "other".

    Raises
    ------
    InputError
        If the sweep does not have the axes asked for, or has samples.

    Examples
    --------
    >>> import kurilsim
    >>> hunt = kurilsim.load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: catches
    >>> result = kurilsim.sweep(hunt, {"stag": (0, 10, 21), "hare": (0, 3, 7)})
    >>> ax = regime_map(result).axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('stag (meals)', 'hare (meals)')
    >>> [text.get_text() for text in ax.get_legend().get_texts()][:2]  # long names: numbers
    ['1', '2']
    >>> print(ax.texts[-1].get_text().splitlines()[0])  # the key under the legend
    1  A: stag, B: stag or A: hare, B: hare
    """
    names = [axis.name for axis in result.info.spec.grid]
    if result.info.spec.samples or len(names) < 2:
        raise InputError(
            "a regime map needs a grid sweep over two or three parameters, without samples"
        )
    x = x or names[0]
    y = y or next(name for name in names if name != x)
    table = grid_slice(result, [x, y], at, per_point=True)
    xs = np.unique(table[f"param.{x}"].to_numpy())
    ys = np.unique(table[f"param.{y}"].to_numpy())
    regimes = table["regime"].value_counts(sort=True)
    order = list(regimes.index)
    code = {name: k for k, name in enumerate(order)}
    info = result.info
    styles = regime_styles(order, info.players, info.strategies, info.labels)
    if len(order) > len(PALETTE):
        # Past the palette's length two regimes would look alike: the least frequent are shown
        # together, in grey.
        kept = len(PALETTE) - 1
        rest = len(order) - kept
        code = {name: min(k, kept) for k, name in enumerate(order)}
        order = [*order[:kept], f"other ({rest} regimes)"]
        styles = [*styles[:kept], RegimeStyle(OTHER)]
    grid = np.full((ys.size, xs.size), np.nan)
    grid[
        np.searchsorted(ys, table[f"param.{y}"].to_numpy()),
        np.searchsorted(xs, table[f"param.{x}"].to_numpy()),
    ] = table["regime"].map(code).to_numpy()

    figure, ax = new_axes(ax, size=(8.0, 6.0 + 0.35 * len(order)))
    ax.pcolormesh(
        xs,
        ys,
        grid,
        cmap=ListedColormap([style.face for style in styles]),
        vmin=-0.5,
        vmax=len(order) - 0.5,
        shading="nearest",
    )
    for k, style in enumerate(styles):  # regimes of several equilibria: hatched on top
        if style.hatch and (grid == k).any():
            ax.pcolor(
                xs,
                ys,
                np.ma.masked_where(grid != k, grid),
                shading="nearest",
                facecolor="none",
                edgecolor=style.hatch_colour,
                hatch=style.hatch,
                linewidth=0,
            )
    default_x, default_y = info.parameter(x).default, info.parameter(y).default
    labels, key = numbered_key(order)
    handles: list[Patch | Line2D] = [
        Patch(**style.patch(), label=wrap(label, width))
        for style, label in zip(styles, labels, strict=True)
    ]
    if key:  # each region carries its number, at the cell nearest the middle of its cells
        for k in range(len(order)):
            rows, cols = np.nonzero(grid == k)
            if rows.size:
                middle = np.argmin((rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2)
                circle = {"boxstyle": "circle,pad=0.2", "facecolor": "white", "lw": 0.5}
                spot = xs[cols[middle]], ys[rows[middle]]
                ax.text(*spot, str(k + 1), ha="center", va="center", fontsize="small", bbox=circle)
    if xs[0] <= default_x <= xs[-1] and ys[0] <= default_y <= ys[-1]:
        (star,) = ax.plot(
            [default_x],
            [default_y],
            marker="*",
            markersize=16,
            linestyle="none",
            color="white",
            markeredgecolor="black",
            label="scenario default",
        )
        handles.append(star)
    xlabel = parameter_label(result, x)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(parameter_label(result, y))
    shown = ", ".join(f"{k} = {v:g}" for k, v in (at or {}).items())
    ax.set_title(
        wrap(f"{concept(result)}: {info.title}", 80)
        + "\n"
        + wrap(f"{default_note(result, [x, y])}{'; ' + shown if shown else ''}", 90),
        fontsize="medium",
    )
    legend_below(ax, handles, "equilibria at each point", xlabel.count("\n") + 1, key)
    return figure
