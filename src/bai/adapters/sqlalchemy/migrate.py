"""Schema migrations with alembic, shipped inside the package."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from .engine import make_sqlite_folder

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(url: str, primary_appid: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    config.attributes["primary_appid"] = primary_appid
    return config


def upgrade(url: str, revision: str = "head", *, primary_appid: str = "") -> list[str]:
    """Apply pending migrations, to a SQLite file made where the URL says if there is none;
    the revisions applied, in order (none when the schema was up to date). Blocking: call it
    before serving, or from a thread. `primary_appid`: the app whose identities migration
    0004 gives the existing users (none without it: they are given one at their next
    sign-in). Raises `MigrationRefused` when the data stops a migration."""
    make_sqlite_folder(url)
    config = _config(url, primary_appid)
    command.upgrade(config, revision)
    applied: list[str] = config.attributes.get("applied", [])
    return applied


def downgrade(url: str, revision: str) -> None:
    command.downgrade(_config(url), revision)


def migrated(url: str, *, primary_appid: str = "") -> str:
    """Apply pending migrations (`upgrade`); what was done, for the log."""
    if applied := upgrade(url, primary_appid=primary_appid):
        return f"applied migrations {', '.join(applied)}: the schema is up to date"
    return "no migration to apply: the schema was up to date"
