"""an index on (created, pb_id): `bai users list` pages through users in that order

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-14
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_auth_users_created_pb_id", "tbl_auth_users", ["created", "pb_id"])


def downgrade() -> None:
    op.drop_index("ix_auth_users_created_pb_id", table_name="tbl_auth_users")
