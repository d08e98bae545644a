"""The periodic removal of what is kept past its retention (ended sessions, old push event
records), beside the requests of every worker (each sweep removes what is due, so workers that
sweep at once do no harm), never in a request's way."""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from bai.domain.errors import StorageUnavailable

logger = logging.getLogger("bai.sweeps")
EVERY_SECONDS = 600.0


async def sweep_periodically(
    sweep: Callable[[], Awaitable[int]], *, what: str, every: float = EVERY_SECONDS
) -> None:
    """Until cancelled: `sweep` every `every` seconds, give or take half (workers spread out);
    `what` it removes, for the log."""
    while True:
        await asyncio.sleep(every * random.uniform(0.5, 1.5))  # noqa: S311 - not a secret
        try:
            removed = await sweep()
        except StorageUnavailable as exc:
            logger.warning("%s were not swept: storage unavailable (%s)", what, exc.reason)
            continue
        if removed:
            logger.info("swept %s %s", removed, what)
