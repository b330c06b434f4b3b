"""Arrow arrays made from numpy buffers hold the numpy values, whatever their layout."""

from __future__ import annotations

import numpy as np
import pytest

from kurilsim.core.arrow_columns import numeric_array, numeric_values


@pytest.mark.parametrize("dtype", [">i8", "<i8", ">f8", "<f8", ">i2", ">u4"])
def test_a_numeric_array_holds_the_values_in_either_byte_order(dtype: str) -> None:
    values = np.array([1, -2, 300, 0], dtype=np.int64).astype(dtype, casting="unsafe")
    array = numeric_array(values)
    assert array.to_pylist() == values.tolist()
    assert numeric_values(array).tolist() == values.tolist()


def test_a_strided_array_is_taken_by_its_values() -> None:
    values = np.arange(10.0)[::-3]
    assert numeric_array(values).to_pylist() == values.tolist()
