"""The user's stored fields are declared once (`bai.domain.user_fields`, from the `User`
entity); every list that cannot import the declaration is held to it here."""

import re
from pathlib import Path

from sqlalchemy import Integer, String

from bai.adapters.rows.tables import auth_users
from bai.domain.push_events import WithdrawnField
from bai.domain.user_fields import (
    HIDDEN_FIELDS,
    RECORD_FIELDS,
    UNIQUE_FIELDS,
    USER_FIELDS,
    FieldKind,
    named,
)
from bai.entrypoints.http.schemas import UserInfo

POCKETBASE = Path(__file__).resolve().parents[2] / "contrib" / "pocketbase"
HOOK = (POCKETBASE / "pb_hooks" / "bai_records.js").read_text(encoding="utf-8")
MIGRATIONS = sorted((POCKETBASE / "pb_migrations").glob("*.js"))
MIGRATION = next(
    path for path in MIGRATIONS if path.name.endswith("_bai_collections.js")
).read_text("utf-8")
STORED_AS_TEXT = named(FieldKind.TEXT) + named(FieldKind.CHOICE)
PRESENTED_ONLY = {"pb_id", "users_phone_masked", "company", "created", "updated"}


def js_list(name: str) -> list[str]:
    found = re.search(rf"const {name} = \[([^\]]*)\];", HOOK)
    assert found is not None, name
    return re.findall(r'"(\w+)"', found.group(1))


def test_the_sql_table_holds_the_declared_fields_of_their_kinds() -> None:
    columns = {column.name: column for column in auth_users.c}
    kinds = {FieldKind.TEXT: String, FieldKind.CHOICE: String, FieldKind.NUMBER: Integer}

    assert list(columns) == [*RECORD_FIELDS[:2], *(f.name for f in USER_FIELDS), *RECORD_FIELDS[2:]]
    for field in USER_FIELDS:
        column = columns[field.name]
        assert isinstance(column.type, kinds[field.kind]), field.name
        assert column.server_default.arg == str(field.default), field.name  # type: ignore[union-attr]


def test_the_sql_table_keeps_the_declared_fields_unique_when_set() -> None:
    unique = {
        column.name
        for index in auth_users.indexes
        if index.unique
        for column in index.columns
        if index.dialect_options["postgresql"]["where"] is not None
    }

    assert unique == set(UNIQUE_FIELDS)


def test_the_pocketbase_hook_reads_and_writes_the_declared_fields() -> None:
    assert sorted(js_list("TEXT")) == sorted(STORED_AS_TEXT)
    assert js_list("NUMBERS") == list(named(FieldKind.NUMBER))
    assert js_list("UNIQUE") == list(UNIQUE_FIELDS)
    assert js_list("WITHDRAWN") == list(WithdrawnField)


def test_the_pocketbase_migration_makes_the_declared_fields() -> None:
    users = MIGRATION.split('name: "tbl_auth_users"', 1)[1]
    made = re.findall(r'\b(text|number)\("(\w+)"', users)
    stored_as = {FieldKind.TEXT: "text", FieldKind.CHOICE: "text", FieldKind.NUMBER: "number"}

    assert made == [(stored_as[field.kind], field.name) for field in USER_FIELDS]


def test_the_pocketbase_migrations_keep_the_declared_fields_unique_when_set() -> None:
    made = "".join(path.read_text("utf-8") for path in MIGRATIONS)
    unique = re.findall(r"UNIQUE INDEX \w+ ON tbl_auth_users \((\w+)\) WHERE (\w+) != ''", made)

    assert sorted(column for column, _ in unique) == sorted(UNIQUE_FIELDS)
    assert all(column == where for column, where in unique)


def test_the_http_schema_shows_every_declared_field_but_the_hidden_ones() -> None:
    shown = set(UserInfo.__struct_fields__) - PRESENTED_ONLY

    assert shown == {field.name for field in USER_FIELDS} - HIDDEN_FIELDS
    assert not HIDDEN_FIELDS & set(UserInfo.__struct_fields__)
