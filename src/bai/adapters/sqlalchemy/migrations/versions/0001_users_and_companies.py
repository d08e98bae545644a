"""tbl_auth_users and tbl_company

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TEXT_COLUMNS = {
    "openid": 128,
    "unionid": 128,
    "users_id": 32,
    "users_convers_id": 128,
    "users_id_number": 64,
    "users_type": 64,
    "users_name": 128,
    "users_phone": 32,
    "users_level": 64,
    "users_picture": 1024,
    "company_id": 64,
    "users_parent_id": 64,
    "users_promo_code": 16,
    "usergroups_id": 64,
}
UNIQUE_WHEN_SET = ["openid", "users_phone", "users_id", "users_promo_code"]


def _text(name: str, length: int, default: str = "") -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=False, server_default=default)


def upgrade() -> None:
    op.create_table(
        "tbl_auth_users",
        sa.Column("pb_id", sa.String(15), primary_key=True),
        sa.Column("token_key", sa.String(50), nullable=False, unique=True),
        *(_text(name, length) for name, length in TEXT_COLUMNS.items()),
        _text("users_idtype", 32, "WeChat"),
        _text("users_status", 16, "active"),
        sa.Column("users_rank_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("users_auth_type", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    for column in UNIQUE_WHEN_SET:
        where = sa.text(f"{column} <> ''")
        op.create_index(
            f"ux_auth_users_{column}",
            "tbl_auth_users",
            [column],
            unique=True,
            postgresql_where=where,
            sqlite_where=where,
        )
    op.create_index("ix_auth_users_company_id", "tbl_auth_users", ["company_id"])
    op.create_table(
        "tbl_company",
        sa.Column("pb_id", sa.String(15), primary_key=True),
        sa.Column("company_id", sa.String(64), nullable=False, unique=True),
        _text("company_name", 256),
        _text("company_status", 32),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tbl_company")
    op.drop_table("tbl_auth_users")
