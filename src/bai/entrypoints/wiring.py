"""From settings to a configured container."""

from datetime import timedelta

from bai.adapters.backends import backend_of, storage_for
from bai.adapters.storage import Signing, Storage, StorageOptions
from bai.adapters.system.clock import SystemClock
from bai.entrypoints.config.settings import Settings
from bai.entrypoints.container import Container


def rate_limiter_kind(settings: Settings) -> str:
    if not settings.rate_limit:
        return "off"
    return "redis" if settings.redis_url else "memory"


def login_code_ledger_kind(settings: Settings) -> str:
    """Redis when configured (one round trip), with the database's as its fallback; otherwise
    the database's, which every process shares."""
    if settings.redis_url and backend_of(settings.database_url).shared_by_processes:
        return "redis"
    return "database"


def storage_options(settings: Settings) -> StorageOptions:
    return StorageOptions(
        url=settings.database_url,
        migration_url=settings.migration_database_url,
        pool_size=settings.database_pool_size,
        transaction_pooling=settings.database_pool_mode == "transaction",
        primary_appid=settings.wechat_apps.primary.appid,
        session_max_age_seconds=settings.session_max_age,
    )


def storage_of(settings: Settings) -> Storage:
    """The storage alone, for commands that use nothing else (`bai migrate`)."""
    return storage_for(storage_options(settings), clock=SystemClock())


def container_for(settings: Settings) -> Container:
    """The container for `settings`; nothing is opened or read until a provider is asked (a
    storage that keeps its own token secret is read when the tokens are first needed)."""
    container = Container(settings=settings)
    container.config.from_dict(
        {
            "storage": storage_options(settings),
            "redis_url": settings.redis_url,
            "rate_limiter": rate_limiter_kind(settings),
            "shared_counters": "redis" if settings.redis_url else "memory",
            "login_code_ledger": login_code_ledger_kind(settings),
            "wechat": {
                "mode": "sandbox" if settings.uses_sandbox_wechat else "api",
                "apps": settings.wechat_apps.core,
                "primary": settings.wechat_apps.primary.appid,
                "several": len(settings.wechat_apps.apps) > 1,
                "secrets": settings.wechat_apps.secrets,
                "record_keys": settings.wechat_apps.record_keys,
                "api_base": settings.wechat_api_base,
                "connect_timeout": settings.wechat_connect_timeout,
                "timeout": settings.wechat_timeout,
            },
            "signing": Signing(settings.collection_id, settings.token_secret),
            "token_ttl": settings.token_ttl,
            "session_policy": settings.session_policy,
            "push_event_retention": timedelta(seconds=settings.push_event_retention),
        }
    )
    return container
