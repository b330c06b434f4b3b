"""The evidence registry: the source articles and the evidence items scenarios cite.

The registry ships with the package as ``kurilsim/data/evidence.yaml``. Each evidence item has an
id (``E07``), the articles it comes from, the period and actors it concerns, a paraphrase in the
project's own words and the numbers the articles state. Scenario parameters cite items by id;
:func:`load_registry` reads the registry and :meth:`Registry.item` looks an id up.

Examples
--------
>>> registry = load_registry()
>>> item = registry.item("E50")
>>> item.id, [source.id for source in registry.sources_of(item)]  # doctest: +ELLIPSIS
('E50', [...])
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from kurilsim.core.errors import InputError
from kurilsim.core.schema import EVIDENCE_ID
from kurilsim.io.yaml_source import read_yaml

EvidenceId = Annotated[str, StringConstraints(pattern=EVIDENCE_ID)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Article(_Frozen):
    """One source article."""

    id: str
    file: str
    title: str
    author: str | None = None
    outlet: str | None = None
    date: str
    eras: tuple[str, ...] = Field(description="The eras the article covers.")
    note: str | None = None


class EvidenceItem(_Frozen):
    """One claim drawn from the articles, paraphrased."""

    id: EvidenceId
    sources: tuple[str, ...] = Field(min_length=1)
    period: str
    actors: tuple[str, ...]
    summary: str = Field(min_length=1, description="A paraphrase in the project's own words.")
    numbers: tuple[str, ...] = ()


class Registry(_Frozen):
    """The articles and evidence items, with look-ups by id."""

    kurilsim_evidence: Literal[1] = Field(alias="kurilsim-evidence")
    sources: tuple[Article, ...]
    evidence: tuple[EvidenceItem, ...]

    def item(self, evidence_id: str) -> EvidenceItem:
        """The evidence item with this id.

        Raises
        ------
        InputError
            If the registry has no such item.
        """
        for item in self.evidence:
            if item.id == evidence_id:
                return item
        raise InputError(f"unknown evidence id {evidence_id!r}; the registry has E01 to E85")

    def article(self, source_id: str) -> Article:
        """The article with this id (``A000`` ...)."""
        for article in self.sources:
            if article.id == source_id:
                return article
        raise InputError(f"unknown source id {source_id!r}")

    def sources_of(self, item: EvidenceItem) -> list[Article]:
        """The articles an evidence item comes from."""
        return [self.article(source_id) for source_id in item.sources]

    def unknown(self, evidence_ids: tuple[str, ...] | list[str]) -> list[str]:
        """The ids in ``evidence_ids`` that the registry does not have."""
        known = {item.id for item in self.evidence}
        return [e for e in evidence_ids if e not in known]


@functools.cache
def load_registry() -> Registry:
    """Read the registry that ships with the package (cached).

    Raises
    ------
    InputError
        If the data file is damaged (a packaging error).
    """
    name = "kurilsim/data/evidence.yaml"
    text = resources.files("kurilsim").joinpath("data", "evidence.yaml").read_text("utf-8")
    document = read_yaml(text, name)
    try:
        registry = Registry.model_validate(document.data)
    except ValidationError as exc:
        raise InputError(f"the evidence registry is damaged: {exc}", file=name) from None
    ids = [item.id for item in registry.evidence]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InputError(f"evidence ids repeat: {', '.join(repeated)}", file=name)
    missing = sorted(
        {s for item in registry.evidence for s in item.sources} - {a.id for a in registry.sources}
    )
    if missing:
        raise InputError(f"evidence cites unknown sources: {', '.join(missing)}", file=name)
    return registry
