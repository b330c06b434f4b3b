"""Parameter sweeps: a scenario solved over grids and Monte Carlo samples, as a tidy table.

The pipeline: a :class:`~kurilsim.sweep.spec.SweepSpec` (grid, samples, seed) is checked against a
scenario into a :class:`~kurilsim.sweep.spec.PointSet`; :mod:`~kurilsim.sweep.engine` solves it a
chunk at a time; :mod:`~kurilsim.sweep.store` writes the chunks as they finish; the result is a
:class:`~kurilsim.sweep.result.SweepResult`, which :mod:`kurilsim.plot` draws.
"""

from kurilsim.sweep.result import SweepInfo, SweepResult
from kurilsim.sweep.run import sweep
from kurilsim.sweep.spec import GridAxis, SweepSpec
from kurilsim.sweep.store import read_sweep
from kurilsim.sweep.tipping import TippingPoints, tipping_points

__all__ = [
    "GridAxis",
    "SweepInfo",
    "SweepResult",
    "SweepSpec",
    "TippingPoints",
    "read_sweep",
    "sweep",
    "tipping_points",
]
