"""Tipping points: how far each parameter can move from its default before the equilibria change.

For each parameter, the others held at their defaults (or at fixed values), the regime (the set of
equilibria the form's sweep method finds: pure Nash equilibria in the normal form, subgame-perfect
plays in a tree, the deals of the bargaining solutions, a conflict's SEQ equilibria) is computed
along the parameter's declared range on a fine grid, downwards and upwards from the default. The
first grid value where the set differs brackets the tipping point, which bisection then locates to
within about 1e-12 of the range. Regimes are compared as the user reads them: as the set of the
names of the equilibria at a point, so two sets of equilibria with the same names (two profiles a
``labels`` block names alike, or the same names in another order) are the same regime. The result
says, for each parameter and direction, the threshold, the regime it flips to, and the distance from
the default: the sensitivity (tornado) chart and the tipping-point table.

Every parameter is moved in the same numpy calls: row ``r`` of a batch holds the defaults except
for the one parameter it moves.

The scan sees changes that last at least one grid step; a region narrower than
``(high - low) / (resolution - 1)`` can be missed.

A threshold rests on every point solved to find it: where the sweep method stopped short at one
(a bound reached, a listing cut), an equilibrium may be missing on one side, so the result counts
those solves by reason (:attr:`TippingPoints.incomplete_reasons`) and its text warns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kurilsim.core.arguments import (
    check_instance,
    check_int,
    check_mapping,
    check_names,
    check_real,
    check_solver_options,
)
from kurilsim.core.display import html_heading, html_table
from kurilsim.core.errors import InputError
from kurilsim.core.option_defaults import DEFAULT_MAX_MEMORY, DEFAULT_RESOLUTION, MIN_RESOLUTION
from kurilsim.core.parameters import unknown_parameter
from kurilsim.core.result import incomplete_points_text, reason_counts
from kurilsim.core.scenario import Scenario
from kurilsim.core.sweep_rows import point_reasons
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance
from kurilsim.sweeps.engine import chunk_size_for

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Grid values at most for a form whose games are solved one at a time (bargaining, conflicts).
SOLVED_ALONE_RESOLUTION = 101
#: Bisection steps: each halves the bracket, so 40 narrow it to about 1e-12 of the range.
BISECTION_STEPS = 40


@dataclass(frozen=True, eq=False)
class TippingPoints:
    """The tipping points of a scenario around its defaults.

    Attributes
    ----------
    title
        The scenario's title.
    baseline
        The regime (the equilibria the form's sweep method finds) at the defaults.
    table
        One row per parameter and direction; see :func:`tipping_points`.
    tol
        The solver's relative tolerance: thresholds are exact only to within it.
    players, strategies, labels
        A normal-form scenario's players, strategies and the texts of its ``labels`` block,
        which name its regimes (so that a figure colours them as a regime map of the scenario
        does); empty for other forms.
    evaluations
        Points solved to find the table: the defaults, the scan, the bisection and the regimes
        read past the thresholds.
    incomplete_reasons
        Why the answer is incomplete at some of those points: each reason
        (:attr:`kurilsim.core.result.Result.incomplete_reason`) and at how many points, most
        frequent first; empty when the sweep method finished at every point (:attr:`complete`).
    """

    title: str
    baseline: str
    table: pd.DataFrame
    tol: float = DEFAULT_TOL
    players: tuple[str, ...] = ()
    strategies: tuple[tuple[str, ...], ...] = ()
    labels: tuple[str, ...] = ()
    evaluations: int = 0
    incomplete_reasons: Mapping[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether the sweep method finished at every point solved."""
        return not self.incomplete_reasons

    def incomplete_text(self) -> str:
        """At how many points the answer is incomplete, and why ("" when complete everywhere).

        Examples
        --------
        >>> table = pd.DataFrame()
        >>> TippingPoints("t", "b", table, evaluations=48,
        ...               incomplete_reasons={"max_equilibria": 3}).incomplete_text()
        'incomplete at 3 of 48 points (max_equilibria: 3)'
        """
        return incomplete_points_text(self.incomplete_reasons, self.evaluations)

    def _warning(self) -> list[str]:
        """The warning line where some point's answer is incomplete; none otherwise."""
        if self.complete:
            return []
        return [f"WARNING: {self.incomplete_text()}; tipping points may be off"]

    def to_frame(self) -> pd.DataFrame:
        """The tipping-point table as a pandas DataFrame."""
        return self.table.copy(deep=False)

    def readable_thresholds(self) -> pd.Series:
        """The thresholds rounded for reading: within ``tol`` of 0 or of a range end, that value.

        Bisection and the solver's tolerance leave a threshold that is really 0 or an end of
        the range a few ``tol`` away from it; the table (and JSON) keep the exact value, text
        and figures show this one. ``tol`` is relative to the larger of 1 and the range ends'
        magnitudes.

        Examples
        --------
        >>> table = pd.DataFrame({"threshold": [5e-10, 1.9999999996, 0.3, np.nan],
        ...                       "low": [-1.0, -1.0, 0, 0], "high": [2.0, 2.0, 1, 1]})
        >>> TippingPoints("t", "b", table).readable_thresholds().tolist()
        [0.0, 2.0, 0.3, nan]
        """
        exact, low, high = (self.table[c].astype(float) for c in ("threshold", "low", "high"))
        window = self.tol * np.maximum(1.0, np.maximum(low.abs(), high.abs()))
        readable = exact.copy()
        for value in (high, low, 0.0):  # the last that applies wins: 0 before a range end
            readable = readable.mask((exact - value).abs() <= window, value)
        return readable

    def to_text(self) -> str:
        """The table as plain text, nearest tipping points first."""
        lines = [self.title, f"at the defaults: {self.baseline}"]
        rows = self.table.assign(readable=self.readable_thresholds())
        rows = rows.sort_values("share", kind="stable")
        for row in rows[rows["threshold"].notna()].itertuples():
            lines.append(
                f"  {row.parameter} {row.direction} from {row.default:g} to {row.readable:.4g} "
                f"({row.share:.0%} of its range): {row.flips_to}"
            )
        steady = rows[rows["threshold"].isna()]
        if len(steady):
            moves = ", ".join(f"{r.parameter} {r.direction}" for r in steady.itertuples())
            lines.append(f"no change anywhere in the range: {moves}")
        return "\n".join(lines + self._warning())

    def _repr_html_(self) -> str:
        """The table, nearest tipping points first, under the regime at the defaults."""
        rows = self.table.assign(readable=self.readable_thresholds())
        rows = rows.sort_values("share", kind="stable", na_position="last")
        body = [
            [
                str(row["parameter"]),
                str(row["direction"]),
                f"{row['default']:g}",
                "none in range" if pd.isna(row["threshold"]) else f"{row['readable']:.4g}",
                "" if pd.isna(row["share"]) else f"{row['share']:.0%}",
                "" if pd.isna(row["threshold"]) else str(row["flips_to"]),
            ]
            for row in rows.to_dict("records")
        ]
        head = [html_heading(self.title, f"at the defaults: {self.baseline}")]
        head += [html_heading(line) for line in self._warning()]
        return "".join(head) + html_table(
            ["parameter", "direction", "default", "tipping point", "share of range", "flips to"],
            body,
        )

    def __repr__(self) -> str:
        found = int(self.table["threshold"].notna().sum())
        return f"<TippingPoints {self.title!r}: {found} of {len(self.table)} moves tip>"


def tipping_points(
    scenario: Scenario,
    parameters: Sequence[str] | None = None,
    fixed: Mapping[str, float] | None = None,
    resolution: int = DEFAULT_RESOLUTION,
    tol: float = DEFAULT_TOL,
    options: Mapping[str, Any] | None = None,
) -> TippingPoints:
    """Find how far each parameter can move from its default before the equilibria change.

    Parameters
    ----------
    scenario
        The scenario.
    parameters
        The parameters to move; every parameter not in ``fixed`` by default.
    fixed
        Values of other parameters held throughout instead of their defaults.
    resolution
        Grid values along each parameter's range in the scan (at least :data:`MIN_RESOLUTION`).
    tol
        Relative tolerance of the solver.
    options
        Options of the form's sweep method, as :func:`kurilsim.sweep` takes them: for a game
        tree, the bounds of the listing at a tied point (``max_equilibria``, ``max_seconds``).

    Returns
    -------
    TippingPoints
        Its table has one row per parameter and direction (``down``, ``up``): ``parameter``,
        ``unit``, ``default`` (the value moved from), ``low`` and ``high`` (the declared range),
        ``direction``, ``threshold`` (NaN when nothing changes within the range), ``flips_to``
        (the regime just past the threshold), ``distance`` (from the default to the threshold,
        in the parameter's unit) and ``share`` (the distance as a share of the range).

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For an unknown parameter or a value outside its range, no parameter to move, or an
        option the form's sweep method does not take.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> hunt = load_scenario("scenarios/textbook/stag_hunt.yaml")  # stag, hare: the catches
    >>> table = tipping_points(hunt).to_frame()
    >>> table[["parameter", "direction", "threshold", "flips_to"]].round(6)
      parameter direction  threshold          flips_to
    0      stag      down        1.0  A: hare, B: hare
    1      stag        up        NaN               NaN
    2      hare      down        NaN               NaN
    3      hare        up        NaN               NaN
    """
    check_instance("scenario", scenario, Scenario, "a Scenario")
    parameters = check_names("parameters", parameters, optional=True)
    fixed = check_mapping("fixed", fixed, check_real)
    resolution = check_int("resolution", resolution, minimum=MIN_RESOLUTION)
    check_tolerance(tol)
    options = check_solver_options(check_mapping("options", options))
    base = scenario.parameter_values(fixed)
    names = list(scenario.parameters if parameters is None else parameters)
    for name in names:
        if name not in scenario.parameters:
            raise unknown_parameter(name, scenario.parameters)
    moved, start, towards = [], [], []
    for name in names:
        low, high = scenario.parameters[name].range
        if name not in (fixed or {}) and high > low:
            moved += [name, name]
            start += [float(base[name])] * 2
            towards += [low, high]
    if not moved:
        raise InputError(
            "no parameter to move: the scenario has none"
            if not scenario.parameters
            else "no parameter to move: each is fixed or has an empty range",
            file=scenario.source,
        )
    method = scenario.form.sweep_method(scenario, None, tol, options)
    if not scenario.form.vectorised:
        resolution = min(resolution, SOLVED_ALONE_RESOLUTION)
    # As many rows at once as a sweep's chunk holds under its memory limit.
    batches = _Batches(chunk_size_for(scenario, method, None, DEFAULT_MAX_MEMORY))
    regimes, keys, at_base = _regimes(
        scenario, base, [], np.empty(0), method, tol, options, batches, at_base=True
    )
    baseline = str(regimes[0])
    thresholds, flips, beyond_base = _first_changes(
        scenario,
        base,
        moved,
        np.array(start),
        np.array(towards),
        resolution,
        method,
        tol,
        options,
        keys[0],
        batches,
    )
    reasons = np.concatenate([at_base, beyond_base])
    rows = []
    for k, name in enumerate(moved):
        low, high = scenario.parameters[name].range
        distance = abs(thresholds[k] - start[k])
        rows.append(
            {
                "parameter": name,
                "unit": scenario.parameters[name].unit,
                "default": start[k],
                "low": low,
                "high": high,
                "direction": "down" if k % 2 == 0 else "up",
                "threshold": thresholds[k],
                "flips_to": flips[k],
                "distance": distance,
                "share": distance / (high - low),
            }
        )
    columns = [
        "parameter",
        "unit",
        "default",
        "low",
        "high",
        "direction",
        "threshold",
        "flips_to",
        "distance",
        "share",
    ]
    normal = scenario.form.name == "normal"
    return TippingPoints(
        scenario.title,
        baseline,
        pd.DataFrame(rows, columns=columns),
        tol,
        scenario.players if normal else (),
        scenario.strategies if normal else (),
        scenario.labels if normal else (),
        evaluations=len(reasons),
        incomplete_reasons=reason_counts(reasons.tolist()),
    )


@dataclass
class _Batches:
    """How many points to solve at once, so that their rows fit a sweep's chunk.

    A sweep's chunk holds ``rows`` rows under its memory limit, at one row per point. A point
    with ties has a row per equilibrium (thousands in a tied tree), so a batch has as many
    points as ``rows`` holds at the most rows a point of the scan has had so far. The scan starts
    at the defaults, solved alone, and moves away from them, so ties there bound every batch;
    ties first met further on can still fill one batch before they bound the next.
    """

    rows: int
    per_point: int = 1

    def size(self) -> int:
        """Points in the next batch."""
        return max(1, self.rows // self.per_point)

    def saw(self, game: NDArray[np.int64]) -> None:
        """Note the rows of a batch solved, ``game`` the point of each."""
        if game.size:
            self.per_point = max(self.per_point, int(np.bincount(game).max()))


def _regimes(
    scenario: Scenario,
    base: Mapping[str, Any],
    moved: Sequence[str],
    values: FloatArray,
    method: str,
    tol: float,
    options: Mapping[str, Any],
    batches: _Batches,
    at_base: bool = False,
) -> tuple[NDArray[np.object_], NDArray[np.object_], NDArray[np.object_]]:
    """The regime at each row (row ``r`` moves ``moved[r]`` to ``values[r]``), key and reason.

    With ``at_base``, one row: every parameter at ``base``. The key is the regime as the user
    reads it, the sorted set of the names of its equilibria: compare keys, show regimes. The
    reason is why the row's answer is incomplete (None where it is complete). Points are solved
    in ``batches``, which learns from each the rows a point has.
    """
    out, keys, reasons = [], [], []
    size = 1 if at_base else len(moved)
    first = 0
    while first < size:
        rows = slice(first, first + batches.size())
        first = rows.stop
        if at_base:
            batch = {n: np.array([float(v)]) for n, v in base.items()}
        else:
            names, x = np.asarray(moved[rows]), values[rows]
            batch = {n: np.where(names == n, x, v) for n, v in base.items()}
        solved = scenario.form.sweep_rows(scenario, batch, method, tol, options)
        batches.saw(solved.game)
        points, first_rows = np.unique(solved.game, return_index=True)  # one regime per point
        regimes = solved.columns["regime"]
        if isinstance(regimes, list):
            regimes = np.asarray(regimes, dtype=object)
        # Taken before any conversion: a tied point's regime, long, is on each of its rows.
        out.append(np.asarray(regimes.take(first_rows), dtype=object))
        seen: dict[int, set[str]] = {int(point): set() for point in points}
        labels = np.asarray(solved.columns["label"], dtype=object)
        for point, label in zip(solved.game.tolist(), labels.tolist(), strict=True):
            seen[point].add(str(label))
        keys.append(np.array(["\x1f".join(sorted(seen[int(p)])) for p in points], dtype=object))
        why = solved.columns["incomplete_reason"].to_pylist()
        reasons.append(point_reasons(solved.game, why, int(points.max()) + 1)[points])
    if not out:
        return (np.empty(0, dtype=object),) * 3
    return np.concatenate(out), np.concatenate(keys), np.concatenate(reasons)


def _first_changes(
    scenario: Scenario,
    base: Mapping[str, Any],
    moved: Sequence[str],
    start: FloatArray,
    towards: FloatArray,
    resolution: int,
    method: str,
    tol: float,
    options: Mapping[str, Any],
    baseline: str,
    batches: _Batches,
) -> tuple[FloatArray, list[str | None], NDArray[np.object_]]:
    """For each parameter and direction: the first change of equilibria, and the new regime.

    ``baseline`` is the key of the regime at the defaults (see :func:`_regimes`, which solves the
    points in ``batches``). Also returns why the answer at each point solved is incomplete (None
    where it is complete).
    """
    # Scan: the grid values strictly beyond the start, nearest first.
    scan_names, scan_values, owner = [], [], []
    for k, name in enumerate(moved):
        grid = np.linspace(min(start[k], towards[k]), max(start[k], towards[k]), resolution)
        grid = grid[grid > start[k]] if towards[k] > start[k] else grid[grid < start[k]][::-1]
        scan_names += [name] * grid.size
        scan_values.append(grid)
        owner += [k] * grid.size
    values = np.concatenate(scan_values) if scan_values else np.empty(0)
    owners = np.asarray(owner, dtype=np.int64)
    _, keys, why = _regimes(scenario, base, scan_names, values, method, tol, options, batches)
    changed, reasons = keys != baseline, [why]
    same, differ = start.copy(), np.full(len(moved), np.nan)
    for k in range(len(moved)):
        hits = np.flatnonzero(changed & (owners == k))
        if hits.size:
            differ[k] = values[hits[0]]
            if hits[0] > 0 and owners[hits[0] - 1] == k:
                same[k] = values[hits[0] - 1]
    # Bisection on every bracket at once.
    open_ = [k for k in range(len(moved)) if not np.isnan(differ[k])]
    names = [moved[k] for k in open_]
    low, high = same[open_], differ[open_]
    for _ in range(BISECTION_STEPS):
        middle = (low + high) / 2
        _, keys, why = _regimes(scenario, base, names, middle, method, tol, options, batches)
        moved_on = keys != baseline
        reasons.append(why)
        high = np.where(moved_on, middle, high)
        low = np.where(moved_on, low, middle)
    thresholds = np.full(len(moved), np.nan)
    thresholds[open_] = (low + high) / 2
    # The new equilibria are read one grid step past the threshold: right at it, the old and
    # the new ones tie within the tolerance.
    step = (towards[open_] - start[open_]) / (resolution - 1)
    ends = np.minimum(start, towards)[open_], np.maximum(start, towards)[open_]
    beyond = np.clip(thresholds[open_] + step, *ends)
    after, _, why = _regimes(scenario, base, names, beyond, method, tol, options, batches)
    flips: list[str | None] = [None] * len(moved)
    for row, k in enumerate(open_):
        flips[k] = str(after[row])
    return thresholds, flips, np.concatenate([*reasons, why])
