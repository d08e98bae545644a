"""One JSON object per log line, so fields cannot forge lines and machines can read them."""

import json
import logging
import sys
import time
from contextvars import ContextVar
from typing import Any, TextIO

import msgspec

from bai.entrypoints.observability.batched_log_writes import TurnBatchedStreamHandler
from bai.entrypoints.observability.logging_speedups import (
    ProcessId,
    SecondClock,
    skip_what_no_line_prints,
)

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_encode = msgspec.json.Encoder(enc_hook=str).encode
# The id of the request being served, set by the HTTP edge: every line logged while serving it
# carries it, so a warning can be tied to its access line.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")


class JsonFormatter(logging.Formatter):
    """Every value is JSON-escaped and the line is ASCII only, so a newline or a U+2028 in a
    field stays inside its field. msgspec writes the line; the rare line with non-ASCII text
    is written again by `json` with `ensure_ascii`."""

    def __init__(self) -> None:
        super().__init__()
        self._time = SecondClock()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": ProcessId.pid,
            "message": record.getMessage(),
        }
        if request_id := REQUEST_ID.get():
            entry["request_id"] = request_id
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json_line(entry)


def json_line(entry: dict[str, Any]) -> str:
    """`entry` as one line of ASCII JSON."""
    line = _encode(entry)
    if line.isascii():
        return line.decode()
    return json.dumps(entry, ensure_ascii=True, default=str)


ACCESS = logging.getLogger("bai.access")
_BAI = logging.getLogger("bai")  # the one logger between the access line's and the root


class AccessLines:
    """The access line of every request (`bai.access`, INFO, message `request`), written as the
    formatter would write its record, but made without a `LogRecord`: straight into the log
    stream's handler when BAI's own handler is the one line of output (as under `bai serve`).
    When anything else listens (a test's capture, another handler), or the level hides it, the
    line goes through `logging` as any other."""

    def __init__(self) -> None:
        self._time = SecondClock()

    def write(self, fields: dict[str, Any]) -> None:
        handlers = logging.root.handlers
        handler = handlers[0] if len(handlers) == 1 else None
        if not (
            type(handler) is TurnBatchedStreamHandler
            and type(handler.formatter) is JsonFormatter
            and handler.level <= logging.INFO
            and not handler.filters
            and not ACCESS.handlers
            and not ACCESS.filters
            and not _BAI.handlers
            and not _BAI.filters
            and ACCESS.propagate
            and _BAI.propagate
            and ACCESS.isEnabledFor(logging.INFO)
        ):
            ACCESS.info("request", extra=fields)
            return
        entry: dict[str, Any] = {
            "time": self._time(time.time()),
            "level": "info",
            "logger": "bai.access",
            "pid": ProcessId.pid,
            "message": "request",
        }
        if request_id := REQUEST_ID.get():
            entry["request_id"] = request_id
        entry.update(fields)
        handler.write_line(json_line(entry))


# For Granian's own loggers (`log_dictconfig`): its start-up, worker and shutdown lines in the
# same JSON as BAI's, so a log shipper reads every line `bai serve` writes.
SERVER_LOGGING: dict[str, Any] = {
    "formatters": {
        "generic": {"()": "bai.entrypoints.observability.logs.JsonFormatter"},
        "access": {"()": "bai.entrypoints.observability.logs.JsonFormatter"},
    },
}


def configure_logging(level: str = "info", stream: TextIO | None = None) -> None:
    """BAI's lines, JSON on stdout (or `stream`: the operators' commands keep stdout for their
    output), from `level` (a `BAI_LOG_LEVEL` name) up."""
    skip_what_no_line_prints()
    handler = TurnBatchedStreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.getLevelNamesMapping()[level.upper()])
    quiet_libraries()


def quiet_libraries() -> None:
    """What libraries log below a warning stays unsaid, whatever `BAI_LOG_LEVEL`: httpx's
    request lines carry WeChat's URLs (codes, the secret), aiosqlite's debug lines every
    statement's parameters (openids, phone numbers)."""
    for noisy in ("httpx", "httpcore", "alembic", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # While the database is away, asyncpg's pool warns every few seconds with a whole traceback
    # that it cannot reopen connections; BAI's own line per failed request says it already.
    logging.getLogger("asyncpg.pool").setLevel(logging.ERROR)
