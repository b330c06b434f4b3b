"""Shares of outcomes over the points of a sweep, with confidence intervals.

Over Monte Carlo samples, the share of points in a regime estimates the probability of that
regime under the parameters' distributions. The interval is Wilson's score interval (Wilson
1927; Brown, Cai and DasGupta 2001), which stays inside [0, 1] and behaves well for shares near
0 or 1 and for few samples, unlike the normal approximation.

Only the draws are a sample; a grid is not, so the interval is over the draws alone:

- samples only: each point is one independent draw, and the interval is Wilson's over them;
- a grid and samples: every grid point gets the same ``S`` draws (common random numbers), so the
  points are not independent. The share of points in a regime is the mean over the ``S`` draws
  of the share of grid points in that regime at each draw: a mean of ``S`` independent numbers
  in [0, 1], whose variance is at most that of ``S`` Bernoulli trials with the same mean. The
  interval is Wilson's with ``S`` trials, conservative, whatever the number of grid points;
- a grid only: the shares describe the grid and no sampling interval applies (``NaN``).
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def wilson_interval(
    successes: np.ndarray, trials: int, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for binomial proportions ``successes / trials``.

    Examples
    --------
    >>> low, high = wilson_interval(np.array([0, 50]), 100)
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.0, 0.404], [0.037, 0.596])

    The interval always holds the observed share, also where rounding would put it outside:

    >>> wilson_interval(np.array([51]), 51)[1].tolist()
    [1.0]
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    p = successes / trials
    centre = (p + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / (1 + z**2 / trials)
    return np.clip(centre - half, 0, p), np.clip(centre + half, p, 1)


def outcome_shares(
    outcomes: pd.Series, level: float = 0.95, top: int | None = None, draws: int | None = None
) -> pd.DataFrame:
    """Share of each distinct outcome among ``outcomes``, most frequent first, with intervals.

    Parameters
    ----------
    outcomes
        One outcome (e.g. the regime) per point.
    level
        Confidence level of the intervals.
    top
        Keep the ``top`` most frequent outcomes and count the rest as one row,
        ``"other (K outcomes)"``; all by default.
    draws
        The independent Monte Carlo draws behind the outcomes: ``None`` when each outcome is one
        (samples only), ``S`` when every grid point has the same ``S`` draws, ``0`` for a grid
        without samples (see the module's docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``regime``, ``count``, ``share``, ``low``, ``high`` (``NaN`` without draws).

    Examples
    --------
    >>> import pandas as pd
    >>> outcome_shares(pd.Series(["A", "B", "A", "A", "C"]), top=1).round(2)
                   regime  count  share   low  high
    0                   A      3    0.6  0.23  0.88
    1  other (2 outcomes)      2    0.4  0.12  0.77

    The same five points as a grid: no sampling interval applies.

    >>> outcome_shares(pd.Series(["A", "B", "A", "A", "C"]), top=1, draws=0).round(2)
                   regime  count  share  low  high
    0                   A      3    0.6  NaN   NaN
    1  other (2 outcomes)      2    0.4  NaN   NaN
    """
    return shares_of_counts(outcomes.value_counts(sort=False), level, top, draws)


def shares_of_counts(
    counts: pd.Series, level: float = 0.95, top: int | None = None, draws: int | None = None
) -> pd.DataFrame:
    """As :func:`outcome_shares`, from the number of points of each outcome (indexed by it).

    Examples
    --------
    >>> import pandas as pd
    >>> shares_of_counts(pd.Series({"B": 1, "A": 3}))[["regime", "count", "share"]]
      regime  count  share
    0      A      3   0.75
    1      B      1   0.25
    """
    import pandas as pd  # imported when used: a sweep's summary needs none

    counted = dict(zip(counts.index, counts.to_numpy(), strict=True))
    return pd.DataFrame(share_columns(counted, level, top, draws))


def share_columns(
    counts: Mapping[Any, int], level: float = 0.95, top: int | None = None, draws: int | None = None
) -> dict[str, np.ndarray]:
    """As :func:`shares_of_counts`, from a mapping, the table's columns as numpy arrays.

    Examples
    --------
    >>> columns = share_columns({"B": 1, "A": 3})
    >>> columns["regime"].tolist(), columns["share"].tolist()
    (['A', 'B'], [0.75, 0.25])
    """
    names = np.empty(len(counts), dtype=object)
    names[:] = list(counts)
    number = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    order = np.lexsort((names.astype(str), -number))
    names, number = names[order], number[order]
    if top is not None and len(counts) > top:
        rest = len(counts) - top
        names = np.append(names[:top], f"other ({rest} outcome{'s' if rest > 1 else ''})")
        number = np.append(number[:top], number[top:].sum())
    total = int(number.sum())
    share = number / total
    if draws == 0:
        low = high = np.full(len(number), np.nan)
    else:
        trials = total if draws is None else min(draws, total)
        low, high = wilson_interval(share * trials, trials, level)
    return {"regime": names, "count": number, "share": share, "low": low, "high": high}
