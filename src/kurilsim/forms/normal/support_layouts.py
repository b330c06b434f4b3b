"""Layouts of support profiles, kept between calls for the few profiles of a small game shape.

A game of a given shape asks for the same support profiles on every call, so what a solver
derives from the profiles alone (steps, slots, index tables) is made once for them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

BoolArray = NDArray[np.bool_]
Layout = TypeVar("Layout")
#: Support profiles up to this many keep their layout between calls (a few megabytes at most).
CACHED_SUPPORTS = 1024


def kept_between_calls(
    make: Callable[[tuple[int, ...], list[BoolArray]], Layout],
) -> Callable[[tuple[int, ...], list[BoolArray]], Layout]:
    """``make(shape, masks)``, its last 16 answers kept for at most ``CACHED_SUPPORTS`` profiles.

    ``masks`` holds one boolean array per player, a row per support profile and a column per
    strategy. A kept layout is made from read-only views of the masks' bytes, so that arrays
    kept between calls cannot be changed by a caller.

    Examples
    --------
    >>> made = []
    >>> count = kept_between_calls(lambda shape, masks: made.append(shape) or len(masks[0]))
    >>> masks = [np.array([[True, False], [True, True]])] * 2
    >>> count((2, 2), masks), count((2, 2), masks), len(made)
    (2, 2, 1)
    """

    @functools.lru_cache(maxsize=16)
    def kept(shape: tuple[int, ...], packed: tuple[bytes, ...]) -> Layout:
        masks = [
            np.frombuffer(b, dtype=bool).reshape(-1, n) for b, n in zip(packed, shape, strict=True)
        ]
        return make(shape, masks)

    @functools.wraps(make)
    def layout(shape: tuple[int, ...], masks: list[BoolArray]) -> Layout:
        if len(masks[0]) > CACHED_SUPPORTS:
            return make(shape, masks)
        return kept(shape, tuple(m.tobytes() for m in masks))

    return layout
