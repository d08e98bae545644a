"""Whatever a PocketBase data directory holds, the import reads it without failing: each record
becomes an account, copied exactly, or a refusal that names it (Hypothesis over the values)."""

import asyncio
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.adapters.pocketbase.data_dir import PocketBaseDataDir
from bai.adapters.pocketbase.records import NUMBER_FIELDS, TEXT_FIELDS
from bai.adapters.sqlalchemy.account_import import SqlAlchemyAccountStore
from bai.adapters.sqlalchemy.engine import create_engine
from bai.adapters.sqlalchemy.user_repository import SqlAlchemyUserRepository
from bai.domain.entities import User
from bai.ports.account_import import Unreadable
from tests.support.data_dirs import data_dir_with

ALNUM = string.ascii_letters + string.digits

record_ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=15, max_size=15) | st.text()
token_keys = st.text(ALNUM, min_size=50, max_size=50) | st.text(max_size=60)
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z")
OUT_OF_RANGE = ["0001-01-01 00:00:00+01:00", "9999-12-31 23:59:59-01:00"]  # once in UTC
numbers = st.integers(-(2**40), 2**40) | st.floats(allow_nan=True) | st.text(max_size=5)
rows = st.fixed_dictionaries(
    {
        "id": record_ids,
        "tokenKey": token_keys,
        "created": times | st.text(max_size=30) | st.none() | st.sampled_from(OUT_OF_RANGE),
        "updated": times,
        "users_idtype": st.sampled_from(["", "WeChat", "ManagePlatform", "Other"]),
        "users_status": st.sampled_from(["", "active", "disabled", "banned"]),
        **{name: st.text(max_size=140) | st.none() for name in TEXT_FIELDS},
        **{name: numbers | st.none() for name in NUMBER_FIELDS},
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=st.lists(rows, max_size=4, unique_by=lambda row: row["id"]))
def test_each_record_is_copied_exactly_or_refused_by_name(
    records: list[dict[str, Any]], sqlite_url: str, tmp_path: Path
) -> None:
    source = PocketBaseDataDir(data_dir_with(tmp_path / "pb_data", records))
    read = [one for batch in source.users(batch_size=3) for one in batch]

    assert sorted(one.pb_id if isinstance(one, User) else one.record_id for one in read) == sorted(
        str(record["id"]) for record in records
    )
    valid = [one for one in read if isinstance(one, User)]

    async def copy_and_read_back() -> tuple[list[Unreadable], list[User | None]]:
        engine = create_engine(sqlite_url)
        try:
            async with engine.begin() as connection:
                await connection.exec_driver_sql("DELETE FROM tbl_auth_users")
            added = await SqlAlchemyAccountStore(engine).add_users(valid)
            users = SqlAlchemyUserRepository(engine)
            return added.refused, [await users.get(user.pb_id) for user in valid]
        finally:
            await engine.dispose()

    refused, stored = asyncio.run(copy_and_read_back())
    refused_ids = {one.record_id for one in refused}
    for user, kept in zip(valid, stored, strict=True):
        assert (kept is None) == (user.pb_id in refused_ids)
        if kept is not None:
            assert kept == user
