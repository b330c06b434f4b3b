"""The defaults and least values of the options of sweeps and analyses, and the syntax of outputs.

The command line shows them in each command's help. They live here, in a module that imports
nothing, rather than in the modules that use them, which import numpy and pandas: so
``kurilsim COMMAND --help`` loads neither. Each of those modules takes its own from here.

Examples
--------
>>> DEFAULT_MAX_MEMORY // 2**20, DEFAULT_RESOLUTION
(1024, 1001)
"""

#: Points per chunk of a sweep by default for vectorised methods, and most for methods solved
#: game by game.
ARRAY_CHUNK, GAME_CHUNK = 16_384, 64

#: Default limit on the estimated memory of one chunk of a sweep, in bytes.
DEFAULT_MAX_MEMORY = 1 << 30

#: Default calibration ensemble: walkers, steps, steps between checkpoints.
DEFAULT_WALKERS = 16
DEFAULT_STEPS = 200
DEFAULT_CHECKPOINT = 10
#: Fewest walkers: each walker's stretch move draws another walker of the ensemble.
MIN_WALKERS = 2

#: Points a backtest draws from each scenario's parameter box for robustness.
BACKTEST_SAMPLES = 2_000

#: Grid values along each parameter's range in a tipping-point scan.
DEFAULT_RESOLUTION = 1001
#: Fewest grid values a scan takes: the two ends of the range.
MIN_RESOLUTION = 2

#: Fewest base samples either sensitivity method takes.
MIN_SAMPLES = 2

#: The kinds of scalar output of a scenario and what follows the kind's name: shown in help and
#: in error messages.
OUTPUT_SYNTAX = (
    "deal-share[:CONDITION]",
    "deal-any[:CONDITION]",
    "regime:LABEL",
    "payoff:PLAYER",
    "qre-deal:LAMBDA[:CONDITION]",
)
