"""Log lines: one ASCII JSON object each, whatever text a field carries."""

import json
import logging

from hypothesis import given
from hypothesis import strategies as st

from bai.entrypoints.logs import JsonFormatter


@given(value=st.text(), message=st.text())
def test_any_text_stays_inside_its_field_on_one_ascii_line(value: str, message: str) -> None:
    record = logging.makeLogRecord({"name": "bai.access", "msg": message, "reason": value})

    line = JsonFormatter().format(record)

    assert line.isascii()
    assert "\n" not in line
    assert "\r" not in line
    parsed = json.loads(line)
    assert (parsed["message"], parsed["reason"], parsed["logger"]) == (message, value, "bai.access")


def test_values_json_cannot_write_are_written_as_text() -> None:
    record = logging.makeLogRecord({"name": "bai", "msg": "m", "peer": ("127.0.0.1", 5)})
    record.when = object()

    parsed = json.loads(JsonFormatter().format(record))

    assert parsed["peer"] == ["127.0.0.1", 5]
    assert parsed["when"].startswith("<object object")
