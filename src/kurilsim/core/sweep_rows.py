"""Rows of a sweep table, as every game form returns them for a batch of points."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


class SweepRows(NamedTuple):
    """Rows of a sweep table for a batch of points, as columns.

    Attributes
    ----------
    game
        For each row, the index of its point in the batch.
    columns
        Column name -> one value per row (a list, a numpy array or an Arrow array). Every form
        gives at least ``equilibrium`` (numbered from 1 at each point), ``label`` (the
        outcome's name), ``regime`` (all labels at the row's point), ``complete`` and
        ``incomplete_reason`` (:func:`reason_column`).
    """

    game: IntArray
    columns: dict[str, Any]


def rows_by_point(
    values: Mapping[str, Any],
    solve_point: Callable[[dict[str, Any]], Any],
    rows_of: Callable[[Any], Sequence[Mapping[str, Any]]],
) -> SweepRows:
    """Sweep rows for a form whose games are solved one point at a time.

    Parameters
    ----------
    values
        Parameter name -> a number or a 1-D array; arrays have one length, the batch's.
    solve_point
        Solves the game at one point's values (numbers) and returns its result.
    rows_of
        One mapping per answer of a result, each with a ``label``; other keys become columns.

    Returns
    -------
    SweepRows
        With ``equilibrium`` numbered from 1 at each point, ``regime`` (the distinct labels at the
        point, joined by `` or ``, or ``"none"``), and ``complete`` and ``incomplete_reason``
        from the result.

    Examples
    --------
    >>> import numpy as np
    >>> rows = rows_by_point(
    ...     {"x": np.array([1.0, 2.0])},
    ...     lambda at: at["x"],
    ...     lambda x: [{"label": "low"}] if x < 1.5 else [{"label": "hi"}, {"label": "lo"}] * 2,
    ... )
    >>> rows.game.tolist(), rows.columns["regime"]
    ([0, 1, 1, 1, 1], ['low', 'hi or lo', 'hi or lo', 'hi or lo', 'hi or lo'])
    """
    arrays = {k: np.atleast_1d(v) for k, v in values.items() if np.ndim(v) == 1}
    size = len(next(iter(arrays.values()))) if arrays else 1
    game: list[int] = []
    records: list[dict[str, Any]] = []
    reasons: list[str | None] = []
    for point in range(size):
        at = {k: (float(arrays[k][point]) if k in arrays else v) for k, v in values.items()}
        result = solve_point(at)
        rows = list(rows_of(result)) or [{"label": "none"}]
        regime = " or ".join(dict.fromkeys(str(row["label"]) for row in rows))
        reasons += [getattr(result, "incomplete_reason", None)] * len(rows)
        for number, row in enumerate(rows, start=1):
            game.append(point)
            records.append(
                {
                    "equilibrium": number,
                    **row,
                    "regime": regime,
                    "complete": bool(getattr(result, "complete", True)),
                }
            )
    names = list(dict.fromkeys(k for record in records for k in record))
    columns: dict[str, Any] = {name: [record.get(name) for record in records] for name in names}
    columns["incomplete_reason"] = reason_column(reasons)
    return SweepRows(np.asarray(game, dtype=np.int64), columns)


def reason_column(reasons: Sequence[str | None]) -> Any:
    """The ``incomplete_reason`` column: each row's reason, dictionary-encoded, null if none.

    The reasons are those of :attr:`kurilsim.core.result.Result.incomplete_reason`: few and
    repeated, so stored once per chunk, with a code per row.

    Examples
    --------
    >>> reason_column([None, "max_seconds", "max_seconds"]).to_pylist()
    [None, 'max_seconds', 'max_seconds']
    """
    # Only sweeps build tables: solving a scenario does not load pyarrow.
    from kurilsim.core.arrow_columns import dictionary_array

    words = list(dict.fromkeys(reason for reason in reasons if reason is not None))
    code: dict[str | None, int] = {word: k for k, word in enumerate(words)}
    codes = np.array([code.get(reason, -1) for reason in reasons], dtype=np.int32)
    return dictionary_array(words, codes)


def no_reasons(rows: int) -> Any:
    """The ``incomplete_reason`` column of ``rows`` complete rows: all null.

    Examples
    --------
    >>> no_reasons(2).to_pylist()
    [None, None]
    """
    from kurilsim.core.arrow_columns import dictionary_array

    # 32-bit codes, as :func:`reason_column` and a sweep file have: a column with nulls and
    # narrower codes would be cast to the file's type, which loads ``pyarrow.compute``.
    return dictionary_array([], np.full(rows, -1, dtype=np.int32))


def point_reasons(game: IntArray, reasons: Sequence[str | None], size: int) -> NDArray[np.object_]:
    """Each point's ``incomplete_reason``, from its rows' (a point's rows share their result's).

    An array of ``size`` objects: None where every row of the point is complete, or where the
    point has no row.

    Examples
    --------
    >>> point_reasons(np.array([0, 0, 2]), [None, None, "max_seconds"], 3).tolist()
    [None, None, 'max_seconds']
    """
    out = np.full(size, None, dtype=object)
    given = [k for k, reason in enumerate(reasons) if reason is not None]
    out[game[given]] = [reasons[k] for k in given]
    return out


def merged(pieces: Sequence[SweepRows]) -> SweepRows:
    """The rows of consecutive batches of points as those of one batch.

    The columns are those a form gives for the whole batch: in order of first appearance, a list
    column missing from a batch (a key no row of its points had, as :func:`rows_by_point` gives
    them) being ``None`` there; ``game`` is taken as it is, so number the pieces' points alike
    (by their point in the sweep, say).

    Raises
    ------
    TypeError
        For a column that is neither a list, a numpy array nor an Arrow array, or an array column
        missing from a batch.

    Examples
    --------
    >>> rows = merged([SweepRows(np.array([0]), {"label": ["a"], "x": np.array([1.0])}),
    ...                SweepRows(np.array([1, 1]), {"label": ["b", "c"], "x": np.array([2.0, 3.0]),
    ...                                             "by": ["grim", "minmax"]})])
    >>> rows.game.tolist(), rows.columns["x"].tolist(), rows.columns["by"]
    ([0, 1, 1], [1.0, 2.0, 3.0], [None, 'grim', 'minmax'])
    """
    if len(pieces) == 1:
        return pieces[0]
    import pyarrow as pa  # only sweeps merge rows: solving a scenario does not load pyarrow

    names = dict.fromkeys(name for piece in pieces for name in piece.columns)
    columns: dict[str, Any] = {}
    for name in names:
        parts = [piece.columns.get(name) for piece in pieces]
        if all(isinstance(p, list) or p is None for p in parts):
            columns[name] = [
                value
                for piece, part in zip(pieces, parts, strict=True)
                for value in (part if part is not None else [None] * len(piece.game))
            ]
        elif all(isinstance(p, np.ndarray) for p in parts):
            columns[name] = np.concatenate([p for p in parts if p is not None])
        elif all(isinstance(p, pa.Array) for p in parts):
            columns[name] = pa.concat_arrays(parts)
        else:
            raise TypeError(f"cannot merge the column {name!r} of sweep rows")
    return SweepRows(np.concatenate([piece.game for piece in pieces]), columns)
