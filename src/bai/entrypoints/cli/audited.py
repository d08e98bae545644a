"""What an operator's command records in the audit trail: who ran it (`cli:<unix user>`), what,
on whom. Each command records its action once it succeeded."""

import getpass
import os

from dependency_injector import providers

from bai.domain.use_cases.operator_accounts import Actor
from bai.entrypoints.use_cases import UseCases


def cli_actor() -> Actor:
    """The Unix user running the command (its uid where the system names none)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid())
    return Actor(f"cli:{name}")


async def audited(
    use_cases: providers.Container[UseCases], action: str, target: str, detail: str = ""
) -> None:
    await use_cases.audit_log().record(cli_actor(), action, target, detail)
