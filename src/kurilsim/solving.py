"""The solve stage: any game or scenario to verified answers, and the main job as one call.

:func:`solve` takes a game of any registered form (or a scenario) and dispatches to its form;
:func:`run` reads a scenario, ``.nfg`` or ``.efg`` file and solves it, as ``kurilsim run`` does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kurilsim.core.arguments import (
    check_mapping,
    check_path,
    check_real,
    check_solver_options,
    check_text,
)
from kurilsim.core.errors import InputError, in_file
from kurilsim.core.result import Result
from kurilsim.core.scenario import Scenario
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.registry import form_of_game, load_scenario

if TYPE_CHECKING:
    from kurilsim.forms.extensive.game import ExtensiveFormGame
    from kurilsim.forms.information.game import InformationTree
    from kurilsim.forms.normal.game import NormalFormGame

#: File name endings read as scenario files.
SCENARIO_SUFFIXES = (".yaml", ".yml")
#: File name endings read as Gambit games.
GAME_SUFFIXES = (".nfg", ".efg")


def solve(
    game: Any,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    parameters: Mapping[str, float] | None = None,
    **options: Any,
) -> Result:
    """Solve a game or a scenario under its form's methods, verifying every answer.

    Parameters
    ----------
    game
        A game of any registered form (a :class:`~kurilsim.NormalFormGame`, an
        :class:`~kurilsim.ExtensiveFormGame`, a :class:`~kurilsim.BargainingProblem`, a
        :class:`~kurilsim.Conflict` ...), or a :class:`~kurilsim.core.scenario.Scenario`, solved
        at ``parameters`` (defaults for the rest).
    method
        ``"auto"`` (what the game calls for), or one of the form's methods, e.g. for a normal-form
        game ``"pure"``, ``"vertex-enumeration"``, ``"lemke-howson"``,
        ``"support-enumeration"``, ``"logit"`` (:data:`kurilsim.METHODS`).
    tol
        Relative tolerance, multiplied by the game's payoff scale.
    parameters
        For a game: the scenario parameter values it was built at, recorded in the result. For a
        scenario: the parameter values to solve it at.
    **options
        Options of the method, e.g. ``max_iter`` or ``max_seconds``.

    Returns
    -------
    Result
        The form's result type: a :class:`~kurilsim.Solution` for a normal-form game, a
        :class:`~kurilsim.TreeSolution`, a :class:`~kurilsim.BargainingSolution`, a
        :class:`~kurilsim.StabilityTable`, or for the other forms a ``BehaviourSolution``
        (information sets), ``SignallingSolution`` or ``BayesianSolution`` (incomplete
        information), ``RepeatedSolution``, or ``DynamicSolution`` (``DynamicEquilibria`` with
        ``selection="all"``).

    Raises
    ------
    ArgumentTypeError
        For an object no form solves, or an argument or option of the wrong type.
    InputError
        For an unknown method or option, a method that does not apply to the game, an option
        out of range, or a tolerance that is not a small positive number.
    IterationLimitError
        When a method that returns a single equilibrium hits its bound.

    Examples
    --------
    >>> import numpy as np
    >>> from kurilsim import NormalFormGame, solve
    >>> pennies = NormalFormGame(["Even", "Odd"], [["H", "T"], ["H", "T"]],
    ...                          np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]))
    >>> solution = solve(pennies)
    >>> [eq.kind for eq in solution], solution[0].profile[0].round(3).tolist()
    (['mixed'], [0.5, 0.5])
    >>> from kurilsim.forms import catalogue
    >>> solve(catalogue.entry_deterrence()).method
    'backward-induction'
    """
    method = check_text("method", method)
    values = check_mapping("parameters", parameters, check_real)
    options = check_solver_options(options)
    if isinstance(game, Scenario):
        return game.solve(values, method, tol, **options)
    form = form_of_game(game)
    return form.solve(game, method, tol, values, **options)


def run(
    path: str | os.PathLike[str],
    overrides: Mapping[str, float] | None = None,
    method: str = "auto",
    tol: float = DEFAULT_TOL,
    **options: Any,
) -> Result:
    """Load a scenario, ``.nfg`` or ``.efg`` file and solve it: what ``kurilsim run`` does.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml`` scenario, a ``.nfg`` game or an ``.efg`` game tree.
    overrides
        Parameter values for a scenario; defaults fill the rest.
    method, tol, options
        As for :func:`solve`; the game's form picks the solver.

    Returns
    -------
    Result
        The form's result type, as :func:`solve` returns it.

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For an unknown file type, a bad file, or parameters given for a ``.nfg``/``.efg`` file.

    Examples
    --------
    >>> from kurilsim import run
    >>> run("scenarios/sequence_1956.yaml").method
    'backward-induction'
    """
    name = check_path("path", path)
    overrides = check_mapping("overrides", overrides, check_real)
    if name.lower().endswith(GAME_SUFFIXES):
        if overrides:
            raise InputError("parameters can only be set for scenario files", file=name)
        game = read_game(name)
        with in_file(name):
            return solve(game, method, tol, **options)
    if not name.lower().endswith(SCENARIO_SUFFIXES):
        raise InputError(
            "unknown file type; expected a .yaml/.yml scenario, a .nfg game or a .efg game tree",
            file=name,
        )
    return load_scenario(name).solve(overrides, method, tol, **options)


def read_game(
    path: str | os.PathLike[str],
) -> NormalFormGame | ExtensiveFormGame | InformationTree:
    """Read a Gambit game: a ``.nfg`` file as a normal-form game, an ``.efg`` file as a tree.

    A tree of perfect information (every information set one node) is an
    :class:`~kurilsim.ExtensiveFormGame`, solved by backward induction; one with larger
    information sets an :class:`~kurilsim.forms.information.game.InformationTree`.

    Names the file leaves empty or repeats are made unique; the game's ``notes`` say which.

    Raises
    ------
    ArgumentTypeError
        If ``path`` is not a path.
    InputError
        If the file is neither ``.nfg`` nor ``.efg``, or cannot be read as one.

    Examples
    --------
    >>> from kurilsim.solving import read_game
    >>> read_game("scenarios/sochi_2016.yaml")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: scenarios/sochi_2016.yaml: not a .nfg or .efg game
    """
    name = check_path("path", path)
    # The readers are imported for the kind of file read, so that solving a scenario loads none.
    if name.lower().endswith(".nfg"):
        from kurilsim.forms.normal.nfg import read_nfg

        return read_nfg(name)
    if name.lower().endswith(".efg"):
        from kurilsim.forms.information.efg import read_efg

        tree = read_efg(name)
        return tree.to_extensive() if tree.has_perfect_information else tree
    raise InputError("not a .nfg or .efg game", file=name)
