"""sessions: one sign-in on one device each, going with their user

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-11
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tbl_auth_sessions",
        sa.Column("id", sa.String(15), primary_key=True),
        sa.Column(
            "pb_id",
            sa.String(15),
            sa.ForeignKey("tbl_auth_users.pb_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("app", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
        sa.Column("ended", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_auth_sessions_pb_id_created", "tbl_auth_sessions", ["pb_id", "created"])
    ended = sa.text("ended IS NOT NULL")
    op.create_index(
        "ix_auth_sessions_ended",
        "tbl_auth_sessions",
        ["ended"],
        postgresql_where=ended,
        sqlite_where=ended,
    )
    op.create_index(
        "ix_auth_sessions_created", "tbl_auth_sessions", ["created"], postgresql_using="brin"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(START_SESSION)


# A sign-in's session in one round trip (docs/storage.md): the user's row taken under FOR NO
# KEY UPDATE (the user's other starts queue behind it; foreign key checks do not), the session
# kept, and the user's open sessions beyond the newest `p_limit` ended: those at or before the
# first one beyond, by `(created, id)`: one short index probe and range (written as `id IN
# (...)` it ran as a hash join over all the user's sessions, five times the cost). Each
# statement of a PL/pgSQL function reads a snapshot of its own, so that last one sees the
# sessions of the starts that held the lock before. False, nothing kept, when the user is gone.
# Committed without waiting for the disk (`synchronous_commit` off for this transaction alone):
# a crash of PostgreSQL may lose the sign-ins of its last fraction of a second, whose tokens are
# then refused (401) and the mini-program signs in again with a fresh code, as after any 401;
# what ends a session is never committed so.
START_SESSION = """
CREATE FUNCTION bai_start_session(
    p_id text, p_pb_id text, p_app text, p_created timestamptz, p_renewed timestamptz,
    p_user_agent text, p_limit integer
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    PERFORM 1 FROM tbl_auth_users WHERE pb_id = p_pb_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO tbl_auth_sessions (id, pb_id, app, created, renewed, user_agent)
    VALUES (p_id, p_pb_id, p_app, p_created, p_renewed, p_user_agent);
    UPDATE tbl_auth_sessions SET ended = p_created
    WHERE pb_id = p_pb_id AND ended IS NULL AND (created, id) <= (
        SELECT created, id FROM tbl_auth_sessions WHERE pb_id = p_pb_id AND ended IS NULL
        ORDER BY created DESC, id DESC OFFSET p_limit LIMIT 1
    );
    RETURN true;
END
$$
"""


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION bai_start_session")
    op.drop_table("tbl_auth_sessions")  # and its indexes
