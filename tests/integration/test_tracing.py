"""OpenTelemetry (`bai[otel]`): with an OTLP endpoint set, `bai serve` sends a trace per request
whose children are the database statements and the WeChat call, and no secret rides along."""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from devtools.fake_wechat_server import FakeWeChat, FakeWeChatServer
from devtools.net import free_port

from bai.entrypoints.observability.tracing import why_no_tracing
from tests.integration.test_served import serving
from tests.support.installs import install_without_extras
from tests.support.otlp_collector import OtlpCollector, attributes

SERVER, CLIENT = 2, 3  # OTLP's SpanKind values


@pytest.fixture
def collector() -> Iterator[OtlpCollector]:
    collector = OtlpCollector()
    yield collector
    collector.stop()


def test_a_login_is_one_trace_with_database_and_wechat_spans(
    tmp_path: Path, collector: OtlpCollector, postgres_database: str
) -> None:
    fake = FakeWeChatServer(FakeWeChat())
    code = fake.wechat.login_code("traced-code-0001", openid="traced-user")
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "BAI_DATABASE_URL": postgres_database,
        "BAI_WECHAT_APPID": fake.wechat.appid,
        "BAI_WECHAT_SECRET": fake.wechat.secret,
        "BAI_WECHAT_API_BASE": fake.url,
    }
    try:
        with serving(tmp_path, **env) as (base, _):
            login = httpx.post(f"{base}/pb/api/wechat/login", json={"users_wx_code": code})
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not _login_trace(collector):
                time.sleep(0.1)
    finally:
        fake.stop()

    assert login.status_code == 200
    trace = _login_trace(collector)
    assert trace, [span.name for span in collector.spans]
    server = next(span for span in trace if span.kind == SERVER and not span.parent_span_id)
    assert server.name == "POST /pb/api/wechat/login"
    statements = [span for span in trace if "db.system" in attributes(span)]
    assert {attributes(span)["db.system"] for span in statements} == {"postgresql"}
    wechat = [s for s in trace if s.kind == CLIENT and "jscode2session" in str(attributes(s))]
    assert len(wechat) == 1
    assert attributes(wechat[0])["http.url"].endswith("/sns/jscode2session")  # no query
    assert {span.parent_span_id for span in [*statements, *wechat]} == {server.span_id}
    everything = " ".join(str(attributes(span)) for span in trace)
    for secret in (fake.wechat.secret, code, login.json()["token"]):
        assert secret not in everything


def _login_trace(collector: OtlpCollector) -> list:  # type: ignore[type-arg]
    """The spans of the trace whose server span is the login, once its WeChat span is in."""
    logins = [
        span.trace_id
        for span in collector.spans
        if span.kind == SERVER and "/pb/api/wechat/login" in span.name
    ]
    if not logins:
        return []
    trace = [span for span in collector.spans if span.trace_id == logins[0]]
    return trace if any(span.kind == CLIENT for span in trace) else []


def test_without_an_endpoint_nothing_is_traced() -> None:
    assert why_no_tracing({}) is None
    assert (
        why_no_tracing({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x", "OTEL_SDK_DISABLED": "true"})
        is None
    )


def test_an_endpoint_without_the_extra_is_refused_in_one_line_by_a_real_install(
    tmp_path: Path,
) -> None:
    bai = install_without_extras(tmp_path / "venv")
    absent = subprocess.run(
        [str(bai.parent / "python"), "-c", "import opentelemetry"], capture_output=True, check=False
    )
    assert b"ModuleNotFoundError" in absent.stderr

    result = subprocess.run(
        [str(bai), "serve"],
        env={
            "PATH": "/usr/bin:/bin",
            "BAI_DATA_DIR": str(tmp_path / "data"),
            "BAI_PORT": str(free_port()),
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (result.returncode, result.stderr) == (
        2,
        "bai: OTEL_EXPORTER_OTLP_ENDPOINT is set but tracing is not installed:"
        " pip install 'bai[otel]' (or unset OTEL_EXPORTER_OTLP_ENDPOINT)\n",
    )
