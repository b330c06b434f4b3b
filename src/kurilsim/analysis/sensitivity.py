"""Global sensitivity analysis: which parameters, alone and together, move a scenario's output.

Where :mod:`~kurilsim.analysis.tipping` moves one parameter at a time from the defaults, this
moves all of them at once over their whole documented ranges (uniformly, whatever distribution a
parameter declares for sampling) and splits the variance of one scalar output
(:mod:`~kurilsim.analysis.scalar_output`) among them:

- **Sobol' indices** (Sobol' 2001 [1]_; Saltelli 2002 [2]_; Saltelli et al. 2010 [3]_): the
  first-order index ``S1`` of a parameter is the share of the output's variance it explains
  alone, the total index ``ST`` the share it has a hand in, interactions included, and the
  second-order index ``S2`` of a pair the share their interaction alone explains. ``ST - S1``
  large means a parameter matters through others; the ``S1`` summing to well below 1 means
  interactions dominate. Saltelli's sampling takes ``N (2D + 2)`` points for ``D`` parameters
  (``N`` a power of 2); confidence intervals are bootstrapped.
- **Morris screening** (Morris 1991 [4]_; Campolongo et al. 2007 [5]_): ``N`` one-at-a-time
  trajectories through the box, ``N (D + 1)`` points; ``mu_star``, the mean absolute effect of a
  step in a parameter, ranks the parameters, and ``sigma``, the spread of those effects, flags
  non-linearity and interactions. Cheaper than Sobol' for many parameters, and a ranking only.

Sampling and estimation are SALib's (Herman and Usher 2017 [6]_; Iwanaga et al. 2022 [7]_); the
outputs at all the points are evaluated in batches by the form's vectorised sweep method.

References
----------
.. [1] I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models and their
   Monte Carlo estimates", *Mathematics and Computers in Simulation* 55, 271-280, 2001.
.. [2] A. Saltelli, "Making best use of model evaluations to compute sensitivity indices",
   *Computer Physics Communications* 145, 280-297, 2002.
.. [3] A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto and S. Tarantola, "Variance
   based sensitivity analysis of model output", *Computer Physics Communications* 181, 259-270,
   2010.
.. [4] M. D. Morris, "Factorial sampling plans for preliminary computational experiments",
   *Technometrics* 33(2), 161-174, 1991.
.. [5] F. Campolongo, J. Cariboni and A. Saltelli, "An effective screening design for
   sensitivity analysis of large models", *Environmental Modelling & Software* 22, 1509-1518,
   2007.
.. [6] J. Herman and W. Usher, "SALib: an open-source Python library for sensitivity
   analysis", *Journal of Open Source Software* 2(9), 97, 2017.
.. [7] T. Iwanaga, W. Usher and J. Herman, "Toward SALib 2.0", *Socio-Environmental Systems
   Modelling* 4, 18155, 2022.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from kurilsim.analysis.scalar_output import parse_output
from kurilsim.core.arguments import (
    DEFAULT_SEED,
    check_instance,
    check_int,
    check_mapping,
    check_names,
    check_real,
    check_solver_options,
    check_text,
)
from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.errors import InputError
from kurilsim.core.option_defaults import MIN_SAMPLES
from kurilsim.core.parameters import unknown_parameter
from kurilsim.core.result import incomplete_points_text, reason_counts
from kurilsim.core.scenario import Scenario
from kurilsim.core.tolerance import DEFAULT_TOL, check_tolerance

Method = Literal["sobol", "morris"]
METHODS: tuple[Method, ...] = ("sobol", "morris")
#: Default base samples ``N``: Sobol' evaluates ``N (2D + 2)`` points, Morris ``N (D + 1)``.
DEFAULT_SAMPLES: dict[Method, int] = {"sobol": 256, "morris": 32}
#: Bootstrap resamples of the confidence intervals, and their level.
RESAMPLES = 100
LEVEL = 0.95
#: Levels of the Morris grid.
MORRIS_LEVELS = 4
#: Columns of the index table of each method, with SALib's names.
COLUMNS: dict[Method, tuple[str, ...]] = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "mu_star_conf", "sigma"),
}


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Global sensitivity indices of one output of a scenario.

    Attributes
    ----------
    title
        The scenario's title.
    output
        The output's text (see :mod:`~kurilsim.analysis.scalar_output`).
    method
        ``"sobol"`` or ``"morris"``.
    samples
        The base sample size ``N``.
    seed
        Seed of the sampling and of the bootstrap.
    evaluations
        Points evaluated.
    ranges
        Each varied parameter's range, in order.
    indices
        One row per varied parameter (index: its name), columns :data:`COLUMNS` of the method.
    second_order, second_order_conf
        Sobol': the ``S2`` indices and their confidence half-widths, parameter by parameter,
        symmetric with NaN on the diagonal; None for Morris or one parameter.
    mean, variance
        The output's mean and variance over the points.
    fixed
        Parameters held at values other than their defaults.
    incomplete_reasons
        Why the answer is incomplete at some points: each reason
        (:attr:`kurilsim.core.result.Result.incomplete_reason`) and at how many points, most
        frequent first; empty when the solver finished at every point (:attr:`complete`).
    note
        Why the indices may not be reliable (empty when nothing is known against them): SALib
        met constant outputs in its resampled subsets, as when the output changes at a handful
        of points only.
    """

    title: str
    output: str
    method: Method
    samples: int
    seed: int
    evaluations: int
    ranges: Mapping[str, tuple[float, float]]
    indices: pd.DataFrame
    second_order: pd.DataFrame | None
    second_order_conf: pd.DataFrame | None
    mean: float
    variance: float
    fixed: Mapping[str, float]
    incomplete_reasons: Mapping[str, int]
    note: str = ""

    @property
    def complete(self) -> bool:
        """Whether the solver finished at every point."""
        return not self.incomplete_reasons

    @property
    def constant(self) -> bool:
        """Whether the output is the same at every point (no parameter moves it)."""
        return self.variance == 0

    def ranked(self) -> pd.DataFrame:
        """The index table, most influential first (by ``ST``, or ``mu_star`` for Morris)."""
        key = "ST" if self.method == "sobol" else "mu_star"
        return self.indices.sort_values(key, ascending=False, kind="stable")

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: ``parameter``, ``low``, ``high`` and the method's indices."""
        frame = self.indices.copy()
        frame.insert(0, "high", [self.ranges[n][1] for n in frame.index])
        frame.insert(0, "low", [self.ranges[n][0] for n in frame.index])
        return frame.rename_axis("parameter").reset_index()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; each parameter's indices keyed by its name, SALib's names."""
        parameters: dict[str, Any] = {}
        names = [str(n) for n in self.indices.index]
        for k, name in enumerate(names):
            entry: dict[str, Any] = {"range": list(self.ranges[name])}
            entry.update({c: float(self.indices[c].iloc[k]) for c in self.indices.columns})
            if self.second_order is not None and self.second_order_conf is not None:
                s2, conf = self.second_order.to_numpy(), self.second_order_conf.to_numpy()
                others = [j for j in range(len(names)) if j != k]
                entry["S2"] = {names[j]: float(s2[k, j]) for j in others}
                entry["S2_conf"] = {names[j]: float(conf[k, j]) for j in others}
            parameters[name] = entry
        return {
            "title": self.title,
            "output": self.output,
            "method": self.method,
            "samples": self.samples,
            "seed": self.seed,
            "evaluations": self.evaluations,
            "mean": self.mean,
            "variance": self.variance,
            "fixed": dict(self.fixed),
            "complete": self.complete,
            "incomplete_reasons": dict(self.incomplete_reasons),
            "note": self.note,
            "parameters": parameters,
        }

    def to_text(self, rows: int | None = None) -> str:
        """A table, most influential first, then the sums and the strongest interactions."""
        head = [
            f"{self.title}: {'Sobol' if self.method == 'sobol' else 'Morris'} sensitivity of "
            f"{self.output!r}",
            f"{self.evaluations:,} points (N = {self.samples}, seed {self.seed}); output mean "
            f"{self.mean:.4g}, variance {self.variance:.4g}",
        ]
        warning = (
            [f"WARNING: {self.incomplete_text()}; indices may be off"] if not self.complete else []
        )
        if self.constant:
            head.append("the output is the same at every point: no parameter moves it")
            return "\n".join(head + warning)
        ranked = self.ranked() if rows is None else self.ranked().head(rows)
        columns = list(self.indices.columns)
        table = [
            [str(name), *(f"{row[c]:.3f}" for c in columns)] for name, row in ranked.iterrows()
        ]
        lines = head + text_table(["parameter", *columns], table)
        if self.method == "sobol" and not self.note:
            total = float(self.indices["S1"].sum())
            lines.append(
                f"sum of S1: {total:.2f} (the rest of the variance, {max(0.0, 1 - total):.2f}, "
                "comes from interactions)"
            )
            lines += [
                f"  {a} x {b}: S2 = {s:.3f} +/- {c:.3f}" for a, b, s, c in self.interactions(3)
            ]
        if self.note:
            lines.append(f"note: {self.note}")
        return "\n".join(lines + warning)

    def incomplete_text(self) -> str:
        """At how many points the answer is incomplete, and why ("" when complete everywhere).

        Examples
        --------
        >>> import pandas as pd
        >>> reasons = {"max_seconds": 3, "unproved: continuum": 1}
        >>> Sensitivity("t", "deal-share", "sobol", 8, 0, 48, {}, pd.DataFrame(), None, None,
        ...             0.5, 0.1, {}, reasons).incomplete_text()
        'incomplete at 4 of 48 points (max_seconds: 3, unproved: continuum: 1)'
        """
        return incomplete_points_text(self.incomplete_reasons, self.evaluations)

    def interactions(self, top: int) -> list[tuple[str, str, float, float]]:
        """The ``top`` pairs with the largest ``S2``: ``(first, second, S2, S2_conf)``."""
        if self.second_order is None or self.second_order_conf is None:
            return []
        names = [str(n) for n in self.second_order.columns]
        s2, conf = self.second_order.to_numpy(), self.second_order_conf.to_numpy()
        pairs = [
            (names[i], names[j], float(s2[i, j]), float(conf[i, j]))
            for i in range(len(names))
            for j in range(i + 1, len(names))
        ]
        return sorted(pairs, key=lambda pair: -pair[2])[:top]

    def _repr_html_(self) -> str:
        heading = html_heading(
            f"Sensitivity of {self.output!r}: {self.title}",
            f"{self.method}, {self.evaluations:,} points (N = {self.samples}, seed {self.seed})",
        )
        columns = list(self.indices.columns)
        rows = [[str(n), *(f"{r[c]:.3f}" for c in columns)] for n, r in self.ranked().iterrows()]
        return heading + html_table(["parameter", *columns], rows)

    def __repr__(self) -> str:
        return (
            f"<Sensitivity ({self.method}) of {self.output!r}: {len(self.indices)} parameters, "
            f"{self.evaluations:,} points>"
        )


def sensitivity(
    scenario: Scenario,
    output: str,
    method: Method = "sobol",
    samples: int | None = None,
    seed: int = DEFAULT_SEED,
    parameters: Sequence[str] | None = None,
    fixed: Mapping[str, float] | None = None,
    tol: float = DEFAULT_TOL,
    options: Mapping[str, Any] | None = None,
) -> Sensitivity:
    """Rank the parameters of ``scenario`` by how much they move ``output``, over their ranges.

    Parameters
    ----------
    scenario
        A loaded scenario of any form.
    output
        The output's text: ``deal-share``, ``deal-any``, ``regime:LABEL``, ``payoff:PLAYER``,
        ``qre-deal:LAMBDA`` (see :mod:`~kurilsim.analysis.scalar_output`).
    method
        ``"sobol"`` (first-order, total and second-order indices with confidence intervals) or
        ``"morris"`` (screening: ``mu_star`` and ``sigma``).
    samples
        The base sample size ``N``: a power of 2 for Sobol' (default 256), trajectories for
        Morris (default 32).
    seed
        Seed of the sampling and of the bootstrap of the confidence intervals.
    parameters
        The parameters to vary; by default every parameter with a range that is not in
        ``fixed``.
    fixed
        Values held for parameters not varied; defaults hold for the rest.
    tol
        Relative tolerance of the solver.
    options
        Options of the form's sweep method, as :func:`kurilsim.sweep` takes them: for a game
        tree, the bounds of the listing at a tied point (``max_equilibria``, ``max_seconds``).

    Returns
    -------
    Sensitivity

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For a bad output, an unknown parameter, a value out of range, a sample size that is not
        a power of 2 (Sobol'), no parameter to vary, or an option the form's sweep method does
        not take.

    Examples
    --------
    A payoff that depends on ``stag`` alone:

    >>> import kurilsim
    >>> hunt = kurilsim.parse_scenario(
    ...     "{kurilsim: 1, title: Stag hunt, players: {A: [stag, hare], B: [stag, hare]},"
    ...     " parameters: {stag: {default: 4, range: [2, 10], unit: meals, description: s,"
    ...     " assumption: e}, hare: {default: 1, range: [0, 1], unit: meals, description: h,"
    ...     " assumption: e}}, payoff_table: [{profile: [stag, stag], payoffs: [stag, stag]},"
    ...     " {profile: [stag, hare], payoffs: [0, hare]}, {profile: [hare, stag],"
    ...     " payoffs: [hare, 0]}, {profile: [hare, hare], payoffs: [hare, hare]}]}")
    >>> result = sensitivity(hunt, "payoff:A", samples=64, seed=1)
    >>> result.indices[["S1", "ST"]].round(1).abs()
           S1   ST
    stag  1.0  1.0
    hare  0.0  0.0
    """
    check_instance("scenario", scenario, Scenario, "a Scenario")
    check_text("output", output)
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    samples = (
        check_int("samples", samples, minimum=MIN_SAMPLES, optional=True) or DEFAULT_SAMPLES[method]
    )
    seed = check_int("seed", seed, minimum=0)
    names = check_names("parameters", parameters, optional=True)
    held = check_mapping("fixed", fixed, check_real)
    check_tolerance(tol)
    options = check_solver_options(check_mapping("options", options))
    parsed = parse_output(output, scenario)
    base = scenario.parameter_values(held)  # checks the fixed values' names and ranges
    varied = _varied(scenario, names, held)
    if method == "sobol" and samples & (samples - 1):
        raise InputError(
            f"samples must be a power of 2 for Sobol' sampling, got {samples}; "
            f"e.g. {1 << max(1, math.ceil(math.log2(samples)))}"
        )
    ranges = {n: _bounds(scenario, n) for n in varied}
    problem = {
        "num_vars": len(varied),
        "names": list(varied),
        "bounds": [list(r) for r in ranges.values()],
    }
    # SALib is imported when used: it is slow to import and needed by this function only.
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        second = len(varied) > 1
        points = sobol_sample.sample(problem, samples, calc_second_order=second, seed=seed)
    else:
        from SALib.sample import morris as morris_sample

        points = morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    values = {n: points[:, k] for k, n in enumerate(varied)}
    fixed_values = {n: float(v) for n, v in base.items() if n not in values}
    y, reasons = parsed.evaluate(scenario, {**fixed_values, **values}, tol, options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        indices, s2, s2_conf = _indices(method, problem, points, y, seed)
    note = ""
    if any("Constant values" in str(w.message) for w in caught):
        # SALib warns and returns zeros; say why, with how rarely the output changes.
        counts = np.unique(y, return_counts=True)[1]
        rare = len(y) - int(counts.max())
        note = (
            f"the output differs from its most common value at {rare:,} of {len(y):,} points, "
            "too few for the estimator (SALib met constant subsets); the indices are not "
            "reliable: raise the samples"
        )
    unexpected = [w for w in caught if "Constant values" not in str(w.message)]
    for w in unexpected:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return Sensitivity(
        title=scenario.title,
        output=output,
        method=method,
        samples=samples,
        seed=seed,
        evaluations=len(y),
        ranges=ranges,
        indices=indices,
        second_order=s2,
        second_order_conf=s2_conf,
        mean=float(y.mean()),
        variance=float(y.var()),
        fixed={n: float(v) for n, v in held.items()},
        incomplete_reasons=reason_counts(reasons.tolist()),
        note=note,
    )


def _bounds(scenario: Scenario, name: str) -> tuple[float, float]:
    low, high = scenario.parameters[name].range
    return float(low), float(high)


def _varied(
    scenario: Scenario, names: Sequence[str] | None, held: Mapping[str, float]
) -> list[str]:
    if names is None:
        varied = [
            n for n, p in scenario.parameters.items() if n not in held and p.range[1] > p.range[0]
        ]
    else:
        varied = list(dict.fromkeys(names))
        for name in varied:
            if name not in scenario.parameters:
                raise unknown_parameter(name, scenario.parameters)
            if name in held:
                raise InputError(f"parameter {name!r} is both varied and fixed")
            low, high = scenario.parameters[name].range
            if not high > low:
                raise InputError(f"parameter {name!r} has an empty range [{low:g}, {high:g}]")
    if not varied:
        raise InputError("no parameter to vary: every parameter is fixed or has an empty range")
    return varied


def _indices(
    method: Method, problem: dict[str, Any], points: np.ndarray, y: np.ndarray, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """The index table and, for Sobol', the S2 matrices (symmetric, NaN on the diagonal)."""
    names = problem["names"]
    second = method == "sobol" and len(names) > 1
    if np.ptp(y) == 0:
        # A constant output has no variance to split: SALib would divide by zero. No parameter
        # moves it, so every index is 0, and known exactly.
        indices = pd.DataFrame(0.0, index=names, columns=list(COLUMNS[method]))
        zeros = pd.DataFrame(np.zeros((len(names),) * 2), index=names, columns=names)
        matrix = zeros.where(~np.eye(len(names), dtype=bool))
        return indices, (matrix if second else None), (matrix.copy() if second else None)
    if method == "morris":
        from SALib.analyze import morris as morris_analyze

        found = morris_analyze.analyze(
            problem, points, y, num_resamples=RESAMPLES, conf_level=LEVEL,
            num_levels=MORRIS_LEVELS, seed=seed,
        )  # fmt: skip
        table = {c: np.asarray(found[c], dtype=float) for c in COLUMNS["morris"]}
        return pd.DataFrame(table, index=names), None, None
    from SALib.analyze import sobol as sobol_analyze

    # SALib 1.6 seeds the bootstrap only for a truthy seed (seed 0 would draw from numpy's global
    # generator); a SeedSequence is always truthy and gives the same draws as the integer.
    found = sobol_analyze.analyze(
        problem,
        y,
        calc_second_order=second,
        num_resamples=RESAMPLES,
        conf_level=LEVEL,
        seed=np.random.SeedSequence(seed),
    )
    table = {c: np.asarray(found[c], dtype=float) for c in COLUMNS["sobol"]}
    if not second:
        return pd.DataFrame(table, index=names), None, None
    matrices = []
    for key in ("S2", "S2_conf"):
        upper = np.triu(np.nan_to_num(np.asarray(found[key], dtype=float)), k=1)
        full = upper + upper.T
        np.fill_diagonal(full, np.nan)
        matrices.append(pd.DataFrame(full, index=names, columns=names))
    return pd.DataFrame(table, index=names), matrices[0], matrices[1]
