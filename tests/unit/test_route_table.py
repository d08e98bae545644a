"""Every route is declared once, in the route table, with its default limit; a route the table
does not hold, or limits that leave a route out, are refused when the app is built."""

import re
from pathlib import Path
from typing import Any

import pytest
from litestar import post

from bai.adapters.memory.rate_limiter import InMemoryRateLimiter
from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.entrypoints.http.limits import DEFAULT_LIMITS, LimitsError, parse_limits
from bai.entrypoints.http.rate_limit import RateLimitMiddleware, UnlimitedRoute
from bai.entrypoints.http.route_table import (
    HEALTH,
    LOGIN,
    ROUTES,
    Route,
    UndeclaredRoute,
    checked,
    serves,
)
from tests.support.fakes import FixedClock

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
UNLIMITED_BY_DESIGN = {"health-live"}  # a refused liveness probe would restart a sound worker


async def answer() -> dict[str, Any]:
    return {}


def handlers_for(routes: tuple[Route, ...]) -> list[Any]:
    return [serves(route)(answer) for route in routes]


def test_every_route_has_a_default_limit_but_liveness() -> None:
    assert set(DEFAULT_LIMITS) == {route.name for route in ROUTES}
    assert {route.name for route in ROUTES if route.limit is None} == UNLIMITED_BY_DESIGN


def test_routes_are_declared_once_by_name_and_by_path() -> None:
    assert len({route.name for route in ROUTES}) == len(ROUTES)
    assert len({(route.method, route.path) for route in ROUTES}) == len(ROUTES)


def test_the_table_s_routes_served_each_once_pass() -> None:
    handlers = handlers_for(ROUTES)

    assert checked(handlers) == handlers


def test_a_handler_the_table_does_not_hold_is_refused() -> None:
    stray = post("/wechat/logout")(answer)

    with pytest.raises(
        UndeclaredRoute, match=r"POST /wechat/logout \(answer\) is not in the route table"
    ):
        checked([*handlers_for(ROUTES), stray])


def test_a_handler_away_from_its_declared_path_is_refused() -> None:
    moved = serves(Route(HEALTH.name, HEALTH.method, "/ready", HEALTH.limit))(answer)

    with pytest.raises(UndeclaredRoute, match="GET /ready is declared at /health"):
        checked([*handlers_for(ROUTES[:-2]), moved, *handlers_for(ROUTES[-1:])])


def test_a_route_of_the_table_nothing_serves_is_refused() -> None:
    with pytest.raises(UndeclaredRoute, match="declared"):
        checked(handlers_for(ROUTES[1:]))


def test_limits_that_leave_a_route_out_are_refused_by_the_rate_limit() -> None:
    limits = {name: limit for name, limit in DEFAULT_LIMITS.items() if name != LOGIN.name}

    with pytest.raises(UnlimitedRoute, match="no rate limit for login"):
        RateLimitMiddleware(InMemoryRateLimiter(FixedClock()), limits, PrometheusMetrics())


def test_operator_limits_name_only_routes_of_the_table() -> None:
    assert parse_limits("login=off")[LOGIN.name] is None
    with pytest.raises(LimitsError, match="unknown route 'signout'; routes: login, profile"):
        parse_limits("signout=1/1")


def test_readme_s_security_section_states_every_default_limit() -> None:
    stated = re.sub(r"\s+", " ", README.split("Defaults per minute:", 1)[1].split(". They", 1)[0])
    for route in ROUTES:
        limit, name = route.limit, route.name
        if limit is None:
            assert f"(`{name}`) none" in stated
        elif limit.window_seconds == 1:
            assert f"(`{name}`) {limit.requests} a second" in stated
        else:
            assert limit.window_seconds == 60
            assert f"{name} {limit.requests}" in stated
