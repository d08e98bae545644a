"""A push event record as a row of `tbl_wechat_push_events` and back, for every SQL adapter."""

from typing import Any

from bai.domain.push_events import PushEventRecord, PushOutcome

from .tables import wechat_push_events
from .users import Row

PUSH_EVENT_COLUMNS = [column.name for column in wechat_push_events.c]


def push_event_of_row(row: Row) -> PushEventRecord:
    fields = {column: row[column] for column in PUSH_EVENT_COLUMNS}
    fields["outcome"] = PushOutcome(fields["outcome"])
    return PushEventRecord(**fields)


def row_of_push_event(record: PushEventRecord) -> dict[str, Any]:
    row = {column: getattr(record, column) for column in PUSH_EVENT_COLUMNS}
    row["outcome"] = record.outcome.value
    return row
