"""Start-up: ``import kurilsim`` and the quick commands load none of the heavy libraries.

Each case runs in a fresh interpreter, since this one has imported everything already. What is
checked is which modules get loaded, never how long that takes.
"""

import json
import os
import subprocess
import sys

import pytest

from kurilsim.cli import COMMANDS
from tests.helpers import ROOT, SCENARIOS

SOCHI = str(SCENARIOS / "sochi_2016.yaml")
ERA_1956 = str(SCENARIOS / "era_1956.yaml")

#: Libraries that only some commands need: tables, figures, Parquet, optimisers, clusters.
HEAVY = ("pandas", "matplotlib", "pyarrow", "scipy.optimize", "dask")
#: What reading, checking and solving a normal-form scenario needs none of: scipy at all (support
#: enumeration takes it only when three or more players mix), pydantic's copy of its first
#: version, and the package metadata that ``--version`` reads (pydantic's plugin look-up loads it
#: once a model is built, so only the commands that build none are checked for it), nor the
#: module that formats tracebacks, which only ``--debug`` prints.
NOT_FOR_SCENARIOS = ("scipy", "pydantic.v1", "traceback")
METADATA = "importlib.metadata"

#: Imports kurilsim, runs the command line with the arguments given as JSON (if any), and prints
#: the names of the loaded modules as JSON on its last line.
SCRIPT = """
import contextlib, io, json, sys
import kurilsim
from kurilsim.cli import main
argv = json.loads(sys.argv[1])
if argv is not None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        assert main(argv) == 0
print(json.dumps(sorted(sys.modules)))
"""


def loaded_modules(argv: list[str] | None) -> set[str]:
    """The modules loaded by ``import kurilsim`` and then ``main(argv)``, in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(argv)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        pytest.param(None, (*HEAVY, "numpy", "pydantic", "yaml", METADATA), id="import kurilsim"),
        pytest.param(["--version"], (*HEAVY, "numpy", "pydantic", "yaml"), id="--version"),
        pytest.param(
            ["--help"], (*HEAVY, "numpy", "pydantic", "yaml", "argcomplete", METADATA), id="--help"
        ),
        pytest.param(
            ["validate", SOCHI], (*HEAVY, *NOT_FOR_SCENARIOS), id="validate a normal-form scenario"
        ),
        pytest.param(
            ["run", ERA_1956],
            # A scenario citing no evidence of its own and sharing no parameters is solved without
            # reading the evidence registry.
            (*HEAVY, *NOT_FOR_SCENARIOS, "kurilsim.core.evidence"),
            id="run era_1956",
        ),
        pytest.param(
            ["run", SOCHI], (*HEAVY, *NOT_FOR_SCENARIOS, "argcomplete"), id="run sochi_2016"
        ),
    ],
)
def test_a_command_loads_only_what_it_needs(argv, absent):
    loaded = loaded_modules(argv)
    # A name stands for its submodules too: "scipy" covers "scipy.linalg".
    assert not [m for m in loaded if m.startswith(tuple(f"{name}." for name in absent))]
    assert not loaded.intersection(absent)


@pytest.mark.parametrize("command", COMMANDS)
def test_the_help_of_every_command_loads_no_numpy(command):
    # Defaults and bounds shown in the help come from kurilsim.core.option_defaults, which imports
    # nothing, not from the modules that use them.
    loaded = loaded_modules([command, "--help"])
    assert "kurilsim.cli." + command in loaded  # the help was built
    assert not loaded.intersection((*HEAVY, "numpy", "pydantic", "yaml"))


#: Runs the ``kurilsim`` command through its entry point with the arguments given as JSON, and
#: prints its exit code and the entry-point groups looked up among the installed distributions.
ENTRY_SCRIPT = """
import contextlib, importlib.metadata, io, json, sys
groups, real = [], importlib.metadata.entry_points
def entry_points(**selection):
    groups.append(selection.get("group"))
    return real(**selection)
importlib.metadata.entry_points = entry_points
from kurilsim.__main__ import entry
sys.argv = ["kurilsim", *json.loads(sys.argv[1])]
with contextlib.redirect_stdout(io.StringIO()):
    code = entry()
print(json.dumps([code, groups]))
"""


@pytest.mark.parametrize(
    ("setting", "groups"),
    [
        pytest.param(None, [], id="unset: no look-up"),
        # The user's own setting is kept: their plugins, or all but those named, still load.
        pytest.param("", ["pydantic"], id="set empty: pydantic looks"),
        pytest.param("some_plugin", ["pydantic"], id="one plugin disabled: pydantic looks"),
    ],
)
def test_the_command_skips_pydantic_plugin_look_up_unless_the_environment_says(setting, groups):
    environment = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if setting is not None:
        environment["PYDANTIC_DISABLE_PLUGINS"] = setting
    done = subprocess.run(
        [sys.executable, "-c", ENTRY_SCRIPT, json.dumps(["validate", SOCHI])],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=environment,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [0, groups]


def test_a_pure_nash_sweep_to_parquet_loads_no_pandas(tmp_path):
    # pyarrow loads pandas on its first conversion of a Python or numpy object: the sweep
    # builds its Arrow columns from buffers, and a frame only when one is asked for; it counts
    # and widens dictionary codes in numpy (pyarrow.compute takes 60 ms to import), and shows
    # no progress bar here (nor imports tqdm).
    argv = ["-q", "sweep", SOCHI, "--grid", "sanctions=0:0.7:30", "--grid", "trust=0:1:20"]
    loaded = loaded_modules([*argv, "--chunk-size", "100", "--out", str(tmp_path / "s.parquet")])
    assert "pyarrow" in loaded and (tmp_path / "s.parquet").exists()
    assert not loaded.intersection(("pandas", "pyarrow.compute", "tqdm", "matplotlib", "dask"))


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_command_loads_the_module_of_no_other_command(command):
    loaded = loaded_modules(["-q", command, ERA_1956])
    assert f"kurilsim.cli.{command}" in loaded
    assert not loaded.intersection(f"kurilsim.cli.{name}" for name in COMMANDS if name != command)


def test_validating_a_normal_form_file_loads_no_other_game_form_and_no_solver():
    loaded = loaded_modules(["validate", SOCHI])
    others = tuple(
        f"kurilsim.forms.{form}"
        for form in ("bargaining", "conflict", "extensive", "bayesian", "dynamic")
    )
    assert not [m for m in loaded if m.startswith(others)]
    assert not loaded.intersection({"kurilsim.forms.normal.solve", "kurilsim.core.concepts"})


@pytest.mark.parametrize("scenario", [ERA_1956, SOCHI], ids=["era_1956", "sochi_2016"])
def test_running_a_scenario_loads_no_game_file_reader_and_only_the_method_it_runs(scenario):
    loaded = loaded_modules(["run", scenario])
    unused = (
        "kurilsim.forms.normal.nfg",
        "kurilsim.forms.information",
        "kurilsim.forms.extensive",
        "kurilsim.io.gambit_text",
        "kurilsim.forms.normal.lemke_howson",
        "kurilsim.forms.normal.logit_qre",
        "kurilsim.core.concepts",  # the solution concepts that compare sets side by side
        # Support enumeration's two-player search, and its certificate of a continuum on which
        # two or more players mix, which neither game (three and four players) has.
        "kurilsim.forms.normal.vertex_enumeration",
        "kurilsim.forms.normal.curve_certificate",
    )
    assert not [m for m in loaded if m.startswith(unused)]
    assert "kurilsim.forms.normal.support_enumeration" in loaded  # what "auto" runs here


def test_a_game_that_dominance_leaves_no_two_mixers_loads_no_box_solver():
    # Sochi's strictly dominated strategies, removed, leave one profile: support enumeration
    # has no support profile on which two or more players mix, so no system to solve.
    box_solvers = {
        "kurilsim.forms.normal.support_boxes",
        "kurilsim.forms.normal.binary_supports",
        "kurilsim.forms.normal.three_strategy_supports",
    }
    assert not loaded_modules(["run", SOCHI]).intersection(box_solvers)
    # era_1956 has such profiles (two of its three players keep a choice).
    assert box_solvers <= loaded_modules(["run", ERA_1956])


def test_the_lazy_names_of_kurilsim_are_its_public_names():
    import kurilsim

    assert set(kurilsim.__all__) <= set(dir(kurilsim))
    assert all(getattr(kurilsim, name) is not None for name in kurilsim.__all__)
    with pytest.raises(AttributeError, match="no attribute 'solver'"):
        _ = kurilsim.solver
