"""Log lines made cheaply: records that skip gathering what no BAI line prints, as the logging
HOWTO's "Optimization" section describes, the process id read once, and a record's time made
from a prefix kept for the second. The HOWTO's last switch, `logging._srcfile`, is private; it is
set here alone, and `tests/unit/test_library_workarounds.py` fails if the standard library drops
it.

why: docs/performance.md#log-lines-written-cheaply
"""

import logging
import math
import os
from datetime import UTC, datetime

SWITCH = "_srcfile"


def skip_what_no_line_prints() -> None:
    """No thread, process or caller lookups per record."""
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if not hasattr(logging, SWITCH):
        raise RuntimeError(f"logging has no {SWITCH}: see {__name__}")
    setattr(logging, SWITCH, None)


class ProcessId:
    """This process's id, read once and again after a fork (`logProcesses` is off): which
    worker wrote a line."""

    pid = os.getpid()

    @classmethod
    def forked(cls) -> None:
        cls.pid = os.getpid()


os.register_at_fork(after_in_child=ProcessId.forked)


class SecondClock:
    """`2026-11-29T04:20:41.831+00:00` for a record's time: the part up to the second is made
    once a second."""

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
