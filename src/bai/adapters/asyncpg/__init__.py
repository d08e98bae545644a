"""PostgreSQL on asyncpg directly: prepared statements, no ORM layer on the hot path."""
