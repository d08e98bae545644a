"""Alembic's entry: runs the migrations on an async engine, one migrator at a time."""

import asyncio

from alembic import context
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bai.adapters.rows.tables import metadata

MIGRATION_LOCK_ID = 0x0BA1_0001
MIGRATION_CONNECT_SECONDS = 5


def _migrate(connection: Connection) -> None:
    applied: list[str] = context.config.attributes.setdefault("applied", [])
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        on_version_apply=lambda *, step, **_: applied.extend(step.up_revision_ids),
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()


async def _run(url: str) -> None:
    # A database that accepts the connection but never answers is refused in 5 s, not in
    # asyncpg's default minute (migrations may wait for another host's lock, not for a connect).
    connect_args = {"timeout": MIGRATION_CONNECT_SECONDS} if url.startswith("postgresql") else {}
    engine = create_async_engine(url, poolclass=NullPool, connect_args=connect_args)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


asyncio.run(_run(context.config.attributes["database_url"]))
