"""identities (one per user and mini-program) and their conflicts; a user's unionid is unique

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-04
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import context, op

from bai.adapters.storage import MigrationRefused

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SHOWN = 10  # groups of users named in the refusal; the rest are counted
SHARED_UNIONIDS = sa.text(
    "SELECT unionid, pb_id FROM tbl_auth_users WHERE unionid IN"
    " (SELECT unionid FROM tbl_auth_users WHERE unionid <> ''"
    "  GROUP BY unionid HAVING count(*) > 1)"
    " ORDER BY unionid, pb_id"
)
BACKFILL = sa.text(
    "INSERT INTO tbl_auth_identities (appid, openid, pb_id, unionid, created)"
    " SELECT :appid, openid, pb_id, unionid, created FROM tbl_auth_users WHERE openid <> ''"
)


def refusal(rows: list[tuple[str, str]]) -> str:
    """Which users share a unionid, by `pb_id` only (a unionid names a person), on one line."""
    sharing: dict[str, list[str]] = defaultdict(list)
    for unionid, pb_id in rows:
        sharing[unionid].append(pb_id)
    groups = [", ".join(ids[:-1]) + " and " + ids[-1] for ids in sharing.values()]
    more = f" (and {len(groups) - SHOWN} more groups)" if len(groups) > SHOWN else ""
    return (
        f"migration 0004 makes a user's unionid unique, and users share one: pb_id"
        f" {'; '.join(groups[:SHOWN])}{more}; give each unionid to one user, then migrate again"
    )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # no registration may commit between the check and the unique index
        op.execute("LOCK TABLE tbl_auth_users IN SHARE ROW EXCLUSIVE MODE")
    if rows := [(unionid, pb_id) for unionid, pb_id in op.get_bind().execute(SHARED_UNIONIDS)]:
        raise MigrationRefused(refusal(rows))
    where = sa.text("unionid <> ''")
    op.create_index(
        "ux_auth_users_unionid",
        "tbl_auth_users",
        ["unionid"],
        unique=True,
        postgresql_where=where,
        sqlite_where=where,
    )
    op.create_table(
        "tbl_auth_identities",
        sa.Column("appid", sa.String(64), nullable=False),
        sa.Column("openid", sa.String(128), nullable=False),
        sa.Column(
            "pb_id",
            sa.String(15),
            sa.ForeignKey("tbl_auth_users.pb_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("unionid", sa.String(128), nullable=False, server_default=""),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("appid", "openid", name="pk_auth_identities"),
        sa.UniqueConstraint("pb_id", "appid", name="uq_auth_identities_pb_id_appid"),
    )
    op.create_table(
        "tbl_identity_conflicts",
        sa.Column("id", sa.String(15), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("appid", sa.String(64), nullable=False),
        sa.Column("openid", sa.String(128), nullable=False),
        sa.Column("unionid", sa.String(128), nullable=False, server_default=""),
        sa.Column("pb_id", sa.String(15), nullable=False),
        sa.Column("other_pb_id", sa.String(15), nullable=False, server_default=""),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_identity_conflicts_state_created",
        "tbl_identity_conflicts",
        ["state", "created", "id"],
    )
    # The existing users' openids are the primary app's: each becomes an identity there. With
    # no primary app named (a template database), each user is given it at the next sign-in.
    if appid := context.config.attributes.get("primary_appid", ""):
        op.execute(BACKFILL.bindparams(appid=appid))


def downgrade() -> None:
    op.drop_index("ix_identity_conflicts_state_created", table_name="tbl_identity_conflicts")
    op.drop_table("tbl_identity_conflicts")
    op.drop_table("tbl_auth_identities")
    op.drop_index("ux_auth_users_unionid", table_name="tbl_auth_users")
