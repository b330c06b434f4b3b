"""The evidence trail of a scenario: each payoff, and each parameter with what supports it.

For every parameter the trail gives its value, default, range and unit, the evidence items it
cites (each with the articles it comes from), and the modelling assumption wherever the number is
the modeller's choice rather than the articles'. It also lists the scenario's sources and, when
the file records one, the historical outcome it is tested against. Evidence from a source dated
after the scenario's era (an article of 2020 cited for 2016) is flagged as *hindsight*: the
actors of the era could not have read it. The scenario's own evidence items, if the file has
any, are explained alongside the bundled registry's.

Examples
--------
>>> from kurilsim import parse_scenario
>>> text = '''
... kurilsim: 1
... title: Polls
... parameters:
...   opposition: {default: 0.71, range: [0.56, 0.78], unit: share, description: opposed,
...                evidence: [E50]}
... players: {Russia: [keep, cede], Japan: [wait]}
... payoff_table:
...   - {profile: [keep, wait], payoffs: [0, 0]}
...   - {profile: [cede, wait], payoffs: [-opposition, 1]}
... '''
>>> trail = explain(parse_scenario(text))
>>> trail.to_dict()["parameters"]["opposition"]["evidence"][0]["id"]
'E50'
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kurilsim.core.arguments import check_instance, check_mapping, check_real
from kurilsim.core.display import html_heading, html_table, recorded_text
from kurilsim.core.evidence import Article, Registry, load_registry, scenario_registry
from kurilsim.core.parameters import resolve
from kurilsim.core.scenario import Scenario
from kurilsim.core.schema import ScenarioHeader

WIDTH = 100


@dataclass(frozen=True)
class Explanation:
    """A scenario's evidence trail, as data (:meth:`to_dict`) or text (:meth:`to_text`)."""

    data: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The trail as a JSON-ready dictionary."""
        return dict(self.data)

    def to_text(self) -> str:
        """The trail as indented plain text, wrapped at 100 columns."""
        d = self.data
        lines = [f"{d['title']}" + (f" (era {d['era']})" if d["era"] else "")]
        if d["description"]:
            lines += textwrap.wrap(d["description"], WIDTH)
        if d["payoffs"]:  # a tree may pay only at its leaves
            lines += ["", "Payoffs"]
            for player, expression in d["payoffs"].items():
                lines += _wrap(f"{player} = {expression}", "  ", "      ")
        if d["outcomes"]:
            lines += ["", "Outcome variables"]
            for name, description in d["outcomes"].items():
                lines += _wrap(f"{name}: {description}", "  ", "      ")
        if d["options"]:
            lines += ["", "Options (each decision maker takes any of its own)"]
            for name, description in d["options"].items():
                lines += _wrap(f"{name}: {description}", "  ", "      ")
        if d.get("information_sets"):
            lines += ["", "Information sets (nodes a mover cannot tell apart)"]
            for name, nodes in d["information_sets"].items():
                lines += _wrap(f"{name}: {nodes}", "  ", "      ")
        if d["deals"]:
            lines += ["", "Deals"]
            for name, description in d["deals"].items():
                lines += _wrap(f"{name}: {description}", "  ", "      ")
        if d["history"]:
            history = d["history"]
            lines += ["", "Recorded outcome (what the backtest and tests compare with)"]
            lines += _wrap(history["summary"], "  ", "  ")
            lines += _wrap(
                "as strategies: "
                + ", ".join(f"{player}={s}" for player, s in history["outcome"].items())
                + f"; evidence {', '.join(history['evidence'])}",
                "  ",
                "      ",
            )
        if d["sources"]:
            lines += ["", "Sources"]
            for s in d["sources"]:
                parts = (s["author"], f'"{s["title"]}"', s["outlet"], s["date"])
                cited = ", ".join(part for part in parts if part)
                lines += _wrap(f"{s['id']}: {cited}", "  ", "      ")
        lines += ["", "Parameters"]
        for name, p in d["parameters"].items():
            low, high = p["range"]
            lines += _wrap(
                f"{name} = {p['value']:g} (default {p['default']:g}, range {low:g} to {high:g}; "
                f"{p['unit']})",
                "  ",
                "      ",
            )
            lines += _wrap(p["description"], "    ", "    ")
            for item in p["evidence"]:
                cited = "; ".join(_source_label(s) for s in item["sources"])
                if item["hindsight"]:
                    cited += "; hindsight: dated after the era"
                lines += _wrap(f"{item['id']} [{cited}]: {item['summary']}", "    - ", "      ")
            if p["assumption"]:
                lines += _wrap(f"modelling assumption: {p['assumption']}", "    - ", "      ")
            elif p["evidence"]:
                lines += ["    - value: the articles' own figure (no modelling assumption)"]
        if d["hindsight"]:
            note = (
                f"Hindsight: {', '.join(d['hindsight'])} come from sources dated after the era "
                f"{d['era']}; they inform the model, but the actors of the era could not read them."
            )
            lines += ["", *_wrap(note, "", "  ")]
        if d["unknown_evidence"]:
            lines += ["", "Evidence ids not in the registry: " + ", ".join(d["unknown_evidence"])]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The payoffs, then each parameter with its value and the evidence behind it."""
        d = self.data
        heading = html_heading(
            d["title"] + (f" (era {d['era']})" if d["era"] else ""),
            " ".join((d["description"] or "").split())[:300],
        )
        payoffs = html_table(["player", "payoff"], [[p, e] for p, e in d["payoffs"].items()])
        rows = []
        for name, p in d["parameters"].items():
            low, high = p["range"]
            support = [
                f"{item['id']}{' (hindsight)' if item['hindsight'] else ''}: "
                f"{' '.join(item['summary'].split())}"
                for item in p["evidence"]
            ]
            if p["assumption"]:
                support.append(f"modelling assumption: {' '.join(p['assumption'].split())}")
            rows.append(
                [
                    name,
                    f"{p['value']:g}",
                    f"{low:g} to {high:g}",
                    p["unit"],
                    " ".join(p["description"].split()),
                    " | ".join(support),
                ]
            )
        parameters = html_table(
            ["parameter", "value", "range", "unit", "meaning", "evidence"],
            rows,
            caption="evidence ids not in the registry: " + ", ".join(d["unknown_evidence"])
            if d["unknown_evidence"]
            else "",
        )
        return heading + payoffs + parameters

    def __repr__(self) -> str:
        return f"<Explanation of {self.data['title']!r}: {len(self.data['parameters'])} parameters>"


def explain(
    scenario: Scenario,
    overrides: Mapping[str, float] | None = None,
    registry: Registry | None = None,
) -> Explanation:
    """Build the evidence trail of ``scenario`` at the given parameter values.

    Parameters
    ----------
    scenario
        A loaded scenario of any game form.
    overrides
        Parameter values to show instead of the defaults (checked against their ranges).
    registry
        The evidence registry; the one shipped with the package by default. The scenario's own
        evidence items, if any, are added to it.

    Returns
    -------
    Explanation
        Each evidence item in ``to_dict()`` carries ``hindsight``: whether a source of it is dated
        after the scenario's era (the years in ``era`` and in the source's ``date``); the
        top-level ``hindsight`` lists those items among everything the scenario cites.

    Raises
    ------
    ArgumentTypeError
        For an argument of the wrong type.
    InputError
        For a parameter value that is unknown or outside its range.
    """
    check_instance("scenario", scenario, Scenario, "a Scenario")
    overrides = check_mapping("overrides", overrides, check_real)
    if registry is not None:
        check_instance("registry", registry, Registry, "None or an evidence Registry")
    spec: ScenarioHeader = scenario.header
    registry = scenario_registry(spec, registry or load_registry())
    values = resolve(spec.parameters, overrides)
    sections = scenario.form.explain(scenario)
    cited: list[str] = [e for p in spec.parameters.values() for e in p.evidence]
    if spec.history is not None:
        cited += list(spec.history.evidence)
    unknown = sorted(set(registry.unknown(cited)))
    hindsight = sorted(
        {
            e
            for e in cited
            if e not in unknown and _after_era(registry.sources_of(registry.item(e)), spec.era)
        }
    )
    parameters = {}
    for name, p in spec.parameters.items():
        evidence = []
        for evidence_id in p.evidence:
            if evidence_id in unknown:
                continue
            item = registry.item(evidence_id)
            evidence.append(
                {
                    "id": item.id,
                    "sources": [
                        {
                            "id": a.id,
                            "title": a.title,
                            "author": a.author,
                            "outlet": a.outlet,
                            "date": a.date,
                        }
                        for a in registry.sources_of(item)
                    ],
                    "period": item.period,
                    "summary": " ".join(item.summary.split()),
                    "numbers": list(item.numbers),
                    "hindsight": item.id in hindsight,
                }
            )
        parameters[name] = {
            "value": float(values[name]),
            "default": p.default,
            "range": list(p.range),
            "unit": p.unit,
            "description": " ".join(p.description.split()),
            "evidence": evidence,
            "assumption": " ".join(p.assumption.split()) if p.assumption else None,
        }
    return Explanation(
        {
            "title": spec.title,
            "era": spec.era,
            "description": " ".join((spec.description or "").split()),
            "payoffs": sections.get("payoffs", {}),
            "outcomes": sections.get("outcomes", {}),
            "deals": sections.get("deals", {}),
            "options": sections.get("options", {}),
            "information_sets": sections.get("information_sets", {}),
            "parameters": parameters,
            "sources": [
                {
                    "id": s.id,
                    "title": s.title,
                    "author": s.author,
                    "outlet": s.outlet,
                    "date": s.date,
                }
                for s in spec.sources
            ],
            "history": None
            if spec.history is None
            else {
                "summary": " ".join(spec.history.summary.split()),
                "outcome": sections.get("recorded")
                or {player: recorded_text(match) for player, match in spec.history.outcome.items()},
                "evidence": list(spec.history.evidence),
            },
            "hindsight": hindsight,
            "unknown_evidence": unknown,
        }
    )


def _years(text: str | None) -> list[int]:
    return [int(year) for year in re.findall(r"(?<![0-9])[0-9]{4}(?![0-9])", text or "")]


def _after_era(sources: list[Article], era: str | None) -> bool:
    """Whether any of ``sources`` is dated after the last year ``era`` names (``2014-2016``: 2016).

    A source whose date names no year, or an era that names none (``general``), is never flagged.
    """
    era_years = _years(era)
    if not era_years:
        return False
    return any(
        min(years) > max(era_years) for years in map(_years, (s.date for s in sources)) if years
    )


def _source_label(source: Mapping[str, Any]) -> str:
    """``A000 Sergey Radchenko, 2014``: id, author (or that the file names none), year."""
    who = source["author"] or "author not named"
    year = (source["date"] or "")[:4]
    return f"{source['id']} {who}" + (f", {year}" if year else "")


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest) or [first]
