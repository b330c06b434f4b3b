"""Comparing lists of mixed-strategy profiles in tests: equal within a tolerance, each once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kurilsim.forms.normal.regret import FloatArray

Profile = tuple[FloatArray, ...]


def close(p: Profile, q: Profile, atol: float = 1e-6) -> bool:
    """Whether two profiles agree within ``atol`` in every probability."""
    return all(np.allclose(u, v, rtol=0, atol=atol) for u, v in zip(p, q, strict=True))


def distinct(profiles: Sequence[Profile], atol: float = 1e-6) -> list[Profile]:
    """The profiles with near-copies left out, in order."""
    kept: list[Profile] = []
    for p in profiles:
        if not any(close(p, k, atol) for k in kept):
            kept.append(p)
    return kept


def same_sets(found: Sequence[Profile], expected: Sequence[Profile], atol: float = 1e-6) -> bool:
    """Whether two lists hold the same profiles within ``atol``, counting each once."""
    left, right = distinct(found, atol), distinct(expected, atol)
    return len(left) == len(right) and all(any(close(p, q, atol) for q in right) for p in left)
