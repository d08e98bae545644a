"""One read shared by the callers that ask for it together (see docs/performance.md).

`SharedRead(read)` is awaited instead of `read()`: callers that arrive while no read has started
yet share the next read and its outcome, and a caller never gets a read that started before it
arrived, so what it is told is as fresh as if it had read alone. Under load, one read serves a
crowd, and at most one read is under way at a time."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedRead(Generic[T]):
    def __init__(self, read: Callable[[], Awaitable[T]]) -> None:
        self._read = read
        self._next: asyncio.Future[T] | None = None
        self._reading = False
        self._reader: asyncio.Task[None] | None = None

    async def __call__(self) -> T:
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            self._next.add_done_callback(_observed)
            if not self._reading:
                self._reading = True
                asyncio.get_running_loop().call_soon(self._start)
        return await asyncio.shield(self._next)

    def _start(self) -> None:
        self._reader = asyncio.ensure_future(self._read_while_asked())

    async def _read_while_asked(self) -> None:
        try:
            while (joined := self._next) is not None:
                self._next = None
                try:
                    joined.set_result(await self._read())
                except Exception as exc:  # every caller of this read gets its failure
                    joined.set_exception(exc)
                except BaseException:  # the reader itself was stopped: so are its callers
                    joined.cancel()
                    raise
        finally:
            self._reading = False
            if self._next is not None:  # callers that came meanwhile get a reader of their own
                self._reading = True
                asyncio.get_running_loop().call_soon(self._start)


def _observed(future: "asyncio.Future[T]") -> None:
    if not future.cancelled():
        future.exception()
