"""From settings to a configured container."""

import logging

from bai.adapters.pocketbase.client import collection_secret
from bai.adapters.pocketbase.secret_watch import CHECK_EVERY_SECONDS
from bai.adapters.tokens.pocketbase_jwt import POCKETBASE_MIN_SECRET_BYTES, secret_is_long_enough
from bai.domain.errors import StorageUnavailable
from bai.entrypoints.container import Container
from bai.entrypoints.settings import Settings

logger = logging.getLogger("bai")


def rate_limiter_kind(settings: Settings) -> str:
    if not settings.rate_limit:
        return "off"
    return "redis" if settings.redis_url else "memory"


def login_code_ledger_kind(settings: Settings) -> str:
    """Redis when configured (one round trip), with the database's as its fallback; otherwise
    the database's, which every process shares."""
    if settings.redis_url and settings.storage != "memory":
        return "redis"
    return "database"


def pocketbase_collection(url: str) -> tuple[str, str]:
    """The collection id and token secret of the PocketBase at `url`; `StorageUnavailable`
    (logged, saying why) when it cannot be read or is too short for BAI to sign with."""
    collection_id, secret = collection_secret(url)
    if not secret_is_long_enough(secret, POCKETBASE_MIN_SECRET_BYTES):
        reason = (
            f"PocketBase's tbl_auth_users token secret is shorter than"
            f" {POCKETBASE_MIN_SECRET_BYTES} bytes, which BAI requires: set a longer one in"
            " PocketBase (that signs everyone out)"
        )
        logger.error(reason)
        raise StorageUnavailable(reason)
    return collection_id, secret


def container_for(settings: Settings) -> Container:
    """Beside a live PocketBase, its collection id and token secret are read from it first (the
    tokens BAI issues must be PocketBase's own); `StorageUnavailable` when it cannot be."""
    collection_id, token_secret = settings.collection_id, settings.token_secret
    if settings.storage == "pocketbase":
        collection_id, token_secret = pocketbase_collection(settings.database_url)

    container = Container()
    container.config.from_dict(
        {
            "storage": settings.storage,
            "redis_url": settings.redis_url,
            "rate_limiter": rate_limiter_kind(settings),
            "login_code_ledger": login_code_ledger_kind(settings),
            "rate_limits": settings.rate_limits,
            "http_body_timeout": settings.http_body_timeout,
            "docs": settings.docs,
            "trusted_proxies": settings.trusted_proxies,
            "metrics_allow": settings.metrics_allow,
            "database_url": settings.database_url,
            "database_pool_size": settings.database_pool_size,
            "transaction_pooling": settings.database_pool_mode == "transaction",
            "wechat": {
                "mode": "sandbox" if settings.uses_sandbox_wechat else "api",
                "appid": settings.wechat_appid,
                "secret": settings.wechat_secret,
                "api_base": settings.wechat_api_base,
                "connect_timeout": settings.wechat_connect_timeout,
                "timeout": settings.wechat_timeout,
            },
            "token_secret": token_secret,
            "collection_id": collection_id,
            "token_ttl": settings.token_ttl,
            "secret_check_seconds": CHECK_EVERY_SECONDS,
        }
    )
    return container


async def close_connections(container: Container) -> None:
    """Close whatever the container opened: database pools, the WeChat client, Redis."""
    await container.postgres_pool().close()
    if (engine := container.engine()) is not None:
        await engine.dispose()
    await container.wechat_transport().aclose()
    if container.config.storage() == "pocketbase":
        await container.pocketbase().aclose()
    if (redis := container.redis()) is not None:
        await redis.aclose()
