"""The systemd unit in `deploy/` is one systemd accepts as it is (`systemd-analyze verify`, no
warning), pointed at this checkout's `bai`."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "bai.service"


def test_the_systemd_unit_verifies_cleanly(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("systemd-analyze is required under CI=true (apt-get install systemd)")
        pytest.skip("systemd-analyze is not installed")
    unit = tmp_path / "bai.service"
    bai = Path(sys.executable).parent / "bai"
    unit.write_text(UNIT.read_text().replace("/opt/bai/bin/bai", str(bai)))

    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""
    unit_text = UNIT.read_text()
    assert "User=bai" in unit_text
    assert "Restart=on-failure" in unit_text
    assert "RestartPreventExitStatus=2" in unit_text  # a refusal (exit 2) is not restarted
    assert "EnvironmentFile=/etc/bai/bai.env" in unit_text


def test_the_unit_installs_the_wheel_built_from_this_checkout_not_a_name_from_pypi() -> None:
    header = " ".join(
        line.lstrip("# ") for line in UNIT.read_text().splitlines() if line[:1] == "#"
    )

    installs = re.findall(r"pip install ([^`]*)`", header)

    assert installs == ["./dist/bai-*.whl"]
    assert "pip wheel --no-deps --wheel-dir dist ." in header
