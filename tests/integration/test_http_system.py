from dependency_injector import providers

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.domain.errors import StorageUnavailable
from bai.entrypoints.container import Container
from tests.integration.conftest import Api, api_of
from tests.support.contract import assert_contract
from tests.support.databases import memory_only
from tests.support.fakes import FakeWeChatGateway


def test_users_count_counts_registered_users(api: Api, wechat: FakeWeChatGateway) -> None:
    assert api.count() == 0
    for n in range(3):
        api.login(wechat.login_code(f"code-{n}", openid=f"openid-{n}"))
    api.login(wechat.login_code("again", openid="openid-0"))

    assert api.count() == 3


@memory_only
def test_users_count_ignores_any_body(api: Api) -> None:
    response = api.post(
        "/system/users-count", content=b"not json at all", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"total_users": 0}


def test_health_reports_liveness_and_readiness(api: Api) -> None:
    response = api.client.get("/pb/api/health")

    assert response.status_code == 200
    assert assert_contract(response)["data"] == {"status": "ok", "database": "ok"}


class UnreachableStore(InMemoryUserRepository):
    async def ping(self) -> None:
        raise StorageUnavailable

    async def count(self) -> int:
        raise StorageUnavailable


@memory_only
def test_storage_down_is_500_on_health_and_count(container: Container) -> None:
    container.adapters.users.override(providers.Object(UnreachableStore()))

    with api_of(container) as api:
        health = api.client.get("/pb/api/health")
        count = api.post("/system/users-count")

    assert (health.status_code, count.status_code) == (500, 500)
    assert assert_contract(health)["msg"] == "服务暂时不可用,请稍后重试"


@memory_only
def test_liveness_answers_while_the_database_is_down(
    container: Container, wechat: FakeWeChatGateway
) -> None:
    container.adapters.users.override(providers.Object(UnreachableStore()))
    wechat.calls = 0

    with api_of(container) as api:
        live = api.client.get("/pb/api/health/live")
        ready = api.client.get("/pb/api/health")

    assert live.status_code == 200
    assert assert_contract(live)["data"] == {"status": "ok"}
    assert ready.status_code == 500
    assert wechat.calls == 0
