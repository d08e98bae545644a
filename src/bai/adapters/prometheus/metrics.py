"""What BAI counts, and the text of one scrape.

Under `bai serve` each worker writes its values to files in `PROMETHEUS_MULTIPROC_DIR`
(prometheus_client's multiprocess mode; `bai serve` makes the directory before it starts the
workers), and a scrape, whichever worker answers it, adds up the files of all of them: one
scrape covers every worker of the host. Without that directory (tests, a single process) the
values live in this object's own registry.

Every label value is one of a known, small set (routes as routed, statuses, API names, event
and error names): nothing a client sends becomes a label, so no client can grow the series.
"""

import os
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from bai.domain.auth_events import AuthEvent

from .turn_batched_histogram import TurnBatchedHistogram

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# From a loopback users-count (~0.5 ms) to WeChat's own timeout (seconds).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"
_DONE = ", ".join(event for event in AuthEvent if event is not AuthEvent.REFUSED)
AUTH_EVENTS_HELP = (
    f"What requests did to accounts: {_DONE}, or {AuthEvent.REFUSED} (with the refusal's reason)"
)


def _cached(make: Callable[..., Any]) -> Callable[..., Any]:
    """`labels(...)` takes a lock and checks its arguments on every call; the children of a
    label set are kept once made (the label sets are few, see above)."""
    children: dict[tuple[str, ...], Any] = {}

    def child(*labels: str) -> Any:
        found = children.get(labels)
        if found is None:
            found = children[labels] = make(*labels)
        return found

    return child


class PrometheusMetrics:
    """The metrics of one process; `scrape` answers for the whole host under `bai serve`."""

    def __init__(self) -> None:
        registry = self._registry = CollectorRegistry()
        # One histogram serves as the request counter too (its `_count`): a counter beside it
        # would be a third file write per request under several workers.
        requests = Histogram(
            "bai_http_request_duration_seconds",
            "HTTP requests answered, by method, route (as routed) and status: time from a"
            " request's arrival to the end of its answer",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        wechat_calls = Counter(
            "bai_wechat_calls",
            "Calls of WeChat's server API by app id, API and outcome (ok or the error's name)",
            ("app", "api", "outcome"),
            registry=registry,
        )
        wechat_latency = Histogram(
            "bai_wechat_call_duration_seconds",
            "Time WeChat's server API took to answer (or to fail), by app id and API",
            ("app", "api"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        auth_events = Counter(
            "bai_auth_events",
            AUTH_EVENTS_HELP,
            ("event", "reason"),
            registry=registry,
        )
        rate_limited = Counter(
            "bai_rate_limited_requests",
            "Requests refused with 429 by the rate limit, by route",
            ("route",),
            registry=registry,
        )
        push_events = Counter(
            "bai_wechat_push_events",
            "WeChat push events received, by app id, event type (other: any BAI does not act"
            " on) and outcome (what was done)",
            ("app", "event", "outcome"),
            registry=registry,
        )
        push_refusals = Counter(
            "bai_wechat_push_refusals",
            "Pushes refused, by app id and reason (bad_signature, stale, bad_padding,"
            " wrong_appid, malformed, plaintext)",
            ("app", "reason"),
            registry=registry,
        )
        self._pool = Gauge(
            "bai_database_pool_connections",
            "Database connections of the workers' pools: open, and in use by a request"
            " (sampled every second)",
            ("state",),
            multiprocess_mode="livesum",
            registry=registry,
        )
        self._requests = TurnBatchedHistogram(_cached(requests.labels), LATENCY_BUCKETS)
        self._wechat_calls = _cached(wechat_calls.labels)
        self._wechat_latency = _cached(wechat_latency.labels)
        self._auth_events = _cached(auth_events.labels)
        self._rate_limited = _cached(rate_limited.labels)
        self._push_events = _cached(push_events.labels)
        self._push_refusals = _cached(push_refusals.labels)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        self._requests.observe((method if method in METHODS else "other", route, status), seconds)

    def wechat_call(self, app: str, api: str, outcome: str, seconds: float) -> None:
        self._wechat_calls(app, api, outcome).inc()
        self._wechat_latency(app, api).observe(seconds)

    def auth_event(self, event: AuthEvent, reason: str = "") -> None:
        self._auth_events(event, reason).inc()

    def rate_limited(self, route: str) -> None:
        self._rate_limited(route).inc()

    def push_event(self, app: str, event: str, outcome: str) -> None:
        self._push_events(app, event, outcome).inc()

    def push_refused(self, app: str, reason: str) -> None:
        self._push_refusals(app, reason).inc()

    def pool(self, *, open_connections: int, in_use: int) -> None:
        self._pool.labels("open").set(open_connections)
        self._pool.labels("in_use").set(in_use)

    def scrape(self) -> bytes:
        """Prometheus's text format, for every worker of the host when there are several."""
        self._requests.flush()
        directory = os.environ.get(MULTIPROCESS_DIR)
        if not directory:
            return generate_latest(self._registry)
        host = CollectorRegistry()
        MultiProcessCollector(host, path=directory)  # type: ignore[no-untyped-call]  # untyped upstream
        return generate_latest(host)

    def stopped(self) -> None:
        """This worker is stopping: its pool gauges no longer count (its counters still do)."""
        self._requests.flush()
        if directory := os.environ.get(MULTIPROCESS_DIR):
            mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]  # untyped upstream
