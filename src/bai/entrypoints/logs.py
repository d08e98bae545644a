"""One JSON object per log line, so fields cannot forge lines and machines can read them."""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import msgspec

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_encode = msgspec.json.Encoder(enc_hook=str).encode


class JsonFormatter(logging.Formatter):
    """Every value is JSON-escaped and the line is ASCII only, so a newline or a U+2028 in a
    field stays inside its field. msgspec writes the line; the rare line with non-ASCII text
    is written again by `json` with `ensure_ascii`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        line = _encode(entry)
        if line.isascii():
            return line.decode()
        return json.dumps(entry, ensure_ascii=True, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    # No line prints the thread, process or caller, so records skip gathering them
    # (the logging HOWTO's "Optimization" section).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
