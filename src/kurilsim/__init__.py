"""kurilsim: game models of the Russia-Japan territorial dispute in the southern Kuril Islands.

Scenario files turn expert analysis into games; solvers return every equilibrium the game form
calls for, each verified by its largest gain from a unilateral deviation.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kurilsim.analysis.comparison import Comparison, compare
    from kurilsim.core.errors import InputError, IterationLimitError, KurilsimError
    from kurilsim.forms.bargaining.game import BargainingProblem
    from kurilsim.forms.bargaining.result import BargainingSolution
    from kurilsim.forms.bargaining.solve import solve_bargaining
    from kurilsim.forms.conflict.game import Conflict
    from kurilsim.forms.conflict.stability import StabilityTable, stability
    from kurilsim.forms.extensive.efg import read_efg, write_efg
    from kurilsim.forms.extensive.game import ExtensiveFormGame
    from kurilsim.forms.extensive.result import TreeSolution
    from kurilsim.forms.extensive.solve import solve_tree
    from kurilsim.forms.loader import load_scenario, parse_scenario
    from kurilsim.forms.normal.game import NormalFormGame
    from kurilsim.forms.normal.nfg import read_nfg, write_nfg
    from kurilsim.forms.normal.result import Equilibrium, Solution
    from kurilsim.forms.normal.scenario import Scenario
    from kurilsim.forms.normal.solve import METHODS, solve
    from kurilsim.solving import run
    from kurilsim.sweeps import SweepResult, sweep

    __version__: str

#: The module each public name comes from. Names are imported on first use (PEP 562), so that
#: ``import kurilsim`` and the command line load only the modules, and the heavy libraries
#: (pandas, matplotlib, scipy's solvers), that the work at hand needs.
_ORIGINS = {
    "Comparison": "kurilsim.analysis.comparison",
    "compare": "kurilsim.analysis.comparison",
    "InputError": "kurilsim.core.errors",
    "IterationLimitError": "kurilsim.core.errors",
    "KurilsimError": "kurilsim.core.errors",
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
    "load_scenario": "kurilsim.forms.loader",
    "parse_scenario": "kurilsim.forms.loader",
    "NormalFormGame": "kurilsim.forms.normal.game",
    "read_nfg": "kurilsim.forms.normal.nfg",
    "write_nfg": "kurilsim.forms.normal.nfg",
    "Equilibrium": "kurilsim.forms.normal.result",
    "Solution": "kurilsim.forms.normal.result",
    "Scenario": "kurilsim.forms.normal.scenario",
    "METHODS": "kurilsim.forms.normal.solve",
    "solve": "kurilsim.forms.normal.solve",
    "run": "kurilsim.solving",
    "SweepResult": "kurilsim.sweeps",
    "sweep": "kurilsim.sweeps",
}


# Hidden from type checkers, which see the imports above instead: a misspelt name stays an error.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Import a public name from its module on first use."""
        if name == "__version__":
            value = _installed_version()
        elif name in _ORIGINS:
            value = getattr(import_module(_ORIGINS[name]), name)
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value  # later uses find it without calling this function
        return value

    def __dir__() -> list[str]:
        """The module's names, those not yet imported included."""
        return sorted({*globals(), *_ORIGINS, "__version__"})


def _installed_version() -> str:
    """The version of the installed package (``__version__``)."""
    # Imported when asked for: importlib.metadata takes longer to import than the command line.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kurilsim")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


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
