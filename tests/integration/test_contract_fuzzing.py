"""Schemathesis runs every check of every phase against the running app, with the client's
contract, authenticated where the contract says bearer, and finds nothing."""

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.integration.test_served import ROOT, serving

SCHEMATHESIS = Path(sys.executable).parent / "st"


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    with serving(tmp_path, BAI_DATABASE_URL="memory://", BAI_RATE_LIMIT="off") as (
        base,
        _,
    ):
        login = httpx.post(f"{base}/pb/api/wechat/login", json={"users_wx_code": "schemathesis"})
        token = login.json()["token"]
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                str(ROOT / "contract" / "openapi.yaml"),
                "--url",
                base,
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",  # per operation, each a served round trip; 100 took 17 s
                "50",
                "--seed",
                "20261124",
            ],
            cwd=ROOT,
            env={**os.environ, "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in result.stdout
