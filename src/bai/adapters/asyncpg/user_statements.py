"""The SQL the asyncpg user repository runs, built once from the one declaration of the schema
(`rows/tables.py`) and fixed fragments, never from input."""

import functools
from typing import Any

from bai.adapters.like import containing
from bai.adapters.rows.tables import auth_users, companies
from bai.adapters.rows.users import COMPANY_PREFIX, row_of_user
from bai.domain.entities import User
from bai.domain.user_query import UserQuery

# The columns as the one declaration of the schema has them (migrations are checked against it).
COLUMNS = [column.name for column in auth_users.c]
COMPANY_COLUMNS = [column.name for column in companies.c]
# Built once from the entities' field names, never from input: the user `u` and its company
# `c`, as `user_of_row` reads them.
USER_AND_COMPANY_COLUMNS = (
    ", ".join(f"u.{column}" for column in COLUMNS)
    + ", "
    + ", ".join(f"c.{column} AS {COMPANY_PREFIX}{column}" for column in COMPANY_COLUMNS)
)
COMPANY_JOIN = " LEFT JOIN tbl_company c ON u.company_id <> '' AND c.company_id = u.company_id"
USER_AND_COMPANY = "SELECT " + USER_AND_COMPANY_COLUMNS + " FROM {users} u" + COMPANY_JOIN  # noqa: S608
BY_ID = USER_AND_COMPANY.format(users="tbl_auth_users") + " WHERE u.pb_id = $1"
# The literal terms let PostgreSQL use the partial unique indexes on a generic plan too.
BY_OPENID = (
    USER_AND_COMPANY.format(users="tbl_auth_users") + " WHERE u.openid = $1 AND u.openid <> ''"
)
BY_UNIONID = (
    USER_AND_COMPANY.format(users="tbl_auth_users") + " WHERE u.unionid = $1 AND u.unionid <> ''"
)
# An update and the changed row, with its company, in one statement (one round trip).
_CHANGE = (
    "WITH changed AS (UPDATE tbl_auth_users SET {assignments} WHERE {where} RETURNING *) "  # noqa: S608
    + USER_AND_COMPANY.format(users="changed")
)
# A registration and the new row, with its company, in one statement; no row when the openid
# is registered already (the conflict waits for that registration to commit).
INSERT_USER = (
    f"INSERT INTO tbl_auth_users ({', '.join(COLUMNS)})"  # noqa: S608
    f" VALUES ({', '.join(f'${n}' for n in range(1, len(COLUMNS) + 1))})"
)
INSERT = (
    f"WITH added AS ({INSERT_USER}"
    " ON CONFLICT (openid) WHERE openid <> '' DO NOTHING RETURNING *) "
    + USER_AND_COMPANY.format(users="added")
)


@functools.cache
def change_query(*columns: str, guarded: bool = False) -> str:
    """Built once per set of columns; the names come from the repository's own keyword
    arguments, never from input. A guarded change applies only while the row still has the
    token key ($2) and status ($3) it was authorised with."""
    first = 4 if guarded else 2
    assignments = ", ".join(f"{column} = ${n}" for n, column in enumerate(columns, start=first))
    where = "pb_id = $1 AND token_key = $2 AND users_status = $3" if guarded else "pb_id = $1"
    return _CHANGE.format(assignments=assignments, where=where)


@functools.cache
def withdraw_query(*columns: str) -> str:
    """Built once per set of the user's withdrawable columns (`WithdrawnField`'s names, never
    input): they become '', and `updated` becomes $2 only when one of them held something."""
    held = " OR ".join(f"{column} <> ''" for column in columns) or "false"
    cleared = "".join(f"{column} = '', " for column in columns)
    assignments = f"{cleared}updated = CASE WHEN {held} THEN $2 ELSE updated END"
    return _CHANGE.format(assignments=assignments, where="pb_id = $1")


# A user holding an identity in an app, by the identities' (pb_id, appid) key.
_HOLDS_AN_IDENTITY_IN = (
    "EXISTS (SELECT 1 FROM tbl_auth_identities i WHERE i.pb_id = u.pb_id AND i.appid = {})"
)


def listing(query: UserQuery, limit: int) -> tuple[str, list[Any]]:
    """The statement and arguments of one page: fixed fragments only, in terms the index on
    (`created`, `pb_id`) serves (the row comparison is what PostgreSQL matches to it)."""
    terms: list[str] = []
    arguments: list[Any] = []

    def argument(value: Any) -> str:
        arguments.append(value)
        return f"${len(arguments)}"

    if query.status is not None:
        terms.append(f"u.users_status = {argument(query.status.value)}")
    if query.since is not None:
        terms.append(f"u.created >= {argument(query.since)}")
    if query.has_phone is not None:
        terms.append("u.users_phone <> ''" if query.has_phone else "u.users_phone = ''")
    if (after := query.after) is not None:
        start = f"({argument(after.created)}, {argument(after.pb_id)})"
        terms.append(f"(u.created, u.pb_id) > {start}")
    if query.pb_id is not None:
        terms.append(f"u.pb_id = {argument(query.pb_id)}")
    if query.phone is not None:
        terms.append(f"u.users_phone = {argument(query.phone)} AND u.users_phone <> ''")
    if query.name is not None:
        # A-Z folded only, as `ascii_folded` folds: `lower` under the "C" collation.
        pattern = argument(containing(query.name))
        terms.append(f"lower(u.users_name COLLATE \"C\") LIKE {pattern} ESCAPE '\\'")
    if query.app is not None:
        terms.append(_HOLDS_AN_IDENTITY_IN.format(argument(query.app)))
    where = f" WHERE {' AND '.join(terms)}" if terms else ""
    order = f" ORDER BY u.created, u.pb_id LIMIT {argument(limit)}"
    return USER_AND_COMPANY.format(users="tbl_auth_users") + where + order, arguments


def insert_values(user: User) -> list[Any]:
    row = row_of_user(user)
    return [row[column] for column in COLUMNS]


# Registrations per UTC day in [$1, $2), by the index on (`created`, `pb_id`).
REGISTRATIONS_PER_DAY = (
    "SELECT (created AT TIME ZONE 'UTC')::date AS day, count(*) AS total FROM tbl_auth_users"
    " WHERE created >= $1 AND created < $2 GROUP BY day ORDER BY day"
)
