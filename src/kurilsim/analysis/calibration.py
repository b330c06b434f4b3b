r"""Calibration: the posterior over the shared parameters and the QRE precision, given history.

Every era scenario with a ``history`` block contributes one observation, the recorded outcome,
with the probability :func:`~kurilsim.analysis.likelihood.record_probability` gives it: the logit
QRE's in the normal form, the agent QRE's in game trees and signalling games, all in the same
relative units, so that one precision serves every form. One era is one observation: where a
folder holds several scenarios of the same era (the normal-form era file and a tree of the same
year, say), :func:`era_scenarios` keeps one, the normal-form one if there is one, else the first
by file name, and lists the others as left out, so that no record is counted twice. The
unknowns are the parameters the eras share (declared once in the file their ``shared`` blocks
name) and the precision :math:`\lambda` of the logit QRE; each era's own parameters stay at their
defaults, the era's conditions as its file states them. The posterior

.. math:: p(\theta, \lambda \mid \text{record}) \propto
          p(\theta)\, p(\lambda) \prod_{e} P_e(\text{record}_e \mid \theta, \lambda)

is sampled with the affine-invariant ensemble sampler of Goodman and Weare [1]_ as emcee [2]_
implements it, all walkers' likelihoods computed in one call per step.

Priors. A shared parameter with a ``prior: {kind: poll}`` is Beta(share x strength,
(1 - share) x strength) truncated to its range, the strength being the effective sample size the
file states and justifies; every other shared parameter is uniform on its documented range. The
precision is log-uniform on :data:`PRECISION_RANGE`: from play close to random to play close to
Nash in units of each player's payoff range.

Output. The chain is written in parts, one ``.npz`` file every ``checkpoint`` steps, each
replaced atomically, with the sampler's random state at its end; ``resume=True`` reads the
finished parts and continues, and gives the same chain as a run never interrupted.

References
----------
.. [1] J. Goodman and J. Weare, "Ensemble samplers with affine invariance", *Communications in
   Applied Mathematics and Computational Science* 5(1), 65-80, 2010.
.. [2] D. Foreman-Mackey, D. W. Hogg, D. Lang and J. Goodman, "emcee: the MCMC hammer",
   *Publications of the Astronomical Society of the Pacific* 125, 306-312, 2013.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kurilsim.analysis.likelihood import record_probability
from kurilsim.core.arguments import DEFAULT_SEED, check_instance, check_int, check_path, shown
from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.errors import ArgumentTypeError, InputError
from kurilsim.core.option_defaults import (
    DEFAULT_CHECKPOINT,
    DEFAULT_STEPS,
    DEFAULT_WALKERS,
    MIN_WALKERS,
)
from kurilsim.core.scenario import Scenario
from kurilsim.core.schema import SharedParameter
from kurilsim.forms.registry import load_scenario
from kurilsim.io.shared_parameters import (
    is_shared_parameters_file,
    load_shared_parameters,
    shared_file_path,
)

FloatArray = NDArray[np.float64]

#: The name of the precision among the calibrated parameters.
PRECISION = "precision"
#: The log-uniform prior's range of the QRE precision, in units of each player's payoff range.
PRECISION_RANGE = (0.1, 100.0)
#: A chain shorter than this many integrated autocorrelation times is flagged (emcee's advice).
AUTOCORR_MULTIPLE = 50
#: Files of a calibration run in its output folder.
RUN_FILE = "run.json"
PART_PATTERN = "part-{:05d}.npz"


@dataclass(frozen=True)
class Prior:
    """One calibrated quantity's prior: uniform, truncated Beta from a poll, or log-uniform."""

    name: str
    low: float
    high: float
    kind: str
    a: float = 1.0
    b: float = 1.0

    def log_density(self, x: FloatArray) -> FloatArray:
        """The log prior density (up to a constant) at ``x``; ``-inf`` outside the range."""
        inside = (x >= self.low) & (x <= self.high)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "poll":
                value = (self.a - 1) * np.log(x) + (self.b - 1) * np.log1p(-x)
            elif self.kind == "log-uniform":
                value = -np.log(x)
            else:
                value = np.zeros_like(x)
        return np.where(inside, value, -np.inf)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draws from the prior (rejection from the untruncated Beta for a poll)."""
        if self.kind == "log-uniform":
            return np.exp(rng.uniform(math.log(self.low), math.log(self.high), size))
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, size)
        out = np.empty(0)
        while out.size < size:
            draw = rng.beta(self.a, self.b, 4 * size)
            out = np.concatenate([out, draw[(draw >= self.low) & (draw <= self.high)]])
        return out[:size]


def prior_of(name: str, parameter: SharedParameter) -> Prior:
    """The prior of a shared parameter, from its range and its ``prior`` field.

    Examples
    --------
    >>> from kurilsim.io.shared_parameters import load_shared_parameters
    >>> shared = load_shared_parameters("scenarios/shared/parameters.yaml")
    >>> prior_of("opposition_two", shared.parameters["opposition_two"])
    Prior(name='opposition_two', low=0.56, high=0.78, kind='poll', a=71.0, b=29.000000000000004)
    """
    check_instance("parameter", parameter, SharedParameter, "a SharedParameter")
    low, high = parameter.range
    poll = parameter.prior
    if poll is None:
        return Prior(name, low, high, "uniform")
    return Prior(
        name, low, high, "poll", poll.share * poll.strength, (1 - poll.share) * poll.strength
    )


@dataclass(frozen=True)
class CalibrationProblem:
    """The eras, the calibrated quantities and their priors: what the sampler needs."""

    eras: tuple[Scenario, ...]
    priors: tuple[Prior, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The calibrated quantities, the precision last."""
        return tuple(p.name for p in self.priors)

    @property
    def era_names(self) -> tuple[str, ...]:
        """Each era's name (its ``era`` field, else its title)."""
        return tuple(era.spec.era or era.title for era in self.eras)

    def log_prior(self, theta: FloatArray) -> FloatArray:
        """The log prior of each row of ``theta`` (shape ``(G, d)``)."""
        total = np.zeros(len(theta))
        for k, prior in enumerate(self.priors):
            total = total + prior.log_density(theta[:, k])
        return total

    def record_probabilities(self, theta: FloatArray) -> FloatArray:
        """Each era's probability of its record at each row of ``theta``: shape ``(G, eras)``."""
        out = np.zeros((len(theta), len(self.eras)))
        precision = theta[:, -1]
        for e, era in enumerate(self.eras):
            # Only the parameters the era takes from the shared file: a local one may share a name.
            uses = () if era.spec.shared is None else era.spec.shared.parameters
            values = {name: theta[:, k] for k, name in enumerate(self.names[:-1]) if name in uses}
            out[:, e] = record_probability(era, values, precision)
        return out

    def log_posterior(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Log posterior (up to a constant) and each era's record probability, per row."""
        theta = np.atleast_2d(theta)
        log_prior = self.log_prior(theta)
        probabilities = np.full((len(theta), len(self.eras)), np.nan)
        inside = np.isfinite(log_prior)
        if inside.any():
            probabilities[inside] = self.record_probabilities(theta[inside])
        with np.errstate(divide="ignore", invalid="ignore"):
            log_likelihood = np.log(probabilities).sum(axis=1)
        # A point whose QRE could not be traced (nan) is left out of the posterior, and counted.
        log_post = np.where(
            inside & np.isfinite(log_likelihood), log_prior + log_likelihood, -np.inf
        )
        return log_post, probabilities


def calibration_problem(
    eras: Sequence[Scenario],
    precision_range: tuple[float, float] = PRECISION_RANGE,
    parameters_of: Sequence[Scenario] | None = None,
    *,
    folder: str | None = None,
) -> CalibrationProblem:
    """The calibration problem of these eras: their shared parameters and the precision.

    ``parameters_of`` (default: ``eras``) are the eras whose shared parameters are calibrated;
    a wider set than ``eras`` samples the parameters only later eras use from their priors, so
    that those eras can be predicted. ``folder``, the folder the eras were read from, is named
    where there is none.

    Raises
    ------
    InputError
        If no era is given, an era records no history, or two shared files declare one name.
    """
    eras = _scenarios("eras", eras)
    parameters_of = None if parameters_of is None else _scenarios("parameters_of", parameters_of)
    if not eras:
        raise InputError("no era scenario with a recorded history to calibrate on", file=folder)
    shared: dict[str, SharedParameter] = {}
    for era in [*eras, *(parameters_of or ())]:
        if era.spec.history is None:
            raise InputError("the scenario records no history", file=era.source)
        reference = era.spec.shared
        if reference is None:
            continue
        declared = load_shared_parameters(shared_file_path(era.source, reference.file))
        for name in reference.parameters:
            known = shared.setdefault(name, declared.parameters[name])
            if known != declared.parameters[name]:
                raise InputError(
                    f"shared parameter {name!r} is declared differently in two shared files",
                    file=era.source,
                    field="shared.parameters",
                )
    low, high = precision_range
    if not 0 < low < high or not math.isfinite(high):
        raise InputError(f"precision range [{low}, {high}] must have 0 < low < high")
    priors = [prior_of(name, parameter) for name, parameter in shared.items()]
    priors.append(Prior(PRECISION, low, high, "log-uniform"))
    return CalibrationProblem(tuple(eras), tuple(priors))


def era_scenarios(
    directory: str | os.PathLike[str],
) -> tuple[list[Scenario], list[tuple[str, str]]]:
    """The era scenarios of a folder that can be calibrated on, and the files left out, with why.

    A file is left out when its form has no probability model of the record, it records no
    history, or another file of the folder already gives its era's record (the normal-form one
    first, then by file name): one record is one observation.

    Examples
    --------
    >>> eras, skipped = era_scenarios("scenarios")
    >>> ("sequence_1956.yaml", "era 1956 is taken from era_1956.yaml") in skipped
    True

    Raises
    ------
    InputError
        If the folder does not exist or a scenario in it is not valid.
    """
    from kurilsim.analysis.likelihood import RECORD_MODELS

    folder = Path(check_path("directory", directory))
    if not folder.is_dir():
        raise InputError("not a directory of scenario files", file=str(folder))
    eras, skipped = [], []
    for path in sorted(folder.glob("*.yaml")):
        if is_shared_parameters_file(path):
            continue
        scenario = load_scenario(path)
        if scenario.form.name not in RECORD_MODELS:
            skipped.append((path.name, f"{scenario.form.name} form"))
        elif scenario.spec.history is None:
            skipped.append((path.name, "no recorded history"))
        else:
            eras.append(scenario)
    # One file per era: the normal form first, then by file name (the folder's order).
    eras.sort(key=lambda era: era.form.name != "normal")
    kept: dict[str, Scenario] = {}
    for era in eras:
        name = era.spec.era or era.title
        if name in kept:
            taken = f"era {name} is taken from {Path(kept[name].source).name}"
            skipped.append((Path(era.source).name, taken))
        else:
            kept[name] = era
    return sorted(kept.values(), key=lambda era: era.spec.era or era.title), skipped


def _scenarios(name: str, value: object) -> list[Scenario]:
    """``value`` as a list of scenarios, or an error naming the argument."""
    if not isinstance(value, list | tuple):
        raise ArgumentTypeError(
            f"expected a folder of scenarios or a list of Scenarios, got {shown(value)}",
            field=name,
        )
    return [check_instance(name, item, Scenario, "a Scenario") for item in value]


def era_year(era: Scenario) -> int:
    """The year an era scenario is about: the first four digits of its ``era`` field.

    Raises
    ------
    InputError
        If the ``era`` field does not start with a year.
    """
    text = check_instance("era", era, Scenario, "a Scenario").spec.era or ""
    if not text[:4].isdigit():
        raise InputError(
            f"era {text!r} does not start with a year, so it cannot be placed before or after "
            "--fit-until",
            file=era.source,
            field="era",
        )
    return int(text[:4])


def predictive(
    fit: Calibration, eras: Sequence[Scenario], draws: int = 200, seed: int = DEFAULT_SEED
) -> FloatArray:
    """Each era's probability of its record at posterior draws: shape ``(draws, eras)``.

    The draws are taken evenly from the chain after burn-in; the eras may be ones the fit did
    not use, as long as their shared parameters were calibrated (see ``fit_until``).

    Raises
    ------
    InputError
        If an era uses a shared parameter the fit did not sample.
    """
    check_instance("fit", fit, Calibration, "a Calibration")
    eras = _scenarios("eras", eras)
    draws = check_int("draws", draws, minimum=1)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(fit.samples), size=min(draws, len(fit.samples)), replace=False)
    theta = fit.samples[np.sort(chosen)]
    problem = CalibrationProblem(tuple(eras), fit.priors)
    for era in eras:
        missing = set(() if era.spec.shared is None else era.spec.shared.parameters) - set(
            fit.names
        )
        if missing:
            raise InputError(
                f"the calibration did not sample {', '.join(sorted(missing))}", file=era.source
            )
    return problem.record_probabilities(theta)


@dataclass(frozen=True)
class Diagnostics:
    """Convergence diagnostics of a chain.

    ``failed_points`` counts the positions where some era's QRE could not be traced (no
    answer); ``zero_points`` those where every era was traced and some record has probability 0
    (an answer: the likelihood is 0 there).
    """

    acceptance: float
    autocorr_time: tuple[float, ...]
    too_short: bool
    failed_points: int
    zero_points: int

    def warnings(self, steps: int) -> list[str]:
        """Plain-language warnings for the reader."""
        out = []
        if self.too_short:
            worst = max(self.autocorr_time)
            out.append(
                f"the chain is too short to trust: {steps} steps are fewer than "
                f"{AUTOCORR_MULTIPLE} integrated autocorrelation times ({worst:.1f} steps); "
                "run more --steps"
            )
        if not 0.15 <= self.acceptance <= 0.7:
            out.append(f"acceptance fraction {self.acceptance:.2f} lies outside 0.15-0.7")
        if self.failed_points:
            out.append(
                f"{self.failed_points} positions of the chain have no likelihood: the QRE "
                "branch could not be followed there"
            )
        if self.zero_points:
            out.append(
                f"{self.zero_points} positions of the chain give a record probability 0: the "
                "model rules the record out there (likelihood 0)"
            )
        return out


@dataclass(frozen=True)
class Calibration:
    """A sampled posterior: the chain, each era's record probability, diagnostics, summaries."""

    names: tuple[str, ...]
    eras: tuple[str, ...]
    priors: tuple[Prior, ...]
    chain: FloatArray  # (steps, walkers, d)
    log_prob: FloatArray  # (steps, walkers)
    record: FloatArray  # (steps, walkers, eras)
    diagnostics: Diagnostics
    seed: int
    burn: int
    output: str | None = None
    _extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def samples(self) -> FloatArray:
        """Posterior draws after burn-in, shape ``(n, d)``."""
        return self.chain[self.burn :].reshape(-1, len(self.names))

    @property
    def record_samples(self) -> FloatArray:
        """Each era's record probability at the posterior draws, shape ``(n, eras)``."""
        return self.record[self.burn :].reshape(-1, len(self.eras))

    def summary(self) -> dict[str, dict[str, float]]:
        """Each quantity's posterior mean, 5%, 50% and 95% points, and its prior's 5% and 95%.

        ``pinned`` is 1 minus the width of the 90% posterior interval over the prior's: 0 when
        the history says nothing about the quantity, near 1 when it fixes it.
        """
        rng = np.random.default_rng(self.seed)
        out = {}
        for k, prior in enumerate(self.priors):
            draws = self.samples[:, k]
            prior_draws = prior.sample(rng, 20_000)
            if prior.kind == "log-uniform":
                draws, prior_draws = np.log(draws), np.log(prior_draws)
            q = np.quantile(draws, [0.05, 0.5, 0.95])
            pq = np.quantile(prior_draws, [0.05, 0.95])
            back = np.exp if prior.kind == "log-uniform" else (lambda x: x)
            out[prior.name] = {
                "mean": float(back(draws.mean()))
                if prior.kind != "log-uniform"
                else float(np.exp(draws).mean()),
                "q05": float(back(q[0])),
                "median": float(back(q[1])),
                "q95": float(back(q[2])),
                "prior_q05": float(back(pq[0])),
                "prior_q95": float(back(pq[1])),
                "pinned": float(1 - (q[2] - q[0]) / (pq[1] - pq[0])),
            }
        return out

    def record_summary(self) -> dict[str, dict[str, float]]:
        """Each era's posterior mean probability of its record, with its 5% and 95% points."""
        draws = self.record_samples
        return {
            era: {
                "mean": float(np.nanmean(draws[:, e])),
                "q05": float(np.nanquantile(draws[:, e], 0.05)),
                "q95": float(np.nanquantile(draws[:, e], 0.95)),
            }
            for e, era in enumerate(self.eras)
        }

    def to_dict(self) -> dict[str, Any]:
        """The summaries and diagnostics as a JSON-ready dictionary (not the chain)."""
        steps, walkers, _ = self.chain.shape
        return {
            "seed": self.seed,
            "walkers": walkers,
            "steps": steps,
            "burn_in": self.burn,
            "eras": list(self.eras),
            "posterior": self.summary(),
            "record_probability": self.record_summary(),
            "diagnostics": {
                "acceptance_fraction": self.diagnostics.acceptance,
                "autocorr_time": dict(zip(self.names, self.diagnostics.autocorr_time, strict=True)),
                "too_short": self.diagnostics.too_short,
                "failed_points": self.diagnostics.failed_points,
                "zero_points": self.diagnostics.zero_points,
                "warnings": self.diagnostics.warnings(steps),
            },
            "output": self.output,
        }

    def to_text(self) -> str:
        """Posterior table, each era's record probability, diagnostics and warnings."""
        steps, walkers, _ = self.chain.shape
        summary = self.summary()
        rows = [
            (
                name,
                f"{s['median']:.3g}",
                f"[{s['q05']:.3g}, {s['q95']:.3g}]",
                f"[{s['prior_q05']:.3g}, {s['prior_q95']:.3g}]",
                f"{s['pinned']:.0%}",
                f"{tau:.1f}",
            )
            for (name, s), tau in zip(summary.items(), self.diagnostics.autocorr_time, strict=True)
        ]
        lines = text_table(
            ("quantity", "median", "90% posterior", "90% prior", "pinned", "autocorr"), rows
        )
        lines.append("")
        lines += text_table(
            ("era", "P(record) mean", "90% interval"),
            [
                (era, f"{s['mean']:.3f}", f"[{s['q05']:.3f}, {s['q95']:.3f}]")
                for era, s in self.record_summary().items()
            ],
        )
        lines.append(
            f"({walkers} walkers x {steps} steps, first {self.burn} discarded, seed {self.seed}; "
            f"acceptance {self.diagnostics.acceptance:.2f}; pinned: 1 - posterior/prior width)"
        )
        lines += [f"warning: {w}" for w in self.diagnostics.warnings(steps)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        steps, walkers, _ = self.chain.shape
        summary = self.summary()
        heading = html_heading(
            f"Calibration on {len(self.eras)} eras",
            f"{walkers} walkers x {steps} steps, seed {self.seed}",
        )
        table = html_table(
            ["quantity", "median", "90% posterior", "90% prior", "pinned"],
            [
                [
                    name,
                    f"{s['median']:.3g}",
                    f"[{s['q05']:.3g}, {s['q95']:.3g}]",
                    f"[{s['prior_q05']:.3g}, {s['prior_q95']:.3g}]",
                    f"{s['pinned']:.0%}",
                ]
                for name, s in summary.items()
            ],
            caption="; ".join(self.diagnostics.warnings(steps)),
        )
        return heading + table

    def __repr__(self) -> str:
        steps, walkers, _ = self.chain.shape
        return (
            f"<Calibration: {len(self.names)} quantities, {len(self.eras)} eras, {walkers}x{steps}>"
        )


def calibrate(
    directory: str | os.PathLike[str] | Sequence[Scenario] = "scenarios",
    *,
    walkers: int = DEFAULT_WALKERS,
    steps: int = DEFAULT_STEPS,
    seed: int = DEFAULT_SEED,
    output: str | os.PathLike[str] | None = None,
    resume: bool = False,
    checkpoint: int = DEFAULT_CHECKPOINT,
    progress: bool = False,
    precision_range: tuple[float, float] = PRECISION_RANGE,
    fit_until: int | None = None,
) -> Calibration:
    """Sample the posterior over the shared parameters and the QRE precision.

    Parameters
    ----------
    directory
        A folder of era scenarios (every file with a ``history`` of a form with a probability
        model, one per era: see :func:`era_scenarios`), or the eras.
    walkers, steps
        The ensemble: walkers (at least twice the calibrated quantities, and even) and steps.
    seed
        Seed of the starting points and of the sampler.
    output
        A folder for the chain, written in parts every ``checkpoint`` steps; ``None`` keeps it
        in memory only.
    resume
        Continue the run in ``output`` from its last finished part (same seed, walkers and eras
        required); the result is the chain an uninterrupted run would give.
    checkpoint
        Steps between parts written.
    progress
        Show a progress bar (tqdm) on standard error.
    precision_range
        The log-uniform prior's range of the precision.
    fit_until
        Fit only the eras up to this year (their ``era`` field's first four digits); the shared
        parameters of later eras are still sampled (from their priors, where no fitted era uses
        them), so that :func:`predictive` can forecast those eras.

    Returns
    -------
    Calibration

    Raises
    ------
    InputError
        For bad arguments, no era to calibrate on, or an output folder that holds another run.

    Examples
    --------
    >>> import kurilsim
    >>> eras = [kurilsim.load_scenario("scenarios/era_1983.yaml")]
    >>> fit = calibrate(eras, walkers=4, steps=6, seed=1)
    >>> fit.names, fit.chain.shape
    (('precision',), (6, 4, 1))
    """
    walkers = check_int("walkers", walkers, minimum=MIN_WALKERS)
    steps = check_int("steps", steps, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    checkpoint = check_int("checkpoint", checkpoint, minimum=1)
    folder = None
    if isinstance(directory, str | os.PathLike):
        folder = os.fspath(directory)
        eras, _ = era_scenarios(folder)
    else:
        eras = _scenarios("directory", directory)
    everything = eras
    if fit_until is not None:
        fit_until = check_int("fit_until", fit_until)
        eras = [era for era in eras if era_year(era) <= fit_until]
    problem = calibration_problem(eras, precision_range, parameters_of=everything, folder=folder)
    dim = len(problem.names)
    if walkers < 2 * dim or walkers % 2:
        raise InputError(
            f"must be even and at least twice the {dim} calibrated quantities ({2 * dim} or more)",
            field="walkers",
        )
    config = {
        "names": list(problem.names),
        "eras": list(problem.era_names),
        "walkers": walkers,
        "seed": seed,
        "precision_range": list(precision_range),
        "fit_until": fit_until,
    }
    store = (
        None if output is None else _ChainStore(Path(check_path("output", output)), config, resume)
    )
    chain, log_prob, record, accepted = _sample(
        problem, walkers, steps, seed, checkpoint, store, progress
    )
    diagnostics = _diagnostics(chain, accepted, log_prob, record)
    return Calibration(
        names=problem.names,
        eras=problem.era_names,
        priors=problem.priors,
        chain=chain,
        log_prob=log_prob,
        record=record,
        diagnostics=diagnostics,
        seed=seed,
        burn=len(chain) // 2,
        output=None if store is None else str(store.folder),
    )


def _sample(
    problem: CalibrationProblem,
    walkers: int,
    steps: int,
    seed: int,
    checkpoint: int,
    store: _ChainStore | None,
    progress: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    import emcee

    parts = [] if store is None else store.parts()
    done = sum(len(p["chain"]) for p in parts)
    if parts:
        last = parts[-1]
        state = emcee.State(
            last["chain"][-1],
            log_prob=last["log_prob"][-1],
            blobs=last["record"][-1],
            random_state=_random_state(last),
        )
    else:
        rng = np.random.default_rng(seed)
        start = np.column_stack([prior.sample(rng, walkers) for prior in problem.priors])
        state = emcee.State(start, random_state=np.random.RandomState(seed).get_state())
    bar = _progress_bar(steps, done, progress)

    def log_posterior(theta: FloatArray) -> list[tuple[float, FloatArray]]:
        # emcee's vectorised call takes one (log probability, blob) pair per walker.
        log_post, probabilities = problem.log_posterior(theta)
        return list(zip(log_post.tolist(), probabilities, strict=True))

    while done < steps:
        length = min(checkpoint, steps - done)
        sampler = emcee.EnsembleSampler(walkers, len(problem.names), log_posterior, vectorize=True)
        with warnings.catch_warnings():
            # emcee warns about walkers stuck at -inf only through its logger; numpy's runtime
            # warnings on -inf log densities are expected at the prior's edges.
            warnings.simplefilter("ignore", RuntimeWarning)
            state = sampler.run_mcmc(state, length)
        part = {
            "chain": sampler.get_chain(),
            "log_prob": sampler.get_log_prob(),
            "record": np.asarray(sampler.get_blobs(), dtype=np.float64),
            "accepted": sampler.backend.accepted.astype(np.float64),
            **_state_arrays(state.random_state),
        }
        if store is not None:
            store.write(len(parts), part)
        parts.append(part)
        done += length
        if bar is not None:
            bar.update(length)
    if bar is not None:
        bar.close()
    chain = np.concatenate([p["chain"] for p in parts])[:steps]
    log_prob = np.concatenate([p["log_prob"] for p in parts])[:steps]
    record = np.concatenate([p["record"] for p in parts])[:steps]
    accepted = np.sum([p["accepted"] for p in parts], axis=0)
    return chain, log_prob, record, accepted


def _progress_bar(steps: int, done: int, show: bool) -> Any:
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=steps, initial=min(done, steps), desc="calibrate", unit="step")


def _state_arrays(random_state: Any) -> dict[str, FloatArray]:
    name, keys, pos, has_gauss, cached = random_state
    assert name == "MT19937"
    return {
        "rng_keys": np.asarray(keys, dtype=np.float64),
        "rng_rest": np.array([pos, has_gauss, cached], dtype=np.float64),
    }


def _random_state(part: dict[str, FloatArray]) -> tuple[Any, ...]:
    pos, has_gauss, cached = part["rng_rest"]
    keys = part["rng_keys"].astype(np.uint32)
    return ("MT19937", keys, int(pos), int(has_gauss), float(cached))


def _diagnostics(
    chain: FloatArray, accepted: FloatArray, log_prob: FloatArray, record: FloatArray
) -> Diagnostics:
    import emcee

    steps = len(chain)
    # Autocorrelation of log(precision): the precision is sampled on a log scale by its prior.
    series = chain.copy()
    series[..., -1] = np.log(series[..., -1])
    with np.errstate(invalid="ignore", divide="ignore"):
        # A walker that never moved has no autocorrelation to normalise: its time is inf.
        tau = np.asarray(emcee.autocorr.integrated_time(series, quiet=True), dtype=np.float64)
    tau = np.where(np.isfinite(tau), tau, float(steps))
    # emcee drops the eras' axis of the record when there is one era.
    untraced = np.isnan(record.reshape(*log_prob.shape, -1)).any(axis=-1)
    return Diagnostics(
        acceptance=float(accepted.mean() / steps),
        autocorr_time=tuple(float(t) for t in tau),
        too_short=bool(steps < AUTOCORR_MULTIPLE * tau.max()),
        # Positions come from the prior, so a record probability is nan only where its QRE
        # branch was not followed; -inf with every era traced is a record of probability 0.
        failed_points=int(untraced.sum()),
        zero_points=int((np.isneginf(log_prob) & ~untraced).sum()),
    )


class _ChainStore:
    """A folder of chain parts, each written atomically, and the run's settings."""

    def __init__(self, folder: Path, config: dict[str, Any], resume: bool) -> None:
        self.folder = folder
        run = folder / RUN_FILE
        if folder.exists() and not folder.is_dir():
            raise InputError("not a folder", file=str(folder), field="output")
        if run.exists():
            if not resume:
                raise InputError(
                    "holds a calibration run already; pass --resume to continue it, or choose "
                    "another output folder",
                    file=str(folder),
                    field="output",
                )
            saved = json.loads(run.read_text("utf-8"))
            if saved != config:
                different = sorted(
                    k for k in {*config, *saved} if saved.get(k, ...) != config.get(k, ...)
                )
                raise InputError(
                    f"the run there differs in {', '.join(different)}; resume needs the same",
                    file=str(run),
                )
        elif resume and any(folder.glob("part-*.npz")):
            raise InputError("chain parts without run.json; cannot resume", file=str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(run, json.dumps(config, indent=1).encode("utf-8"))

    def parts(self) -> list[dict[str, FloatArray]]:
        out = []
        k = 0
        while (path := self.folder / PART_PATTERN.format(k)).exists():
            with np.load(path) as data:
                out.append({name: data[name] for name in data.files})
            k += 1
        return out

    def write(self, index: int, part: dict[str, FloatArray]) -> None:
        path = self.folder / PART_PATTERN.format(index)
        with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as stream:
            np.savez(stream, allow_pickle=False, **part)
        os.replace(stream.name, path)


def _atomic_write(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as stream:
        stream.write(data)
    os.replace(stream.name, path)
