"""The scenario file format, version 1, as typed and validated data.

These pydantic models are the single definition of what a scenario file may hold: the loader
validates documents against them and ``kurilsim schema`` prints their JSON Schema. They check each
field on its own (types, ranges, identifiers); the checks that need the whole document (names used
in rules and expressions) live in :mod:`kurilsim.core.rules`.
"""

# No ``from __future__ import annotations``: pydantic would compile every annotation string
# with ``eval`` when it builds the models.
import math
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from kurilsim.core.arguments import MAX_PLAYERS

#: The scenario format version this release reads.
FORMAT_VERSION = 1

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
EVIDENCE_ID = r"^E[0-9]{2,}$"
#: The key that marks a YAML file as a file of testable statements rather than a scenario.
STATEMENTS_KEY = "kurilsim-statements"
#: Where a folder of scenarios keeps its statements: in a subfolder, so that every ``*.yaml`` of
#: the folder is a scenario.
STATEMENTS_FILE = "statements/history.yaml"

Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER, max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1)]
StrictNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
#: A number, or an expression in the language of :mod:`kurilsim.core.expr`.
ExpressionText = StrictNumber | Annotated[str, StringConstraints(min_length=1, max_length=4000)]


SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$")]


class FrozenModel(BaseModel):
    """The base of the models of kurilsim's files: immutable, and unknown fields are errors.

    Each model's validator is built on its first use: a file's model builds the schemas of the
    models it nests as part of its own, so reading a file builds no validator it does not use
    (those of the nested models, or those of the other game forms).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Source(FrozenModel):
    """A publication the scenario draws on."""

    id: SourceId = Field(description="Short id that evidence and text refer to, e.g. 'A002'.")
    title: Text
    file: str | None = Field(default=None, description="File name of the article, if stored.")
    author: str | None = None
    outlet: str | None = None
    date: str | None = Field(default=None, description="Publication date, e.g. '2016-12'.")


class EvidenceItem(FrozenModel):
    """One claim drawn from the sources, paraphrased.

    An item of the bundled registry, or of a scenario's own ``evidence`` list.
    """

    id: Annotated[str, StringConstraints(pattern=EVIDENCE_ID)] = Field(
        description="Id that parameters and history cite, e.g. 'E86'."
    )
    sources: tuple[SourceId, ...] = Field(
        min_length=1, description="Ids of the sources the claim comes from."
    )
    period: str | None = Field(default=None, description="The period the claim concerns.")
    actors: tuple[str, ...] = ()
    summary: Text = Field(description="A paraphrase in the author's own words.")
    numbers: tuple[str, ...] = Field(
        default=(), description="Figures the sources themselves state."
    )


class Uniform(FrozenModel):
    """Uniform over the parameter's range."""

    kind: Literal["uniform"]


class Normal(FrozenModel):
    """Normal, truncated to the parameter's range."""

    kind: Literal["normal"]
    mean: StrictNumber | None = Field(default=None, description="Defaults to the default value.")
    sd: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]


class Triangular(FrozenModel):
    """Triangular over the parameter's range."""

    kind: Literal["triangular"]
    mode: StrictNumber | None = Field(default=None, description="Defaults to the default value.")


class Beta(FrozenModel):
    """Beta(a, b), scaled from [0, 1] to the parameter's range."""

    kind: Literal["beta"]
    a: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
    b: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]


#: How Monte Carlo sweeps draw a parameter; uniform over its range when absent.
Distribution = Annotated[Uniform | Normal | Triangular | Beta, Field(discriminator="kind")]


class Parameter(FrozenModel):
    """A named number the payoffs depend on, with the evidence behind it."""

    default: StrictNumber = Field(description="Value used unless the user sets another.")
    range: tuple[StrictNumber, StrictNumber] = Field(
        description="Plausible interval [low, high]; values outside it are refused."
    )
    unit: Text = Field(description="Unit or scale of the value.")
    description: Text
    evidence: tuple[Annotated[str, StringConstraints(pattern=EVIDENCE_ID)], ...] = Field(
        default=(), description="Ids of the evidence items the value rests on, e.g. E50."
    )
    assumption: Text | None = Field(
        default=None,
        description="Why the value is a modelling choice, where the evidence does not fix it.",
    )
    distribution: Distribution | None = Field(
        default=None, description="How Monte Carlo sweeps draw the value; uniform if absent."
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        low, high = self.range
        if low > high:
            raise ValueError(f"range [{low}, {high}] has low > high")
        if not math.isfinite(high - low):  # sweeps, samples and tipping points divide its width
            raise ValueError(f"range [{low}, {high}] is wider than a 64-bit float can hold")
        if not low <= self.default <= high:
            raise ValueError(f"default {self.default} lies outside its range [{low}, {high}]")
        if not self.evidence and self.assumption is None:
            raise ValueError("give evidence ids or an 'assumption' explaining the choice")
        for centre_name in ("mean", "mode"):
            centre = getattr(self.distribution, centre_name, None)
            if centre is not None and not low <= centre <= high:
                raise ValueError(
                    f"distribution {centre_name} {centre} lies outside the range [{low}, {high}]"
                )
        return self


#: ``when`` matches a player's strategy by name, or any of a list of names.
StrategyMatch = Identifier | Annotated[list[Identifier], Field(min_length=1)]


class RuleSpec(FrozenModel):
    """Sets an outcome variable when the strategy profile matches ``when``."""

    when: dict[Identifier, StrategyMatch] = Field(
        description="Player -> strategy (or list of strategies); unnamed players match anything."
    )
    value: ExpressionText


class OutcomeSpec(FrozenModel):
    """A named quantity derived from the strategy profile by ordered rules (first match wins)."""

    description: Text
    unit: str | None = None
    default: ExpressionText = Field(default=0.0, description="Value when no rule matches.")
    rules: tuple[RuleSpec, ...] = ()


class History(FrozenModel):
    """What actually happened in the era a scenario models, for backtests."""

    summary: Text = Field(description="The recorded outcome in plain language.")
    outcome: dict[Identifier, StrategyMatch] = Field(
        description="Player -> the strategy (or strategies) consistent with the record; "
        "players not named are unconstrained."
    )
    evidence: tuple[Annotated[str, StringConstraints(pattern=EVIDENCE_ID)], ...] = Field(
        min_length=1, description="Evidence ids that record the outcome."
    )


class Label(FrozenModel):
    """A readable name for the strategy profiles ``when`` matches, for sweep tables and plots."""

    when: dict[Identifier, StrategyMatch] = Field(
        description="Player -> strategy (or list of strategies); unnamed players match anything."
    )
    label: Annotated[str, StringConstraints(min_length=1, max_length=80)]


class TableEntry(FrozenModel):
    """One cell of an explicit payoff table."""

    profile: list[Identifier] = Field(description="One strategy per player, in player order.")
    payoffs: list[ExpressionText] = Field(description="One payoff per player, in player order.")


class SharedReference(FrozenModel):
    """Parameters a scenario takes from a file of parameters shared across eras."""

    file: Annotated[str, StringConstraints(min_length=1, max_length=255)] = Field(
        description="Path of the shared-parameters file, relative to the scenario's folder, "
        "inside it (no '..', no absolute path)."
    )
    parameters: tuple[Identifier, ...] = Field(
        min_length=1,
        description="Names of the shared parameters the scenario uses; it must not declare "
        "them itself.",
    )


class PollPrior(FrozenModel):
    """A prior for calibration from a survey share: Beta(share x strength, (1 - share) x strength).

    ``strength`` is the effective sample size: the number of respondents whose answers the prior
    counts as evidence (the survey's own sample where the source gives it, fewer when the survey
    measures the parameter only indirectly). The Beta is truncated to the parameter's range.
    """

    kind: Literal["poll"]
    share: Annotated[float, Field(strict=True, gt=0, lt=1, allow_inf_nan=False)]
    strength: Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
    why: Text = Field(description="How the strength was chosen.")


class SharedParameter(Parameter):
    """A parameter declared once for several eras, with an optional calibration prior."""

    prior: PollPrior | None = Field(
        default=None,
        description="The prior calibration puts on the value; uniform over the range if absent.",
    )


class SharedParametersFile(FrozenModel):
    """A file of parameters that mean the same in several era scenarios."""

    kurilsim_shared: Literal[1] = Field(alias="kurilsim-shared")
    title: Text
    description: str | None = None
    parameters: dict[Identifier, SharedParameter] = Field(min_length=1)


class ScenarioHeader(FrozenModel):
    """The fields every scenario file has, whatever its game form."""

    kurilsim: Literal[1] = Field(description="Format version of the file.")
    title: Text
    era: str | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    parameters: dict[Identifier, Parameter] = Field(default_factory=dict)
    history: History | None = Field(
        default=None, description="The outcome history records, for backtests."
    )
    shared: SharedReference | None = Field(
        default=None,
        description="Parameters taken from a shared-parameters file; they join 'parameters'.",
    )
    evidence: tuple[EvidenceItem, ...] = Field(
        default=(),
        description="The scenario's own evidence items, added to the bundled registry for this "
        "scenario: ids must be new, and each item's sources must be listed in 'sources' or be "
        "bundled articles.",
    )

    @field_validator("evidence")
    @classmethod
    def _evidence_ids_unique(cls, items: tuple[EvidenceItem, ...]) -> tuple[EvidenceItem, ...]:
        ids = [item.id for item in items]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"evidence ids repeat: {', '.join(repeated)}")
        return items

    @field_validator("kurilsim", mode="before")
    @classmethod
    def _version_is_a_number(cls, value: object) -> object:
        # True == 1 in Python, so the literal alone would take "kurilsim: true" for version 1.
        if isinstance(value, bool):
            raise ValueError(
                f"unsupported format version; this release reads version {FORMAT_VERSION}"
            )
        return value


class ScenarioFile(ScenarioHeader):
    """A scenario file of a game in normal form (simultaneous moves), format version 1."""

    form: Literal["normal"] = Field(
        default="normal", description="The game form; 'normal' (simultaneous moves) by default."
    )
    players: dict[Identifier, Annotated[list[Identifier], Field(min_length=1)]] = Field(
        min_length=2,
        max_length=MAX_PLAYERS,
        description=f"Player -> list of strategy names, in order (2 to {MAX_PLAYERS} players).",
    )
    outcomes: dict[Identifier, OutcomeSpec] = Field(default_factory=dict)
    payoffs: dict[Identifier, ExpressionText] | None = Field(
        default=None, description="Player -> payoff expression over parameters and outcomes."
    )
    payoff_table: tuple[TableEntry, ...] | None = Field(
        default=None, description="Explicit payoffs, one entry per strategy profile."
    )
    labels: tuple[Label, ...] = Field(
        default=(),
        description="Names of outcomes for sweeps: every entry matching a profile contributes, "
        "in order, joined by '; '; profiles no entry matches are named by their strategies.",
    )

    @model_validator(mode="after")
    def _one_payoff_form(self) -> Self:
        if (self.payoffs is None) == (self.payoff_table is None):
            both = self.payoffs is not None
            raise ValueError(
                "give exactly one of 'payoffs' (expressions) or 'payoff_table' (explicit)"
                + (", not both" if both else "")
            )
        return self
