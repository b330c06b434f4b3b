"""The main job as one call: a scenario or .nfg file to verified equilibria."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from kurilsim.errors import InputError
from kurilsim.games.normal_form import NormalFormGame
from kurilsim.io.nfg import read_nfg
from kurilsim.scenario import load_scenario
from kurilsim.solvers.regret import DEFAULT_TOL
from kurilsim.solvers.result import Solution
from kurilsim.solvers.solve import solve

#: File name endings read as scenario files.
SCENARIO_SUFFIXES = (".yaml", ".yml")


def load_game(
    path: str | os.PathLike[str], overrides: Mapping[str, float] | None = None
) -> tuple[NormalFormGame, dict[str, float]]:
    """Read a game from a scenario file (at parameter values) or a Gambit ``.nfg`` file.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml`` scenario or a ``.nfg`` file.
    overrides
        Parameter values for a scenario; defaults fill the rest.

    Returns
    -------
    game, parameters
        The game and the parameter values it was built at (empty for ``.nfg``).

    Raises
    ------
    InputError
        For an unknown file type, a bad file, or parameters given for a ``.nfg`` file.
    """
    name = os.fspath(path)
    if name.lower().endswith(".nfg"):
        if overrides:
            raise InputError("parameters can only be set for scenario files", file=name)
        return read_nfg(name), {}
    if name.lower().endswith(SCENARIO_SUFFIXES):
        scenario = load_scenario(name)
        values = scenario.parameter_values(overrides)
        return scenario.game(overrides), {k: float(v) for k, v in values.items()}
    raise InputError("unknown file type; expected a .yaml/.yml scenario or a .nfg game", file=name)


def run(
    path: str | os.PathLike[str],
    overrides: Mapping[str, float] | None = None,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    **options: Any,
) -> Solution:
    """Load a scenario or ``.nfg`` file and solve it: what ``kurilsim run`` does.

    See :func:`load_game` and :func:`kurilsim.solve` for the arguments.
    """
    game, parameters = load_game(path, overrides)
    return solve(game, method=method, tol=tol, parameters=parameters, **options)
