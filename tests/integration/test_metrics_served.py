"""One scrape of `bai serve` with several workers counts the requests of all of them, exactly."""

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

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


@dataclass
class Run:
    """A run of `bai serve` with two workers, over; what its clients saw and where it kept
    its metrics."""

    statuses: list[int]
    scrapes: list[str]
    log: Path
    files: Path
    data_dir: Path


@pytest.fixture(scope="module")
def two_workers_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    data_dir = tmp_path_factory.mktemp("metrics-served")
    files = data_dir / "metrics"
    with serving(
        data_dir, BAI_WORKERS="2", BAI_RATE_LIMIT="off", PROMETHEUS_MULTIPROC_DIR=str(files)
    ) as (base, log):
        statuses = asyncio.run(spread(base))
        scrapes = [httpx.get(f"{base}/metrics").text for _ in range(4)]
    return Run(statuses, scrapes, log, files, data_dir)


def counted(text: str) -> float:
    return value(
        text,
        "bai_http_request_duration_seconds_count",
        method="POST",
        route=COUNT,
        status="200",
    )


def test_one_scrape_counts_every_workers_requests_exactly(two_workers_run: Run) -> None:
    assert two_workers_run.statuses == [200] * REQUESTS
    served_by = {
        json.loads(line)["pid"]
        for line in two_workers_run.log.read_text().splitlines()
        if '"bai.access"' in line and COUNT in line
    }
    assert len(served_by) == 2, "both workers should have served some of the requests"
    for text in two_workers_run.scrapes:  # whichever worker answers the scrape
        assert counted(text) == REQUESTS


def test_a_new_run_starts_counting_from_zero(two_workers_run: Run) -> None:
    """The next run on the same metrics directory, after one that counted REQUESTS."""
    with serving(two_workers_run.data_dir, PROMETHEUS_MULTIPROC_DIR=str(two_workers_run.files)) as (
        base,
        _,
    ):
        httpx.post(f"{base}{COUNT}")
        text = httpx.get(f"{base}/metrics").text

    assert counted(text) == 1
