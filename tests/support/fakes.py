"""Fakes of our own ports, scripted by the tests."""

from datetime import UTC, datetime, timedelta

from bai.domain.errors import LoginCodeRejected, PhoneCodeRejected
from bai.domain.values import LoginCode, PhoneCode, PhoneNumber, WeChatIdentity
from bai.ports.clock import Clock
from bai.ports.wechat_gateway import WeChatGateway


class FakeWeChatGateway(WeChatGateway):
    """WeChat as a test scripts it. Unknown codes are refused, as WeChat refuses them."""

    def __init__(self) -> None:
        self._logins: dict[str, WeChatIdentity | Exception] = {}
        self._phones: dict[str, tuple[str, PhoneNumber] | Exception] = {}
        self.calls = 0

    def login_code(self, code: str, openid: str, unionid: str = "") -> str:
        self._logins[code] = WeChatIdentity(openid=openid, unionid=unionid)
        return code

    def phone_code(self, code: str, *, openid: str, phone: str) -> str:
        self._phones[code] = (openid, PhoneNumber(phone))
        return code

    def failing_code(self, code: str, error: Exception) -> str:
        self._logins[code] = error
        self._phones[code] = error
        return code

    async def code_to_session(self, code: LoginCode) -> WeChatIdentity:
        self.calls += 1
        outcome = self._logins.get(code.value, LoginCodeRejected())
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def phone_number(self, code: PhoneCode, *, openid: str) -> PhoneNumber:
        self.calls += 1
        outcome = self._phones.get(code.value, PhoneCodeRejected())
        if isinstance(outcome, Exception):
            raise outcome
        owner, phone = outcome
        if owner != openid:
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
