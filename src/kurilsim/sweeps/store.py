"""Sweep files: written chunk by chunk as chunks finish, resumable, self-describing, verified.

While a sweep runs, each finished chunk is written atomically as its own file in the directory
``PATH.parts/`` (``part-000012.arrow`` for a Parquet sweep, ``part-000012.csv`` for a CSV one),
beside ``_sweep.json``, the sweep's metadata, and ``_parts.jsonl``, one line per finished part:
its chunk, row count, size and SHA-256, and the fingerprint of the sweep it belongs to
(:meth:`SweepInfo.key`). A Parquet sweep's parts are Arrow IPC files (LZ4-compressed record
batches: quicker to write and read than Parquet, and read back to the same table), each carrying
its chunk, row count and sweep in its schema metadata. The directory is a readable dataset at any
moment: a killed sweep leaves every finished chunk, and
``pyarrow.dataset.dataset("PATH.parts", format="arrow")`` or
:func:`~kurilsim.sweeps.result.read_sweep` reads them. A resumed sweep keeps only the parts that
pass every check and recomputes the others. A Parquet sweep is meanwhile written once into a
temporary file, a row group per chunk in chunk order (:class:`ParquetStream`); when every chunk
is there it replaces ``PATH`` at once (a CSV sweep's parts are joined then), and the directory is
removed; once ``PATH`` exists the sweep is finished, whatever is left of the directory.

One process writes a sweep at a time: :meth:`SweepStore.writer` holds ``PATH.lock``
(:func:`~kurilsim.sweeps.lock.writer_lock`).

A Parquet sweep file carries the metadata in its schema (key ``kurilsim.sweep``, JSON): the
scenario's content hash, the kurilsim version, the method, the seed and the points. A CSV sweep
file has it beside it, in ``PATH.meta.json``, with each column's type (:data:`COLUMN_TYPES`:
its text is read back as text, however numeric it looks); its text cells that a spreadsheet
would run as formulas are escaped with a leading single quote (:func:`neutralise`), undone on
reading.

Only this module reads and writes sweep files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from kurilsim.core.arrow_columns import numeric_array, numeric_values
from kurilsim.core.errors import InputError
from kurilsim.sweeps.info import SweepInfo
from kurilsim.sweeps.lock import writer_lock

if TYPE_CHECKING:
    import pandas as pd

Format = Literal["parquet", "csv"]
#: Key of the sweep's metadata in a Parquet file's schema, and of a part's own record.
METADATA_KEY, PART_KEY = b"kurilsim.sweep", b"kurilsim.part"
#: Files of the metadata and of the finished parts' records in the parts directory; readers of
#: Parquet datasets skip names starting with "_", as they skip the temporary files below.
MANIFEST, RECORDS = "_sweep.json", "_parts.jsonl"
#: Suffix of a Parquet sweep's parts: an Arrow IPC file, and the Parquet parts of older versions.
ARROW_PART, OLD_PART = "arrow", "parquet"
#: What a part's file name begins with, before its chunk's number.
PART_PREFIX = "part-"
#: First characters that make a spreadsheet run a text cell as a formula, and the escape.
FORMULA_STARTS, QUOTE = "=+-@\t\r", "'"
#: Key of a CSV sweep's column types (name -> pandas dtype) in its sidecar and its parts' records.
COLUMN_TYPES = "columns"
#: The column types a CSV file is read back in as recorded; a column of another type (values
#: and missing ones mixed in an ``object`` column) is read as pandas guesses it.
CSV_TYPES = frozenset({"int64", "float64", "bool", "str"})
#: Most bytes of text a chunk of a CSV sweep may expand to (its dictionary-encoded columns,
#: such as a tied game tree's regime, written out in full on every row).
MAX_CSV_CHUNK_TEXT = 1 << 30
#: Held while a line is added to the parts' records, which threads write at once (processes append
#: safely without it: see :func:`_append_line`).
_RECORDS_LOCK = threading.Lock()


def format_of(path: str | os.PathLike[str], format: str | None = None) -> Format:
    """The file format, from the name: ``.parquet`` is Parquet, ``.csv`` is CSV.

    Raises
    ------
    InputError
        If the name ends otherwise (a table named ``.xlsx`` would be written as neither), or if
        ``format`` is given and the name says otherwise: the file could not be read back.

    Examples
    --------
    >>> format_of("out.csv"), format_of("out.parquet"), format_of("OUT.PARQUET", "parquet")
    ('csv', 'parquet', 'parquet')
    >>> format_of("out.xlsx")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: out.xlsx: a sweep file is named .parquet or .csv
    >>> format_of("out.parquet", "csv")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: out.parquet: format 'csv' does not match the name: a CSV
    sweep file is named .csv, a Parquet one .parquet
    """
    if format is not None and format not in ("parquet", "csv"):
        raise InputError(f"unknown sweep file format {format!r}; expected parquet or csv")
    suffix = Path(path).suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError("a sweep file is named .parquet or .csv", file=os.fspath(path))
    named: Format = "csv" if suffix == ".csv" else "parquet"
    if format is not None and format != named:
        raise InputError(
            f"format {format!r} does not match the name: a CSV sweep file is named .csv, a "
            "Parquet one .parquet",
            file=os.fspath(path),
        )
    return named


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
        return _sidecar_of(self.path)

    def part(self, index: int) -> Path:
        """The file of chunk ``index``."""
        suffix = ARROW_PART if self.format == "parquet" else "csv"
        return self.parts / f"{PART_PREFIX}{index:06d}.{suffix}"

    @staticmethod
    def chunk_of(part: Path) -> int:
        """The chunk whose file :meth:`part` names ``part``."""
        return int(part.stem.removeprefix(PART_PREFIX))

    def writer(self) -> AbstractContextManager[Path]:
        """Hold ``PATH.lock`` while writing: a second writer is refused, naming this one."""
        return writer_lock(self.path.with_name(self.path.name + ".lock"))

    def column_types(self, files: list[Path]) -> list[dict[str, str] | None]:
        """The column types recorded for each of ``files``: this CSV sweep's file or parts.

        None for a Parquet sweep, and for files of earlier versions, which recorded none.

        Raises
        ------
        InputError
            If the sidecar cannot be read.
        """
        if self.format != "csv":
            return [None] * len(files)
        records = self._records() if any(file != self.path for file in files) else {}
        types = []
        for file in files:
            if file == self.path:
                record = _sidecar(self.path) if self.sidecar.exists() else {}
            else:
                record = records.get(self.chunk_of(file), {})
            recorded = record.get(COLUMN_TYPES)
            types.append(dict(recorded) if isinstance(recorded, dict) else None)
        return types

    def stored_info(self) -> SweepInfo | None:
        """The metadata of the sweep already at this place, finished or not, if any.

        Raises
        ------
        InputError
            If the sweep file or the manifest cannot be read, or a file is where the parts
            directory goes.
        """
        if self.path.exists():
            return read_info(self.path)
        self._check_parts_place()
        manifest = self.parts / MANIFEST
        if not manifest.exists():
            return None
        try:
            return SweepInfo.from_dict(json.loads(manifest.read_bytes()))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"the sweep's manifest cannot be read ({type(exc).__name__}); its parts cannot be "
                "trusted: start the sweep again with --force",
                file=str(manifest),
            ) from None

    def open(self, info: SweepInfo, resume: bool, overwrite: bool) -> Opened:
        """Prepare to write the sweep ``info``: which chunks are done, which must be redone.

        Call it holding :meth:`writer`.

        Raises
        ------
        InputError
            If a sweep is already there and neither ``resume`` nor ``overwrite`` is set, or
            ``resume`` is set and the sweep there was made differently; see also
            :meth:`stored_info`.
        """
        stored = None if overwrite else self.stored_info()
        if stored is not None and not resume:
            where = self.path if self.path.exists() else self.parts
            raise InputError(
                "a sweep is already there; resume it (--resume) or replace it (--force)",
                file=str(where),
            )
        if stored is not None:
            _check_same(stored, info, self.path)
            if self.path.exists():
                return Opened(frozenset(range(info.n_chunks)), ())
            opened = self._verified(info)
        else:
            self._check_parts_place()  # not even --force removes a file that is not a sweep's
            self._remove()  # what is left of a sweep removed half-way is not kept either
            opened = Opened(frozenset(), ())
        self.parts.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.parts / MANIFEST, _text(json.dumps(info.to_dict(), indent=2)))
        return opened

    def write(self, index: int, table: pa.Table, info: SweepInfo) -> pa.Table | None:
        """Write chunk ``index`` atomically (a kill never leaves half a part), then record it.

        Threads may write different chunks at once.

        Returns the chunk with its metadata for a Parquet sweep (for :class:`ParquetStream`).
        """
        target = self.part(index)
        own = {"chunk": index, "rows": len(table), "sweep": info.key()}
        typed: dict[str, Any] = {}

        def record(size: int, digest: str) -> None:
            # Recorded before the rename: a kill between the two leaves no part, not one that
            # would have to be recomputed.
            entry = {**own, "file": target.name, "bytes": size, "sha256": digest, **typed}
            with _RECORDS_LOCK:  # chunks are written by the threads that solved them
                _append_line(self.parts / RECORDS, json.dumps(entry), False)

        arrow = None
        if self.format == "csv":
            check_csv_text(table, index)
            rows = decoded(table.to_pandas())
            # The part's types, for it to read back as written (a label "1.50" as text).
            typed[COLUMN_TYPES] = {name: str(dtype) for name, dtype in rows.dtypes.items()}
            write = lambda file: neutralise(rows).to_csv(file, index=False)  # noqa: E731
            before = lambda written: record(*_digest(written))  # noqa: E731
        else:
            # One batch: an IPC file holds one dictionary per column. What is written to the
            # sweep file is this same table, so a resumed sweep writes the same file.
            arrow = _with_metadata(table.combine_chunks(), info, {PART_KEY: own})
            # Encoded in memory and hashed there: the file is not read back to be hashed.
            encoded = part_bytes(arrow)
            write = lambda file: file.write_bytes(encoded)  # noqa: E731
            before = lambda _: record(len(encoded), hashlib.sha256(encoded).hexdigest())  # noqa: E731
        # Not synced: a resume checks every part's size and SHA-256, so a part or record that a
        # power failure loses or tears is recomputed; syncing each would cost more than a chunk.
        _write_atomic(target, write, before, False)
        return arrow

    def finished(self) -> list[Path]:
        """The parts of an unfinished sweep that pass every check, in chunk order."""
        info = self.stored_info()
        return [] if info is None else [self.part(k) for k in sorted(self._verified(info).done)]

    def finish(self, info: SweepInfo) -> None:
        """Join the parts in chunk order into the sweep file and remove the parts.

        Once the sweep file exists the sweep is complete: a sweep stopped while removing its
        parts is finished by removing the rest.
        """
        if not self.path.exists():
            parts = [self.part(k) for k in range(info.n_chunks)]
            if self.format == "csv":
                types = joined_types(self.column_types(parts))
                sidecar = {**info.to_dict(), **({COLUMN_TYPES: types} if types else {})}
                _write_atomic(self.sidecar, _text(json.dumps(sidecar, indent=2)))
                _write_atomic(self.path, lambda file: _join_csv(parts, file))
            else:
                _write_atomic(self.path, lambda file: _join_parquet(parts, file))
        self._remove_parts()

    def _check_parts_place(self) -> None:
        if self.parts.exists() and not self.parts.is_dir():
            raise InputError(
                "a file is where the sweep's parts directory goes; move or remove it",
                file=str(self.parts),
            )

    def _verified(self, info: SweepInfo) -> Opened:
        if self.format == "parquet" and any(self.parts.glob(f"{PART_PREFIX}*.{OLD_PART}")):
            raise InputError(
                "the unfinished sweep's chunks were written by an older kurilsim (Parquet parts), "
                "which this one does not resume: start the sweep again with --force",
                file=str(self.parts),
            )
        records = self._records()
        done, rejected = set(), []
        for k in range(info.n_chunks):
            if not self.part(k).exists():
                continue
            problem = self._problem(k, records.get(k), info)
            if problem is None:
                done.add(k)
            else:
                rejected.append((k, problem))
        return Opened(frozenset(done), tuple(rejected))

    def _records(self) -> dict[int, dict[str, Any]]:
        """The finished parts' records by chunk, the last for a chunk written twice."""
        records: dict[int, dict[str, Any]] = {}
        if (self.parts / RECORDS).is_file():
            for line in (self.parts / RECORDS).read_bytes().splitlines():
                try:
                    record = json.loads(line)
                    records[int(record["chunk"])] = record
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a kill: its part is not trusted
        return records

    def _problem(self, index: int, record: dict[str, Any] | None, info: SweepInfo) -> str | None:
        """Why part ``index`` cannot be used, or None."""
        if record is None:
            return "not recorded in the manifest"
        own = {"chunk": index, "rows": record.get("rows"), "sweep": info.key()}
        if record.get("sweep") != own["sweep"]:
            return "recorded for another sweep"
        if (record.get("bytes"), record.get("sha256")) != _digest(self.part(index)):
            return "its size or checksum differs from the manifest (truncated, changed or moved)"
        if self.format == "parquet":
            try:
                metadata = pa.ipc.open_file(self.part(index)).schema.metadata or {}
                carried = json.loads(metadata.get(PART_KEY, b"null"))
            except (OSError, ValueError, pa.ArrowException):
                return "unreadable as an Arrow IPC file"
            if carried != own:
                return "its metadata names another chunk or sweep"
        return None

    def _remove(self) -> None:
        for file in (self.path, self.sidecar, _temporary(self.path)):
            if file.exists():
                _unlink(file)
        self._remove_parts()

    def _remove_parts(self) -> None:
        if self.parts.is_dir():
            for file in sorted(self.parts.iterdir()):  # "_sweep.json" first: the rest is inert
                _unlink(file)
            _rmdir(self.parts)


class ParquetStream:
    """The Parquet sweep file, written once, a row group per chunk, in chunk order as they finish.

    Chunks are also written as Arrow IPC parts (:meth:`SweepStore.write`): the parts are what
    survives a kill, this file is what a finished sweep leaves. A chunk that finishes before
    those ahead of it waits in memory (at most the chunks in flight); a chunk finished before a
    resume is read from its part when its turn comes, and handed to ``finished`` if given (to
    be counted as the chunks solved now are). When the last chunk is in, :meth:`place` syncs the
    file and renames it to the sweep's path, so no chunk is read back or encoded again to join
    them.
    """

    def __init__(
        self,
        store: SweepStore,
        info: SweepInfo,
        done: frozenset[int],
        finished: Callable[[pa.Table], object] | None = None,
    ) -> None:
        self.store, self.info, self.done, self.finished = store, info, done, finished
        self.next = 0
        self.waiting: dict[int, pa.Table] = {}
        self.file = _temporary(store.path)
        self.writer: pq.ParquetWriter | None = None

    def add(self, index: int, table: pa.Table) -> None:
        """Take chunk ``index``; write it, and any chunks it was holding up, if its turn came."""
        self.waiting[index] = table
        self.drain()

    def drain(self) -> None:
        """Write the chunks whose turn has come: waiting ones, and those finished before."""
        while self.next < self.info.n_chunks:
            if self.next in self.waiting:
                chunk = self.waiting.pop(self.next)
            elif self.next in self.done:
                chunk = self.read(self.next)
                if self.finished is not None:
                    self.finished(chunk)
            else:
                return
            if self.writer is None:
                self.writer = parquet_writer(self.file, _file_schema(chunk.schema))
            self.writer.write_table(_conformed(chunk, self.writer.schema))
            self.next += 1

    def read(self, index: int) -> pa.Table:
        """Chunk ``index`` as the file takes it, read back from its part (whoever wrote it)."""
        return read_part(self.store.part(index))

    @property
    def complete(self) -> bool:
        """Whether every chunk is in the file."""
        return self.next == self.info.n_chunks and self.writer is not None

    def place(self) -> None:
        """Close the complete file, sync it and rename it to the sweep's path."""
        assert self.writer is not None
        self.writer.close()
        with self.file.open("rb+") as file:
            os.fsync(file.fileno())
        _replace(self.file, self.store.path)

    def abandon(self) -> None:
        """Close and remove an incomplete file: the parts hold the finished chunks."""
        if self.writer is not None:
            self.writer.close()
        self.file.unlink(missing_ok=True)


@dataclass(frozen=True)
class Opened:
    """What :meth:`SweepStore.open` found: the chunks done, and the parts to redo and why."""

    done: frozenset[int]
    rejected: tuple[tuple[int, str], ...]


def decoded(table: pd.DataFrame) -> pd.DataFrame:
    """The table with dictionary-encoded (categorical) columns as plain strings.

    Sweeps build their text columns dictionary-encoded, and Parquet files keep them so; a table
    read or returned has plain text columns, whatever its chunks' dictionaries.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"label": pd.Categorical(["b", "a", "b"]), "x": [1, 2, 3]})
    >>> decoded(table).dtypes.astype(str).tolist()
    ['str', 'int64']
    """
    import pandas as pd  # imported when used: a sweep written to a file makes no frame

    names = [name for name, dtype in table.dtypes.items() if isinstance(dtype, pd.CategoricalDtype)]
    if not names:
        return table
    return table.astype(dict.fromkeys(names, "str"))


def neutralise(table: pd.DataFrame) -> pd.DataFrame:
    """The table with text cells a spreadsheet would run as formulas escaped by a single quote.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and that is
    not a number, gets a leading ``'``; so does one already starting with ``'``, so that
    :func:`restore` gives back the table exactly. Numbers are not text and are left alone.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"label": ["=HYPERLINK(1)", "-0.5", "'quoted", "A: stag"],
    ...                       "x": [-1.0, 0.0, 1.0, 2.0]})
    >>> neutralise(table)["label"].tolist()
    ["'=HYPERLINK(1)", '-0.5', "''quoted", 'A: stag']
    >>> restore(neutralise(table)).equals(table)
    True
    """
    import pandas as pd  # imported when used: a sweep written to a file makes no frame

    escaped = table.copy()
    for name in table.select_dtypes(include=["object", "string"]).columns:
        column = table[name]
        text = column.map(lambda cell: isinstance(cell, str))
        first = column.where(text, "").astype(str).str[:1]
        number = pd.to_numeric(column.where(text), errors="coerce").notna()
        risky = text & first.isin(list(FORMULA_STARTS + QUOTE)) & ~number
        escaped[name] = column.mask(risky, QUOTE + column.where(risky, "").astype(str))
    return escaped


def restore(table: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise`: one leading single quote off each text cell that has one."""
    restored = table.copy()
    for name in table.select_dtypes(include=["object", "string"]).columns:
        column = table[name]
        quoted = column.map(lambda cell: isinstance(cell, str) and cell.startswith(QUOTE))
        restored[name] = column.mask(quoted, column.where(quoted, "").astype(str).str[1:])
    return restored


def joined_types(parts: list[dict[str, str] | None]) -> dict[str, str] | None:
    """The column types of CSV parts joined into one file, or None if a part recorded none.

    A column of one type in every part keeps it; whole numbers in some parts and numbers with
    missing ones in others are floats (as pandas reads them); a column typed otherwise in
    different parts is left out, to be read as pandas guesses it.

    Examples
    --------
    >>> joined_types([{"x": "int64", "y": "str"}, {"x": "float64", "y": "str"}])
    {'x': 'float64', 'y': 'str'}
    >>> joined_types([{"x": "bool"}, {"x": "object"}]), joined_types([{"x": "str"}, None])
    ({}, None)
    """
    recorded = [types for types in parts if types is not None]
    if not parts or len(recorded) < len(parts):
        return None
    joined: dict[str, str] = {}
    for name in recorded[0]:
        kinds = {types.get(name) for types in recorded}
        if len(kinds) == 1:
            joined[name] = str(kinds.pop())
        elif kinds == {"int64", "float64"}:
            joined[name] = "float64"
    return joined


def check_csv_text(table: pa.Table, index: int) -> None:
    """Refuse a chunk whose dictionary-encoded text would fill over :data:`MAX_CSV_CHUNK_TEXT`.

    A Parquet file stores such a column's texts once per chunk and a code per row; a CSV file
    writes each row's text in full. At a game tree tied at thousands of equilibria, the regime
    names them all, on each of their rows: 2**14 of them would fill some 18 GB of a CSV file.

    Raises
    ------
    InputError
        Naming the column, the estimate and the way out: a Parquet file.

    Examples
    --------
    >>> from kurilsim.core.arrow_columns import dictionary_array
    >>> import numpy as np
    >>> tied = pa.table({"regime": dictionary_array(["x" * 10**6], np.zeros(2000, np.int32))})
    >>> check_csv_text(tied, 0)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: chunk 0 of the sweep would write about 2.0 GB of text to the
    CSV file (column regime, its text repeated on each of its 2,000 rows); write the sweep to a
    .parquet file, which stores each such text once per chunk
    """
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if not pa.types.is_dictionary(kind) or not (
            pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
        ):
            continue
        array = column.combine_chunks()
        # Bytes of each distinct text, from the dictionary's offsets; nulls are written empty.
        words = array.dictionary
        wide = pa.types.is_large_string(words.type)
        offsets = np.frombuffer(words.buffers()[1], np.int64 if wide else np.int32)
        lengths = np.diff(offsets[words.offset : words.offset + len(words) + 1]).astype(np.int64)
        codes = array.indices.to_numpy(zero_copy_only=False)
        codes = codes[~np.isnan(codes)].astype(np.int64) if array.null_count else codes
        size = int(lengths[codes].sum())
        if size > MAX_CSV_CHUNK_TEXT:
            raise InputError(
                f"chunk {index} of the sweep would write about {size / 1e9:.1f} GB of text to the "
                f"CSV file (column {name}, its text repeated on each of its {len(array):,} "
                "rows); write the sweep to a .parquet file, which stores each such text once per "
                "chunk"
            )


def _join_csv(parts: list[Path], file: Path) -> None:
    with file.open("w", encoding="utf-8", newline="") as out:
        for k, part in enumerate(parts):
            with part.open(encoding="utf-8", newline="") as source:
                header = source.readline()
                if k == 0:
                    out.write(header)
                shutil.copyfileobj(source, out)


def _join_parquet(parts: list[Path], file: Path) -> None:
    schema = _file_schema(pa.ipc.open_file(parts[0]).schema)
    with parquet_writer(file, schema) as writer:
        for part in parts:
            writer.write_table(_conformed(read_part(part), schema))


#: Columns of a sweep file with min/max statistics per row group: those a reader filters by
#: position (``point``, ``sample``, the parameters) or equilibrium number. A probability, payoff or
#: label column's range is much the same in every chunk, so its statistics would rarely let a
#: reader skip one.
STATISTICS_PREFIXES = ("point", "sample", "param.", "equilibrium")
#: Columns stored without a dictionary: numbers that seldom repeat within a chunk, whose
#: dictionary would be about as large as the column and cost its hashing; and probabilities.
#: Those repeat (0 and 1 in pure equilibria), but Parquet hashes every number it puts in a
#: dictionary, even one handed over dictionary-encoded (Arrow writes only text dictionaries as
#: they are): half the encoding's time went to the probabilities' dictionaries.
PLAIN_PREFIXES = ("point", "payoff.", "max_regret", "prob.")
#: Columns compressed with LZ4 (Parquet's ``LZ4_RAW``) rather than Snappy: the probabilities,
#: whose runs of the same few numbers it shrinks ten times more, at about the same speed.
LZ4_PREFIXES = ("prob.",)
#: Columns stored as deltas from row to row: the point numbers, which rise by 0 or 1 a row (a
#: few bits each instead of eight bytes).
DELTA_COLUMNS = ("point",)


def parquet_writer(file: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """A writer of a Parquet sweep file, with statistics, dictionaries and encodings where they pay.

    The table read back is the same whatever these settings (a dictionary column stays one);
    on the 10^6-point map of ``sochi_2016.yaml`` they save about half of the encoding's CPU
    time and half of the file's size.

    Examples
    --------
    >>> import tempfile
    >>> schema = pa.schema([("point", pa.int64()), ("payoff.A", pa.float64())])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with parquet_writer(Path(folder) / "s.parquet", schema) as writer:
    ...         writer.write_table(pa.table({"point": [0, 1], "payoff.A": [0.5, 0.5]}))
    ...     column = pq.ParquetFile(Path(folder) / "s.parquet").metadata.row_group(0).column
    ...     column(0).statistics.max, column(1).statistics
    (1, None)
    """
    names = schema.names
    return pq.ParquetWriter(
        file,
        schema,
        use_dictionary=[n for n in names if not n.startswith(PLAIN_PREFIXES)],
        write_statistics=[n for n in names if n.startswith(STATISTICS_PREFIXES)],
        compression={n: "lz4" if n.startswith(LZ4_PREFIXES) else "snappy" for n in names},
        column_encoding={n: "DELTA_BINARY_PACKED" for n in names if n in DELTA_COLUMNS},
    )


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` cast to the file's ``schema``, its dictionary codes widened in numpy.

    A chunk differs from the file's schema mostly by its narrow dictionary codes; ``Table.cast``
    would widen them too, but it imports ``pyarrow.compute``, about 60 ms of CPU at start-up
    (near the 70 ms of one numpy pass over the payoffs of 10^6 points).
    """
    columns = []
    for column, field in zip(table.columns, schema, strict=True):
        kind = column.type
        if kind == field.type:
            columns.append(column)
        elif (
            pa.types.is_dictionary(kind)
            and pa.types.is_dictionary(field.type)
            and kind.value_type == field.type.value_type
            and column.null_count == 0
        ):
            array = column.combine_chunks()
            codes = numeric_values(array.indices).astype(field.type.index_type.to_pandas_dtype())
            columns.append(pa.DictionaryArray.from_arrays(numeric_array(codes), array.dictionary))
        else:
            return table.cast(schema)
    return pa.table(columns, schema=schema)


def part_bytes(table: pa.Table) -> memoryview:
    """The Arrow IPC file of a Parquet sweep's part: LZ4-compressed record batches.

    Compressed by the calling thread, not Arrow's thread pool: the chunks' own threads already
    keep the cores busy, and handing each column's buffers to the pool and waiting for them cost
    two context switches a column (some 3,000 per 10^6 points of ``sochi_2016.yaml``).

    Examples
    --------
    >>> part = part_bytes(pa.table({"x": [1.0, 2.0]}))
    >>> pa.ipc.open_file(pa.BufferReader(part)).read_all().column("x").to_pylist()
    [1.0, 2.0]
    """
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4", use_threads=False)
    with pa.ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return memoryview(sink.getvalue())


def read_part(part: Path, columns: list[str] | None = None) -> pa.Table:
    """The table of a Parquet sweep's part (an Arrow IPC file), or these of its columns."""
    # Memory-mapped, and decompressed by this thread, not Arrow's pool: handing each column to
    # the pool and waiting for it cost two context switches a column (see part_bytes).
    options = pa.ipc.IpcReadOptions(use_threads=False)
    with pa.memory_map(str(part)) as source:
        table = pa.ipc.open_file(source, options=options).read_all()
    return table if columns is None else table.select(columns)


def _file_schema(schema: pa.Schema) -> pa.Schema:
    """A part's schema for the whole file: no part record, and room in every dictionary.

    A chunk's dictionary indices are as narrow as its own few strings allow; the file's must
    hold any chunk's. Dictionary strings are plain strings, as earlier versions read them back
    from Parquet parts, so that the file is as they wrote it.
    """
    fields = [
        field.with_type(pa.dictionary(pa.int32(), pa.string()))
        if pa.types.is_dictionary(field.type)
        else field
        for field in schema
    ]
    metadata = {k: v for k, v in (schema.metadata or {}).items() if k != PART_KEY}
    return pa.schema(fields, metadata=metadata)


def _with_metadata(
    table: pa.Table, info: SweepInfo, extra: dict[bytes, Any] | None = None
) -> pa.Table:
    metadata = dict(table.schema.metadata or {})
    metadata[METADATA_KEY] = json.dumps(info.to_dict()).encode("utf-8")
    for key, value in (extra or {}).items():
        metadata[key] = json.dumps(value).encode("utf-8")
    return table.replace_schema_metadata(metadata)


def _check_same(stored: SweepInfo, info: SweepInfo, path: Path) -> None:
    old, new = stored.identity(), info.identity()
    differ = [key for key in new if old[key] != new[key]]
    if differ:
        shown = "; ".join(f"{k}: {old[k]!r} there, {new[k]!r} now" for k in differ)
        raise InputError(
            f"cannot resume: the sweep there was made differently ({shown})", file=str(path)
        )


# --- the file operations a kill can come between ------------------------------------------------


def _temporary(path: Path) -> Path:
    return path.with_name(f"_{path.name}.tmp")


def _text(text: str) -> Callable[[Path], object]:
    return lambda file: file.write_text(text, encoding="utf-8")


def _write_atomic(
    path: Path,
    write: Callable[[Path], object],
    before: Callable[[Path], object] | None = None,
    synced: bool = True,
) -> None:
    """Write ``path`` through a temporary file beside it, synced, then renamed over it.

    ``before`` is given the temporary file just before the rename. Unless ``synced``, neither
    the file nor the rename is forced to disk: a kill still leaves the whole file or none.
    """
    temporary = _temporary(path)
    write(temporary)
    if synced:
        with temporary.open("rb+") as file:
            os.fsync(file.fileno())
    if before is not None:
        before(temporary)
    _replace(temporary, path, synced)


def _replace(source: Path, target: Path, synced: bool = True) -> None:
    os.replace(source, target)
    if synced:
        _sync_directory(target.parent)


def _append_line(path: Path, line: str, synced: bool = True) -> None:
    """Add ``line`` at the end of ``path``, in one write of a file opened to append.

    The system puts each such write whole at the end of the file: processes appending at once
    (a sweep's forked ones, see :mod:`kurilsim.sweeps.forked`) never mix their lines, nor
    write one over another's. Threads hold :data:`_RECORDS_LOCK` besides, for Windows, which
    only emulates appending.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        data = (line + "\n").encode("utf-8")
        if os.write(descriptor, data) != len(data):
            raise OSError(f"{path}: a line was written short (disk full?)")
        if synced:
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _unlink(path: Path) -> None:
    path.unlink()


def _rmdir(path: Path) -> None:
    path.rmdir()


def _sync_directory(folder: Path) -> None:
    if os.name == "posix":  # a rename is durable once its directory is synced
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _digest(file: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 of a file."""
    sha = hashlib.sha256()
    with file.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            sha.update(block)
    return file.stat().st_size, sha.hexdigest()


def read_info(path: str | os.PathLike[str]) -> SweepInfo:
    """The metadata of a finished sweep file.

    Raises
    ------
    InputError
        If the file is not a sweep file.
    """
    file = Path(path)
    if format_of(file) == "csv":
        record = _sidecar(file)
    else:
        try:
            metadata = pq.read_schema(file).metadata or {}
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(f"cannot read as Parquet: {exc}", file=str(file)) from None
        if METADATA_KEY not in metadata:
            raise InputError("not a kurilsim sweep file (no sweep metadata)", file=str(file))
        try:
            record = json.loads(metadata[METADATA_KEY])
        except ValueError as exc:
            raise _unreadable(exc, file) from None
    return _from_record(record, file)


def _sidecar_of(file: Path) -> Path:
    """The metadata file beside a CSV sweep file."""
    return file.with_name(file.name + ".meta.json")


def _sidecar(file: Path) -> dict[str, Any]:
    """The record in a CSV sweep file's sidecar: its metadata and column types."""
    sidecar = _sidecar_of(file)
    if not sidecar.exists():
        raise InputError(f"no sweep metadata beside it ({sidecar.name})", file=str(file))
    try:
        record = json.loads(sidecar.read_bytes())
    except ValueError as exc:
        raise _unreadable(exc, file) from None
    if not isinstance(record, dict):
        raise _unreadable(TypeError(), file)
    return record


def _from_record(record: Any, file: Path) -> SweepInfo:
    try:
        return SweepInfo.from_dict(record)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _unreadable(exc, file) from None


def _unreadable(exc: Exception, file: Path) -> InputError:
    return InputError(f"the sweep's metadata cannot be read ({type(exc).__name__})", file=str(file))


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
        return _read(file, store.format, columns, store.column_types([file])[0])
    parts = store.finished()
    if not parts:
        raise InputError("no sweep file and no finished chunks", file=str(file))
    import pandas as pd  # imported when used: a sweep written to a file makes no frame

    typed = zip(parts, store.column_types(parts), strict=True)
    return pd.concat(
        [_read(part, store.format, columns, types) for part, types in typed], ignore_index=True
    )


#: Text columns of every sweep that reads them: read from a CSV sweep as text, as from a Parquet
#: one, not as numbers (a label "1.50", or ``incomplete_reason`` empty in every row, all NaN).
CSV_TEXT = dict.fromkeys(("kind", "label", "path", "regime", "incomplete_reason"), "str")


def _read_csv(
    file: Path, recorded: dict[str, str] | None, columns: list[str] | None = None, **options: Any
) -> Any:
    """A CSV sweep file or part as pandas reads it with ``options``, its text as it was written.

    Each column is read in its ``recorded`` type (:meth:`SweepStore.column_types`); in a file
    of an earlier version, which recorded none, only the columns of :data:`CSV_TEXT` are read
    as text. Only an empty cell is missing (a missing value is written so): a label ``NA``
    or ``None`` stays text. Give :func:`restore` what it reads.
    """
    import pandas as pd  # imported when used: a sweep written to a file makes no frame

    types = CSV_TEXT if recorded is None else {k: v for k, v in recorded.items() if v in CSV_TYPES}
    if columns is not None:
        types = {k: v for k, v in types.items() if k in columns}
    return pd.read_csv(
        file, usecols=columns, dtype=types, keep_default_na=False, na_values=[""], **options
    )


#: Rows read at a time by :func:`point_counts`.
BATCH_ROWS = 1 << 16


#: The ``incomplete_reason`` of a point cut short in a sweep file of the first layout, which
#: recorded that (``complete`` false) but not why.
UNRECORDED = "reason not recorded"


def point_counts(
    path: str | os.PathLike[str], recorded: bool = True
) -> tuple[dict[str, int], dict[str, int]]:
    """The number of points in each regime and each incomplete reason of a sweep file.

    Both are counted in one read, a batch of rows at a time: memory stays bounded by the batch
    size however large the sweep; an unfinished sweep's finished chunks are counted.

    Parameters
    ----------
    path
        The sweep's ``--out`` path.
    recorded
        Whether the file records why a point is incomplete (its ``incomplete_reason`` column,
        from the second layout on); if not, a point cut short counts under :data:`UNRECORDED`.

    Returns
    -------
    tuple of dict
        Count of points by regime, and by incomplete reason (complete points are not counted).
    """
    file = Path(path)
    store = SweepStore(file, format_of(file))
    files = [file] if file.exists() else store.finished()
    if not files:
        raise InputError("no sweep file and no finished chunks", file=str(file))
    counts: dict[str, int] = {}
    why: dict[str, int] = {}
    columns = ["point", "regime", "incomplete_reason" if recorded else "complete"]
    last = -1  # a point's rows are consecutive: skip its rows continued from the last batch
    typed = zip(files, store.column_types(files), strict=True)
    for batch in (b for f, types in typed for b in _batches(f, columns, types)):
        rows = batch if recorded else with_unrecorded_reasons(batch)
        last = count_regimes(counts, rows, last, why)
    return counts, why


def with_unrecorded_reasons(rows: pd.DataFrame | pa.Table) -> pd.DataFrame | pa.Table:
    """Rows of the first layout given the ``incomplete_reason`` column it did not record.

    :data:`UNRECORDED` where ``complete`` is false, null elsewhere. ``rows`` is a frame or an
    Arrow table, and so is what is returned.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"point": [0, 1], "complete": [True, False]})
    >>> with_unrecorded_reasons(rows)["incomplete_reason"].fillna("-").tolist()
    ['-', 'reason not recorded']
    """
    from kurilsim.core.sweep_rows import reason_column

    complete = np.asarray(rows["complete"], dtype=bool).tolist()
    reasons = reason_column([None if done else UNRECORDED for done in complete])
    if isinstance(rows, pa.Table):
        return rows.append_column("incomplete_reason", reasons)
    return rows.assign(incomplete_reason=reasons.to_pylist())


def count_regimes(
    counts: dict[str, int],
    rows: pd.DataFrame | pa.Table,
    last: int = -1,
    reasons: dict[str, int] | None = None,
) -> int:
    """Add to ``counts`` the regime of each point whose first row is in ``rows``.

    A point's rows are consecutive; ``last`` is the point of the row just before ``rows`` (-1
    for none), whose rows continued here are not counted again. Returns the last row's point.
    ``rows`` is a frame or an Arrow table (a chunk as it is solved, counted without a frame);
    the regime column may be dictionary-encoded: only the codes are counted. Given ``reasons``,
    the ``incomplete_reason`` of each incomplete point is counted there alike.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = {}
    >>> rows = pd.DataFrame({"point": [0, 0, 1, 2], "regime": pd.Categorical(["a", "a", "b", "a"])})
    >>> count_regimes(counts, rows), counts
    (2, {'a': 2, 'b': 1})
    >>> count_regimes(counts, rows.iloc[3:], last=2), counts
    (2, {'a': 2, 'b': 1})
    >>> as_arrow = {}
    >>> count_regimes(as_arrow, pa.Table.from_pandas(rows)), as_arrow
    (2, {'a': 2, 'b': 1})
    >>> reasons = {}
    >>> why = pd.Series([None, None, "max_seconds", None], dtype="str")
    >>> count_regimes({}, rows.assign(incomplete_reason=why), reasons=reasons), reasons
    (2, {'max_seconds': 1})
    """
    arrow = isinstance(rows, pa.Table)  # counted without converting it (which loads pandas)
    point = numeric_values(rows["point"]) if arrow else np.asarray(rows["point"])
    if not point.size:
        return last
    first = np.empty(point.size, dtype=bool)
    first[0] = point[0] != last
    np.not_equal(point[1:], point[:-1], out=first[1:])
    _tally(counts, rows["regime"], first)
    if reasons is not None:
        why = rows["incomplete_reason"]  # null where complete: a complete chunk is not tallied
        if (why.null_count if arrow else int(why.isna().sum())) < point.size:
            _tally(reasons, why, first)
    return int(point[-1])


def _tally(counts: dict[str, int], column: Any, first: NDArray[np.bool_]) -> None:
    """Add to ``counts`` each value of ``column`` (Arrow or pandas) at the rows marked ``first``.

    Missing values (null, NaN) are not counted.
    """
    values: Iterable[tuple[Any, int]]
    if isinstance(column, pa.ChunkedArray):
        values = _arrow_counts(column, first)
    else:
        values = column[first].value_counts(sort=False).items()
    for value, count in values:
        if count and value is not None:
            counts[str(value)] = counts.get(str(value), 0) + int(count)


def _arrow_counts(column: pa.ChunkedArray, first: NDArray[np.bool_]) -> list[tuple[Any, int]]:
    """Each value of ``column`` at the rows marked ``first``, and how often, by first appearance.

    A dictionary-encoded column is counted by its codes in numpy, without importing
    ``pyarrow.compute`` (see :func:`_conformed`).
    """
    array = column.combine_chunks()
    if not pa.types.is_dictionary(array.type) or array.null_count:
        import pyarrow.compute as pc  # imported when used: see above

        found = pc.value_counts(array.filter(numeric_array(first)))
        return list(
            zip(found.field("values").to_pylist(), found.field("counts").to_pylist(), strict=True)
        )
    codes = numeric_values(array.indices)[first]
    tallies = np.bincount(codes, minlength=len(array.dictionary))
    seen = np.unique(codes, return_index=True)[1]
    order = codes[np.sort(seen)]
    words = array.dictionary.to_pylist()
    return [(words[k], int(tallies[k])) for k in order]


def _batches(
    file: Path, columns: list[str], types: dict[str, str] | None
) -> Iterator[pd.DataFrame | pa.Table]:
    if file.suffix == ".csv":
        for batch in _read_csv(file, types, columns, chunksize=BATCH_ROWS):
            yield restore(batch)
    elif file.suffix == f".{ARROW_PART}":
        yield read_part(file, columns)  # one chunk: already bounded
    else:
        for batch in pq.ParquetFile(file).iter_batches(BATCH_ROWS, columns=columns):
            yield pa.Table.from_batches([batch])  # counted by dictionary code, without a frame


def head_rows(path: str | os.PathLike[str], n: int) -> pd.DataFrame:
    """The first ``n`` rows of a sweep file (or of its first finished chunk)."""
    file = Path(path)
    store = SweepStore(file, format_of(file))
    first = file if file.exists() else store.finished()[0]
    if store.format == "csv":
        return restore(_read_csv(first, store.column_types([first])[0], nrows=n))
    if first.suffix == f".{ARROW_PART}":
        return decoded(read_part(first).slice(0, n).to_pandas())
    rows: pd.DataFrame = next(pq.ParquetFile(first).iter_batches(n)).to_pandas()
    return decoded(rows)


def _read(
    file: Path, format: Format, columns: list[str] | None, types: dict[str, str] | None
) -> pd.DataFrame:
    import pandas as pd  # imported when used: a sweep written to a file makes no frame

    if format == "csv":
        rows = _read_csv(file, types, columns)
        return restore(rows[columns] if columns else rows)
    if file.suffix == f".{ARROW_PART}":
        return decoded(read_part(file, columns).to_pandas())
    return decoded(pd.read_parquet(file, columns=columns))
