"""`bai`: the command line, parsed, configured from the environment and handed to its command."""

import argparse
import logging
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from bai.entrypoints.cli.accounts import add_users_parser, run_account_command
from bai.entrypoints.cli.identities import add_identities_parser, run_identity_command
from bai.entrypoints.cli.import_pocketbase import run_import
from bai.entrypoints.cli.operators import add_operators_parser, run_operator_command
from bai.entrypoints.cli.serve import serve_or_migrate
from bai.entrypoints.cli.wechat import add_wechat_parser, run_wechat_command
from bai.entrypoints.config.database_urls import shown_storage
from bai.entrypoints.config.settings import Settings, SettingsError, load_settings
from bai.entrypoints.config.variable_docs import plain_text
from bai.entrypoints.observability.logs import configure_logging

logger = logging.getLogger("bai")


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
    add_identities_parser(commands)
    add_wechat_parser(commands)
    add_operators_parser(commands)
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


# The operators' commands on the server's storage, by name.
OPERATORS_COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "users": run_account_command,
    "identities": run_identity_command,
    "wechat": run_wechat_command,
    "operators": run_operator_command,
    "audit": run_operator_command,
}


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
    operators_command = OPERATORS_COMMANDS.get(args.command)
    if operators_command is not None:
        return operators_command(settings, args)
    if args.command == "import-pocketbase":
        return _import(settings, args)
    return serve_or_migrate(args.command, settings)
