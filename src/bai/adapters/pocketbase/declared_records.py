"""Records of the collections whose fields are an entity's own, one to one (push events,
operators, audit entries), as BAI's entities and as BAI's hook takes them."""

from collections.abc import Callable, Mapping
from dataclasses import fields
from enum import Enum
from typing import Any, TypeVar

from bai.domain.operators import AuditEntry, Operator, OperatorRole
from bai.domain.push_events import PushEventRecord, PushOutcome

from .records import moment, pocketbase_time, text, utc_now

T = TypeVar("T")
PUSH_EVENT_FIELDS = [field.name for field in fields(PushEventRecord)]
_PUSH_EVENT_TIMES = ("sent", "received")
OPERATOR_FIELDS = [field.name for field in fields(Operator)]
_OPERATOR_TIMES = ("created", "updated")
AUDIT_FIELDS = [field.name for field in fields(AuditEntry)]
_AUDIT_TIMES = ("at",)


def _entity(
    make: Callable[..., T],
    record: Mapping[str, Any],
    names: list[str],
    times: tuple[str, ...],
    choices: Mapping[str, Callable[[str], Any]] | None = None,
) -> T:
    """`make` of `record`'s fields `names`, as text but for those in `times`, read as times
    (none empty), and those in `choices`, each one of its enumeration's values."""
    values: dict[str, Any] = {name: text(record, name) for name in names}
    for name in times:
        if not values[name]:
            raise ValueError(f"{name} is empty")
        values[name] = moment(record, name, utc_now)
    for name, choice in (choices or {}).items():
        try:
            values[name] = choice(values[name])
        except ValueError:
            raise ValueError(f"{name} has a value BAI does not know") from None
    return make(**values)


def _sent(entity: object, names: list[str], times: tuple[str, ...]) -> dict[str, Any]:
    """`entity`'s fields `names` as BAI's hook takes them: times in PocketBase's format,
    enumerations by value."""
    values = {name: getattr(entity, name) for name in names}
    values |= {name: pocketbase_time(values[name]) for name in times}
    return {name: v.value if isinstance(v, Enum) else v for name, v in values.items()}


def push_event_of(record: Mapping[str, Any]) -> PushEventRecord:
    """The event a `tbl_wechat_push_events` record holds."""
    choices = {"outcome": PushOutcome}
    return _entity(PushEventRecord, record, PUSH_EVENT_FIELDS, _PUSH_EVENT_TIMES, choices)


def push_event_record(event: PushEventRecord) -> dict[str, Any]:
    """What BAI's hook takes to keep `event`."""
    return _sent(event, PUSH_EVENT_FIELDS, _PUSH_EVENT_TIMES)


def operator_of(record: Mapping[str, Any]) -> Operator:
    """The operator a `tbl_bai_operators` record holds."""
    choices = {"role": OperatorRole}
    return _entity(Operator, record, OPERATOR_FIELDS, _OPERATOR_TIMES, choices)


def operator_record(operator: Operator) -> dict[str, Any]:
    """What BAI's hook takes to keep `operator`."""
    return _sent(operator, OPERATOR_FIELDS, _OPERATOR_TIMES)


def audit_entry_of(record: Mapping[str, Any]) -> AuditEntry:
    """The entry a `tbl_bai_audit` record holds."""
    return _entity(AuditEntry, record, AUDIT_FIELDS, _AUDIT_TIMES)


def audit_entry_record(entry: AuditEntry) -> dict[str, Any]:
    """What BAI's hook takes to keep `entry`."""
    return _sent(entry, AUDIT_FIELDS, _AUDIT_TIMES)
