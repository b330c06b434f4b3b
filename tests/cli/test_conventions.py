"""What every subcommand shares: help on each argument, the same defaults, the shared flags."""

import argparse
import os
import re
import shlex
import subprocess
import sys

import pytest

from kurilsim.cli import build_parser
from tests.helpers import ROOT, run_cli


def subcommand_parsers() -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser, its arguments added."""
    parser = build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for sub in commands.choices.values():
        sub.format_help()  # adds the arguments a subcommand adds only when used
    return dict(commands.choices)


def test_every_command_that_takes_a_seed_has_the_same_default():
    """As its help says it: a command whose seed applies to some methods only has none set."""
    seeds = {
        name: re.search(r"\(default (\S+)\)", str(action.help) % vars(action))[1]
        for name, sub in subcommand_parsers().items()
        for action in sub._actions
        if "--seed" in action.option_strings
    }
    assert {"sweep", "backtest", "learn"} <= set(seeds)
    assert len(set(seeds.values())) == 1, seeds


def test_every_command_that_prints_json_or_a_table_calls_the_table_by_one_name():
    """``sweep --format`` names a file's format instead, and has no JSON."""
    formats = {
        name: action
        for name, sub in subcommand_parsers().items()
        for action in sub._actions
        if "--format" in action.option_strings and "json" in (action.choices or ())
    }
    assert {"run", "learn", "sensitivity"} <= set(formats)
    for name, action in formats.items():
        assert action.default == "table", name
        assert "table" in action.choices, name


def test_a_mistyped_command_gets_a_suggestion(capsys):
    code, _, err = run_cli(capsys, "rnu", "x.yaml")
    assert code == 2 and "did you mean 'run'?" in err and err.count("\n") == 1


def test_a_mistyped_choice_gets_a_suggestion(capsys, scenarios):
    code, _, err = run_cli(capsys, "run", scenarios / "sochi_2016.yaml", "--format", "jsn")
    assert code == 2 and "did you mean 'json'?" in err


@pytest.mark.parametrize(
    "option", [["--set", "sanction=0.2"], ["--grid", "sanction=0:0.5:3"]], ids=["set", "grid"]
)
def test_a_mistyped_parameter_gets_a_suggestion(capsys, scenarios, option):
    command = "run" if option[0] == "--set" else "sweep"
    code, _, err = run_cli(capsys, command, scenarios / "sochi_2016.yaml", *option)
    assert code == 2 and "unknown parameter 'sanction'; did you mean 'sanctions'?" in err


def test_every_argument_of_every_command_has_help():
    missing = [
        f"{name} {action.dest}"
        for name, sub in subcommand_parsers().items()
        for action in sub._actions
        if not (action.help and action.help.strip())
    ]
    assert missing == []


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_prints_the_traceback_of_an_internal_error(capsys, monkeypatch, scenarios, where):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("kurilsim.solving.run", broken)
    argv = ["run", scenarios / "sochi_2016.yaml"]
    argv = ["--debug", *argv] if where == "before" else [*argv, "--debug"]
    code, _, err = run_cli(capsys, *argv)
    assert code == 1 and err.startswith("Traceback") and "RuntimeError: boom" in err
    code, _, err = run_cli(capsys, *argv[1:] if where == "before" else argv[:-1])
    assert code == 1 and err == "kurilsim: internal error (RuntimeError: boom); please report it\n"


def test_verbose_adds_notes_and_quiet_keeps_only_results(capsys, scenarios, tmp_path):
    argv = ["sweep", scenarios / "sochi_2016.yaml", "--grid", "trust=0:1:3"]
    code, out, err = run_cli(capsys, *argv, "--out", tmp_path / "a.csv", "-v")
    assert code == 0 and "sweeping" in err and "wrote" in err
    code, quiet, err = run_cli(capsys, "-q", *argv, "--out", tmp_path / "b.csv")
    assert code == 0 and err == "" and quiet == out
    code, _, err = run_cli(capsys, "run", scenarios / "sochi_2016.yaml", "--verbose")
    assert code == 0 and "solving" in err and "solved in" in err


def test_verbose_and_quiet_are_refused_together(capsys, scenarios):
    code, _, err = run_cli(capsys, "run", scenarios / "sochi_2016.yaml", "-v", "-q")
    assert code == 2 and "not allowed with" in err


@pytest.mark.parametrize(
    ("line", "expected"),
    [("kurilsim ru", {"run"}), ("kurilsim run x --format ", {"table", "json"})],
    ids=["command", "choice"],
)
def test_the_shell_completes_commands_and_choices(line, expected):
    environment = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_IFS": " ",
    }
    # argcomplete writes the completions to file descriptor 8, as the shell function reads them.
    done = subprocess.run(
        ["bash", "-c", f"{shlex.quote(sys.executable)} -m kurilsim 8>&1 9>/dev/null"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == expected


#: Whole numbers and time bounds out of range, each with the start of the message refusing it.
OUT_OF_RANGE = [
    (["run", "x.yaml", "--max-equilibria", "0"], "--max-equilibria: must be positive, got 0"),
    (["run", "x.yaml", "--max-iter", "0"], "--max-iter: must be positive, got 0"),
    (["sweep", "x.yaml", "--max-iter", "0"], "--max-iter: must be positive, got 0"),
    (["sweep", "x.yaml", "--seed", "-1"], "--seed: must be 0 or more, got -1"),
    (["learn", "x.yaml", "--seed", "-1"], "--seed: must be 0 or more, got -1"),
    (["sensitivity", "x.yaml", "--output", "p", "--samples", "1"], "--samples: must be 2 or"),
    (["sensitivity", "x.yaml", "--output", "p", "--seed", "-1"], "--seed: must be 0 or more"),
    (["tipping", "x.yaml", "--resolution", "1"], "--resolution: must be 2 or more, got 1"),
    (["backtest", "--samples", "0"], "--samples: must be positive, got 0"),
    (["backtest", "--walkers", "1"], "--walkers: must be 2 or more, got 1"),
    (["backtest", "--steps", "0"], "--steps: must be positive, got 0"),
    (["backtest", "--seed", "-1"], "--seed: must be 0 or more, got -1"),
    (["calibrate", "--walkers", "1"], "--walkers: must be 2 or more, got 1"),
    (["calibrate", "--steps", "0"], "--steps: must be positive, got 0"),
    (["calibrate", "--checkpoint", "0"], "--checkpoint: must be positive, got 0"),
    (["calibrate", "--seed", "-1"], "--seed: must be 0 or more, got -1"),
    (["run", "x.yaml", "--max-seconds", "-1"], "--max-seconds: must be a number of seconds, 0"),
    (["sweep", "x.yaml", "--max-seconds", "nan"], "--max-seconds: must be a number of seconds"),
    (["tipping", "x.yaml", "--max-seconds", "inf"], "--max-seconds: must be a number of seconds"),
    (["compare", "x.yaml", "--max-seconds", "-2"], "--max-seconds: must be a number of seconds"),
    (["qre", "x.yaml", "--max-seconds", "1_0"], "--max-seconds: must be a number of seconds"),
]


@pytest.mark.parametrize(
    ("argv", "message"), OUT_OF_RANGE, ids=[" ".join(argv) for argv, _ in OUT_OF_RANGE]
)
def test_a_number_out_of_range_is_refused_naming_its_option(capsys, argv, message):
    """Refused as the option's before any file is read, as every command refuses a bad value."""
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "", err
    assert err.startswith(f"kurilsim: error: argument {message}") and err.count("\n") == 1, err


def test_every_whole_number_option_has_its_range_checked_by_its_type():
    """No option takes a bare int, which leaves its range to a check that cannot name it."""
    bare = [
        f"{name} {action.option_strings[0]}"
        for name, sub in subcommand_parsers().items()
        for action in sub._actions
        if action.type is int
    ]
    assert bare == ["backtest --fit-until"]
