"""`bai users ...`: operators' account commands, on the same storage the server uses."""

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from bai.domain.entities import User
from bai.domain.errors import BaiError, StorageUnavailable
from bai.domain.use_cases.account_actions import AccountAction
from bai.entrypoints.container import Container
from bai.entrypoints.http.presenters import UserPresenter
from bai.entrypoints.settings import Settings
from bai.entrypoints.wiring import close_connections, container_for

STORAGE_UNAVAILABLE = "the storage in BAI_DATABASE_URL cannot be reached or refused BAI (see above)"
# Each action: the container's use case for it, and what is printed when it is done.
USE_CASES: dict[str, tuple[Callable[[Container], AccountAction], str]] = {
    "disable": (lambda container: container.disable_user(), "disabled"),
    "enable": (lambda container: container.enable_user(), "enabled"),
    "revoke": (lambda container: container.revoke_sessions(), "revoked every token of"),
    "delete": (lambda container: container.delete_user(), "deleted"),
}
ACTIONS = ["show", *USE_CASES]


def _missing_sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file the settings name, when it does not exist: an operator in another
    directory than the server's would otherwise get a new, empty database."""
    if settings.storage != "sqlite":
        return None
    path = Path(make_url(settings.database_url).database or "")
    return None if path.exists() else path.resolve()


def _show(user: User, present: UserPresenter) -> str:
    info = present(user)
    shown = {field: getattr(info, field) for field in info.__struct_fields__}

    shown["users_phone"] = shown.pop("users_phone_masked")
    return json.dumps(shown, ensure_ascii=False, indent=2)


async def _run(settings: Settings, action: str, reference: str) -> str:
    container = container_for(settings)
    try:
        if action == "show":
            return _show(await container.find_user().execute(reference), container.present_user())
        use_case, done = USE_CASES[action]
        await use_case(container).execute(reference)
        return f"{done} user {reference}"
    finally:
        await close_connections(container)


def run_account_command(settings: Settings, action: str, reference: str) -> tuple[int, str]:
    """Exit status and the text to print."""
    if settings.storage == "memory":
        return 2, "bai users needs BAI_DATABASE_URL: memory:// lives inside the server process"
    if (missing := _missing_sqlite_file(settings)) is not None:
        return 2, (
            f"bai users: no database at {missing}; set BAI_DATA_DIR (or BAI_DATABASE_URL) as the"
            " server has it"
        )
    try:
        return 0, asyncio.run(_run(settings, action, reference))
    except StorageUnavailable:
        return 1, f"bai users: {STORAGE_UNAVAILABLE}"
    except BaiError as exc:
        return 1, f"{type(exc).__name__}: {reference}"
