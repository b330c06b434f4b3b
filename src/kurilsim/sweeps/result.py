"""The result of a sweep: a tidy table and the record of how it was produced.

:class:`SweepInfo` records everything needed to reproduce a sweep (the scenario's content hash,
the kurilsim version, the method, tolerance and options, the points and the seed); it is written
into the metadata of every sweep file. :class:`SweepResult` pairs it with the table, one row per
(point, equilibrium), held in memory or read from a sweep file when first used.
"""

from __future__ import annotations

import functools
import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kurilsim.core.version import __version__
from kurilsim.forms.extensive.scenario import ExtensiveScenario
from kurilsim.forms.normal.scenario import Scenario
from kurilsim.sweeps.shares import outcome_shares, shares_of_counts
from kurilsim.sweeps.spec import GridAxis, SweepSpec
from kurilsim.sweeps.trees import plan_names

#: Version of the metadata layout written into sweep files.
METADATA_FORMAT = 1
#: Regimes listed by :meth:`SweepResult.summary`; the rest are counted together.
SUMMARY_TOP = 10


def scenario_hash(scenario: Scenario | ExtensiveScenario) -> str:
    """SHA-256 of the scenario's validated content; comments and layout of the file do not count.

    Examples
    --------
    >>> from kurilsim import parse_scenario
    >>> a = parse_scenario(
    ...     "{kurilsim: 1, title: t, players: {A: [x], B: [y]}, payoffs: {A: 1, B: 0}}")
    >>> b = parse_scenario('''
    ... kurilsim: 1  # the same content, written otherwise
    ... title: t
    ... players: {A: [x], B: [y]}
    ... payoffs: {A: 1, B: 0}
    ... ''')
    >>> scenario_hash(a) == scenario_hash(b)
    True
    """
    return hashlib.sha256(scenario.spec.model_dump_json().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ParameterInfo:
    """A parameter as the sweep's plots need it: default, range and unit."""

    name: str
    default: float
    low: float
    high: float
    unit: str


@dataclass(frozen=True)
class SweepInfo:
    """How a sweep was produced; enough to reproduce any row of its table.

    Attributes
    ----------
    title, source, scenario_hash
        The scenario's title, where it was read from, and :func:`scenario_hash`.
    version
        The kurilsim version that produced the sweep.
    method, tol, options
        The solution method, relative tolerance and method options.
    spec
        The grid, samples, seed and fixed parameters.
    chunk_size
        Points per chunk.
    players, strategies
        The game's players and strategy names (for a game tree, each player's plans: the
        strategies of its reduced normal form).
    parameters
        Every parameter of the scenario, with default, range and unit.
    """

    title: str
    source: str
    scenario_hash: str
    version: str
    method: str
    tol: float
    options: tuple[tuple[str, Any], ...]
    spec: SweepSpec
    chunk_size: int
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    parameters: tuple[ParameterInfo, ...]

    @property
    def n_points(self) -> int:
        """The number of points."""
        return self.spec.size

    @property
    def n_chunks(self) -> int:
        """The number of chunks."""
        return -(-self.spec.size // self.chunk_size)

    def parameter(self, name: str) -> ParameterInfo:
        """The named parameter's default, range and unit."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def identity(self) -> dict[str, Any]:
        """What two runs must share for one to complete the other (``--resume``)."""
        record = self.to_dict()
        return {
            k: record[k]
            for k in ("version", "scenario_hash", "method", "tol", "options", "spec", "chunk_size")
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; :meth:`from_dict` reads it back."""
        return {
            "format": METADATA_FORMAT,
            "title": self.title,
            "source": self.source,
            "scenario_hash": self.scenario_hash,
            "version": self.version,
            "method": self.method,
            "tol": self.tol,
            "options": dict(self.options),
            "spec": self.spec.to_dict(),
            "chunk_size": self.chunk_size,
            "players": {p: list(s) for p, s in zip(self.players, self.strategies, strict=True)},
            "parameters": {
                p.name: {"default": p.default, "range": [p.low, p.high], "unit": p.unit}
                for p in self.parameters
            },
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> SweepInfo:
        """Read a dictionary written by :meth:`to_dict`."""
        spec = record["spec"]
        return cls(
            title=record["title"],
            source=record["source"],
            scenario_hash=record["scenario_hash"],
            version=record["version"],
            method=record["method"],
            tol=record["tol"],
            options=tuple(record["options"].items()),
            spec=SweepSpec(
                grid=tuple(GridAxis(**axis) for axis in spec["grid"]),
                samples=spec["samples"],
                seed=spec["seed"],
                fixed=tuple(spec["fixed"].items()),
            ),
            chunk_size=record["chunk_size"],
            players=tuple(record["players"]),
            strategies=tuple(tuple(s) for s in record["players"].values()),
            parameters=tuple(
                ParameterInfo(name, p["default"], p["range"][0], p["range"][1], p["unit"])
                for name, p in record["parameters"].items()
            ),
        )

    @classmethod
    def of(
        cls,
        scenario: Scenario | ExtensiveScenario,
        spec: SweepSpec,
        method: str,
        tol: float,
        options: tuple[tuple[str, Any], ...],
        chunk_size: int,
    ) -> SweepInfo:
        """The record of sweeping ``scenario`` with these settings by this kurilsim."""
        return cls(
            title=scenario.title,
            source=scenario.source,
            scenario_hash=scenario_hash(scenario),
            version=__version__,
            method=method,
            tol=tol,
            options=options,
            spec=spec,
            chunk_size=chunk_size,
            players=scenario.players,
            strategies=(
                plan_names(scenario)
                if isinstance(scenario, ExtensiveScenario)
                else scenario.strategies
            ),
            parameters=tuple(
                ParameterInfo(name, p.default, p.range[0], p.range[1], p.unit)
                for name, p in scenario.parameters.items()
            ),
        )


@dataclass(frozen=True, eq=False)
class SweepResult:
    """A sweep's table, one row per (point, equilibrium), and how it was produced.

    Create one with :func:`kurilsim.sweep` or :func:`kurilsim.sweep.read_sweep`.

    The table's columns: ``point`` (the point's number), ``sample`` (the Monte Carlo draw, when
    there are samples), ``param.<name>`` for each parameter that varies, ``equilibrium`` (1, 2,
    ... within the point; 0 on the one row of a point with none), ``kind`` (``pure``, ``mixed``,
    ``subgame-perfect`` or ``none``), ``prob.<player>.<strategy>``, ``payoff.<player>``,
    ``max_regret``, ``label`` (the equilibrium's name), ``path`` (game trees only: the play the
    equilibrium leads to), ``regime`` (the names of every equilibrium at the point) and
    ``complete`` (false where the method stopped at its bound).

    Attributes
    ----------
    info
        How the sweep was produced.
    complete
        False when read from a sweep that has not finished: the table then holds the finished
        chunks only.
    path
        The sweep file the table is read from, if any.

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

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """The table (read from :attr:`path` on first use when not held in memory)."""
        if self.data is not None:
            return self.data
        from kurilsim.sweeps.store import read_table

        assert self.path is not None  # one of the two is always given
        return read_table(self.path)

    def to_frame(self) -> pd.DataFrame:
        """The tidy table as a pandas DataFrame, one row per (point, equilibrium)."""
        return self.table.copy(deep=False)

    def points(self) -> pd.DataFrame:
        """One row per point: its number, the varied parameters and its regime."""
        columns = ["point", *(f"param.{name}" for name in self.varied), "regime"]
        if self.data is None and "table" not in self.__dict__:
            from kurilsim.sweeps.store import read_table

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

        See :func:`kurilsim.sweeps.shares.outcome_shares`. A table not yet read from its file is
        counted a batch of rows at a time, so memory stays bounded however large the sweep.
        """
        if self._on_file:
            from kurilsim.sweeps.store import regime_counts

            assert self.path is not None
            return shares_of_counts(regime_counts(self.path), level, top)
        return outcome_shares(self.points()["regime"], level, top)

    @property
    def _on_file(self) -> bool:
        """Whether the table is in a file and not (yet) in memory."""
        return self.data is None and "table" not in self.__dict__

    def summary(self) -> str:
        """A few lines: what was swept, how, and the share of points in each regime."""
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
        for row in self.shares(top=SUMMARY_TOP).itertuples():
            lines.append(f"  {row.share:7.1%}  {row.regime}")
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
            from kurilsim.sweeps.store import head_rows

            assert self.path is not None
            head = head_rows(self.path, 10).to_html(index=False)
        else:
            head = self.table.head(10).to_html(index=False)
        return f"<pre>{lines[0]}\n{lines[1]}</pre>" + self.shares().to_html(index=False) + head
