"""`bai serve`: the API on a production ASGI server."""

import argparse
import logging
import sys
from importlib.metadata import version
from pathlib import Path

from granian import Granian
from granian.constants import HTTPModes, Interfaces, Loops
from granian.http import HTTP1Settings
from granian.log import LogLevels

from bai.adapters.redis.client import why_no_answer
from bai.adapters.storage import Signing
from bai.entrypoints.cli.accounts import add_users_parser, run_account_command
from bai.entrypoints.cli.import_pocketbase import run_import
from bai.entrypoints.cli.storage_failures import STORAGE_FAILURES, storage_failure
from bai.entrypoints.config.settings import Settings, SettingsError, load_settings, shown_storage
from bai.entrypoints.config.variables import plain_text
from bai.entrypoints.observability.logs import SERVER_LOGGING, configure_logging
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


def _migrate(settings: Settings) -> None:
    storage = storage_of(settings)
    signing_of(storage, configured=NO_SIGNING)  # one that keeps its own answers, usably
    logger.info("%s", storage.migrate())


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
    _migrate(settings)
    storage = storage_of(settings)
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bai", description="WeChat sign-in backend")
    parser.add_argument("--version", action="version", version=f"bai {version('bai')}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve",
        help="apply pending migrations, then serve the HTTP API",
        description="Apply pending migrations, then serve the HTTP API. Configured by"
        " environment variables:",
        epilog=plain_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands.add_parser(
        "migrate",
        help="apply pending database migrations and exit",
        description="Apply pending migrations to the database of BAI_MIGRATION_DATABASE_URL (or"
        " BAI_DATABASE_URL), making a SQLite file, and its folder, if there is none; beside"
        " PocketBase, check that it answers. The storage used is named on stderr first.",
    )
    add_users_parser(commands)
    move = commands.add_parser(
        "import-pocketbase",
        help="copy tbl_auth_users and tbl_company from a PocketBase data directory",
        description="Copy every tbl_auth_users and tbl_company record of a PocketBase data"
        " directory into the database of BAI_DATABASE_URL, keeping ids, token keys, fields and"
        " times; write the collection's token secret to --secret-file (mode 600, never"
        " printed). Running it again changes nothing already copied.",
    )
    move.add_argument("--data-dir", type=Path, required=True, help="PocketBase's pb_data")
    move.add_argument(
        "--secret-file", type=Path, required=True, help="where to keep the token secret"
    )
    return parser


def _import(settings: Settings, args: argparse.Namespace) -> int:
    status, text = run_import(settings, args.data_dir, args.secret_file)
    print(text, file=sys.stdout if status == 0 else sys.stderr)
    return status


def _serve_or_migrate(command: str, settings: Settings) -> int:
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # The server's lines go to stdout for the log shipper; the operators' commands keep stdout
    # for what they print (`bai users list | jq`).
    lines = sys.stdout if args.command == "serve" else sys.stderr
    configure_logging(stream=lines)
    try:
        settings = load_settings(signs_tokens=args.command == "serve")
    except SettingsError as exc:
        print(f"bai: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, lines)
    for warning in settings.warnings:
        logger.warning("%s", warning)
    if args.command != "serve":  # operators' commands say which store they work on
        used = (
            settings.migration_database_url if args.command == "migrate" else settings.database_url
        )
        print(f"bai: storage: {shown_storage(used)}", file=sys.stderr)
    if args.command == "users":
        return run_account_command(settings, args)
    if args.command == "import-pocketbase":
        return _import(settings, args)
    return _serve_or_migrate(args.command, settings)
