"""Monte Carlo outcome shares: how often each regime occurs under the parameters' distributions."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.presentation.common import OTHER, RegimeStyle, new_axes, regime_styles, wrap
from kurilsim.sweeps.result import SweepResult


def shares_chart(
    result: SweepResult,
    level: float = 0.95,
    top: int = 10,
    ax: Axes | None = None,
    width: int = 110,
) -> Figure:
    """Share of points in each regime, most frequent on top, with confidence intervals.

    Each regime is drawn as in the regime map and the tornado chart of its scenario
    (:func:`~kurilsim.presentation.common.regime_styles`).

    Parameters
    ----------
    result
        Any sweep; each point counts once (with samples, the shares estimate probabilities).
    level
        Confidence level of the Wilson intervals drawn as error bars, over the Monte Carlo
        draws only (see :mod:`kurilsim.sweeps.shares`); a grid without samples has none.
    top
        Regimes shown; the rest are counted together as one bar.
    ax
        Axes to draw on; a new figure by default.
    width
        Characters per line of the regime names, written above their bars.

    Examples
    --------
    >>> import kurilsim
    >>> hunt = kurilsim.parse_scenario(
    ...     "{kurilsim: 1, title: Stag hunt, players: {A: [stag, hare], B: [stag, hare]},"
    ...     " parameters: {stag: {default: 4, range: [0, 10], unit: meals, description: s,"
    ...     " assumption: e}, hare: {default: 1, range: [0, 3], unit: meals, description: h,"
    ...     " assumption: e}}, payoff_table: [{profile: [stag, stag], payoffs: [stag, stag]},"
    ...     " {profile: [stag, hare], payoffs: [0, hare]}, {profile: [hare, stag],"
    ...     " payoffs: [hare, 0]}, {profile: [hare, hare], payoffs: [hare, hare]}]}")
    >>> result = kurilsim.sweep(hunt, samples=500, seed=1)
    >>> ax = shares_chart(result).axes[0]
    >>> [t.get_text() for t in ax.texts]
    ['A: stag, B: stag or A: hare, B: hare: 85.0%', 'A: hare, B: hare: 15.0%']
    """
    shares = result.shares(level, top)
    names = [wrap(name, width) for name in shares["regime"]]
    lines = sum(name.count("\n") + 1 for name in names)
    figure, ax = new_axes(ax, size=(9.0, 1.6 + 0.45 * len(shares) + 0.2 * lines))
    positions = list(range(len(shares)))[::-1]
    sampled = bool(shares["low"].notna().all())
    bars = ax.barh(
        positions,
        shares["share"],
        height=0.35,
        xerr=[shares["share"] - shares["low"], shares["high"] - shares["share"]]
        if sampled
        else None,
        capsize=3,
    )
    info = result.info
    styles = regime_styles(shares["regime"].tolist(), info.players, info.strategies, info.labels)
    for k, (bar, style, regime) in enumerate(zip(bars, styles, shares["regime"], strict=True)):
        # Each regime as in the regime map; the regimes beyond ``top``, counted together, grey.
        lumped = k == top and str(regime).startswith("other (")
        bar.set(**(RegimeStyle(OTHER) if lumped else style).patch())
    for y, name, share in zip(positions, names, shares["share"], strict=True):
        ax.text(0, y + 0.22, f"{name}: {share:.1%}", va="bottom", fontsize="small")
    ax.set_yticks([])
    ax.set_ylim(-0.5, len(shares) - 0.5 + 0.3)
    ax.set_xlim(0, 1)
    ax.set_xlabel(_counted(result, int(shares["count"].sum()), level, sampled))
    ax.set_title(wrap(f"Outcome shares: {result.info.title}", 80), fontsize="medium")
    return figure


def _counted(result: SweepResult, points: int, level: float, sampled: bool) -> str:
    """What the shares are of, and what the error bars mean (see :mod:`kurilsim.sweeps.shares`)."""
    spec = result.info.spec
    drawn = f"{spec.samples:,} draws (seed {spec.seed})"
    if not spec.grid:
        return f"share of {drawn}; {level:.0%} Wilson interval"
    grid = f"{points // max(spec.samples, 1):,} grid points"
    if not sampled:
        return f"share of {grid}: a grid is not a sample, no interval applies"
    return f"share of {grid} x {drawn}; {level:.0%} Wilson interval over the draws only"
