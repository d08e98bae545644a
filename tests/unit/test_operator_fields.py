"""An operator's and an audit entry's fields are declared once (`Operator`, `AuditEntry`); the
SQL tables, the PocketBase record mapping, BAI's hook and the PocketBase migration are held to
them here."""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from bai.adapters.pocketbase.declared_records import AUDIT_FIELDS, OPERATOR_FIELDS
from bai.adapters.rows.operators import AUDIT_COLUMNS, OPERATOR_COLUMNS
from bai.domain.operators import AuditEntry, Operator

POCKETBASE = Path(__file__).resolve().parents[2] / "contrib" / "pocketbase"
HOOK = (POCKETBASE / "pb_hooks" / "bai_operators.js").read_text("utf-8")
MIGRATION = next((POCKETBASE / "pb_migrations").glob("*_bai_operators_and_audit.js")).read_text(
    "utf-8"
)
KINDS = {
    "OPERATOR": ("tbl_bai_operators", [field.name for field in fields(Operator)]),
    "AUDIT": ("tbl_bai_audit", [field.name for field in fields(AuditEntry)]),
}


def test_the_sql_tables_and_the_pocketbase_mapping_hold_the_declared_fields() -> None:
    assert OPERATOR_COLUMNS == OPERATOR_FIELDS == KINDS["OPERATOR"][1]
    assert AUDIT_COLUMNS == AUDIT_FIELDS == KINDS["AUDIT"][1]


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_pocketbase_hook_and_migration_keep_the_declared_fields(kind: str) -> None:
    collection, declared = KINDS[kind]
    listed = re.search(rf"const {kind}_FIELDS = \[([^\]]*)\];", HOOK)
    assert listed is not None
    made = MIGRATION.split(f'name: "{collection}"', 1)[1].split("indexes:", 1)[0]

    assert ["id", *re.findall(r'"(\w+)"', listed.group(1))] == declared
    assert ["id", *re.findall(r'\b(?:text|date)\("(\w+)"\)', made)] == declared
