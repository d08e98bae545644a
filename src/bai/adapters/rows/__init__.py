"""What every stored backend shares: the schema declared once (`tables`), a user and a login
code as a row and back, and how a SQL driver's failures read to the domain (`outages`, `retry`).
The SQLAlchemy, asyncpg and PocketBase adapters import it; it imports none of them."""
