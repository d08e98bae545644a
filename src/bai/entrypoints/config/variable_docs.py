"""The variables as README's configuration table (`python -m bai.entrypoints.config.variable_docs`;
a test checks the README matches) and as the text of `bai serve --help`."""

import re

from bai.entrypoints.config.variables import VARIABLES


def markdown_table() -> str:
    """README's configuration table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [
        f"| `{variable.name}` | {variable.documented_default} | {variable.meaning} |"
        for variable in VARIABLES
    ]
    return "\n".join(rows)


def _plain(markdown: str) -> str:
    """Without code marks, and a link as its words with "(README)"."""
    return re.sub(r"\[([^]]+)\]\(#[^)]*\)", r"\1 (README)", markdown.replace("`", ""))


def plain_text() -> str:
    """The same, for `bai serve --help`."""
    return "\n".join(
        f"  {variable.name} (default {_plain(variable.documented_default)})\n"
        f"      {_plain(variable.meaning)}"
        for variable in VARIABLES
    )


if __name__ == "__main__":
    print(markdown_table())
