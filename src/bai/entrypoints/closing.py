"""Closing what the container opened, as `providers.Resource`s."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from dependency_injector.containers import Container

Close = Callable[[], Awaitable[object]]


class AsyncClosable(Protocol):
    async def aclose(self) -> None: ...


def aclose_of(thing: AsyncClosable | None) -> Close | None:
    """How to close `thing`; None when there is none (Redis not configured)."""
    return thing.aclose if thing is not None else None


async def closed_at_exit(close: Close | None) -> AsyncIterator[None]:
    """A resource that holds nothing new and calls `close` at `shutdown_resources()`."""
    yield
    if close is not None:
        await close()


async def opened(container: Container) -> None:
    """`init_resources()`, so that `closed` closes them."""
    if (pending := container.init_resources()) is not None:
        await pending


async def closed(container: Container) -> None:
    if (pending := container.shutdown_resources()) is not None:
        await pending
