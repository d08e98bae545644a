"""Waiting for an answer that another process writes to a shared store: read it until it is
there, gone, or late. The ledgers of every store wait for a login code's answer this way."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

Answer = TypeVar("Answer")


class StillPending:
    """What a read gives while the answer is yet to be written."""


STILL_PENDING: Final = StillPending()


async def poll(
    read: Callable[[], Awaitable[Answer | StillPending | None]], *, seconds: float, every: float
) -> Answer | None:
    """The answer `read` gives within `seconds`, reading every `every` seconds; None when it
    is gone (released, lapsed) or still pending by then."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        outcome = await read()
        if not isinstance(outcome, StillPending):
            return outcome
        await asyncio.sleep(every)
    return None
