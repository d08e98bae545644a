"""Throwaway databases on the local PostgreSQL (`BAI_TEST_DATABASE_URL`, else localhost)."""

import asyncio
import os
import secrets

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def postgres_server_url() -> str:
    """The server to make databases on; `BAI_TEST_DATABASE_URL` overrides."""
    return os.environ.get("BAI_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_dsn(url), timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def run_sql(url: str, *statements: str) -> None:
    asyncio.run(_admin(url, *statements))


def make_database(prefix: str) -> str:
    """A new, empty database; the server's error (OSError, asyncpg's, TimeoutError) when there
    is none to make it on."""
    server = postgres_server_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    run_sql(server, f'CREATE DATABASE "{name}"')
    return with_database(server, name)


def drop_database(url: str) -> None:
    name = make_url(url).database
    run_sql(postgres_server_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
