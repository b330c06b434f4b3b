"""JSON the commands print: a format version, and profiles as data beside their labels."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kurilsim.cli.common import json_text
from tests.helpers import run_cli


def test_every_result_document_carries_its_format(capsys):
    for argv in (
        ("run", "scenarios/sochi_2016.yaml"),
        ("run", "scenarios/sequence_2016.yaml"),
        ("compare", "scenarios/sochi_2016.yaml"),
    ):
        _, out, _ = run_cli(capsys, *argv, "--format", "json")
        data = json.loads(out)
        assert next(iter(data)) == "format" and data["format"] == 1


def test_the_schema_keeps_its_own_layout(capsys):
    _, out, _ = run_cli(capsys, "schema")
    assert "format" not in json.loads(out)


def test_subgame_perfect_plans_are_data(capsys):
    _, out, _ = run_cli(capsys, "run", "scenarios/sequence_2016.yaml", "--format", "json")
    (spe,) = json.loads(out)["subgame_perfect"]
    assert set(spe["plans"]) == set(spe["strategies"])
    assert "|".join(spe["plans"]["Russia"].values()) == spe["strategies"]["Russia"]


def test_predictions_keep_their_label_and_give_profiles(capsys):
    _, out, _ = run_cli(capsys, "compare", "scenarios/sochi_2016.yaml", "--format", "json")
    nash = [p for p in json.loads(out)["predictions"] if p["concept"] == "Nash (pure)"]
    assert nash and all(isinstance(p["outcome"], str) for p in nash)
    for profile in (profile for p in nash for profile in p["profiles"]):
        assert all(abs(sum(mix.values()) - 1) < 1e-9 for mix in profile.values())


def test_bargaining_predictions_give_lotteries_as_mappings(capsys):
    _, out, _ = run_cli(capsys, "compare", "scenarios/bargaining_2016.yaml", "--format", "json")
    counted = [p for p in json.loads(out)["predictions"] if p["counted"]]
    assert counted and all(abs(sum(p["profiles"][0].values()) - 1) < 1e-9 for p in counted)


def _named(value):
    """The reference's replacement of the numbers JSON cannot hold, by their names."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _named(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_named(item) for item in value]
    return value


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.floats().map(np.float64)
    | st.text(max_size=6)
)
_KEYS = (
    st.text(max_size=4)
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_KEYS, inner, max_size=4)
    ),
    max_leaves=30,
)


@given(_DOCUMENTS)
def test_the_text_is_the_standard_librarys_indented_json(document):
    expected = json.dumps(_named(document), indent=2, allow_nan=False)
    assert json_text(document, versioned=False) == expected


def test_a_value_json_cannot_hold_is_refused_as_by_the_standard_library():
    for document in ({"a": [1, {"b": {1, 2}}]}, [object()], {("tuple", "key"): 1}):
        with pytest.raises(TypeError):
            json_text(document)
