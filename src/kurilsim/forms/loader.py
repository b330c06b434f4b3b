"""Reading scenario files: YAML text -> validated, compiled :class:`Scenario`.

Every problem a file can have is reported as one :class:`~kurilsim.core.errors.InputError` naming
the
file, the field path and, where possible, the line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, Union

from pydantic import BaseModel, TypeAdapter, ValidationError

from kurilsim.core.errors import InputError
from kurilsim.core.rules import SemanticError, compile_scenario
from kurilsim.core.schema import IDENTIFIER, ScenarioFile
from kurilsim.forms.normal.scenario import Scenario
from kurilsim.io.yaml_source import MAX_FILE_BYTES, YamlDocument, read_yaml

if TYPE_CHECKING:
    from kurilsim.forms.bargaining.scenario import BargainingScenario
    from kurilsim.forms.conflict.scenario import ConflictScenario
    from kurilsim.forms.extensive.scenario import ExtensiveScenario

#: What a scenario file loads into, by game form (a string: the forms are imported on first use).
AnyScenario: TypeAlias = "Scenario | BargainingScenario | ConflictScenario | ExtensiveScenario"


@dataclass(frozen=True)
class Form:
    """A game form a scenario file may declare with ``form:``.

    The form's code is named, not imported: :attr:`model` and :attr:`build` import its module on
    first use, so that reading a file loads only the form the file declares.

    Attributes
    ----------
    module
        The module that defines the form's model and builder.
    model_name, build_name
        Their names in ``module``.
    """

    module: str
    model_name: str
    build_name: str

    @property
    def model(self) -> type[BaseModel]:
        """The pydantic model of the file."""
        model: type[BaseModel] = getattr(import_module(self.module), self.model_name)
        return model

    @property
    def build(self) -> Callable[[Any, str], AnyScenario]:
        """Turns a validated file and its source name into the scenario object.

        It checks that the scenario evaluates at its defaults, and raises
        :class:`~kurilsim.core.rules.SemanticError` for whole-document problems.
        """
        build: Callable[[Any, str], AnyScenario] = getattr(
            import_module(self.module), self.build_name
        )
        return build


def _build_normal(spec: ScenarioFile, source: str) -> Scenario:
    scenario = Scenario(spec=spec, compiled=compile_scenario(spec), source=source)
    scenario.payoff_tensor()  # a file whose payoffs fail at its own defaults is not valid
    return scenario


#: Every game form by the name a file gives in ``form:`` ("normal" when absent).
FORMS: dict[str, Form] = {
    "normal": Form(__name__, "ScenarioFile", "_build_normal"),
    "bargaining": Form(
        "kurilsim.forms.bargaining.scenario", "BargainingScenarioFile", "build_bargaining"
    ),
    "conflict": Form("kurilsim.forms.conflict.scenario", "ConflictScenarioFile", "build_conflict"),
    "extensive": Form(
        "kurilsim.forms.extensive.scenario", "ExtensiveScenarioFile", "build_extensive"
    ),
}


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files: one alternative per game form."""
    models = tuple(form.model for form in FORMS.values())
    # A union of the models keeps one shared "$defs" table that every "$ref" resolves against.
    union: Any = Union[models]  # noqa: UP007
    schema: dict[str, Any] = TypeAdapter(union).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "kurilsim scenario file, format version 1"
    return schema


def parse_scenario(text: str, source: str = "<string>") -> AnyScenario:
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
    name = document.data.get("form", "normal")
    if not isinstance(name, str) or name not in FORMS:
        raise InputError(
            f"unknown game form {name!r}; expected one of {', '.join(FORMS)}",
            file=source,
            field="form",
            line=document.line_of(("form",)),
        )
    form = FORMS[name]
    try:
        spec = form.model.model_validate(document.data)
    except ValidationError as exc:
        raise _first_problem(exc, document) from None
    try:
        return form.build(spec, source)
    except SemanticError as exc:
        raise InputError(
            exc.reason, file=source, field=exc.field, line=document.line_of(exc.path)
        ) from None


def load_scenario(path: str | os.PathLike[str]) -> AnyScenario:
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
    """The first problem pydantic found, and how many other fields fail.

    A field that may take several types (a number or an expression) fails once per alternative;
    those failures are one problem. When the value has the type of an alternative, that
    alternative's complaint is the one reported; otherwise the types expected are listed.
    """
    errors = exc.errors(include_url=False)
    paths = [tuple(_data_path(document.data, tuple(error["loc"]))) for error in errors]
    alternatives = [e for e, path in zip(errors, paths, strict=True) if path == paths[0]]
    relevant = [e for e in alternatives if e["type"] not in _TYPE_NAMES]
    if len(alternatives) > 1 and not relevant:
        expected = " or ".join(dict.fromkeys(_TYPE_NAMES[e["type"]] for e in alternatives))
        message = f"expected {expected}{_given(alternatives[0])}"
    else:
        message = _message((relevant or alternatives)[0])
    more = len(set(paths)) - 1
    if more:
        message += f" ({more} more problem{'s' if more > 1 else ''} after this one)"
    field = ".".join(str(p) for p in paths[0]) or "(top level)"
    line = document.line_of(tuple(errors[0]["loc"]))
    return InputError(message, file=document.source, field=field, line=line)


#: pydantic's errors for a value of the wrong type, by what the field expected.
_TYPE_NAMES = {
    "float_type": "a number",
    "int_type": "a whole number",
    "string_type": "text",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


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
        elif part == _KEY_TAG or not (isinstance(node, dict) and position == len(loc) - 1):
            continue
        kept.append(part)
    return kept


#: The part pydantic adds to an error's location when a mapping's key, not its value, is bad.
_KEY_TAG = "[key]"


def _message(error: Any) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of the scenario format, version 1)"
    if kind == "literal_error" and error["loc"] == ("kurilsim",):
        return f"unsupported format version {given!r}; this release reads version 1"
    if kind == "string_pattern_mismatch" and error["ctx"]["pattern"] == IDENTIFIER:
        text = "expected a name made of letters, digits and underscores, not starting with a digit"
    else:
        text = str(error["msg"]).removeprefix("Value error, ")
    if _KEY_TAG in error["loc"]:
        return f"the name {_shorten(repr(given))} is not allowed: {text}"
    return text + _given(error)


def _given(error: Any) -> str:
    """`` (got ...)`` for a bad scalar; nothing for a mapping or list, which may be long."""
    given = error.get("input")
    if given is None or isinstance(given, dict | list):
        return ""
    return f" (got {_shorten(repr(given))})"


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
