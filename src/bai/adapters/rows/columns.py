"""The column types and shapes the schema's tables share."""

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Dialect, Index, Integer, String, TypeDecorator, text


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on PostgreSQL and on SQLite (which keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def text_column(name: str, length: int, default: str = "") -> Column[str]:
    return Column(name, String(length), nullable=False, server_default=default)


def number_column(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False, server_default="0")


def unique_when_set(column: str) -> str:
    """The name of the index that keeps a user's `column` unique where it is not empty."""
    return f"ux_auth_users_{column}"


def unique_index_when_set(column: str) -> Index:
    where = text(f"{column} <> ''")
    return Index(
        unique_when_set(column), column, unique=True, postgresql_where=where, sqlite_where=where
    )
