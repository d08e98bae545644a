"""From settings to a configured container."""

from bai.entrypoints.container import Container
from bai.entrypoints.settings import Settings


def container_for(settings: Settings) -> Container:
    container = Container()
    container.config.from_dict(
        {
            "storage": settings.storage,
            "wechat_mode": "sandbox" if settings.uses_sandbox_wechat else "api",
            "token_secret": settings.token_secret,
            "collection_id": settings.collection_id,
            "token_ttl": settings.token_ttl,
        }
    )
    return container
