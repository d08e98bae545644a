"""A histogram whose observations of one event-loop turn are added together.

why: docs/performance.md#metrics-added-once-a-turn

Under `bai serve` (prometheus_client's multiprocess mode) every `observe` takes a lock and
writes twice into a memory-mapped file (the sum and a bucket): 3.5-5 us of the 15 that BAI's
edge cost a request. Here a request's duration is tallied in a dict, and the tallies of all the
requests that ended in one turn of the event loop are added to the histogram once, right after
that turn: one write per label set and bucket touched, for all of them. Observed off a running
loop, the tally is added at once. A scrape sees every observation of the turns before it.

The one private part of prometheus_client BAI uses for it: a histogram child's `_buckets` and
`_sum` (the values `observe` itself adds to, whose `inc(n)` adds n), alone here
and pinned by `tests/unit/test_library_workarounds.py`, which fails if prometheus_client changes
what `observe` writes.
"""

import asyncio
from bisect import bisect_left
from collections.abc import Callable
from typing import Any


class TurnBatchedHistogram:
    """`observe(labels, amount)` as `histogram.labels(*labels).observe(amount)` would, added
    to the histogram at the end of the event loop's turn (`flush` adds what waits)."""

    def __init__(self, child: Callable[..., Any], upper_bounds: tuple[float, ...]) -> None:
        self._child = child  # the histogram's child for a label set (cached by the caller)
        self._upper_bounds = (*upper_bounds, float("inf"))
        self._pending: dict[tuple[object, ...], list[float]] = {}  # per bucket, then the sum
        self._flush_on: asyncio.AbstractEventLoop | None = None

    def observe(self, labels: tuple[object, ...], amount: float) -> None:
        tally = self._pending.get(labels)
        if tally is None:
            tally = self._pending[labels] = [0.0] * (len(self._upper_bounds) + 1)
        tally[bisect_left(self._upper_bounds, amount)] += 1
        tally[-1] += amount
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if self._flush_on is not loop:  # a loop that stopped before flushing is not waited on
            self._flush_on = loop
            loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_on = None
        pending, self._pending = self._pending, {}
        for labels, tally in pending.items():
            child = self._child(*labels)
            for bucket, count in zip(child._buckets, tally, strict=False):
                if count:
                    bucket.inc(count)
            child._sum.inc(tally[-1])
