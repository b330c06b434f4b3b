"""``kurilsim run --limit``: long listings are cut in the table, never in JSON."""

from __future__ import annotations

import json
import re

from tests.helpers import run_cli

SEQUENCE = "scenarios/sequence_2016.yaml"
MORE = re.compile(r"^\.\.\. and (\d+) more \(--limit 0 shows all\)$", re.MULTILINE)


def test_the_default_limit_lists_ten_rows_of_each_listing(capsys):
    code, out, _ = run_cli(capsys, "run", SEQUENCE)
    assert code == 0
    nash = re.findall(r"^Nash \d+ ", out, re.MULTILINE)
    threats = re.findall(r"^Nash \d+ is not subgame-perfect", out, re.MULTILINE)
    assert len(nash) - len(threats) == 10
    assert len(threats) == 10
    assert [int(k) for k in MORE.findall(out)] == [14, 13]


def test_limit_0_lists_every_row(capsys):
    _, out, _ = run_cli(capsys, "run", SEQUENCE, "--limit", "0")
    assert "Nash 24 " in out
    assert len(re.findall(r"^Nash \d+ is not subgame-perfect", out, re.MULTILINE)) == 23
    assert not MORE.search(out)


def test_a_small_limit_cuts_each_listing(capsys):
    _, out, _ = run_cli(capsys, "run", SEQUENCE, "--limit", "2")
    assert "Nash 2 " in out and "Nash 3 " not in out
    assert [int(k) for k in MORE.findall(out)] == [22, 21]


def test_json_is_never_limited(capsys):
    _, out, _ = run_cli(capsys, "run", SEQUENCE, "--format", "json", "--limit", "1")
    assert len(json.loads(out)["nash"]["equilibria"]) == 24


def test_a_small_game_is_unchanged(capsys):
    _, limited, _ = run_cli(capsys, "run", "scenarios/sochi_2016.yaml")
    _, every, _ = run_cli(capsys, "run", "scenarios/sochi_2016.yaml", "--limit", "0")
    assert limited == every
    assert not MORE.search(limited)


def test_a_negative_limit_is_refused(capsys):
    code, _, err = run_cli(capsys, "run", SEQUENCE, "--limit", "-1")
    assert code == 2 and "--limit" in err
