"""How an operator's command runs on the server's storage: refused (exit 2) where the storage
lives inside the server, the container opened and closed around the action, a storage that
cannot be reached said in one line."""

import asyncio
from collections.abc import Awaitable, Callable

from dependency_injector import providers

from bai.entrypoints.cli.answers import printed
from bai.entrypoints.cli.storage_failures import STORAGE_FAILURES, storage_failure
from bai.entrypoints.closing import closed, opened
from bai.entrypoints.config.settings import Settings
from bai.entrypoints.use_cases import UseCases
from bai.entrypoints.wiring import container_for, storage_of

Built = providers.Container[UseCases]
# What an action gives: the exit status, what to print on stdout, and on stderr.
Action = Callable[[Built], Awaitable[tuple[int, str, str]]]


def run_on_storage(command: str, settings: Settings, act: Action) -> int:
    """Print what `act` gives (stdout) or why it failed (stderr); the exit status."""
    if (refused := storage_of(settings).outside_the_server(command)) is not None:
        return printed("", refused, 2)

    async def run() -> tuple[int, str, str]:
        container = container_for(settings)
        await opened(container)
        try:
            return await act(container.use_cases)
        finally:
            await closed(container)

    try:
        status, out, err = asyncio.run(run())
    except STORAGE_FAILURES as exc:
        status, line = storage_failure(command, settings, exc)
        return printed("", line, status)
    return printed(out, err, status)
