"""One storage failure, one line on stderr, whatever the command and the backend: which setting,
the database it names (never its password) and what went wrong in the driver's words; a
database without BAI's tables is told to run `bai migrate`, and a migration that its data
stops says what to change."""

from sqlalchemy.exc import SQLAlchemyError

from bai.adapters.rows.outages import driver_reason, lacks_tables
from bai.adapters.storage import MigrationRefused
from bai.domain.errors import StorageNotMigrated, StorageUnavailable
from bai.entrypoints.config.database_urls import shown_storage
from bai.entrypoints.config.settings import Settings

# What a command may meet on its storage: the domain's error, or, from alembic, the driver's.
STORAGE_FAILURES = (StorageUnavailable, MigrationRefused, SQLAlchemyError, OSError)
UNREACHABLE, NOT_MIGRATED = 1, 2


def _reason(exc: BaseException) -> str:
    if isinstance(exc, StorageUnavailable):
        if exc.reason:
            return exc.reason
        return driver_reason(exc.__cause__) if exc.__cause__ else "no reason given"
    return driver_reason(exc)


def storage_failure(
    command: str, settings: Settings, exc: BaseException, *, migrating: bool = False
) -> tuple[int, str]:
    """The exit status, and the line to print, for `exc` (one of STORAGE_FAILURES) that
    `command` (`bai`, `bai users`, ...) met on BAI_DATABASE_URL's storage or, `migrating`,
    on BAI_MIGRATION_DATABASE_URL's."""
    url = settings.migration_database_url if migrating else settings.database_url
    name = "BAI_DATABASE_URL" if url == settings.database_url else "BAI_MIGRATION_DATABASE_URL"
    where = f"{name} ({shown_storage(url)})"
    if isinstance(exc, MigrationRefused):
        return NOT_MIGRATED, f"{command}: {where} cannot be migrated: {exc}"
    if isinstance(exc, StorageNotMigrated) or lacks_tables(exc):
        return NOT_MIGRATED, f"{command}: {where} has none of BAI's tables: run `bai migrate`"
    return UNREACHABLE, f"{command}: {where} cannot be reached or used: {_reason(exc)}"
