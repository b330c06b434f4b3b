"""Fixtures shared by every test: the repository's folders, a headless matplotlib, and the
hypothesis profiles.

The ``ci`` profile is loaded unless ``HYPOTHESIS_PROFILE`` names another: it is derandomized, so
every run draws the same examples and a failure reproduces exactly. ``explore`` draws new
examples on each run, for hunting bugs locally (``HYPOTHESIS_PROFILE=explore pytest``).
"""

from __future__ import annotations

import compileall
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

import kurilsim
from tests.helpers import ROOT, SCENARIOS

matplotlib.use("Agg")

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def scenarios() -> Path:
    """The folder of scenarios shipped with the repository."""
    return SCENARIOS


@pytest.fixture(scope="module")
def at_root(request: pytest.FixtureRequest) -> Iterator[None]:
    """The repository root as working folder, for a module whose paths are relative to it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(request.config.rootpath)
        yield


@pytest.fixture(scope="session", autouse=True)
def compiled_kurilsim() -> None:
    """kurilsim byte-compiled once, for the many tests that run it in a new process.

    Where bytecode is not written (``PYTHONDONTWRITEBYTECODE``), every such process (a command
    of the docs, a sweep's worker, a notebook's kernel) would compile each module it imports from
    source again. Python reads bytecode it finds whatever that setting; what is up to date is
    left as it is, and a package folder that cannot be written to is left to its installer.
    """
    compileall.compile_dir(Path(kurilsim.__file__).parent, quiet=2)


@pytest.fixture(autouse=True)
def no_kept_sweep_processes() -> Iterator[None]:
    """No test finds, or leaves, worker processes kept from a sweep of another."""
    yield
    engine = sys.modules.get("kurilsim.sweeps.engine")  # not imported here for tests without
    if engine is not None:
        engine.end_kept_processes()


@pytest.fixture
def no_other_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The threads earlier tests left here count as idle, so that a call here may fork.

    They wait on events or queues (tqdm's monitor, a Dask offload pool, a kept sweep pool's
    timer) and hold no library's lock; a thread the test itself starts still counts.
    """
    from kurilsim.core.abandonable import IDLE_THREAD

    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            monkeypatch.setattr(thread, "name", IDLE_THREAD)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The example notebooks, which nbmake runs top to bottom, are slow."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
