"""The main job as one call: a scenario, .nfg or .efg file to verified equilibria."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from kurilsim.core.errors import InputError
from kurilsim.forms.bargaining.result import BargainingSolution
from kurilsim.forms.conflict.stability import StabilityTable
from kurilsim.forms.extensive.efg import read_efg
from kurilsim.forms.extensive.result import TreeSolution
from kurilsim.forms.extensive.solve import solve_tree
from kurilsim.forms.loader import load_scenario
from kurilsim.forms.normal.nfg import read_nfg
from kurilsim.forms.normal.regret import DEFAULT_TOL
from kurilsim.forms.normal.result import Solution
from kurilsim.forms.normal.solve import solve

#: File name endings read as scenario files.
SCENARIO_SUFFIXES = (".yaml", ".yml")


def run(
    path: str | os.PathLike[str],
    overrides: Mapping[str, float] | None = None,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    **options: Any,
) -> Solution | BargainingSolution | StabilityTable | TreeSolution:
    """Load a scenario, ``.nfg`` or ``.efg`` file and solve it: what ``kurilsim run`` does.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml`` scenario, a ``.nfg`` game or an ``.efg`` game tree (solved by
        :func:`kurilsim.solve_tree`).
    overrides
        Parameter values for a scenario; defaults fill the rest.
    method, tol, options
        As for :func:`kurilsim.solve`, or for the scenario's ``solve`` when its game form is not
        the normal form (e.g. :meth:`BargainingScenario.solve
        <kurilsim.forms.bargaining.scenario.BargainingScenario.solve>`); the form picks the solver.

    Raises
    ------
    InputError
        For an unknown file type, a bad file, or parameters given for a ``.nfg``/``.efg`` file.
    """
    name = os.fspath(path)
    if name.lower().endswith((".nfg", ".efg")) and overrides:
        raise InputError("parameters can only be set for scenario files", file=name)
    if name.lower().endswith(".nfg"):
        return solve(read_nfg(name), method=method, tol=tol, **options)
    if name.lower().endswith(".efg"):
        return solve_tree(read_efg(name), method=method, tol=tol, **options)
    if not name.lower().endswith(SCENARIO_SUFFIXES):
        raise InputError(
            "unknown file type; expected a .yaml/.yml scenario, a .nfg game or a .efg game tree",
            file=name,
        )
    return load_scenario(name).solve(overrides, method, tol, **options)
