"""WeChat's push events: a record of each one received, kept beyond the user it concerns

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-18
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tbl_wechat_push_events",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("appid", sa.String(64), nullable=False),
        sa.Column("event", sa.String(128), nullable=False),
        sa.Column("sent", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("fields", sa.String(128), nullable=False, server_default=""),
        sa.Column("revoke_info", sa.String(256), nullable=False, server_default=""),
        sa.Column("pb_id", sa.String(15), nullable=False, server_default=""),
        sa.Column("openid_hash", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index(
        "ix_wechat_push_events_received_id", "tbl_wechat_push_events", ["received", "id"]
    )
    op.create_index(
        "ix_wechat_push_events_pb_id_received_id",
        "tbl_wechat_push_events",
        ["pb_id", "received", "id"],
    )


def downgrade() -> None:
    op.drop_table("tbl_wechat_push_events")  # and its indexes
