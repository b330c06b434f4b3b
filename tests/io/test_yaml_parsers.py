"""libyaml's parser and PyYAML's own read every file alike: the same values, lines and refusals.

:func:`~kurilsim.io.yaml_source.read_yaml` takes its nodes from libyaml where PyYAML has it
(composed by libyaml, or composed in Python from libyaml's events when libyaml's composer cannot
be used) and from PyYAML's pure-Python parser otherwise; what a file means, and the line an error
names, must not depend on which.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim import InputError
from kurilsim.io import yaml_source
from tests.helpers import ROOT

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML has no libyaml")

#: Every YAML file of the repository: scenarios, statements, shared parameters, the registry.
FILES = sorted(
    path
    for folder in ("scenarios", "examples", "src/kurilsim/data")
    for path in (ROOT / folder).rglob("*.yaml")
)

#: Pieces whose insertion breaks a file in the ways people do. Not tabs between tokens, nor "? "
#: keys in flow collections: valid YAML that libyaml reads and PyYAML's parser refuses.
BREAKS = ["[", "]", "{", "}", ":", "- ", "'", '"', "*a ", "&a ", "!!set ", "|", "\n  ", "\n ", "@"]


def read_with(loader: type, text: str) -> tuple[object, list[int]] | tuple[int | None, str]:
    """What reading ``text`` with ``loader`` gives: the data and every node's line, or the error."""
    saved, yaml_source._LOADER = yaml_source._LOADER, loader
    try:
        document = yaml_source.read_yaml(text, "f.yaml")
    except InputError as exc:
        return exc.line, str(exc)
    finally:
        yaml_source._LOADER = saved
    return document.data, [node.start_mark.line for node in _nodes(document.root)]


def _nodes(node: yaml.Node) -> Iterator[yaml.Node]:
    yield node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _nodes(key)
            yield from _nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _nodes(item)


#: The loaders that take the text from libyaml: nodes composed by libyaml, or in Python.
LIBYAML_LOADERS = [yaml_source._CComposingLoader, yaml_source._CStrictSafeLoader]


def test_libyaml_is_the_parser_and_the_composer_used():
    assert yaml_source._LOADER is yaml_source._CComposingLoader


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_both_parsers_read_a_bundled_file_to_the_same_values_at_the_same_lines(path):
    text = path.read_text("utf-8")
    expected = read_with(yaml_source._PyStrictSafeLoader, text)
    for loader in LIBYAML_LOADERS:
        assert read_with(loader, text) == expected, loader


@settings(max_examples=60, deadline=None)
@given(
    file=st.sampled_from(FILES),
    where=st.floats(min_value=0, max_value=1, exclude_max=True),
    piece=st.sampled_from(BREAKS),
)
def test_a_broken_file_reads_the_same_or_is_refused_with_the_same_message(file, where, piece):
    text = file.read_text("utf-8")
    at = int(where * len(text))
    broken = text[:at] + piece + text[at:]
    by_python = read_with(yaml_source._PyStrictSafeLoader, broken)
    for loader in LIBYAML_LOADERS:
        assert read_with(loader, broken) == by_python, loader


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\nb: *x\n", 2, "aliases (*name) are not supported"),
        ("a: &x 1\nb: 2\nc: *x\n", 3, "aliases (*name) are not supported"),
        ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
        ("a: 1\nb: !!binary aGk=\n", 2, "the tag !!binary is not supported"),
        ("a:\n  !!merge <<: {b: 1}\n", 2, "merge keys are not supported"),
        ("a: 1\n---\nb: 2\n", 2, "another document"),
        ("a: 1\nb: [1, 2\n", 3, "YAML syntax error"),
        ("a: 1\nb: x\x07y\n", 2, "the character U+0007 is not allowed"),
        ("a: 1\n\nb: \ud800\n", 3, "the character U+D800 is not allowed"),
        ("a: !!int x\n", 1, "expected an integer"),
        ("a: &x [1]\nb: {c: *x}\n", 2, "aliases (*name) are not supported"),
        ("&x a: 1\n*x : 2\n", 2, "aliases (*name) are not supported"),
        ("a: &x [1, *x]\n", 1, "aliases (*name) are not supported"),
        ("a: &x {b: 1}\nb: 1\nb: *x\n", 3, "aliases (*name) are not supported"),
        ("a: *x\n", 1, "aliases (*name) are not supported"),
    ],
)
def test_both_parsers_refuse_what_scenario_files_may_not_hold(text, line, words):
    for loader in (*LIBYAML_LOADERS, yaml_source._PyStrictSafeLoader):
        found_line, message = read_with(loader, text)
        assert found_line == line and words in message, (loader, message)
