"""`bai import-pocketbase`: a PocketBase deployment's accounts moved into BAI's database, with
nobody logged out (SPEC, PocketBase)."""

import asyncio
import logging
import sys
from pathlib import Path

from tqdm import tqdm

from bai.adapters.pocketbase.data_dir import PocketBaseDataDir
from bai.adapters.storage import StoreNotOffered
from bai.adapters.tokens.pocketbase_jwt import MIN_SECRET_BYTES, secret_is_long_enough
from bai.domain.use_cases.import_accounts import ImportAccounts, ImportReport, Tally
from bai.entrypoints.cli.storage_failures import STORAGE_FAILURES, storage_failure
from bai.entrypoints.closing import closed, opened
from bai.entrypoints.config.secret_file import TokenSecretError, write_token_secret
from bai.entrypoints.config.settings import Settings
from bai.entrypoints.wiring import container_for, storage_of
from bai.ports.account_import import AccountSource, UnusableSource

SHOWN_REFUSALS = 20
logger = logging.getLogger("bai")


async def _copy(settings: Settings, source: AccountSource) -> ImportReport:
    container = container_for(settings)
    await opened(container)
    try:
        with tqdm(total=source.user_total(), unit=" users", file=sys.stderr, disable=None) as bar:
            import_accounts: ImportAccounts = container.use_cases.import_accounts()
            return await import_accounts.execute(source, progress=bar.update)
    finally:
        await closed(container)


def _tally(name: str, tally: Tally) -> str:
    return (
        f"{name}: {tally.added} added, {tally.present} already there, {len(tally.refused)} refused"
    )


def _summary(report: ImportReport, secret_file: Path) -> str:
    lines = [
        f"BAI_COLLECTION_ID={report.collection_id}",
        f"BAI_TOKEN_SECRET_FILE={secret_file}",
        _tally("companies", report.companies),
        _tally("users", report.users),
        _tally("identities", report.identities),
        _tally("sessions", report.sessions),
    ]
    refused = (
        report.companies.refused
        + report.users.refused
        + report.identities.refused
        + report.sessions.refused
    )
    lines += [f"refused {one.record_id}: {one.reason}" for one in refused[:SHOWN_REFUSALS]]
    if len(refused) > SHOWN_REFUSALS:
        lines.append(f"... and {len(refused) - SHOWN_REFUSALS} more refused")
    return "\n".join(lines)


def run_import(settings: Settings, data_dir: Path, secret_file: Path) -> tuple[int, str]:
    """Exit status and the text to print. The secret goes to `secret_file` only."""
    storage = storage_of(settings)
    try:
        storage.accounts()
    except StoreNotOffered:
        return 2, "bai import-pocketbase needs BAI_DATABASE_URL of PostgreSQL or SQLite"
    try:
        source = PocketBaseDataDir(data_dir)
        secret = source.token_secret()
        if not secret_is_long_enough(secret):
            return 2, (
                f"bai import-pocketbase: the collection's token secret is shorter than"
                f" {MIN_SECRET_BYTES} bytes, which BAI requires; set a longer one in PocketBase"
                " first (that signs everyone out)"
            )
        if warning := write_token_secret(secret_file, secret, production=settings.is_production):
            logger.warning("--secret-file %s", warning)
    except (UnusableSource, TokenSecretError) as exc:
        return 2, f"bai import-pocketbase: {exc}"
    try:
        storage.migrate()
    except STORAGE_FAILURES as exc:
        return storage_failure("bai import-pocketbase", settings, exc, migrating=True)
    try:
        report = asyncio.run(_copy(settings, source))
    except STORAGE_FAILURES as exc:
        return storage_failure("bai import-pocketbase", settings, exc)
    refused = (
        report.companies.refused
        or report.users.refused
        or report.identities.refused
        or report.sessions.refused
    )
    return (1 if refused else 0), _summary(report, secret_file)
