import asyncio
import hashlib

import pytest

from bai.adapters.memory.login_code_ledger import InMemoryLoginCodeLedger
from bai.domain.code_exchange import LoginCodeExchange, code_key
from bai.domain.errors import (
    LoginCodeRejected,
    StorageUnavailable,
    WeChatMisconfigured,
    WeChatQuotaExceeded,
    WeChatUnavailable,
    WeChatUnreachable,
)
from bai.domain.values import LoginCode, WeChatIdentity
from bai.ports.login_code_ledger import CodeAnswer
from tests.support.fakes import SECOND_APP, TEST_APP, FakeWeChatGateway, FixedClock


class SlowWeChat(FakeWeChatGateway):
    """Answers a moment later, so requests pile up behind the first; `asked` is set once it
    has been asked."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = asyncio.Event()

    async def code_to_session(self, code: LoginCode, *, app: str = TEST_APP) -> WeChatIdentity:
        self.asked.set()
        await asyncio.sleep(0.01)
        return await super().code_to_session(code, app=app)


@pytest.fixture
def wechat() -> SlowWeChat:
    return SlowWeChat()


@pytest.fixture
def ledger(clock: FixedClock) -> InMemoryLoginCodeLedger:
    return InMemoryLoginCodeLedger(clock=clock)


@pytest.fixture
def exchange(wechat: SlowWeChat, ledger: InMemoryLoginCodeLedger) -> LoginCodeExchange:
    return LoginCodeExchange(wechat=wechat, ledger=ledger)


async def test_requests_with_one_code_share_one_exchange(
    exchange: LoginCodeExchange, wechat: SlowWeChat
) -> None:
    code = LoginCode(wechat.login_code("c", openid="o", unionid="u"))

    identities = await asyncio.gather(*(exchange.identity(code, app=TEST_APP) for _ in range(20)))

    assert set(identities) == {WeChatIdentity(openid="o", unionid="u")}
    assert wechat.calls == 1


async def test_a_repeat_a_moment_later_gets_the_same_answer_without_asking_again(
    exchange: LoginCodeExchange, wechat: SlowWeChat
) -> None:
    code = LoginCode(wechat.login_code("c", openid="o"))

    first, again = (
        await exchange.identity(code, app=TEST_APP),
        await exchange.identity(code, app=TEST_APP),
    )

    assert first == again
    assert wechat.calls == 1


async def test_a_refused_code_is_refused_for_everyone_who_brings_it(
    exchange: LoginCodeExchange, wechat: SlowWeChat
) -> None:
    outcomes = await asyncio.gather(
        *(exchange.identity(LoginCode("stale"), app=TEST_APP) for _ in range(5)),
        return_exceptions=True,
    )
    again = await asyncio.gather(
        exchange.identity(LoginCode("stale"), app=TEST_APP), return_exceptions=True
    )

    assert all(isinstance(outcome, LoginCodeRejected) for outcome in [*outcomes, *again])
    assert wechat.calls == 1


async def test_an_exchange_that_got_no_answer_keeps_nothing(
    exchange: LoginCodeExchange, wechat: SlowWeChat
) -> None:
    wechat.failing_code("c", WeChatUnreachable())
    with pytest.raises(WeChatUnreachable):
        await exchange.identity(LoginCode("c"), app=TEST_APP)

    wechat.login_code("c", openid="o")

    assert await exchange.identity(LoginCode("c"), app=TEST_APP) == WeChatIdentity(openid="o")
    assert wechat.calls == 2


ANSWERED_FAILURES = [WeChatUnavailable, WeChatMisconfigured, WeChatQuotaExceeded, LoginCodeRejected]


@pytest.mark.parametrize("failure", ANSWERED_FAILURES)
async def test_whatever_wechat_answered_is_the_answer_for_that_code_without_asking_again(
    exchange: LoginCodeExchange, wechat: SlowWeChat, failure: type[Exception]
) -> None:
    wechat.failing_code("c", failure())
    outcomes = await asyncio.gather(
        *(exchange.identity(LoginCode("c"), app=TEST_APP) for _ in range(5)), return_exceptions=True
    )
    wechat.login_code("c", openid="o")

    again = await asyncio.gather(
        exchange.identity(LoginCode("c"), app=TEST_APP), return_exceptions=True
    )

    assert [type(outcome) for outcome in [*outcomes, *again]] == [failure] * 6
    assert wechat.calls == 1


class BrokenWeChat(SlowWeChat):
    """A gateway that breaks its port's promise and lets something of its own escape."""

    async def code_to_session(self, code: LoginCode, *, app: str = TEST_APP) -> WeChatIdentity:
        await super().code_to_session(code, app=app)
        raise RecursionError


async def test_an_answer_the_gateway_chokes_on_is_an_outage_for_that_code_without_asking_again(
    ledger: InMemoryLoginCodeLedger,
) -> None:
    wechat = BrokenWeChat()
    exchange = LoginCodeExchange(wechat=wechat, ledger=ledger)
    code = LoginCode(wechat.login_code("c", openid="o"))
    with pytest.raises(RecursionError):
        await exchange.identity(code, app=TEST_APP)

    with pytest.raises(WeChatUnavailable):
        await exchange.identity(code, app=TEST_APP)
    assert wechat.calls == 1


async def test_a_cancelled_exchange_lets_the_next_request_ask(
    exchange: LoginCodeExchange, wechat: SlowWeChat
) -> None:
    code = LoginCode(wechat.login_code("c", openid="o"))
    first = asyncio.ensure_future(exchange.identity(code, app=TEST_APP))
    await wechat.asked.wait()
    first.cancel()

    assert await asyncio.wait_for(exchange.identity(code, app=TEST_APP), 1) == WeChatIdentity(
        openid="o"
    )


async def test_the_ledger_knows_codes_only_by_their_hash(
    exchange: LoginCodeExchange, wechat: SlowWeChat, ledger: InMemoryLoginCodeLedger
) -> None:
    code = LoginCode(wechat.login_code("the-code", openid="o"))

    await exchange.identity(code, app=TEST_APP)

    claim = await ledger.claim(code_key(code, TEST_APP))
    assert claim.answer is not None
    assert claim.answer.identity == WeChatIdentity(openid="o")
    assert code_key(code, TEST_APP) == hashlib.sha256(f"{TEST_APP}\nthe-code".encode()).hexdigest()


class FailingLedger(InMemoryLoginCodeLedger):
    """A ledger whose store goes away after the claim."""

    async def settle(self, key: str, answer: CodeAnswer, *, keep_seconds: int) -> None:
        raise StorageUnavailable


async def test_an_answer_that_cannot_be_recorded_still_signs_the_caller_in(
    wechat: SlowWeChat,
) -> None:
    exchange = LoginCodeExchange(wechat=wechat, ledger=FailingLedger(clock=FixedClock()))

    identity = await exchange.identity(LoginCode(wechat.login_code("c", openid="o")), app=TEST_APP)

    assert identity == WeChatIdentity(openid="o")


class SlowToRecordLedger(InMemoryLoginCodeLedger):
    """Records an answer only once the test lets it (`may_record`), as a database takes its
    time; `recording` is set once it has begun."""

    def __init__(self) -> None:
        super().__init__(clock=FixedClock())
        self.recording = asyncio.Event()
        self.may_record = asyncio.Event()

    async def settle(self, key: str, answer: CodeAnswer, *, keep_seconds: int) -> None:
        self.recording.set()
        await self.may_record.wait()
        await super().settle(key, answer, keep_seconds=keep_seconds)


async def test_the_answer_is_recorded_even_when_its_asker_gives_up(wechat: SlowWeChat) -> None:
    ledger = SlowToRecordLedger()
    exchange = LoginCodeExchange(wechat=wechat, ledger=ledger)
    code = LoginCode(wechat.login_code("c", openid="o"))
    asker = asyncio.ensure_future(exchange.identity(code, app=TEST_APP))
    await wechat.asked.wait()
    follower = asyncio.ensure_future(exchange.identity(code, app=TEST_APP))
    await ledger.recording.wait()  # WeChat has answered; the answer is being recorded
    asker.cancel()
    ledger.may_record.set()

    assert await asyncio.wait_for(follower, 1) == WeChatIdentity(openid="o")
    assert wechat.calls == 1


async def test_one_code_is_two_ledger_entries_in_two_apps() -> None:
    """An answer is an openid of one app: never handed to a request for another."""
    assert code_key(LoginCode("c"), TEST_APP) != code_key(LoginCode("c"), SECOND_APP)
