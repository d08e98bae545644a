"""Fakes of our own ports, scripted by the tests."""

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.system.ids import SecretsIdGenerator
from bai.domain.apps import Apps
from bai.domain.entities import NewUserKeys
from bai.domain.errors import LoginCodeRejected, PhoneCodeRejected, StorageUnavailable
from bai.domain.values import LoginCode, PhoneCode, PhoneNumber, WeChatIdentity
from bai.ports.clock import Clock
from bai.ports.id_generator import IdGenerator
from bai.ports.wechat_gateway import WeChatGateway

# The app tests sign in to unless they say otherwise: the primary of `TEST_APPS`.
TEST_APP = "wxtestapp0000001"
SECOND_APP = "wxsecondapp00002"
TEST_APPS = Apps(TEST_APP, (SECOND_APP,))


class FakeWeChatGateway(WeChatGateway):
    """WeChat as a test scripts it. Unknown codes are refused, as WeChat refuses them, and so
    is a code used with another app than the one that minted it."""

    def __init__(self) -> None:
        self._logins: dict[str, tuple[str, WeChatIdentity] | Exception] = {}
        self._phones: dict[str, tuple[str, str, PhoneNumber] | Exception] = {}
        self.calls = 0
        self.apps_asked: list[str] = []

    def login_code(self, code: str, openid: str, unionid: str = "", *, app: str = TEST_APP) -> str:
        self._logins[code] = (app, WeChatIdentity(openid=openid, unionid=unionid))
        return code

    def phone_code(self, code: str, *, openid: str, phone: str, app: str = TEST_APP) -> str:
        self._phones[code] = (app, openid, PhoneNumber(phone))
        return code

    def failing_code(self, code: str, error: Exception) -> str:
        self._logins[code] = error
        self._phones[code] = error
        return code

    async def code_to_session(self, code: LoginCode, *, app: str = TEST_APP) -> WeChatIdentity:
        self.calls += 1
        self.apps_asked.append(app)
        outcome = self._logins.get(code.value, LoginCodeRejected())
        if isinstance(outcome, Exception):
            raise outcome
        minted_by, identity = outcome
        if minted_by != app:
            raise LoginCodeRejected
        return identity

    async def phone_number(
        self, code: PhoneCode, *, openid: str, app: str = TEST_APP
    ) -> PhoneNumber:
        self.calls += 1
        self.apps_asked.append(app)
        outcome = self._phones.get(code.value, PhoneCodeRejected())
        if isinstance(outcome, Exception):
            raise outcome
        minted_by, owner, phone = outcome
        if owner != openid or minted_by != app:
            raise PhoneCodeRejected
        return phone


class FixedClock(Clock):
    """A clock that moves only when told to."""

    def __init__(self, start: datetime = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class GatedWeChatGateway(FakeWeChatGateway):
    """WeChat whose phone-number answer waits while the test holds the gate closed, so the
    test can act while a profile update is in flight. The gate starts open; it is a thread
    event because the app may run on another thread's event loop (Litestar's test client)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = threading.Event()
        self.gate = threading.Event()
        self.gate.set()

    async def phone_number(
        self, code: PhoneCode, *, openid: str, app: str = TEST_APP
    ) -> PhoneNumber:
        self.asked.set()
        await asyncio.to_thread(self.gate.wait, 30)
        return await super().phone_number(code, openid=openid, app=app)


class RepeatingIdGenerator(IdGenerator):
    """Hands out `first` for the first `times` new users, then fresh keys: what a generator
    does when a drawn identifier is taken already."""

    def __init__(self, first: NewUserKeys, *, times: int) -> None:
        self._first = first
        self._left = times
        self._fresh = SecretsIdGenerator()

    def new_user_keys(self) -> NewUserKeys:
        if self._left > 0:
            self._left -= 1
            return self._first
        return self._fresh.new_user_keys()

    def new_token_key(self) -> str:
        return self._fresh.new_token_key()

    def new_record_id(self) -> str:
        return self._fresh.new_record_id()


class CountingStore(InMemoryUserRepository):
    """Counts its reads of the count and its pings. Each takes a moment, as a database's round
    trip does, and fails if the store was `down` when it began; `begun` is set once one has."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.pings = 0
        self.down = False
        self.begun = asyncio.Event()

    async def count(self) -> int:
        self.reads += 1
        failing, total = self.down, await super().count()
        await self._round_trip(failing)
        return total

    async def ping(self) -> None:
        self.pings += 1
        await self._round_trip(self.down)

    async def _round_trip(self, failing: bool) -> None:
        self.begun.set()
        await asyncio.sleep(0.01)
        if failing:
            raise StorageUnavailable
