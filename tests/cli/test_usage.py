"""``kurilsim`` alone and ``kurilsim --version``: help a new user gets before anything else."""

import subprocess
import sys

import pytest

import kurilsim
from kurilsim.cli import main


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
