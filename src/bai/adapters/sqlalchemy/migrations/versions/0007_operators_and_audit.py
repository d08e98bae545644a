"""The operator console's storage: operators, and the audit trail of what they did

Revision ID: 0007
Revises: 0006
Create Date: 2027-02-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tbl_bai_operators",
        sa.Column("id", sa.String(15), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ux_bai_operators_email", "tbl_bai_operators", ["email"], unique=True)
    op.create_table(
        "tbl_bai_audit",
        sa.Column("id", sa.String(15), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(254), nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("detail", sa.String(1024), nullable=False, server_default=""),
    )
    op.create_index("ix_bai_audit_at_id", "tbl_bai_audit", ["at", "id"])
    op.create_index("ix_bai_audit_target_at_id", "tbl_bai_audit", ["target", "at", "id"])


def downgrade() -> None:
    op.drop_table("tbl_bai_audit")  # and its indexes
    op.drop_table("tbl_bai_operators")
