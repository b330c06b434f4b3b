"""Backtests of a recorded sequence: a dynamic scenario's equilibrium path against every era.

A dynamic scenario with a ``recorded`` list states, for some of its rounds, the outcome the
evidence records. Its Markov perfect equilibrium is followed from the initial state, and in each
recorded round the most likely profile on the path is compared with the record:

* **match**: every recorded round's most likely profile is consistent with the record, at the
  defaults;
* **robustness**: the share of the parameter box (every parameter drawn uniformly across its
  documented range with a fixed seed) where the whole sequence still matches, solved on the batch
  of draws at once; and, per round, the share where that round matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kurilsim.core.arguments import DEFAULT_SEED, check_instance, check_int
from kurilsim.core.errors import InputError
from kurilsim.core.scenario import Scenario
from kurilsim.forms.dynamic.form import DYNAMIC_FORM
from kurilsim.forms.dynamic.markov_perfect import backward_induction
from kurilsim.forms.dynamic.path import equilibrium_path
from kurilsim.forms.dynamic.scenario import CompiledDynamic, DynamicFile
from kurilsim.forms.normal.labels import OutcomeLabels

FloatArray = np.ndarray


@dataclass(frozen=True)
class RoundResult:
    """One recorded round: the predicted play at the defaults against the record."""

    round: str
    predicted: str
    recorded: str
    match: bool
    robustness: float

    def to_dict(self) -> dict[str, Any]:
        """The round as a JSON-ready dictionary."""
        return {
            "round": self.round,
            "predicted": self.predicted,
            "recorded": self.recorded,
            "match": self.match,
            "robustness": self.robustness,
        }


@dataclass(frozen=True)
class SequenceResult:
    """The backtest of one scenario's recorded sequence."""

    file: str
    era: str
    rounds: tuple[RoundResult, ...]
    robustness: float
    samples: int

    @property
    def match(self) -> bool:
        """Whether every recorded round matches at the defaults."""
        return all(r.match for r in self.rounds)

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dictionary."""
        return {
            "file": self.file,
            "era": self.era,
            "match": self.match,
            "robustness": self.robustness,
            "samples": self.samples,
            "rounds": [r.to_dict() for r in self.rounds],
        }


def backtest_sequence(
    scenario: Scenario, samples: int = 2_000, seed: int = DEFAULT_SEED
) -> SequenceResult:
    """Backtest a dynamic scenario's recorded sequence, round by round.

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        If the scenario is not a dynamic one, records no sequence, or its rounds are not a
        finite horizon.

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> result = backtest_sequence(load_scenario("scenarios/eras_1956_2020.yaml"), samples=50)
    >>> result.match, len(result.rounds)
    (True, 8)
    """
    check_instance("scenario", scenario, Scenario, "a Scenario")
    samples = check_int("samples", samples, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    if scenario.form is not DYNAMIC_FORM:
        raise InputError(
            f"a sequence backtest needs a dynamic scenario; this one is a "
            f"{scenario.form.description} (form: {scenario.form.name})",
            file=scenario.source,
        )
    compiled: CompiledDynamic = scenario.compiled
    spec: DynamicFile = scenario.spec
    if not compiled.recorded or compiled.infinite:
        raise InputError(
            "the scenario records no sequence of rounds to test against", file=scenario.source
        )
    rng = np.random.default_rng(seed)
    draws = {name: rng.uniform(*p.range, size=samples) for name, p in scenario.parameters.items()}
    at_defaults = _predicted(scenario, scenario.defaults())
    drawn = _predicted(scenario, draws) if draws else at_defaults
    rounds = []
    whole = np.ones(drawn[0][0].shape[0] if drawn else 1, dtype=bool)
    for (index, mask), entry in zip(compiled.recorded, spec.recorded, strict=True):
        cells, labels = at_defaults[index]
        hits = mask.reshape(-1)[drawn[index][0]]
        whole &= hits
        rounds.append(
            RoundResult(
                round=entry.round,
                predicted=labels.pure(int(cells[0])),
                recorded=" ".join(entry.summary.split()),
                match=bool(mask.reshape(-1)[cells[0]]),
                robustness=float(hits.mean()),
            )
        )
    return SequenceResult(
        file=Path(scenario.source).name,
        era=spec.era or scenario.title,
        rounds=tuple(rounds),
        robustness=float(whole.mean()),
        samples=samples,
    )


def _predicted(
    scenario: Scenario, values: dict[str, Any]
) -> list[tuple[np.ndarray, OutcomeLabels]]:
    """Each round's most likely profile (a flat index per point) on the path, and its names."""
    spec: DynamicFile = scenario.spec
    game = DYNAMIC_FORM.game(scenario, scenario.parameter_values(values))
    strategy = backward_induction(game, spec.solution.selection, 1e-9)
    path = equilibrium_path(game, strategy, len(game.schedule))
    out = []
    for t, profile in enumerate(path.profiles):
        stage = game.stages[game.schedule[t]]
        cells = profile.reshape(game.batch, -1).argmax(axis=-1)
        out.append((cells, OutcomeLabels(game.players, stage.strategies, stage.labels)))
    return out
