"""From settings to a configured container."""

from bai.entrypoints.container import Container
from bai.entrypoints.settings import Settings


def container_for(settings: Settings) -> Container:
    container = Container()
    container.config.from_dict(
        {
            "storage": settings.storage,
            "database_url": settings.database_url,
            "users_count_max_age": settings.users_count_max_age,
            "wechat": {
                "mode": "sandbox" if settings.uses_sandbox_wechat else "api",
                "appid": settings.wechat_appid,
                "secret": settings.wechat_secret,
                "api_base": settings.wechat_api_base,
                "connect_timeout": settings.wechat_connect_timeout,
                "timeout": settings.wechat_timeout,
            },
            "token_secret": settings.token_secret,
            "collection_id": settings.collection_id,
            "token_ttl": settings.token_ttl,
        }
    )
    return container
