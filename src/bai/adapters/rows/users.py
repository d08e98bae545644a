"""A user as a row of `tbl_auth_users` and back, for every SQL adapter (the SQLAlchemy one, the
asyncpg one and the import): one mapping, from the one declaration of the schema."""

from typing import Any, Protocol

from bai.domain.entities import Company, IdType, User, UserStatus

from .tables import auth_users, companies

COMPANY_PREFIX = "company__"  # the joined `tbl_company` columns, as reads label them


class Row(Protocol):
    """A result row read by column name: SQLAlchemy's `RowMapping` (`Result.mappings()`),
    asyncpg's `Record`."""

    def __getitem__(self, key: str, /) -> Any: ...


def user_of_row(row: Row) -> User:
    """`row`: the user's columns, and its company's as `company__<column>` (NULL when none)."""
    fields = {column.name: row[column.name] for column in auth_users.c}
    fields["users_idtype"] = IdType(fields["users_idtype"])
    fields["users_status"] = UserStatus(fields["users_status"])
    company = None
    if row[f"{COMPANY_PREFIX}pb_id"] is not None:
        company = Company(
            **{column.name: row[f"{COMPANY_PREFIX}{column.name}"] for column in companies.c}
        )
    return User(**fields, company=company)


def row_of_user(user: User) -> dict[str, Any]:
    row = {column.name: getattr(user, column.name) for column in auth_users.c}
    row["users_idtype"] = user.users_idtype.value
    row["users_status"] = user.users_status.value
    return row
