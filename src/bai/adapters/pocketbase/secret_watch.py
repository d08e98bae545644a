"""Beside a live PocketBase the collection secret is PocketBase's, and an operator may rotate
it there (to sign everyone out, e.g. after a leak). Each BAI process reads it again every
`every` seconds and switches to the new one, so tokens PocketBase stopped accepting stop
working at BAI too, within that time."""

import asyncio
import logging
from collections.abc import Callable

from bai.domain.errors import StorageUnavailable

from .client import PocketBaseClient

logger = logging.getLogger("bai.storage")


async def follow_secret(
    client: PocketBaseClient, current: str, apply: Callable[[str], None], *, every: float
) -> None:
    """Until cancelled: read the secret every `every` seconds; call `apply` when it changed.
    A PocketBase that does not answer keeps the secret BAI has (its requests fail anyway)."""
    while True:
        await asyncio.sleep(every)
        try:
            _, secret = await client.collection_secret()
        except StorageUnavailable:
            continue
        if secret != current:
            apply(secret)  # any secret PocketBase accepts is one BAI signs with
            logger.warning("PocketBase's token secret changed: earlier tokens are refused")
            current = secret
