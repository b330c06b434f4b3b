"""The cost of ``kurilsim run --format json`` on a tree tied at 10,000 subgame-perfect equilibria.

Run by hand: ``python benchmarks/bench_json_output.py``. One player stops or goes on 14 times,
every move tied at a bonus of 0: the listing stops at its default bound, 10,000 equilibria, and
the JSON document is 27 MB. This prints, alternating in one run, the two steps after the solve:

- the document as data (``TreeSolution.to_dict``) against its reference, the same with every
  node named anew each time it is asked (``path_name``), as kurilsim named nodes before;
- the text (``json_text``) against its reference, kurilsim's text as it was written before:
  a copy with the numbers JSON cannot hold replaced, then ``json.dumps(indent=2)``, which
  indents in Python;

with their median ratios, checks that kurilsim's answers are identical to the references', and
gives the load average, as the machine may be shared.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from kurilsim import parse_scenario, solve
from kurilsim.cli.common import _finite, json_text
from kurilsim.forms.tree import FlatTree, path_name

ROUNDS = 5
STOPS = 14


def _tied_chain(steps: int) -> str:
    node: dict[str, Any] = {"outcome": {}}
    for _ in range(steps):
        node = {"player": "A", "actions": {"stop": {"outcome": {"stopped": 1}}, "go": node}}
    bonus = {"default": 0, "range": [-1, 1], "unit": "u", "description": "d", "assumption": "a"}
    return json.dumps(
        {
            "kurilsim": 1,
            "form": "extensive",
            "title": "a chain of stops",
            "parameters": {"bonus": bonus},
            "players": ["A", "B"],
            "outcomes": {"stopped": {"description": "1 if A stops"}},
            "tree": node,
            "payoffs": {"A": "bonus * stopped", "B": "0"},
        }
    )


def _named_anew(self: FlatTree, node: int) -> str:
    """A node's name as kurilsim gave it before: found from the root each time it is asked."""
    return path_name(self.actions, self.parents, self.moves, self.labels, node)


def _reference_text(data: dict[str, Any]) -> str:
    """``json_text`` as kurilsim wrote it before."""
    return json.dumps(_finite({"format": 1, **data}), indent=2, allow_nan=False)


def _timed(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    done = step()
    return time.perf_counter() - started, done


def main() -> None:
    solution: Any = solve(parse_scenario(_tied_chain(STOPS)))
    print(f"{len(solution.equilibria):,} equilibria ({solution.listing_reason}), {STOPS} stops")
    memo = FlatTree.node_name
    times: dict[str, list[float]] = {name: [] for name in ("to_dict", "ref", "json", "json ref")}
    for _ in range(ROUNDS):
        solution.game.__dict__.pop("_node_names", None)  # each round names the nodes anew
        seconds, data = _timed(solution.to_dict)
        times["to_dict"].append(seconds)
        FlatTree.node_name = _named_anew  # type: ignore[method-assign]
        try:
            seconds, reference = _timed(solution.to_dict)
        finally:
            FlatTree.node_name = memo  # type: ignore[method-assign]
        times["ref"].append(seconds)
        assert data == reference
        seconds, text = _timed(lambda: json_text(data))  # noqa: B023 - timed at once
        times["json"].append(seconds)
        seconds, expected = _timed(lambda: _reference_text(data))  # noqa: B023
        times["json ref"].append(seconds)
        assert text == expected
    print(f"text: {len(text) / 1e6:.1f} MB, identical to the reference's in every round")
    for step, reference in (("to_dict", "ref"), ("json", "json ref")):
        ratios = [r / k for k, r in zip(times[step], times[reference], strict=True)]
        print(
            f"{step:8}: kurilsim {statistics.median(times[step]):.2f} s, reference "
            f"{statistics.median(times[reference]):.2f} s (medians of {ROUNDS}), "
            f"median ratio {statistics.median(ratios):.1f}x"
        )
    print("load average: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
