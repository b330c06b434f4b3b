"""Historical backtests: each era's predicted equilibria against the outcome history recorded.

For every scenario with a ``history`` block, the backtest solves the game at its defaults and
compares the pure Nash equilibria with the recorded outcome (a form may predict its own way, through
a ``backtest_predictions`` member: each equilibrium's label and whether it is consistent with the
record, as the games of incomplete information do with their perfect Bayesian equilibria):

* **match**: there is at least one pure equilibrium at the defaults and every one of them is
  consistent with the record;
* **robustness**: the share of the parameter box (every parameter drawn uniformly across its
  documented range with a fixed seed) where some pure equilibrium is still consistent with the
  record.

* **assumed, not tested**: the share of the same draws in which no pure equilibrium moves any land
  (the ``islands`` outcome stays 0). Where that share is 100%, "no transfer" follows from the
  parameter box itself, whatever values the evidence picks: the record is assumed, not tested.

With ``fit_until``, the backtest also calibrates the model
(:func:`~kurilsim.analysis.calibration.calibrate`) on the eras up to that year and scores the
posterior predictive probability of every era's record, in sample (the fitted eras) and out of
sample (the later ones), with the log loss (``-ln p``) and the Brier score (``(1 - p)^2``) of the
event "the record happens", against two baselines: **status quo**, every profile in which no land
moves equally likely and nothing else possible, and **uniform**, every profile equally likely.

With a statements file in the scenarios' folder (``statements/history.yaml``, naming scenario
files relative to itself: ``../era_2018.yaml``), the backtest also reports the retrodiction score:
how many of the testable statements hold. Files the backtest does not cover (other game forms,
files without a history) are listed with the reason, so that a reader knows what the table leaves
out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.analysis.calibration import (
    Calibration,
    calibrate,
    era_scenarios,
    era_year,
    predictive,
)
from kurilsim.analysis.likelihood import recorded_event
from kurilsim.analysis.sequence_backtest import SequenceResult, backtest_sequence
from kurilsim.analysis.statements import StatementResult, check_statements, load_statements
from kurilsim.analysis.tree_play import is_tree_form, status_quo_leaves
from kurilsim.core.arguments import DEFAULT_SEED, check_instance, check_int, check_path
from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.errors import InputError
from kurilsim.core.option_defaults import BACKTEST_SAMPLES, DEFAULT_STEPS, DEFAULT_WALKERS
from kurilsim.core.scenario import Scenario
from kurilsim.core.schema import STATEMENTS_FILE
from kurilsim.forms.dynamic.form import DYNAMIC_FORM
from kurilsim.forms.normal.form import NORMAL_FORM, require_normal_form
from kurilsim.forms.normal.payoffs import outcome_values
from kurilsim.forms.normal.properties import profile_labels, pure_equilibria
from kurilsim.forms.registry import load_scenario
from kurilsim.io.shared_parameters import is_shared_parameters_file

FloatArray = NDArray[np.float64]

#: Width of the recorded-outcome column in the text table (the JSON keeps the whole text).
RECORDED_WIDTH = 60


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
    #: Share of the draws in which no pure equilibrium moves land (None without ``islands``).
    status_quo_share: float | None = None

    @property
    def assumed(self) -> bool:
        """Whether "no transfer" holds in every draw of the box: assumed, not tested."""
        return self.status_quo_share == 1.0

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dictionary."""
        return {
            "status_quo_share": self.status_quo_share,
            "assumed_not_tested": self.assumed,
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
    #: In-sample and out-of-sample scores, when the backtest was asked to calibrate.
    scores: ForecastScores | None = None
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
            "scores": None if self.scores is None else self.scores.to_dict(),
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
        assumed = [era.era for era in self.eras if era.assumed]
        lines.append(
            "assumed, not tested (no land moves in any equilibrium anywhere in the box): "
            + (", ".join(assumed) if assumed else "none")
        )
        if self.scores is not None:
            lines += ["", self.scores.to_text()]
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
    scenario: Scenario, samples: int = BACKTEST_SAMPLES, seed: int = DEFAULT_SEED
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
    history = scenario.spec.history
    predict = getattr(scenario.form, "backtest_predictions", None)
    if predict is not None:
        if history is None:
            raise InputError(
                "the scenario records no history to test against", file=scenario.source
            )
        return _backtest_by_form(scenario, predict, samples, seed)
    require_normal_form(scenario, "a backtest")
    recorded = scenario.compiled.recorded
    if recorded is None or history is None:
        raise InputError("the scenario records no history to test against", file=scenario.source)
    at_defaults = pure_equilibria(scenario, scenario.defaults())
    consistent = at_defaults & recorded
    match = bool(at_defaults.any()) and bool((consistent == at_defaults).all())
    rng = np.random.default_rng(seed)
    draws = {name: rng.uniform(*p.range, size=samples) for name, p in scenario.parameters.items()}
    if draws:
        equilibria = pure_equilibria(scenario, draws)
        hits = (equilibria & recorded).reshape(samples, -1).any(axis=1)
        robustness = float(hits.mean())
    else:
        equilibria = at_defaults[None]
        robustness = float(match)
    status_quo_share = _status_quo_share(scenario, draws or scenario.defaults(), equilibria)
    return EraResult(
        file=Path(scenario.source).name,
        era=scenario.spec.era or scenario.title,
        predicted=tuple(profile_labels(scenario, at_defaults)),
        recorded=" ".join(history.summary.split()),
        match=match,
        robustness=robustness,
        samples=samples,
        status_quo_share=status_quo_share,
    )


def _backtest_by_form(
    scenario: Scenario,
    predict: Callable[[Scenario, dict[str, Any]], Sequence[tuple[str, bool]]],
    samples: int,
    seed: int,
) -> EraResult:
    """Backtest through the form's own predictions, one parameter draw at a time."""
    assert scenario.spec.history is not None
    predicted = predict(scenario, scenario.defaults())
    match = bool(predicted) and all(consistent for _, consistent in predicted)
    rng = np.random.default_rng(seed)
    draws = {name: rng.uniform(*p.range, size=samples) for name, p in scenario.parameters.items()}
    hits = [
        any(
            consistent
            for _, consistent in predict(scenario, {k: float(v[i]) for k, v in draws.items()})
        )
        for i in range(samples if draws else 0)
    ]
    return EraResult(
        file=Path(scenario.source).name,
        era=scenario.spec.era or scenario.title,
        predicted=tuple(label for label, _ in predicted),
        recorded=" ".join(scenario.spec.history.summary.split()),
        match=match,
        robustness=float(np.mean(hits)) if hits else float(match),
        samples=samples,
    )


def backtest(
    directory: str | os.PathLike[str] = "scenarios",
    samples: int = BACKTEST_SAMPLES,
    seed: int = DEFAULT_SEED,
    *,
    fit_until: int | None = None,
    walkers: int = DEFAULT_WALKERS,
    steps: int = DEFAULT_STEPS,
) -> Backtest:
    """Backtest every scenario with a history in ``directory`` whose form predicts outcomes.

    Normal-form scenarios, and those of forms with a ``backtest_predictions`` member; the
    statements file is checked too.

    Parameters
    ----------
    directory
        A directory of scenario files; ``statements/history.yaml`` in it, if present, is checked
        too.
    samples
        Draws of each parameter box for robustness.
    seed
        Seed of the draws, and of the calibration.
    fit_until
        Calibrate on the eras up to this year and score every era's forecast
        (:func:`forecast_scores`); ``None`` skips the calibration.
    walkers, steps
        The calibration's ensemble.

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
        if is_shared_parameters_file(path):
            continue
        scenario = load_scenario(path)
        if scenario.form is DYNAMIC_FORM and scenario.spec.recorded:
            sequences.append(backtest_sequence(scenario, samples, seed))
        elif scenario.form is not NORMAL_FORM and not hasattr(
            scenario.form, "backtest_predictions"
        ):
            skipped.append((path.name, f"{scenario.form.name} form"))
        elif scenario.spec.history is None:
            skipped.append((path.name, "no recorded history"))
        else:
            eras.append(backtest_scenario(scenario, samples, seed))
    eras.sort(key=lambda era: era.era)
    statements_path = folder / STATEMENTS_FILE
    statements: tuple[StatementResult, ...] = ()
    if statements_path.exists():
        statements = tuple(
            check_statements(load_statements(statements_path), statements_path.parent)
        )
    scores = (
        None
        if fit_until is None
        else forecast_scores(folder, fit_until, walkers=walkers, steps=steps, seed=seed)
    )
    return Backtest(
        tuple(eras), statements, seed, tuple(skipped), scores=scores, sequences=tuple(sequences)
    )


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


def _status_quo_share(
    scenario: Scenario, values: dict[str, Any], equilibria: NDArray[np.bool_]
) -> float | None:
    """Share of the draws with an equilibrium, none of which moves land (None without islands)."""
    islands = outcome_values(scenario.compiled, values).get("islands")
    if islands is None:
        return None
    moves = np.broadcast_to(np.asarray(islands) > 0, equilibria.shape)
    flat = equilibria.reshape(len(equilibria), -1)
    kept = flat.any(axis=1) & ~(flat & moves.reshape(len(equilibria), -1)).any(axis=1)
    return float(kept.mean())


def status_quo_profiles(scenario: Scenario) -> NDArray[np.bool_]:
    """The outcomes in which no land moves at the scenario's defaults (every one without islands).

    The outcomes are the pure profiles, or the leaves of a tree
    (:func:`~kurilsim.analysis.tree_play.status_quo_leaves`).

    Examples
    --------
    >>> import kurilsim
    >>> int(status_quo_profiles(kurilsim.load_scenario("scenarios/era_1956.yaml")).sum())
    9
    """
    check_instance("scenario", scenario, Scenario, "a Scenario")
    if is_tree_form(scenario):
        return status_quo_leaves(scenario)
    shape = tuple(len(s) for s in scenario.strategies)
    islands = outcome_values(scenario.compiled, scenario.defaults()).get("islands")
    if islands is None:
        return np.ones(shape, dtype=bool)
    return np.asarray(np.broadcast_to(np.asarray(islands) == 0, shape))


def log_loss(p: ArrayLike) -> FloatArray:
    """``-ln p``: the log score of a forecast that gave the event that happened probability ``p``.

    Lower is better; 0 for a certain forecast that came true, infinite for one that ruled it out.

    Examples
    --------
    >>> float(log_loss(0.5)).__round__(4)
    0.6931
    """
    with np.errstate(divide="ignore"):
        return np.asarray(-np.log(np.asarray(p, dtype=np.float64)))


def brier(p: ArrayLike) -> FloatArray:
    """``(1 - p)^2``: the Brier score of a forecast of an event that happened, given ``p``.

    Examples
    --------
    >>> float(brier(0.75))
    0.0625
    """
    return np.asarray((1 - np.asarray(p, dtype=np.float64)) ** 2)


#: The forecasters scored: the calibrated model and the two baselines.
FORECASTERS = ("model", "status quo", "uniform")


@dataclass(frozen=True)
class EraForecast:
    """Each forecaster's probability of one era's record; the model's with its 90% interval."""

    era: str
    in_sample: bool
    model: float
    model_q05: float
    model_q95: float
    status_quo: float
    uniform: float

    def probabilities(self) -> dict[str, float]:
        """Forecaster -> its probability of the record."""
        return dict(zip(FORECASTERS, (self.model, self.status_quo, self.uniform), strict=True))


@dataclass(frozen=True)
class ForecastScores:
    """Forecasts of every era's record from a fit on the eras up to ``fit_until``, and scores."""

    fit_until: int
    eras: tuple[EraForecast, ...]
    walkers: int
    steps: int
    warnings: tuple[str, ...] = ()
    #: (statement id, share of posterior draws at which it holds), for the expressible ones.
    statements: tuple[tuple[str, float], ...] = ()

    def mean_scores(self, in_sample: bool) -> dict[str, dict[str, float]]:
        """Forecaster -> mean log loss and Brier score over the in- or out-of-sample eras."""
        chosen = [era for era in self.eras if era.in_sample == in_sample]
        out = {}
        for name in FORECASTERS:
            p = np.array([era.probabilities()[name] for era in chosen])
            out[name] = {
                "log_loss": float(log_loss(p).mean()) if chosen else float("nan"),
                "brier": float(brier(p).mean()) if chosen else float("nan"),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """The forecasts and the mean scores as a JSON-ready dictionary."""
        return {
            "fit_until": self.fit_until,
            "walkers": self.walkers,
            "steps": self.steps,
            "eras": [
                {
                    "era": era.era,
                    "in_sample": era.in_sample,
                    "model": era.model,
                    "model_q05": era.model_q05,
                    "model_q95": era.model_q95,
                    "status_quo": era.status_quo,
                    "uniform": era.uniform,
                }
                for era in self.eras
            ],
            "in_sample": self.mean_scores(True),
            "out_of_sample": self.mean_scores(False),
            "statements": dict(self.statements),
            "warnings": list(self.warnings),
        }

    def to_text(self) -> str:
        """Each era's forecasts, then the mean scores in and out of sample."""
        rows = [
            (
                era.era,
                "in" if era.in_sample else "out",
                f"{era.model:.3f} [{era.model_q05:.3f}, {era.model_q95:.3f}]",
                f"{era.status_quo:.3f}",
                f"{era.uniform:.3f}",
            )
            for era in self.eras
        ]
        lines = [f"forecasts of each era's record, calibrated on the eras up to {self.fit_until}"]
        lines += text_table(
            ("era", "sample", "model P(record) [90%]", "status quo", "uniform"), rows
        )
        for label, in_sample in (("in sample", True), ("out of sample", False)):
            scores = self.mean_scores(in_sample)
            lines.append(
                f"{label}: mean log loss / Brier (lower is better): "
                + "; ".join(
                    f"{name} {s['log_loss']:.3f} / {s['brier']:.3f}" for name, s in scores.items()
                )
            )
        if self.statements:
            lines.append(
                "testable statements, share of posterior draws at which each holds: "
                + ", ".join(f"{name} {share:.0%}" for name, share in self.statements)
            )
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def forecast_scores(
    directory: str | os.PathLike[str],
    fit_until: int,
    *,
    walkers: int = DEFAULT_WALKERS,
    steps: int = DEFAULT_STEPS,
    seed: int = DEFAULT_SEED,
    draws: int = 200,
    statement_draws: int = 20,
) -> ForecastScores:
    """Calibrate on the eras up to ``fit_until`` and forecast every era's record.

    The model's forecast of an era is its posterior predictive probability of the record: the
    mean over ``draws`` posterior draws of the QRE probability of the recorded event. With a
    statements file in ``directory``, each testable statement is checked at
    ``statement_draws`` posterior draws of the shared parameters (the rest at their defaults),
    and reported as the share of draws at which it holds.

    Raises
    ------
    InputError
        If no era lies on or before ``fit_until``, or as
        :func:`~kurilsim.analysis.calibration.calibrate`.
    """
    fit_until = check_int("fit_until", fit_until)
    eras, _ = era_scenarios(directory)
    fitted = [era for era in eras if era_year(era) <= fit_until]
    if not fitted:
        raise InputError(f"no era on or before {fit_until} to calibrate on", field="fit_until")
    fit = calibrate(eras, walkers=walkers, steps=steps, seed=seed, fit_until=fit_until)
    probabilities = predictive(fit, eras, draws=draws, seed=seed)
    forecasts = []
    for e, era in enumerate(eras):
        recorded = recorded_event(era)
        quo = status_quo_profiles(era)
        p = probabilities[:, e]
        forecasts.append(
            EraForecast(
                era=era.spec.era or era.title,
                in_sample=era_year(era) <= fit_until,
                model=float(np.nanmean(p)),
                model_q05=float(np.nanquantile(p, 0.05)),
                model_q95=float(np.nanquantile(p, 0.95)),
                status_quo=float((recorded & quo).sum() / quo.sum()),
                uniform=float(recorded.sum() / recorded.size),
            )
        )
    return ForecastScores(
        fit_until,
        tuple(forecasts),
        walkers,
        steps,
        tuple(fit.diagnostics.warnings(steps)),
        _statement_shares(Path(directory), fit, statement_draws, seed),
    )


def _statement_shares(
    directory: Path, fit: Calibration, draws: int, seed: int
) -> tuple[tuple[str, float], ...]:
    """Each expressible statement's share of posterior draws (shared parameters) where it holds."""
    path = directory / STATEMENTS_FILE
    if not path.exists():
        return ()
    statements = load_statements(path)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(fit.samples), size=min(draws, len(fit.samples)), replace=False)
    held: dict[str, list[bool]] = {}
    for theta in fit.samples[np.sort(chosen)]:
        point = dict(zip(fit.names, (float(v) for v in theta), strict=True))
        for result in check_statements(statements, path.parent, shared=point):
            if result.holds is not None:
                held.setdefault(result.statement.id, []).append(result.holds)
    return tuple((name, float(np.mean(votes))) for name, votes in held.items())
