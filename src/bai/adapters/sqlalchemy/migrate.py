"""Schema migrations with alembic, shipped inside the package."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from .engine import make_sqlite_folder

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> list[str]:
    """Apply pending migrations, to a SQLite file made where the URL says if there is none;
    the revisions applied, in order (none when the schema was up to date). Blocking: call it
    before serving, or from a thread."""
    make_sqlite_folder(url)
    config = _config(url)
    command.upgrade(config, revision)
    applied: list[str] = config.attributes.get("applied", [])
    return applied


def downgrade(url: str, revision: str) -> None:
    command.downgrade(_config(url), revision)


def migrated(url: str) -> str:
    """Apply pending migrations (`upgrade`); what was done, for the log."""
    if applied := upgrade(url):
        return f"applied migrations {', '.join(applied)}: the schema is up to date"
    return "no migration to apply: the schema was up to date"
