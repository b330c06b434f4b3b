"""Figures of a global sensitivity analysis: the indices with their intervals, and interactions.

Registered for :class:`~kurilsim.analysis.sensitivity.Sensitivity` as ``indices`` (the default)
and ``interactions``, so ``kurilsim.plot(result)`` draws the bar chart.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.analysis.sensitivity import Sensitivity
from kurilsim.core.errors import InputError
from kurilsim.presentation.common import PALETTE, figure_of, new_axes, wrap
from kurilsim.presentation.figures import register_figure

#: What each method's bars show: (index, its confidence half-width or None, legend label).
BARS = {
    "sobol": (
        ("S1", "S1_conf", "first order (S1): alone"),
        ("ST", "ST_conf", "total (ST): with interactions"),
    ),
    "morris": (
        ("mu_star", "mu_star_conf", "mu*: mean absolute effect"),
        ("sigma", None, "sigma: spread of the effects"),
    ),
}


def index_bars(result: Sensitivity, ax: Axes | None = None) -> Figure:
    """Each parameter's indices as bars, with confidence-interval whiskers, most influential on top.

    Sobol': first-order and total indices side by side; the gap between them is the share of
    the variance a parameter has through interactions. Morris: ``mu_star`` (with its interval)
    and ``sigma``.

    Examples
    --------
    >>> import kurilsim
    >>> from kurilsim.analysis.sensitivity import sensitivity
    >>> hunt = kurilsim.load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: catches
    >>> ax = index_bars(sensitivity(hunt, "payoff:A", samples=64)).axes[0]
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['hare', 'stag']
    """
    ranked = result.ranked().iloc[::-1]  # barh draws the first row at the bottom
    figure, ax = new_axes(ax, (7.0, 1.2 + 0.35 * len(ranked)))
    names = [str(n) for n in ranked.index]
    rows = np.arange(len(names))
    height = 0.4
    for k, (column, conf, label) in enumerate(BARS[result.method]):
        values = ranked[column].to_numpy(dtype=float)
        errors = None if conf is None else ranked[conf].to_numpy(dtype=float)
        ax.barh(
            rows + (k - 0.5) * height,
            values,
            height,
            xerr=errors,
            capsize=2,
            color=PALETTE[k],
            label=label,
        )
    ax.set_yticks(rows, names)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Sobol index (share of variance)" if result.method == "sobol" else "effect")
    ax.set_title(
        wrap(f"Sensitivity of {result.output!r}: {result.title}", 70)
        + f"\n{result.evaluations:,} points, N = {result.samples}; whiskers: 95% intervals",
        fontsize=10,
    )
    ax.legend(loc="lower right", fontsize=8)
    return figure


def interaction_map(result: Sensitivity, ax: Axes | None = None) -> Figure:
    """The second-order Sobol indices ``S2`` of every pair of parameters, as a heat map.

    Raises
    ------
    InputError
        For a Morris result, or a Sobol' result with one parameter (no pairs).

    Examples
    --------
    >>> import kurilsim
    >>> from kurilsim.analysis.sensitivity import sensitivity
    >>> hunt = kurilsim.load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: catches
    >>> ax = interaction_map(sensitivity(hunt, "payoff:A", samples=64)).axes[0]
    >>> ax.get_title().startswith("Interactions (S2)")
    True
    """
    if result.second_order is None:
        raise InputError(
            "an interaction map needs second-order Sobol indices: method 'sobol' with at least "
            f"two parameters (this result: {result.method}, {len(result.indices)} parameter(s))"
        )
    names = [str(n) for n in result.ranked().index]
    matrix = result.second_order.loc[names, names].to_numpy(dtype=float)
    figure, ax = new_axes(ax, (1.5 + 0.4 * len(names), 1.0 + 0.4 * len(names)))
    upper = np.nanmax(np.abs(matrix)) if np.isfinite(matrix).any() else 1.0
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-max(upper, 1e-12), vmax=max(upper, 1e-12))
    ax.set_xticks(range(len(names)), names, rotation=90)
    ax.set_yticks(range(len(names)), names)
    figure_of(ax).colorbar(image, ax=ax, label="S2 (share of variance)", shrink=0.8)
    ax.set_title(f"Interactions (S2): {result.output!r}", fontsize=10)
    return figure


def sensitivity_figure(result: Sensitivity) -> Figure:
    """The bar chart of the indices and, where there are ``S2`` indices, the interaction map.

    Examples
    --------
    >>> import kurilsim
    >>> from kurilsim.analysis.sensitivity import sensitivity
    >>> hunt = kurilsim.load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: catches
    >>> figure = sensitivity_figure(sensitivity(hunt, "payoff:A", samples=64))
    >>> len(figure.axes)  # the bars, the S2 map and its colour bar
    3
    """
    size = len(result.indices)
    if result.second_order is None:
        return index_bars(result)
    figure = Figure(figsize=(8.0 + 0.4 * size, 1.5 + 0.4 * size), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=(1.2, 1.0))
    index_bars(result, ax=left)
    interaction_map(result, ax=right)
    return figure


register_figure(Sensitivity, "indices", index_bars)
register_figure(Sensitivity, "interactions", interaction_map)
