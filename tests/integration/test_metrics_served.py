"""One scrape of `bai serve` with several workers counts the requests of all of them, exactly."""

import asyncio
import json
from pathlib import Path

import httpx

from tests.integration.test_served import serving
from tests.support.scrape import value

COUNT = "/pb/api/system/users-count"
REQUESTS = 120


async def spread(base: str) -> list[int]:
    """Requests on connections of their own, so the workers share them."""
    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        answers = await asyncio.gather(*(client.post(f"{base}{COUNT}") for _ in range(REQUESTS)))
    return [answer.status_code for answer in answers]


def test_one_scrape_counts_every_workers_requests_exactly(tmp_path: Path) -> None:
    files = tmp_path / "metrics"
    with serving(
        tmp_path, BAI_WORKERS="2", BAI_RATE_LIMIT="off", PROMETHEUS_MULTIPROC_DIR=str(files)
    ) as (base, log):
        statuses = asyncio.run(spread(base))
        scrapes = [httpx.get(f"{base}/metrics").text for _ in range(4)]

    assert statuses == [200] * REQUESTS
    served_by = {
        json.loads(line)["pid"]
        for line in log.read_text().splitlines()
        if '"bai.access"' in line and COUNT in line
    }
    assert len(served_by) == 2, "both workers should have served some of the requests"
    for text in scrapes:  # whichever worker answers the scrape
        assert value(
            text,
            "bai_http_request_duration_seconds_count",
            method="POST",
            route=COUNT,
            status="200",
        ) == (REQUESTS)


def test_a_new_run_starts_counting_from_zero(tmp_path: Path) -> None:
    files = tmp_path / "metrics"
    for _ in range(2):
        with serving(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(files)) as (base, _):
            httpx.post(f"{base}{COUNT}")
            text = httpx.get(f"{base}/metrics").text

        assert (
            value(
                text,
                "bai_http_request_duration_seconds_count",
                method="POST",
                route=COUNT,
                status="200",
            )
            == 1
        )
