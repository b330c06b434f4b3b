"""The examples users read in README.md and docs/ must work as written."""

import re

import pytest

from kurilsim import parse_scenario
from tests.helpers import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def code_blocks(path, language):
    return re.findall(
        rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL
    )


SCENARIO_BLOCKS = [
    pytest.param(block, id=f"{path.name}-{k}")
    for path in DOCS
    for k, block in enumerate(code_blocks(path, "yaml"))
    if block.startswith("kurilsim: 1")
]
PYTHON_BLOCKS = [
    pytest.param(block, id=f"{path.name}-{k}")
    for path in DOCS
    for k, block in enumerate(code_blocks(path, "python"))
]


def test_docs_have_examples():
    assert SCENARIO_BLOCKS and PYTHON_BLOCKS


@pytest.mark.parametrize("text", SCENARIO_BLOCKS)
def test_scenario_examples_are_valid(text):
    parse_scenario(text, source="example").solve()  # every game form can solve


@pytest.mark.parametrize("code", PYTHON_BLOCKS)
def test_python_examples_run(code, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(code, "example", "exec"), {})


def test_readme_commands_match_ci():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = re.search(r"^python -m pytest.*$", ci, flags=re.MULTILINE).group(0)
    assert test_command in readme
    assert "kurilsim run scenarios/" in readme
