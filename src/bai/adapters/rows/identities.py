"""Identities and identity conflicts as rows and back, for every SQL adapter."""

from typing import Any

from bai.domain.identities import ConflictKind, ConflictState, Identity, IdentityConflict

from .tables import auth_identities, identity_conflicts
from .users import Row

IDENTITY_PREFIX = "identity__"  # the identity's columns, as a read joined with its user labels them
IDENTITY_COLUMNS = [column.name for column in auth_identities.c]
CONFLICT_COLUMNS = [column.name for column in identity_conflicts.c]


def identity_of_row(row: Row, prefix: str = "") -> Identity:
    return Identity(**{column: row[f"{prefix}{column}"] for column in IDENTITY_COLUMNS})


def row_of_identity(identity: Identity) -> dict[str, Any]:
    return {column: getattr(identity, column) for column in IDENTITY_COLUMNS}


def conflict_of_row(row: Row) -> IdentityConflict:
    fields = {column: row[column] for column in CONFLICT_COLUMNS if column != "id"}
    fields["kind"] = ConflictKind(fields["kind"])
    fields["state"] = ConflictState(fields["state"])
    return IdentityConflict(**fields)


def row_of_conflict(conflict: IdentityConflict) -> dict[str, Any]:
    row = {column: getattr(conflict, column) for column in CONFLICT_COLUMNS}
    row["kind"] = conflict.kind.value
    row["state"] = conflict.state.value
    return row
