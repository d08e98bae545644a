"""A session as a row of `tbl_auth_sessions` and back, for every SQL adapter."""

from typing import Any

from bai.domain.sessions import Session

from .tables import auth_sessions
from .users import Row

SESSION_PREFIX = "session__"  # the session's columns, as the read with its user labels them
SESSION_COLUMNS = [column.name for column in auth_sessions.c]
_LABELLED = [(column, f"{SESSION_PREFIX}{column}") for column in SESSION_COLUMNS]


def session_of_row(row: Row) -> Session:
    return Session(**{column: row[column] for column in SESSION_COLUMNS})


def joined_session(row: Row) -> Session | None:
    """The session read beside its user (`SESSION_PREFIX`); None when the user has none such
    (the outer join's NULLs)."""
    if row[f"{SESSION_PREFIX}id"] is None:
        return None
    return Session(**{column: row[label] for column, label in _LABELLED})


def row_of_session(session: Session) -> dict[str, Any]:
    return {column: getattr(session, column) for column in SESSION_COLUMNS}
