"""MkDocs hooks: fill in generated reference text while the site is built.

A page may hold these markers, each on a line of its own:

``<!-- kurilsim:cli-help -->``
    replaced by the help of ``kurilsim`` and of each subcommand, as ``kurilsim COMMAND --help``
    prints it;
``<!-- kurilsim:schema -->``
    replaced by the JSON Schema of scenario files, as ``kurilsim schema`` prints it.

Generating them at build time keeps the reference equal to the installed program.

Docstrings cross-reference objects with Sphinx roles (``:func:`~kurilsim.solve```), which are not
Markdown: once mkdocstrings has rendered a page, each role becomes a link to the object's entry in
the API reference (or plain code where the reference has no such entry).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from typing import Any

CLI_MARKER = "<!-- kurilsim:cli-help -->"
SCHEMA_MARKER = "<!-- kurilsim:schema -->"
#: A Sphinx role as rendered from a docstring: the role's name, then its target as code.
ROLE = re.compile(r":(?:func|class|mod|data|meth|attr|exc|obj):<code>(~?)([\w.]+)</code>")
#: Width argparse wraps help text to, so the page does not depend on the terminal.
HELP_COLUMNS = "90"


def command_help(argv: list[str]) -> str:
    """What ``kurilsim ARGV --help`` prints."""
    from kurilsim.cli import main

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main([*argv, "--help"])
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return out.getvalue().rstrip()


def cli_reference() -> str:
    """The help of the command and of every subcommand, in the order ``--help`` lists them."""
    import argparse

    from kurilsim.cli import build_parser

    subcommands = next(
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    names = list(subcommands.choices)
    parts = ["## kurilsim", "", "```text", command_help([]), "```"]
    for name in names:
        parts += ["", f"## kurilsim {name}", "", "```text", command_help([name]), "```"]
    return "\n".join(parts)


def schema_reference() -> str:
    """The JSON Schema of scenario files, as a fenced block: what ``kurilsim schema`` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        from kurilsim.cli import main

        main(["schema"])
    return "```json\n" + out.getvalue().rstrip() + "\n```"


def role_links(html: str) -> str:
    """Turn the Sphinx roles in rendered HTML into cross-references that autorefs resolves.

    ``~`` before the target shows its last part only, as in Sphinx; a target the reference does
    not document is shown as code without a link.

    Examples
    --------
    >>> role_links("see :func:<code>~kurilsim.solving.solve</code>.")
    'see <autoref identifier="kurilsim.solving.solve" optional><code>solve</code></autoref>.'
    """

    def link(match: re.Match[str]) -> str:
        short, target = match.groups()
        title = target.rsplit(".", 1)[-1] if short else target
        return f'<autoref identifier="{target}" optional><code>{title}</code></autoref>'

    return ROLE.sub(link, html)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Link the Sphinx roles of rendered docstrings (MkDocs hook)."""
    return role_links(html)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the markers of generated text (MkDocs hook)."""
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    if SCHEMA_MARKER in markdown:
        markdown = markdown.replace(SCHEMA_MARKER, schema_reference())
    return markdown
