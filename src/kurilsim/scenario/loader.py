"""Reading scenario files: YAML text -> validated, compiled :class:`Scenario`.

Every problem a file can have is reported as one :class:`~kurilsim.errors.InputError` naming the
file, the field path and, where possible, the line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kurilsim.errors import InputError
from kurilsim.scenario.model import ScenarioFile
from kurilsim.scenario.scenario import Scenario
from kurilsim.scenario.semantics import SemanticError, compile_scenario
from kurilsim.scenario.yaml_source import MAX_FILE_BYTES, YamlDocument, read_yaml


def parse_scenario(text: str, source: str = "<string>") -> Scenario:
    """Validate scenario YAML text and compile it into a :class:`Scenario`.

    Parameters
    ----------
    text
        The YAML document.
    source
        Name used for the file in error messages.

    Raises
    ------
    InputError
        For any problem, naming ``source``, the field and the line.
    """
    document = read_yaml(text, source)
    if not isinstance(document.data, dict):
        raise InputError(
            f"expected a mapping of fields (kurilsim, title, players, ...), got "
            f"{type(document.data).__name__}",
            file=source,
            line=document.line_of(()),
        )
    try:
        spec = ScenarioFile.model_validate(document.data)
    except ValidationError as exc:
        raise _first_problem(exc, document) from None
    try:
        compiled = compile_scenario(spec)
    except SemanticError as exc:
        raise InputError(
            exc.reason, file=source, field=exc.field, line=document.line_of(exc.path)
        ) from None
    return Scenario(spec=spec, compiled=compiled, source=source)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path
        Path of a scenario YAML file.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        If the file cannot be read or is not a valid scenario.
    """
    name = os.fspath(path)
    file = Path(name)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"file is larger than {MAX_FILE_BYTES} bytes", file=name)
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a scenario file", file=name) from None
    except UnicodeDecodeError:
        raise InputError("file is not UTF-8 text", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=name) from None
    return parse_scenario(text, source=name)


def _first_problem(exc: ValidationError, document: YamlDocument) -> InputError:
    error = exc.errors(include_url=False)[0]
    path = tuple(error["loc"])
    field = ".".join(str(p) for p in _data_path(document.data, path)) or "(top level)"
    message = _message(error)
    more = exc.error_count() - 1
    if more:
        message += f" ({more} more problem{'s' if more > 1 else ''} after this one)"
    return InputError(message, file=document.source, field=field, line=document.line_of(path))


def _data_path(data: Any, loc: tuple[Any, ...]) -> list[Any]:
    """Keep the parts of a pydantic error location that are keys or indices of the data.

    Union members add type tags to the location; those are dropped. The last part is kept when
    it names a missing or unknown key of a mapping.
    """
    kept: list[Any] = []
    node = data
    for position, part in enumerate(loc):
        is_key = isinstance(node, dict) and part in node
        is_index = (
            isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node)
        )
        if is_key or is_index:
            node = node[part]
        elif not (isinstance(node, dict) and position == len(loc) - 1):
            continue
        kept.append(part)
    return kept


def _message(error: Any) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of the scenario format, version 1)"
    if kind == "literal_error" and error["loc"] == ("kurilsim",):
        return f"unsupported format version {given!r}; this release reads version 1"
    text = str(error["msg"])
    text = text.removeprefix("Value error, ")
    if given is not None and not isinstance(given, dict | list):
        text += f" (got {given!r})"
    return text
