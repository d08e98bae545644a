"""The SQL the asyncpg identity store runs, built once from the one declaration of the schema,
never from input."""

from typing import Any

from bai.adapters.rows.identities import IDENTITY_COLUMNS, IDENTITY_PREFIX, row_of_identity
from bai.domain.entities import User
from bai.domain.identities import Identity

from .user_statements import (
    COLUMNS,
    COMPANY_JOIN,
    INSERT_USER,
    USER_AND_COMPANY,
    USER_AND_COMPANY_COLUMNS,
    insert_values,
)

# The identity and its user with the user's company: what a sign-in reads, in one statement.
FOUND_COLUMNS = f"{USER_AND_COMPANY_COLUMNS}, " + ", ".join(
    f"i.{column} AS {IDENTITY_PREFIX}{column}" for column in IDENTITY_COLUMNS
)
FOUND_BY_IDENTITY = (
    "FROM tbl_auth_identities i JOIN tbl_auth_users u ON u.pb_id = i.pb_id"
    + COMPANY_JOIN
    + " WHERE i.appid = $1 AND i.openid = $2"
)
FIND = f"SELECT {FOUND_COLUMNS} {FOUND_BY_IDENTITY}"
# A new user and its first identity, both or neither, and the user as `get` reads it, in one
# statement (the foreign key is checked at its end, when the user is there).
_FIRST = len(COLUMNS) + 1
_IDENTITY_VALUES = ", ".join(f"${n}" for n in range(_FIRST, _FIRST + len(IDENTITY_COLUMNS)))
REGISTERING = (
    f"WITH added AS ({INSERT_USER} RETURNING *), identity AS ("  # noqa: S608
    f"INSERT INTO tbl_auth_identities ({', '.join(IDENTITY_COLUMNS)}) VALUES ({_IDENTITY_VALUES}))"
)
REGISTERED = USER_AND_COMPANY.format(users="added")
REGISTER = f"{REGISTERING} {REGISTERED}"
REGISTER_PARAMETERS = len(COLUMNS) + len(IDENTITY_COLUMNS)


def register_values(user: User, identity: Identity) -> list[Any]:
    row = row_of_identity(identity)
    return [*insert_values(user), *(row[column] for column in IDENTITY_COLUMNS)]
