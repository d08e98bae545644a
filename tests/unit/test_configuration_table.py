"""README's configuration table and `bai serve --help` come from the one declaration of the
variables (`bai.entrypoints.config.variables`)."""

import re
from pathlib import Path

import pytest

from bai.entrypoints.cli import main
from bai.entrypoints.config.variable_docs import markdown_table, plain_text
from bai.entrypoints.config.variables import VARIABLES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_is_the_declared_one() -> None:
    assert markdown_table() in README.read_text(encoding="utf-8")


def test_every_variable_the_code_reads_is_declared() -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "bai"
    read = {
        name
        for path in source.rglob("*.py")
        for name in re.findall(r'"(BAI_[A-Z_]+)"', path.read_text(encoding="utf-8"))
    }

    assert read <= {variable.name for variable in VARIABLES}


def test_serve_help_lists_every_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])

    shown = capsys.readouterr().out
    assert all(variable.name in shown for variable in VARIABLES)


def test_serve_help_shows_no_markdown() -> None:
    text = plain_text()

    assert "](#" not in text
    assert "`" not in text
    assert "see Scaling out (README)" in text
