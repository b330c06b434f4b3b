"""Every game form through every command that takes a scenario.

One scenario of each form goes through ``run``, ``compare``, ``explain``, ``sweep`` (a small grid
over one parameter), ``tipping``, ``validate``, ``qre`` and ``sensitivity``. Each either answers
(exit 0, an answer on standard output) or says in one line on standard error why the concept
does not apply to the form (exit 2): never a traceback, never an internal error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from kurilsim.forms.registry import FORMS
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]


class Case(NamedTuple):
    """A scenario of one form, the parameter its sweep moves and a player with payoffs."""

    file: str
    parameter: str
    grid: str
    player: str


#: One scenario of each form; the information form has no bundled scenario, so its guide's.
CASES = {
    "normal": Case("scenarios/sochi_2016.yaml", "trust", "0:1:3", "Russia"),
    "bargaining": Case("scenarios/bargaining_2016.yaml", "sanctions", "0:0.7:2", "Russia"),
    "conflict": Case("scenarios/conflict_2018.yaml", "us_resolve", "0:1:2", "Russia"),
    "extensive": Case("scenarios/sequence_1956.yaml", "okinawa_stake", "1:4:2", "US"),
    "information": Case("docs/information.md", "p_own", "0:1:2", "Japan"),
    "bayesian": Case("scenarios/credibility_1956.yaml", "p_committed", "0:1:2", "Japan"),
    "repeated": Case("scenarios/repeated_joint_activity.yaml", "sanctions", "0:0.7:2", "Russia"),
    "dynamic": Case("scenarios/sanctions_markov.yaml", "sanctions", "0:1:2", "Russia"),
}

#: What a command does not do for a form, and the words of the one line saying why.
REFUSED = {
    ("bargaining", "qre"): "no normal form",
    ("conflict", "qre"): "no normal form",
    ("bayesian", "qre"): "no normal form",
    ("repeated", "qre"): "no finite normal form",
    ("dynamic", "qre"): "not one normal form",
    ("conflict", "sensitivity"): "no payoffs",
    ("repeated", "sensitivity"): "no payoffs",
    ("dynamic", "sensitivity"): "no payoffs",
}

COMMANDS = ("run", "compare", "explain", "sweep", "tipping", "validate", "qre", "sensitivity")


def test_every_form_has_a_case():
    assert sorted(CASES) == sorted(FORMS)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each form's scenario file; the information form's is the example of its guide."""
    folder = tmp_path_factory.mktemp("forms")
    guide = (ROOT / CASES["information"].file).read_text(encoding="utf-8")
    motive = folder / "motive.yaml"
    motive.write_text(re.search(r"```yaml\n(.*?)```", guide, re.S).group(1), encoding="utf-8")  # type: ignore[union-attr]
    return {
        form: motive if form == "information" else ROOT / case.file for form, case in CASES.items()
    }


def arguments(form: str, command: str, file: Path, out: Path) -> list[object]:
    case = CASES[form]
    extra: dict[str, list[object]] = {
        "sweep": ["--grid", f"{case.parameter}={case.grid}", "--workers", 1, "--out", out],
        "tipping": ["--parameter", case.parameter, "--resolution", 11],
        "qre": ["--rows", 5],
        "sensitivity": [
            "--output",
            f"payoff:{case.player}",
            "--parameter",
            case.parameter,
            "--samples",
            4,
        ],
    }
    return [command, file, *extra.get(command, [])]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("form", sorted(CASES))
def test_command_answers_or_says_why_not(form, command, files, tmp_path, capsys):
    code, out, err = run_cli(capsys, *arguments(form, command, files[form], tmp_path / "s.csv"))
    reason = REFUSED.get((form, command))
    if reason is None:
        assert code == 0, err
        assert out.strip(), "no answer"
        assert "internal error" not in err and "Traceback" not in err
    else:
        assert code == 2, (out, err)
        assert err.count("\n") == 1 and err.startswith("kurilsim: error: "), err
        assert reason in err


def test_every_form_says_why_an_answer_is_incomplete_in_one_field():
    """``complete`` is ``incomplete_reason is None``, and JSON carries both, in every form."""
    import kurilsim
    from kurilsim.core.result import Result

    for case in CASES.values():
        if case.file.endswith(".md"):
            continue  # a guide: its scenario is read by the command line only
        solution = kurilsim.run(ROOT / case.file)
        assert isinstance(solution, Result)
        assert solution.complete == (solution.incomplete_reason is None)
        data = solution.to_dict()
        if "complete" in data:
            assert data["incomplete_reason"] == solution.incomplete_reason
