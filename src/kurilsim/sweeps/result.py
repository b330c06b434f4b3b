"""The result of a sweep: a tidy table and the record of how it was produced.

:class:`SweepResult` pairs a :class:`~kurilsim.sweeps.info.SweepInfo` with the table, one row per
(point, equilibrium), held in memory or read from a sweep file when first used;
:func:`read_sweep` opens a sweep file.
"""

from __future__ import annotations

import functools
import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kurilsim.core.arguments import check_path
from kurilsim.core.errors import InputError
from kurilsim.core.result import by_frequency, incomplete_points_text
from kurilsim.sweeps.info import SweepInfo
from kurilsim.sweeps.shares import share_columns
from kurilsim.sweeps.store import (
    SweepStore,
    format_of,
    head_rows,
    point_counts,
    read_table,
    with_unrecorded_reasons,
)

if TYPE_CHECKING:
    import pandas as pd

#: Regimes listed by :meth:`SweepResult.summary`; the rest are counted together.
SUMMARY_TOP = 10


@dataclass(frozen=True, eq=False)
class SweepResult:
    """A sweep's table, one row per (point, equilibrium), and how it was produced.

    Create one with :func:`kurilsim.sweep` or :func:`read_sweep`.

    The table's columns: ``point`` (the point's number), ``sample`` (the Monte Carlo draw, when
    there are samples), ``param.<name>`` for each parameter that varies, ``equilibrium`` (1, 2,
    ... within the point; 0 on the one row of a point with none), ``kind`` (``pure``, ``mixed``,
    ``subgame-perfect`` or ``none``), ``prob.<player>.<strategy>``, ``payoff.<player>``,
    ``max_regret``, ``label`` (the equilibrium's name), ``path`` (game trees only: the play the
    equilibrium leads to), ``regime`` (the names of every equilibrium at the point),
    ``complete`` (false where the method stopped at its bound) and ``incomplete_reason`` (why;
    see :attr:`incomplete_reasons`).

    Attributes
    ----------
    info
        How the sweep was produced.
    complete
        False when read from a sweep that has not finished: the table then holds the finished
        chunks only.
    path
        The sweep file the table is read from, if any.
    regimes
        The number of points in each regime, when counted as the sweep ran (so that its
        summary reads no table); otherwise counted from the table when needed.
    reasons
        The number of incomplete points for each reason, when counted as the sweep ran;
        otherwise counted with the regimes (see :attr:`incomplete_reasons`).

    Examples
    --------
    >>> import kurilsim
    >>> pennies = kurilsim.parse_scenario(
    ...     "{kurilsim: 1, title: Pennies, players: {Even: [H, T], Odd: [H, T]},"
    ...     " parameters: {w: {default: 1, range: [-1, 3], unit: coins, description: w,"
    ...     " assumption: e}}, payoff_table: [{profile: [H, H], payoffs: [w, -1]},"
    ...     " {profile: [H, T], payoffs: [-1, 1]}, {profile: [T, H], payoffs: [-1, 1]},"
    ...     " {profile: [T, T], payoffs: [1, -1]}]}")
    >>> result = kurilsim.sweep(pennies, {"w": (-1, 3, 5)})
    >>> result.points()
       point  param.w               regime
    0      0     -1.0      Even: T, Odd: H
    1      1      0.0  no pure equilibrium
    2      2      1.0  no pure equilibrium
    3      3      2.0  no pure equilibrium
    4      4      3.0  no pure equilibrium
    >>> result.shares()[["regime", "count", "share"]]
                    regime  count  share
    0  no pure equilibrium      4    0.8
    1      Even: T, Odd: H      1    0.2
    """

    info: SweepInfo
    data: pd.DataFrame | None = None
    complete: bool = True
    path: Path | None = None
    regimes: Mapping[str, int] | None = None
    reasons: Mapping[str, int] | None = None

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """The table (read from :attr:`path` on first use when not held in memory)."""
        if self.data is not None:
            return self.data
        assert self.path is not None  # one of the two is always given
        return read_table(self.path)

    def to_frame(self) -> pd.DataFrame:
        """The tidy table as a pandas DataFrame, one row per (point, equilibrium)."""
        return self.table.copy(deep=False)

    def points(self) -> pd.DataFrame:
        """One row per point: its number, the varied parameters and its regime."""
        columns = ["point", *(f"param.{name}" for name in self.varied), "regime"]
        if self.data is None and "table" not in self.__dict__:
            assert self.path is not None
            rows = read_table(self.path, columns)  # only these columns: far less memory
        else:
            rows = self.table[columns]
        return rows.drop_duplicates("point").reset_index(drop=True)

    @property
    def varied(self) -> tuple[str, ...]:
        """The parameters that vary from point to point, in the table's order."""
        spec = self.info.spec
        named = {axis.name for axis in spec.grid} | {name for name, _ in spec.fixed}
        sampled = [p.name for p in self.info.parameters if p.name not in named]
        return tuple(axis.name for axis in spec.grid) + (tuple(sampled) if spec.samples else ())

    def shares(self, level: float = 0.95, top: int | None = None) -> pd.DataFrame:
        """Share of points in each regime, with Wilson confidence intervals at ``level``.

        The intervals are over the Monte Carlo draws only: with a grid and samples, Wilson's
        with as many trials as draws, not points; a grid alone has no sampling interval
        (``NaN``). See :mod:`kurilsim.sweeps.shares`. A table not yet read from its file is
        counted a batch of rows at a time, so memory stays bounded however large the sweep.
        """
        import pandas as pd  # imported when used: the summary needs none

        return pd.DataFrame(self._share_columns(level, top))

    def _share_columns(self, level: float, top: int | None) -> dict[str, np.ndarray]:
        """The columns of :meth:`shares`, as numpy arrays."""
        spec = self.info.spec
        draws = (spec.samples if spec.grid else None) if spec.samples else 0
        return share_columns(self._regime_counts(), level, top, draws)

    def _regime_counts(self) -> Mapping[Any, int]:
        """The number of points in each regime."""
        if self.regimes is not None:
            return self.regimes
        if self._on_file:
            return self._file_counts[0]
        return dict(self.points()["regime"].value_counts(sort=False).items())

    @functools.cached_property
    def incomplete_reasons(self) -> Mapping[str, int]:
        """Why the answer is incomplete at some points: each reason and at how many points.

        The reasons are those of the ``incomplete_reason`` column
        (:attr:`kurilsim.core.result.Result.incomplete_reason`), most frequent first (as frequent
        ones by name: :func:`~kurilsim.core.result.by_frequency`); empty when the method
        finished at every point (a file of the first layout, which recorded only that a point
        was cut short, gives ``"reason not recorded"``). Counted as the sweep ran, or with the
        regimes in the one read of a sweep file that :meth:`summary` makes. Of an unfinished
        sweep (:attr:`complete` false), over its finished chunks only. The command line prints
        them in a warning line and exits with status 1.

        Examples
        --------
        >>> import kurilsim
        >>> tree = kurilsim.load_scenario("scenarios/sequence_1956.yaml")
        >>> cut = kurilsim.sweep(tree, {"carry_out_cost": (0, 0.6, 3)},
        ...                      options={"max_equilibria": 1})
        >>> cut.incomplete_reasons
        {'max_equilibria': 1}
        >>> print(cut.summary().splitlines()[-1])
        WARNING: incomplete at 1 of 3 points (max_equilibria: 1); equilibria may be missing there
        """
        counts: Mapping[Any, int]
        if self.reasons is not None:
            counts = self.reasons
        elif self._on_file:
            counts = self._file_counts[1]
        else:
            first = self.table.drop_duplicates("point")
            if "incomplete_reason" not in first:  # a file of the first layout: not why
                first = with_unrecorded_reasons(first)
            counts = dict(first["incomplete_reason"].value_counts(sort=False).items())
        return by_frequency(counts)

    @functools.cached_property
    def _file_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """The points of the sweep file by regime and by incomplete reason, in one read."""
        assert self.path is not None
        return point_counts(self.path, recorded=self.info.format >= 2)

    @property
    def _on_file(self) -> bool:
        """Whether the table is in a file and not (yet) in memory."""
        return self.data is None and "table" not in self.__dict__

    def summary(self) -> str:
        """A few lines: what was swept, how, and the share of points in each regime.

        A last line warns where the answer is incomplete at some points
        (:attr:`incomplete_reasons`).
        """
        info = self.info
        axes = " x ".join(f"{a.name} {a.start:g}..{a.stop:g} ({a.n})" for a in info.spec.grid)
        drawn = (
            f"{info.spec.samples:,} samples (seed {info.spec.seed})" if info.spec.samples else ""
        )
        what = ", ".join(part for part in (axes, drawn) if part)
        lines = [
            f"{info.title}",
            f"{info.n_points:,} points ({what}); method {info.method}"
            + ("" if self.complete else "; UNFINISHED: only the finished chunks are shown"),
        ]
        shares = self._share_columns(0.95, SUMMARY_TOP)
        for share, regime in zip(shares["share"], shares["regime"], strict=True):
            lines.append(f"  {share:7.1%}  {regime}")
        if self.incomplete_reasons:
            points = sum(self._regime_counts().values())
            text = incomplete_points_text(self.incomplete_reasons, points)
            lines.append(f"WARNING: {text}; equilibria may be missing there")
        return "\n".join(lines)

    def __repr__(self) -> str:
        state = "" if self.complete else ", unfinished"
        return (
            f"<SweepResult {self.info.title!r}: {self.info.n_points:,} points, "
            f"method {self.info.method}{state}>"
        )

    def _repr_html_(self) -> str:
        lines = html.escape(self.summary()).splitlines()
        if self._on_file:
            assert self.path is not None
            head = head_rows(self.path, 10).to_html(index=False)
        else:
            head = self.table.head(10).to_html(index=False)
        warning = f"<p><b>{lines[-1]}</b></p>" if self.incomplete_reasons else ""
        return (
            f"<pre>{lines[0]}\n{lines[1]}</pre>{warning}"
            + self.shares().to_html(index=False)
            + head
        )


def read_sweep(path: str | os.PathLike[str]) -> SweepResult:
    """Open a sweep file, finished or not; the table is read when first used.

    Parameters
    ----------
    path
        The ``--out`` path of a sweep. If the sweep has not finished, the finished chunks in
        ``PATH.parts/`` are read and the result says ``complete=False``.

    Raises
    ------
    ArgumentTypeError
        If ``path`` is not a path.
    InputError
        If there is no sweep at ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import kurilsim
    >>> pennies = kurilsim.parse_scenario(
    ...     "{kurilsim: 1, title: Pennies, players: {Even: [H, T], Odd: [H, T]},"
    ...     " parameters: {w: {default: 1, range: [-1, 3], unit: coins, description: w,"
    ...     " assumption: e}}, payoff_table: [{profile: [H, H], payoffs: [w, -1]},"
    ...     " {profile: [H, T], payoffs: [-1, 1]}, {profile: [T, H], payoffs: [-1, 1]},"
    ...     " {profile: [T, T], payoffs: [1, -1]}]}")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "pennies.parquet"
    ...     _ = kurilsim.sweep(pennies, {"w": (-1, 3, 5)}, out=path)
    ...     result = read_sweep(path)
    ...     print(result.info.spec.grid[0], result.complete, len(result.to_frame()))
    GridAxis(name='w', start=-1.0, stop=3.0, n=5) True 5
    """
    file = Path(check_path("path", path))
    store = SweepStore(file, format_of(file))
    info = store.stored_info()
    if info is None:
        raise InputError("no such sweep file", file=str(file))
    return SweepResult(info, complete=file.exists(), path=file)
