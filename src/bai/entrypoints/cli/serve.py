"""`bai serve` and `bai migrate`: the API on a production ASGI server, and the migrations it
applies first."""

import logging
import sys
from importlib.metadata import version

from granian import Granian
from granian.constants import HTTPModes, Interfaces, Loops
from granian.http import HTTP1Settings
from granian.log import LogLevels

from bai.adapters.redis.client import why_no_answer
from bai.adapters.storage import Signing, Storage
from bai.entrypoints.cli.storage_failures import STORAGE_FAILURES, storage_failure
from bai.entrypoints.config.settings import Settings
from bai.entrypoints.observability.logs import SERVER_LOGGING
from bai.entrypoints.observability.tracing import why_no_tracing
from bai.entrypoints.serving.listening import bind_address, why_not_listen
from bai.entrypoints.serving.workers import prepare_workers
from bai.entrypoints.signing import signing_of
from bai.entrypoints.wiring import storage_of

logger = logging.getLogger("bai")
NO_SIGNING = Signing("", "")
SANDBOX_WARNING = (
    "WeChat SANDBOX: BAI_WECHAT_APPID is not set, so logins use the built-in fake WeChat "
    "(see README). Never expose this server to real users."
)
REDIS_WARNING = (
    "BAI_REDIS_URL did not answer a PING (%s): until it does, each process counts rate limits"
    " alone and login codes are shared through the database"
)


def _migrate(settings: Settings) -> Storage:
    storage = storage_of(settings)
    signing_of(storage, configured=NO_SIGNING)  # one that keeps its own answers, usably
    logger.info("%s", storage.migrate())
    return storage


def _redis(settings: Settings) -> str:
    """What the start-up line says of Redis: `off`, `on` (a PING answered) or `unanswered`
    (then BAI serves on without it, as README's Scaling out says, and warns)."""
    if not settings.redis_url:
        return "off"
    if (why := why_no_answer(settings.redis_url)) is None:
        return "on"
    logger.warning(REDIS_WARNING, why)
    return "unanswered"


def _serve(settings: Settings) -> None:
    storage = _migrate(settings)
    if settings.uses_sandbox_wechat:
        logger.warning(SANDBOX_WARNING)
    redis = _redis(settings)
    logger.info(
        "serving on http://%s:%s with %s worker(s)",
        settings.host,
        settings.port,
        settings.workers,
        extra={  # what is running, for whoever reads the log first (never a password)
            "version": version("bai"),
            "storage": storage.name,
            "database": storage.describe(),
            "wechat": "sandbox" if settings.uses_sandbox_wechat else "api",
            "apps": [app.appid for app in settings.wechat_apps.apps],  # the primary first
            "workers": settings.workers,
            "redis": redis,
        },
    )
    prepare_workers()
    Granian(
        target="bai.entrypoints.asgi:app",
        address=bind_address(settings.host, settings.port),
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        loop=Loops.uvloop,
        log_access=False,
        log_dictconfig=SERVER_LOGGING,
        log_level=LogLevels(settings.log_level),
        # HTTP/1.1 only (nginx speaks it to its upstreams): in auto mode a connection that
        # never sends a byte is never timed out, since the protocol is not known yet.
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.http_idle_timeout * 1000)),
    ).serve()


def serve_or_migrate(command: str, settings: Settings) -> int:
    if command == "serve" and (
        reason := why_no_tracing() or why_not_listen(settings.host, settings.port)
    ):
        print(f"bai: {reason}", file=sys.stderr)
        return 2
    try:
        {"serve": _serve, "migrate": _migrate}[command](settings)
    except STORAGE_FAILURES as exc:
        status, line = storage_failure("bai", settings, exc, migrating=True)
        print(line, file=sys.stderr)
        return status
    return 0
