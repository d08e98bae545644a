"""The schema as SQLAlchemy Core tables. Rows never leave this package as rows."""

from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    ForeignKey,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    text,
)

from bai.domain.user_fields import UNIQUE_FIELDS

from .columns import UtcDateTime, number_column, text_column, unique_index_when_set, unique_when_set

__all__ = ["UtcDateTime", "metadata", "unique_when_set"]


metadata = MetaData()


auth_users = Table(
    "tbl_auth_users",
    metadata,
    Column("pb_id", String(15), primary_key=True),
    Column("token_key", String(50), nullable=False, unique=True),
    text_column("openid", 128),
    text_column("unionid", 128),
    text_column("users_id", 32),
    text_column("users_idtype", 32, "WeChat"),
    text_column("users_status", 16, "active"),
    text_column("users_convers_id", 128),
    text_column("users_id_number", 64),
    text_column("users_type", 64),
    text_column("users_name", 128),
    number_column("users_rank_level"),
    number_column("users_auth_type"),
    text_column("users_phone", 32),
    text_column("users_level", 64),
    text_column("users_picture", 1024),
    text_column("company_id", 64),
    text_column("users_parent_id", 64),
    text_column("users_promo_code", 16),
    text_column("usergroups_id", 64),
    Column("created", UtcDateTime, nullable=False),
    Column("updated", UtcDateTime, nullable=False),
    *(unique_index_when_set(column) for column in UNIQUE_FIELDS),
    Index("ix_auth_users_company_id", "company_id"),
    Index("ix_auth_users_created_pb_id", "created", "pb_id"),  # `bai users list`, in order
)

companies = Table(
    "tbl_company",
    metadata,
    Column("pb_id", String(15), primary_key=True),
    Column("company_id", String(64), nullable=False, unique=True),
    text_column("company_name", 256),
    text_column("company_status", 32),
    Column("created", UtcDateTime, nullable=False),
    Column("updated", UtcDateTime, nullable=False),
)

# users-count: a counter kept by triggers in the transaction of every insert and delete (the
# migration creates them). PostgreSQL spreads it over the migration's `SLOTS` rows, one per
# backend process modulo the slots, so concurrent registrations do not queue on one row.
users_count = Table(
    "tbl_auth_users_count",
    metadata,
    Column("slot", SmallInteger, primary_key=True, autoincrement=False),
    Column("total", BigInteger, nullable=False, server_default="0"),
)

# Login codes being exchanged with WeChat, by SHA-256: the one answer per code shared by every
# process. Transient, so the migration makes it UNLOGGED on PostgreSQL (no write-ahead log), and
# it has no index but its key: an answer written over a claim stays a heap-only update, and the
# once-a-minute sweep of lapsed rows reads a table that holds about a minute of logins.
login_codes = Table(
    "tbl_login_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("state", String(8), nullable=False),
    Column("openid", String(128), nullable=False, server_default=""),
    Column("unionid", String(128), nullable=False, server_default=""),
    Column("expires_at", Double, nullable=False),
)

# A user's identities, one per mini-program: `(appid, openid)` is held by one user, and a user
# holds one per app. They go with their user (the foreign key cascades; SQLite enforces it
# because the engine turns `PRAGMA foreign_keys` on for every connection). The unique keys are
# named: the asyncpg adapter tells which one a registration broke by its name.
IDENTITY_KEY = "pk_auth_identities"
IDENTITY_PER_APP = "uq_auth_identities_pb_id_appid"
auth_identities = Table(
    "tbl_auth_identities",
    metadata,
    Column("appid", String(64), nullable=False),
    Column("openid", String(128), nullable=False),
    Column(
        "pb_id",
        String(15),
        ForeignKey("tbl_auth_users.pb_id", ondelete="CASCADE"),
        nullable=False,
    ),
    text_column("unionid", 128),  # the one WeChat last gave with this identity
    Column("created", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("appid", "openid", name=IDENTITY_KEY),
    UniqueConstraint("pb_id", "appid", name=IDENTITY_PER_APP),
)

# The conflicts an operator settles. The id is derived from what the conflict is about
# (`IdentityConflict.id`), so meeting one again records nothing; the queue is read open and
# oldest first.
identity_conflicts = Table(
    "tbl_identity_conflicts",
    metadata,
    Column("id", String(15), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("appid", String(64), nullable=False),
    Column("openid", String(128), nullable=False),
    text_column("unionid", 128),
    Column("pb_id", String(15), nullable=False),
    text_column("other_pb_id", 15),
    Column("state", String(16), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Index("ix_identity_conflicts_state_created", "state", "created", "id"),
)

# Sessions: one sign-in on one device each, going with their user (the foreign key cascades,
# served by the index on `(pb_id, created)`, which also reads a user's open sessions in order).
# The sweep reads the long-ended ones by `ended` (open ones are not in that index) and the
# long-begun ones by `created`; `renewed`, which every refresh writes, is in no index.
auth_sessions = Table(
    "tbl_auth_sessions",
    metadata,
    Column("id", String(15), primary_key=True),
    Column(
        "pb_id",
        String(15),
        ForeignKey("tbl_auth_users.pb_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("app", String(64), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("renewed", UtcDateTime, nullable=False),
    text_column("user_agent", 200),
    Column("ended", UtcDateTime, nullable=True),
    Index("ix_auth_sessions_pb_id_created", "pb_id", "created"),
    Index(
        "ix_auth_sessions_ended",
        "ended",
        postgresql_where=text("ended IS NOT NULL"),
        sqlite_where=text("ended IS NOT NULL"),
    ),
    # BRIN on PostgreSQL: sessions are inserted in `created` order, so block ranges summarise
    # it well, and a sign-in's insert does not descend a B-tree for the sweep's sake.
    Index("ix_auth_sessions_created", "created", postgresql_using="brin"),
)

# WeChat's push events received (SPEC "WeChat's push events"), each once: the id is the event's
# keyed hash (`PushEvent.key`), so a delivery WeChat repeats finds its row. `pb_id` names the
# user concerned and is no foreign key: the record is what shows, after a user was deleted,
# that and when it was. `(received, id)` serves the listing, newest first (read backwards),
# and the sweep; `(pb_id, received, id)` one user's listing.
wechat_push_events = Table(
    "tbl_wechat_push_events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("appid", String(64), nullable=False),
    Column("event", String(128), nullable=False),
    Column("sent", UtcDateTime, nullable=False),
    Column("received", UtcDateTime, nullable=False),
    Column("outcome", String(32), nullable=False),
    text_column("fields", 128),
    text_column("revoke_info", 256),
    text_column("pb_id", 15),
    text_column("openid_hash", 64),
    Index("ix_wechat_push_events_received_id", "received", "id"),
    Index("ix_wechat_push_events_pb_id_received_id", "pb_id", "received", "id"),
)

# The people who run BAI (SPEC "The operator console"), not WeChat users: the email is the
# sign-in name, unique (`ux_bai_operators_email`, which also settles concurrent adds), compared
# as stored (callers lower-case it). A handful of rows: no other index.
EMAIL_LENGTH = 254
operators = Table(
    "tbl_bai_operators",
    metadata,
    Column("id", String(15), primary_key=True),
    Column("email", String(EMAIL_LENGTH), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("updated", UtcDateTime, nullable=False),
    Index("ux_bai_operators_email", "email", unique=True),
)

# What operators did, from the console or the CLI: rows are inserted, never updated or deleted
# (no adapter has a statement that would). `(at, id)` serves the listing, newest first (read
# backwards), and its keyset paging; `(target, at, id)` the listing about one user, email or
# conflict.
audit = Table(
    "tbl_bai_audit",
    metadata,
    Column("id", String(15), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(EMAIL_LENGTH), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(EMAIL_LENGTH), nullable=False),
    text_column("address", 64),
    text_column("detail", 1024),
    Index("ix_bai_audit_at_id", "at", "id"),
    Index("ix_bai_audit_target_at_id", "target", "at", "id"),
)
