"""The operators' actions on an account, by the name both the CLI (`bai users ACTION`) and the
console's user page give them, each to its use case: one table, so the two never drift."""

from typing import Final

from dependency_injector import providers

from bai.domain.use_cases.account_actions import AccountAction
from bai.entrypoints.use_cases import UseCases

ACCOUNT_ACTIONS: Final = {
    "disable": "disable_user",
    "enable": "enable_user",
    "revoke": "revoke_sessions",
    "delete": "delete_user",
}


def account_actions(use_cases: providers.Container[UseCases]) -> dict[str, AccountAction]:
    """Each action's use case, as `use_cases` provides it."""
    return {action: getattr(use_cases, name)() for action, name in ACCOUNT_ACTIONS.items()}
