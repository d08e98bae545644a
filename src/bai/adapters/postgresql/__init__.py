"""PostgreSQL: asyncpg on the request path, SQLAlchemy for migrations and the import."""
