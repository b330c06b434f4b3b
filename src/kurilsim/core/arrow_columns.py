"""Arrow arrays made straight from numpy buffers, without pyarrow's conversion machinery.

``pyarrow.array`` imports pandas on its first call, whatever it converts (0.3 s of start-up);
a sweep written to a file has no other use for pandas. Numbers are wrapped without a copy,
booleans packed to bits, strings laid out as offsets and bytes, as Arrow stores them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray


def numeric_array(values: NDArray[np.generic]) -> pa.Array:
    """A numeric or boolean 1-D numpy array as an Arrow array, without nulls.

    Examples
    --------
    >>> numeric_array(np.array([1.5, 2.0])).to_pylist()
    [1.5, 2.0]
    >>> numeric_array(np.array([True, False, True])).to_pylist()
    [True, False, True]
    """
    values = np.ascontiguousarray(values)
    if not values.dtype.isnative:
        # Arrow reads the buffer in this machine's byte order: swap the bytes of any other.
        values = values.astype(values.dtype.newbyteorder("="))
    if values.dtype == np.bool_:
        bits = np.packbits(values.view(np.uint8), bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), values.size, [None, pa.py_buffer(bits)])
    kind = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(kind, values.size, [None, pa.py_buffer(values)])


def dictionary_array(words: Sequence[str], codes: NDArray[np.integer]) -> pa.DictionaryArray:
    """The strings ``words[codes]``, dictionary-encoded: the words stored once, codes per row.

    A negative code is a null.

    Examples
    --------
    >>> dictionary_array(["a", "b"], np.array([1, 0, 1], dtype=np.int8)).to_pylist()
    ['b', 'a', 'b']
    >>> dictionary_array(["a"], np.array([-1, 0], dtype=np.int8)).to_pylist()
    [None, 'a']
    """
    indices = numeric_array(codes)
    present = np.asarray(codes) >= 0
    if not present.all():
        valid = pa.py_buffer(np.packbits(present, bitorder="little"))
        indices = pa.Array.from_buffers(indices.type, len(indices), [valid, indices.buffers()[1]])
    return pa.DictionaryArray.from_arrays(indices, string_array(words))


def string_array(words: Sequence[str], large: bool = False) -> pa.Array:
    """The strings as an Arrow string array (``large_string``, 64-bit offsets, if ``large``).

    Examples
    --------
    >>> string_array(["é", "", "ab"], large=True).to_pylist()
    ['é', '', 'ab']
    """
    encoded = [word.encode("utf-8") for word in words]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64 if large else np.int32)
    np.cumsum([len(word) for word in encoded], out=offsets[1:])
    kind = pa.large_string() if large else pa.string()
    return pa.Array.from_buffers(
        kind, len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


def numeric_values(array: pa.Array | pa.ChunkedArray) -> NDArray[np.generic]:
    """The values of a numeric Arrow array without nulls, as numpy (no copy of one chunk).

    Examples
    --------
    >>> numeric_values(numeric_array(np.arange(5)).slice(2)).tolist()
    [2, 3, 4]
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.null_count or (
        not pa.types.is_integer(array.type) and not pa.types.is_floating(array.type)
    ):
        raise ValueError(f"expected numbers without nulls, got {array.type}")
    dtype = np.dtype(array.type.to_pandas_dtype())
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    )
