"""What `bai import-pocketbase` refuses. A data directory that is not what the import reads: one
line naming what is wrong, exit 2, before anything is written (the secret file, the database). A
record BAI cannot keep, or a second record with the same id: refused by id with the reason while
the rest are copied, on SQLite and PostgreSQL alike."""

from pathlib import Path

import pytest

from bai.entrypoints.cli.import_pocketbase import run_import
from bai.entrypoints.config.settings import load_settings
from tests.support.data_dirs import ImportRun, a_record, data_dir_with

VIEW = "ALTER TABLE tbl_auth_users RENAME TO kept; CREATE VIEW tbl_auth_users AS SELECT * FROM kept"
OPTIONS = "UPDATE _collections SET options ="
OF_OPTIONS = "_collections.options of tbl_auth_users"
SPOILED = {  # what is done to a good data directory, and the refusal that names it
    "no collection": (
        "DELETE FROM _collections",
        "there is no auth collection named tbl_auth_users",
    ),
    "no users table": ("DROP TABLE tbl_auth_users", "there is no tbl_auth_users table"),
    "users a view": (VIEW, "tbl_auth_users is a view, not an ordinary table"),
    "no tokenKey": (
        "ALTER TABLE tbl_auth_users DROP COLUMN tokenKey",
        "tbl_auth_users has no tokenKey column",
    ),
    "options not JSON": (f"{OPTIONS} '{{\"authToken\":'", f"{OF_OPTIONS} is not JSON"),
    "options too deep": (f"{OPTIONS} '{'[' * 100_000}'", f"{OF_OPTIONS} is not JSON"),
    "options a list": (f"{OPTIONS} '[]'", f"{OF_OPTIONS} is not a JSON object"),
    "options a BLOB": (f"{OPTIONS} x'7b7d'", f"{OF_OPTIONS} is not text"),
    "options not UTF-8": (f"{OPTIONS} CAST(x'ff' AS TEXT)", f"{OF_OPTIONS} is not UTF-8 text"),
    "authToken a string": (
        f'{OPTIONS} \'{{"authToken": "{"s" * 50}"}}\'',
        f"authToken in {OF_OPTIONS} is not a JSON object",
    ),
    "name not UTF-8": (
        "UPDATE tbl_auth_users SET users_name = CAST(x'e8bfff' AS TEXT)",
        "tbl_auth_users.users_name of a row is not UTF-8 text",
    ),
    "phone a BLOB": (
        "UPDATE tbl_auth_users SET users_phone = x'3133383030313338303030'",
        "tbl_auth_users.users_phone holds binary data (a BLOB) in 2 of its rows",
    ),
    "schema not UTF-8": (
        "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'CREATE '"
        " || CAST(x'ff' AS TEXT) WHERE name = 'tbl_auth_users'",
        "not a PocketBase database SQLite can read (UnicodeDecodeError)",
    ),
    "collection id of two lines": (
        "UPDATE _collections SET id = 'pbc_1' || char(10) || 'BAI_TOKEN_SECRET_FILE=/tmp/x'",
        "_collections.id of tbl_auth_users is not a PocketBase collection id"
        " (1 to 100 of A-Za-z0-9_)",
    ),
}


@pytest.mark.parametrize("spoiled", SPOILED)
def test_a_data_dir_of_the_wrong_shape_is_refused_in_one_line_before_anything_is_written(
    spoiled: str, tmp_path: Path
) -> None:
    spoiler, reason = SPOILED[spoiled]
    data_dir = data_dir_with(tmp_path / "pb_data", [a_record(), a_record()], spoiler)
    database, secret_file = tmp_path / "bai.db", tmp_path / "secret"
    env = {"BAI_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}

    status, said = run_import(load_settings(env, signs_tokens=False), data_dir, secret_file)

    assert (status, said) == (2, f"bai import-pocketbase: {data_dir / 'data.db'}: {reason}")
    assert not secret_file.exists()
    assert not database.exists()


def test_columns_bai_does_not_read_may_hold_anything(sqlite_url: str, tmp_path: Path) -> None:
    unread = (
        "ALTER TABLE tbl_auth_users ADD COLUMN email; ALTER TABLE tbl_auth_users ADD COLUMN avatar;"
        " UPDATE tbl_auth_users SET email = CAST(x'ff' AS TEXT), avatar = x'00ff'"
    )
    data_dir = data_dir_with(tmp_path / "pb_data", [a_record(), a_record()], unread)
    settings = load_settings({"BAI_DATABASE_URL": sqlite_url}, signs_tokens=False)

    status, said = run_import(settings, data_dir, tmp_path / "secret")

    assert status == 0, said
    assert "users: 2 added, 0 already there, 0 refused" in said.splitlines()


@pytest.mark.parametrize("shape", ["no data.db", "not SQLite", "users a view"])
def test_what_is_not_a_pocketbase_data_dir_is_refused_in_one_line(
    shape: str,
    sqlite_url: str,
    tmp_path: Path,
    import_pocketbase: ImportRun,
) -> None:
    data_dir = tmp_path / "pb_data"
    data_dir.mkdir()
    if shape == "not SQLite":
        (data_dir / "data.db").write_text("not a database")
    if shape == "users a view":
        data_dir_with(data_dir, [a_record()], VIEW)
    secret_file = tmp_path / "secret"

    done = import_pocketbase(sqlite_url, data_dir, secret_file)

    assert done.returncode == 2
    storage, _ = done.stderr.strip().splitlines()  # the store named first, then one refusal
    assert storage == f"bai: storage: SQLite file {sqlite_url.removeprefix('sqlite+aiosqlite:///')}"
    assert "Traceback" not in done.stderr
    expected = {
        "no data.db": "is not a PocketBase data directory",
        "not SQLite": "not a PocketBase database SQLite can read (DatabaseError)",
        "users a view": "tbl_auth_users is a view, not an ordinary table",
    }
    assert expected[shape] in done.stderr
    assert not secret_file.exists()


def test_records_bai_cannot_keep_are_refused_by_id_and_the_rest_copied(
    target_url: str,
    tmp_path: Path,
    import_pocketbase: ImportRun,
) -> None:
    kept, first = a_record(), a_record()
    nul = a_record(users_name="迁移\0用户")
    repeat = a_record(id=first["id"])
    data_dir = data_dir_with(tmp_path / "pb_data", [kept, nul, first, repeat])

    done = import_pocketbase(target_url, data_dir, tmp_path / "secret")

    assert done.returncode == 1, done.stderr
    said = done.stderr.splitlines()
    assert "users: 2 added, 0 already there, 2 refused" in said
    assert f"refused {nul['id']}: users_name holds U+0000 (NUL), which BAI does not keep" in said
    assert f"refused {first['id']}: an earlier record of the source has the same id" in said
