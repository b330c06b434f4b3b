"""kurilsim: game models of the Russia-Japan territorial dispute in the southern Kuril Islands.

Scenario files turn expert analysis into games; solvers return every equilibrium the game form
calls for, each verified by its largest gain from a unilateral deviation. ``kurilsim.plot(result)``
draws any result that has a figure (:func:`kurilsim.presentation.figures.plot`).

The public names are imported on first use (PEP 562), so that ``import kurilsim`` and the command
line load only the modules, and the heavy libraries (pandas, matplotlib, scipy's solvers), that
the work at hand needs.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kurilsim.analysis.calibration import Calibration, calibrate
    from kurilsim.analysis.comparison import Comparison, compare
    from kurilsim.analysis.learning import LearningPath, learn
    from kurilsim.analysis.sensitivity import Sensitivity, sensitivity
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
    from kurilsim.presentation.figures import plot
    from kurilsim.solving import run, solve
    from kurilsim.sweeps import SweepResult, sweep

#: The module each public name comes from.
_ORIGINS = {
    "Calibration": "kurilsim.analysis.calibration",
    "calibrate": "kurilsim.analysis.calibration",
    "Comparison": "kurilsim.analysis.comparison",
    "Sensitivity": "kurilsim.analysis.sensitivity",
    "sensitivity": "kurilsim.analysis.sensitivity",
    "compare": "kurilsim.analysis.comparison",
    "LearningPath": "kurilsim.analysis.learning",
    "learn": "kurilsim.analysis.learning",
    "InputError": "kurilsim.core.errors",
    "IterationLimitError": "kurilsim.core.errors",
    "KurilsimError": "kurilsim.core.errors",
    "Scenario": "kurilsim.core.scenario",
    "__version__": "kurilsim.core.version",
    "BargainingProblem": "kurilsim.forms.bargaining.game",
    "BargainingSolution": "kurilsim.forms.bargaining.result",
    "solve_bargaining": "kurilsim.forms.bargaining.solve",
    "Conflict": "kurilsim.forms.conflict.game",
    "StabilityTable": "kurilsim.forms.conflict.stability",
    "stability": "kurilsim.forms.conflict.stability",
    "read_efg": "kurilsim.forms.extensive.efg",
    "write_efg": "kurilsim.forms.extensive.efg",
    "ExtensiveFormGame": "kurilsim.forms.extensive.game",
    "TreeSolution": "kurilsim.forms.extensive.result",
    "solve_tree": "kurilsim.forms.extensive.solve",
    "NormalFormGame": "kurilsim.forms.normal.game",
    "read_nfg": "kurilsim.forms.normal.nfg",
    "write_nfg": "kurilsim.forms.normal.nfg",
    "Equilibrium": "kurilsim.forms.normal.result",
    "Solution": "kurilsim.forms.normal.result",
    "METHODS": "kurilsim.forms.normal.solve",
    "load_scenario": "kurilsim.forms.registry",
    "parse_scenario": "kurilsim.forms.registry",
    "plot": "kurilsim.presentation.figures",
    "run": "kurilsim.solving",
    "solve": "kurilsim.solving",
    "SweepResult": "kurilsim.sweeps",
    "sweep": "kurilsim.sweeps",
}

__all__ = [
    "METHODS",
    "BargainingProblem",
    "BargainingSolution",
    "Calibration",
    "Comparison",
    "Conflict",
    "Equilibrium",
    "ExtensiveFormGame",
    "InputError",
    "IterationLimitError",
    "KurilsimError",
    "LearningPath",
    "NormalFormGame",
    "Scenario",
    "Sensitivity",
    "Solution",
    "StabilityTable",
    "SweepResult",
    "TreeSolution",
    "__version__",
    "calibrate",
    "compare",
    "learn",
    "load_scenario",
    "parse_scenario",
    "plot",
    "read_efg",
    "read_nfg",
    "run",
    "sensitivity",
    "solve",
    "solve_bargaining",
    "solve_tree",
    "stability",
    "sweep",
    "write_efg",
    "write_nfg",
]


# Hidden from type checkers, which see the imports above instead: a misspelt name stays an error.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Import a public name from its module on first use."""
        if name not in _ORIGINS:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(import_module(_ORIGINS[name]), name)
        globals()[name] = value  # later uses find it without calling this function
        return value

    def __dir__() -> list[str]:
        """The module's names, those not yet imported included."""
        return sorted({*globals(), *_ORIGINS})
