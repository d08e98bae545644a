"""What BAI signs tokens with: the settings' collection id and secret, or those a backend keeps
itself (beside a live PocketBase, PocketBase's own: the tokens BAI issues must be its own)."""

import logging

from bai.adapters.storage import Signing, Storage
from bai.adapters.tokens.pocketbase_jwt import POCKETBASE_MIN_SECRET_BYTES, secret_is_long_enough
from bai.domain.errors import StorageUnavailable

logger = logging.getLogger("bai")


def signing_of(storage: Storage, *, configured: Signing) -> Signing:
    """`configured`, unless `storage` keeps its own; `StorageUnavailable` (logged, saying why)
    when that cannot be read or is too short for BAI to sign with."""
    own = storage.own_signing()
    if own is None:
        return configured
    if not secret_is_long_enough(own.secret, POCKETBASE_MIN_SECRET_BYTES):
        reason = (
            f"PocketBase's tbl_auth_users token secret is shorter than"
            f" {POCKETBASE_MIN_SECRET_BYTES} bytes, which BAI requires: set a longer one in"
            " PocketBase (that signs everyone out)"
        )
        logger.error(reason)
        raise StorageUnavailable(reason)
    return own
