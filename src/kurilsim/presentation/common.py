"""What the figures share: new axes, labels with units, categorical colours, slices of a grid."""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

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


#: Colours that cycle over a scenario's outcomes: the palette without its grey, a prime number
#: of colours, so that two profiles one player's deviation apart never share one.
CYCLE = tuple(c for c in PALETTE if c != "#BBBBBB")
#: Colour of a point where no equilibrium was found (or none is pure), in every scenario.
NONE_COLOUR = "#BBBBBB"
#: Regimes meaning that no equilibrium (or no pure one) was found; see ``forms/normal/labels.py``.
NONE_REGIMES = frozenset({"none", "no pure equilibrium", "no equilibrium found"})
#: Joins the equilibria of one regime (as ``forms/normal/labels.py`` writes it).
SEPARATOR = " or "
#: Hatch of a regime of two equilibria, and of three or more.
HATCHES = ("///", "xxx")


class RegimeStyle(NamedTuple):
    """How a regime is drawn: its first equilibrium's colour, hatched in its second's.

    ``hatch`` is empty for a regime of one equilibrium.
    """

    face: str
    hatch: str = ""
    hatch_colour: str = "none"

    def patch(self) -> dict[str, Any]:
        """Keyword arguments of a patch (a legend entry, a bar) drawn in this style."""
        if not self.hatch:
            return {"facecolor": self.face, "edgecolor": "none"}
        return {
            "facecolor": self.face,
            "hatch": self.hatch,
            "edgecolor": self.hatch_colour,
            "linewidth": 0,
        }


def outcome_colour(
    label: str,
    players: Sequence[str] = (),
    strategies: Sequence[Sequence[str]] = (),
    labels: Sequence[str] = (),
) -> str:
    """The colour of one equilibrium's label in a scenario, the same in every figure.

    The scenario's canonical order of outcomes is its ``labels`` block (``labels``, in file
    order), then its pure profiles (``"A: x, B: v"``) in the game's strategy order (the first
    player's strategy varying slowest). Such a label takes the colour at its position in that
    order, cycling over :data:`CYCLE`: neighbours in the order, and profiles that differ by
    one player's strategy while each player has fewer strategies than :data:`CYCLE` has
    colours (a prime number), differ in colour. Any other label (texts of several ``labels``
    entries joined by ``"; "``, a mixed equilibrium, a tree's or a bargaining solution's name)
    takes a colour from a checksum of its text, and "no equilibrium" is grey. The colour
    depends on the label and the scenario only, never on what else a figure shows.

    Examples
    --------
    >>> players, strategies = ("A", "B"), (("x", "y"), ("u", "v", "w"))
    >>> [outcome_colour(f"A: x, B: {s}", players, strategies) for s in "uvw"] == list(CYCLE[:3])
    True
    >>> outcome_colour("A: y, B: u", players, strategies) == CYCLE[3]
    True
    >>> outcome_colour("no pure equilibrium")
    '#BBBBBB'
    >>> outcome_colour("war", labels=["talks", "war"]) == CYCLE[1]
    True
    """
    if label in NONE_REGIMES:
        return NONE_COLOUR
    if label in labels:
        return CYCLE[list(labels).index(label) % len(CYCLE)]
    items = [item.partition(": ") for item in label.split(", ")]
    if len(items) == len(players) and all(
        player == name and choice in names
        for (name, _, choice), player, names in zip(items, players, strategies, strict=True)
    ):
        cell = [
            list(names).index(choice)
            for (_, _, choice), names in zip(items, strategies, strict=True)
        ]
        flat = int(np.ravel_multi_index(cell, [len(names) for names in strategies]))
        return CYCLE[(len(labels) + flat) % len(CYCLE)]
    return CYCLE[zlib.crc32(label.encode()) % len(CYCLE)]


def regime_styles(
    regimes: Sequence[str],
    players: Sequence[str] = (),
    strategies: Sequence[Sequence[str]] = (),
    labels: Sequence[str] = (),
) -> list[RegimeStyle]:
    """How each regime is drawn, the same in every figure of one scenario (regime map, tornado).

    A regime (its equilibria's labels joined by ``" or "``, in the scenario's canonical order)
    is filled with its first equilibrium's :func:`outcome_colour`; a regime of several
    equilibria is hatched in its second's (cross-hatched for three or more). So a regime's look
    depends on the regime and the scenario only: not on the other regimes a figure shows, nor
    on the range a sweep covers.

    Examples
    --------
    >>> players, strategies = ("A", "B"), (("x", "y"), ("u", "v"))
    >>> one, two = regime_styles(["A: x, B: v", "A: x, B: u or A: y, B: v"], players, strategies)
    >>> one == RegimeStyle(CYCLE[1]), two == RegimeStyle(CYCLE[0], "///", CYCLE[3])
    (True, True)
    >>> regime_styles(["A: x, B: v"], players, strategies) == [one]  # whatever else is shown
    True
    """
    styles = []
    for regime in regimes:
        parts = regime.split(SEPARATOR)
        colours = [outcome_colour(name, players, strategies, labels) for name in parts]
        if len(colours) == 1:
            styles.append(RegimeStyle(colours[0]))
        else:
            hatch = HATCHES[min(len(colours), len(HATCHES) + 1) - 2]
            styles.append(RegimeStyle(colours[0], hatch, colours[1]))
    return styles


def regime_colours(
    regimes: Sequence[str],
    players: Sequence[str] = (),
    strategies: Sequence[Sequence[str]] = (),
    labels: Sequence[str] = (),
) -> list[str]:
    """The fill colour of each regime (see :func:`regime_styles`), for lines and markers.

    Examples
    --------
    >>> regime_colours(["war", "no deal"]) == regime_colours(["no deal", "talks", "war"])[::-2]
    True
    """
    return [style.face for style in regime_styles(regimes, players, strategies, labels)]


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
