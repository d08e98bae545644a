"""The periodic removal of sessions kept past their retention, beside the requests of every
worker (each sweep is one statement that removes what is due, so workers that sweep at once do
no harm), never in a request's way."""

import asyncio
import logging
import random

from bai.domain.errors import StorageUnavailable
from bai.domain.session_keeping import SessionKeeping

logger = logging.getLogger("bai.sessions")
EVERY_SECONDS = 600.0


async def sweep_sessions(keeping: SessionKeeping, *, every: float = EVERY_SECONDS) -> None:
    """Until cancelled: sweep every `every` seconds, give or take half (workers spread out)."""
    while True:
        await asyncio.sleep(every * random.uniform(0.5, 1.5))  # noqa: S311 - not a secret
        try:
            removed = await keeping.sweep()
        except StorageUnavailable as exc:
            logger.warning("sessions were not swept: storage unavailable (%s)", exc.reason)
            continue
        if removed:
            logger.info("swept %s ended or expired sessions", removed)
