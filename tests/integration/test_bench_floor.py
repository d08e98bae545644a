"""The framework's floor that `make bench` serves beside BAI (scripts/bench/floor.py) answers
the users-count and health routes with the envelopes BAI answers them with, so that wrk drives
both alike and the ratio measures BAI's own work."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from litestar.testing import TestClient

from bai.entrypoints.http.app import create_app
from tests.support.apps import container_with

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "floor.py"


def floor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_floor", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_floor"] = module  # Litestar reads the handlers' module by name
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["bench_floor"]
    return module


def test_the_floor_answers_what_bai_answers_in_shape(tmp_path: Path) -> None:
    container = container_with(tmp_path, {"BAI_DATABASE_URL": "memory://"})
    with TestClient(floor().app) as bare, TestClient(create_app(container)) as bai:
        answers = [
            (client.post("/pb/api/system/users-count"), client.get("/pb/api/health"))
            for client in (bare, bai)
        ]

    (bare_count, bare_health), (count, health) = answers
    assert [answer.status_code for answer in (bare_count, bare_health, count, health)] == [200] * 4
    assert bare_health.json() == health.json()
    assert bare_count.json() == {**count.json(), "data": {"total_users": 2000}}
