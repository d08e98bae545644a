"""The private attributes BAI sets, each alone in a module named for it: these tests fail when
the library behind one changes, so that the workaround is revisited, not silently lost."""

import asyncio
import logging
import os
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Histogram

from bai.adapters.prometheus.metrics import LATENCY_BUCKETS
from bai.adapters.prometheus.turn_batched_histogram import TurnBatchedHistogram
from bai.adapters.wechat.httpx_url import with_query
from bai.entrypoints.observability.logging_speedups import skip_what_no_line_prints


def test_logging_still_looks_callers_up_through_srcfile(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "_srcfile" in vars(logging)  # the standard library still has it
    # as logging sets it at import (another test's app may have switched it off already)
    monkeypatch.setattr(
        logging, "_srcfile", os.path.normcase(logging.addLevelName.__code__.co_filename)
    )
    for name in ("logThreads", "logProcesses", "logMultiprocessing"):
        monkeypatch.setattr(logging, name, getattr(logging, name))

    skip_what_no_line_prints()

    assert vars(logging)["_srcfile"] is None


@given(
    base=st.sampled_from(
        [
            "https://api.weixin.qq.com/sns/jscode2session",
            "http://127.0.0.1:18480/sns/jscode2session",
            "http://[::1]:8080/prefix/wxa/business/getuserphonenumber",
        ]
    ),
    params=st.dictionaries(st.text(min_size=1), st.text(), max_size=5),
)
def test_httpx_still_makes_the_url_with_query_makes_without_parsing(
    base: str, params: dict[str, str]
) -> None:
    made = with_query(httpx.URL(base), urlencode(params))
    httpxs_own = httpx.Request("GET", base, params=params or None).url

    assert made == httpxs_own
    assert (made.scheme, made.host, made.port, made.path, made.query) == (
        httpxs_own.scheme,
        httpxs_own.host,
        httpxs_own.port,
        httpxs_own.path,
        httpxs_own.query,
    )


def _samples(registry: CollectorRegistry) -> dict[tuple[str, str, str], float]:
    return {
        (sample.name, sample.labels.get("l", ""), sample.labels.get("le", "")): sample.value
        for metric in registry.collect()
        for sample in metric.samples
        if not sample.name.endswith("_created")
    }


@given(
    observations=st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.floats(min_value=0, max_value=20) | st.sampled_from(LATENCY_BUCKETS),
        ),
        max_size=40,
    )
)
def test_prometheus_histograms_still_count_what_a_turns_batch_adds_as_observe_would(
    observations: list[tuple[str, float]],
) -> None:
    registries = CollectorRegistry(), CollectorRegistry()
    one_by_one, batched = (
        Histogram("h", "h", ("l",), buckets=LATENCY_BUCKETS, registry=registry)
        for registry in registries
    )
    batch = TurnBatchedHistogram(batched.labels, LATENCY_BUCKETS)

    async def one_turn() -> dict[tuple[str, str, str], float]:
        for label, amount in observations:
            one_by_one.labels(label).observe(amount)
            batch.observe((label,), amount)
        waiting = _samples(registries[1])
        await asyncio.sleep(0)  # the turn ends
        return waiting

    waiting = asyncio.run(one_turn())

    assert _samples(registries[1]) == pytest.approx(_samples(registries[0]))
    assert all(value == 0 for value in waiting.values())  # nothing was added before
