"""What the commands print is safe for a terminal: control characters in user text are escaped.

A shared file whose title, players or strategies hold escape sequences must not clear the screen,
move the cursor or fake a displayed result; nor may a file name or a ``--set`` value.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import run_cli

#: Raw control characters that must never reach the terminal (tab and newline are layout).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# YAML's double-quoted escapes put the characters into the strings; the reader refuses them raw.
HOSTILE_SCENARIO = r"""
kurilsim: 1
title: "Sochi\e[2J\e[H summit\r\x9b31m"
description: "Faked\e]0;owned\a result"
parameters:
  stag:
    default: 4
    range: [0, 10]
    unit: "meals\e[1m"
    description: "a stag\u202e"
    assumption: "example\e[8m"
players: {A: [stag, hare], B: [stag, hare]}
outcomes:
  a: {description: "A's\b catch\e[2K", rules: [{when: {A: stag, B: stag}, value: stag},
                                             {when: {A: hare}, value: 1}]}
  b: {description: "B's catch\x7f", rules: [{when: {A: stag, B: stag}, value: stag},
                                          {when: {B: hare}, value: 1}]}
payoffs: {A: a, B: b}
"""

HOSTILE_NFG = (
    'NFG 1 R "Pennies\x1b[2J\x1b[H" { "Even\x1b[31m" "Odd\x9b" }\n'
    '{ { "H\x1b]0;x\x07" "T" } { "H" "T\r" } }\n'
    "1 -1 -1 1 -1 1 1 -1\n"
)


@pytest.fixture
def hostile(tmp_path):
    scenario = tmp_path / "hostile.yaml"
    scenario.write_text(HOSTILE_SCENARIO, encoding="utf-8")
    game = tmp_path / "hostile.nfg"
    game.write_text(HOSTILE_NFG, encoding="utf-8")
    return {"scenario": scenario, "nfg": game, "dir": tmp_path}


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["run", "{scenario}"], id="run-scenario"),
        pytest.param(["run", "{scenario}", "--format", "json"], id="run-json"),
        pytest.param(["run", "{nfg}"], id="run-nfg"),
        pytest.param(["run", "{nfg}", "--method", "support-enumeration"], id="run-nfg-mixed"),
        pytest.param(["compare", "{scenario}"], id="compare"),
        pytest.param(["explain", "{scenario}"], id="explain"),
        pytest.param(["validate", "{scenario}", "{nfg}"], id="validate"),
        pytest.param(["run", "{scenario}", "--set", "stag\x1b[2J=1"], id="set-name"),
        pytest.param(["run", "{dir}/missing\x1b[2J.yaml"], id="file-name"),
        pytest.param(["run", "{nfg}", "--method", "pure\x1b[2J"], id="method-name"),
    ],
)
def test_no_raw_control_character_reaches_the_terminal(capsys, hostile, argv):
    _, out, err = run_cli(capsys, *(a.format(**hostile) for a in argv))
    assert not RAW.search(out) and not RAW.search(err), (out, err)
    assert "Traceback" not in err


def test_escaped_text_stays_readable(capsys, hostile):
    code, out, _ = run_cli(capsys, "run", hostile["nfg"])
    assert code == 0
    assert "Pennies\\x1b[2J\\x1b[H" in out and "Even\\x1b[31m" in out
    code, out, _ = run_cli(capsys, "run", hostile["scenario"])
    assert code == 0 and "Sochi\\x1b[2J\\x1b[H summit\\r\\x9b31m" in out


def test_escaped_names_keep_the_columns_of_a_table_aligned(hostile, capsys):
    # Widths were once measured before escaping, so each escaped name pushed its row out of line.
    _, out, _ = run_cli(capsys, "run", hostile["nfg"])
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("#  kind"))
    row = lines[lines.index(header) + 1]
    for column in ("Odd", "u(Even", "max regret"):
        start = header.index(column)
        assert row[start - 2 : start] == "  " and row[start] != " ", column
