"""A small fast model for calibration tests: eras in which one player chooses among three options.

Player A picks ``low`` (payoff 0), ``mid`` (payoff ``theta + shift``) or ``high`` (payoff 1);
player B has one move. ``theta`` is shared by every era through a shared-parameters file; each
era has its own ``shift``. With one decision maker the logit QRE is the logit choice rule on A's
payoffs normalised to [0, 1], so the probability of each option has a closed form
(:func:`choice_probabilities`), which the tests check against the traced QRE and use to make
repeated calibrations affordable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kurilsim.analysis.likelihood import RecordModel, normal_form_recorded

SHARED = """\
kurilsim-shared: 1
title: toy shared parameters
parameters:
  theta:
    default: 0.5
    range: [0.0, 0.6]
    unit: A's payoff unit
    description: what the middle option is worth to A
    assumption: a test value
"""

ERA = """\
kurilsim: 1
title: toy era {k}
era: "{era}"
shared:
  file: shared.yaml
  parameters: [theta]
parameters:
  shift:
    default: {shift}
    range: [{shift}, {shift}]
    unit: A's payoff unit
    description: this era's addition to the middle option
    assumption: a test value
players:
  A: [low, mid, high]
  B: [wait]
payoff_table:
  - {{profile: [low, wait], payoffs: [0, 0]}}
  - {{profile: [mid, wait], payoffs: [theta + shift, 0]}}
  - {{profile: [high, wait], payoffs: [1, 0]}}
history:
  summary: A chose {choice}
  outcome: {{A: {choice}}}
  evidence: [E01]
"""

STRATEGIES = ("low", "mid", "high")


def choice_probabilities(theta: np.ndarray, shift: float, precision: np.ndarray) -> np.ndarray:
    """The logit choice probabilities of low, mid, high: shape ``(len(theta), 3)``."""
    theta = np.asarray(theta, dtype=float)
    payoffs = np.stack([np.zeros_like(theta), theta + shift, np.ones_like(theta)], axis=-1)
    low = payoffs.min(axis=-1, keepdims=True)
    normalised = (payoffs - low) / (payoffs.max(axis=-1, keepdims=True) - low)
    logits = np.asarray(precision, dtype=float)[..., None] * normalised
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return np.asarray(weights / weights.sum(axis=-1, keepdims=True))


def write_eras(folder: Path, shifts: list[float], choices: list[str]) -> Path:
    """Write the shared file and one era per shift with its recorded choice; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "shared.yaml").write_text(SHARED, encoding="utf-8")
    for k, (shift, choice) in enumerate(zip(shifts, choices, strict=True)):
        text = ERA.format(k=k, era=f"{2000 + k}", shift=shift, choice=choice)
        (folder / f"era_{k}.yaml").write_text(text, encoding="utf-8")
    return folder


def closed_form_model(scenario, values, precision):  # RecordModel.probabilities
    """Profile probabilities of a toy era by the closed form, over a batch."""
    theta = np.broadcast_to(np.asarray(values["theta"], dtype=float), precision.shape)
    p = choice_probabilities(theta, float(values["shift"]), precision)
    return p[:, :, None]  # B's single strategy


#: The toy eras' probability model of the record, for ``RECORD_MODELS["normal"]``.
CLOSED_FORM = RecordModel(closed_form_model, normal_form_recorded)
