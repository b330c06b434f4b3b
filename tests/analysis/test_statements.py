"""Testable statements: reading them, and what a file of them is."""

import os

import yaml

from kurilsim.analysis.statements import StatementsFile, load_statements
from tests.helpers import SCENARIOS

HISTORY = SCENARIOS / "statements" / "history.yaml"


def test_statements_are_equal_wherever_they_were_read_from():
    # The file read is named in errors only: the same statements are the same value.
    read = load_statements(HISTORY)
    built = StatementsFile.model_validate(yaml.safe_load(HISTORY.read_text(encoding="utf-8")))
    assert read.source == str(HISTORY) and built.source is None
    assert read == built
    assert read == load_statements(os.path.relpath(HISTORY))
