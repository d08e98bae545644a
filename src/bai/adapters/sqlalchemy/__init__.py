"""SQLAlchemy 2 async storage for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""
