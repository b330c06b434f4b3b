"""The registry of game forms, and reading scenario files into them.

YAML text -> the form its ``form:`` names -> validated, compiled
:class:`~kurilsim.core.scenario.Scenario`. Every problem a file can have is reported as an
:class:`~kurilsim.core.errors.InputError` naming the file, the field path and, where possible,
the line; :func:`scenario_problems` lists them all. A new game form is added with
:func:`register_form`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, MutableMapping
from importlib import import_module
from typing import Any, TextIO, Union

from pydantic import ValidationError

from kurilsim.core.arguments import check_text, shown
from kurilsim.core.errors import ArgumentTypeError, InputError, InputProblems
from kurilsim.core.rules import SemanticError
from kurilsim.core.scenario import GameForm, Scenario
from kurilsim.core.schema import FORMAT_VERSION, IDENTIFIER, STATEMENTS_FILE, STATEMENTS_KEY
from kurilsim.io.shared_parameters import SHARED_KEY, with_shared_parameters
from kurilsim.io.sources import read_source
from kurilsim.io.yaml_source import YamlDocument, read_yaml


class FormRegistry(MutableMapping[str, GameForm]):
    """The game forms by the name a file gives in ``form:``, each imported on first use.

    A bundled form is named by where it is defined (``"module:attribute"``), so reading a file
    loads only the form the file declares, not the solvers of every form.

    Examples
    --------
    >>> forms = FormRegistry({"normal": "kurilsim.forms.normal.form:NORMAL_FORM"})
    >>> list(forms), forms["normal"].description
    (['normal'], 'normal-form game')
    """

    def __init__(self, where: Mapping[str, str]) -> None:
        self._entries: dict[str, GameForm | str] = dict(where)

    def __getitem__(self, name: str) -> GameForm:
        entry = self._entries[name]
        if isinstance(entry, str):
            module, attribute = entry.split(":")
            entry = self._entries[name] = getattr(import_module(module), attribute)
        return entry

    def __setitem__(self, name: str, form: GameForm) -> None:
        self._entries[name] = form

    def __delitem__(self, name: str) -> None:
        del self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


#: Every game form by the name a file gives in ``form:`` ("normal" when absent).
FORMS = FormRegistry(
    {
        "normal": "kurilsim.forms.normal.form:NORMAL_FORM",
        "bargaining": "kurilsim.forms.bargaining.form:BARGAINING_FORM",
        "conflict": "kurilsim.forms.conflict.form:CONFLICT_FORM",
        "extensive": "kurilsim.forms.extensive.form:EXTENSIVE_FORM",
        "bayesian": "kurilsim.forms.bayesian.form:BAYESIAN_FORM",
        "information": "kurilsim.forms.information.form:INFORMATION_FORM",
        "repeated": "kurilsim.forms.repeated.form:REPEATED_FORM",
        "dynamic": "kurilsim.forms.dynamic.form:DYNAMIC_FORM",
    }
)


def register_form(form: GameForm) -> None:
    """Add a game form, so that files with ``form: <its name>`` load into it.

    Parameters
    ----------
    form
        An object satisfying :class:`~kurilsim.core.scenario.GameForm`; its ``file_model`` must
        declare ``form`` as a literal of its name.

    Raises
    ------
    ArgumentTypeError
        If the object does not satisfy the protocol.
    InputError
        If a form of that name exists.

    Examples
    --------
    >>> register_form(FORMS["normal"])
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: a game form named 'normal' is already registered
    """
    if not isinstance(form, GameForm):
        raise ArgumentTypeError(
            f"expected an object implementing the GameForm protocol, got {shown(form)}",
            field="form",
        )
    if form.name in FORMS:
        raise InputError(f"a game form named {form.name!r} is already registered")
    FORMS[form.name] = form


def form_of_game(game: object) -> GameForm:
    """The registered form whose games include ``game``'s type (or a base class of it).

    Raises
    ------
    ArgumentTypeError
        If no registered form solves games of that type.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> form_of_game(catalogue.matching_pennies()).name
    'normal'
    """
    for kind in type(game).__mro__:
        for form in FORMS.values():
            if kind in form.game_types:
                return form
    kinds = ", ".join(t.__name__ for form in FORMS.values() for t in form.game_types)
    raise ArgumentTypeError(
        f"expected a scenario or a game (one of {kinds}), got {shown(game)}", field="game"
    )


#: The ``$id`` of the JSON Schema of scenario files, format version 1.
SCENARIO_SCHEMA_ID = "urn:kurilsim:scenario:1"


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of scenario files: the ``form`` field selects the schema.

    Each game form's schema applies when ``form`` names it (``if``/``then``), the normal form's
    when ``form`` is absent, so a validator reports a problem at the field that has it rather
    than against every form's alternative.

    Examples
    --------
    >>> schema = scenario_json_schema()
    >>> schema["$id"], schema["properties"]["form"]["enum"][:4]
    ('urn:kurilsim:scenario:1', ['normal', 'bargaining', 'conflict', 'extensive'])
    >>> schema["allOf"][0]["then"]
    {'$ref': '#/$defs/ScenarioFile'}
    """
    from pydantic import TypeAdapter  # only the schema command needs it

    names = list(FORMS)
    models = tuple(FORMS[name].file_model for name in names)
    # A union of the models keeps one shared "$defs" table that every "$ref" resolves against.
    union: Any = Union[models]  # noqa: UP007
    generated: dict[str, Any] = TypeAdapter(union).json_schema()
    selectors = []
    for name, ref in zip(names, generated["anyOf"], strict=True):
        when: dict[str, Any] = {"properties": {"form": {"const": name}}, "required": ["form"]}
        if name == "normal":
            when = {"anyOf": [{"not": {"required": ["form"]}}, when]}
        selectors.append({"if": when, "then": ref})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCENARIO_SCHEMA_ID,
        "title": "kurilsim scenario file, format version 1",
        "type": "object",
        "properties": {"form": {"enum": names}},
        "allOf": selectors,
        "$defs": generated["$defs"],
    }


def parse_scenario(text: str, source: str = "<string>") -> Scenario:
    r"""Validate scenario YAML text and compile it into a :class:`Scenario`.

    Parameters
    ----------
    text
        The YAML document.
    source
        Name used for the file in error messages.

    Returns
    -------
    Scenario
        The checked scenario, of the form its ``form`` field names (normal by default).

    Raises
    ------
    ArgumentTypeError
        If ``text`` or ``source`` is not a string.
    InputError
        For any problem, naming ``source``, the field and the line (an
        :class:`~kurilsim.core.errors.InputProblems` when fields fail validation).

    Examples
    --------
    >>> parse_scenario("kurilsim: 1\ntitel: x\n", source="a.yaml")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputProblems: a.yaml:1: title: required field is missing (2 more ...)
    """
    return _parse(text, source)[1]


def scenario_problems(text: str, source: str = "<string>") -> list[InputError]:
    r"""Every problem of scenario YAML text, in file order; an empty list for a valid scenario.

    Besides what :func:`parse_scenario` refuses, evidence ids that the evidence registry does not
    have are problems here.

    Parameters
    ----------
    text
        The YAML document.
    source
        Name used for the file in the problems.

    Raises
    ------
    ArgumentTypeError
        If ``text`` or ``source`` is not a string.

    Examples
    --------
    >>> for problem in scenario_problems("kurilsim: 1\ntitel: x\n", source="a.yaml"):
    ...     print(problem)
    a.yaml:1: title: required field is missing
    a.yaml:1: players: required field is missing
    a.yaml:2: titel: unknown field (not part of the scenario format, version 1)
    """
    return checked_scenario(text, source)[1]


def checked_scenario(
    text: str, source: str = "<string>"
) -> tuple[Scenario | None, list[InputError]]:
    r"""The scenario of YAML text, if it is one, and every problem of the text, in file order.

    One reading of the file for both, where :func:`parse_scenario` and then
    :func:`scenario_problems` would read it twice. The scenario is None when the text cannot be
    loaded; it is there with problems when only evidence ids are unknown.

    Parameters
    ----------
    text
        The YAML document.
    source
        Name used for the file in the problems.

    Raises
    ------
    ArgumentTypeError
        If ``text`` or ``source`` is not a string.

    Examples
    --------
    >>> scenario, problems = checked_scenario("kurilsim: 1\ntitle: x\n", source="a.yaml")
    >>> scenario, [str(problem) for problem in problems]
    (None, ['a.yaml:1: players: required field is missing'])
    """
    try:
        document, scenario = _parse(text, source)
    except InputProblems as exc:
        return None, list(exc.problems)
    except ArgumentTypeError:
        raise
    except InputError as exc:
        return None, [exc]
    return scenario, _unknown_evidence(scenario, document)


def _parse(text: str, source: str) -> tuple[YamlDocument, Scenario]:
    """The YAML document of ``text``, and the scenario it holds."""
    document = read_yaml(check_text("text", text), check_text("source", source))
    if not isinstance(document.data, dict):
        raise InputError(
            f"expected a mapping of fields (kurilsim, title, players, ...), got "
            f"{type(document.data).__name__}",
            file=source,
            line=document.line_of(()),
        )
    if STATEMENTS_KEY in document.data:
        raise InputError(
            "a file of testable statements, not a scenario; 'kurilsim validate' reads it, and "
            f"'kurilsim backtest DIR' reads DIR/{STATEMENTS_FILE}",
            file=source,
        )
    if SHARED_KEY in document.data:
        raise InputError(
            "a file of shared parameters, not a scenario; scenarios refer to it under 'shared'",
            file=source,
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
    data = with_shared_parameters(document)
    try:
        spec = form.file_model.model_validate(data)
    except ValidationError as exc:
        raise InputProblems(_problems(exc, document)) from None
    try:
        if spec.evidence:
            # The file's own evidence items: checked against the bundled registry on loading.
            from kurilsim.core.evidence import scenario_registry

            scenario_registry(spec)
        return document, Scenario(form, spec, form.compile(spec, source), source)
    except SemanticError as exc:
        raise InputError(
            exc.reason, file=source, field=exc.field, line=document.line_of(exc.path)
        ) from None


def load_scenario(path: str | os.PathLike[str] | TextIO) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path
        Path of a scenario YAML file (``str`` or ``os.PathLike``), or an open text stream; at
        most :data:`~kurilsim.io.sources.MAX_FILE_BYTES` bytes either way.

    Returns
    -------
    Scenario

    Raises
    ------
    ArgumentTypeError
        If ``path`` is neither a path nor a text stream.
    InputError
        If the file cannot be read, is too large or is not a valid scenario.

    Examples
    --------
    >>> scenario = load_scenario("scenarios/sequence_1956.yaml")
    >>> scenario.form.name, scenario.players
    ('extensive', ('USSR', 'US', 'Japan'))
    """
    text, source = read_source(path, "path")
    return parse_scenario(text, source=source)


def _problems(exc: ValidationError, document: YamlDocument) -> list[InputError]:
    """One problem per field that pydantic found failing, in file order.

    A field that may take several types (a number or an expression) fails once per alternative;
    those failures are one problem. When the value has the type of an alternative, that
    alternative's complaint is the one reported; otherwise the types expected are listed.
    """
    by_path: dict[tuple[Any, ...], list[Any]] = {}
    for error in exc.errors(include_url=False):
        path = tuple(_data_path(document.data, tuple(error["loc"])))
        by_path.setdefault(path, []).append(error)
    problems = []
    for path, alternatives in by_path.items():
        relevant = [e for e in alternatives if e["type"] not in _TYPE_NAMES]
        if len(alternatives) > 1 and not relevant:
            expected = " or ".join(dict.fromkeys(_TYPE_NAMES[e["type"]] for e in alternatives))
            message = f"expected {expected}{_given(alternatives[0])}"
        else:
            message = _message((relevant or alternatives)[0])
        field = ".".join(str(p) for p in path) or "(top level)"
        line = document.line_of(tuple(alternatives[0]["loc"]))
        problems.append(InputError(message, file=document.source, field=field, line=line))
    return sorted(problems, key=lambda problem: (problem.line is None, problem.line or 0))


def _unknown_evidence(scenario: Scenario, document: YamlDocument) -> list[InputError]:
    """A problem for each evidence id the scenario cites that its registry does not have.

    The registry is the bundled one with the scenario's own evidence items added.
    """
    # Imported here: reading a scenario to solve it needs the registry only for its own items.
    from kurilsim.core.evidence import citable_ids

    spec = scenario.header
    citable = citable_ids(spec)
    known = set(citable)
    citations: list[tuple[tuple[str | int, ...], str]] = [
        (("parameters", name, "evidence", k), evidence_id)
        for name, parameter in spec.parameters.items()
        for k, evidence_id in enumerate(parameter.evidence)
    ]
    if spec.history is not None:
        citations += [
            (("history", "evidence", k), evidence_id)
            for k, evidence_id in enumerate(spec.history.evidence)
        ]
    problems = []
    for path, evidence_id in citations:
        if evidence_id not in known:
            problems.append(
                InputError(
                    f"unknown evidence id {evidence_id!r}; the registry has "
                    f"{citable[0]} to {citable[-1]}",
                    file=document.source,
                    field=".".join(map(str, path)),
                    line=document.line_of(path),
                )
            )
    return problems


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
        return f"unknown field (not part of the scenario format, version {FORMAT_VERSION})"
    if kind == "literal_error" and error["loc"] == ("kurilsim",):
        return f"unsupported format version {given!r}; this release reads version {FORMAT_VERSION}"
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
