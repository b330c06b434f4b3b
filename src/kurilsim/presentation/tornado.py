"""The sensitivity (tornado) chart of tipping points."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from kurilsim.analysis.tipping import TippingPoints
from kurilsim.presentation.common import (
    legend_below,
    new_axes,
    numbered_key,
    regime_styles,
    wrap,
)

#: Colour of a bar along which nothing changes up to the end of the range.
STEADY = "#DDDDDD"
#: The columns of the tipping-point table each bar needs.
COLUMNS = ("parameter", "direction", "default", "threshold", "share", "low", "high", "flips_to")


def tornado(tipping: TippingPoints, ax: Axes | None = None, width: int = 70) -> Figure:
    """How far each parameter can move from its default, down and up, before the equilibria change.

    Each parameter has a bar to the left (moving down) and to the right (moving up), as a share
    of its declared range, coloured by the regime it flips to and labelled with the threshold;
    grey bars run to the end of the range where nothing changes. The most sensitive parameters
    are on top. Regimes are drawn as :func:`~kurilsim.presentation.common.regime_styles` says,
    as in a regime map of the scenario. When no parameter tips, the figure says so instead of
    drawing grey bars.

    Parameters
    ----------
    tipping
        From :func:`kurilsim.analysis.tipping.tipping_points`.
    ax
        Axes to draw on; a new figure by default.
    width
        Characters per line of the legend's labels.

    Examples
    --------
    >>> import kurilsim
    >>> from kurilsim.analysis.tipping import tipping_points
    >>> hunt = kurilsim.parse_scenario(
    ...     "{kurilsim: 1, title: Stag hunt, players: {A: [stag, hare], B: [stag, hare]},"
    ...     " parameters: {stag: {default: 4, range: [0, 10], unit: meals, description: s,"
    ...     " assumption: e}, hare: {default: 1, range: [0, 3], unit: meals, description: h,"
    ...     " assumption: e}}, payoff_table: [{profile: [stag, stag], payoffs: [stag, stag]},"
    ...     " {profile: [stag, hare], payoffs: [0, hare]}, {profile: [hare, stag],"
    ...     " payoffs: [hare, 0]}, {profile: [hare, hare], payoffs: [hare, hare]}]}")
    >>> ax = tornado(tipping_points(hunt)).axes[0]
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['stag = 4', 'hare = 1']
    """
    table = tipping.table
    title = (
        wrap(f"Tipping points: {tipping.title}", 70)
        + "\n"
        + wrap(f"at the defaults: {tipping.baseline}", 80)
    )
    if table["threshold"].isna().all():
        return _steady(tipping, title, ax)
    # Sort by the nearest tipping point; parameters that never tip go to the bottom.
    tips = table["share"].where(table["threshold"].notna())
    nearest = tips.groupby(table["parameter"], sort=False).min()
    order = nearest.sort_values(na_position="last", kind="stable").index.tolist()
    regimes = list(dict.fromkeys(table["flips_to"].dropna()))
    styles = dict(
        zip(
            regimes,
            regime_styles(regimes, tipping.players, tipping.strategies, tipping.labels),
            strict=True,
        )
    )
    figure, ax = new_axes(ax, size=(9.0, 2.5 + 0.32 * len(order) + 0.3 * len(regimes)))
    positions = {name: len(order) - 1 - k for k, name in enumerate(order)}
    readable = tipping.readable_thresholds().tolist()
    for name, direction, default, threshold, share, low, high, flips, shown_at in zip(
        *(table[c].tolist() for c in COLUMNS), readable, strict=True
    ):
        y = positions[name]
        sign = -1 if direction == "down" else 1
        tipped = not np.isnan(threshold)
        # A bar runs to the threshold, or to the end of the range where nothing changes.
        reach = share if tipped else abs((low if sign < 0 else high) - default) / (high - low)
        style = styles[flips].patch() if tipped else {"facecolor": STEADY, "edgecolor": "none"}
        ax.barh(y, sign * reach, height=0.7, **style)
        if tipped:
            ax.annotate(
                f"{shown_at:.3g}",
                (sign * reach, y),
                xytext=(3 * sign, 0),
                textcoords="offset points",
                va="center",
                ha="left" if sign > 0 else "right",
                fontsize="x-small",
            )
    first = table.drop_duplicates("parameter").set_index("parameter")
    ax.set_yticks(
        [positions[n] for n in order],
        [f"{n} = {first.loc[n, 'default']:g}" for n in order],
        fontsize="small",
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-1.1, 1.1)
    ax.set_xlabel("distance from the default before the equilibria change (share of the range)")
    ax.set_title(title, fontsize="medium")
    labels, key = numbered_key(regimes)
    handles = [
        Patch(**styles[r].patch(), label=wrap(n, width))
        for r, n in zip(regimes, labels, strict=True)
    ]
    handles.append(Patch(color=STEADY, label="no change up to the end of the range"))
    legend_below(ax, handles, "flips to", key=key)
    return figure


def _steady(tipping: TippingPoints, title: str, ax: Axes | None) -> Figure:
    """The figure when nothing tips: a statement and the parameters moved, no bars."""
    moved = ", ".join(dict.fromkeys(tipping.table["parameter"]))
    figure, ax = new_axes(ax, size=(9.0, 3.0))
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        "No parameter changes the equilibria within its range.\n\n"
        + wrap(f"moved over their whole ranges: {moved or 'none'}", 90),
        ha="center",
        va="center",
        transform=ax.transAxes,
    )
    ax.set_title(title, fontsize="medium")
    return figure
