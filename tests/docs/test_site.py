"""The documentation site builds with warnings as errors, with its generated reference pages."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.helpers import ROOT

# Every test here needs the site, which mkdocs builds once (a few seconds).
pytestmark = pytest.mark.slow

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings_handlers.python")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    yield out
    shutil.rmtree(out, ignore_errors=True)


def test_cli_reference_has_the_help_of_every_command(site):
    page = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    for command in ("run", "qre", "validate", "explain", "backtest", "sweep", "tipping", "schema"):
        assert f"kurilsim {command}" in page
    assert "--grid NAME=START:STOP:N" in page


def test_schema_page_embeds_what_kurilsim_schema_prints(site):
    page = (site / "reference" / "schema" / "index.html").read_text(encoding="utf-8")
    assert "kurilsim scenario file, format version 1" in page


def test_api_reference_is_generated_from_docstrings(site):
    page = (site / "reference" / "api-solvers" / "index.html").read_text(encoding="utf-8")
    assert "Solve a game or a scenario under its form's methods, verifying every answer." in page


def test_changelog_is_included(site):
    page = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "0.1.0" in page


def test_api_reference_shows_no_raw_sphinx_roles(site):
    for page in sorted((site / "reference").glob("api-*/index.html")):
        html = page.read_text(encoding="utf-8")
        roles = re.findall(r":(?:func|class|mod|data|meth|attr|exc|obj):", html)
        assert not roles, f"{page.parent.name} shows {len(roles)} raw roles"
    solvers = (site / "reference" / "api-solvers" / "index.html").read_text(encoding="utf-8")
    assert 'class="autorefs autorefs-internal"' in solvers
