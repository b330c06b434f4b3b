"""What the figures share: new axes, labels with units, categorical colours, slices of a grid."""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation

from kurilsim.core.errors import InputError
from kurilsim.sweeps.result import SweepResult

#: Colours of categories (regimes, strategies), in order; repeats past the end.
PALETTE = (
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#BBBBBB",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
)
#: The first colours of the palette, clearly distinct from each other (grey is kept apart).
DISTINCT = 6


def new_axes(ax: Axes | None, size: tuple[float, float] = (7.0, 5.0)) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure with one axes (no pyplot, no global state)."""
    if ax is not None:
        return figure_of(ax), ax
    figure = Figure(figsize=size, layout="constrained")
    return figure, figure.add_subplot()


def figure_of(ax: Axes) -> Figure:
    """The top-level figure an axes belongs to."""
    figure = ax.figure
    return figure if isinstance(figure, Figure) else figure.figure  # a subfigure's root


#: Colour of the regimes a figure lumps together as "other".
OTHER = "#DDDDDD"
#: Names of the solution concepts, by sweep method; other methods give Nash equilibria.
CONCEPTS = {"pure": "Pure Nash equilibria", "backward-induction": "Subgame-perfect equilibria"}


def concept(result: SweepResult) -> str:
    """What the sweep's equilibria are, for a title: "Pure Nash equilibria", ...

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> concept(SimpleNamespace(info=SimpleNamespace(method="vertex-enumeration")))
    'Nash equilibria (vertex-enumeration)'
    """
    method = result.info.method
    return CONCEPTS.get(method, f"Nash equilibria ({method})")


def colours(n: int) -> list[str]:
    """``n`` categorical colours."""
    return [PALETTE[k % len(PALETTE)] for k in range(n)]


def regime_colours(regimes: Sequence[str]) -> list[str]:
    """A colour for each regime, the same in every figure that shows it (regime map, tornado).

    A regime's colour is chosen among the :data:`DISTINCT` first colours by a checksum of its
    name, so it does not depend on which other regimes a figure shows or in what order; where two
    regimes of one figure would get the same colour, the later by name takes the next free one.
    Past the palette's length colours repeat.

    Examples
    --------
    >>> a, b = regime_colours(["war", "no deal"])
    >>> regime_colours(["no deal", "talks", "war"])[::2] == [b, a] and a != b
    True
    """
    chosen: dict[str, str] = {}
    for name in sorted(set(regimes)):
        k = zlib.crc32(name.encode()) % DISTINCT
        # Its own colour if free, then the other clearly distinct ones, then the rest.
        order = (*PALETTE[k:DISTINCT], *PALETTE[:k], *PALETTE[DISTINCT:])
        free = [c for c in order if c not in chosen.values()] or [PALETTE[k]]
        chosen[name] = free[0]
    return [chosen[name] for name in regimes]


#: Longest name a legend shows itself; longer ones (whole profiles) get a numbered key.
KEY_LENGTH = 40


def legend_below(
    ax: Axes,
    handles: Sequence[Artist],
    title: str | None = None,
    label_lines: int = 1,
    key: Sequence[str] = (),
) -> None:
    """A legend under the axes, clear of the tick labels and of ``label_lines`` lines of label.

    With a ``key`` (see :func:`numbered_key`) the legend's entries are numbers in one row, and
    the key, each number with its full name, is printed under it.
    """
    drop = 0.3 + 0.2 * label_lines  # inches: tick labels, then the axis label
    legend = ax.legend(
        handles=handles,
        title=title,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=ax.transAxes + ScaledTranslation(0, -drop, figure_of(ax).dpi_scale_trans),
        fontsize="small",
        frameon=False,
        ncols=min(len(handles), 8) if key else 1,
    )
    if key:
        ax.annotate(
            "\n".join(key),
            xy=(0.5, 0.0),
            xycoords=legend,
            xytext=(0, -4),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize="small",
            multialignment="left",
        )


def numbered_key(names: Sequence[str], width: int = 100) -> tuple[list[str], list[str]]:
    """Legend labels for ``names``, and the lines of their key: numbers where a name is long.

    Names up to :data:`KEY_LENGTH` characters label the legend themselves (no key). Longer ones,
    such as whole strategy profiles, would make a legend wider and taller than its figure: each is
    shown by its number, and the key lists the numbers with the full names, wrapped.

    Examples
    --------
    >>> numbered_key(["war", "no deal"])
    (['war', 'no deal'], [])
    >>> numbered_key(["Russia: joint_economic, Japan: economics_only, US: tolerate", "war"])
    (['1', '2'], ['1  Russia: joint_economic, Japan: economics_only, US: tolerate', '2  war'])
    """
    if all(len(name) <= KEY_LENGTH for name in names):
        return list(names), []
    key = [
        textwrap.fill(f"{k}  {name}", width, subsequent_indent="    ")
        for k, name in enumerate(names, start=1)
    ]
    return [str(k) for k in range(1, len(names) + 1)], key


def wrap(text: str, width: int = 60) -> str:
    """``text`` broken into lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(text, width)) or text


def parameter_label(result: SweepResult, name: str, width: int = 60) -> str:
    """An axis label: the parameter's name and its unit."""
    return wrap(f"{name} ({result.info.parameter(name).unit})", width)


def grid_slice(
    result: SweepResult,
    keep: Sequence[str],
    at: Mapping[str, float] | None = None,
    per_point: bool = False,
) -> pd.DataFrame:
    """The rows of a grid sweep at fixed values of the grid axes not in ``keep``.

    Each axis not kept must be given in ``at``; the grid value nearest to it is used. With
    ``per_point``, one row per point (parameters and regime, see :meth:`SweepResult.points`)
    instead of the whole table.

    Raises
    ------
    InputError
        If the sweep has samples, ``keep`` names a parameter that is not a grid axis, or an
        axis is neither kept nor given in ``at``.
    """
    info = result.info
    axes = {axis.name: axis for axis in info.spec.grid}
    if info.spec.samples:
        raise InputError("this figure needs a grid sweep without samples; plot shares instead")
    for name in keep:
        if name not in axes:
            raise InputError(
                f"{name!r} is not a grid axis of this sweep; its axes: {', '.join(axes) or 'none'}"
            )
    table = result.points() if per_point else result.table
    chosen = np.ones(len(table), dtype=bool)
    for name, axis in axes.items():
        if name in keep:
            continue
        if at is None or name not in at:
            raise InputError(
                f"the sweep also varies {name!r}; choose a value for it, e.g. at={{'{name}': "
                f"{axis.values()[0]:g}}}"
            )
        values = axis.values()
        nearest = values[np.abs(values - at[name]).argmin()]
        chosen &= table[f"param.{name}"].to_numpy() == nearest
    return table[chosen]


def default_note(result: SweepResult, shown: Sequence[str]) -> str:
    """Which values the parameters not shown take: their defaults, or the fixed values."""
    fixed = dict(result.info.spec.fixed)
    if not fixed:
        return "other parameters at their defaults"
    values = ", ".join(f"{k} = {v:g}" for k, v in fixed.items() if k not in shown)
    return f"{values}; other parameters at their defaults"
