"""Shared parameters: declared once, taken by era scenarios, every bad reference refused in one line
naming file, field and line."""

from __future__ import annotations

import shutil

import pytest

import kurilsim
from kurilsim.core.errors import InputError
from kurilsim.core.schema import Normal, Parameter
from kurilsim.io.yaml_source import read_yaml
from tests.helpers import SCENARIOS, run_cli


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "shared").mkdir()
    for name in ("shared/parameters.yaml", "era_2018.yaml"):
        shutil.copy(SCENARIOS / name, tmp_path / name)
    return tmp_path


def test_an_era_takes_its_shared_parameters():
    era = kurilsim.load_scenario(SCENARIOS / "era_2018.yaml")
    assert era.spec.shared.parameters == (
        "settle_cost",
        "package",
        "je_share",
        "wedge_value",
        "failure_cost",
    )
    assert era.parameters["package"].range == (0.5, 2.0)
    assert "E46" in era.parameters["package"].evidence


def test_a_shared_parameter_joins_the_scenario_as_its_own_declaration_would(folder):
    # A distribution, a nested model, as a declaration may have; the prior, which only the
    # shared file has, stays there.
    shared = folder / "shared" / "parameters.yaml"
    text = shared.read_text("utf-8").replace(
        "  package:\n",
        "  package:\n    distribution: {kind: normal, sd: 0.25}\n    prior: {kind: poll,"
        " share: 0.5, strength: 10, why: w}\n",
        1,
    )
    shared.write_text(text, "utf-8")
    era = kurilsim.load_scenario(folder / "era_2018.yaml")
    declared = dict(read_yaml(text, str(shared)).data["parameters"]["package"])
    del declared["prior"]
    assert era.parameters["package"] == Parameter.model_validate(declared)
    assert era.parameters["package"].distribution == Normal(kind="normal", sd=0.25)


@pytest.mark.parametrize("how", ["alias", "validation_alias"])
def test_a_shared_declaration_is_keyed_as_the_scenario_model_reads_it(monkeypatch, how):
    """A field the model reads by an alias joins the scenario under that alias, not its name."""
    from pydantic import Field

    from kurilsim.core.schema import SharedParameter
    from kurilsim.io import shared_parameters

    class Aliased(Parameter):
        low_note: str | None = Field(default=None, **{how: "low-note"})

    class SharedAliased(SharedParameter, Aliased):
        pass

    monkeypatch.setattr(shared_parameters, "Parameter", Aliased)
    declared = {"default": 1, "range": [0, 2], "unit": "u", "description": "d"}
    shared = SharedAliased.model_validate({**declared, "assumption": "a", "low-note": "n"})
    joined = shared_parameters._declaration(shared)
    assert Aliased.model_validate(joined) == Aliased.model_validate(
        {**declared, "assumption": "a", "low-note": "n"}
    )


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        pytest.param(
            "file: shared/parameters.yaml",
            "file: ../shared/parameters.yaml",
            "shared.file",
            "relative to the scenario's folder",
            id="parent",
        ),
        pytest.param(
            "file: shared/parameters.yaml",
            "file: /etc/passwd.yaml",
            "shared.file",
            "relative to the scenario's folder",
            id="absolute",
        ),
        pytest.param(
            "file: shared/parameters.yaml",
            "file: other.yaml",
            "shared.file",
            "no shared-parameters file",
            id="missing",
        ),
        pytest.param(
            "file: shared/parameters.yaml",
            "file: shared/parameters.txt",
            "shared.file",
            "not a .yaml file",
            id="suffix",
        ),
        pytest.param(
            "[settle_cost, package,",
            "[settle_cost, packag,",
            "shared.parameters[1]",
            "'packag' is not declared",
            id="unknown name",
        ),
    ],
)
def test_a_bad_reference_is_one_line(folder, old, new, field, message):
    path = folder / "era_2018.yaml"
    text = path.read_text("utf-8").replace(old, new)
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as caught:
        kurilsim.load_scenario(path)
    error = caught.value
    assert (error.file, error.field) == (str(path), field) and message in error.reason
    assert error.line == line_of(text, new)
    assert "\n" not in str(error)


def test_a_parameter_cannot_be_both_shared_and_local(folder):
    path = folder / "era_2018.yaml"
    text = path.read_text("utf-8").replace(
        "\nparameters:\n",
        "\nparameters:\n  package: {default: 1, range: [0, 2], unit: u, description: d,"
        " assumption: a}\n",
        1,
    )
    path.write_text(text, "utf-8")
    with pytest.raises(InputError, match="is shared") as caught:
        kurilsim.load_scenario(path)
    assert caught.value.field == "parameters.package"
    assert caught.value.line == line_of(text, "  package: {")


def test_a_bad_shared_file_is_named_with_its_line(folder, capsys):
    shared = folder / "shared" / "parameters.yaml"
    text = shared.read_text("utf-8").replace("range: [0.3, 0.7]", "range: [0.7, 0.3]")
    shared.write_text(text, "utf-8")
    code, _, err = run_cli(capsys, "validate", folder / "era_2018.yaml")
    assert code == 2 and err.count("\n") == 1
    # The parameter's own line, as for a parameter of a scenario.
    assert err.startswith(f"kurilsim: {shared}:{line_of(text, '  je_share:')}: ")
    assert "parameters.je_share" in err and "low > high" in err


def test_an_unknown_evidence_id_in_the_shared_file_is_refused(folder):
    shared = folder / "shared" / "parameters.yaml"
    text = shared.read_text("utf-8").replace("evidence: [E50]", "evidence: [E999]")
    shared.write_text(text, "utf-8")
    with pytest.raises(InputError, match="unknown evidence id 'E999'") as caught:
        kurilsim.load_scenario(folder / "era_2018.yaml")
    assert caught.value.file == str(shared)
    assert caught.value.line == line_of(text, "E999")


def test_the_shared_file_is_not_a_scenario():
    with pytest.raises(InputError, match="a file of shared parameters, not a scenario"):
        kurilsim.load_scenario(SCENARIOS / "shared" / "parameters.yaml")


def test_a_scenario_from_a_string_cannot_find_its_shared_file():
    text = (SCENARIOS / "era_2018.yaml").read_text("utf-8")
    with pytest.raises(InputError, match="load the scenario from a file"):
        kurilsim.parse_scenario(text)
