"""Game forms, independent of scenario files."""

from kurilsim.games.bargaining import BargainingProblem
from kurilsim.games.conflict import Conflict
from kurilsim.games.extensive_form import Chance, Decision, ExtensiveFormGame, Terminal
from kurilsim.games.normal_form import NormalFormGame

__all__ = [
    "BargainingProblem",
    "Chance",
    "Conflict",
    "Decision",
    "ExtensiveFormGame",
    "NormalFormGame",
    "Terminal",
]
