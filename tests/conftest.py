import pytest

from tests.support.fakes import FakeWeChatGateway, FixedClock


@pytest.fixture
def wechat() -> FakeWeChatGateway:
    return FakeWeChatGateway()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()
