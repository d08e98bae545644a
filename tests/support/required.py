"""What a test needs from the machine that pip does not install. CI installs it (`make
system-packages`), so under CI=true its absence fails the run; elsewhere the test is skipped."""

import os

import pytest


def require(present: bool, what: str) -> None:
    """Go on if `present`; otherwise fail under CI=true, skip elsewhere, naming `what`."""
    if present:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(f"{what} is not available")
