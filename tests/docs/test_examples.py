"""The examples users read in README.md and docs/ must work as written."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kurilsim import compare, parse_scenario
from kurilsim.analysis.backtest import backtest_scenario
from kurilsim.cli import build_parser
from tests.helpers import ROOT

DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "docs" / "reference").glob("*.md")),
]
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))

#: Commands of the docs that set up an environment: the installs are what the continuous
#: integration runs from a fresh clone, and the test command is this suite.
SETUP = ("python3 -m venv ", ". .venv/bin/activate", "pip install ", "mkdocs ", "python -m pytest")
#: Commands of the docs that the tests do not run, each with the reason.
NOT_RUN = {
    "python benchmarks/bench_startup.py --runs 15": "times 15 start-ups of every command "
    "(a minute or more); tests/cli/test_startup.py runs the same measurement once",
    "kurilsim sweep scenarios/sochi_2016.yaml --grid sanctions=0:0.7:141 --grid trust=0:1:101 "
    "--method support-enumeration --engine dask --scheduler tcp://scheduler-host:8786 "
    "--out mixed.parquet --resume": "needs a running Dask cluster at scheduler-host; "
    "tests/sweeps/test_engine_dask.py runs such a command on a cluster started in another "
    "process, by its tcp:// address",
    'eval "$(register-python-argcomplete kurilsim)"': "changes the calling shell; "
    "tests/cli/test_conventions.py runs completion in a real shell",
}


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
#: A scenario block, then, before the next scenario, the output the page says it prints.
PRINTED = (
    r"```yaml\n(kurilsim: 1\n(?:(?!```).)*?)```\n"
    r"(?:(?!```yaml).)*?The example prints:\n\n```text\n(.*?)```"
)
PRINTED_BLOCKS = [
    pytest.param(found.group(1), found.group(2), id=f"{path.name}-{k}")
    for path in DOCS
    for k, found in enumerate(re.finditer(PRINTED, path.read_text(encoding="utf-8"), re.DOTALL))
]
PYTHON_BLOCKS = [
    pytest.param(block, id=f"{path.name}-{k}")
    for path in DOCS
    for k, block in enumerate(code_blocks(path, "python"))
]


def shell_commands(block):
    """The commands of a ```bash block: continued lines joined, comments dropped, split at &&."""
    lines = block.replace("\\\n", " ").splitlines()
    commands = [re.sub(r"\s+#.*$", "", line).strip() for line in lines]
    parts = [part.strip() for command in commands for part in command.split("&&")]
    return [" ".join(part.split()) for part in parts if part]


def prose(path):
    """A page's text, or a notebook's markdown cells."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text
    cells = json.loads(text)["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def inline_commands(path):
    """The commands the prose quotes on a bundled scenario, as `kurilsim run scenarios/x.yaml`."""
    found = re.findall(r"`(kurilsim\s+[a-z]+\s[^`]*scenarios/[^`]*)`", prose(path))
    return [" ".join(command.split()) for command in found]  # a quote may wrap a line


def saved_files(path):
    """The files a page asks the reader to save: each block followed by 'Save it as X'.

    A scenario is a ```yaml block; a Gambit game, a ```text block.
    """
    text = path.read_text(encoding="utf-8")
    pattern = r"```(?:yaml|text)\n((?:(?!```).)*?)```\s*Save it as `([^`]+)`"  # within one block
    return {name: block for block, name in re.findall(pattern, text, flags=re.DOTALL)}


def shown_commands():
    """Each command the docs and notebooks show, in a block or the prose, with its files, once.

    A command shown on several pages (the quick start repeats some of the guides) runs the same
    way wherever it is shown, when the files the pages ask to save are the same: it is run once.
    """
    pages = {}
    for path in DOCS:
        files = tuple(sorted(saved_files(path).items()))
        blocks = [shell_commands(block) for block in code_blocks(path, "bash")]
        for command in [*(c for block in blocks for c in block), *inline_commands(path)]:
            if not command.startswith(SETUP) and command not in NOT_RUN:
                pages.setdefault((command, files), []).append(path.name)
    for path in NOTEBOOKS:
        for command in inline_commands(path):
            pages.setdefault((command, ()), []).append(path.name)
    return [
        pytest.param(dict(files), command, id=f"{'+'.join(names)}-{command[:60]}")
        for (command, files), names in pages.items()
    ]


COMMANDS = shown_commands()


def test_docs_have_examples():
    assert SCENARIO_BLOCKS and PRINTED_BLOCKS and PYTHON_BLOCKS and COMMANDS


def test_every_shown_command_is_run_or_has_a_reason():
    shown = {c for path in DOCS for b in code_blocks(path, "bash") for c in shell_commands(b)}
    assert set(NOT_RUN) <= shown, "a command not run is no longer in the docs"
    for _, command in (p.values for p in COMMANDS):
        assert command.startswith(("kurilsim ", "python benchmarks/")), command


@pytest.mark.slow
@pytest.mark.parametrize(("files", "command"), COMMANDS)
def test_shown_commands_run(files, command, tmp_path):
    # In a copy of the files the commands read, so that what they write lands in tmp_path.
    for folder in ("scenarios", "benchmarks"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "MPLBACKEND": "Agg"}
    done = subprocess.run(
        ["bash", "-c", command.replace("python ", f"{sys.executable} ", 1)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_scenario_written_in_the_how_to_matches_its_history():
    (text,) = saved_files(ROOT / "docs" / "howto-write-a-scenario.md").values()
    assert backtest_scenario(parse_scenario(text, source="joint.yaml"), 200, 1).match


def test_the_signalling_toy_compares_as_the_format_page_says():
    text = saved_files(ROOT / "docs" / "scenario-format.md")["offer.yaml"]
    comparison = compare(parse_scenario(text, source="offer.yaml"))
    assert comparison.verdict.startswith(
        "Every concept admits a deal (perfect Bayesian with probability 0.4 or 0, "
        "intuitive criterion with probability 0.4)"
    )


@pytest.mark.parametrize("text", SCENARIO_BLOCKS)
def test_scenario_examples_are_valid(text):
    parse_scenario(text, source="example").solve()  # every game form can solve


@pytest.mark.parametrize(("text", "printed"), PRINTED_BLOCKS)
def test_scenario_examples_print_what_the_page_shows(text, printed):
    assert parse_scenario(text, source="example").solve().to_text() + "\n" == printed


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


def quoted_usages():
    """Each `kurilsim COMMAND ... --option` the docs quote, in the prose or a synopsis."""
    spans = []
    for path in [*DOCS, *NOTEBOOKS]:
        text = prose(path)
        spans += re.findall(r"`(kurilsim\s+[a-z]+\b[^`]*)`", text)
        spans += [line for block in code_blocks(path, "text") for line in block.splitlines()]
    usages = {}
    for span in spans:
        found = re.match(r"kurilsim\s+([a-z]+)\b(.*)", span.strip(), flags=re.DOTALL)
        if found:
            command, rest = found.groups()
            usages.setdefault(command, set()).update(re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest))
    return usages


def test_quoted_options_exist():
    usages = quoted_usages()
    assert {"run", "sweep", "qre"} <= set(usages)
    for command, options in sorted(usages.items()):
        (commands,) = (
            a for a in build_parser(command)._actions if isinstance(a, argparse._SubParsersAction)
        )
        parser = commands.choices[command]
        parser.format_help()  # a command adds its arguments when first used
        known = {s for a in parser._actions for s in a.option_strings}
        assert options <= known, f"kurilsim {command}: no option {sorted(options - known)}"
