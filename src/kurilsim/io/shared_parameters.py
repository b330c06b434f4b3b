r"""Parameters shared across era scenarios: declared once, referred to by each era file.

A shared-parameters file (``kurilsim-shared: 1``) declares parameters that mean the same thing,
in the same unit, in several eras: the size of Japan's economic package, Tokyo's domestic cost
of settling for two islands ... An era scenario takes them with

.. code-block:: yaml

    shared:
      file: shared/parameters.yaml
      parameters: [settle_cost, package]

and must not declare them itself. The path is relative to the scenario's folder and stays inside
it. On loading, the shared declarations join the scenario's ``parameters`` (so every command sees
them as ordinary parameters), and calibration treats them as one value across all the eras that
use them.

Examples
--------
>>> shared = load_shared_parameters("scenarios/shared/parameters.yaml")
>>> "settle_cost" in shared.parameters
True
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from kurilsim.core.errors import InputError
from kurilsim.core.schema import Parameter, SharedParameter, SharedParametersFile
from kurilsim.io.sources import read_source
from kurilsim.io.yaml_source import YamlDocument, read_yaml

#: The key that marks a YAML file as a file of shared parameters.
SHARED_KEY = "kurilsim-shared"
#: Suffixes a shared-parameters file may have.
_SUFFIXES = (".yaml", ".yml")


def load_shared_parameters(path: str | os.PathLike[str]) -> SharedParametersFile:
    """Read and validate a shared-parameters file.

    Parameters
    ----------
    path
        The file.

    Raises
    ------
    InputError
        If the file cannot be read, is not valid, or cites an evidence id the bundled registry
        does not have; the message names the file, the field and the line.
    """
    text, source = read_source(path, "path")
    return _validated(read_yaml(text, source))


def is_shared_parameters_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a shared-parameters file (its first key is ``kurilsim-shared``).

    Examples
    --------
    >>> is_shared_parameters_file("scenarios/sochi_2016.yaml")
    False
    """
    try:
        # read_source refuses FIFOs and devices, which would hang or never end.
        text, _ = read_source(path, "path")
    except InputError:
        return False  # loading it as a scenario reports the problem
    return any(line.startswith(SHARED_KEY + ":") for line in text.splitlines())


def shared_file_path(scenario_source: str, reference: object) -> Path:
    """The shared-parameters file a scenario refers to, checked to be safe to open.

    Raises
    ------
    InputError
        If the reference is not a relative path to a ``.yaml`` file inside the scenario's
        folder, or the scenario was not read from a file.
    """
    if not isinstance(reference, str) or not reference:
        raise InputError("expected the path of a shared-parameters file", field="shared.file")
    relative = PurePosixPath(reference.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or ":" in reference:
        raise InputError(
            f"{reference!r} must be a path relative to the scenario's folder, inside it",
            field="shared.file",
        )
    if relative.suffix not in _SUFFIXES:
        raise InputError(f"{reference!r} is not a .yaml file", field="shared.file")
    folder = Path(scenario_source).parent
    if not Path(scenario_source).is_file():
        raise InputError(
            "shared parameters are read relative to the scenario's file; load the scenario from "
            "a file",
            field="shared.file",
        )
    return folder / Path(*relative.parts)


def with_shared_parameters(document: YamlDocument) -> dict[str, Any]:
    """The scenario's fields with the shared parameters it refers to joined to ``parameters``.

    A document without a ``shared`` field is returned unchanged. The ``shared`` field stays, so
    that the scenario records which of its parameters are shared and where they come from.

    Raises
    ------
    InputError
        For a bad reference, a name the shared file does not declare, a name the scenario also
        declares itself, or any problem of the shared file; one line naming file, field and line.
    """
    data: dict[str, Any] = document.data
    reference = data.get("shared")
    if reference is None:
        return data
    source = document.source
    if not isinstance(reference, dict) or not isinstance(reference.get("parameters"), list):
        raise InputError(
            "expected a mapping with 'file' and a list 'parameters'",
            file=source,
            field="shared",
            line=document.line_of(("shared",)),
        )
    try:
        path = shared_file_path(source, reference.get("file"))
        if not path.is_file():
            raise InputError(f"no shared-parameters file {reference['file']!r} beside the scenario")
    except InputError as exc:
        raise InputError(
            exc.reason, file=source, field="shared.file", line=document.line_of(("shared", "file"))
        ) from None
    shared = load_shared_parameters(path)
    local = data.get("parameters") or {}
    if not isinstance(local, dict):
        return data  # the scenario's own validation names this field
    merged = dict(local)
    for k, name in enumerate(reference["parameters"]):
        where = ("shared", "parameters", k)
        if not isinstance(name, str) or name not in shared.parameters:
            raise InputError(
                f"{name!r} is not declared in {reference['file']}; it declares "
                + ", ".join(shared.parameters),
                file=source,
                field=f"shared.parameters[{k}]",
                line=document.line_of(where),
            )
        if name in local:
            raise InputError(
                f"{name!r} is shared (from {reference['file']}); remove its declaration here",
                file=source,
                field=f"parameters.{name}",
                line=document.line_of(("parameters", name)),
            )
        merged[name] = _declaration(shared.parameters[name])
    return {**data, "parameters": merged}


def _declaration(parameter: SharedParameter) -> dict[str, Any]:
    """The fields of ``parameter`` that a scenario's own declaration has (all but the prior).

    Read from the validated object rather than dumped: dumping would build the shared model's
    serializer, and its validator again, for values the scenario's model checks anyway. Each is
    keyed as the scenario's model reads it: by its validation alias, where it has one.
    """
    fields = Parameter.model_fields
    return {
        _input_key(name, fields[name]): value
        for name in fields
        if (value := getattr(parameter, name)) is not None
    }


def _input_key(name: str, field: FieldInfo) -> str:
    """The key a model reads field ``name`` by: its validation alias (set by ``alias`` too)."""
    alias = field.validation_alias
    return alias if isinstance(alias, str) else name


def _validated(document: YamlDocument) -> SharedParametersFile:
    source = document.source
    if not isinstance(document.data, dict) or SHARED_KEY not in document.data:
        raise InputError(
            f"not a shared-parameters file: expected '{SHARED_KEY}: 1' and 'parameters'",
            file=source,
            line=document.line_of(()),
        )
    try:
        shared = SharedParametersFile.model_validate(document.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(part for part in first["loc"] if isinstance(part, str | int))
        raise InputError(
            first["msg"],
            file=source,
            field=".".join(map(str, loc)) or None,
            line=document.line_of(loc),
        ) from None
    from kurilsim.core.evidence import bundled_ids  # imported with the first shared file

    known = set(bundled_ids())
    for name, parameter in shared.parameters.items():
        for k, evidence_id in enumerate(parameter.evidence):
            if evidence_id not in known:
                path = ("parameters", name, "evidence", k)
                raise InputError(
                    f"unknown evidence id {evidence_id!r}",
                    file=source,
                    field=".".join(map(str, path)),
                    line=document.line_of(path),
                )
    return shared
