"""kurilsim: game models of the Russia-Japan territorial dispute in the southern Kuril Islands.

Scenario files turn expert analysis into games; solvers return every equilibrium the game form
calls for, each verified by its largest gain from a unilateral deviation. ``kurilsim.plot(result)``
draws any result that has a figure (:func:`kurilsim.presentation.figures.plot`); matplotlib loads
when it is first used.
"""

from typing import Any

from kurilsim.analysis.comparison import Comparison, compare
from kurilsim.core.errors import InputError, IterationLimitError, KurilsimError
from kurilsim.core.scenario import Scenario
from kurilsim.core.version import __version__
from kurilsim.forms.bargaining.game import BargainingProblem
from kurilsim.forms.bargaining.result import BargainingSolution
from kurilsim.forms.bargaining.solve import solve_bargaining
from kurilsim.forms.conflict.game import Conflict
from kurilsim.forms.conflict.stability import StabilityTable, stability
from kurilsim.forms.extensive.efg import read_efg, write_efg
from kurilsim.forms.extensive.game import ExtensiveFormGame
from kurilsim.forms.extensive.result import TreeSolution
from kurilsim.forms.extensive.solve import solve_tree
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.nfg import read_nfg, write_nfg
from kurilsim.forms.normal.result import Equilibrium, Solution
from kurilsim.forms.normal.solve import METHODS
from kurilsim.forms.registry import load_scenario, parse_scenario
from kurilsim.solving import run, solve
from kurilsim.sweeps import SweepResult, sweep

__all__ = [
    "METHODS",
    "BargainingProblem",
    "BargainingSolution",
    "Comparison",
    "Conflict",
    "Equilibrium",
    "ExtensiveFormGame",
    "InputError",
    "IterationLimitError",
    "KurilsimError",
    "NormalFormGame",
    "Scenario",
    "Solution",
    "StabilityTable",
    "SweepResult",
    "TreeSolution",
    "__version__",
    "compare",
    "load_scenario",
    "parse_scenario",
    "plot",
    "read_efg",
    "read_nfg",
    "run",
    "solve",
    "solve_bargaining",
    "solve_tree",
    "stability",
    "sweep",
    "write_efg",
    "write_nfg",
]


def __getattr__(name: str) -> Any:
    """``kurilsim.plot``, imported when first used so that matplotlib loads only for figures."""
    if name == "plot":
        from kurilsim.presentation.figures import plot

        globals()["plot"] = plot
        return plot
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
