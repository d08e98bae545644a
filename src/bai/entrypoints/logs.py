"""One JSON object per log line, so fields cannot forge lines and machines can read them."""

import asyncio
import json
import logging
import math
import os
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

import msgspec

from bai.entrypoints.logging_speedups import skip_what_no_line_prints

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_encode = msgspec.json.Encoder(enc_hook=str).encode
# The id of the request being served, set by the HTTP edge: every line logged while serving it
# carries it, so a warning can be tied to its access line.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")


class _Process:
    """This process's id, read once and again after a fork (`logProcesses` is off: see
    logging_speedups): which worker wrote a line."""

    pid = os.getpid()

    @classmethod
    def forked(cls) -> None:
        cls.pid = os.getpid()


os.register_at_fork(after_in_child=_Process.forked)


class _Clock:
    """`2026-11-29T04:20:41.831+00:00` for a record's time: the part up to the second is made
    once a second (a datetime per line was a third of a line's formatting)."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, created: float) -> str:
        fraction, whole = math.modf(created)
        micro = round(fraction * 1_000_000)  # as `datetime.fromtimestamp` rounds
        second = int(whole) + micro // 1_000_000
        if second != self._second:
            self._second = second
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._prefix}.{micro % 1_000_000 // 1000:03d}+00:00"


class JsonFormatter(logging.Formatter):
    """Every value is JSON-escaped and the line is ASCII only, so a newline or a U+2028 in a
    field stays inside its field. msgspec writes the line; the rare line with non-ASCII text
    is written again by `json` with `ensure_ascii`."""

    def __init__(self) -> None:
        super().__init__()
        self._time = _Clock()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": _Process.pid,
            "message": record.getMessage(),
        }
        if request_id := REQUEST_ID.get():
            entry["request_id"] = request_id
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        line = _encode(entry)
        if line.isascii():
            return line.decode()
        return json.dumps(entry, ensure_ascii=True, default=str)


# For Granian's own loggers (`log_dictconfig`): its start-up, worker and shutdown lines in the
# same JSON as BAI's, so a log shipper reads every line `bai serve` writes.
SERVER_LOGGING: dict[str, Any] = {
    "formatters": {
        "generic": {"()": "bai.entrypoints.logs.JsonFormatter"},
        "access": {"()": "bai.entrypoints.logs.JsonFormatter"},
    },
}


class TurnBatchedStreamHandler(logging.StreamHandler[TextIO]):
    """Writes lines logged on a running event loop together, once per loop turn: one write
    and flush for all the requests that finished in that turn, instead of one each. Lines
    logged off the loop (start-up, the CLI, other threads) are written at once, and `flush`
    (called at exit) writes whatever is still waiting."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._flush_on: asyncio.AbstractEventLoop | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()  # what the loop logged first comes first
            super().emit(record)
            return
        try:
            line = self.format(record)
        except Exception:  # logging must never raise into the request
            self.handleError(record)
            return
        if self._flush_on is not loop:  # a loop that stopped before flushing is not waited on
            self._flush_on = loop
            loop.call_soon(self.flush)
        self._pending.append(line + self.terminator)

    def flush(self) -> None:
        self.acquire()
        try:
            self._flush_on = None
            if self._pending:
                lines, self._pending = self._pending, []
                self.stream.write("".join(lines))
            super().flush()
        except (OSError, ValueError):  # stdout is gone: the lines are, too; never loop on it
            self._pending.clear()
        finally:
            self.release()


def configure_logging(level: str = "info", stream: TextIO | None = None) -> None:
    """BAI's lines, JSON on stdout (or `stream`: the operators' commands keep stdout for their
    output), from `level` (a `BAI_LOG_LEVEL` name) up."""
    skip_what_no_line_prints()
    handler = TurnBatchedStreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.getLevelNamesMapping()[level.upper()])
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # While the database is away, asyncpg's pool warns every few seconds with a whole traceback
    # that it cannot reopen connections; BAI's own line per failed request says it already.
    logging.getLogger("asyncpg.pool").setLevel(logging.ERROR)
