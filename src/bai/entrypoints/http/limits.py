"""Rate limits per route, and `BAI_RATE_LIMITS`, the operator's way to change them."""

from collections.abc import Mapping
from typing import Final

from .route_table import ROUTES, Limit

__all__ = ["DEFAULT_LIMITS", "Limit", "LimitsError", "parse_limits"]

# Per client address and route, as the route table declares them.
DEFAULT_LIMITS: Final[Mapping[str, Limit | None]] = {route.name: route.limit for route in ROUTES}
MAX_REQUESTS: Final = 1_000_000
MAX_SECONDS: Final = 86_400


class LimitsError(ValueError):
    """`BAI_RATE_LIMITS` does not say what limits to use."""


def parse_limits(text: str) -> dict[str, Limit | None]:
    """The defaults, changed by `name=REQUESTS/SECONDS` or `name=off` items separated by commas,
    e.g. `login=100/60,health-live=600/60`."""
    limits = dict(DEFAULT_LIMITS)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = (piece.strip() for piece in item.partition("="))
        if name not in DEFAULT_LIMITS:
            raise LimitsError(f"unknown route {name!r}; routes: {', '.join(DEFAULT_LIMITS)}")
        limits[name] = _limit(name, value)
    return limits


def _limit(name: str, value: str) -> Limit | None:
    if value.lower() == "off":
        return None
    requests, _, seconds = value.partition("/")
    if not (requests.isascii() and requests.isdigit() and seconds.isascii() and seconds.isdigit()):
        raise LimitsError(f"{name}: expected REQUESTS/SECONDS or off, got {value!r}")
    limit = Limit(int(requests), int(seconds))
    if not (1 <= limit.requests <= MAX_REQUESTS and 1 <= limit.window_seconds <= MAX_SECONDS):
        raise LimitsError(
            f"{name}: requests must be 1..{MAX_REQUESTS} and seconds 1..{MAX_SECONDS}"
        )
    return limit
