import asyncio

from bai.ports.user_repository import UserRepository


class CountUsers:
    """The number of users in `tbl_auth_users`, for the public counter.

    - Every user counts, whatever their status.
    - The number is exact: it is read from the store after the request arrived, so a
      registration acknowledged by any process before that is counted.
    - Requests that arrive while no read has started yet share the next read; a request never
      gets a read that started before it arrived. Under load, one read serves a crowd.
    - The store keeps the count as users come and go, so a read costs the same at ten users as
      at ten million.
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._users = users
        self._next: asyncio.Future[int] | None = None
        self._reading = False
        self._reader: asyncio.Task[None] | None = None

    async def execute(self) -> int:
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
                    joined.set_result(await self._users.count())
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


def _observed(future: "asyncio.Future[int]") -> None:
    if not future.cancelled():
        future.exception()
