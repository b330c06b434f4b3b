"""``kurilsim`` alone, ``--version`` and ``--help``: help a new user gets before anything else."""

import argparse
import re
import shlex
import shutil
import subprocess
import sys

import pytest

import kurilsim
from kurilsim.cli import EPILOG, build_parser, main
from tests.helpers import ROOT


def test_bare_command_prints_usage_with_examples(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: kurilsim")
    assert "kurilsim run scenarios/sochi_2016.yaml" in out
    assert "mkdocs build --strict" in out


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"kurilsim {kurilsim.__version__}"


@pytest.mark.slow
def test_module_entry_point_prints_usage():
    done = subprocess.run(
        [sys.executable, "-m", "kurilsim"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "examples:" in done.stdout


def epilog_examples():
    """The commands `kurilsim --help` shows as examples, continued lines joined."""
    lines = EPILOG.replace("\\\n", " ").splitlines()
    found = [re.match(r"\s+kurilsim (\S.*?)\s{2,}\S", line) for line in lines]
    return [shlex.split(m.group(1)) for m in found if m and "COMMAND" not in m.group(1)]


@pytest.mark.slow
@pytest.mark.parametrize("argv", epilog_examples(), ids=" ".join)
def test_the_examples_of_help_run(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    assert main(["-q", *argv]) == 0, capsys.readouterr().err


def options_with_defaults():
    """Each option of each subcommand that has a default, as `kurilsim COMMAND --help` shows it.

    A choice of format whose default comes first ("a table for people, or JSON for programs")
    is left out: its help says the default by its order.
    """
    top = build_parser()
    (commands,) = (a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    for name in commands.choices:
        (only,) = (
            a for a in build_parser(name)._actions if isinstance(a, argparse._SubParsersAction)
        )
        parser = only.choices[name]
        parser.format_help()  # a command adds its arguments when first used
        for action in parser._actions:
            unset = action.default in (None, False, [], {}, argparse.SUPPRESS)
            first = action.choices is not None and action.default == next(iter(action.choices))
            if action.option_strings and action.help and not unset and not first:
                yield pytest.param(action, id=f"{name} {action.option_strings[-1]}")


@pytest.mark.parametrize("action", list(options_with_defaults()))
def test_an_option_with_a_default_says_it(action):
    assert "default" in action.help
