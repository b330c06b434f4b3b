"""kurilsim: game models of the Russia-Japan territorial dispute in the southern Kuril Islands.

Scenario files turn expert analysis into games; solvers return every equilibrium the game form
calls for, each verified by its largest gain from a unilateral deviation.
"""

from importlib.metadata import PackageNotFoundError, version

from kurilsim.comparison import Comparison, compare
from kurilsim.errors import InputError, IterationLimitError, KurilsimError
from kurilsim.games import BargainingProblem, Conflict, ExtensiveFormGame, NormalFormGame
from kurilsim.io.efg import read_efg, write_efg
from kurilsim.io.nfg import read_nfg, write_nfg
from kurilsim.run import run
from kurilsim.scenario import Scenario, load_scenario, parse_scenario
from kurilsim.solvers.bargaining import solve_bargaining
from kurilsim.solvers.bargaining_result import BargainingSolution
from kurilsim.solvers.conflict_stability import StabilityTable, stability
from kurilsim.solvers.result import Equilibrium, Solution
from kurilsim.solvers.solve import METHODS, solve
from kurilsim.solvers.solve_tree import solve_tree
from kurilsim.solvers.tree_solution import TreeSolution
from kurilsim.sweep import SweepResult, sweep

try:
    __version__ = version("kurilsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

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
