"""Safe YAML reading that remembers where each value came from.

Scenario files are data: they are read with PyYAML's safe loader only. Besides the plain Python
value, the reader keeps the node tree so that a validation error found later can be reported at
its line. Duplicate keys (which PyYAML would silently collapse to the last one) and aliases (which
can make a small file expand without bound) are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from kurilsim.errors import InputError

#: Largest scenario file read, in bytes.
MAX_FILE_BYTES = 2_000_000


class _StrictSafeLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not supported in scenario files",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)


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
    loader = _StrictSafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise InputError("the file is empty; expected a YAML mapping", file=source)
        _refuse_duplicate_keys(root, source)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        what = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"YAML syntax error: {what}", file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file=source) from None
    except RecursionError:
        raise InputError("YAML is nested too deeply", file=source) from None
    finally:
        loader.dispose()
    return YamlDocument(data=data, root=root, source=source)


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
