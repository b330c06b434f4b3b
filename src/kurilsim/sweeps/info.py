"""The record of how a sweep was produced, written into the metadata of every sweep file.

:class:`SweepInfo` holds everything needed to reproduce a sweep: the scenario's content hash, the
kurilsim version, the method, tolerance and options, the points and the seed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kurilsim.core.scenario import Scenario
from kurilsim.core.version import __version__
from kurilsim.sweeps.spec import GridAxis, SweepSpec

#: Version of the layout of sweep files, their metadata and columns: 2 added the column
#: ``incomplete_reason``; 3 dictionary-encodes a game tree's ``regime``; 4 records a CSV
#: sweep's column types, in its sidecar and its parts' records. Parts of another version are
#: not resumed.
METADATA_FORMAT = 4


def scenario_hash(scenario: Scenario) -> str:
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
    labels
        The texts of the scenario's ``labels`` block, in file order (figures colour regimes by
        them); empty where it has none.
    format
        The layout version of the file (:data:`METADATA_FORMAT` when written by this version).
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
    labels: tuple[str, ...] = ()
    format: int = METADATA_FORMAT

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
            for k in (
                "format",
                "version",
                "scenario_hash",
                "method",
                "tol",
                "options",
                "spec",
                "chunk_size",
            )
        }

    def key(self) -> str:
        """SHA-256 of :meth:`identity`: every part of the sweep carries it, to be told apart."""
        text = json.dumps(self.identity(), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; :meth:`from_dict` reads it back."""
        return {
            "format": self.format,
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
            "labels": list(self.labels),
        }

    def recorded(self) -> SweepInfo:
        """The record as a sweep file gives it back: in JSON's types (a numpy number a float).

        Examples
        --------
        >>> import numpy as np
        >>> from kurilsim import parse_scenario
        >>> game = parse_scenario(
        ...     "{kurilsim: 1, title: t, players: {A: [x], B: [y]}, payoffs: {A: 1, B: 0}}")
        >>> info = SweepInfo.of(game, SweepSpec(samples=1), "pure", np.float64(1e-9), (), 1)
        >>> info.tol, info.recorded().tol, info.recorded() == info
        (np.float64(1e-09), 1e-09, True)
        """
        return SweepInfo.from_dict(json.loads(json.dumps(self.to_dict())))

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
            labels=tuple(record.get("labels", ())),  # absent from files of earlier versions
            format=record.get("format", 1),
        )

    @classmethod
    def of(
        cls,
        scenario: Scenario,
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
            strategies=scenario.form.strategies(scenario),
            parameters=tuple(
                ParameterInfo(name, p.default, p.range[0], p.range[1], p.unit)
                for name, p in scenario.parameters.items()
            ),
            labels=scenario.labels,
        )
