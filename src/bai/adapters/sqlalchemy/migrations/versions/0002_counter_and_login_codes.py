"""users-count counter kept by triggers; the shared ledger of login codes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SLOTS = 16  # the trigger below spreads over this many rows
POSTGRESQL_TRIGGERS = [
    """
CREATE FUNCTION bai_count_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE tbl_auth_users_count SET total = 0;
    ELSE
        UPDATE tbl_auth_users_count
        SET total = total + CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END
        WHERE slot = pg_backend_pid() % 16;
    END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER tbl_auth_users_counted AFTER INSERT OR DELETE ON tbl_auth_users"
    " FOR EACH ROW EXECUTE FUNCTION bai_count_users()",
    "CREATE TRIGGER tbl_auth_users_truncated AFTER TRUNCATE ON tbl_auth_users"
    " FOR EACH STATEMENT EXECUTE FUNCTION bai_count_users()",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER tbl_auth_users_counted_insert AFTER INSERT ON tbl_auth_users"
    " BEGIN UPDATE tbl_auth_users_count SET total = total + 1 WHERE slot = 0; END",
    "CREATE TRIGGER tbl_auth_users_counted_delete AFTER DELETE ON tbl_auth_users"
    " BEGIN UPDATE tbl_auth_users_count SET total = total - 1 WHERE slot = 0; END",
]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # no registration may commit between the count below and the triggers
        op.execute("LOCK TABLE tbl_auth_users IN SHARE ROW EXCLUSIVE MODE")
    counter = op.create_table(
        "tbl_auth_users_count",
        sa.Column("slot", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("total", sa.BigInteger, nullable=False, server_default="0"),
    )
    slots = SLOTS if postgresql else 1
    op.bulk_insert(counter, [{"slot": slot, "total": 0} for slot in range(slots)])
    op.execute(
        "UPDATE tbl_auth_users_count SET total = (SELECT count(*) FROM tbl_auth_users)"
        " WHERE slot = 0"
    )
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    op.create_table(
        "tbl_login_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("openid", sa.String(128), nullable=False, server_default=""),
        sa.Column("unionid", sa.String(128), nullable=False, server_default=""),
        sa.Column("expires_at", sa.Double, nullable=False),
        prefixes=["UNLOGGED"] if postgresql else [],
    )


def downgrade() -> None:
    op.drop_table("tbl_login_codes")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tbl_auth_users_truncated ON tbl_auth_users")
        op.execute("DROP TRIGGER tbl_auth_users_counted ON tbl_auth_users")
        op.execute("DROP FUNCTION bai_count_users()")
    else:
        op.execute("DROP TRIGGER tbl_auth_users_counted_insert")
        op.execute("DROP TRIGGER tbl_auth_users_counted_delete")
    op.drop_table("tbl_auth_users_count")
