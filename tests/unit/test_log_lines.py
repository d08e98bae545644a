"""Log lines: one ASCII JSON object each, whatever text a field carries, written in batches."""

import asyncio
import io
import json
import logging
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bai.entrypoints.observability.batched_log_writes import TurnBatchedStreamHandler
from bai.entrypoints.observability.logs import (
    REQUEST_ID,
    AccessLines,
    JsonFormatter,
)


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


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def handler_on(stream: CountingStream) -> logging.Logger:
    handler = TurnBatchedStreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(f"test.batched.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_lines_off_the_event_loop_are_written_at_once() -> None:
    stream = CountingStream()
    logger = handler_on(stream)

    logger.info("one")
    assert stream.getvalue() == "one\n"
    logger.info("two")
    assert stream.getvalue() == "one\ntwo\n"


async def test_lines_of_one_loop_turn_are_written_together_after_it() -> None:
    stream = CountingStream()
    logger = handler_on(stream)

    for n in range(5):
        logger.info("line %s", n)
    assert stream.getvalue() == ""
    await asyncio.sleep(0)
    await asyncio.sleep(0)

    assert stream.getvalue() == "".join(f"line {n}\n" for n in range(5))
    assert stream.writes == 1


async def test_waiting_lines_come_before_a_later_line_from_off_the_loop() -> None:
    stream = CountingStream()
    logger = handler_on(stream)
    logger.info("from the loop")

    await asyncio.to_thread(logger.info, "from a thread")

    assert stream.getvalue() == "from the loop\nfrom a thread\n"


def test_lines_still_waiting_are_written_by_flush() -> None:
    stream = CountingStream()
    logger = handler_on(stream)

    async def log_and_stop() -> None:
        logger.info("last words")

    loop = asyncio.new_event_loop()
    loop.run_until_complete(log_and_stop())
    loop.close()
    logger.handlers[0].flush()

    assert stream.getvalue() == "last words\n"


def test_a_loop_that_stopped_before_flushing_does_not_hold_back_the_next_ones() -> None:
    stream = CountingStream()
    logger = handler_on(stream)

    async def log_and_stop_at_once(text: str) -> None:
        logger.info(text)
        asyncio.get_running_loop().stop()

    for text in ("first loop", "second loop"):
        loop = asyncio.new_event_loop()
        task = loop.create_task(log_and_stop_at_once(text))
        loop.run_forever()
        loop.close()
        assert task.done()
        assert stream.getvalue() == ""  # each loop stopped before its flush could run

    async def log(text: str) -> None:
        logger.info(text)
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run(log("third loop"))

    assert stream.getvalue() == "first loop\nsecond loop\nthird loop\n"


@given(created=st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))
def test_a_lines_time_is_its_records_time_to_the_millisecond_in_utc(created: float) -> None:
    record = logging.makeLogRecord({"name": "bai", "msg": "m", "created": created})

    shown = json.loads(JsonFormatter().format(record))["time"]

    assert shown == datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


def json_lines(stream: io.StringIO) -> TurnBatchedStreamHandler:
    """BAI's log handler, as `configure_logging` sets it up, writing to `stream`."""
    handler = TurnBatchedStreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    return handler


ACCESS_FIELDS = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST"]),
        "route": st.text(max_size=40),
        "status": st.integers(100, 599),
        "duration_ms": st.floats(0, 1e4, allow_nan=False),
        "request_id": st.text(max_size=40),
        "user_id": st.text(max_size=20),
        "client": st.text(max_size=40),
    },
    optional={"event": st.text(max_size=20), "reason": st.text(max_size=40)},
)


@given(fields=ACCESS_FIELDS)
def test_the_access_line_made_without_a_record_is_the_line_logging_makes(
    fields: dict[str, Any],
) -> None:
    direct, logged = io.StringIO(), io.StringIO()
    kept, level = logging.root.handlers[:], logging.root.level
    token = REQUEST_ID.set(fields["request_id"])  # as the edge sets it while it serves
    try:
        logging.root.setLevel(logging.INFO)
        logging.root.handlers[:] = [json_lines(direct)]
        AccessLines().write(fields)
        # Another listener beside BAI's handler: the line goes through logging.
        logging.root.handlers[:] = [json_lines(logged), logging.NullHandler()]
        AccessLines().write(fields)
        logging.root.handlers[0].flush()
    finally:
        REQUEST_ID.reset(token)
        logging.root.handlers[:], logging.root.level = kept, level

    made, written = json.loads(direct.getvalue()), json.loads(logged.getvalue())
    assert direct.getvalue().count("\n") == logged.getvalue().count("\n") == 1
    assert direct.getvalue().isascii()
    assert list(made) == list(written)
    assert {**made, "time": ""} == {**written, "time": ""}
