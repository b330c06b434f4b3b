"""Figures of a calibration: marginal posteriors against priors, pairs, each era's record.

Examples
--------
>>> import kurilsim
>>> fit = kurilsim.calibrate([kurilsim.load_scenario("scenarios/era_1983.yaml")],
...                          walkers=4, steps=4, seed=1)
>>> marginals(fit).axes[0].get_title()
'precision'
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.analysis.calibration import Calibration
from kurilsim.presentation.common import figure_of

#: Bins of each marginal histogram.
BINS = 30
POSTERIOR = "#1F77B4"
PRIOR = "#7F7F7F"


def _grid(ax: Axes | None, panels: int, size: float = 2.6) -> tuple[Figure, list[Axes]]:
    """A figure with ``panels`` axes in rows of three, or the one axes given."""
    if ax is not None:
        return figure_of(ax), [ax]
    columns = min(3, panels)
    rows = math.ceil(panels / columns)
    figure = Figure(figsize=(size * 1.4 * columns, size * rows), layout="constrained")
    axes = [figure.add_subplot(rows, columns, k + 1) for k in range(panels)]
    return figure, axes


def marginals(result: Calibration, ax: Axes | None = None, seed: int = 0) -> Figure:
    """Each calibrated quantity's posterior histogram over its prior's (precision: log axis).

    A posterior no narrower than its prior means the history says nothing about that quantity.
    """
    figure, axes = _grid(ax, len(result.names) if ax is None else 1)
    rng = np.random.default_rng(seed)
    for k, (target, prior) in enumerate(zip(axes, result.priors, strict=False)):
        draws = result.samples[:, k]
        prior_draws = prior.sample(rng, 20_000)
        log = prior.kind == "log-uniform"
        edges = (
            np.geomspace(prior.low, prior.high, BINS + 1)
            if log
            else np.linspace(prior.low, prior.high, BINS + 1)
        )
        # Shares per bin, the bins equal on the quantity's own scale (log for the precision),
        # so that a flat prior looks flat.
        for sample, colour, alpha, label in (
            (prior_draws, PRIOR, 0.35, "prior"),
            (draws, POSTERIOR, 0.7, "posterior"),
        ):
            share = np.full(len(sample), 1 / len(sample))
            target.hist(
                sample, edges.tolist(), weights=share, color=colour, alpha=alpha, label=label
            )
        if log:
            target.set_xscale("log")
        target.set_title(prior.name)
        target.set_yticks([])
        if k == 0:
            target.legend(fontsize="small")
    return figure


def pairs(result: Calibration, ax: Axes | None = None) -> Figure:
    """Posterior draws of each pair of calibrated quantities, one scatter per pair."""
    names = result.names
    pairs_ = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))] or [(0, 0)]
    figure, axes = _grid(ax, len(pairs_) if ax is None else 1, size=2.4)
    for target, (i, j) in zip(axes, pairs_, strict=False):
        target.scatter(result.samples[:, i], result.samples[:, j], s=3, alpha=0.3, color=POSTERIOR)
        target.set_xlabel(names[i])
        target.set_ylabel(names[j])
        for axis, k in (("x", i), ("y", j)):
            if result.priors[k].kind == "log-uniform":
                getattr(target, f"set_{axis}scale")("log")
    return figure


def records(result: Calibration, ax: Axes | None = None) -> Figure:
    """Each era's posterior probability of its recorded outcome: median and 90% interval."""
    figure, (target,) = _grid(ax, 1, size=3.5) if ax is None else (figure_of(ax), [ax])
    summary = result.record_summary()
    draws = result.record_samples
    y = np.arange(len(result.eras))
    medians = np.nanmedian(draws, axis=0)
    low = [summary[e]["q05"] for e in result.eras]
    high = [summary[e]["q95"] for e in result.eras]
    target.hlines(y, low, high, color=POSTERIOR, linewidth=3, label="90% interval")
    target.plot(medians, y, "o", color="black", label="median")
    target.set_yticks(y, result.eras)
    target.set_xlim(0, 1)
    target.set_xlabel("posterior probability of the recorded outcome")
    target.set_title("Each era's record under the posterior")
    target.legend(fontsize="small", loc="lower right")
    return figure
