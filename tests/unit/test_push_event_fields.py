"""A push event record's fields are declared once (`PushEventRecord`); the SQL table, the
PocketBase record mapping, BAI's hook and the PocketBase migration are held to it here."""

import re
from dataclasses import fields
from pathlib import Path

from bai.adapters.pocketbase.declared_records import PUSH_EVENT_FIELDS
from bai.adapters.rows.push_events import PUSH_EVENT_COLUMNS
from bai.domain.push_events import PushEventRecord

POCKETBASE = Path(__file__).resolve().parents[2] / "contrib" / "pocketbase"
HOOK = (POCKETBASE / "pb_hooks" / "bai_push_events.js").read_text("utf-8")
MIGRATION = next((POCKETBASE / "pb_migrations").glob("*_bai_push_events.js")).read_text("utf-8")
DECLARED = [field.name for field in fields(PushEventRecord)]


def test_the_sql_table_and_the_pocketbase_mapping_hold_the_declared_fields() -> None:
    assert PUSH_EVENT_COLUMNS == DECLARED
    assert PUSH_EVENT_FIELDS == DECLARED


def test_the_pocketbase_hook_and_migration_keep_the_declared_fields() -> None:
    listed = re.search(r"const FIELDS = \[([^\]]*)\];", HOOK)
    assert listed is not None
    made = re.findall(r'\b(?:text|date)\("(\w+)"\)', MIGRATION)

    assert ["id", *re.findall(r'"(\w+)"', listed.group(1))] == DECLARED
    assert ["id", *made] == DECLARED
