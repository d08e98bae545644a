"""Log lines of one event-loop turn written together.

why: docs/performance.md#log-lines-written-cheaply
"""

import asyncio
import logging
from typing import TextIO


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
        self._queue(loop, line)

    def write_line(self, line: str) -> None:
        """A line made without a record (the access line), written as `emit` writes one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # written at once, after what waits, as `flush` writes
            self.acquire()
            try:
                self._pending.append(line + self.terminator)
            finally:
                self.release()
            self.flush()
            return
        self._queue(loop, line)

    def _queue(self, loop: asyncio.AbstractEventLoop, line: str) -> None:
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
