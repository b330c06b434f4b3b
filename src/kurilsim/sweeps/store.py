"""Sweep files: written chunk by chunk as chunks finish, resumable, self-describing.

While a sweep runs, each finished chunk is written atomically as its own file in the directory
``PATH.parts/`` (``part-000012.parquet``), beside ``_sweep.json``, the sweep's metadata. The
directory is a readable dataset at any moment: a killed sweep leaves every finished chunk, and
``pandas.read_parquet("PATH.parts")`` or :func:`~kurilsim.sweeps.result.read_sweep` reads them.
When every chunk is there, the parts are joined in chunk order into ``PATH`` and the directory is
removed.

A Parquet sweep file carries the metadata in its schema (key ``kurilsim.sweep``, JSON): the
scenario's content hash, the kurilsim version, the method, the seed and the points. A CSV sweep
file has it beside it, in ``PATH.meta.json``.

Only this module reads and writes sweep files.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kurilsim.core.errors import InputError
from kurilsim.sweeps.info import SweepInfo

Format = Literal["parquet", "csv"]
#: Key of the sweep's metadata in a Parquet file's schema.
METADATA_KEY = b"kurilsim.sweep"
#: File of the metadata in the parts directory; readers of Parquet datasets skip names
#: starting with "_", as they skip the temporary files below.
MANIFEST = "_sweep.json"


def format_of(path: str | os.PathLike[str], format: str | None = None) -> Format:
    """The file format: ``format`` if given, else from the name (``.csv`` or Parquet).

    Examples
    --------
    >>> format_of("out.csv"), format_of("out.parquet"), format_of("out.data", "csv")
    ('csv', 'parquet', 'csv')
    """
    chosen = format or ("csv" if os.fspath(path).lower().endswith(".csv") else "parquet")
    if chosen not in ("parquet", "csv"):
        raise InputError(f"unknown sweep file format {chosen!r}; expected parquet or csv")
    return "csv" if chosen == "csv" else "parquet"


@dataclass(frozen=True)
class SweepStore:
    """Where a sweep is written: the final file and, while it runs, its parts directory."""

    path: Path
    format: Format

    @property
    def parts(self) -> Path:
        """The directory of finished chunks of an unfinished sweep."""
        return self.path.with_name(self.path.name + ".parts")

    @property
    def sidecar(self) -> Path:
        """The metadata file of a CSV sweep."""
        return self.path.with_name(self.path.name + ".meta.json")

    def part(self, index: int) -> Path:
        """The file of chunk ``index``."""
        return self.parts / f"part-{index:06d}.{self.format}"

    def stored_info(self) -> SweepInfo | None:
        """The metadata of the sweep already at this place, finished or not, if any."""
        if self.path.exists():
            return read_info(self.path)
        manifest = self.parts / MANIFEST
        if manifest.exists():
            return SweepInfo.from_dict(json.loads(manifest.read_text(encoding="utf-8")))
        return None

    def open(self, info: SweepInfo, resume: bool, overwrite: bool) -> set[int]:
        """Prepare to write the sweep ``info``; return the chunks already written.

        Raises
        ------
        InputError
            If a sweep is already there and neither ``resume`` nor ``overwrite`` is set, or
            ``resume`` is set and the sweep there was made differently.
        """
        stored = self.stored_info()
        if stored is not None and overwrite:
            self._remove()
        elif stored is not None and not resume:
            where = self.path if self.path.exists() else self.parts
            raise InputError(
                "a sweep is already there; resume it (--resume) or replace it (--force)",
                file=str(where),
            )
        elif stored is not None:
            _check_same(stored, info, self.path)
            if self.path.exists():
                return set(range(info.n_chunks))
        self.parts.mkdir(parents=True, exist_ok=True)
        _atomic_text(self.parts / MANIFEST, json.dumps(info.to_dict(), indent=2))
        return {k for k in range(info.n_chunks) if self.part(k).exists()}

    def write(self, index: int, table: pd.DataFrame, info: SweepInfo) -> None:
        """Write chunk ``index`` atomically: a kill never leaves half a part."""
        target = self.part(index)
        temporary = target.with_name(f"_{target.name}.tmp")
        if self.format == "csv":
            table.to_csv(temporary, index=False)
        else:
            pq.write_table(_with_metadata(table, info), temporary)
        os.replace(temporary, target)

    def finish(self, info: SweepInfo) -> None:
        """Join the parts in chunk order into the sweep file and remove the parts."""
        if self.path.exists() and not self.parts.exists():
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        parts = [self.part(k) for k in range(info.n_chunks)]
        if self.format == "csv":
            with temporary.open("w", encoding="utf-8", newline="") as out:
                for k, part in enumerate(parts):
                    with part.open(encoding="utf-8", newline="") as source:
                        header = source.readline()
                        if k == 0:
                            out.write(header)
                        shutil.copyfileobj(source, out)
            _atomic_text(self.sidecar, json.dumps(info.to_dict(), indent=2))
        else:
            schema = pq.read_schema(parts[0])
            with pq.ParquetWriter(temporary, schema) as writer:
                for part in parts:
                    writer.write_table(pq.read_table(part).cast(schema))
        os.replace(temporary, self.path)
        shutil.rmtree(self.parts)

    def _remove(self) -> None:
        for file in (self.path, self.sidecar):
            file.unlink(missing_ok=True)
        shutil.rmtree(self.parts, ignore_errors=True)


def _with_metadata(table: pd.DataFrame, info: SweepInfo) -> pa.Table:
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    metadata = dict(arrow.schema.metadata or {})
    metadata[METADATA_KEY] = json.dumps(info.to_dict()).encode("utf-8")
    return arrow.replace_schema_metadata(metadata)


def _atomic_text(path: Path, text: str) -> None:
    temporary = path.with_name(f"_{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _check_same(stored: SweepInfo, info: SweepInfo, path: Path) -> None:
    old, new = stored.identity(), info.identity()
    differ = [key for key in new if old[key] != new[key]]
    if differ:
        shown = "; ".join(f"{k}: {old[k]!r} there, {new[k]!r} now" for k in differ)
        raise InputError(
            f"cannot resume: the sweep there was made differently ({shown})", file=str(path)
        )


def read_info(path: str | os.PathLike[str]) -> SweepInfo:
    """The metadata of a finished sweep file.

    Raises
    ------
    InputError
        If the file is not a sweep file.
    """
    file = Path(path)
    if format_of(file) == "csv":
        sidecar = file.with_name(file.name + ".meta.json")
        if not sidecar.exists():
            raise InputError(f"no sweep metadata beside it ({sidecar.name})", file=str(file))
        return SweepInfo.from_dict(json.loads(sidecar.read_text(encoding="utf-8")))
    try:
        metadata = pq.read_schema(file).metadata or {}
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"cannot read as Parquet: {exc}", file=str(file)) from None
    if METADATA_KEY not in metadata:
        raise InputError("not a kurilsim sweep file (no sweep metadata)", file=str(file))
    record: dict[str, Any] = json.loads(metadata[METADATA_KEY])
    return SweepInfo.from_dict(record)


def read_table(path: str | os.PathLike[str], columns: list[str] | None = None) -> pd.DataFrame:
    """The table of a finished sweep file, or the finished chunks of an unfinished one.

    Parameters
    ----------
    path
        The sweep's ``--out`` path.
    columns
        Read only these columns; all by default.
    """
    file = Path(path)
    store = SweepStore(file, format_of(file))
    if file.exists():
        return _read(file, store.format, columns)
    parts = sorted(store.parts.glob(f"part-*.{store.format}"))
    if not parts:
        raise InputError("no sweep file and no finished chunks", file=str(file))
    return pd.concat([_read(part, store.format, columns) for part in parts], ignore_index=True)


#: Rows read at a time by :func:`regime_counts`.
BATCH_ROWS = 1 << 16


def regime_counts(path: str | os.PathLike[str]) -> pd.Series:
    """The number of points in each regime of a sweep file, read a batch of rows at a time.

    Memory stays bounded by the batch size however large the sweep; an unfinished sweep's
    finished chunks are counted.

    Returns
    -------
    pandas.Series
        Count of points, indexed by regime.
    """
    file = Path(path)
    store = SweepStore(file, format_of(file))
    files = [file] if file.exists() else sorted(store.parts.glob(f"part-*.{store.format}"))
    if not files:
        raise InputError("no sweep file and no finished chunks", file=str(file))
    counts: dict[str, int] = {}
    last = -1  # a point's rows are consecutive: skip its rows continued from the last batch
    for batch in (b for f in files for b in _batches(f, store.format, ["point", "regime"])):
        rows = batch[batch["point"].to_numpy() != last].drop_duplicates("point")
        if len(batch):
            last = int(batch["point"].iloc[-1])
        for regime, count in rows["regime"].value_counts(sort=False).items():
            counts[str(regime)] = counts.get(str(regime), 0) + int(count)
    return pd.Series(counts, dtype="int64")


def _batches(file: Path, format: Format, columns: list[str]) -> Iterator[pd.DataFrame]:
    if format == "csv":
        yield from pd.read_csv(file, usecols=columns, chunksize=BATCH_ROWS)
    else:
        for batch in pq.ParquetFile(file).iter_batches(BATCH_ROWS, columns=columns):
            yield batch.to_pandas()


def head_rows(path: str | os.PathLike[str], n: int) -> pd.DataFrame:
    """The first ``n`` rows of a sweep file (or of its first finished chunk)."""
    file = Path(path)
    store = SweepStore(file, format_of(file))
    first = file if file.exists() else min(store.parts.glob(f"part-*.{store.format}"))
    if store.format == "csv":
        return pd.read_csv(first, nrows=n)
    rows: pd.DataFrame = next(pq.ParquetFile(first).iter_batches(n)).to_pandas()
    return rows


def _read(file: Path, format: Format, columns: list[str] | None) -> pd.DataFrame:
    if format == "csv":
        return pd.read_csv(file, usecols=columns)[columns] if columns else pd.read_csv(file)
    return pd.read_parquet(file, columns=columns)
