"""Historical backtests: each era's predicted equilibria against the outcome history recorded.

For every scenario with a ``history`` block, the backtest solves the game at its defaults and
compares the pure Nash equilibria with the recorded outcome:

* **match**: there is at least one pure equilibrium at the defaults and every one of them is
  consistent with the record;
* **robustness**: the share of the parameter box (every parameter drawn uniformly across its
  documented range with a fixed seed) where some pure equilibrium is still consistent with the
  record.

With a statements file beside the scenarios, the backtest also reports the retrodiction score: how
many of the testable statements hold. Files the backtest does not cover (other game forms, files
without a history) are listed with the reason, so that a reader knows what the table leaves out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kurilsim.analysis.sequence_backtest import SequenceResult, backtest_sequence
from kurilsim.analysis.statements import StatementResult, check_statements, load_statements
from kurilsim.core.arguments import check_instance, check_int, check_path
from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.errors import InputError
from kurilsim.core.parameters import DEFAULT_SEED
from kurilsim.core.scenario import Scenario
from kurilsim.forms.dynamic.form import DYNAMIC_FORM
from kurilsim.forms.normal.form import NORMAL_FORM, require_normal_form
from kurilsim.forms.normal.properties import profile_labels, pure_equilibria
from kurilsim.forms.registry import load_scenario

#: Points drawn from each scenario's parameter box for robustness.
DEFAULT_SAMPLES = 2_000
#: Width of the recorded-outcome column in the text table (the JSON keeps the whole text).
RECORDED_WIDTH = 60
#: The statements file a scenario directory may hold.
STATEMENTS_FILE = "statements.yaml"


@dataclass(frozen=True)
class EraResult:
    """The backtest of one scenario."""

    file: str
    era: str
    predicted: tuple[str, ...]
    recorded: str
    match: bool
    robustness: float
    samples: int

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dictionary."""
        return {
            "file": self.file,
            "era": self.era,
            "predicted": list(self.predicted),
            "recorded": self.recorded,
            "match": self.match,
            "robustness": self.robustness,
            "samples": self.samples,
        }


@dataclass(frozen=True)
class Backtest:
    """Every era's result, and the verdict on each testable statement."""

    eras: tuple[EraResult, ...]
    statements: tuple[StatementResult, ...]
    seed: int
    #: (file, reason) for each scenario file in the directory that is not backtested.
    skipped: tuple[tuple[str, str], ...] = ()
    #: The recorded sequences of dynamic scenarios, round by round.
    sequences: tuple[SequenceResult, ...] = ()

    @property
    def score(self) -> tuple[int, int]:
        """(statements that hold, statements the model can express)."""
        judged = [r for r in self.statements if r.holds is not None]
        return sum(bool(r.holds) for r in judged), len(judged)

    def to_dict(self) -> dict[str, Any]:
        """The backtest as a JSON-ready dictionary."""
        held, expressible = self.score
        return {
            "seed": self.seed,
            "eras": [era.to_dict() for era in self.eras],
            "statements": [
                {
                    "id": r.statement.id,
                    "text": r.statement.text,
                    "holds": r.holds,
                    "details": list(r.details),
                }
                for r in self.statements
            ],
            "retrodiction_score": {"hold": held, "expressible": expressible},
            "not_backtested": [{"file": file, "reason": reason} for file, reason in self.skipped],
            "sequences": [sequence.to_dict() for sequence in self.sequences],
        }

    def to_text(self) -> str:
        """The era table, then the statements and the retrodiction score."""
        header = (
            "era",
            "file",
            "predicted equilibrium outcome(s)",
            "recorded outcome",
            "match",
            "robust",
        )
        rows = [header] + [
            (
                era.era,
                era.file,
                " | ".join(era.predicted) or "no pure equilibrium",
                _shorten(era.recorded, RECORDED_WIDTH),
                "yes" if era.match else "NO",
                f"{era.robustness:.0%}",
            )
            for era in self.eras
        ]
        lines = text_table(rows[0], rows[1:])
        lines.append(
            f"(robustness: share of {self.eras[0].samples if self.eras else 0} draws "
            f"of each parameter box, seed {self.seed}, where the recorded outcome is still "
            "a pure equilibrium)"
        )
        for sequence in self.sequences:
            lines += _sequence_lines(sequence)
        if self.skipped:
            lines.append(
                "not backtested: "
                + "; ".join(f"{file} ({reason})" for file, reason in self.skipped)
            )
        if self.statements:
            lines.append("")
            for r in self.statements:
                verdict = {True: "holds", False: "FAILS", None: "not expressible"}[r.holds]
                lines.append(f"{r.statement.id} {verdict}: {' '.join(r.statement.text.split())}")
                if r.holds is None:
                    lines += [f"    why: {' '.join(d.split())}" for d in r.details]
                elif not r.holds:
                    lines += [f"    check: {' '.join(d.split())}" for d in r.details]
            held, expressible = self.score
            unjudged = len(self.statements) - expressible
            lines.append(
                f"retrodiction score: {held} of {expressible} expressible statements hold"
                + (f" ({unjudged} not expressible, not scored)" if unjudged else "")
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The era table, then the statements with their verdicts."""
        held, expressible = self.score
        samples = self.eras[0].samples if self.eras else 0
        heading = html_heading(
            f"Backtest of {len(self.eras)} eras"
            + (f": {held} of {expressible} expressible statements hold" if self.statements else ""),
            f"robust: share of {samples:,} draws of each parameter box (seed {self.seed}) where "
            "the recorded outcome is still a pure equilibrium",
        )
        eras = html_table(
            [
                "era",
                "file",
                "predicted equilibrium outcome(s)",
                "recorded outcome",
                "match",
                "robust",
            ],
            [
                [
                    era.era,
                    era.file,
                    " | ".join(era.predicted) or "no pure equilibrium",
                    era.recorded,
                    "yes" if era.match else "NO",
                    f"{era.robustness:.0%}",
                ]
                for era in self.eras
            ],
            caption="not backtested: "
            + "; ".join(f"{file} ({reason})" for file, reason in self.skipped)
            if self.skipped
            else "",
        )
        eras += "".join(_sequence_table(sequence) for sequence in self.sequences)
        if not self.statements:
            return heading + eras
        verdicts = {True: "holds", False: "FAILS", None: "not expressible"}
        statements = html_table(
            ["statement", "verdict", "text"],
            [
                [r.statement.id, verdicts[r.holds], " ".join(r.statement.text.split())]
                for r in self.statements
            ],
        )
        return heading + eras + statements

    def __repr__(self) -> str:
        held, expressible = self.score
        matched = sum(era.match for era in self.eras)
        return (
            f"<Backtest: {matched} of {len(self.eras)} eras match; "
            f"{held} of {expressible} expressible statements hold>"
        )


def backtest_scenario(
    scenario: Scenario, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
) -> EraResult:
    """Backtest one scenario that records its history.

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        If the scenario has no ``history`` block or ``samples`` is not positive.
    """
    check_instance("scenario", scenario, Scenario, "a Scenario")
    samples = check_int("samples", samples, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    require_normal_form(scenario, "a backtest")
    recorded = scenario.compiled.recorded
    history = scenario.spec.history
    if recorded is None or history is None:
        raise InputError("the scenario records no history to test against", file=scenario.source)
    at_defaults = pure_equilibria(scenario, scenario.defaults())
    consistent = at_defaults & recorded
    match = bool(at_defaults.any()) and bool((consistent == at_defaults).all())
    rng = np.random.default_rng(seed)
    draws = {name: rng.uniform(*p.range, size=samples) for name, p in scenario.parameters.items()}
    if draws:
        hits = (pure_equilibria(scenario, draws) & recorded).reshape(samples, -1).any(axis=1)
        robustness = float(hits.mean())
    else:
        robustness = float(match)
    return EraResult(
        file=Path(scenario.source).name,
        era=scenario.spec.era or scenario.title,
        predicted=tuple(profile_labels(scenario, at_defaults)),
        recorded=" ".join(history.summary.split()),
        match=match,
        robustness=robustness,
        samples=samples,
    )


def backtest(
    directory: str | os.PathLike[str] = "scenarios",
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> Backtest:
    """Backtest every normal-form scenario with a history in ``directory``, and its statements.

    Parameters
    ----------
    directory
        A directory of scenario files; ``statements.yaml`` in it, if present, is checked too.
    samples
        Draws of each parameter box for robustness.
    seed
        Seed of the draws.

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        If the directory does not exist, or a file in it is not valid.
    """
    folder = Path(check_path("directory", directory))
    samples = check_int("samples", samples, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if not folder.is_dir():
        raise InputError("not a directory of scenario files", file=str(folder))
    eras = []
    skipped = []
    sequences = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == STATEMENTS_FILE:
            continue
        scenario = load_scenario(path)
        if scenario.form is DYNAMIC_FORM and scenario.spec.recorded:
            sequences.append(backtest_sequence(scenario, samples, seed))
        elif scenario.form is not NORMAL_FORM:
            skipped.append((path.name, f"{scenario.form.name} form"))
        elif scenario.spec.history is None:
            skipped.append((path.name, "no recorded history"))
        else:
            eras.append(backtest_scenario(scenario, samples, seed))
    eras.sort(key=lambda era: era.era)
    statements_path = folder / STATEMENTS_FILE
    statements = (
        tuple(check_statements(load_statements(statements_path), folder))
        if statements_path.exists()
        else ()
    )
    return Backtest(tuple(eras), statements, seed, tuple(skipped), tuple(sequences))


_SEQUENCE_HEADER = ("round", "predicted (most likely play)", "recorded outcome", "match", "robust")


def _sequence_rows(sequence: SequenceResult, width: int | None) -> list[list[str]]:
    return [
        [
            r.round,
            r.predicted,
            r.recorded if width is None else _shorten(r.recorded, width),
            "yes" if r.match else "NO",
            f"{r.robustness:.0%}",
        ]
        for r in sequence.rounds
    ]


def _sequence_lines(sequence: SequenceResult) -> list[str]:
    """The text table of one recorded sequence."""
    verdict = "matches" if sequence.match else "does NOT match"
    return [
        "",
        f"sequence {sequence.file} ({sequence.era}): the path {verdict} the record; the whole "
        f"sequence holds in {sequence.robustness:.0%} of {sequence.samples} draws",
        *text_table(_SEQUENCE_HEADER, _sequence_rows(sequence, RECORDED_WIDTH), indent="  "),
    ]


def _sequence_table(sequence: SequenceResult) -> str:
    """The HTML table of one recorded sequence."""
    caption = (
        f"{sequence.file}: the whole sequence holds in {sequence.robustness:.0%} of "
        f"{sequence.samples:,} draws"
    )
    return html_table(_SEQUENCE_HEADER, _sequence_rows(sequence, None), caption=caption)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."
