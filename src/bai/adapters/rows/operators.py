"""An operator as a row of `tbl_bai_operators`, an audit entry as one of `tbl_bai_audit`, and
back, for every SQL adapter."""

from typing import Any

from bai.domain.operators import AuditEntry, Operator, OperatorRole

from .tables import audit, operators
from .users import Row

OPERATOR_COLUMNS = [column.name for column in operators.c]
AUDIT_COLUMNS = [column.name for column in audit.c]


def operator_of_row(row: Row) -> Operator:
    fields = {column: row[column] for column in OPERATOR_COLUMNS}
    return Operator(**fields | {"role": OperatorRole(fields["role"])})


def row_of_operator(operator: Operator) -> dict[str, Any]:
    row = {column: getattr(operator, column) for column in OPERATOR_COLUMNS}
    return row | {"role": operator.role.value}


def audit_entry_of_row(row: Row) -> AuditEntry:
    return AuditEntry(**{column: row[column] for column in AUDIT_COLUMNS})


def row_of_audit_entry(entry: AuditEntry) -> dict[str, Any]:
    return {column: getattr(entry, column) for column in AUDIT_COLUMNS}
