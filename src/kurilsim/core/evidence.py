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
import re
from importlib import resources
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationError

from kurilsim.core.errors import InputError
from kurilsim.core.rules import SemanticError
from kurilsim.core.schema import EVIDENCE_ID, EvidenceItem, FrozenModel, ScenarioHeader
from kurilsim.io.yaml_source import read_yaml

EvidenceId = Annotated[str, StringConstraints(pattern=EVIDENCE_ID)]

__all__ = [
    "Article",
    "EvidenceItem",
    "Registry",
    "bundled_ids",
    "citable_ids",
    "load_registry",
    "scenario_registry",
]

#: The bundled registry, as a path inside the package and as the name its errors give.
_REGISTRY_FILE = ("data", "evidence.yaml")
_REGISTRY_NAME = "kurilsim/data/evidence.yaml"
#: The line of the bundled registry after which its evidence items come, to the end of the file.
_ITEMS_KEY = re.compile(r"^evidence:\n", re.MULTILINE)
#: A line among the items that is not inside one (indented four spaces), blank or a comment.
_OUTER_LINE = re.compile(r"^(?! {4}|[ \t]*(?:#|$)).*", re.MULTILINE)
#: The only such line the ids are read from: the one that begins an item, holding its id.
_ITEM_START = re.compile(r"  - id: (E[0-9]{2,})")


class Article(FrozenModel):
    """One source article."""

    id: str
    file: str | None = None
    title: str
    author: str | None = None
    outlet: str | None = None
    date: str | None = None
    eras: tuple[str, ...] = Field(default=(), description="The eras the article covers.")
    note: str | None = None


class Registry(FrozenModel):
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
        raise InputError(f"unknown evidence id {evidence_id!r}; the registry has no such item")

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
    name = _REGISTRY_NAME
    document = read_yaml(_registry_text(), name)
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


def _registry_text() -> str:
    return resources.files("kurilsim").joinpath(*_REGISTRY_FILE).read_text("utf-8")


@functools.cache
def bundled_ids() -> tuple[str, ...]:
    """The ids of the bundled registry's evidence items, in file order.

    Checking what a scenario cites needs only these. They are read from the lines that begin
    the items (``  - id: E07`` under ``evidence:``, the file's last key), without reading and
    validating the rest of the registry, which :func:`load_registry` does and which takes
    longer than the checks of the scenario itself; the tests check that both give the same ids.
    A registry laid out otherwise is refused rather than read: an item's id quoted, followed by
    a comment or not on its first line, or a key after ``evidence:``.

    Raises
    ------
    InputError
        If the registry is not laid out so (a packaging error), naming the line.

    Examples
    --------
    >>> ids = bundled_ids()
    >>> ids[0], "E50" in ids
    ('E01', True)
    """
    text = _registry_text()
    key = _ITEMS_KEY.search(text)
    if key is None:
        raise InputError(
            "the evidence registry is damaged: no line 'evidence:' begins its items",
            file=_REGISTRY_NAME,
        )
    ids = []
    for line in _OUTER_LINE.finditer(text, key.end()):
        item = _ITEM_START.fullmatch(line[0])
        if item is None:
            raise InputError(
                "the evidence registry is damaged: after 'evidence:', each line is an item's "
                "first, '  - id: E..', or indented four spaces, blank or a comment",
                file=_REGISTRY_NAME,
                line=text.count("\n", 0, line.start()) + 1,
            )
        ids.append(item[1])
    if not ids:
        raise InputError(
            "the evidence registry is damaged: no item after 'evidence:'", file=_REGISTRY_NAME
        )
    return tuple(ids)


def citable_ids(header: ScenarioHeader) -> tuple[str, ...]:
    """The evidence ids a scenario may cite: the bundled registry's, then the scenario's own.

    Parameters
    ----------
    header
        The validated scenario (any game form).

    Raises
    ------
    InputError
        If the scenario's own items clash with the registry (see :func:`scenario_registry`).

    Examples
    --------
    >>> from kurilsim import load_scenario
    >>> citable_ids(load_scenario("scenarios/era_1956.yaml").header) == bundled_ids()
    True
    """
    if not header.evidence:
        return bundled_ids()
    return tuple(item.id for item in scenario_registry(header).evidence)


def scenario_registry(header: ScenarioHeader, registry: Registry | None = None) -> Registry:
    """The registry a scenario cites: the bundled one plus the scenario's own sources and items.

    A scenario file may carry an ``evidence`` list of items like the registry's (id, sources,
    period, actors, summary, numbers). They are checked as the registry is: ids must not repeat
    or clash with the registry's, and every source an item names must be one of the file's
    ``sources`` or an article of the registry. The file's sources that the registry lacks join it
    as articles.

    Parameters
    ----------
    header
        The validated scenario (any game form).
    registry
        The registry to extend; the bundled one by default.

    Returns
    -------
    Registry
        ``registry`` itself when the file adds no evidence items, else a merged copy.

    Raises
    ------
    InputError
        If an item clashes with the registry or cites a source neither lists (a
        :class:`~kurilsim.core.rules.SemanticError` naming the field).

    Examples
    --------
    >>> from kurilsim import parse_scenario
    >>> text = '''
    ... kurilsim: 1
    ... title: A survey of my own
    ... sources: [{id: S1, title: A 2021 poll, date: "2021-05"}]
    ... evidence:
    ...   - {id: E86, sources: [S1], summary: Most respondents opposed any transfer.}
    ... parameters:
    ...   opposition: {default: 0.8, range: [0.5, 0.9], unit: share, description: opposed,
    ...                evidence: [E86, E50]}
    ... players: {Russia: [keep, cede], Japan: [wait]}
    ... payoff_table:
    ...   - {profile: [keep, wait], payoffs: [0, 0]}
    ...   - {profile: [cede, wait], payoffs: [-opposition, 1]}
    ... '''
    >>> merged = scenario_registry(parse_scenario(text).header)
    >>> [a.id for a in merged.sources_of(merged.item("E86"))], merged.item("E50").sources
    (['S1'], ('A002',))
    """
    registry = registry or load_registry()
    if not header.evidence:
        return registry
    known_ids = {item.id for item in registry.evidence}
    articles = {article.id for article in registry.sources}
    added = [
        Article(id=s.id, file=s.file, title=s.title, author=s.author, outlet=s.outlet, date=s.date)
        for s in header.sources
        if s.id not in articles
    ]
    available = articles | {a.id for a in added}
    for k, item in enumerate(header.evidence):
        if item.id in known_ids:
            raise SemanticError(
                f"evidence id {item.id} is already in the bundled registry; give the scenario's "
                "own items new ids",
                ("evidence", k, "id"),
            )
        for j, source in enumerate(item.sources):
            if source not in available:
                raise SemanticError(
                    f"evidence {item.id} cites source {source!r}, which is neither in the file's "
                    "'sources' nor a bundled article",
                    ("evidence", k, "sources", j),
                )
    return registry.model_copy(
        update={
            "sources": (*registry.sources, *added),
            "evidence": (*registry.evidence, *header.evidence),
        }
    )
