"""Parameter sweeps: a scenario solved over grids and Monte Carlo samples, as a tidy table.

The pipeline: a :class:`~kurilsim.sweeps.spec.SweepSpec` (grid, samples, seed) is checked against a
scenario into a :class:`~kurilsim.sweeps.spec.PointSet`; :mod:`~kurilsim.sweeps.engine` solves it a
chunk at a time; :mod:`~kurilsim.sweeps.store` writes the chunks as they finish; the result is a
:class:`~kurilsim.sweeps.result.SweepResult`, which :mod:`kurilsim.presentation` draws.
"""

from kurilsim.sweeps.info import SweepInfo
from kurilsim.sweeps.result import SweepResult, read_sweep
from kurilsim.sweeps.run import sweep
from kurilsim.sweeps.spec import GridAxis, SweepSpec

__all__ = [
    "GridAxis",
    "SweepInfo",
    "SweepResult",
    "SweepSpec",
    "read_sweep",
    "sweep",
]
