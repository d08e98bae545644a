"""The SQL the asyncpg session store runs, built once from the one declaration of the schema,
never from input."""

from typing import Any

from bai.adapters.rows.sessions import SESSION_COLUMNS, SESSION_PREFIX, row_of_session
from bai.domain.entities import UserStatus
from bai.domain.sessions import Session

from .identity_statements import (
    FOUND_BY_IDENTITY,
    FOUND_COLUMNS,
    REGISTER_PARAMETERS,
    REGISTERED,
    REGISTERING,
)
from .login_code_ledger import settle_statement
from .user_statements import COMPANY_JOIN, USER_AND_COMPANY_COLUMNS

# The user ($1) with its company and that session of theirs ($2), NULLs when they have none
# such: what checking a token reads, in one statement.
HOLDER = (
    f"SELECT {USER_AND_COMPANY_COLUMNS}, "  # noqa: S608
    + ", ".join(f"s.{column} AS {SESSION_PREFIX}{column}" for column in SESSION_COLUMNS)
    + " FROM tbl_auth_users u"
    + COMPANY_JOIN
    + " LEFT JOIN tbl_auth_sessions s ON s.id = $2 AND s.pb_id = u.pb_id"
    + " WHERE u.pb_id = $1"
)
# A session kept (its columns but `ended`, in order, then the limit), and the user's open
# sessions beyond the limit ended, in one round trip: the function migration 0005 made. False
# when the user is gone.
_STARTED_COLUMNS = [column for column in SESSION_COLUMNS if column != "ended"]
START = (
    "SELECT bai_start_session("
    + ", ".join(f"${n}" for n in range(1, len(_STARTED_COLUMNS) + 2))
    + ")"
)
# The identity ($1, $2) with its user and company, as the identity store's FIND reads them, and
# the session ($3 to $7: its columns but `pb_id` and `ended`) begun for that user when active,
# with the limit $8: a known identity's sign-in in one statement (`bai_start_session` runs
# once, for the one row; NULL for a user who is not active).
START_FOR_IDENTITY = (
    f"SELECT {FOUND_COLUMNS}, CASE WHEN u.users_status = '{UserStatus.ACTIVE.value}'"
    f" THEN bai_start_session($3, u.pb_id, $4, $5, $6, $7, $8) END AS session_started"
    f" {FOUND_BY_IDENTITY}"
)
# The same with WeChat's answer for the login code recorded too ($9 to $13, the ledger's
# `settle_values`), whatever is found: a login's second and last statement after its claim.
START_FOR_IDENTITY_SETTLING = f"WITH settled AS ({settle_statement(9)}) {START_FOR_IDENTITY}"
# A new user, its first identity and its first session, all or nothing, and the user as `get`
# reads it: the identity store's REGISTER with the session inserted too (its foreign key is
# checked at the statement's end, when the user is there; a user who is new has no other
# session to count or lock). Committed durably, as every registration is.
_SESSION_VALUES = ", ".join(
    f"${n}" for n in range(REGISTER_PARAMETERS + 1, REGISTER_PARAMETERS + 1 + len(_STARTED_COLUMNS))
)
REGISTER_WITH_SESSION = (
    f"{REGISTERING}, session AS (INSERT INTO tbl_auth_sessions"  # noqa: S608
    f" ({', '.join(_STARTED_COLUMNS)}) VALUES ({_SESSION_VALUES})) {REGISTERED}"
)
# The open session $1 of user $2 renewed at $4, only while the user is active and has the
# token key $3 when the write lands.
RENEW = (
    "UPDATE tbl_auth_sessions s SET renewed = $4 FROM tbl_auth_users u"  # noqa: S608
    " WHERE s.id = $1 AND s.pb_id = $2 AND s.ended IS NULL AND u.pb_id = s.pb_id"
    f" AND u.token_key = $3 AND u.users_status = '{UserStatus.ACTIVE.value}' RETURNING s.id"
)


def start_for_identity_values(session: Session, limit: int) -> list[Any]:
    row = row_of_session(session)
    return [*(row[column] for column in _STARTED_COLUMNS if column != "pb_id"), limit]


def session_values(session: Session) -> list[Any]:
    row = row_of_session(session)
    return [row[column] for column in _STARTED_COLUMNS]


def start_values(session: Session, limit: int) -> list[Any]:
    return [*session_values(session), limit]
