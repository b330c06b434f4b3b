"""Helpers shared by the tests that are not hypothesis generators: where the repository's files
are, comparing lists of mixed-strategy profiles, and running the command line in-process."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kurilsim.cli import main
from kurilsim.forms.normal.regret import FloatArray

#: The repository root, and the scenarios shipped in it.
ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

Profile = tuple[FloatArray, ...]


# --- profiles ----------------------------------------------------------------------------------


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


# --- the command line --------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """Run ``kurilsim`` in-process; its exit code, standard output and standard error."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
