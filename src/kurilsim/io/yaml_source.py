"""Safe YAML reading that remembers where each value came from.

Scenario files are data: they are read with PyYAML's safe loader only, restricted to the types of
JSON. Plain scalars are typed by the rules of the YAML 1.2 core schema rather than PyYAML's YAML
1.1 ones, so ``1.5e2`` is a number, ``010`` is ten (not octal eight), ``yes``, ``no``, ``on`` and
``off`` stay text, and so do dates and ``1:30``. Besides the plain Python value, the reader keeps
the node tree so that a validation error found later can be reported at its line. Duplicate keys
(which PyYAML would silently collapse to the last one), aliases (which can make a small file
expand without bound) and tags for other types (``!!binary``, ``!!set``, ``!!timestamp``, ...)
are refused.

The text is scanned, parsed and composed into nodes by libyaml, PyYAML's C extension, where it
is there (PyYAML's wheels include it): reading a scenario in pure Python took longer than importing
numpy. libyaml's composer gives the same nodes at the same lines as PyYAML's, but it follows
aliases instead of refusing them, and its errors are worded and placed differently. So a text that
libyaml cannot compose, or whose nodes repeat (the mark of an alias), is read again with nodes
composed in Python from libyaml's events, which refuses aliases at their line; and a syntax error
found there is reported as PyYAML's own parser words and places it, by reading the text once more
with that parser. libyaml also reads a few things that parser refuses and YAML allows, such as a
tab between a key's colon and its value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from kurilsim.core.errors import InputError
from kurilsim.io.sources import MAX_FILE_BYTES

_CORE = "tag:yaml.org,2002:"
# The plain scalars the YAML 1.2 core schema reads as null, booleans, integers and floats.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class _Refused(yaml.MarkedYAMLError):
    """Well-formed YAML that scenario files do not allow."""


class _Reread(yaml.MarkedYAMLError):
    """Nodes that one node tree holds twice: libyaml's composer followed an alias."""


class _StrictSafeLoader(Composer, SafeConstructor, Resolver):
    """The safe loader with the YAML 1.2 core schema, refusing aliases and non-JSON types.

    It composes events into nodes and constructs Python values from them; the subclasses below
    add the parser that turns text into events, libyaml's or PyYAML's own.
    """

    def __init__(self) -> None:
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    if TYPE_CHECKING:  # given by the parser that each loader below adds

        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...
        def dispose(self) -> None: ...

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                problem="aliases (*name) are not supported in scenario files",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Refuse merge keys (``<<: !!merge {...}``), which would hide a key's second value."""
        for key, _ in node.value:
            if key.tag == f"{_CORE}merge":
                raise _Refused(
                    problem="merge keys are not supported in scenario files",
                    problem_mark=key.start_mark,
                )

    def construct_undefined(self, node: yaml.Node) -> Any:
        """Refuse a tag for a type outside JSON's, naming the tag."""
        tag = node.tag.replace(_CORE, "!!")
        raise _Refused(
            problem=f"the tag {tag} is not supported; scenario files hold text, numbers, "
            "true/false, null, lists and mappings",
            problem_mark=node.start_mark,
        )

    def construct_core_int(self, node: yaml.ScalarNode) -> int:
        """An integer written in decimal, or in octal or hexadecimal after ``0o`` or ``0x``."""
        text = str(self.construct_scalar(node))
        if not _INT.fullmatch(text):
            raise _Refused(
                problem=f"expected an integer, found {text!r}", problem_mark=node.start_mark
            )
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        if len(text.lstrip("+-0")) > _MAX_DIGITS:
            raise _Refused(
                problem=f"the integer {text[:20]}... has more than {_MAX_DIGITS} digits",
                problem_mark=node.start_mark,
            )
        return int(text)

    def construct_core_float(self, node: yaml.ScalarNode) -> float:
        """A decimal number, ``.inf`` or ``.nan``; too large a number reads as infinity."""
        text = str(self.construct_scalar(node))
        if not _FLOAT.fullmatch(text):
            raise _Refused(
                problem=f"expected a number, found {text!r}", problem_mark=node.start_mark
            )
        if text.lstrip("+-").startswith("."):
            special = text.lstrip("+-").lower()
            if special in (".inf", ".nan"):
                value = math.inf if special == ".inf" else math.nan
                return -value if text.startswith("-") else value
        return float(text)


#: Longest integer read, in digits; longer ones would only be refused later, and slowly.
_MAX_DIGITS = 400

# Start from no implicit types and only JSON's constructors, then add the core schema's scalars.
_StrictSafeLoader.yaml_implicit_resolvers = {}
_StrictSafeLoader.yaml_constructors = {
    tag: constructor
    for tag, constructor in yaml.SafeLoader.yaml_constructors.items()
    if tag in {f"{_CORE}{name}" for name in ("null", "bool", "str", "seq", "map")}
}
for _tag, _pattern, _first in (
    ("null", _NULL, ["~", "n", "N", ""]),
    ("bool", _BOOL, list("tTfF")),
    ("int", _INT, list("-+0123456789")),
    ("float", _FLOAT, list("-+0123456789.")),
):
    _StrictSafeLoader.add_implicit_resolver(f"{_CORE}{_tag}", _pattern, _first)
# The stubs type constructors for PyYAML's own loader classes, which this one is not.
_StrictSafeLoader.add_constructor(f"{_CORE}int", _StrictSafeLoader.construct_core_int)  # type: ignore[type-var]
_StrictSafeLoader.add_constructor(f"{_CORE}float", _StrictSafeLoader.construct_core_float)  # type: ignore[type-var]
_StrictSafeLoader.add_constructor(None, _StrictSafeLoader.construct_undefined)  # type: ignore[type-var]


class _PyStrictSafeLoader(_StrictSafeLoader, Reader, Scanner, Parser):
    """The strict loader reading events from PyYAML's own (pure Python) parser."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _StrictSafeLoader.__init__(self)


#: The loader :func:`read_yaml` uses: libyaml's parser where PyYAML was built with it.
_LOADER: Callable[[str], _StrictSafeLoader] = _PyStrictSafeLoader
#: The loader that reads a text again when another fails other than by refusing it (see above).
_REREAD: dict[Callable[[str], _StrictSafeLoader], Callable[[str], _StrictSafeLoader]] = {}
#: The loaders whose nodes libyaml composes, following aliases.
_COMPOSED_IN_C: tuple[type, ...] = ()

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _CStrictSafeLoader(_StrictSafeLoader, CParser):
        """The strict loader reading events from libyaml and composing their nodes in Python."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _StrictSafeLoader.__init__(self)

    class _CComposingLoader(CParser, _StrictSafeLoader):
        """The strict loader with nodes composed by libyaml too (its methods come first)."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _StrictSafeLoader.__init__(self)

    _LOADER = _CComposingLoader
    _REREAD = {_CComposingLoader: _CStrictSafeLoader, _CStrictSafeLoader: _PyStrictSafeLoader}
    _COMPOSED_IN_C = (_CComposingLoader,)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document: its value and its node tree, for line look-ups."""

    data: Any
    root: yaml.Node
    source: str

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Return the 1-based line of the deepest node along ``path`` that exists.

        A mapping or list is located by the line of its key, a scalar by its own line. Parts of
        ``path`` that name no key or index (pydantic adds type tags to its error paths) are
        skipped.
        """
        node: yaml.Node = self.root
        line = node.start_mark.line
        for part in path:
            found = _child(node, part)
            if found is not None:
                key, node = found
                anchor = node if key is None or isinstance(node, yaml.ScalarNode) else key
                line = anchor.start_mark.line
        return line + 1


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                return key, value
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return None, node.value[part]
    return None


def read_yaml(text: str, source: str) -> YamlDocument:
    """Parse YAML text safely into a :class:`YamlDocument`.

    Parameters
    ----------
    text
        The document.
    source
        The file name to put in error messages.

    Raises
    ------
    InputError
        On a YAML syntax error, an alias, a duplicate key, several documents, or an empty file,
        naming the line.
    """
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise InputError(f"file is larger than {MAX_FILE_BYTES} bytes", file=source)
    # Every character is checked before anything is parsed, by the rule of PyYAML's reader.
    refused = Reader.NON_PRINTABLE.search(text)
    if refused:
        raise InputError(
            f"the character U+{ord(refused.group()):04X} is not allowed in YAML; remove it, or "
            "write it as an escape inside double quotes",
            file=source,
            line=text.count("\n", 0, refused.start()) + 1,
        )
    loader = _LOADER
    try:
        while True:
            try:
                root, data = _load(loader, text, source)
                break
            except yaml.MarkedYAMLError as exc:
                if isinstance(exc, _Refused) or loader not in _REREAD:
                    raise
                # Composed in Python, an alias is refused at its line; read by PyYAML's own
                # parser, a syntax error has the message and line it gives (libyaml puts a few
                # errors lines later, and refuses a few constructs PyYAML reads, such as "[0:, 1]").
                loader = _REREAD[loader]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        what = exc.problem or exc.context or "invalid YAML"
        prefix = "" if isinstance(exc, _Refused) else "YAML syntax error: "
        raise InputError(prefix + what, file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file=source) from None
    except RecursionError:
        raise InputError("YAML is nested too deeply", file=source) from None
    return YamlDocument(data=data, root=root, source=source)


def _load(
    loader_type: Callable[[str], _StrictSafeLoader], text: str, source: str
) -> tuple[yaml.Node, Any]:
    """The node tree of ``text`` read by a loader of ``loader_type``, and its value."""
    loader = loader_type(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise InputError("the file is empty; expected a YAML mapping", file=source)
        # Without an anchor (&name), which YAML puts before its aliases, no node can repeat.
        if isinstance(loader, _COMPOSED_IN_C) and "&" in text:
            _refuse_repeated_nodes(root)
        _refuse_duplicate_keys(root, source)
        return root, loader.construct_document(root)
    finally:
        loader.dispose()


def _refuse_repeated_nodes(root: yaml.Node) -> None:
    """Raise :class:`_Reread` if a node occurs twice in the tree, keys included."""
    visited: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in visited:  # an alias, followed: the loader that reads again refuses it
            raise _Reread(problem="a node repeats", problem_mark=node.start_mark)
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _refuse_duplicate_keys(root: yaml.Node, source: str) -> None:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = str(key.value)
                if name in seen:
                    raise InputError(
                        f"duplicate key {name!r}; each key may appear once",
                        file=source,
                        line=key.start_mark.line + 1,
                    )
                seen.add(name)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
